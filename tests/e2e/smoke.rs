//! The smoke test: the real window renders what Rust commands returned.

use crate::harness::{self, Result};

#[tokio::test]
#[ignore = "needs a display, D-Bus and tauri-driver: run `make e2e`"]
async fn first_run_lists_the_providers_from_rust() -> Result {
    harness::run(
        "first_run_lists_the_providers_from_rust",
        &[],
        async |app| {
            // Both texts exist only in topup-core: they reach the page through
            // the `provider_presets` and `app_info` commands.
            app.wait_for_text(
                "[data-testid='preset-clara'] [data-testid='preset-address']",
                "https://backend.clara.crazi.co/api/v1",
            )
            .await?;
            app.wait_for_text(
                "[data-testid='preset-dispersed'] [data-testid='preset-address']",
                "https://api.dispersed.com",
            )
            .await?;
            app.wait_for_text(
                "[data-testid='app-version']",
                concat!("Topup ", env!("CARGO_PKG_VERSION")),
            )
            .await?;
            Ok(())
        },
    )
    .await
}

#[tokio::test]
#[ignore = "needs a display, D-Bus and tauri-driver: run `make e2e`"]
async fn custom_address_is_checked_in_rust() -> Result {
    harness::run("custom_address_is_checked_in_rust", &[], async |app| {
        app.find("[data-testid='preset-custom_clara']")
            .await?
            .click()
            .await?;
        let field = app.find("#custom-base-url").await?;
        field.send_keys("http://backend.example.com/api/v1").await?;
        app.wait_for_text(
            "[data-testid='base-url-status']",
            "Plain http:// is only allowed for this computer",
        )
        .await?;
        field.clear().await?;
        field
            .send_keys("https://backend.example.com/api/v1/")
            .await?;
        app.wait_for_text(
            "[data-testid='base-url-status']",
            "https://backend.example.com/api/v1",
        )
        .await?;
        Ok(())
    })
    .await
}

/// A start that fails before any window (here: no display at all) says why
/// in the log file, where a person who never sees stderr can find it, and
/// exits 1 rather than with a panic's 101.
#[test]
#[ignore = "run by `make e2e` with the other end-to-end tests"]
fn a_failed_start_leaves_its_reason_in_the_log() {
    let home = tempfile::TempDir::new().unwrap();
    let out = std::process::Command::new(harness::app_binary())
        .env_remove("DISPLAY")
        .env_remove("WAYLAND_DISPLAY")
        .env("XDG_DATA_HOME", home.path().join("data"))
        .env("XDG_CONFIG_HOME", home.path().join("config"))
        .env("XDG_CACHE_HOME", home.path().join("cache"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let log_path = home.path().join("data/app.topup.Topup/logs/topup.log");
    let log = std::fs::read_to_string(&log_path).unwrap();
    let line = log
        .lines()
        .find(|l| l.contains("Topup could not start"))
        .unwrap_or_else(|| panic!("no start failure in the log:\n{log}"));
    assert!(line.contains("Failed to initialize GTK"), "{line}");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains(&format!("The details are in {}", log_path.display())),
        "{stderr}"
    );
}

/// A start whose accounts cannot be opened (here: the certificate store is
/// pointed at files that are missing, so no HTTPS client can be made) is told in a
/// dialog, and Topup exits 1 once it is closed, rather than waiting forever
/// with a hidden window: the accounts open beside the page, after `setup`.
#[tokio::test]
#[ignore = "run by `make e2e` with the other end-to-end tests"]
async fn accounts_that_cannot_be_opened_are_told_in_a_dialog() -> Result {
    let home = tempfile::TempDir::new()?;
    let mut app = tokio::process::Command::new(harness::app_binary())
        .env("XDG_DATA_HOME", home.path().join("data"))
        .env("XDG_CONFIG_HOME", home.path().join("config"))
        .env("XDG_CACHE_HOME", home.path().join("cache"))
        .env("XDG_STATE_HOME", home.path().join("state"))
        .env(
            "SSL_CERT_FILE",
            home.path().join("no-such-certificates.pem"),
        )
        .env("SSL_CERT_DIR", home.path().join("no-such-certificates"))
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .kill_on_drop(true)
        .spawn()?;
    // The dialog is the only window on screen: the main one stays hidden
    // until a first screen that never comes.
    let mut dialog = String::new();
    harness::wait_until("the dialog saying why Topup could not start", async || {
        let found = tokio::process::Command::new("xdotool")
            .args(["search", "--onlyvisible", "--name", "^Topup$"])
            .output()
            .await?;
        dialog = String::from_utf8(found.stdout)?.trim().to_owned();
        Ok(!dialog.is_empty() && !dialog.contains('\n'))
    })
    .await?;
    let mut exited = None;
    harness::close_like_the_window_manager(dialog.parse()?, async || {
        exited = app.try_wait()?;
        Ok(exited.is_some())
    })
    .await?;
    let out = exited.ok_or("Topup did not exit")?;
    assert_eq!(out.code(), Some(1));
    let log_path = home.path().join("data/app.topup.Topup/logs/topup.log");
    let log = std::fs::read_to_string(&log_path)?;
    assert!(
        log.lines().any(|l| l.contains("Topup could not start")
            && l.contains("could not load the certificates this computer trusts")),
        "no start failure naming the certificates in the log:\n{log}"
    );
    Ok(())
}
