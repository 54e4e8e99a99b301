//! Accounts in the real app. Journey 1: a 2FA sign-in on a Clara-compatible
//! server (the Sandbox), price and quote, a $5 purchase paid in headless
//! Chromium, the history and the billing portal; then a restart that signs in
//! from the keychain, and a sign-out that leaves nothing behind — checked
//! through the Secret Service and by scanning every file the app wrote.

use serde_json::Value;
use topup_sandbox::{demo, Config, Sandbox};

use crate::harness::{keychain_entry, Kind, Profile, Result, Service};

#[tokio::test]
#[ignore = "needs a display, D-Bus and tauri-driver: run `make e2e`"]
async fn two_factor_account_buys_five_dollars_survives_a_restart_and_signs_out_cleanly() -> Result {
    let sandbox = Sandbox::start(Config::default()).await?;
    let clara = sandbox.urls().clara.clone();
    let admin = sandbox.urls().admin.clone();
    let base = sandbox.urls().base.clone();
    let profile = Profile::new()?;

    profile
        .launch("accounts_sign_in", &[], async |app| {
            app.choose_service(Service {
                kind: Kind::CustomClara,
                address: &clara,
                public_key: Some(demo::CLARA_PUBLIC_KEY),
                checkout_origin: Some(&base),
            })
            .await?;
            app.type_into("#email", demo::TWO_FA_EMAIL).await?;
            app.type_into("#password", demo::PASSWORD).await?;
            app.click("[data-testid='sign-in-submit']").await?;
            app.wait_for_text("#sign-in-title", "Enter your code")
                .await?;
            // The code step asked for the code on arrival.
            let code = crate::harness::poll_json(&format!(
                "{admin}/otp?email={}&type=TWO_FACTOR_AUTH",
                demo::TWO_FA_EMAIL
            ))
            .await?;
            let code = code["code"].as_str().ok_or("no code")?.to_owned();
            app.type_into("[data-testid='code-input']", &code).await?;
            app.wait_for_attr("[data-testid='balance']", "data-value", "1000")
                .await?;
            // Price and quote: refused amounts are explained and never sent.
            app.wait_for_text("[data-testid='rate']", "100 credits per dollar")
                .await?;
            app.type_into("[data-testid='amount']", "4").await?;
            app.wait_for_text("[data-testid='quote']", "The minimum is $5.00.")
                .await?;
            app.type_into("[data-testid='amount']", "5.50").await?;
            app.wait_for_text("[data-testid='quote']", "whole units only")
                .await?;
            app.type_into("[data-testid='amount']", "5").await?;
            app.wait_for_text("[data-testid='quote']", "You get 500 credits")
                .await?;
            let buys =
                crate::harness::poll_json(&format!("{admin}/requests?path=/api/v1/stripe/buy"))
                    .await?;
            assert_eq!(
                buys.as_array().map(Vec::len),
                Some(0),
                "no purchase request was sent"
            );

            // Buy $5: headless Chromium, handed the page through the system
            // browser path, pays with 4242…; the credits land.
            profile.browse("pay 4242424242424242")?;
            app.wait_for_text("[data-testid='buy']", "Buy 500 credits for")
                .await?;
            app.click("[data-testid='buy']").await?;
            let checkout = profile.wait_for_opened(&base).await?;
            assert!(checkout.contains("/stripe/c/pay/cs_"), "{checkout}");
            assert_eq!(profile.browser_result(1).await?, "paid");
            app.wait_for_attr("[data-testid='landed-credits']", "data-value", "500")
                .await?;
            app.wait_for_attr("[data-testid='landed-balance']", "data-value", "1500")
                .await?;
            app.click("[data-testid='view-history']").await?;
            app.wait_for_text("[data-testid='history-entry']", "+500 credits")
                .await?;
            profile.browse("visit")?;
            app.click("[data-testid='billing-portal']").await?;
            profile
                .wait_for_opened(&format!("{base}/stripe/p/session/"))
                .await?;
            let visited = profile.browser_result(2).await?;
            assert!(visited.starts_with("visited: "), "{visited}");
            app.click("[data-testid='history-back']").await?;
            app.wait_for_attr("[data-testid='balance']", "data-value", "1500")
                .await?;
            Ok(())
        })
        .await?;

    let registry = profile.registry()?;
    let id = registry["accounts"][0]["id"]
        .as_str()
        .ok_or("an account")?
        .to_owned();
    let stored = keychain_entry(&id).ok_or("the session is in the keychain")?;
    let token = serde_json::from_str::<Value>(&stored)?["token"]
        .as_str()
        .ok_or("a token")?
        .to_owned();
    assert!(token.starts_with("crazi_co_user_"));

    profile
        .launch("accounts_restart", &[], async |app| {
            // Signed in from the keychain, nothing typed.
            app.wait_for_attr("[data-testid='balance']", "data-value", "1500")
                .await?;
            app.click("[data-testid='sign-out']").await?;
            app.wait_for_text("[data-testid='sign-in-notice']", "Signed out.")
                .await?;
            Ok(())
        })
        .await?;
    assert_eq!(
        keychain_entry(&id),
        None,
        "sign-out deleted the keychain entry"
    );
    let revoked = crate::harness::status_of(
        &format!(
            "{clara}/users/{}",
            registry["accounts"][0]["user_id"]
                .as_str()
                .unwrap_or_default()
        ),
        &token,
    )
    .await?;
    assert_eq!(revoked, 401, "the server session was revoked");

    profile
        .launch("accounts_after_sign_out", &[], async |app| {
            // Signed out of its only account, Topup opens on first run with
            // the account one click from its sign-in.
            app.wait_for_text("#first-run-title", "Welcome back")
                .await?;
            app.wait_for_text("[data-testid='known-account']", demo::TWO_FA_EMAIL)
                .await?;
            app.click("[data-testid='known-sign-in']").await?;
            app.wait_for_text(
                "#sign-in-title",
                &format!("Sign in to {} · 127.0.0.1", demo::TWO_FA_EMAIL),
            )
            .await?;
            Ok(())
        })
        .await?;

    // Nothing the app wrote holds the token.
    for file in profile.files() {
        let bytes = std::fs::read(&file)?;
        let text = String::from_utf8_lossy(&bytes);
        assert!(
            !text.contains(&token),
            "the token leaked into {}",
            file.display()
        );
        assert!(
            !text.contains(demo::PASSWORD),
            "the password leaked into {}",
            file.display()
        );
    }
    sandbox.shutdown().await;
    Ok(())
}

