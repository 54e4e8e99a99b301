//! The Dispersed client against the Sandbox.

mod common;

use common::*;
use serde_json::json;
use topup_core::dispersed::{CreatedPurchase, DispersedClient, KeyPair, PurchaseState, Sort};
use topup_core::money::{Currency, Money};
use topup_core::ErrorCode;
use topup_sandbox::demo;

fn console(env: &Env, outcome: &str) -> String {
    format!(
        "{}/console/billing?checkout={outcome}",
        env.sandbox.urls().base
    )
}

/// The demo public key with a secret that is not its own.
fn wrong_secret(env: &Env) -> DispersedClient {
    env.dispersed_with(KeyPair {
        public_key: demo::DISPERSED_PUBLIC_KEY.into(),
        secret_key: secret("sk_wrong"),
    })
}

/// A purchase of `amount` without a memo, returning to the console.
async fn buy(
    env: &Env,
    client: &DispersedClient,
    amount: Money,
) -> topup_core::Result<CreatedPurchase> {
    client
        .create_purchase(
            amount,
            &console(env, "success"),
            &console(env, "cancelled"),
            None,
        )
        .await
}

#[tokio::test]
async fn keys_are_validated_by_a_signed_call() {
    let env = start().await;
    env.dispersed().validate_keys().await.unwrap();
    assert_eq!(
        wrong_secret(&env).validate_keys().await.unwrap_err().code(),
        ErrorCode::InvalidCredentials
    );
    let unknown = env.dispersed_with(KeyPair {
        public_key: "pk_nobody".into(),
        secret_key: secret("sk_nobody"),
    });
    assert_eq!(
        unknown.validate_keys().await.unwrap_err().code(),
        ErrorCode::InvalidCredentials
    );
    let readonly = env.dispersed_with(KeyPair {
        public_key: demo::DISPERSED_READONLY_PUBLIC_KEY.into(),
        secret_key: secret(demo::DISPERSED_READONLY_SECRET_KEY),
    });
    assert_eq!(
        readonly.validate_keys().await.unwrap_err().code(),
        ErrorCode::PermissionDenied
    );
}

/// Dispersed refuses a request signed far from its own clock (the Sandbox,
/// by more than five minutes) with a bare 401. A computer whose clock is ten
/// minutes behind still gets through: the refusal's `Date` shows the
/// service's clock, the request is signed again by it, once, and later
/// requests are signed by it from the start. Keys that are wrong stay wrong.
#[tokio::test]
async fn a_computer_clock_ten_minutes_behind_still_gets_through() {
    let env = start().await;
    env.admin_post("/clock/advance", json!({"seconds": 600}))
        .await;
    let purchases = "/v1/compute/ledger/credit-purchases";
    let statuses = async || -> Vec<u64> {
        let log = env.admin_get(&format!("/requests?path={purchases}")).await;
        log.as_array()
            .unwrap()
            .iter()
            .map(|e| e["status"].as_u64().unwrap())
            .collect()
    };

    let client = env.dispersed();
    client.validate_keys().await.unwrap();
    assert_eq!(
        statuses().await,
        [401, 200],
        "refused once, then signed by the service's clock"
    );
    let created = buy(&env, &client, Money::major(Currency::Eur, 10))
        .await
        .unwrap();
    assert!(created.checkout_session_id.starts_with("cs_test_"));
    assert_eq!(
        statuses().await,
        [401, 200, 201],
        "signed by its clock from then on"
    );

    env.admin_delete("/requests").await;
    assert_eq!(
        wrong_secret(&env).validate_keys().await.unwrap_err().code(),
        ErrorCode::InvalidCredentials
    );
    assert_eq!(
        statuses().await,
        [401, 401],
        "asked once more by the service's clock, no more"
    );
}

#[tokio::test]
async fn create_list_and_reconcile() {
    let env = start().await;
    let client = env.dispersed();
    let amount = Money::from_minor(Currency::Eur, 1250);
    let created = client
        .create_purchase(
            amount,
            &console(&env, "success"),
            &console(&env, "cancelled"),
            Some("Topup — café"),
        )
        .await
        .unwrap();
    assert!(created.checkout_session_id.starts_with("cs_test_"));
    assert_eq!(created.amount, amount);
    assert!(created.expires_at.is_some());
    assert_eq!(
        env.count("POST", "/v1/compute/ledger/credit-purchases")
            .await,
        1
    );

    let p = client
        .reconcile(&created.checkout_session_id)
        .await
        .unwrap();
    assert_eq!(p.state, Some(PurchaseState::Pending));
    assert_eq!(
        p.memo.as_deref(),
        Some("Topup — café"),
        "non-ASCII memos survive signing"
    );
    assert_eq!(p.amount, Some(amount));

    assert_eq!(
        env.pay(&created.checkout_session_id, "4242424242424242")
            .await,
        200
    );
    let p = client
        .reconcile(&created.checkout_session_id)
        .await
        .unwrap();
    assert_eq!(p.state, Some(PurchaseState::Completed));
    assert!(p.completed_at.is_some());

    let whole = buy(&env, &client, Money::major(Currency::Eur, 10))
        .await
        .unwrap();
    env.admin_post(
        &format!("/checkout/{}/expire", whole.checkout_session_id),
        json!({}),
    )
    .await;
    assert_eq!(
        client
            .reconcile(&whole.checkout_session_id)
            .await
            .unwrap()
            .state,
        Some(PurchaseState::Expired)
    );

    let page = client
        .list_purchases(1, 1, Sort::NewestFirst, &[])
        .await
        .unwrap();
    assert_eq!((page.total, page.purchases.len()), (2, 1));
    assert_eq!(
        page.purchases[0].checkout_session_id,
        whole.checkout_session_id
    );
    let completed = client
        .list_purchases(1, 50, Sort::OldestFirst, &[PurchaseState::Completed])
        .await
        .unwrap();
    assert_eq!(completed.total, 1);
    assert_eq!(
        completed.purchases[0].checkout_session_id,
        created.checkout_session_id
    );

    let missing = client.reconcile("cs_test_nope").await.unwrap_err();
    assert_eq!(missing.code(), ErrorCode::NotFound);
}

#[tokio::test]
async fn refusals_carry_the_servers_reason() {
    let env = start().await;
    let client = env.dispersed();
    let off_console = client
        .create_purchase(
            Money::major(Currency::Eur, 10),
            "https://evil.example/ok",
            &console(&env, "cancelled"),
            None,
        )
        .await
        .unwrap_err();
    assert_eq!(off_console.code(), ErrorCode::InvalidRequest);
    assert!(
        off_console.to_string().contains("Console domain"),
        "{off_console}"
    );
    let dollars = buy(&env, &client, Money::major(Currency::Usd, 10))
        .await
        .unwrap_err();
    assert_eq!(dollars.code(), ErrorCode::Unsupported);
}

#[tokio::test]
async fn the_deprecated_fields_are_used_when_checkout_session_is_null() {
    let env = start().await;
    env.admin_put("/dispersed/legacy", json!({"enabled": true}))
        .await;
    let created = env
        .dispersed()
        .create_purchase(
            Money::major(Currency::Eur, 5),
            &console(&env, "success"),
            &console(&env, "cancelled"),
            None,
        )
        .await
        .unwrap();
    assert!(created.checkout_session_id.starts_with("cs_test_"));
    assert!(created
        .checkout_url
        .path()
        .ends_with(&created.checkout_session_id));
    assert_eq!(created.expires_at, None);
}
