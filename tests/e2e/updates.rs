//! Journey: Topup updates itself. `scripts/update-check.sh` builds two test
//! packages of the current sources (this version and the next, both trusting
//! a throw-away key), installs the first with dpkg and hands this test the
//! second with its signatures in `TOPUP_UPDATE_FIXTURES`. The installed app
//! (`TOPUP_E2E_APP`) reads a local update server named in its preferences
//! file, the explicit setting. A package signed with another key and one
//! changed after signing are refused with nothing installed; the real one
//! waits while a purchase is watched, installs once it lands, and the
//! relaunched app is the new version.

use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use topup_sandbox::{Config, Sandbox};

use crate::harness::{stop_app_on_this_bus, wait_until, App, Profile, Result};

pub const FIXTURES_ENV: &str = "TOPUP_UPDATE_FIXTURES";

/// What `update-check.sh` prepared.
struct Fixtures {
    dir: PathBuf,
    /// The version of the second package.
    next: String,
}

impl Fixtures {
    fn from_env() -> Result<Self> {
        let dir = PathBuf::from(
            std::env::var_os(FIXTURES_ENV)
                .ok_or("run through scripts/update-check.sh (make update-check)")?,
        );
        let next = std::fs::read_to_string(dir.join("next-version"))?
            .trim()
            .to_owned();
        Ok(Self { dir, next })
    }

    fn read(&self, name: &str) -> Result<String> {
        Ok(std::fs::read_to_string(self.dir.join(name))?
            .trim()
            .to_owned())
    }
}

/// A local update server: `/latest.json` is whichever manifest the test
/// chose, every other path a file of the fixtures directory.
struct UpdateServer {
    origin: String,
    manifest: Arc<Mutex<String>>,
}

impl UpdateServer {
    async fn start(dir: PathBuf) -> Result<Self> {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        let origin = format!("http://{}", listener.local_addr()?);
        let manifest = Arc::new(Mutex::new(String::new()));
        let current = manifest.clone();
        tokio::spawn(async move {
            while let Ok((mut socket, _)) = listener.accept().await {
                let (dir, current) = (dir.clone(), current.clone());
                tokio::spawn(async move {
                    let mut request = Vec::new();
                    let mut buf = [0u8; 4096];
                    while !request.windows(4).any(|w| w == b"\r\n\r\n") {
                        match socket.read(&mut buf).await {
                            Ok(0) | Err(_) => return,
                            Ok(n) => request.extend_from_slice(&buf[..n]),
                        }
                    }
                    let line = String::from_utf8_lossy(&request);
                    let path = line.split_whitespace().nth(1).unwrap_or("/").to_owned();
                    let body = if path == "/latest.json" {
                        Some(current.lock().unwrap().clone().into_bytes())
                    } else {
                        let name = path.trim_start_matches('/');
                        (!name.contains('/') && !name.contains(".."))
                            .then(|| std::fs::read(dir.join(name)).ok())
                            .flatten()
                    };
                    let head = match &body {
                        Some(b) => format!("HTTP/1.1 200 OK\r\ncontent-length: {}\r\nconnection: close\r\n\r\n", b.len()),
                        None => "HTTP/1.1 404 Not Found\r\ncontent-length: 0\r\nconnection: close\r\n\r\n".to_owned(),
                    };
                    let _ = socket.write_all(head.as_bytes()).await;
                    if let Some(b) = body {
                        let _ = socket.write_all(&b).await;
                    }
                });
            }
        });
        Ok(Self { origin, manifest })
    }

    /// Announces `version` with `package` (a file name) and `signature`.
    fn announce(&self, version: &str, package: &str, signature: &str) {
        let json = serde_json::json!({
            "version": version,
            "notes": "A test release: the update journey.",
            "pub_date": "2026-12-01T09:00:00Z",
            "platforms": {
                "linux-x86_64-deb": {
                    "signature": signature,
                    "url": format!("{}/{package}", self.origin),
                }
            }
        });
        *self.manifest.lock().unwrap() = json.to_string();
    }
}

/// The installed package's version, as dpkg knows it.
fn installed_version() -> Result<String> {
    let out = std::process::Command::new("dpkg-query")
        .args(["-W", "-f=${Version}", "topup"])
        .output()?;
    Ok(String::from_utf8_lossy(&out.stdout).trim().to_owned())
}

/// Asks for the update in Settings and waits for it to be refused.
async fn refused(app: &App, next: &str) -> Result {
    refresh_then_install(app, next).await?;
    app.wait_for_attr(
        "[data-testid='update-error']",
        "data-code",
        "update_unverified",
    )
    .await?;
    app.wait_for_text(
        "[data-testid='update-error']",
        "its signature does not match Topup's key",
    )
    .await?;
    app.wait_for_text("[data-testid='update-error']", "Nothing was installed.")
        .await?;
    Ok(())
}

