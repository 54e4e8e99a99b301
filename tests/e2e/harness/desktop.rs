//! The desktop around the app: the keychain and the session bus.

use tokio::process::Command;

use super::wait::{wait_until, Result};

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
pub fn instance_name() -> Result<String> {
    let markers: serde_json::Value = serde_json::from_str(include_str!("../../markers.json"))?;
    let name = markers["instance_name"].as_str();
    Ok(name
        .ok_or("tests/markers.json has no instance_name")?
        .to_owned())
}

/// Whether a Topup holds its single-instance name on the session bus.
pub async fn app_is_running() -> Result<bool> {
    let out = Command::new("dbus-send")
        .args([
            "--session",
            "--print-reply",
            "--dest=org.freedesktop.DBus",
            "/org/freedesktop/DBus",
            "org.freedesktop.DBus.NameHasOwner",
            &format!("string:{}", instance_name()?),
        ])
        .output()
        .await?;
    if !out.status.success() {
        return Err(format!("dbus-send failed: {}", String::from_utf8_lossy(&out.stderr)).into());
    }
    Ok(String::from_utf8_lossy(&out.stdout).contains("boolean true"))
}

pub(super) async fn wait_for_app_to_quit() -> Result {
    wait_until(
        "the app to quit (its single-instance name freed)",
        async || Ok(!app_is_running().await?),
    )
    .await
}
