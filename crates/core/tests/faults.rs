//! Misbehaving networks: idempotent calls recover within their budget,
//! purchase creation is sent again only where the service provably did not
//! act, an unknown creation is resolved or said plainly, and each failure
//! surfaces as the right error code.

mod common;

use std::sync::Arc;

use common::*;
use serde_json::json;
use topup_core::money::{Currency, Money};
use topup_core::provider::{Provider, PurchaseRef, Session};
use topup_core::purchases::BuyOutcome;
use topup_core::secrets::MemoryStore;
use topup_core::ErrorCode;
use topup_sandbox::demo;

fn rule(path: &str, method: &str, kind: serde_json::Value) -> serde_json::Value {
    let mut r = kind;
    r["path"] = json!(path);
    r["method"] = json!(method);
    r
}

#[tokio::test]
async fn reads_recover_from_every_fault_kind() {
    let env = start().await;
    let clara = env.clara();
    let session = env.login(demo::USER_EMAIL).await;
    // Each kind hits the first of every two requests, so a retry always meets a good answer.
    for kind in [
        json!({"kind": "status", "status": 500}),
        json!({"kind": "status", "status": 502}),
        json!({"kind": "status", "status": 503}),
        json!({"kind": "rate_limit", "retry_after": 1}),
        json!({"kind": "reset"}),
        json!({"kind": "malformed"}),
        json!({"kind": "truncated"}),
    ] {
        let mut r = rule("/api/v1/users/*", "GET", kind.clone());
        r["every"] = json!(2);
        // `every: 2` hits the 2nd, 4th…: the first call is clean, the next faulted then retried.
        env.faults(json!({"rules": [r]})).await;
        env.admin_delete("/requests").await;
        for _ in 0..3 {
            let user = clara
                .user(&session)
                .await
                .unwrap_or_else(|e| panic!("{kind}: {e}"));
            assert_eq!(user.email, demo::USER_EMAIL);
        }
        let sent = env.count("GET", "/api/v1/users/*").await;
        // The 2nd and 4th requests met the fault and were each sent once more.
        assert_eq!(sent, 5, "{kind}: each fault met is retried once");
    }
}

#[tokio::test]
async fn chaos_on_thirty_percent_of_requests_still_lets_reads_through() {
    let env = start().await;
    let clara = env.clara();
    let dispersed = env.dispersed();
    let session = env.login(demo::USER_EMAIL).await;
    env.faults(json!({"chaos": 0.3, "seed": 11})).await;
    for _ in 0..10 {
        clara.user(&session).await.unwrap();
        clara.rate(&session).await.unwrap();
        clara.newest_transactions(&session).await.unwrap();
        dispersed
            .list_purchases(1, 5, topup_core::dispersed::Sort::NewestFirst, &[])
            .await
            .unwrap();
    }
    let faulted: serde_json::Value = env.admin_get("/requests").await;
    let hits = faulted
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["fault"].is_string())
        .count();
    // Seed 11 decides the same faults for the same sequence of requests: all
    // forty reads got through them.
    assert_eq!(hits, 11, "faults were injected");
}

