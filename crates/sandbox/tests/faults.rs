//! Fault injection as a client meets it, deterministic for a seed; the request
//! log; and the binary's start-up line.

mod common;

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::Duration;

use common::*;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use topup_sandbox::{demo, Config, FaultKind, FaultRule};
use topup_test_support::{spawn_announcing, wait_for};

#[tokio::test]
async fn every_fault_kind_reaches_the_client() {
    let env = start().await;
    let rules = vec![
        FaultRule::on("/api/v1/version", FaultKind::Status { status: 503 }),
        FaultRule::on("/api/v1/health", FaultKind::RateLimit { retry_after: 7 }),
        FaultRule::on("/api/v1/stripe/rate", FaultKind::Reset),
        FaultRule::on("/api/v1/users/*", FaultKind::Malformed),
        FaultRule::on("/v1/consumer-profiles", FaultKind::Truncated),
        FaultRule::on("/stripe/v1/prices/*", FaultKind::Latency { ms: 300 }),
    ];
    env.admin_put("/faults", json!({"rules": rules})).await;
    let (user_id, token) = {
        // Login is not faulted (only the listed paths are).
        env.login(demo::USER_EMAIL).await
    };

    let r = env.http.get(env.clara("/version")).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert!(
        r.text().await.unwrap().contains("503"),
        "a proxy's page, not JSON"
    );

    let r = env.http.get(env.clara("/health")).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(r.headers()["retry-after"], "7");

    let reset = async {
        env.http
            .get(env.clara("/stripe/rate"))
            .bearer_auth(&token)
            .send()
            .await?
            .bytes()
            .await
    };
    assert!(
        reset.await.is_err(),
        "the connection drops without a usable answer"
    );

    let r = env
        .http
        .get(env.clara(&format!("/users/{user_id}")))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert!(
        serde_json::from_str::<Value>(&r.text().await.unwrap()).is_err(),
        "malformed JSON"
    );

    let r = env
        .http
        .get(format!("{}/v1/consumer-profiles", env.base()))
        .send()
        .await
        .unwrap();
    assert!(r.bytes().await.is_err(), "a truncated body fails to read");

    let price = format!("/v1/prices/{}", demo::CLARA_PRICE_ID);
    let (status, _) = env.stripe(Method::GET, &price).await;
    assert_eq!(status, StatusCode::OK, "latency delays but answers");
    let slowed = env.requests("/stripe/v1/prices/*").await;
    assert_eq!(slowed.len(), 1, "{slowed:?}");
    assert_eq!(slowed[0]["fault"], "Latency { ms: 300 }");
    assert_eq!(slowed[0]["status"], 200);

    let log = env.requests("/api/v1/*").await;
    let faulted: Vec<_> = log
        .iter()
        .filter(|e| e["fault"].is_string())
        .map(|e| e["path"].as_str().unwrap().to_owned())
        .collect();
    assert!(
        faulted.contains(&"/api/v1/version".to_owned())
            && faulted.contains(&"/api/v1/health".to_owned()),
        "{log:?}"
    );
    assert!(log.iter().any(|e| e["path"] == "/api/v1/auth/session"
        && e["status"] == 200
        && e["fault"].is_null()));

    // The test hooks are never faulted.
    env.admin_put(
        "/faults",
        json!({"rules": [FaultRule::on("*", FaultKind::Status { status: 500 })]}),
    )
    .await;
    assert_eq!(
        env.http
            .get(env.admin("/faults"))
            .send()
            .await
            .unwrap()
            .status(),
        StatusCode::OK
    );
}

async fn statuses_for_seed(env: &Env, seed: u64) -> Vec<String> {
    env.admin_put("/faults", json!({"chaos": 0.5, "seed": seed}))
        .await;
    let mut out = Vec::new();
    // Chaos includes latency faults: a short sequence keeps the test quick.
    for _ in 0..24 {
        let outcome = match env.http.get(env.clara("/version")).send().await {
            Ok(r) => {
                let status = r.status().as_u16();
                match r.text().await {
                    Ok(t) if serde_json::from_str::<Value>(&t).is_ok() => format!("{status}"),
                    Ok(_) => format!("{status}-not-json"),
                    Err(_) => format!("{status}-broken"),
                }
            }
            Err(_) => "dropped".to_owned(),
        };
        out.push(outcome);
    }
    out
}

