//! A throw-away profile to run the app in, its stand-in system browser
//! (the test browser), and launching the app on it.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Stdio;

use tempfile::TempDir;
use tokio::process::{Child, Command};

use super::artifacts::{files_under, keep_artifacts};
use super::desktop::{stop_app_on_this_bus, wait_for_app_to_quit};
use super::driver::{app_binary, connect, free_ports, in_profile, start_driver, wait_for_port};
use super::page::App;
use super::wait::{until, Result, BROWSER_DEADLINE, DEADLINE};

/// The test browser next to the test binaries (`cargo build -p topup-test-browser`).
pub(super) fn test_browser_binary() -> Result<PathBuf> {
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
        // to open, and the WebKit variables it was started with: GIO and
        // xdg-open find it through the profile's mimeapps.list (which wins over
        // any installed browser) or, failing that, through $BROWSER.
        // When a test has written a plan (`Profile::browse`), it also hands the
        // page to headless Chromium (tests/browser) to pay or read it.
        let script = root.join("browser.sh");
        let payer = test_browser_binary()?;
        let q = |p: &Path| format!("'{}'", p.display());
        fs::write(
            &script,
            format!(
                "#!/bin/sh\nprintf '%s\\n' \"$(env | grep -E '^(WEBKIT_DISABLE_|JSC_)' | sort | tr '\\n' ' ')\" >> {env}\nprintf '%s\\n' \"$1\" >> {urls}\nif [ -s {plan} ]; then\n  {payer} {results} \"$1\" $(cat {plan}) >> {log} 2>&1 &\nfi\n",
                env = q(&root.join("browser-env")),
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

    /// Moves the app's clock `secs` ahead of the system's (debug builds read
    /// `TOPUP_TEST_CLOCK_FILE` at every look at the time).
    pub fn set_app_clock_ahead(&self, secs: u64) -> Result {
        fs::write(
            self.path().join(super::driver::CLOCK_FILE),
            secs.to_string(),
        )?;
        Ok(())
    }

    /// The app's home folder in this profile (start at login writes under it).
    pub fn home(&self) -> PathBuf {
        self.path().join("home")
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
        let outcome = until(BROWSER_DEADLINE, async || {
            let results =
                fs::read_to_string(self.path().join("browser-results")).unwrap_or_default();
            Ok(results.lines().nth(n - 1).map(str::to_owned))
        })
        .await?;
        outcome.ok_or_else(|| {
            let log = fs::read_to_string(self.path().join("browser.log")).unwrap_or_default();
            format!("the browser gave no outcome #{n}; its log:\n{log}").into()
        })
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

    /// The variables that tune WebKit and JavaScriptCore for a whole process
    /// (`WEBKIT_DISABLE_*`, `JSC_*`) the browser was started with, one line
    /// per page opened (in order). (WebKitWebDriver's own `WEBKIT_INSPECTOR_SERVER`
    /// reaches it too, and is no tuning.)
    pub fn browser_environments(&self) -> Vec<String> {
        fs::read_to_string(self.path().join("browser-env"))
            .map(|t| t.lines().map(|l| l.trim().to_owned()).collect())
            .unwrap_or_default()
    }

    /// Waits until the app has opened `n` pages (from 1) and returns the `n`-th.
    pub async fn wait_for_nth_opened(&self, n: usize) -> Result<String> {
        let opened = until(DEADLINE, async || {
            Ok(self.opened_urls().into_iter().nth(n - 1))
        })
        .await?;
        opened.ok_or_else(|| {
            format!(
                "the app never opened page #{n}; it opened {:?}",
                self.opened_urls()
            )
            .into()
        })
    }

    /// Waits until the app has opened a URL starting with `prefix`.
    pub async fn wait_for_opened(&self, prefix: &str) -> Result<String> {
        let opened = until(DEADLINE, async || {
            Ok(self
                .opened_urls()
                .into_iter()
                .find(|u| u.starts_with(prefix)))
        })
        .await?;
        opened.ok_or_else(|| {
            format!(
                "the app never opened a page starting with {prefix}; it opened {:?}",
                self.opened_urls()
            )
            .into()
        })
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

    /// What the app has logged so far (`topup.log`; empty before it starts).
    pub fn app_log(&self) -> String {
        fs::read_to_string(self.path().join("data/app.topup.Topup/logs/topup.log"))
            .unwrap_or_default()
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
        // A WebDriver left wedged by a failure (a screenshot never answered)
        // would hold the session's end for ever.
        let closed = tokio::time::timeout(DEADLINE, app.client.clone().close()).await;
        let _ = driver.kill().await;
        let _ = driver.wait().await;
        // The next launch would otherwise hand over to this one and quit. A
        // journey that failed may have left the app without its driver.
        if result.is_err() || closed.is_err() {
            let _ = stop_app_on_this_bus().await;
        }
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
