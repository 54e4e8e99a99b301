//! Whole purchases per backend: create → pay on the hosted page with an HTTP
//! form post (as a browser would) → signed webhook → credited exactly once.

mod common;

use std::time::Duration;

use common::*;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use topup_sandbox::demo;
use topup_test_support::wait_for;

const WAIT: Duration = Duration::from_secs(10);

async fn buy(env: &Env, token: &str, amount: i64) -> String {
    let (s, b) = env
        .post_json(
            &env.clara("/stripe/buy"),
            token,
            json!({"amount": amount, "return_path": "billing"}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{b}");
    b["data"]["url"].as_str().unwrap().to_owned()
}

async fn deliveries(env: &Env) -> Vec<Value> {
    env.admin_json("/webhooks", &[]).await
}

async fn clara_purchase_credits_once(env: Env) {
    let (user_id, token) = env.login(demo::USER_EMAIL).await;
    let before = env.credits(&user_id, &token).await;
    let url = buy(&env, &token, 5).await;
    assert_eq!(
        env.credits(&user_id, &token).await,
        before,
        "buying alone credits nothing"
    );

    let paid = pay_on_page(&env, &url, "4242 4242 4242 4242").await;
    assert_eq!(paid.status(), StatusCode::SEE_OTHER);
    let location = paid.headers()["location"].to_str().unwrap().to_owned();
    assert_eq!(
        location,
        format!("{}/client/billing?stripe_status=success", env.base())
    );

    let credited = wait_for("the settlement webhook", WAIT, || async {
        let c = env.credits(&user_id, &token).await;
        (c > before).then_some(c)
    })
    .await;
    assert_eq!(credited, before + 500.0);
    let (_, txs) = env
        .get_json(
            &env.clara(&format!("/users/{user_id}/transactions?limit=100&offset=0")),
            &token,
        )
        .await;
    let bought: Vec<&Value> = txs["data"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|t| t["description"] == "User bought 500.0 credits for $5.0.")
        .collect();
    assert_eq!(bought.len(), 1, "one CREDIT row: {txs}");
    assert_eq!(bought[0]["type"], "CREDIT");
    assert_eq!(bought[0]["value_in_fiat"], 5.0);

    // The delivery is signed and recorded.
    let id = session_id(&url);
    let settled = deliveries(&env)
        .await
        .into_iter()
        .find(|d| {
            d["object_id"] == id.as_str() && d["url"].as_str().unwrap().ends_with("/stripe/settle")
        })
        .unwrap();
    assert_eq!(settled["delivered"], true);
    assert_eq!(settled["event_type"], "checkout.session.completed");

    // Stripe may deliver again: the balance does not move a second time.
    let session: Value = env.admin_json(&format!("/checkout/{id}"), &[]).await;
    let event = json!({"id": "evt_replay", "object": "event", "type": "checkout.session.completed", "data": {"object": session}});
    let payload = serde_json::to_vec(&event).unwrap();
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64;
    let replay = env
        .http
        .post(env.clara("/stripe/settle"))
        .header(
            "Stripe-Signature",
            stripe_signature(demo::WEBHOOK_SECRET, now, &payload),
        )
        .header("Content-Type", "application/json")
        .body(payload)
        .send()
        .await
        .unwrap();
    let replay_status = replay.status();
    assert_eq!(
        env.credits(&user_id, &token).await,
        before + 500.0,
        "settled at most once"
    );
    // One settlement recorded, with the wall-clock instant benchmarks time from.
    let settlements: Vec<Value> = env.admin_json("/clara/settlements", &[]).await;
    let ours: Vec<&Value> = settlements
        .iter()
        .filter(|s| s["session_id"] == id.as_str())
        .collect();
    assert_eq!(ours.len(), 1, "{settlements:?}");
    assert_eq!(ours[0]["user_id"], user_id.as_str());
    assert_eq!(ours[0]["credits"], 500.0);
    let now_ms = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis() as u64;
    let at = ours[0]["wall_ms"].as_u64().unwrap();
    assert!(at <= now_ms && now_ms - at < 60_000, "{at} vs {now_ms}");
    let quirky = split(env.http.get(env.clara("/version")).send().await.unwrap())
        .await
        .1["data"]["version"]
        == "1.0.0";
    assert_eq!(
        replay_status,
        if quirky {
            StatusCode::INTERNAL_SERVER_ERROR
        } else {
            StatusCode::OK
        }
    );
}

fn stripe_signature(secret: &str, t: i64, payload: &[u8]) -> String {
    use hmac::{Hmac, Mac};
    let mut mac = Hmac::<sha2::Sha256>::new_from_slice(secret.as_bytes()).unwrap();
    mac.update(format!("{t}.").as_bytes());
    mac.update(payload);
    format!("t={t},v1={}", hex::encode(mac.finalize().into_bytes()))
}

#[tokio::test]
async fn clara_purchase_lands_exactly_once() {
    clara_purchase_credits_once(start().await).await;
}

#[tokio::test]
async fn clara_purchase_lands_exactly_once_in_boilerplate_mode() {
    clara_purchase_credits_once(start_quirky().await).await;
}

#[tokio::test]
async fn settlement_refuses_bad_signatures() {
    let env = start().await;
    let payload = br#"{"type":"checkout.session.completed","data":{"object":{"id":"cs_test_x","metadata":{"user_id":"u","value_in_credits":"500"}}}}"#;
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64;
    // A settlement as Stripe would deliver it to `env`, signed with `secret` if any.
    let settle = async |env: &Env, secret: Option<&str>| {
        let mut request = env
            .http
            .post(env.clara("/stripe/settle"))
            .body(payload.to_vec());
        if let Some(secret) = secret {
            request = request.header("Stripe-Signature", stripe_signature(secret, now, payload));
        }
        request.send().await.unwrap().status()
    };
    assert_eq!(
        settle(&env, Some("whsec_wrong")).await,
        StatusCode::BAD_REQUEST
    );
    assert_eq!(settle(&env, None).await, StatusCode::BAD_REQUEST);
    let quirky = start_quirky().await;
    let forged = settle(&quirky, Some("whsec_wrong")).await;
    assert_eq!(
        forged,
        StatusCode::INTERNAL_SERVER_ERROR,
        "the boilerplate lets the verification error escape"
    );
}

#[tokio::test]
async fn declined_and_insufficient_cards_credit_nothing() {
    let env = start().await;
    let (user_id, token) = env.login(demo::USER_EMAIL).await;
    let before = env.credits(&user_id, &token).await;
    let url = buy(&env, &token, 5).await;
    for (card, message) in [
        ("4000 0000 0000 0002", "Your card was declined."),
        ("4000000000009995", "Your card has insufficient funds."),
    ] {
        let r = pay_on_page(&env, &url, card).await;
        assert_eq!(r.status(), StatusCode::PAYMENT_REQUIRED);
        let html = r.text().await.unwrap();
        assert!(html.contains(message), "{card} shows “{message}”");
        assert!(html.contains("id=\"pay\""), "the form is offered again");
    }
    let id = session_id(&url);
    let session: Value = env.admin_json(&format!("/checkout/{id}"), &[]).await;
    assert_eq!(session["status"], "open");
    assert_eq!(session["payment_status"], "unpaid");
    assert_eq!(session["sandbox"]["declines"].as_array().unwrap().len(), 2);
    assert!(
        deliveries(&env).await.is_empty(),
        "no webhook for a declined card"
    );
    assert_eq!(env.credits(&user_id, &token).await, before);
}

#[tokio::test]
async fn an_expired_session_cannot_be_paid() {
    let env = start().await;
    let (user_id, token) = env.login(demo::USER_EMAIL).await;
    let before = env.credits(&user_id, &token).await;

    // Expired on request, through the Stripe API.
    let url = buy(&env, &token, 5).await;
    let id = session_id(&url);
    let expire = format!("/v1/checkout/sessions/{id}/expire");
    let (s, session) = env.stripe(Method::POST, &expire).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(session["status"], "expired");
    assert_eq!(session["url"], Value::Null, "no url once expired");
    let r = env
        .http
        .post(&url)
        .form(&[
            ("email", "x@topup.test"),
            ("card_number", "4242424242424242"),
            ("expiry", "12/34"),
            ("cvc", "123"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::GONE);
    let again = env
        .admin_post(
            &format!("/checkout/{id}/pay"),
            json!({"card": "4242424242424242"}),
        )
        .await;
    assert_eq!(again.status(), StatusCode::CONFLICT);

    // Expired on time: 24 h later by the Sandbox clock.
    let url = buy(&env, &token, 6).await;
    let id = session_id(&url);
    let r: Value = env
        .admin_post("/clock/advance", json!({"seconds": 86_401}))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(r["expired_sessions"], 1);
    let session: Value = env.admin_json(&format!("/checkout/{id}"), &[]).await;
    assert_eq!(session["status"], "expired");
    assert_eq!(
        env.http.get(&url).send().await.unwrap().status(),
        StatusCode::GONE
    );
    let expired_events = wait_for("expired events", WAIT, || async {
        let d = deliveries(&env).await;
        let n = d
            .iter()
            .filter(|d| d["event_type"] == "checkout.session.expired")
            .count();
        (n >= 2).then_some(n)
    })
    .await;
    assert_eq!(
        expired_events, 2,
        "both expiries reached the Dispersed webhook"
    );
    assert_eq!(env.credits(&user_id, &token).await, before);
}

async fn dispersed_create(env: &Env, amount: Value) -> (StatusCode, Value) {
    let base = env.base().to_owned();
    env.dispersed(
        Method::POST,
        "/v1/compute/ledger/credit-purchases",
        Some(&json!({"amount": amount, "cancel_url": format!("{base}/console/billing?checkout=cancelled"), "redirect_url": format!("{base}/console/billing?checkout=success"), "memo": "Topup test"})),
    )
    .await
}

async fn reconcile(env: &Env, id: &str) -> Value {
    let (s, b) = env
        .dispersed(
            Method::GET,
            &format!("/v1/compute/ledger/credit-purchases/reconcile?checkout_session_id={id}"),
            None,
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{b}");
    b
}

#[tokio::test]
async fn dispersed_purchase_completes() {
    let env = start().await;
    let (s, created) = dispersed_create(&env, json!(10)).await;
    assert_eq!(s, StatusCode::CREATED, "{created}");
    let id = created["checkout_session"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let url = created["checkout_session"]["url"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(created["checkout_session"]["amount_total"], 1000);
    assert_eq!(reconcile(&env, &id).await["status"], "PENDING");

    let paid = pay_on_page(&env, &url, "4242424242424242").await;
    assert_eq!(paid.status(), StatusCode::SEE_OTHER);
    assert!(paid.headers()["location"]
        .to_str()
        .unwrap()
        .ends_with("/console/billing?checkout=success"));
    let done = reconcile(&env, &id).await;
    assert_eq!(done["status"], "COMPLETED");
    assert!(done["completed_at"].is_string());
    assert_eq!(done["amount"], 10);
    assert_eq!(done["memo"], "Topup test");
    assert_eq!(
        reconcile(&env, &id).await["status"],
        "COMPLETED",
        "terminal states stay"
    );

    let (_, list) = env
        .dispersed(
            Method::GET,
            "/v1/compute/ledger/credit-purchases?filter[status]=COMPLETED&limit=5",
            None,
        )
        .await;
    assert_eq!(list["total"], 1);
    assert_eq!(list["data"][0]["checkout_session_id"], id.as_str());
}

#[tokio::test]
async fn dispersed_declined_then_expired() {
    let env = start().await;
    let (_, created) = dispersed_create(&env, json!(12.5)).await;
    let id = created["session_id"].as_str().unwrap().to_owned();
    let url = created["session_url"].as_str().unwrap().to_owned();
    assert_eq!(created["checkout_session"]["amount_total"], 1250);
    let r = pay_on_page(&env, &url, "4000000000000002").await;
    assert_eq!(r.status(), StatusCode::PAYMENT_REQUIRED);
    assert_eq!(reconcile(&env, &id).await["status"], "PENDING");
    let r = env
        .admin_post(&format!("/checkout/{id}/expire"), Value::Null)
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(reconcile(&env, &id).await["status"], "EXPIRED");
    let r = env
        .admin_post(
            &format!("/checkout/{id}/pay"),
            json!({"card": "4242424242424242"}),
        )
        .await;
    assert_eq!(
        r.status(),
        StatusCode::CONFLICT,
        "an expired session cannot be paid"
    );
    assert_eq!(reconcile(&env, &id).await["status"], "EXPIRED");
}

#[tokio::test]
async fn dispersed_rules_on_amounts_and_return_urls() {
    let env = start().await;
    for bad in [
        json!(0),
        json!(-5),
        json!(10.001),
        json!("10"),
        json!(10_001),
    ] {
        let (s, b) = dispersed_create(&env, bad.clone()).await;
        assert_eq!(s, StatusCode::BAD_REQUEST, "{bad}: {b}");
        assert_eq!(b["error"]["code"], "invalid_amount");
    }
    let (s, b) = env
        .dispersed(Method::POST, "/v1/compute/ledger/credit-purchases", Some(&json!({"amount": 10, "cancel_url": "https://console.dispersed.com/billing?checkout=cancelled", "redirect_url": "https://evil.example/billing"})))
        .await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    assert_eq!(b["error"]["code"], "invalid_redirect_url");
    let (s, b) = env
        .dispersed(Method::POST, "/v1/compute/ledger/credit-purchases", Some(&json!({"amount": 10, "cancel_url": "https://console.dispersed.com/x", "redirect_url": "https://console.dispersed.com/billing?checkout=success"})))
        .await;
    assert_eq!(s, StatusCode::CREATED, "the console domain is allowed: {b}");

    // Before the upstream update, checkout_session is null and the deprecated fields carry the session.
    env.admin_put("/dispersed/legacy", json!({"enabled": true}))
        .await;
    let (s, legacy) = dispersed_create(&env, json!(5)).await;
    assert_eq!(s, StatusCode::CREATED);
    assert_eq!(legacy["checkout_session"], Value::Null);
    assert!(legacy["session_id"]
        .as_str()
        .unwrap()
        .starts_with("cs_test_"));
    assert!(legacy["session_url"]
        .as_str()
        .unwrap()
        .contains("/stripe/c/pay/"));
}

#[tokio::test]
async fn dispersed_list_pages_sorts_and_filters() {
    let env = start().await;
    let mut ids = Vec::new();
    for amount in [1, 2, 3, 4, 5] {
        let (_, c) = dispersed_create(&env, json!(amount)).await;
        ids.push(c["session_id"].as_str().unwrap().to_owned());
    }
    env.admin_post(
        &format!("/checkout/{}/pay", ids[1]),
        json!({"card": "4242424242424242"}),
    )
    .await;
    reconcile(&env, &ids[1]).await;
    let (_, page) = env
        .dispersed(
            Method::GET,
            "/v1/compute/ledger/credit-purchases?limit=2&page=2&sort=created_at",
            None,
        )
        .await;
    assert_eq!(page["total"], 5);
    assert_eq!(page["limit"], 2);
    assert_eq!(page["page"], 2);
    assert_eq!(page["data"].as_array().unwrap().len(), 2);
    let (_, pending) = env
        .dispersed(
            Method::GET,
            "/v1/compute/ledger/credit-purchases?filter[status]=PENDING,EXPIRED",
            None,
        )
        .await;
    assert_eq!(pending["total"], 4);
    let (_, done) = env
        .dispersed(
            Method::GET,
            "/v1/compute/ledger/credit-purchases?filter[status]=COMPLETED",
            None,
        )
        .await;
    assert_eq!(done["data"][0]["checkout_session_id"], ids[1].as_str());
    for bad in [
        "limit=0",
        "limit=51",
        "page=0",
        "sort=amount",
        "filter[status]=PAID",
    ] {
        let (s, _) = env
            .dispersed(
                Method::GET,
                &format!("/v1/compute/ledger/credit-purchases?{bad}"),
                None,
            )
            .await;
        assert_eq!(s, StatusCode::BAD_REQUEST, "{bad}");
    }
}

/// A receiver that fails the first `failures` deliveries, then accepts; it
/// reports every `Stripe-Signature` it saw.
async fn flaky_receiver(
    failures: usize,
) -> (String, std::sync::Arc<std::sync::Mutex<Vec<String>>>) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let seen = std::sync::Arc::new(std::sync::Mutex::new(Vec::<String>::new()));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/hook", listener.local_addr().unwrap());
    let log = seen.clone();
    tokio::spawn(async move {
        while let Ok((mut socket, _)) = listener.accept().await {
            let mut buf = vec![0u8; 1 << 20];
            let mut len = 0;
            // Read until the whole body (Content-Length) is in.
            while let Ok(n) = socket.read(&mut buf[len..]).await {
                if n == 0 {
                    break;
                }
                len += n;
                let text = String::from_utf8_lossy(&buf[..len]).to_string();
                let Some(head_end) = text.find("\r\n\r\n") else {
                    continue;
                };
                let want = text[..head_end]
                    .lines()
                    .find_map(|l| {
                        l.to_ascii_lowercase()
                            .strip_prefix("content-length:")
                            .map(|v| v.trim().parse::<usize>().unwrap_or(0))
                    })
                    .unwrap_or(0);
                if len >= head_end + 4 + want {
                    break;
                }
            }
            let text = String::from_utf8_lossy(&buf[..len]).to_string();
            let signature = text
                .lines()
                .find_map(|l| {
                    l.strip_prefix("stripe-signature: ")
                        .or_else(|| l.strip_prefix("Stripe-Signature: "))
                })
                .unwrap_or_default()
                .to_owned();
            let attempt = {
                let mut l = log.lock().unwrap();
                l.push(signature);
                l.len()
            };
            let status = if attempt <= failures {
                "500 Internal Server Error"
            } else {
                "200 OK"
            };
            let _ = socket
                .write_all(
                    format!("HTTP/1.1 {status}\r\ncontent-length: 0\r\nconnection: close\r\n\r\n")
                        .as_bytes(),
                )
                .await;
        }
    });
    (url, seen)
}

#[tokio::test]
async fn webhooks_are_retried_until_the_receiver_accepts() {
    let (url, seen) = flaky_receiver(2).await;
    let env = start_with(topup_sandbox::Config {
        webhooks: vec![topup_sandbox::SeedWebhook {
            url: url.clone(),
            secret: "whsec_receiver".into(),
        }],
        ..topup_sandbox::Config::default()
    })
    .await;
    let (_, token) = env.login(demo::USER_EMAIL).await;
    let checkout = buy(&env, &token, 5).await;
    assert_eq!(
        pay_on_page(&env, &checkout, "4242424242424242")
            .await
            .status(),
        StatusCode::SEE_OTHER
    );
    let delivery = wait_for("three attempts at the flaky receiver", WAIT, || async {
        let d = deliveries(&env)
            .await
            .into_iter()
            .find(|d| d["url"] == url.as_str())?;
        (d["delivered"] == true).then_some(d)
    })
    .await;
    let statuses: Vec<_> = delivery["attempts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["status"].clone())
        .collect();
    assert_eq!(statuses, [json!(500), json!(500), json!(200)]);
    let signatures = seen.lock().unwrap().clone();
    assert_eq!(signatures.len(), 3);
    assert!(
        signatures
            .iter()
            .all(|s| s.starts_with("t=") && s.contains(",v1=")),
        "{signatures:?}"
    );
}
