//! Journeys 7 and 8: two accounts side by side, Clara and Dispersed, on one
//! Sandbox. Each shows its own home and history; buying on one leaves the
//! other as it was (no pending purchase, no history entry), and switching back
//! shows the first one's new balance. Then signing out of both deletes both
//! keychain entries, and Topup reopens on first run.

use topup_sandbox::{demo, Config, Sandbox};

use crate::harness::{keychain_entry, wait_until, App, Kind, Profile, Result, Service};

/// Makes the account not in use the active one, from Settings.
async fn switch_to_the_other(app: &App) -> Result {
    app.click("[data-testid='open-settings']").await?;
    app.click("[data-testid='settings-use']").await?;
    app.find("[data-testid='account-name']").await?;
    Ok(())
}

#[tokio::test]
#[ignore = "needs a display, D-Bus and tauri-driver: run `make e2e`"]
async fn two_accounts_keep_their_own_balance_history_and_purchases_then_sign_out_of_both() -> Result
{
    let sandbox = Sandbox::start(Config::default()).await?;
    let urls = sandbox.urls().clone();
    let profile = Profile::new()?;
    profile
        .launch("two_accounts", &[], async |app| {
            app.add_sandbox_clara_and_sign_in(&urls).await?;

            // A second account: Dispersed, from Settings.
            app.click("[data-testid='open-settings']").await?;
            app.click("[data-testid='settings-add-account']").await?;
            app.choose_service(Service {
                kind: Kind::Dispersed,
                address: &urls.dispersed,
                public_key: None,
                checkout_origin: None,
            })
            .await?;
            app.sign_in_to_dispersed(demo::DISPERSED_SECRET_KEY).await?;
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
            app.click("[data-testid='history-back']").await?;
            Ok(())
        })
        .await?;
    let registry = profile.registry()?;
    let ids: Vec<String> = registry["accounts"]
        .as_array()
        .ok_or("an account list")?
        .iter()
        .filter_map(|a| a["id"].as_str().map(str::to_owned))
        .collect();
    assert_eq!(ids.len(), 2);
    for id in &ids {
        assert!(keychain_entry(id).is_some(), "{id} is in the keychain");
    }
    let clara = &registry["accounts"][0];
    let clara_user = clara["user_id"]
        .as_str()
        .ok_or("Clara's user id")?
        .to_owned();
    let stored =
        keychain_entry(clara["id"].as_str().unwrap_or_default()).ok_or("Clara's session")?;
    let clara_token = serde_json::from_str::<serde_json::Value>(&stored)?["token"]
        .as_str()
        .ok_or("a token")?
        .to_owned();

    // Journey 8: sign out of both, from Settings.
    profile
        .launch("sign_out_both", &[], async |app| {
            app.wait_for_attr("[data-testid='balance']", "data-value", "1500")
                .await?;
            app.click("[data-testid='open-settings']").await?;
            for left in [1, 0] {
                app.click("[data-testid='settings-sign-out']").await?;
                wait_until(&format!("{left} account(s) left signed in"), async || {
                    Ok(app.count("[data-testid='settings-sign-out']").await? == left)
                })
                .await?;
            }
            Ok(())
        })
        .await?;
    for id in &ids {
        assert_eq!(keychain_entry(id), None, "{id} left the keychain");
    }
    let revoked = crate::harness::status_of(
        &format!("{}/users/{}", urls.clara, clara_user),
        &clara_token,
    )
    .await?;
    assert_eq!(revoked, 401, "Clara's server session was revoked");
    profile
        .launch("after_sign_out_both", &[], async |app| {
            app.wait_for_text("#first-run-title", "Welcome back")
                .await?;
            app.wait_for_text("[data-testid='known-accounts']", demo::USER_EMAIL)
                .await?;
            app.wait_for_text("[data-testid='known-accounts']", "Dispersed")
                .await?;
            Ok(())
        })
        .await?;
    sandbox.shutdown().await;
    Ok(())
}
