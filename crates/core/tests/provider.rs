//! Both backends through the one `Provider` surface.

mod common;

use common::*;
use serde_json::json;
use topup_core::money::{Currency, Money};
use topup_core::provider::{Credentials, HistoryStatus, Provider, PurchaseStatus, Session, SignIn};
use topup_core::ErrorCode;
use topup_sandbox::demo;

async fn signed_in(provider: &dyn Provider, credentials: Credentials) -> Session {
    match provider.sign_in(credentials).await.unwrap() {
        SignIn::SignedIn { session, .. } => session,
        SignIn::CodeRequired => panic!("no code expected"),
    }
}

#[tokio::test]
async fn clara_purchase_lands_through_the_trait() {
    let env = start().await;
    let clara = env.clara_provider();
    let caps = clara.capabilities();
    assert!(caps.balance && caps.price && caps.portal && caps.whole_units_only);
    assert_eq!(caps.currency, Currency::Usd);

    let two_fa = clara
        .sign_in(Credentials::EmailPassword {
            email: demo::TWO_FA_EMAIL.into(),
            password: secret(demo::PASSWORD),
            code: None,
        })
        .await
        .unwrap();
    assert!(matches!(two_fa, SignIn::CodeRequired));
    let session = signed_in(&clara, demo_login()).await;
    let account = clara.account(&session).await.unwrap();
    assert_eq!(account.balance.unwrap().to_string(), "1000");
    assert_eq!(account.display_name, "Demo User");
    let prices = clara.price(&session).await.unwrap().unwrap();
    assert_eq!(prices.currency, Currency::Usd);

    let started = clara
        .start_purchase(&session, Money::major(Currency::Usd, 5))
        .await
        .unwrap();
    assert_eq!(started.expected_credits.unwrap().to_string(), "500");
    env.admin_delete("/requests").await;
    assert_eq!(
        clara
            .purchase_status(&session, &started.reference)
            .await
            .unwrap(),
        PurchaseStatus::Pending
    );
    // While the balance has not moved, a check is one request: the watcher's
    // request budget rests on it.
    let sent = env.admin_get("/requests").await;
    let sent: Vec<_> = sent
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            format!(
                "{} {}",
                r["method"].as_str().unwrap(),
                r["path"].as_str().unwrap()
            )
        })
        .collect();
    assert_eq!(sent.len(), 1, "{sent:?}");
    assert!(sent[0].starts_with("GET /api/v1/users/"), "{sent:?}");
    let id = session_id(&started.checkout_url);
    assert_eq!(env.pay(&id, "4000000000000002").await, 402);
    assert_eq!(
        clara
            .purchase_status(&session, &started.reference)
            .await
            .unwrap(),
        PurchaseStatus::Pending,
        "a declined card credits nothing"
    );
    assert_eq!(env.pay(&id, "4242424242424242").await, 200);
    let landed = wait(|| async {
        Some(
            clara
                .purchase_status(&session, &started.reference)
                .await
                .unwrap(),
        )
        .filter(|s| *s != PurchaseStatus::Pending)
    })
    .await;
    let PurchaseStatus::Landed {
        credits,
        balance,
        receipt,
    } = landed
    else {
        panic!("{landed:?}")
    };
    assert_eq!(credits.unwrap().to_string(), "500");
    assert_eq!(balance.unwrap().to_string(), "1500");
    assert_eq!(
        receipt.as_deref(),
        Some("User bought 500.0 credits for $5.0.")
    );

    let mut history = clara.history(&session).unwrap();
    let newest = history.next().await.unwrap();
    assert_eq!(
        newest.entries[0].description,
        "User bought 500.0 credits for $5.0."
    );
    assert!(newest.entries[0].incoming);
    assert!(!newest.more, "all in one");
    assert!(clara
        .billing_portal(&session)
        .await
        .unwrap()
        .path()
        .starts_with("/stripe/p/session/"));
    clara.sign_out(&session).await.unwrap();
    assert_eq!(
        clara.account(&session).await.unwrap_err().code(),
        ErrorCode::SessionExpired
    );
}

