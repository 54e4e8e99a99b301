//! Buying in the real app: the checkout page goes to the system browser
//! (xdg-open, steered to headless Chromium that pays with a test card on the
//! Sandbox's page), the app sees the credits land, the history lists them and
//! the billing portal opens the same way.

use topup_sandbox::{demo, Config, Sandbox};

use crate::harness::{clipboard_text, Profile, Result};

/// First run → a Clara-compatible account on a Sandbox started by the test,
/// with the Sandbox's own origin allowed for checkout → signed in as the demo user.
#[tokio::test]
#[ignore = "needs a display, D-Bus and tauri-driver: run `make e2e`"]
async fn buy_five_dollars_pay_in_chromium_and_see_the_credits_land() -> Result {
    let profile = Profile::new()?;
    profile.browse("pay 4242424242424242")?;
    profile
        .launch("buying", &["--sandbox"], async |app| {
            app.wait_for_text("#sign-in-title", "Sign in to Sandbox")
                .await?;
            app.click("[data-testid='sign-in-submit']").await?;
            app.wait_for_attr("[data-testid='balance']", "data-value", "1000")
                .await?;
            app.type_into("[data-testid='amount']", "5").await?;
            app.wait_for_text("[data-testid='buy']", "Buy 500 credits for")
                .await?;
            app.click("[data-testid='buy']").await?;

            let opened = profile.wait_for_opened("http://127.0.0.1:").await?;
            assert!(opened.contains("/stripe/c/pay/cs_"), "{opened}");
            // Topup runs its own page without compositing and without a JIT;
            // the browser it starts runs the web with WebKit's defaults.
            assert_eq!(profile.browser_environments(), [""]);
            assert_eq!(profile.browser_result(1).await?, "paid");

            app.wait_for_attr("[data-testid='purchase']", "data-state", "landed")
                .await?;
            app.wait_for_attr("[data-testid='landed-credits']", "data-value", "500")
                .await?;
            app.wait_for_attr("[data-testid='landed-balance']", "data-value", "1500")
                .await?;
            app.wait_for_text("[data-testid='receipt']", "500 credits for")
                .await?;

            app.click("[data-testid='view-history']").await?;
            app.wait_for_text("[data-testid='history-entry']", "+500 credits")
                .await?;

            // The portal goes through the same path, checked in Rust first.
            profile.browse("visit")?;
            app.click("[data-testid='billing-portal']").await?;
            let portal = profile
                .wait_for_opened(&format!(
                    "{}/stripe/p/session/",
                    url::Url::parse(&opened)?.origin().ascii_serialization()
                ))
                .await?;
            assert!(portal.starts_with("http://127.0.0.1:"), "{portal}");
            let visited = profile.browser_result(2).await?;
            assert!(visited.starts_with("visited: "), "{visited}");

            app.click("[data-testid='history-back']").await?;
            app.wait_for_attr("[data-testid='balance']", "data-value", "1500")
                .await?;
            Ok(())
        })
        .await
}

