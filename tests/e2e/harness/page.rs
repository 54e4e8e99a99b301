//! The page object: a running app window and what a test does in it.

use std::fs;
use std::path::{Path, PathBuf};

use fantoccini::elements::Element;
use fantoccini::{Client, Locator};

use super::wait::{until, Result, DEADLINE};

/// A running app window.
pub struct App {
    pub(super) client: Client,
}

impl App {
    /// Clicks the element matching `css` once it exists.
    pub async fn click(&self, css: &str) -> Result {
        self.find(css).await?.click().await?;
        Ok(())
    }

    /// Types into the element matching `css` (after clearing it).
    pub async fn type_into(&self, css: &str, text: &str) -> Result {
        let el = self.find(css).await?;
        el.clear().await?;
        el.send_keys(text).await?;
        Ok(())
    }

    /// Presses `keys` one after the other on whatever has the focus, as a
    /// person at the keyboard does (WebDriver key actions: no element is
    /// picked, the caret and selection stay where they are). `\u{e007}` is
    /// Enter, `\u{e004}` Tab.
    pub async fn press(&self, keys: &str) -> Result {
        use fantoccini::actions::{InputSource, KeyAction, KeyActions};
        let mut typing = KeyActions::new("keyboard".into());
        for key in keys.chars() {
            typing = typing
                .then(KeyAction::Down { value: key })
                .then(KeyAction::Up { value: key });
        }
        self.client.perform_actions(typing).await?;
        self.client.release_actions().await?;
        Ok(())
    }

    /// The `data-testid` (or else the id) of the element that has the focus.
    pub async fn focused(&self) -> Result<String> {
        let v = self
            .eval("const e = document.activeElement; return e ? (e.dataset.testid || e.id || e.tagName) : null;")
            .await?;
        Ok(v.as_str().unwrap_or_default().to_owned())
    }

    /// Waits until the element with this `data-testid` (or id) has the focus.
    pub async fn wait_until_focused(&self, testid: &str) -> Result {
        let mut last = String::new();
        let focused = until(DEADLINE, async || {
            last = self.focused().await?;
            Ok((last == testid).then_some(()))
        })
        .await?;
        focused.ok_or_else(|| format!("{testid} never had the focus; {last:?} had it").into())
    }

    /// Waits until an element matching `css` exists and returns it.
    pub async fn find(&self, css: &str) -> Result<Element> {
        let mut last = None;
        let found = until(DEADLINE, async || {
            Ok(match self.client.find(Locator::Css(css)).await {
                Ok(el) => Some(el),
                Err(err) => {
                    last = Some(err);
                    None
                }
            })
        })
        .await?;
        found.ok_or_else(|| {
            let why = last.map(|e| e.to_string()).unwrap_or_default();
            format!("no element matches `{css}`: {why}").into()
        })
    }

    /// Waits until the element matching `css` shows text containing `needle`.
    pub async fn wait_for_text(&self, css: &str, needle: &str) -> Result<String> {
        let mut last = String::new();
        let shown = until(DEADLINE, async || {
            if let Ok(el) = self.client.find(Locator::Css(css)).await {
                if let Ok(text) = el.text().await {
                    if text.contains(needle) {
                        return Ok(Some(text));
                    }
                    last = text;
                }
            }
            Ok(None)
        })
        .await?;
        shown.ok_or_else(|| {
            format!("`{css}` never showed “{needle}” within {DEADLINE:?}; last text: “{last}”")
                .into()
        })
    }

    /// Waits until the element matching `css` has `attr` equal to `value`.
    pub async fn wait_for_attr(&self, css: &str, attr: &str, value: &str) -> Result {
        let mut last = None;
        let had = until(DEADLINE, async || {
            if let Ok(el) = self.client.find(Locator::Css(css)).await {
                if let Ok(v) = el.attr(attr).await {
                    if v.as_deref() == Some(value) {
                        return Ok(Some(()));
                    }
                    last = v;
                }
            }
            Ok(None)
        })
        .await?;
        had.ok_or_else(|| {
            format!("`{css}` never had {attr}=“{value}” within {DEADLINE:?}; last: {last:?}").into()
        })
    }

    /// Saves a screenshot of the window to `dir/name.png`, once what the DOM
    /// holds has been painted (WebKit can otherwise hand back the previous frame).
    pub async fn screenshot(&self, dir: &Path, name: &str) -> Result<PathBuf> {
        self.client
            .execute_async(
                "const done = arguments[0]; \
                 requestAnimationFrame(() => requestAnimationFrame(() => done(null)));",
                vec![],
            )
            .await?;
        fs::create_dir_all(dir)?;
        let path = dir.join(format!("{name}.png"));
        fs::write(&path, self.client.screenshot().await?)?;
        Ok(path)
    }

