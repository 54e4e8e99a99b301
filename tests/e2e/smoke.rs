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