#[tokio::test]
#[ignore = "needs a display, D-Bus and tauri-driver: run `make e2e`"]
async fn the_built_in_sandbox_is_one_click_from_a_signed_in_home() -> Result {
    crate::harness::run("sandbox_demo", &["--sandbox"], async |app| {
        // The Sandbox account is ready, its demo sign-in prefilled.
        app.wait_for_text("#sign-in-title", "Sign in to Sandbox")
            .await?;
        app.click("[data-testid='sign-in-submit']").await?;
        app.wait_for_attr("[data-testid='balance']", "data-value", "1000")
            .await?;
        app.wait_for_text("[data-testid='account-name']", "Demo User")
            .await?;
        Ok(())
    })
    .await
}

#[tokio::test]
#[ignore = "needs a display, D-Bus and tauri-driver: run `make e2e`"]
async fn google_sign_in_through_the_system_browser() -> Result {
    let profile = Profile::new()?;
    profile
        .launch("google_sign_in", &["--sandbox"], async |app| {
            app.wait_for_text("#sign-in-title", "Sign in to Sandbox")
                .await?;
            app.click("[data-testid='google-sign-in']").await?;
            app.wait_for_text("[data-testid='google-waiting']", "in your browser")
                .await?;
            // The "browser": the consent page the app opened, answered over HTTP.
            let url = url::Url::parse(&profile.wait_for_opened("http://127.0.0.1:").await?)?;
            assert!(url.path().ends_with("/oauth/authorize"));
            let query: std::collections::HashMap<String, String> =
                url.query_pairs().into_owned().collect();
            assert_eq!(query["code_challenge_method"], "S256");
            let browser = reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .build()?;
            let mut form: Vec<(String, String)> = url.query_pairs().into_owned().collect();
            form.push(("decision".into(), "allow".into()));
            form.push(("email".into(), "ada.lovelace@topup.test".into()));
            let consent = browser
                .post(format!(
                    "{}/oauth/authorize",
                    url.origin().ascii_serialization()
                ))
                .form(&form)
                .send()
                .await?;
            let callback = consent
                .headers()
                .get("location")
                .ok_or("a redirect")?
                .to_str()?
                .to_owned();
            let landing = browser.get(&callback).send().await?;
            assert!(landing.text().await?.contains("You're signed in"));
            app.wait_for_text("[data-testid='account-name']", "Ada Lovelace")
                .await?;
            Ok(())
        })
        .await
}

#[tokio::test]
#[ignore = "needs a display, D-Bus and tauri-driver: run `make e2e`"]
async fn dispersed_key_pair_is_kept_in_the_keychain_only() -> Result {
    let sandbox = Sandbox::start(Config::default()).await?;
    let base = sandbox.urls().dispersed.clone();
    let profile = Profile::new()?;
    profile
        .launch("dispersed_keys", &[], async |app| {
            app.choose_service(Service {
                kind: Kind::Dispersed,
                address: &base,
                public_key: None,
                checkout_origin: None,
            })
            .await?;
            app.sign_in_to_dispersed("sk_wrong").await?;
            app.wait_for_text("[data-testid='sign-in-error']", "were not accepted")
                .await?;
            app.type_into("#secret-key", demo::DISPERSED_SECRET_KEY)
                .await?;
            app.click("[data-testid='sign-in-submit']").await?;
            app.wait_for_text("[data-testid='account-name']", demo::DISPERSED_PUBLIC_KEY)
                .await?;
            Ok(())
        })
        .await?;
    let id = profile.registry()?["accounts"][0]["id"]
        .as_str()
        .ok_or("an account")?
        .to_owned();
    let stored = keychain_entry(&id).ok_or("the key pair is in the keychain")?;
    assert!(stored.contains(demo::DISPERSED_SECRET_KEY));
    profile
        .launch("dispersed_sign_out", &[], async |app| {
            app.wait_for_text("[data-testid='account-name']", demo::DISPERSED_PUBLIC_KEY)
                .await?;
            app.click("[data-testid='sign-out']").await?;
            app.wait_for_text("#sign-in-title", "Sign in to Dispersed")
                .await?;
            Ok(())
        })
        .await?;
    assert_eq!(keychain_entry(&id), None);
    for file in profile.files() {
        let text = String::from_utf8_lossy(&std::fs::read(&file)?).into_owned();
        assert!(
            !text.contains(demo::DISPERSED_SECRET_KEY),
            "the secret key leaked into {}",
            file.display()
        );
    }
    sandbox.shutdown().await;
    Ok(())
}