#[tokio::test]
#[ignore = "needs a display, D-Bus and tauri-driver: run `make e2e`"]
async fn a_declined_card_keeps_waiting_a_second_buy_shows_it_and_cancel_credits_nothing() -> Result
{
    let profile = Profile::new()?;
    profile.browse("pay 4000000000000002")?;
    profile
        .launch("declined", &["--sandbox"], async |app| {
            app.wait_for_text("#sign-in-title", "Sign in to Sandbox")
                .await?;
            app.click("[data-testid='sign-in-submit']").await?;
            app.wait_for_attr("[data-testid='balance']", "data-value", "1000")
                .await?;
            app.type_into("[data-testid='amount']", "5").await?;
            app.click("[data-testid='buy']").await?;
            let opened = profile.wait_for_opened("http://127.0.0.1:").await?;
            assert_eq!(
                profile.browser_result(1).await?,
                "declined: Your card was declined."
            );
            app.wait_for_attr("[data-testid='purchase']", "data-state", "waiting")
                .await?;
            app.click("[data-testid='check-now']").await?;
            app.wait_for_text("[data-testid='watch-status']", " check")
                .await?;

            // "Copy link": what another app pastes is the page the browser got.
            app.click("[data-testid='copy-link']").await?;
            app.wait_for_text("[data-testid='copy-link']", "Link copied")
                .await?;
            assert_eq!(clipboard_text().await?.as_deref(), Some(opened.as_str()));

            // Home while it waits; a second Buy shows the same purchase.
            app.click("[data-testid='purchase-home']").await?;
            app.wait_for_text("[data-testid='pending-banner']", "in progress")
                .await?;
            app.type_into("[data-testid='amount']", "10").await?;
            app.click("[data-testid='buy']").await?;
            app.wait_for_text("[data-testid='purchase-notice']", "still in progress")
                .await?;
            let origin = url::Url::parse(&opened)?.origin().ascii_serialization();
            let buys = crate::harness::poll_json(&format!(
                "{origin}/__sandbox/requests?method=POST&path=/api/v1/stripe/buy"
            ))
            .await?;
            assert_eq!(buys.as_array().map(Vec::len), Some(1), "one checkout");
            assert_eq!(profile.opened_urls().len(), 1, "nothing reopened");

            app.click("[data-testid='cancel-purchase']").await?;
            app.click("[data-testid='dialog-confirm']").await?;
            app.wait_for_text("[data-testid='home-notice']", "Purchase cancelled")
                .await?;
            app.wait_for_attr("[data-testid='balance']", "data-value", "1000")
                .await?;
            app.type_into("[data-testid='amount']", "5").await?;
            app.wait_for_text("[data-testid='buy']", "Buy 500 credits")
                .await?;
            Ok(())
        })
        .await?;
    assert!(
        !profile.files().iter().any(|f| f.ends_with("pending.json")
            && std::fs::read_to_string(f).is_ok_and(|t| t.contains("cs_"))),
        "nothing is left pending"
    );
    Ok(())
}

#[tokio::test]
#[ignore = "needs a display, D-Bus and tauri-driver: run `make e2e`"]
async fn quit_while_waiting_pay_then_relaunch_and_the_watch_resumes() -> Result {
    let sandbox = Sandbox::start(Config::default()).await?;
    let urls = sandbox.urls().clone();
    let profile = Profile::new()?;
    let checkout = profile
        .launch("restart_buy", &[], async |app| {
            app.add_sandbox_clara_and_sign_in(&urls).await?;
            app.type_into("[data-testid='amount']", "5").await?;
            app.click("[data-testid='buy']").await?;
            app.wait_for_attr("[data-testid='purchase']", "data-state", "waiting")
                .await?;
            profile.wait_for_opened(&urls.base).await
        })
        .await?;
    // Topup is closed; the person pays in the browser.
    profile.browse("pay 4242424242424242")?;
    profile.open_in_browser(&checkout)?;
    assert_eq!(profile.browser_result(1).await?, "paid");
    profile
        .launch("restart_resume", &[], async |app| {
            // Signed in from the keychain, straight back to the purchase.
            app.wait_for_attr("[data-testid='purchase']", "data-state", "landed")
                .await?;
            app.wait_for_attr("[data-testid='landed-balance']", "data-value", "1500")
                .await?;
            app.click("[data-testid='done']").await?;
            app.wait_for_attr("[data-testid='balance']", "data-value", "1500")
                .await?;
            Ok(())
        })
        .await?;
    sandbox.shutdown().await;
    Ok(())
}

/// Journey 5: the session ends while the app waits for a payment; the person
/// pays meanwhile, signs in again when asked, and the purchase finishes.
/// `end_session` ends it on the server once the checkout is open.
async fn session_ends_mid_watch(
    profile: &Profile,
    name: &str,
    config: Config,
    end_session: impl AsyncFnOnce(&topup_sandbox::Urls) -> Result,
) -> Result {
    let sandbox = Sandbox::start(config).await?;
    let urls = sandbox.urls().clone();
    profile
        .launch(name, &[], async |app| {
            app.add_sandbox_clara_and_sign_in(&urls).await?;
            app.type_into("[data-testid='amount']", "5").await?;
            app.click("[data-testid='buy']").await?;
            let checkout = profile.wait_for_opened(&urls.base).await?;
            end_session(&urls).await?;
            app.wait_for_attr("[data-testid='purchase']", "data-state", "needs_sign_in")
                .await?;
            profile.browse("pay 4242424242424242")?;
            profile.open_in_browser(&checkout)?;
            assert_eq!(profile.browser_result(1).await?, "paid");

            app.click("[data-testid='sign-in-again']").await?;
            app.type_into("#password", demo::PASSWORD).await?;
            app.click("[data-testid='sign-in-submit']").await?;
            app.wait_for_attr("[data-testid='purchase']", "data-state", "landed")
                .await?;
            app.wait_for_attr("[data-testid='landed-balance']", "data-value", "1500")
                .await?;
            Ok(())
        })
        .await?;
    sandbox.shutdown().await;
    Ok(())
}

