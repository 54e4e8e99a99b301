//! Fault injection: which request gets which fault, decided by rules and a
//! seeded random generator so that a run can be repeated exactly.

use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use bytes::Bytes;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

use crate::config::{FaultKind, FaultRule};

pub struct Injector {
    rules: Vec<FaultRule>,
    /// Matching requests seen, per rule.
    hits: Vec<u64>,
    /// Faults injected, per rule (what `times` counts).
    fired: Vec<u64>,
    rng: StdRng,
    seed: u64,
}

impl Injector {
    pub fn new(rules: Vec<FaultRule>, seed: u64) -> Self {
        Self {
            hits: vec![0; rules.len()],
            fired: vec![0; rules.len()],
            rules,
            rng: StdRng::seed_from_u64(seed),
            seed,
        }
    }

    /// Replaces the rules and restarts the sequence from the seed.
    pub fn set(&mut self, rules: Vec<FaultRule>, seed: Option<u64>) {
        let seed = seed.unwrap_or(self.seed);
        *self = Self::new(rules, seed);
    }

    pub fn rules(&self) -> &[FaultRule] {
        &self.rules
    }

    fn fired(&self, rule: usize) -> u64 {
        self.fired[rule]
    }

    /// The fault for this request, if any. Draws one number per matching
    /// probabilistic rule, in rule order, so the sequence only depends on the
    /// seed and the order of requests.
    pub fn decide(&mut self, method: &str, path: &str) -> Option<FaultKind> {
        if path.starts_with("/__sandbox") {
            return None;
        }
        let mut chosen = None;
        let mut roll: Option<f64> = None;
        let mut cumulative = 0.0;
        for (i, rule) in self.rules.iter().enumerate() {
            if !glob(&rule.path, path) {
                continue;
            }
            if rule
                .method
                .as_deref()
                .is_some_and(|m| !m.eq_ignore_ascii_case(method))
            {
                continue;
            }
            if rule.times.is_some_and(|n| self.fired(i) >= n) {
                continue;
            }
            self.hits[i] += 1;
            let hit = match (rule.every, rule.probability) {
                (Some(n), _) => n > 0 && self.hits[i].is_multiple_of(n),
                (None, Some(p)) => {
                    // One draw per request shared by all probabilistic rules, so
                    // their probabilities add up instead of compounding.
                    let r = *roll.get_or_insert_with(|| self.rng.random::<f64>());
                    cumulative += p;
                    r < cumulative
                }
                (None, None) => true,
            };
            if hit && chosen.is_none() {
                chosen = Some(rule.kind.clone());
                self.fired[i] += 1;
            }
        }
        chosen
    }
}

/// `*` matches any run of characters; everything else matches itself.
pub fn glob(pattern: &str, text: &str) -> bool {
    let parts: Vec<&str> = pattern.split('*').collect();
    let Some((first, rest)) = parts.split_first() else {
        return text.is_empty();
    };
    let Some(mut remaining) = text.strip_prefix(first) else {
        return false;
    };
    if rest.is_empty() {
        return remaining.is_empty();
    }
    for (i, part) in rest.iter().enumerate() {
        let last = i == rest.len() - 1;
        if last {
            return remaining.ends_with(part);
        }
        match remaining.find(part) {
            Some(pos) => remaining = &remaining[pos + part.len()..],
            None => return false,
        }
    }
    true
}

/// The injector the middleware and the `/__sandbox/faults` hook share.
#[derive(Clone)]
pub struct Faults(Arc<Mutex<Injector>>);

impl Faults {
    pub fn new(injector: Injector) -> Self {
        Self(Arc::new(Mutex::new(injector)))
    }

