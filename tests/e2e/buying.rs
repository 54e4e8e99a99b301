//! Buying in the real app: the checkout page goes to the system browser
//! (xdg-open, steered to headless Chromium that pays with a test card on the
//! Sandbox's page), the app sees the credits land, the history lists them and
//! the billing portal opens the same way.

use crate::harness::{Profile, Result};

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
            assert_eq!(profile.browser_result(1).await?, "paid");

            app.wait_for_attr("[data-testid='purchase']", "data-state", "landed")
                .await?;
            app.wait_for_attr("[data-testid='landed-credits']", "data-value", "500")
                .await?;
            app.wait_for_attr("[data-testid='landed-balance']", "data-value", "1500")
                .await?;
            app.wait_for_text("[data-testid='receipt']", "500 credits for")
                .await?;
            app.screenshot_for_docs("landed").await?;

            app.click("[data-testid='view-history']").await?;
            app.wait_for_text("[data-testid='history-entry']", "+500 credits")
                .await?;
            app.screenshot_for_docs("history").await?;

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