#[tokio::test]
#[ignore = "needs a display, D-Bus and tauri-driver: run `make e2e`"]
async fn a_session_revoked_mid_watch_asks_to_sign_in_then_finishes() -> Result {
    let profile = Profile::new()?;
    session_ends_mid_watch(
        &profile,
        "session_revoked",
        Config::default(),
        async |urls| {
            crate::harness::post_json(
                &format!("{}/clara/sessions/revoke", urls.admin),
                serde_json::json!({"email": demo::USER_EMAIL}),
            )
            .await?;
            Ok(())
        },
    )
    .await
}

/// The boilerplate does not catch the JWT's expiry: an expired session gets a
/// bare 500. Here the server's clock runs ahead of the app's (the Sandbox's
/// clock moves past the token's life; the app's stays where it is), so the app
/// sends a token it believes has ten minutes left. The 500's `Date` shows the
/// server's clock: the session ended, and the app asks to sign in again at
/// once, keeps the purchase and finishes it afterwards.
#[tokio::test]
#[ignore = "needs a display, D-Bus and tauri-driver: run `make e2e`"]
async fn under_boilerplate_quirks_an_expired_session_answers_500_and_still_asks_to_sign_in(
) -> Result {
    const TOKEN_LIFE: u64 = 600;
    let config = Config {
        quirks: topup_sandbox::Quirks::Boilerplate,
        token_ttl: std::time::Duration::from_secs(TOKEN_LIFE),
        ..Config::default()
    };
    let profile = Profile::new()?;
    session_ends_mid_watch(
        &profile,
        "session_expired_boilerplate",
        config,
        async |urls| {
            crate::harness::post_json(
                &format!("{}/clock/advance", urls.admin),
                serde_json::json!({"seconds": TOKEN_LIFE + 1}),
            )
            .await?;
            // Only the server's clock moves: the app's own says the token has
            // ten minutes left, and the 500's `Date` tells it otherwise.
            Ok(())
        },
    )
    .await
}

#[tokio::test]
#[ignore = "needs a display, D-Bus and tauri-driver: run `make e2e`"]
async fn dispersed_buys_ten_euros_and_an_abandoned_checkout_expires() -> Result {
    let sandbox = Sandbox::start(Config::default()).await?;
    let urls = sandbox.urls().clone();
    let profile = Profile::new()?;
    profile.browse("pay 4242424242424242")?;
    profile
        .launch("dispersed_buy", &[], async |app| {
            app.add_sandbox_dispersed_and_sign_in(&urls).await?;
            app.type_into("[data-testid='amount']", "10").await?;
            app.wait_for_text("[data-testid='buy']", "Pay").await?;
            app.click("[data-testid='buy']").await?;
            assert_eq!(profile.browser_result(1).await?, "paid");
            app.wait_for_attr("[data-testid='purchase']", "data-state", "landed")
                .await?;
            app.click("[data-testid='view-history']").await?;
            app.wait_for_text("[data-testid='history-entry']", "Completed")
                .await?;
            app.click("[data-testid='history-back']").await?;

            // Abandoned: the browser only looks; the Sandbox expires the session.
            profile.browse("visit")?;
            app.type_into("[data-testid='amount']", "12,50").await?;
            app.click("[data-testid='buy']").await?;
            let opened = profile.wait_for_nth_opened(2).await?;
            assert_eq!(profile.browser_result(2).await?, "visited: Pay Dispersed");
            app.wait_for_attr("[data-testid='purchase']", "data-state", "waiting")
                .await?;
            let id = opened.rsplit('/').next().ok_or("a session id")?;
            crate::harness::post_json(
                &format!("{}/checkout/{id}/expire", urls.admin),
                serde_json::json!({}),
            )
            .await?;
            app.wait_for_attr("[data-testid='purchase']", "data-state", "expired")
                .await?;
            app.click("[data-testid='done']").await?;
            app.click("[data-testid='open-history']").await?;
            app.wait_for_text("[data-testid='history']", "Expired")
                .await?;
            Ok(())
        })
        .await?;
    sandbox.shutdown().await;
    Ok(())
}
