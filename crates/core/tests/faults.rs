//! Misbehaving networks: idempotent calls recover within their budget,
//! purchase creation is attempted exactly once, and each failure surfaces as
//! the right error code.

mod common;

use common::*;
use serde_json::json;
use topup_core::money::{Currency, Money};
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
        env.admin
            .delete(env.admin_url("/requests"))
            .send()
            .await
            .unwrap();
        for _ in 0..3 {
            let user = clara
                .user(&session)
                .await
                .unwrap_or_else(|e| panic!("{kind}: {e}"));
            assert_eq!(user.email, demo::USER_EMAIL);
        }
        let sent = env.count("GET", "/api/v1/users/*").await;
        assert!(
            sent > 3,
            "{kind}: faults were met and retried ({sent} requests)"
        );
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
        clara.recent_transactions(&session).await.unwrap();
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
    assert!(hits >= 5, "faults were injected ({hits})");
}

#[tokio::test]
async fn purchase_creation_is_attempted_exactly_once() {
    let env = start().await;
    let clara = env.clara();
    let session = env.login(demo::USER_EMAIL).await;
    let five = Money::major(Currency::Usd, 5);
    let cases = [
        (
            json!({"kind": "status", "status": 503}),
            ErrorCode::ServerUnavailable,
        ),
        (
            json!({"kind": "status", "status": 500}),
            ErrorCode::ServerUnavailable,
        ),
        (
            json!({"kind": "rate_limit", "retry_after": 3}),
            ErrorCode::RateLimited,
        ),
        (json!({"kind": "reset"}), ErrorCode::NetworkUnreachable),
        (json!({"kind": "malformed"}), ErrorCode::MalformedResponse),
        (json!({"kind": "truncated"}), ErrorCode::MalformedResponse),
    ];
    for (kind, code) in cases {
        env.faults(json!({"rules": [rule("/api/v1/stripe/buy", "POST", kind.clone())]}))
            .await;
        env.admin
            .delete(env.admin_url("/requests"))
            .send()
            .await
            .unwrap();
        let err = clara.buy(&session, five, "").await.unwrap_err();
        assert_eq!(err.code(), code, "{kind}: {err}");
        assert_eq!(
            env.count("POST", "/api/v1/stripe/buy").await,
            1,
            "{kind}: never retried"
        );
    }

    let dispersed = env.dispersed();
    let base = env.sandbox.urls().base.clone();
    env.faults(json!({"rules": [rule("/v1/compute/ledger/credit-purchases", "POST", json!({"kind": "status", "status": 502}))]})).await;
    env.admin
        .delete(env.admin_url("/requests"))
        .send()
        .await
        .unwrap();
    let err = dispersed
        .create_purchase(
            Money::major(Currency::Eur, 10),
            &format!("{base}/console/ok"),
            &format!("{base}/console/no"),
            None,
        )
        .await
        .unwrap_err();
    assert_eq!(err.code(), ErrorCode::ServerUnavailable);
    assert_eq!(
        env.count("POST", "/v1/compute/ledger/credit-purchases")
            .await,
        1
    );
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
        (json!({"kind": "reset"}), ErrorCode::NetworkUnreachable),
        (json!({"kind": "malformed"}), ErrorCode::MalformedResponse),
    ] {
        env.faults(json!({"rules": [rule("/api/v1/stripe/rate", "GET", kind.clone())]}))
            .await;
        env.admin
            .delete(env.admin_url("/requests"))
            .send()
            .await
            .unwrap();
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
    env.admin
        .delete(env.admin_url("/requests"))
        .send()
        .await
        .unwrap();
    let err = clara.rate(&session).await.unwrap_err();
    assert!(
        matches!(err, topup_core::Error::RateLimited { retry_after: Some(d) } if d.as_secs() == 60)
    );
    assert_eq!(env.count("GET", "/api/v1/stripe/rate").await, 1);
}
