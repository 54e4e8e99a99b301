//! The reusable e2e harness.
//!
//! [`run`] launches the app with a throw-away profile (every XDG directory points
//! into a temporary folder, so a test never touches a real user's files), starts
//! a private tauri-driver for it, hands the test an [`App`], and when the test
//! fails keeps a screenshot, the app log and the driver log under
//! `tests/e2e/artifacts/<test>/` and prints the log's tail.

use std::error::Error as StdError;
use std::fs;
use std::net::{Ipv4Addr, SocketAddr, TcpListener};
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::Duration;

use fantoccini::elements::Element;
use fantoccini::{Client, ClientBuilder, Locator};
use hyper_util::client::legacy::connect::HttpConnector;
use serde_json::json;
use tempfile::TempDir;
use tokio::process::{Child, Command};
use tokio::time::{sleep, Instant};

pub type Error = Box<dyn StdError + Send + Sync>;
pub type Result<T = ()> = std::result::Result<T, Error>;

/// How long a condition may take before the test fails.
pub const DEADLINE: Duration = Duration::from_secs(20);
const POLL: Duration = Duration::from_millis(100);
/// Headless Chromium starts, loads and submits in a few seconds; a loaded CI machine gets slack.
const BROWSER_DEADLINE: Duration = Duration::from_secs(60);
const APP_BINARY: &str = env!("CARGO_BIN_EXE_topup");
/// An installed Topup to test instead of the one cargo built (the update
/// journey runs the copy a package put in /usr/bin).
pub const APP_ENV: &str = "TOPUP_E2E_APP";

pub fn app_binary() -> String {
    std::env::var(APP_ENV).unwrap_or_else(|_| APP_BINARY.to_owned())
}

/// A running app window.
pub struct App {
    client: Client,
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

    /// Waits until an element matching `css` exists and returns it.
    pub async fn find(&self, css: &str) -> Result<Element> {
        let started = Instant::now();
        loop {
            match self.client.find(Locator::Css(css)).await {
                Ok(el) => return Ok(el),
                Err(err) if started.elapsed() < DEADLINE => {
                    let _ = err;
                    sleep(POLL).await;
                }
                Err(err) => return Err(format!("no element matches `{css}`: {err}").into()),
            }
        }
    }

    /// Waits until the element matching `css` shows text containing `needle`.
    pub async fn wait_for_text(&self, css: &str, needle: &str) -> Result<String> {
        let started = Instant::now();
        let mut last = String::new();
        loop {
            if let Ok(el) = self.client.find(Locator::Css(css)).await {
                if let Ok(text) = el.text().await {
                    if text.contains(needle) {
                        return Ok(text);
                    }
                    last = text;
                }
            }
            if started.elapsed() >= DEADLINE {
                return Err(format!(
                    "`{css}` never showed “{needle}” within {DEADLINE:?}; last text: “{last}”"
                )
                .into());
            }
            sleep(POLL).await;
        }
    }