#[tokio::test]
#[ignore = "installs packages: run `make update-check`"]
async fn a_signed_update_waits_for_the_purchase_then_installs_and_a_forged_one_is_refused() -> Result
{
    let fixtures = Fixtures::from_env()?;
    let before = installed_version()?;
    let next = fixtures.next.clone();
    let server = UpdateServer::start(fixtures.dir.clone()).await?;
    let sandbox = Sandbox::start(Config::default()).await?;
    let urls = sandbox.urls().clone();
    let profile = Profile::new()?;
    let config = profile.path().join("config/app.topup.Topup");
    std::fs::create_dir_all(&config)?;
    std::fs::write(
        config.join("preferences.json"),
        serde_json::json!({ "update_endpoint": format!("{}/latest.json", server.origin) })
            .to_string(),
    )?;
    let package = format!("Topup_{next}_amd64.deb");
    server.announce(&next, &package, &fixtures.read("wrong-key.sig")?);

    profile
        .launch("update", &[], async |app| {
            // Found at start: the quiet mark in the header.
            app.wait_for_attr(
                "[data-testid='update-mark']",
                "title",
                &format!("Topup {next} is available"),
            )
            .await?;
            app.add_sandbox_clara_and_sign_in(&urls).await?;
            app.click("[data-testid='open-settings']").await?;
            app.wait_for_text(
                "[data-testid='settings-version']",
                &format!("Topup {before}"),
            )
            .await?;

            // Signed with a key that is not Topup's.
            refused(app, &next).await?;
            assert_eq!(installed_version()?, before);
            // Topup's signature, but the bytes changed after signing.
            server.announce(&next, "tampered.deb", &fixtures.read("good.sig")?);
            refused(app, &next).await?;
            assert_eq!(installed_version()?, before);

            // The real one, asked for while a purchase is being watched.
            server.announce(&next, &package, &fixtures.read("good.sig")?);
            app.click("[data-testid='settings-back']").await?;
            app.type_into("[data-testid='amount']", "5").await?;
            app.click("[data-testid='buy']").await?;
            app.wait_for_attr("[data-testid='purchase']", "data-state", "waiting")
                .await?;
            let checkout = profile.wait_for_opened(&urls.base).await?;
            app.click("[data-testid='open-settings']").await?;
            refresh_then_install(app, &next).await?;
            app.wait_for_text(
                "[data-testid='update-status']",
                "It installs as soon as the purchase Topup is watching has landed or ended.",
            )
            .await?;
            assert_eq!(
                installed_version()?,
                before,
                "nothing installed while watching"
            );

            // Paid in the browser: the credits land, then Topup installs and restarts.
            profile.browse("pay 4242424242424242")?;
            profile.open_in_browser(&checkout)?;
            wait_until("the new package installed", async || {
                Ok(installed_version()? == next)
            })
            .await?;
            let relaunched = format!("Topup started version={next}");
            wait_until("the relaunched Topup", async || {
                Ok(profile.app_log().contains(&relaunched))
            })
            .await?;
            // The relaunched app is not the driver's: stop it, so the next
            // launch is the driver's own.
            stop_app_on_this_bus().await
        })
        .await?;
    let log = profile.app_log();
    let watching = log
        .find("watching a purchase")
        .ok_or("no watch in the log")?;
    let ended = log.find("watch ended").ok_or("the watch did not end")?;
    assert!(
        !log[watching..ended].contains("installing an update"),
        "nothing installed while the purchase was watched: {log}"
    );
    assert!(log[ended..].contains("installing an update"), "{log}");

    // The new version, opened as a person would.
    profile
        .launch("updated", &[], async |app| {
            app.click("[data-testid='open-settings']").await?;
            app.wait_for_text("[data-testid='settings-version']", &format!("Topup {next}"))
                .await?;
            app.wait_for_text("[data-testid='update-status']", "Topup is up to date.")
                .await?;
            // The purchase made before the update landed: its credits are there.
            app.click("[data-testid='settings-back']").await?;
            app.wait_for_attr("[data-testid='balance']", "data-value", "1500")
                .await?;
            Ok(())
        })
        .await?;
    sandbox.shutdown().await;
    Ok(())
}

/// Looks again (the manifest changed) and asks for the install.
async fn refresh_then_install(app: &App, next: &str) -> Result {
    app.click("[data-testid='update-check']").await?;
    app.wait_for_text(
        "[data-testid='update-status']",
        &format!("Topup {next} is available."),
    )
    .await?;
    app.click("[data-testid='update-install']").await?;
    Ok(())
}
