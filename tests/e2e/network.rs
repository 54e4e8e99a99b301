//! Journey 6: a misbehaving network. The Sandbox answers 30 % of API requests
//! with a 5xx, a 429 with Retry-After, a reset connection, a malformed or a
//! truncated body. The purchase still completes: reads are retried in Rust,
//! the one POST that creates a checkout is not (the person presses Buy again
//! after the error, as they would), and while every balance check fails the
//! purchase screen says "connection trouble" until it passes.

use serde_json::json;
use topup_sandbox::{Config, Sandbox};

use crate::harness::{poll_json, put_json, wait_until, App, Profile, Result, DEADLINE};

/// Presses `button` until `done` shows, pressing again while `error` shows (a
/// person retrying after "the service is not answering"); at most `tries` presses.
async fn press_until(app: &App, button: &str, done: &str, error: &str, tries: usize) -> Result {
    for _ in 0..tries {
        app.click(button).await?;
        let started = tokio::time::Instant::now();
        loop {
            if app.exists(done).await {
                return Ok(());
            }
            if app.exists(error).await || started.elapsed() > DEADLINE {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
    }
    Err(format!("`{done}` never showed after pressing `{button}` {tries} times").into())
}

#[tokio::test]
#[ignore = "needs a display, D-Bus and tauri-driver: run `make e2e`"]
async fn a_purchase_completes_through_a_flaky_network_and_trouble_is_shown_while_it_lasts() -> Result
{
    let sandbox = Sandbox::start(Config::default()).await?;
    let urls = sandbox.urls().clone();
    let faults = format!("{}/faults", urls.admin);
    let profile = Profile::new()?;
    profile
        .launch("flaky_network", &[], async |app| {
            app.add_sandbox_clara_and_sign_in(&urls).await?;
            put_json(&faults, json!({"chaos": 0.3, "seed": 6})).await?;

            app.type_into("[data-testid='amount']", "5").await?;
            app.wait_for_text("[data-testid='buy']", "Buy 500 credits for").await?;
            press_until(app, "[data-testid='buy']", "[data-testid='purchase']", "[data-testid='buy-error']", 10).await?;
            let checkout = profile.wait_for_opened(&urls.base).await?;

            // Every balance check fails for a while: the screen says so…
            put_json(
                &faults,
                json!({"rules": [{"path": "/api/v1/users/*", "method": "GET", "kind": "status", "status": 503}]}),
            )
            .await?;
            app.click("[data-testid='check-now']").await?;
            app.wait_for_attr("[data-testid='purchase']", "data-state", "trouble").await?;
            app.wait_for_text("[data-testid='trouble']", "Connection trouble").await?;

            // …and the flaky network alone does not stop the credits landing.
            put_json(&faults, json!({"chaos": 0.3, "seed": 7})).await?;
            profile.browse("pay 4242424242424242")?;
            profile.open_in_browser(&checkout)?;
            assert_eq!(profile.browser_result(1).await?, "paid");
            app.wait_for_attr("[data-testid='landed-balance']", "data-value", "1500").await?;

            app.click("[data-testid='view-history']").await?;
            // A read that failed every retry shows an error; the person tries again.
            wait_until("the history never loaded through the flaky network", async || {
                if app.exists("[data-testid='history-error'] button").await {
                    app.click("[data-testid='history-error'] button").await?;
                }
                Ok(app.exists("[data-testid='history-entry']").await)
            })
            .await?;
            app.wait_for_text("[data-testid='history-entry']", "+500 credits").await?;
            Ok(())
        })
        .await?;
    let log = poll_json(&format!("{}/requests?path=/api/v1/*", urls.admin)).await?;
    let faulted = log
        .as_array()
        .map(|entries| entries.iter().filter(|e| !e["fault"].is_null()).count())
        .unwrap_or(0);
    assert!(
        faulted >= 3,
        "the network really misbehaved ({faulted} faulted requests)"
    );
    sandbox.shutdown().await;
    Ok(())
}
