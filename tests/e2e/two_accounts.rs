//! Journey 7: two accounts side by side, Clara and Dispersed, on one Sandbox.
//! Each shows its own home and history; buying on one leaves the other as it
//! was (no pending purchase, no history entry), and switching back shows the
//! first one's new balance.

use topup_sandbox::{demo, Config, Sandbox};

use crate::buying::add_sandbox_clara_and_sign_in;
use crate::harness::{App, Profile, Result};

/// Makes the account not in use the active one, from Settings.
async fn switch_to_the_other(app: &App) -> Result {
    app.click("[data-testid='open-settings']").await?;
    app.click("[data-testid='settings-use']").await?;
    app.find("[data-testid='account-name']").await?;
    Ok(())
}

#[tokio::test]
#[ignore = "needs a display, D-Bus and tauri-driver: run `make e2e`"]
async fn two_accounts_keep_their_own_balance_history_and_purchases() -> Result {
    let sandbox = Sandbox::start(Config::default()).await?;
    let urls = sandbox.urls().clone();
    let profile = Profile::new()?;
    profile
        .launch("two_accounts", &[], async |app| {
            add_sandbox_clara_and_sign_in(app, &urls).await?;

            // A second account: Dispersed, from Settings.
            app.click("[data-testid='open-settings']").await?;
            app.click("[data-testid='settings-add-account']").await?;
            app.click("[data-testid='preset-dispersed']").await?;
            app.click("details.custom summary").await?;
            app.type_into("#custom-base-url", &urls.dispersed).await?;
            app.wait_for_text("[data-testid='base-url-status']", "Topup will connect to")
                .await?;
            app.click("[data-testid='continue']").await?;
            app.type_into("#public-key", demo::DISPERSED_PUBLIC_KEY)
                .await?;
            app.type_into("#secret-key", demo::DISPERSED_SECRET_KEY)
                .await?;
            app.click("[data-testid='sign-in-submit']").await?;
            app.wait_for_text("[data-testid='account-name']", demo::DISPERSED_PUBLIC_KEY)
                .await?;
            assert!(
                !app.exists("[data-testid='balance']").await,
                "Dispersed publishes no balance"
            );
            app.click("[data-testid='open-history']").await?;
            app.find("[data-testid='history-empty']").await?;
            app.click("[data-testid='history-back']").await?;

            // Back to Clara: its own balance; buy there.
            switch_to_the_other(app).await?;
            app.wait_for_attr("[data-testid='balance']", "data-value", "1000")
                .await?;
            profile.browse("pay 4242424242424242")?;
            app.type_into("[data-testid='amount']", "5").await?;
            app.wait_for_text("[data-testid='buy']", "Buy 500 credits for")
                .await?;
            app.click("[data-testid='buy']").await?;
            assert_eq!(profile.browser_result(1).await?, "paid");
            app.wait_for_attr("[data-testid='landed-balance']", "data-value", "1500")
                .await?;
            app.click("[data-testid='done']").await?;
            app.wait_for_attr("[data-testid='balance']", "data-value", "1500")
                .await?;

            // Dispersed saw none of it.
            switch_to_the_other(app).await?;
            app.wait_for_text("[data-testid='account-name']", demo::DISPERSED_PUBLIC_KEY)
                .await?;
            app.find("[data-testid='amount']").await?;
            assert!(
                !app.exists("[data-testid='pending-banner']").await,
                "no purchase on Dispersed"
            );
            app.click("[data-testid='open-history']").await?;
            app.find("[data-testid='history-empty']").await?;
            app.click("[data-testid='history-back']").await?;

            // And Clara still has its purchase in its history.
            switch_to_the_other(app).await?;
            app.wait_for_attr("[data-testid='balance']", "data-value", "1500")
                .await?;
            app.click("[data-testid='open-history']").await?;
            app.wait_for_text("[data-testid='history-entry']", "+500 credits")
                .await?;
            Ok(())
        })
        .await?;
    let registry = profile.registry()?;
    assert_eq!(registry["accounts"].as_array().map(Vec::len), Some(2));
    sandbox.shutdown().await;
    Ok(())
}
