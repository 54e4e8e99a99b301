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
const APP_BINARY: &str = env!("CARGO_BIN_EXE_topup");

/// A running app window and the profile it writes to.
pub struct App {
    client: Client,
    profile: TempDir,
}

impl App {
    /// The throw-away profile root; `config/`, `data/`, `cache/` and `state/` are the app's XDG dirs.
    #[allow(dead_code)]
    pub fn profile(&self) -> &Path {
        self.profile.path()
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

    /// With `TOPUP_SCREENSHOTS=<dir>` set, saves a screenshot for the docs.
    pub async fn screenshot_for_docs(&self, name: &str) -> Result {
        if let Some(dir) = std::env::var_os("TOPUP_SCREENSHOTS") {
            let path = self.screenshot(Path::new(&dir), name).await?;
            eprintln!("screenshot saved: {}", path.display());
        }
        Ok(())
    }
}

/// Launches the app (with `args`), runs `test` against it, and cleans up.
pub async fn run(name: &str, args: &[&str], test: impl AsyncFnOnce(&App) -> Result) -> Result {
    let profile = tempfile::Builder::new().prefix("topup-e2e-").tempdir()?;
    for dir in ["config", "data", "cache", "state", "runtime"] {
        fs::create_dir_all(profile.path().join(dir))?;
    }
    let driver_log = profile.path().join("driver.log");
    let (port, native_port) = (free_port()?, free_port()?);
    let mut driver = start_driver(profile.path(), &driver_log, port, native_port)?;

    let outcome = async {
        wait_for_port(port).await?;
        let client = connect(port, args).await?;
        Ok::<_, Error>(client)
    }
    .await;
    let client = match outcome {
        Ok(client) => client,
        Err(err) => {
            keep_artifacts(name, profile.path(), None).await;
            let _ = driver.kill().await;
            return Err(err);
        }
    };
    let app = App { client, profile };
    let result = test(&app).await;
    if result.is_err() {
        keep_artifacts(name, app.profile.path(), Some(&app.client)).await;
    }
    let _ = app.client.clone().close().await;
    let _ = driver.kill().await;
    let _ = driver.wait().await;
    result
}

fn start_driver(profile: &Path, log: &Path, port: u16, native_port: u16) -> Result<Child> {
    let driver = std::env::var_os("TAURI_DRIVER").unwrap_or_else(|| "tauri-driver".into());
    let log_out = fs::File::create(log)?;
    let log_err = log_out.try_clone()?;
    let child = Command::new(&driver)
        .args([
            "--port",
            &port.to_string(),
            "--native-port",
            &native_port.to_string(),
        ])
        .env("XDG_CONFIG_HOME", profile.join("config"))
        .env("XDG_DATA_HOME", profile.join("data"))
        .env("XDG_CACHE_HOME", profile.join("cache"))
        .env("XDG_STATE_HOME", profile.join("state"))
        .env("RUST_LOG", "info,topup_app=debug,topup_core=debug")
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
        "tauri:options": { "application": APP_BINARY, "args": args },
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

fn free_port() -> Result<u16> {
    let listener = TcpListener::bind(SocketAddr::from((Ipv4Addr::LOCALHOST, 0)))?;
    Ok(listener.local_addr()?.port())
}

async fn wait_for_port(port: u16) -> Result {
    let started = Instant::now();
    while tokio::net::TcpStream::connect((Ipv4Addr::LOCALHOST, port))
        .await
        .is_err()
    {
        if started.elapsed() >= DEADLINE {
            return Err(format!("tauri-driver did not listen on port {port}").into());
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
    let mut found = Vec::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        let Ok(entries) = fs::read_dir(&dir) else {
            continue;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|ext| ext == "log") {
                found.push(path);
            }
        }
    }
    found
}