    /// Survives a panicked holder: the rules are plain values.
    pub fn lock(&self) -> MutexGuard<'_, Injector> {
        self.0.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// The middleware: applies the fault chosen for this request, if any.
pub async fn inject(State(faults): State<Faults>, req: Request, next: Next) -> Response {
    let path = req.uri().path().to_owned();
    let fault = faults.lock().decide(req.method().as_str(), &path);
    let Some(fault) = fault else {
        return next.run(req).await;
    };
    tracing::info!(?fault, %path, "injecting fault");
    let mut response = match fault {
        // Late but whole: the log still marks it, so a test can see it was slowed.
        FaultKind::Latency { ms } => {
            tokio::time::sleep(Duration::from_millis(ms)).await;
            next.run(req).await
        }
        FaultKind::Status { status } => status_response(&path, status),
        FaultKind::RateLimit { retry_after } => {
            let mut r = status_response(&path, 429);
            if let Ok(v) = HeaderValue::from_str(&retry_after.to_string()) {
                r.headers_mut().insert(header::RETRY_AFTER, v);
            }
            r
        }
        FaultKind::Reset => broken_body(StatusCode::OK, Vec::new()),
        // The request takes effect; only its answer breaks on the way back.
        FaultKind::Malformed => {
            let handled = next.run(req).await;
            (
                handled.status(),
                [(header::CONTENT_TYPE, "application/json")],
                "{\"data\": {\"credits\": 1O0, \"status\": \"succ",
            )
                .into_response()
        }
        FaultKind::Truncated => {
            let handled = next.run(req).await;
            let status = handled.status();
            let whole = axum::body::to_bytes(handled.into_body(), usize::MAX)
                .await
                .unwrap_or_default();
            // Half of the real answer (at least a byte), then the drop.
            let cut = (whole.len() / 2).max(1);
            let head = whole.get(..cut).unwrap_or(b"{").to_vec();
            broken_body(status, head)
        }
    };
    response
        .extensions_mut()
        .insert(crate::reqlog::Faulted(format!("{fault:?}")));
    response
}

fn status_response(path: &str, status: u16) -> Response {
    let code = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    if path.starts_with("/api/v1") && matches!(status, 429 | 500) {
        let message = if status == 429 {
            "You have exceeded the rate limit."
        } else {
            "Something went wrong."
        };
        return (
            code,
            axum::Json(serde_json::json!({"data": null, "message": message, "status": "error"})),
        )
            .into_response();
    }
    // What a proxy in front of the service answers: not the service's JSON.
    let reason = code.canonical_reason().unwrap_or("Error");
    (
        code,
        [(header::CONTENT_TYPE, "text/html")],
        format!("<html><head><title>{status} {reason}</title></head><body><h1>{status} {reason}</h1></body></html>"),
    )
        .into_response()
}

/// An answer whose body breaks off. With no bytes the connection closes
/// before anything is written (a reset, as the client sees it); with a
/// prefix, the headers (promising twice its length) and the prefix go out
/// first and the promised length is never reached.
fn broken_body(status: StatusCode, prefix: Vec<u8>) -> Response {
    use futures_util::StreamExt;
    let cut = || {
        std::io::Error::new(
            std::io::ErrorKind::ConnectionReset,
            "sandbox: injected connection drop",
        )
    };
    let declared = (!prefix.is_empty()).then(|| prefix.len() * 2);
    let body = if prefix.is_empty() {
        Body::from_stream(futures_util::stream::iter([Err::<Bytes, _>(cut())]))
    } else {
        let head = futures_util::stream::iter([Ok::<Bytes, std::io::Error>(Bytes::from(prefix))]);
        // Give the server time to flush the head before the connection drops.
        let tail = futures_util::stream::once(async move {
            tokio::time::sleep(Duration::from_millis(50)).await;
            Err(cut())
        });
        Body::from_stream(head.chain(tail))
    };
    let mut response = Response::new(body);
    *response.status_mut() = status;
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    if let Some(len) = declared {
        if let Ok(v) = HeaderValue::from_str(&len.to_string()) {
            response.headers_mut().insert(header::CONTENT_LENGTH, v);
        }
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::chaos;

    #[test]
    fn glob_matches_paths() {
        assert!(glob("*", "/anything"));
        assert!(glob("/api/v1/*", "/api/v1/users/x"));
        assert!(!glob("/api/v1/*", "/v1/compute"));
        assert!(glob(
            "/api/v1/users/*/transactions",
            "/api/v1/users/u1/transactions"
        ));
        assert!(!glob(
            "/api/v1/users/*/transactions",
            "/api/v1/users/u1/transactions/t"
        ));
        assert!(glob("/stripe/buy", "/stripe/buy"));
    }

    #[test]
    fn same_seed_same_faults() {
        let run = |seed| {
            let mut inj = Injector::new(chaos(0.5), seed);
            (0..200)
                .map(|i| {
                    inj.decide(
                        "GET",
                        if i % 2 == 0 {
                            "/api/v1/stripe/rate"
                        } else {
                            "/v1/x"
                        },
                    )
                })
                .collect::<Vec<_>>()
        };
        assert_eq!(run(7), run(7));
        assert_ne!(run(7), run(8));
        let hits = run(7).iter().filter(|f| f.is_some()).count();
        assert!(
            (60..140).contains(&hits),
            "about half of 200 requests, got {hits}"
        );
    }

    #[test]
    fn every_nth_and_sandbox_exemption() {
        let rule = FaultRule {
            path: "*".into(),
            method: Some("POST".into()),
            kind: FaultKind::Reset,
            probability: None,
            every: Some(3),
            times: None,
        };
        let mut inj = Injector::new(vec![rule], 1);
        let got: Vec<bool> = (0..6)
            .map(|_| inj.decide("POST", "/v1/x").is_some())
            .collect();
        assert_eq!(got, [false, false, true, false, false, true]);
        assert!(inj.decide("GET", "/v1/x").is_none());
        assert!(inj.decide("POST", "/__sandbox/reset").is_none());
    }
}
