//! Years of history in the real window: a boilerplate deployment that answers
//! every transaction at once, 10,000 of them.

use std::time::Instant;

use topup_sandbox::{demo, Config, Quirks, Sandbox};

use crate::harness::{app_memory_kib, poll_json, post_json, Profile, Result};

#[tokio::test]
#[ignore = "needs a display, D-Bus and tauri-driver: run `make e2e`"]
async fn ten_thousand_transactions_open_in_one_download_and_page_without_another() -> Result {
    const ROWS: usize = 10_000;
    let sandbox = Sandbox::start(Config {
        quirks: Quirks::Boilerplate,
        ..Config::default()
    })
    .await?;
    let urls = sandbox.urls().clone();
    post_json(
        &format!("{}/clara/users/{}/history", urls.admin, demo::USER_EMAIL),
        serde_json::json!({ "count": ROWS }),
    )
    .await?;
    let reads = format!(
        "{}/requests?method=GET&path=/api/v1/users/*/transactions",
        urls.admin
    );
    let profile = Profile::new()?;
    profile
        .launch("history_10k", &[], async |app| {
            app.add_sandbox_clara_and_sign_in(&urls).await?;
            let before = app_memory_kib()?;
            let opened = Instant::now();
            app.click("[data-testid='open-history']").await?;
            let total = (ROWS + 1).to_string();
            app.wait_for_attr("[data-testid='history-count']", "data-value", &total)
                .await?;
            let shown = opened.elapsed();
            assert_eq!(app.count("[data-testid='history-entry']").await?, 20);
            app.wait_for_text("[data-testid='history-page']", "Page 1 of 501")
                .await?;

            for page in 2..=4 {
                app.click("[data-testid='history-older']").await?;
                app.wait_for_text("[data-testid='history-page']", &format!("Page {page} of 501"))
                    .await?;
            }
            assert_eq!(app.count("[data-testid='history-entry']").await?, 20);
            app.type_into("[data-testid='history-search']", "bought")
                .await?;
            app.wait_for_attr("[data-testid='history-count']", "data-value", "1000")
                .await?;
            app.wait_for_text("[data-testid='history-page']", "Page 1 of 50")
                .await?;

            let log = poll_json(&reads).await?;
            // The forecast behind home and the tray reads the newest rows
            // once a run (`limit=99`: not the whole history); the screen's
            // download is the one asking for everything.
            let (forecast, entries): (Vec<_>, Vec<_>) = log
                .as_array()
                .ok_or("a request log")?
                .iter()
                .partition(|e| e["query"].as_str().is_some_and(|q| q.contains("limit=99")));
            assert_eq!(entries.len(), 1, "one download: {log}");
            assert_eq!(forecast.len(), 1, "the forecast's one look: {log}");
            assert!(forecast[0]["bytes"].as_u64().ok_or("its size")? < 64 * 1024);
            // The figures for the notes (not asserted: speed is `make bench`'s).
            eprintln!(
                "history of {} rows: {} bytes in one answer, shown {} ms after the click; app PSS {} MiB before, {} MiB after paging and a search",
                ROWS + 1,
                entries[0]["bytes"],
                shown.as_millis(),
                before / 1024,
                app_memory_kib()? / 1024
            );
            Ok(())
        })
        .await?;
    sandbox.shutdown().await;
    Ok(())
}