    /// Runs axe-core (the copy `ui/` installs) over the window as it is now
    /// and fails on any serious or critical WCAG 2.1 A/AA violation, naming
    /// each with the elements involved. Lesser findings are printed.
    pub async fn audit(&self, screen: &str) -> Result {
        let loaded = self
            .client
            .execute("return typeof window.axe === 'object';", vec![])
            .await?;
        if loaded != serde_json::Value::Bool(true) {
            let path =
                Path::new(env!("CARGO_MANIFEST_DIR")).join("ui/node_modules/axe-core/axe.min.js");
            let source = fs::read_to_string(&path)
                .map_err(|e| format!("{} is missing ({e}): run `make setup`", path.display()))?;
            // WebDriver runs this as a function body; axe installs itself on window.
            self.client
                .execute(&format!("{source}\n;return typeof window.axe;"), vec![])
                .await?;
        }
        let found = self
            .client
            .execute_async(
                "const done = arguments[0];
                 requestAnimationFrame(() => requestAnimationFrame(() => {
                   window.axe.run(document, {
                     runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] },
                     resultTypes: ['violations'],
                   }).then(
                     (r) => done(r.violations.map((v) => ({
                       id: v.id, impact: v.impact, help: v.help,
                       nodes: v.nodes.map((n) => n.target.join(' ') + ' — ' + (n.failureSummary || '')),
                     }))),
                     (e) => done([{ id: 'axe-error', impact: 'critical', help: String(e), nodes: [] }]),
                   );
                 }));",
                vec![],
            )
            .await?;
        let violations = found.as_array().cloned().unwrap_or_default();
        let mut serious = Vec::new();
        for v in &violations {
            let impact = v["impact"].as_str().unwrap_or("unknown");
            let line = format!("{} ({impact}): {} — {}", v["id"], v["help"], v["nodes"]);
            if matches!(impact, "serious" | "critical") {
                serious.push(line);
            } else {
                eprintln!("[axe] {screen}: {line}");
            }
        }
        if serious.is_empty() {
            Ok(())
        } else {
            Err(format!(
                "axe found serious problems on “{screen}”:\n{}",
                serious.join("\n")
            )
            .into())
        }
    }

    /// How many elements match `css` now.
    pub async fn count(&self, css: &str) -> Result<usize> {
        Ok(self.client.find_all(Locator::Css(css)).await?.len())
    }

    /// Whether an element matching `css` is on the page right now (no waiting).
    pub async fn exists(&self, css: &str) -> bool {
        self.client.find(Locator::Css(css)).await.is_ok()
    }

    /// Resizes the window, as a person dragging its corner would.
    pub async fn resize(&self, width: u32, height: u32) -> Result {
        self.client.set_window_size(width, height).await?;
        Ok(())
    }

    /// The window's position and size: `(x, y, width, height)`.
    pub async fn window_rect(&self) -> Result<(u64, u64, u64, u64)> {
        Ok(self.client.get_window_rect().await?)
    }

    /// Moves and resizes the window, as a person dragging it would.
    pub async fn set_window_rect(&self, x: u32, y: u32, width: u32, height: u32) -> Result {
        self.client.set_window_rect(x, y, width, height).await?;
        Ok(())
    }

    /// How many windows the app has open.
    pub async fn window_count(&self) -> Result<usize> {
        Ok(self.client.windows().await?.len())
    }

    /// Runs an asynchronous script in the page: it ends by calling its last
    /// argument with the value to return.
    pub async fn eval_async(&self, script: &str) -> Result<serde_json::Value> {
        Ok(self.client.execute_async(script, vec![]).await?)
    }

    /// Runs a script in the page and returns its value.
    pub async fn eval(&self, script: &str) -> Result<serde_json::Value> {
        Ok(self.client.execute(script, vec![]).await?)
    }

    /// With `TOPUP_SCREENSHOTS=<dir>` set, saves a screenshot for the docs.
    pub async fn screenshot_for_docs(&self, name: &str) -> Result {
        if let Some(dir) = std::env::var_os("TOPUP_SCREENSHOTS") {
            let path = self.screenshot(Path::new(&dir), name).await?;
            eprintln!("screenshot saved: {}", path.display());
        }
        Ok(())
    }
}
