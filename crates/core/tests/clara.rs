//! The Clara client against the Sandbox, in documented and boilerplate modes.

mod common;

use common::*;
use secrecy::ExposeSecret;
use serde_json::json;
use topup_core::clara::{LoginOutcome, OtpPurpose, TransactionKind};
use topup_core::money::{Credits, Currency, Money};
use topup_core::ErrorCode;
use topup_sandbox::demo;

async fn every_call_works(env: Env) {
    let clara = env.clara();
    let session = env.login(demo::USER_EMAIL).await;
    assert!(session.user_id.starts_with("user_"));
    assert!(
        !format!("{session:?}").contains(session.token.expose_secret()),
        "the token never prints"
    );

    let user = clara.user(&session).await.unwrap();
    assert_eq!(user.email, demo::USER_EMAIL);
    assert_eq!(user.credits.to_string(), "1000");
    assert!(user.can_buy());

    let prices = clara.rate(&session).await.unwrap();
    assert_eq!(
        prices.limits(),
        Some((
            Money::major(Currency::Usd, 5),
            Money::major(Currency::Usd, 10_000)
        ))
    );
    assert_eq!(
        prices
            .credits_for(Money::major(Currency::Usd, 5))
            .unwrap()
            .to_string(),
        "500"
    );

    let checkout = clara
        .buy(&session, Money::major(Currency::Usd, 5), "billing")
        .await
        .unwrap();
    assert_eq!(checkout.credits.to_string(), "500");
    assert_eq!(checkout.amount, Money::major(Currency::Usd, 5));
    assert!(checkout.url.path().starts_with("/stripe/c/pay/cs_test_"));
    let out_of_range = clara
        .buy(&session, Money::major(Currency::Usd, 4), "")
        .await
        .unwrap_err();
    assert_eq!(out_of_range.code(), ErrorCode::AmountOutOfRange);
    let cents = clara
        .buy(&session, Money::from_minor(Currency::Usd, 550), "")
        .await
        .unwrap_err();
    assert_eq!(
        cents.code(),
        ErrorCode::InvalidAmount,
        "whole dollars only, refused before the network"
    );

    let portal = clara.portal(&session).await.unwrap();
    assert!(portal.path().starts_with("/stripe/p/session/"));

    let rows = clara.newest_transactions(&session).await.unwrap();
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].kind, TransactionKind::Credit);
    assert_eq!(
        rows[0].description,
        "Admin updated credits from 0.0 to 1000.0."
    );
    let one = clara.transaction(&session, &rows[0].id).await.unwrap();
    assert_eq!(one, rows[0]);
    let missing = clara
        .transaction(&session, "transaction_00000000000000000000000000000000")
        .await
        .unwrap_err();
    assert_eq!(missing.code(), ErrorCode::NotFound);

    let (_, status) = clara.health().await.unwrap();
    assert_eq!(status, "healthy");
    assert!(!clara.version().await.unwrap().is_empty());

    clara.logout(&session).await.unwrap();
    assert_eq!(
        clara.user(&session).await.unwrap_err().code(),
        ErrorCode::SessionExpired
    );
    clara
        .logout(&session)
        .await
        .expect("signing out twice is fine");
}

#[tokio::test]
async fn every_call_works_documented() {
    every_call_works(start().await).await;
}

#[tokio::test]
async fn every_call_works_boilerplate() {
    every_call_works(start_quirky().await).await;
}

#[tokio::test]
async fn two_factor_is_a_typed_outcome() {
    for env in [start().await, start_quirky().await] {
        two_factor(env).await;
    }
}