#[tokio::test]
async fn faults_are_deterministic_for_a_seed() {
    let env = start().await;
    let first = statuses_for_seed(&env, 42).await;
    let again = statuses_for_seed(&env, 42).await;
    let other = statuses_for_seed(&env, 43).await;
    assert_eq!(first, again, "same seed, same faults in the same order");
    assert_ne!(first, other);
    let ok = first.iter().filter(|s| *s == "200").count();
    assert!((5..=19).contains(&ok), "about half succeed: {first:?}");
}

/// The statuses of `n` requests in a row to Clara's `/version`.
async fn version_statuses(env: &Env, n: usize) -> Vec<u16> {
    let mut got = Vec::with_capacity(n);
    for _ in 0..n {
        got.push(
            env.http
                .get(env.clara("/version"))
                .send()
                .await
                .unwrap()
                .status()
                .as_u16(),
        );
    }
    got
}

#[tokio::test]
async fn faults_set_at_start_apply_from_the_first_request() {
    let env = start_with(Config {
        faults: vec![FaultRule {
            every: Some(2),
            ..FaultRule::on("/api/v1/version", FaultKind::Status { status: 502 })
        }],
        ..Config::default()
    })
    .await;
    let got = version_statuses(&env, 4).await;
    assert_eq!(got, [200, 502, 200, 502]);
    let log = env.requests("/api/v1/version").await;
    assert_eq!(log.len(), 4, "every request is logged");
    env.http
        .delete(env.admin("/requests"))
        .send()
        .await
        .unwrap();
    assert!(env.requests("*").await.is_empty());
}

