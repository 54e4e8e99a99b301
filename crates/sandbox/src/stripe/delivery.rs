//! Webhook delivery: each event to every endpoint subscribed to its type, in
//! the background, retried with backoff while the receiver fails.

use std::time::Duration;

use serde_json::Value;

use super::webhooks::{sign, Attempt, Delivery};
use super::App;
use crate::ids;

/// Waits between attempts. Stripe retries for days; a test double keeps the
/// same shape on a scale of seconds, with attempts enough (about 24 s of
/// them) that a receiver failing a third of its requests is still reached.
const BACKOFF_MS: [u64; 10] = [0, 250, 500, 1_000, 2_000, 4_000, 4_000, 4_000, 4_000, 4_000];

/// Sends `event` to every endpoint subscribed to its type, in the background.
pub fn deliver(app: &App, event: Value) {
    let kind = event["type"].as_str().unwrap_or_default().to_owned();
    let targets: Vec<(String, String)> = app
        .world()
        .stripe
        .endpoints
        .iter()
        .filter(|e| e.enabled_events.iter().any(|k| k == "*" || *k == kind))
        .map(|e| (e.url.clone(), e.secret.clone()))
        .collect();
    let payload = match serde_json::to_vec_pretty(&event) {
        Ok(p) => p,
        Err(_) => return,
    };
    for (url, secret) in targets {
        let delivery = Delivery {
            id: ids::stripe("whdel"),
            event_id: event["id"].as_str().unwrap_or_default().to_owned(),
            event_type: kind.clone(),
            object_id: event["data"]["object"]["id"].as_str().map(str::to_owned),
            url: url.clone(),
            attempts: Vec::new(),
            delivered: false,
        };
        let id = delivery.id.clone();
        app.world().stripe.deliveries.push(delivery);
        let app = app.clone();
        let payload = payload.clone();
        tokio::spawn(async move {
            for wait in BACKOFF_MS {
                tokio::time::sleep(Duration::from_millis(wait)).await;
                let (t, at_ms) = {
                    let w = app.world();
                    (w.clock.unix(), w.clock.unix_ms())
                };
                let result = app
                    .http
                    .post(&url)
                    .header("Content-Type", "application/json; charset=utf-8")
                    .header(
                        "User-Agent",
                        "Stripe/1.0 (+https://stripe.com/docs/webhooks)",
                    )
                    .header("Stripe-Signature", sign(&secret, t, &payload))
                    .body(payload.clone())
                    .send()
                    .await;
                let attempt = match &result {
                    Ok(r) => Attempt {
                        at_ms,
                        status: Some(r.status().as_u16()),
                        error: None,
                    },
                    Err(e) => Attempt {
                        at_ms,
                        status: None,
                        error: Some(e.to_string()),
                    },
                };
                let ok = attempt.status.is_some_and(|s| (200..300).contains(&s));
                {
                    let mut w = app.world();
                    if let Some(d) = w.stripe.deliveries.iter_mut().find(|d| d.id == id) {
                        d.attempts.push(attempt);
                        d.delivered = ok;
                    }
                }
                if ok {
                    return;
                }
                tracing::warn!(%url, "webhook delivery failed, will retry");
            }
        });
    }
}