/// Creation is sent again only where the service provably did not act on
/// it: a 429. Everything else that went out stays one request, with the code
/// of what happened.
#[tokio::test]
async fn purchase_creation_is_retried_only_where_the_service_did_not_act() {
    let env = start().await;
    let clara = env.clara();
    let session = env.login(demo::USER_EMAIL).await;
    let five = Money::major(Currency::Usd, 5);
    let cases = [
        (
            json!({"kind": "status", "status": 503}),
            Err(ErrorCode::ServerUnavailable),
        ),
        (
            json!({"kind": "status", "status": 500}),
            Err(ErrorCode::ServerUnavailable),
        ),
        (json!({"kind": "reset"}), Err(ErrorCode::ConnectionDropped)),
        (
            json!({"kind": "malformed"}),
            Err(ErrorCode::MalformedResponse),
        ),
        (
            json!({"kind": "truncated"}),
            Err(ErrorCode::ConnectionDropped),
        ),
        // Refused before handling: waited out and sent again.
        (json!({"kind": "rate_limit", "retry_after": 1}), Ok(2)),
    ];
    for (kind, expected) in cases {
        let mut once = rule("/api/v1/stripe/buy", "POST", kind.clone());
        once["times"] = json!(1);
        env.faults(json!({"rules": [once]})).await;
        env.admin_delete("/requests").await;
        let result = clara.buy(&session, five, "").await;
        let sent = env.count("POST", "/api/v1/stripe/buy").await;
        match expected {
            Err(code) => {
                let err = result.unwrap_err();
                assert_eq!(err.code(), code, "{kind}: {err}");
                assert_eq!(sent, 1, "{kind}: never sent again");
            }
            Ok(requests) => {
                result.unwrap_or_else(|e| panic!("{kind}: {e}"));
                assert_eq!(sent, requests, "{kind}");
            }
        }
    }
}

async fn dispersed_purchases(env: &Env) -> Vec<serde_json::Value> {
    env.admin_get("/dispersed/purchases")
        .await
        .as_array()
        .unwrap()
        .clone()
}

/// An unknown Dispersed creation is resolved by looking up the attempt's
/// client reference (its memo): not created → created again; created (its
/// answer lost) → left to expire unpaid, and a new one whose page can be
/// opened. Either way the person gets exactly one page.
#[tokio::test]
async fn an_unknown_dispersed_creation_is_looked_up_by_its_reference() {
    let env = start().await;
    let provider = env.dispersed_provider();
    let session = Session::Dispersed(env.keys());
    let ten = Money::major(Currency::Eur, 10);
    let create = "/v1/compute/ledger/credit-purchases";

    // Refused before handling: nothing was created, so it is created again.
    let mut refused = rule(create, "POST", json!({"kind": "status", "status": 502}));
    refused["times"] = json!(1);
    env.faults(json!({"rules": [refused]})).await;
    let started = provider.start_purchase(&session, ten).await.unwrap();
    assert_eq!(env.count("POST", create).await, 2);
    let all = dispersed_purchases(&env).await;
    assert_eq!(all.len(), 1, "{all:?}");
    let memo = all[0]["memo"].as_str().unwrap();
    assert!(memo.starts_with("Topup ") && memo.is_ascii(), "{memo}");
    assert_eq!(
        started.reference,
        PurchaseRef::Dispersed {
            checkout_session_id: all[0]["checkout_session_id"].as_str().unwrap().to_owned()
        }
    );

    // Handled, answer cut off: found by its memo; the new one is what opens.
    env.admin_delete("/requests").await;
    let mut lost = rule(create, "POST", json!({"kind": "truncated"}));
    lost["times"] = json!(1);
    env.faults(json!({"rules": [lost]})).await;
    let started = provider.start_purchase(&session, ten).await.unwrap();
    assert_eq!(env.count("POST", create).await, 2);
    let all = dispersed_purchases(&env).await;
    assert_eq!(all.len(), 3, "{all:?}");
    assert_ne!(all[1]["memo"], all[2]["memo"], "one reference per attempt");
    assert_eq!(
        started.reference,
        PurchaseRef::Dispersed {
            checkout_session_id: all[2]["checkout_session_id"].as_str().unwrap().to_owned()
        },
        "the purchase whose page Topup has"
    );

    // The look-up fails too: nothing tells what became of it.
    env.admin_delete("/requests").await;
    let mut lost = rule(create, "POST", json!({"kind": "status", "status": 503}));
    lost["times"] = json!(1);
    let list = rule(create, "GET", json!({"kind": "status", "status": 503}));
    env.faults(json!({"rules": [lost, list]})).await;
    let err = provider.start_purchase(&session, ten).await.unwrap_err();
    assert_eq!(err.code(), ErrorCode::PurchaseUnconfirmed, "{err}");
    assert!(err.to_string().contains("HTTP 503"), "{err}");
    assert_eq!(env.count("POST", create).await, 1);

    // The service keeps failing before handling: three attempts, each known
    // not to have created anything; its own failure is the answer.
    env.admin_delete("/requests").await;
    let always = rule(create, "POST", json!({"kind": "status", "status": 503}));
    env.faults(json!({"rules": [always]})).await;
    let err = provider.start_purchase(&session, ten).await.unwrap_err();
    assert_eq!(err.code(), ErrorCode::ServerUnavailable, "{err}");
    assert_eq!(env.count("POST", create).await, 3);
    assert_eq!(
        dispersed_purchases(&env).await.len(),
        3,
        "nothing more was created"
    );
}