async fn two_factor(env: Env) {
    let clara = env.clara();
    let outcome = clara
        .login(demo::TWO_FA_EMAIL, &secret(demo::PASSWORD), None)
        .await
        .unwrap();
    assert!(matches!(outcome, LoginOutcome::CodeRequired));
    let wrong = clara
        .login(demo::TWO_FA_EMAIL, &secret(demo::PASSWORD), Some("000000"))
        .await
        .unwrap_err();
    assert_eq!(wrong.code(), ErrorCode::CodeInvalid);

    let no_key = clara
        .send_otp(
            demo::TWO_FA_EMAIL,
            OtpPurpose::TwoFactorAuth,
            &secret("wrong-public-key"),
        )
        .await
        .unwrap_err();
    assert_eq!(no_key.code(), ErrorCode::InvalidCredentials);
    clara
        .send_otp(
            demo::TWO_FA_EMAIL,
            OtpPurpose::TwoFactorAuth,
            &secret(demo::CLARA_PUBLIC_KEY),
        )
        .await
        .unwrap();
    let code = env.otp(demo::TWO_FA_EMAIL, "TWO_FACTOR_AUTH").await;
    let LoginOutcome::SignedIn { user, .. } = clara
        .login(demo::TWO_FA_EMAIL, &secret(demo::PASSWORD), Some(&code))
        .await
        .unwrap()
    else {
        panic!("the code signs in");
    };
    assert!(user.is_2fa_enabled);
}

#[tokio::test]
async fn a_declined_sign_in_is_invalid_credentials() {
    let env = start().await;
    let err = env
        .clara()
        .login(demo::USER_EMAIL, &secret("not-the-password"), None)
        .await
        .unwrap_err();
    assert_eq!(err.code(), ErrorCode::InvalidCredentials);
    let err = env
        .clara()
        .login("nobody@topup.test", &secret(demo::PASSWORD), None)
        .await
        .unwrap_err();
    assert_eq!(err.code(), ErrorCode::InvalidCredentials);
    let err = env
        .clara()
        .api_key_sign_in(secret("clara_api_not-a-jwt"))
        .await
        .unwrap_err();
    assert_eq!(err.code(), ErrorCode::InvalidCredentials);
}

#[tokio::test]
async fn an_expired_session_is_recognised_in_both_modes() {
    for env in [start().await, start_quirky().await] {
        let clara = env.clara();
        // Ended on the server (documented: 401; boilerplate: 500 for an expired JWT).
        let session = env.login(demo::USER_EMAIL).await;
        env.admin_post("/clara/sessions/revoke", json!({"email": demo::USER_EMAIL}))
            .await;
        assert_eq!(
            clara.user(&session).await.unwrap_err().code(),
            ErrorCode::SessionExpired
        );

        // Expired by its own `exp` (a minute) once the client's clock is an
        // hour on: recognised without asking the server, which in boilerplate
        // mode would only say 500.
        env.admin_put("/clara/token_ttl", json!({"seconds": 60}))
            .await;
        let session = env.login(demo::USER_EMAIL).await;
        assert!(clara.user(&session).await.is_ok(), "valid now");
        let later =
            env.clara_at(std::time::SystemTime::now() + std::time::Duration::from_secs(3600));
        let before = env.count("GET", "/api/v1/users/*").await;
        assert_eq!(
            later.user(&session).await.unwrap_err().code(),
            ErrorCode::SessionExpired
        );
        assert_eq!(
            later.rate(&session).await.unwrap_err().code(),
            ErrorCode::SessionExpired
        );
        assert_eq!(
            env.count("GET", "/api/v1/users/*").await,
            before,
            "an expired token is not sent"
        );
    }
}

#[tokio::test]
async fn a_token_expired_by_the_servers_clock_ends_the_session_at_the_first_500() {
    // This machine's clock is behind the server's: by its own clock the token
    // has ten minutes left, by the server's it expired a second ago. The
    // boilerplate's bare 500 carries the server's `Date`, which settles it:
    // the session ended, no retries, and the token is not sent again.
    let env = start_quirky().await;
    env.admin_put("/clara/token_ttl", json!({"seconds": 600}))
        .await;
    let clara = env.clara();
    let session = env.login(demo::USER_EMAIL).await;
    env.admin_post("/clock/advance", json!({"seconds": 601}))
        .await;
    let reads = || env.count("GET", "/api/v1/users/*");
    let before = reads().await;
    assert_eq!(
        clara.user(&session).await.unwrap_err().code(),
        ErrorCode::SessionExpired
    );
    assert_eq!(reads().await, before + 1, "one 500, not retried");
    assert_eq!(
        clara.rate(&session).await.unwrap_err().code(),
        ErrorCode::SessionExpired
    );
    assert_eq!(reads().await, before + 1, "the expired token is not sent");
    assert_eq!(env.count("GET", "/api/v1/stripe/rate").await, 0);
}

