//! The web view's attack surface, checked in the running app: the CSP refuses
//! inline scripts and connections to anywhere but Topup's own IPC, and the UI
//! cannot reach the opener, shell or file-system plugins (the capability file
//! grants it only the event bus), so a compromised page cannot open a URL,
//! run a program or read a file.

use serde_json::json;
use topup_sandbox::{Config, Sandbox};

use crate::harness::{poll_json, Profile, Result};

#[tokio::test]
#[ignore = "needs a display, D-Bus and tauri-driver: run `make e2e`"]
async fn the_csp_and_the_capabilities_leave_the_page_nothing_to_reach() -> Result {
    let sandbox = Sandbox::start(Config::default()).await?;
    let urls = sandbox.urls().clone();
    let profile = Profile::new()?;
    profile
        .launch("surface", &[], async |app| {
            app.wait_for_text("#first-run-title", "Where do you buy credits?")
                .await?;

            // An injected inline script does not run, and the CSP says so.
            let inline = app
                .eval_async(
                    // An allowed inline script runs as it is appended; a refused
                    // one raises the violation event, which ends the wait.
                    r#"const done = arguments[arguments.length - 1];
                   let ran = false;
                   document.addEventListener("securitypolicyviolation",
                     (e) => done({ ran, seen: e.violatedDirective }), { once: true });
                   const s = document.createElement("script");
                   s.textContent = "window.__injected = true;";
                   document.body.appendChild(s);
                   ran = window.__injected === true;"#,
                )
                .await?;
            assert_eq!(inline["ran"], json!(false), "{inline}");
            assert!(
                inline["seen"].to_string().contains("script-src"),
                "a script-src violation was reported: {inline}"
            );

            // A fetch to a server that is up (the Sandbox) never leaves the page.
            let fetched = app
                .eval_async(&format!(
                    r#"const done = arguments[arguments.length - 1];
                       fetch("{}/api/v1/stripe/rate").then(
                         (r) => done({{ ok: true, status: r.status }}),
                         (e) => done({{ ok: false, error: String(e) }}));"#,
                    urls.clara
                ))
                .await?;
            assert_eq!(fetched["ok"], json!(false), "{fetched}");
            let seen = poll_json(&format!("{}/requests", urls.admin)).await?;
            assert_eq!(seen, json!([]), "the Sandbox heard nothing from the page");

            // Plugin commands the UI holds no permission for are refused in Rust.
            for (command, args) in [
                (
                    "plugin:opener|open_url",
                    json!({"url": "https://example.com"}),
                ),
                ("plugin:opener|open_path", json!({"path": "/etc/passwd"})),
                (
                    "plugin:shell|execute",
                    json!({"program": "sh", "args": ["-c", "id"]}),
                ),
                ("plugin:fs|read_text_file", json!({"path": "/etc/passwd"})),
                ("plugin:clipboard-manager|read_text", json!({})),
                (
                    "plugin:notification|notify",
                    json!({"options": {"title": "x"}}),
                ),
                (
                    "plugin:window-state|restore_state",
                    json!({"label": "main", "flags": 1}),
                ),
            ] {
                let answer = app
                    .eval_async(&format!(
                        r#"const done = arguments[arguments.length - 1];
                           window.__TAURI_INTERNALS__.invoke({command:?}, {args}).then(
                             (v) => done({{ allowed: true, value: v ?? null }}),
                             (e) => done({{ allowed: false, error: String(e) }}));"#
                    ))
                    .await?;
                assert_eq!(answer["allowed"], json!(false), "{command}: {answer}");
            }
            assert!(profile.opened_urls().is_empty(), "nothing was opened");
            Ok(())
        })
        .await?;
    sandbox.shutdown().await;
    Ok(())
}