/// Clara shows no checkout sessions: an unknown creation is said plainly,
/// nothing is kept pending, and buying again works.
#[tokio::test]
async fn an_unknown_clara_creation_is_said_plainly_and_can_be_tried_again() {
    let env = start().await;
    let dir = tempfile::tempdir().unwrap();
    let accounts = accounts_service(&env, dir.path(), Arc::new(MemoryStore::default()));
    let record = add_signed_in(&accounts, sandbox_preset()).await;
    accounts.pricing(&record.id).await.unwrap();
    let mut dropped = rule("/api/v1/stripe/buy", "POST", json!({"kind": "reset"}));
    dropped["times"] = json!(1);
    env.faults(json!({"rules": [dropped]})).await;
    let err = accounts.buy(&record.id, "5").await.unwrap_err();
    assert_eq!(err.code(), ErrorCode::PurchaseUnconfirmed);
    assert_eq!(
        err.to_string(),
        "Topup could not tell whether the checkout was created: the connection broke off before \
         its whole answer. Nothing is charged unless a checkout is paid, so it is safe to try again."
    );
    assert!(accounts.pending_purchase(&record.id).unwrap().is_none());
    let outcome = accounts.buy(&record.id, "5").await.unwrap();
    assert!(matches!(outcome, BuyOutcome::Started { .. }));
    assert_eq!(env.count("POST", "/api/v1/stripe/buy").await, 2);
}

#[tokio::test]
async fn persistent_failures_surface_with_the_right_code_within_the_budget() {
    let env = start().await;
    let clara = env.clara();
    let session = env.login(demo::USER_EMAIL).await;
    for (kind, code) in [
        (
            json!({"kind": "status", "status": 503}),
            ErrorCode::ServerUnavailable,
        ),
        (
            json!({"kind": "rate_limit", "retry_after": 0}),
            ErrorCode::RateLimited,
        ),
        (json!({"kind": "reset"}), ErrorCode::ConnectionDropped),
        (json!({"kind": "malformed"}), ErrorCode::MalformedResponse),
    ] {
        env.faults(json!({"rules": [rule("/api/v1/stripe/rate", "GET", kind.clone())]}))
            .await;
        env.admin_delete("/requests").await;
        let err = clara.rate(&session).await.unwrap_err();
        assert_eq!(err.code(), code, "{kind}");
        assert_eq!(
            env.count("GET", "/api/v1/stripe/rate").await,
            6,
            "{kind}: every attempt of the policy was made"
        );
    }
    // A Retry-After longer than the budget is not waited out.
    env.faults(json!({"rules": [rule("/api/v1/stripe/rate", "GET", json!({"kind": "rate_limit", "retry_after": 60}))]})).await;
    env.admin_delete("/requests").await;
    let err = clara.rate(&session).await.unwrap_err();
    assert!(
        matches!(err, topup_core::Error::RateLimited { retry_after: Some(d) } if d.as_secs() == 60)
    );
    assert_eq!(env.count("GET", "/api/v1/stripe/rate").await, 1);
}
