//! tauri-driver and WebDriver: the app binary, its environment, free
//! ports, and a session once both drivers listen.

use std::fs;
use std::net::{Ipv4Addr, SocketAddr, TcpListener};
use std::path::Path;
use std::process::Stdio;

use fantoccini::{Client, ClientBuilder};
use hyper_util::client::legacy::connect::HttpConnector;
use serde_json::json;
use tokio::process::{Child, Command};

use super::wait::{until, Result, DEADLINE};

pub(super) const APP_BINARY: &str = env!("CARGO_BIN_EXE_topup");
/// An installed Topup to test instead of the one cargo built (the update
/// journey runs the copy a package put in /usr/bin).
pub const APP_ENV: &str = "TOPUP_E2E_APP";

pub fn app_binary() -> String {
    std::env::var(APP_ENV).unwrap_or_else(|_| APP_BINARY.to_owned())
}

/// The file in a profile that holds how far the app's clock runs ahead.
pub(super) const CLOCK_FILE: &str = "app-clock-offset";

/// The environment the app runs in on `profile`.
pub(super) fn in_profile(command: &mut Command, profile: &Path) {
    command
        // Start at login writes to ~/.config/autostart whatever XDG says.
        .env("HOME", profile.join("home"))
        .env("XDG_CONFIG_HOME", profile.join("config"))
        .env("XDG_DATA_HOME", profile.join("data"))
        .env("XDG_CACHE_HOME", profile.join("cache"))
        .env("XDG_STATE_HOME", profile.join("state"))
        .env("RUST_LOG", "info,topup_app=debug,topup_core=debug")
        // One known locale, so money reads "$5.00" and screenshots look as
        // most people see them (Xvfb sessions otherwise run in "C").
        .env("LANG", "en_US.UTF-8")
        .env("LC_ALL", "en_US.UTF-8")
        .env("BROWSER", profile.join("browser.sh"))
        // The WebKit tuning Topup ships (src-tauri/webkit.rs), whatever the
        // runner's environment says.
        .env_remove("TOPUP_WEBKIT_TUNING")
        .env_remove("WEBKIT_DISABLE_COMPOSITING_MODE")
        .env_remove("JSC_useJIT")
        .env("TOPUP_TEST_CLOCK_FILE", profile.join(CLOCK_FILE));
}

pub(super) fn start_driver(
    profile: &Path,
    log: &Path,
    port: u16,
    native_port: u16,
) -> Result<Child> {
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

pub(super) async fn connect(port: u16, args: &[&str]) -> Result<Client> {
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
pub(super) fn free_ports() -> Result<[u16; 2]> {
    let a = TcpListener::bind(SocketAddr::from((Ipv4Addr::LOCALHOST, 0)))?;
    let b = TcpListener::bind(SocketAddr::from((Ipv4Addr::LOCALHOST, 0)))?;
    Ok([a.local_addr()?.port(), b.local_addr()?.port()])
}

pub(super) async fn wait_for_port(port: u16) -> Result {
    let listening = until(DEADLINE, async || {
        let connected = tokio::net::TcpStream::connect((Ipv4Addr::LOCALHOST, port)).await;
        Ok(connected.ok().map(drop))
    })
    .await?;
    listening.ok_or_else(|| {
        format!("nothing listened on port {port} (tauri-driver or WebKitWebDriver)").into()
    })
}