#[test]
fn the_binary_prints_its_urls_first() {
    let mut child = Command::new(env!("CARGO_BIN_EXE_topup-sandbox"))
        .args([
            "--port",
            "0",
            "--quirks",
            "boilerplate",
            "--seed",
            "3",
            "--price",
            "price_extra=250:eur",
            "--webhook",
            "http://127.0.0.1:9/hook=whsec_test",
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let first: Value = serde_json::from_str(&lines.next().unwrap().unwrap()).unwrap();
    let rest: Vec<String> = lines.take(3).map(Result::unwrap).collect();
    let _ = child.kill();
    let _ = child.wait();
    let clara = first["clara"].as_str().unwrap();
    assert!(clara.starts_with("http://127.0.0.1:") && clara.ends_with("/api/v1"));
    assert_eq!(
        first["stripe"].as_str().unwrap(),
        clara.replace("/api/v1", "/stripe")
    );
    assert_eq!(
        first["admin"].as_str().unwrap(),
        clara.replace("/api/v1", "/__sandbox")
    );
    assert_eq!(
        first["dispersed"].as_str().unwrap(),
        clara.trim_end_matches("/api/v1")
    );
    assert!(rest[0].contains(demo::USER_EMAIL) && rest[0].contains(demo::PASSWORD));
    assert!(rest[1].contains(demo::CLARA_PUBLIC_KEY));
    assert!(rest[2].contains("clara_api_"));
}

/// Starts the binary with `args`, returns it and the admin URL it printed.
fn start_binary(args: &[&str]) -> (std::process::Child, Value) {
    let (mut child, first) = spawn_announcing(
        Command::new(env!("CARGO_BIN_EXE_topup-sandbox"))
            .args(["--port", "0"])
            .args(args),
    )
    .unwrap();
    let Some(Ok(urls)) = first.as_deref().map(serde_json::from_str::<Value>) else {
        let status = child.wait().unwrap();
        panic!("the Sandbox did not start with {args:?}: {status}");
    };
    (child, urls)
}

#[tokio::test]
async fn the_binary_takes_faults_from_the_command_line() {
    let (mut chaotic, urls) = start_binary(&["--faults", "chaos=0.3", "--seed", "5"]);
    let rules: Value = reqwest::get(format!("{}/faults", urls["admin"].as_str().unwrap()))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let _ = chaotic.kill();
    let _ = chaotic.wait();
    let rules = rules["rules"].as_array().unwrap();
    assert_eq!(rules.len(), 16, "eight kinds on the two provider APIs");
    assert!(rules.iter().any(|r| r["kind"] == "latency"), "{rules:?}");

    let (mut listed, urls) = start_binary(&[
        "--faults",
        r#"[{"path": "/api/v1/version", "kind": "status", "status": 503}]"#,
    ]);
    let status = reqwest::get(format!("{}/version", urls["clara"].as_str().unwrap()))
        .await
        .unwrap()
        .status();
    let _ = listed.kill();
    let _ = listed.wait();
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
}

#[tokio::test]
async fn a_rule_with_times_hits_that_many_requests_then_never() {
    let env = start().await;
    let mut once = FaultRule::on("/api/v1/version", FaultKind::Status { status: 502 });
    once.times = Some(2);
    env.admin_put("/faults", json!({"rules": [once]})).await;
    let got = version_statuses(&env, 4).await;
    assert_eq!(got, [502, 502, 200, 200]);
}

/// A fault on the settlement webhook behaves as a real server's would: it
/// fails before handling (Stripe sees the failure and delivers again) or
/// breaks the answer after handling (the payment is credited). Either way
/// the payment is credited exactly once.
#[tokio::test]
async fn a_faulted_settlement_webhook_still_credits_exactly_once() {
    let kinds = [
        (FaultKind::Status { status: 500 }, false),
        (FaultKind::RateLimit { retry_after: 1 }, false),
        (FaultKind::Reset, false),
        (FaultKind::Malformed, true),
        (FaultKind::Truncated, true),
    ];
    for (kind, after_handling) in kinds {
        assert_eq!(kind.after_handling(), after_handling);
        let env = start().await;
        let (user_id, token) = env.login(demo::USER_EMAIL).await;
        let before = env.credits(&user_id, &token).await;
        let mut once = FaultRule::on("/api/v1/stripe/settle", kind.clone());
        once.times = Some(1);
        env.admin_put("/faults", json!({"rules": [once]})).await;
        let (s, b) = env
            .post_json(
                &env.clara("/stripe/buy"),
                &token,
                json!({"amount": 5, "return_path": "billing"}),
            )
            .await;
        assert_eq!(s, StatusCode::CREATED, "{b}");
        let url = b["data"]["url"].as_str().unwrap().to_owned();
        let paid = pay_on_page(&env, &url, "4242 4242 4242 4242").await;
        assert_eq!(paid.status(), StatusCode::SEE_OTHER);
        let id = session_id(&url);
        let delivery: Value = wait_for("a delivered settlement", Duration::from_secs(10), || {
            let env = &env;
            let id = id.clone();
            async move {
                let all: Vec<Value> = env.admin_json("/webhooks", &[]).await;
                all.into_iter().find(|d| {
                    d["object_id"] == id.as_str()
                        && d["url"].as_str().unwrap().ends_with("/stripe/settle")
                        && d["delivered"] == true
                })
            }
        })
        .await;
        assert_eq!(
            env.credits(&user_id, &token).await,
            before + 500.0,
            "{kind:?}: credited exactly once"
        );
        let settled: Vec<Value> = env.admin_json("/clara/settlements", &[]).await;
        assert_eq!(settled.len(), 1, "{kind:?}: {settled:?}");
        let attempts = delivery["attempts"].as_array().unwrap().len();
        let expected = match kind {
            // Handled, and its status (200) reached Stripe before the body broke.
            FaultKind::Malformed | FaultKind::Truncated => 1,
            // Refused before handling: Stripe delivers again.
            _ => 2,
        };
        assert_eq!(attempts, expected, "{kind:?}: {delivery}");
    }
}