    /// Waits until the element matching `css` has `attr` equal to `value`.
    pub async fn wait_for_attr(&self, css: &str, attr: &str, value: &str) -> Result {
        let started = Instant::now();
        let mut last = None;
        loop {
            if let Ok(el) = self.client.find(Locator::Css(css)).await {
                if let Ok(v) = el.attr(attr).await {
                    if v.as_deref() == Some(value) {
                        return Ok(());
                    }
                    last = v;
                }
            }
            if started.elapsed() >= DEADLINE {
                return Err(format!(
                    "`{css}` never had {attr}=“{value}” within {DEADLINE:?}; last: {last:?}"
                )
                .into());
            }
            sleep(POLL).await;
        }
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

    /// Whether an element matching `css` is on the page right now (no waiting).
    /// How many elements match `css` now.
    pub async fn count(&self, css: &str) -> Result<usize> {
        Ok(self.client.find_all(Locator::Css(css)).await?.len())
    }

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

/// The test browser next to the test binaries (`cargo build -p topup-test-browser`).
fn test_browser_binary() -> Result<PathBuf> {
    let exe = std::env::current_exe()?;
    let dir = exe
        .parent()
        .and_then(Path::parent)
        .ok_or("the test binary has no target directory")?;
    let path = dir.join("topup-test-browser");
    if !path.exists() {
        return Err(format!("{} is missing: run `make build-tests`", path.display()).into());
    }
    Ok(path)
}

/// A throw-away profile: every XDG directory the app uses points inside it.
/// One profile can be launched several times (restart journeys).
/// Under `run.sh` (`TOPUP_E2E_PROFILES` set) the profiles are made there and
/// kept, so one scan after the whole suite can read every file the app wrote.
pub struct Profile {
    dir: ProfileDir,
}

enum ProfileDir {
    Temporary(TempDir),
    Kept(PathBuf),
}

/// Where `run.sh` keeps every profile of the run for the final secret scan.
pub const PROFILES_ENV: &str = "TOPUP_E2E_PROFILES";

impl Profile {
    pub fn new() -> Result<Self> {
        // The harness's own HTTP (test hooks of the app's built-in Sandbox)
        // uses reqwest with rustls and no provider of its own.
        topup_core::http::install_crypto_provider();
        let mut builder = tempfile::Builder::new();
        builder.prefix("topup-e2e-");
        let dir = match std::env::var_os(PROFILES_ENV) {
            Some(root) => ProfileDir::Kept(builder.tempdir_in(root)?.keep()),
            None => ProfileDir::Temporary(builder.tempdir()?),
        };
        let profile = Self { dir };
        Self::prepare(profile.path())?;
        Ok(profile)
    }

    /// The XDG directories and the stand-in system browser.
    fn prepare(root: &Path) -> Result {
        for sub in ["config", "data/applications", "cache", "state"] {
            fs::create_dir_all(root.join(sub))?;
        }
        // "The system browser" is a script that writes down what it was asked
        // to open: xdg-open finds it through the profile's mimeapps.list (which
        // wins over any installed browser) or, failing that, through $BROWSER.
        // When a test has written a plan (`Profile::browse`), it also hands the
        // page to headless Chromium (tests/browser) to pay or read it.
        let script = root.join("browser.sh");
        let payer = test_browser_binary()?;
        let q = |p: &Path| format!("'{}'", p.display());
        fs::write(
            &script,
            format!(
                "#!/bin/sh\nprintf '%s\\n' \"$1\" >> {urls}\nif [ -s {plan} ]; then\n  {payer} {results} \"$1\" $(cat {plan}) >> {log} 2>&1 &\nfi\n",
                urls = q(&root.join("opened-urls")),
                plan = q(&root.join("browser-plan")),
                results = q(&root.join("browser-results")),
                log = q(&root.join("browser.log")),
                payer = q(&payer),
            ),
        )?;
        use std::os::unix::fs::PermissionsExt;
        fs::set_permissions(&script, fs::Permissions::from_mode(0o755))?;
        fs::write(
            root.join("data/applications/topup-test-browser.desktop"),
            format!("[Desktop Entry]\nType=Application\nName=Topup test browser\nExec={} %u\nMimeType=x-scheme-handler/http;x-scheme-handler/https;\nNoDisplay=true\n", script.display()),
        )?;
        fs::write(
            root.join("config/mimeapps.list"),
            "[Default Applications]\nx-scheme-handler/http=topup-test-browser.desktop\nx-scheme-handler/https=topup-test-browser.desktop\n",
        )?;
        Ok(())
    }

    /// What the browser does with the pages it is handed from now on:
    /// `"pay 4242424242424242"`, `"visit"`, or `""` to only record them.
    pub fn browse(&self, plan: &str) -> Result {
        fs::write(self.path().join("browser-plan"), plan)?;
        Ok(())
    }

    /// Waits for the browser's `n`-th outcome (from 1): `paid`,
    /// `declined: …`, `visited: …`.
    pub async fn browser_result(&self, n: usize) -> Result<String> {
        let started = Instant::now();
        loop {
            let results =
                fs::read_to_string(self.path().join("browser-results")).unwrap_or_default();
            if let Some(line) = results.lines().nth(n - 1) {
                return Ok(line.to_owned());
            }
            if started.elapsed() >= BROWSER_DEADLINE {
                let log = fs::read_to_string(self.path().join("browser.log")).unwrap_or_default();
                return Err(format!("the browser gave no outcome #{n}; its log:\n{log}").into());
            }
            sleep(POLL).await;
        }
    }

    /// Opens `url` in "the system browser" as xdg-open would, outside the app
    /// (a person pasting a copied link, or paying after quitting Topup).
    pub fn open_in_browser(&self, url: &str) -> Result {
        let status = std::process::Command::new(self.path().join("browser.sh"))
            .arg(url)
            .status()?;
        if !status.success() {
            return Err(format!("browser.sh failed: {status}").into());
        }
        Ok(())
    }

    /// What the app asked the system browser to open, in order.
    pub fn opened_urls(&self) -> Vec<String> {
        fs::read_to_string(self.path().join("opened-urls"))
            .map(|t| t.lines().map(str::to_owned).collect())
            .unwrap_or_default()
    }

    /// Waits until the app has opened `n` pages (from 1) and returns the `n`-th.
    pub async fn wait_for_nth_opened(&self, n: usize) -> Result<String> {
        let started = Instant::now();
        loop {
            if let Some(url) = self.opened_urls().into_iter().nth(n - 1) {
                return Ok(url);
            }
            if started.elapsed() >= DEADLINE {
                return Err(format!(
                    "the app never opened page #{n}; it opened {:?}",
                    self.opened_urls()
                )
                .into());
            }
            sleep(POLL).await;
        }
    }

    /// Waits until the app has opened a URL starting with `prefix`.
    pub async fn wait_for_opened(&self, prefix: &str) -> Result<String> {
        let started = Instant::now();
        loop {
            if let Some(url) = self
                .opened_urls()
                .into_iter()
                .find(|u| u.starts_with(prefix))
            {
                return Ok(url);
            }
            if started.elapsed() >= DEADLINE {
                return Err(format!(
                    "the app never opened a page starting with {prefix}; it opened {:?}",
                    self.opened_urls()
                )
                .into());
            }
            sleep(POLL).await;
        }
    }

    pub fn path(&self) -> &Path {
        match &self.dir {
            ProfileDir::Temporary(dir) => dir.path(),
            ProfileDir::Kept(path) => path,
        }
    }

    /// The app's account registry in this profile.
    pub fn registry(&self) -> Result<serde_json::Value> {
        let path = self.path().join("config/app.topup.Topup/accounts.json");
        Ok(serde_json::from_str(&fs::read_to_string(path)?)?)
    }

    /// Every file the app wrote, for secret scans.
    pub fn files(&self) -> Vec<PathBuf> {
        files_under(self.path())
    }

    /// Launches the app on this profile (with `args`), runs `test`, and quits it.
    pub async fn launch<T>(
        &self,
        name: &str,
        args: &[&str],
        test: impl AsyncFnOnce(&App) -> Result<T>,
    ) -> Result<T> {
        let driver_log = self.path().join(format!("driver-{name}.log"));
        let [port, native_port] = free_ports()?;
        let mut driver = start_driver(self.path(), &driver_log, port, native_port)?;
        let outcome = async {
            // tauri-driver answers before the WebKitWebDriver behind it listens;
            // a session asked for in between gets a broken answer.
            wait_for_port(port).await?;
            wait_for_port(native_port).await?;
            connect(port, args).await
        }
        .await;
        let client = match outcome {
            Ok(client) => client,
            Err(err) => {
                keep_artifacts(name, self.path(), None).await;
                let _ = driver.kill().await;
                return Err(err);
            }
        };
        let app = App { client };
        let result = test(&app).await;
        if result.is_err() {
            keep_artifacts(name, self.path(), Some(&app.client)).await;
        }
        let _ = app.client.clone().close().await;
        let _ = driver.kill().await;
        let _ = driver.wait().await;
        // The next launch would otherwise hand over to this one and quit.
        let quit = wait_for_app_to_quit().await;
        result.and_then(|value| quit.map(|()| value))
    }

    /// Starts the app binary on this profile directly, not through the
    /// driver: what a person double-clicking Topup a second time does.
    /// Its output goes to `<name>.log` in the profile.
    pub fn start_app(&self, name: &str, args: &[&str]) -> Result<Child> {
        let log = fs::File::create(self.path().join(format!("{name}.log")))?;
        let mut command = Command::new(app_binary());
        command.args(args);
        in_profile(&mut command, self.path());
        Ok(command
            .stdin(Stdio::null())
            .stdout(Stdio::from(log.try_clone()?))
            .stderr(Stdio::from(log))
            .kill_on_drop(true)
            .spawn()?)
    }
}

/// Launches the app once on a fresh profile.
pub async fn run(name: &str, args: &[&str], test: impl AsyncFnOnce(&App) -> Result) -> Result {
    Profile::new()?.launch(name, args, test).await
}

/// The environment the app runs in on `profile`.
fn in_profile(command: &mut Command, profile: &Path) {
    command
        .env("XDG_CONFIG_HOME", profile.join("config"))
        .env("XDG_DATA_HOME", profile.join("data"))
        .env("XDG_CACHE_HOME", profile.join("cache"))
        .env("XDG_STATE_HOME", profile.join("state"))
        .env("RUST_LOG", "info,topup_app=debug,topup_core=debug")
        // One known locale, so money reads "$5.00" and screenshots look as
        // most people see them (Xvfb sessions otherwise run in "C").
        .env("LANG", "en_US.UTF-8")
        .env("LC_ALL", "en_US.UTF-8")
        .env("BROWSER", profile.join("browser.sh"));
}

fn start_driver(profile: &Path, log: &Path, port: u16, native_port: u16) -> Result<Child> {
    let driver = std::env::var_os("TAURI_DRIVER").unwrap_or_else(|| "tauri-driver".into());
    let log_out = fs::File::create(log)?;
    let log_err = log_out.try_clone()?;
    let mut command = Command::new(&driver);
    command.args([
        "--port",
        &port.to_string(),
        "--native-port",
        &native_port.to_string(),
    ]);
    in_profile(&mut command, profile);
    let child = command
        .stdin(Stdio::null())
        .stdout(Stdio::from(log_out))
        .stderr(Stdio::from(log_err))
        .kill_on_drop(true)
        .spawn()
        .map_err(|e| format!("cannot start {driver:?} (run `make setup`): {e}"))?;
    Ok(child)
}

async fn connect(port: u16, args: &[&str]) -> Result<Client> {
    let caps = json!({
        "browserName": "wry",
        "tauri:options": { "application": app_binary(), "args": args },
    });
    let serde_json::Value::Object(caps) = caps else {
        unreachable!("a json! object literal is an object")
    };
    let client = ClientBuilder::new(HttpConnector::new())
        .capabilities(caps)
        .connect(&format!("http://127.0.0.1:{port}"))
        .await?;
    Ok(client)
}

/// Two distinct free ports: both listeners are held until both are known, so
/// the system cannot hand the same port out twice.
fn free_ports() -> Result<[u16; 2]> {
    let a = TcpListener::bind(SocketAddr::from((Ipv4Addr::LOCALHOST, 0)))?;
    let b = TcpListener::bind(SocketAddr::from((Ipv4Addr::LOCALHOST, 0)))?;
    Ok([a.local_addr()?.port(), b.local_addr()?.port()])
}

async fn wait_for_port(port: u16) -> Result {
    let started = Instant::now();
    while tokio::net::TcpStream::connect((Ipv4Addr::LOCALHOST, port))
        .await
        .is_err()
    {
        if started.elapsed() >= DEADLINE {
            return Err(format!(
                "nothing listened on port {port} (tauri-driver or WebKitWebDriver)"
            )
            .into());
        }
        sleep(POLL).await;
    }
    Ok(())
}

/// Copies what explains a failure next to the sources and prints the log tail.
async fn keep_artifacts(name: &str, profile: &Path, client: Option<&Client>) {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/e2e/artifacts")
        .join(name);
    let _ = fs::create_dir_all(&dir);
    if let Some(client) = client {
        match client.screenshot().await {
            Ok(png) => {
                let _ = fs::write(dir.join("screenshot.png"), png);
            }
            Err(err) => eprintln!("[{name}] no screenshot: {err}"),
        }
    }
    for log in find_logs(profile) {
        let Some(file_name) = log.file_name() else {
            continue;
        };
        let _ = fs::copy(&log, dir.join(file_name));
        if let Ok(text) = fs::read_to_string(&log) {
            let tail: Vec<_> = text.lines().rev().take(40).collect();
            eprintln!("---- [{name}] last lines of {} ----", log.display());
            for line in tail.into_iter().rev() {
                eprintln!("{line}");
            }
        }
    }
    eprintln!("[{name}] artifacts kept in {}", dir.display());
}

fn find_logs(root: &Path) -> Vec<PathBuf> {
    files_under(root)
        .into_iter()
        .filter(|path| path.extension().is_some_and(|ext| ext == "log"))
        .collect()
}

/// Every file below `root` (symlinks not followed).
pub fn files_under(root: &Path) -> Vec<PathBuf> {
    let mut found = Vec::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        let Ok(entries) = fs::read_dir(&dir) else {
            continue;
        };
        for entry in entries.flatten() {
            let Ok(kind) = entry.file_type() else {
                continue;
            };
            if kind.is_dir() {
                stack.push(entry.path());
            } else if kind.is_file() {
                found.push(entry.path());
            }
        }
    }
    found
}

/// Waits until `check` answers true, asking every 100 ms; fails with `what`
/// once the deadline passes.
pub async fn wait_until(what: &str, mut check: impl AsyncFnMut() -> Result<bool>) -> Result {
    let started = Instant::now();
    while !check().await? {
        if started.elapsed() >= DEADLINE {
            return Err(format!("{what} (waited {DEADLINE:?})").into());
        }
        sleep(POLL).await;
    }
    Ok(())
}

/// GETs JSON, waiting (within the deadline) for a 200.
pub async fn poll_json(url: &str) -> Result<serde_json::Value> {
    let started = Instant::now();
    loop {
        if let Ok(r) = reqwest::get(url).await {
            if r.status().is_success() {
                return Ok(r.json().await?);
            }
        }
        if started.elapsed() >= DEADLINE {
            return Err(format!("{url} never answered 200").into());
        }
        sleep(POLL).await;
    }
}

/// The status a bearer-authenticated GET gets.
pub async fn status_of(url: &str, token: &str) -> Result<u16> {
    Ok(reqwest::Client::new()
        .get(url)
        .bearer_auth(token)
        .send()
        .await?
        .status()
        .as_u16())
}

/// PUTs JSON to a Sandbox test hook and expects success.
pub async fn put_json(url: &str, body: serde_json::Value) -> Result<serde_json::Value> {
    let r = reqwest::Client::new().put(url).json(&body).send().await?;
    if !r.status().is_success() {
        return Err(format!("{url} answered {}", r.status()).into());
    }
    Ok(r.json().await.unwrap_or(serde_json::Value::Null))
}

/// POSTs JSON to a Sandbox test hook and expects success.
pub async fn post_json(url: &str, body: serde_json::Value) -> Result<serde_json::Value> {
    let r = reqwest::Client::new().post(url).json(&body).send().await?;
    if !r.status().is_success() {
        return Err(format!("{url} answered {}", r.status()).into());
    }
    Ok(r.json().await.unwrap_or(serde_json::Value::Null))
}

/// The keychain entry for an account, read through the Secret Service.
pub fn keychain_entry(account_id: &str) -> Option<String> {
    let out = std::process::Command::new("secret-tool")
        .args([
            "lookup",
            "service",
            "app.topup.Topup",
            "username",
            account_id,
        ])
        .output()
        .ok()?;
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    (out.status.success() && !text.is_empty()).then_some(text)
}

/// The D-Bus name a running Topup holds (tauri-plugin-single-instance).
pub const INSTANCE_NAME: &str = "app.topup.Topup.SingleInstance";

/// Whether a Topup holds its single-instance name on the session bus.
pub async fn app_is_running() -> Result<bool> {
    let out = Command::new("dbus-send")
        .args([
            "--session",
            "--print-reply",
            "--dest=org.freedesktop.DBus",
            "/org/freedesktop/DBus",
            "org.freedesktop.DBus.NameHasOwner",
            &format!("string:{INSTANCE_NAME}"),
        ])
        .output()
        .await?;
    if !out.status.success() {
        return Err(format!("dbus-send failed: {}", String::from_utf8_lossy(&out.stderr)).into());
    }
    Ok(String::from_utf8_lossy(&out.stdout).contains("boolean true"))
}

async fn wait_for_app_to_quit() -> Result {
    wait_until(
        "the app to quit (its single-instance name freed)",
        async || Ok(!app_is_running().await?),
    )
    .await
}
