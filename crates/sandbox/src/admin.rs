//! Test hooks under `/__sandbox` (documented in the crate README). They are
//! never faulted and never appear in the request log.

use std::collections::HashMap;
use std::time::Duration;

use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::{json, Value};

use crate::app::AppState;
use crate::config::{self, FaultRule};
use crate::hook_reply::{bad, not_found};
use crate::state::Common;
use crate::stripe::{self, delivery};
use crate::urls::Urls;

/// The hooks that belong to no one service; each service adds its own.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/", get(index))
        .route("/otp", get(otp))
        .route("/emails", get(emails))
        .route("/requests", get(requests).delete(clear_requests))
        .route("/faults", get(faults).put(set_faults))
        .route("/clock/advance", post(advance_clock))
        .route("/reset", post(reset))
}

async fn index(State(app): State<Common>) -> Json<Value> {
    Json(json!({
        "urls": Urls::for_base(&app.base),
        "quirks": app.config.quirks,
        "endpoints": [
            "GET /__sandbox/otp?email=&type=", "GET /__sandbox/emails",
            "GET /__sandbox/checkout", "GET /__sandbox/checkout/{id}",
            "POST /__sandbox/checkout/{id}/pay {card, email?}", "POST /__sandbox/checkout/{id}/expire",
            "GET /__sandbox/clara/users/{email}", "PUT /__sandbox/clara/users/{email}/credits {credits}",
            "GET /__sandbox/clara/users/{email}/api_key", "GET /__sandbox/clara/settlements",
            "POST /__sandbox/clara/sessions/revoke {email}", "POST /__sandbox/clara/sessions/expire {email}",
            "PUT /__sandbox/clara/token_ttl {seconds}", "GET /__sandbox/google/id_token?email=",
            "PUT /__sandbox/dispersed/legacy {enabled}", "GET /__sandbox/dispersed/purchases",
            "GET /__sandbox/webhooks",
            "GET|DELETE /__sandbox/requests", "GET|PUT /__sandbox/faults",
            "POST /__sandbox/clock/advance {seconds}", "POST /__sandbox/reset"
        ]
    }))
}

#[derive(Deserialize)]
struct OtpQuery {
    email: String,
    #[serde(rename = "type")]
    kind: Option<String>,
}

async fn otp(State(app): State<Common>, Query(q): Query<OtpQuery>) -> Response {
    let found = app
        .emails()
        .iter()
        .rev()
        .filter(|e| e.to.eq_ignore_ascii_case(&q.email))
        .filter(|e| {
            q.kind
                .as_ref()
                .is_none_or(|k| e.otp_type.as_deref() == Some(k.as_str()))
        })
        .find_map(|e| e.code.clone());
    match found {
        Some(code) => Json(json!({"code": code})).into_response(),
        None => not_found("OTP"),
    }
}

async fn emails(State(app): State<Common>) -> Json<Value> {
    Json(json!(*app.emails()))
}

async fn requests(
    State(app): State<Common>,
    Query(q): Query<HashMap<String, String>>,
) -> Json<Value> {
    let log = app.log();
    let entries: Vec<Value> = log
        .entries()
        .iter()
        .filter(|e| {
            q.get("method")
                .is_none_or(|m| m.eq_ignore_ascii_case(&e.method))
        })
        .filter(|e| {
            q.get("path")
                .is_none_or(|p| crate::faults::glob(p, &e.path))
        })
        .map(|e| json!(e))
        .collect();
    Json(Value::Array(entries))
}

async fn clear_requests(State(app): State<Common>) -> StatusCode {
    app.log().clear();
    StatusCode::NO_CONTENT
}

async fn faults(State(app): State<Common>) -> Json<Value> {
    Json(json!({"rules": app.faults().rules()}))
}

#[derive(Deserialize)]
struct FaultsBody {
    #[serde(default)]
    rules: Vec<FaultRule>,
    /// Shorthand for the `chaos=<p>` rule set.
    chaos: Option<f64>,
    seed: Option<u64>,
}

async fn set_faults(State(app): State<Common>, Json(body): Json<FaultsBody>) -> Response {
    let rules = match body.chaos {
        Some(p) if (0.0..=1.0).contains(&p) => config::chaos(p),
        Some(_) => return bad("chaos must be between 0 and 1"),
        None => body.rules,
    };
    app.faults().set(rules, body.seed);
    Json(json!({"rules": app.faults().rules()})).into_response()
}

#[derive(Deserialize)]
struct SecondsBody {
    seconds: f64,
}

async fn advance_clock(State(app): State<AppState>, Json(body): Json<SecondsBody>) -> Response {
    if !body.seconds.is_finite() || body.seconds < 0.0 {
        return bad("seconds must be a non-negative number");
    }
    app.common
        .clock
        .advance(Duration::from_secs_f64(body.seconds));
    let events = {
        let mut world = app.stripe.world();
        stripe::expire_due(&app.stripe, &mut world)
    };
    let expired = events.len();
    for e in events {
        delivery::deliver(&app.stripe, e);
    }
    let now = app.common.clock.unix();
    Json(json!({"now": now, "expired_sessions": expired})).into_response()
}

async fn reset(State(app): State<AppState>) -> StatusCode {
    app.reseed();
    app.common.log().clear();
    StatusCode::NO_CONTENT
}