#[tokio::test]
async fn boilerplate_500_on_a_token_the_client_thinks_valid_is_an_outage_not_a_sign_out() {
    // The Sandbox ends the session as an expired JWT would, but the token's own
    // `exp` is in the future: a plain 500, which the client must not take for
    // "signed out" (retried, then reported as the server being unavailable).
    let env = start_quirky().await;
    let session = env.login(demo::USER_EMAIL).await;
    env.admin_post("/clara/sessions/expire", json!({"email": demo::USER_EMAIL}))
        .await;
    assert_eq!(
        env.clara().user(&session).await.unwrap_err().code(),
        ErrorCode::ServerUnavailable
    );
}

#[tokio::test]
async fn register_activate_google_and_api_key_sign_in() {
    for env in [start().await, start_quirky().await] {
        register_and_other_sign_ins(env).await;
    }
}

async fn register_and_other_sign_ins(env: Env) {
    let clara = env.clara();
    let key = secret(demo::CLARA_PUBLIC_KEY);
    let (session, user) = clara
        .register(
            "ada",
            "lovelace",
            "ada@topup.test",
            &secret("analytical-engine"),
            &key,
        )
        .await
        .unwrap();
    assert_eq!(user.first_name.as_deref(), Some("Ada"));
    assert!(!user.is_active);
    assert_eq!(
        clara.rate(&session).await.unwrap_err().code(),
        ErrorCode::AccountInactive
    );
    let again = clara
        .register(
            "Ada",
            "Lovelace",
            "ada@topup.test",
            &secret("analytical-engine"),
            &key,
        )
        .await
        .unwrap_err();
    assert_eq!(again.code(), ErrorCode::AlreadyExists);
    clara
        .send_otp("ada@topup.test", OtpPurpose::Activation, &key)
        .await
        .unwrap();
    let wrong = clara
        .activate("ada@topup.test", "000000", &key)
        .await
        .unwrap_err();
    assert_eq!(wrong.code(), ErrorCode::CodeInvalid);
    let code = env.otp("ada@topup.test", "ACTIVATION").await;
    let active = clara.activate("ada@topup.test", &code, &key).await.unwrap();
    assert!(active.is_active && active.can_buy());
    assert!(clara.rate(&session).await.is_ok());

    let id_token = env
        .admin_get("/google/id_token?email=grace@topup.test")
        .await["id_token"]
        .as_str()
        .unwrap()
        .to_owned();
    let (google, user) = clara.google_sign_in(&secret(&id_token)).await.unwrap();
    assert_eq!(user.email, "grace@topup.test");
    assert!(
        !user.can_buy(),
        "Google users have no last name until they set one"
    );
    assert_eq!(
        clara.rate(&google).await.unwrap_err().code(),
        ErrorCode::AccountInactive
    );
    assert_eq!(
        clara
            .google_sign_in(&secret("forged"))
            .await
            .unwrap_err()
            .code(),
        ErrorCode::InvalidCredentials
    );

    let token = env.sandbox.demo_api_key_token().unwrap();
    let (api, user) = clara.api_key_sign_in(secret(&token)).await.unwrap();
    assert_eq!(user.email, demo::USER_EMAIL);
    assert_eq!(
        clara.user(&api).await.unwrap().credits,
        Credits::from_f64(1000.0).unwrap()
    );
    clara
        .logout(&api)
        .await
        .expect("an API-key token has no session to end");
}
