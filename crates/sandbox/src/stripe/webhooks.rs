//! Webhook delivery, signed the way Stripe signs: `Stripe-Signature:
//! t=<unix>,v1=<hex HMAC-SHA256(secret, "<t>.<payload>")>`, retried with
//! backoff while the receiver fails.

use std::time::Duration;

use hmac::{Hmac, Mac};
use serde::Serialize;
use serde_json::Value;
use sha2::Sha256;

use crate::ids;
use crate::state::App;

/// Waits between attempts. Stripe retries for days; a test double keeps the
/// same shape on a scale of seconds, with attempts enough (about 24 s of
/// them) that a receiver failing a third of its requests is still reached.
const BACKOFF_MS: [u64; 10] = [0, 250, 500, 1_000, 2_000, 4_000, 4_000, 4_000, 4_000, 4_000];

#[derive(Debug, Clone, Serialize)]
pub struct Delivery {
    pub id: String,
    pub event_id: String,
    pub event_type: String,
    /// The session (or other object) the event is about.
    pub object_id: Option<String>,
    pub url: String,
    pub attempts: Vec<Attempt>,
    pub delivered: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct Attempt {
    pub at_ms: i64,
    /// The receiver's status, or `None` when it could not be reached.
    pub status: Option<u16>,
    pub error: Option<String>,
}

/// `t=…,v1=…` for `payload` at time `t`.
pub fn sign(secret: &str, t: i64, payload: &[u8]) -> String {
    format!("t={t},v1={}", signature(secret, t, payload))
}

fn signature(secret: &str, t: i64, payload: &[u8]) -> String {
    let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(secret.as_bytes()) else {
        // HMAC takes keys of any length; this branch cannot be reached.
        return String::new();
    };
    mac.update(t.to_string().as_bytes());
    mac.update(b".");
    mac.update(payload);
    hex::encode(mac.finalize().into_bytes())
}

/// Checks a `Stripe-Signature` header as Stripe's libraries do: some `v1`
/// matches and the timestamp is within `tolerance` seconds of `now`.
pub fn verify(
    secret: &str,
    header: &str,
    payload: &[u8],
    now: i64,
    tolerance: i64,
) -> Result<(), &'static str> {
    let mut t = None;
    let mut candidates = Vec::new();
    for part in header.split(',') {
        match part.trim().split_once('=') {
            Some(("t", v)) => t = v.parse::<i64>().ok(),
            Some(("v1", v)) => candidates.push(v.to_owned()),
            _ => {}
        }
    }
    let t = t.ok_or("Unable to extract timestamp and signatures from header")?;
    if candidates.is_empty() {
        return Err("No signatures found with expected scheme");
    }
    let expected = signature(secret, t, payload);
    let matches = candidates.iter().any(|c| {
        // Constant-time comparison of the hex strings' bytes.
        c.len() == expected.len()
            && c.bytes()
                .zip(expected.bytes())
                .fold(0u8, |acc, (a, b)| acc | (a ^ b))
                == 0
    });
    if !matches {
        return Err("No signatures found matching the expected signature for payload");
    }
    if (now - t).abs() > tolerance {
        return Err("Timestamp outside the tolerance zone");
    }
    Ok(())
}

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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signatures_verify_and_refuse_tampering() {
        let payload = br#"{"type":"checkout.session.completed"}"#;
        let header = sign("whsec_sandbox", 1_700_000_000, payload);
        assert!(verify("whsec_sandbox", &header, payload, 1_700_000_100, 300).is_ok());
        assert!(verify("whsec_other", &header, payload, 1_700_000_100, 300).is_err());
        assert!(verify("whsec_sandbox", &header, b"{}", 1_700_000_100, 300).is_err());
        assert_eq!(
            verify("whsec_sandbox", &header, payload, 1_700_001_000, 300),
            Err("Timestamp outside the tolerance zone")
        );
        assert!(verify("whsec_sandbox", "garbage", payload, 0, 300).is_err());
    }
}