#[tokio::test]
async fn clara_credit_is_seen_even_when_the_balance_was_spent_meanwhile() {
    let env = start().await;
    let clara = env.clara_provider();
    let session = signed_in(&clara, demo_login()).await;
    let started = clara
        .start_purchase(&session, Money::major(Currency::Usd, 5))
        .await
        .unwrap();
    env.pay(&session_id(&started.checkout_url), "4242424242424242")
        .await;
    // Credits arrive, and something spends 900 of them at once.
    wait(|| async {
        let v = env
            .admin_get(&format!("/clara/users/{}", demo::USER_EMAIL))
            .await;
        (v["credits"].as_f64() == Some(1500.0)).then_some(())
    })
    .await;
    env.admin_put(
        &format!("/clara/users/{}/credits", demo::USER_EMAIL),
        json!({"credits": 600}),
    )
    .await;
    let status = clara
        .purchase_status(&session, &started.reference)
        .await
        .unwrap();
    assert!(
        matches!(status, PurchaseStatus::Landed { .. }),
        "the CREDIT row proves it: {status:?}"
    );
}

#[tokio::test]
async fn dispersed_purchase_completes_or_expires_through_the_trait() {
    let env = start().await;
    let dispersed = env.dispersed_provider();
    let caps = dispersed.capabilities();
    assert!(!caps.balance && !caps.price && !caps.portal && caps.history);
    assert_eq!(caps.currency, Currency::Eur);

    let bad = dispersed
        .sign_in(Credentials::KeyPair(topup_core::dispersed::KeyPair {
            public_key: demo::DISPERSED_PUBLIC_KEY.into(),
            secret_key: secret("nope"),
        }))
        .await
        .unwrap_err();
    assert_eq!(bad.code(), ErrorCode::InvalidCredentials);
    let session = signed_in(&dispersed, Credentials::KeyPair(env.keys())).await;
    assert_eq!(dispersed.account(&session).await.unwrap().balance, None);
    assert_eq!(dispersed.price(&session).await.unwrap(), None);
    assert_eq!(
        dispersed.billing_portal(&session).await.unwrap_err().code(),
        ErrorCode::Unsupported
    );

    let paid = dispersed
        .start_purchase(&session, Money::major(Currency::Eur, 10))
        .await
        .unwrap();
    assert_eq!(
        dispersed
            .purchase_status(&session, &paid.reference)
            .await
            .unwrap(),
        PurchaseStatus::Pending
    );
    env.pay(&session_id(&paid.checkout_url), "4242424242424242")
        .await;
    assert!(matches!(
        dispersed
            .purchase_status(&session, &paid.reference)
            .await
            .unwrap(),
        PurchaseStatus::Landed { .. }
    ));

    let abandoned = dispersed
        .start_purchase(&session, Money::from_minor(Currency::Eur, 750))
        .await
        .unwrap();
    env.admin_post(
        &format!("/checkout/{}/expire", session_id(&abandoned.checkout_url)),
        json!({}),
    )
    .await;
    assert_eq!(
        dispersed
            .purchase_status(&session, &abandoned.reference)
            .await
            .unwrap(),
        PurchaseStatus::Expired
    );

    let entries = dispersed
        .history(&session)
        .unwrap()
        .next()
        .await
        .unwrap()
        .entries;
    let statuses: Vec<_> = entries.iter().map(|e| e.status).collect();
    assert_eq!(
        statuses,
        [Some(HistoryStatus::Expired), Some(HistoryStatus::Completed)]
    );
    assert_eq!(entries[0].description, "Credit purchase of €7.50");
    dispersed.sign_out(&session).await.unwrap();
}

#[tokio::test]
async fn providers_refuse_each_others_sessions() {
    let env = start().await;
    let clara = env.clara_provider();
    let dispersed = env.dispersed_provider();
    let keys = Session::Dispersed(env.keys());
    assert_eq!(
        clara.account(&keys).await.unwrap_err().code(),
        ErrorCode::Unsupported
    );
    let token = Session::Clara(env.login(demo::USER_EMAIL).await);
    assert_eq!(
        dispersed.account(&token).await.unwrap_err().code(),
        ErrorCode::Unsupported
    );
    assert_eq!(
        clara
            .sign_in(Credentials::KeyPair(env.keys()))
            .await
            .unwrap_err()
            .code(),
        ErrorCode::Unsupported
    );
}

/// Polls until `check` yields, within a deadline (webhooks are asynchronous).
async fn wait<T>(check: impl AsyncFnMut() -> Option<T>) -> T {
    topup_test_support::wait_for("the condition", std::time::Duration::from_secs(10), check).await
}
