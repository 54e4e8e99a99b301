//! Test hooks under `/__sandbox` (documented in the crate README). They are
//! never faulted and never appear in the request log.

use std::collections::HashMap;
use std::time::Duration;

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post, put};
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::{json, Value};

use crate::config::{self, FaultRule};
use crate::state::App;
use crate::stripe::{self, webhooks, Payment};
use crate::{clara, server};

pub fn routes() -> Router<App> {
    Router::new()
        .route("/", get(index))
        .route("/otp", get(otp))
        .route("/emails", get(emails))
        .route("/checkout", get(sessions))
        .route("/checkout/{id}", get(session))
        .route("/checkout/{id}/pay", post(pay))
        .route("/checkout/{id}/expire", post(expire))
        .route("/clara/users/{email}", get(clara_user))
        .route("/clara/users/{email}/credits", put(set_credits))
        .route("/clara/users/{email}/api_key", get(api_key))
        .route("/clara/settlements", get(settlements))
        .route("/clara/sessions/revoke", post(revoke_sessions))
        .route("/clara/sessions/expire", post(expire_sessions))
        .route("/clara/token_ttl", put(token_ttl))
        .route("/google/id_token", get(id_token))
        .route("/dispersed/legacy", put(dispersed_legacy))
        .route("/dispersed/purchases", get(dispersed_purchases))
        .route("/webhooks", get(deliveries))
        .route("/requests", get(requests).delete(clear_requests))
        .route("/faults", get(faults).put(set_faults))
        .route("/clock/advance", post(advance_clock))
        .route("/reset", post(reset))
}

fn not_found(what: &str) -> Response {
    (
        StatusCode::NOT_FOUND,
        Json(json!({"error": format!("{what} not found")})),
    )
        .into_response()
}

fn bad(message: &str) -> Response {
    (StatusCode::BAD_REQUEST, Json(json!({"error": message}))).into_response()
}

async fn index(State(app): State<App>) -> Json<Value> {
    Json(json!({
        "urls": server::urls_for(&app.base),
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

async fn otp(State(app): State<App>, Query(q): Query<OtpQuery>) -> Response {
    let world = app.world();
    let found = world
        .emails
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

async fn emails(State(app): State<App>) -> Json<Value> {
    Json(json!(app.world().emails))
}

fn session_extra(app: &App, s: &stripe::Session, store: &stripe::Store) -> Value {
    let mut v = s.to_json(&app.base, store);
    v["sandbox"] = json!({"paid_at_ms": s.paid_at_ms, "declines": s.declines});
    v
}

async fn sessions(State(app): State<App>) -> Json<Value> {
    let world = app.world();
    let list: Vec<Value> = world
        .stripe
        .sessions
        .values()
        .map(|s| session_extra(&app, s, &world.stripe))
        .collect();
    Json(Value::Array(list))
}

async fn session(State(app): State<App>, Path(id): Path<String>) -> Response {
    let world = app.world();
    match world.stripe.sessions.get(&id) {
        Some(s) => Json(session_extra(&app, s, &world.stripe)).into_response(),
        None => not_found("checkout session"),
    }
}

#[derive(Deserialize)]
struct PayBody {
    card: String,
    email: Option<String>,
}

async fn pay(
    State(app): State<App>,
    Path(id): Path<String>,
    Json(body): Json<PayBody>,
) -> Response {
    let (events, outcome) = {
        let mut world = app.world();
        let events = stripe::expire_due(&app, &mut world);
        (
            events,
            stripe::pay(&app, &mut world, &id, &body.card, body.email.as_deref()),
        )
    };
    for e in events {
        webhooks::deliver(&app, e);
    }
    match outcome {
        Ok(Payment::Paid { event }) => {
            let session = event["data"]["object"].clone();
            webhooks::deliver(&app, event);
            Json(json!({"paid": true, "session": session})).into_response()
        }
        Ok(Payment::Declined(reason)) => (StatusCode::PAYMENT_REQUIRED, Json(json!({"paid": false, "error": reason}))).into_response(),
        Ok(Payment::NotOpen(status)) => (
            StatusCode::CONFLICT,
            Json(json!({"paid": false, "error": format!("the session is {}", if status == stripe::Status::Complete { "complete" } else { "expired" })})),
        )
            .into_response(),
        Err(e) => not_found(&e),
    }
}

async fn expire(State(app): State<App>, Path(id): Path<String>) -> Response {
    let result = {
        let mut world = app.world();
        stripe::expire(&app, &mut world, &id)
    };
    match result {
        Ok(event) => {
            let session = event["data"]["object"].clone();
            webhooks::deliver(&app, event);
            Json(session).into_response()
        }
        Err(e) if e.starts_with("No such") => not_found(&e),
        Err(e) => (StatusCode::CONFLICT, Json(json!({"error": e}))).into_response(),
    }
}

fn user_id(app: &App, email: &str) -> Option<String> {
    clara::find_by_email(&app.world(), email).map(|u| u.id.clone())
}

async fn clara_user(State(app): State<App>, Path(email): Path<String>) -> Response {
    let world = app.world();
    match clara::find_by_email(&world, &email) {
        Some(u) => Json(u.to_json()).into_response(),
        None => not_found("user"),
    }
}

#[derive(Deserialize)]
struct CreditsBody {
    credits: f64,
}

async fn set_credits(
    State(app): State<App>,
    Path(email): Path<String>,
    Json(body): Json<CreditsBody>,
) -> Response {
    let Some(id) = user_id(&app, &email) else {
        return not_found("user");
    };
    if !body.credits.is_finite() {
        return bad("credits must be a finite number");
    }
    let mut world = app.world();
    match clara::set_balance(&mut world, &id, body.credits) {
        Some(user) => Json(user).into_response(),
        None => not_found("user"),
    }
}

async fn api_key(State(app): State<App>, Path(email): Path<String>) -> Response {
    let Some(id) = user_id(&app, &email) else {
        return not_found("user");
    };
    let mut world = app.world();
    let key = match world.clara.api_keys.get(&id) {
        Some(k) => k.clone(),
        None => clara::issue_api_key(&mut world, &id),
    };
    Json(json!({"id": key.id, "token": key.token})).into_response()
}

#[derive(Deserialize)]
struct EmailBody {
    email: String,
}

fn end_sessions(app: &App, email: &str, expire: bool) -> Response {
    let Some(id) = user_id(app, email) else {
        return not_found("user");
    };
    let mut world = app.world();
    let mut count = 0;
    for t in world
        .clara
        .tokens
        .values_mut()
        .filter(|t| t.user_id == id && !t.revoked)
    {
        if expire {
            t.force_expired = true;
        } else {
            t.revoked = true;
        }
        count += 1;
    }
    Json(json!({"sessions": count})).into_response()
}

async fn revoke_sessions(State(app): State<App>, Json(body): Json<EmailBody>) -> Response {
    end_sessions(&app, &body.email, false)
}

async fn expire_sessions(State(app): State<App>, Json(body): Json<EmailBody>) -> Response {
    end_sessions(&app, &body.email, true)
}

#[derive(Deserialize)]
struct SecondsBody {
    seconds: f64,
}

async fn token_ttl(State(app): State<App>, Json(body): Json<SecondsBody>) -> Response {
    if !body.seconds.is_finite() || body.seconds <= 0.0 {
        return bad("seconds must be a positive number");
    }
    app.world().clara.token_ttl_secs = body.seconds;
    Json(json!({"seconds": body.seconds})).into_response()
}

async fn id_token(State(app): State<App>, Query(q): Query<HashMap<String, String>>) -> Response {
    let email = q
        .get("email")
        .cloned()
        .unwrap_or_else(|| crate::demo::GOOGLE_EMAIL.to_owned());
    let mut world = app.world();
    let token = clara::google::mint_id_token(&mut world, &email, None);
    Json(json!({"id_token": token})).into_response()
}

#[derive(Deserialize)]
struct EnabledBody {
    enabled: bool,
}

async fn dispersed_legacy(State(app): State<App>, Json(body): Json<EnabledBody>) -> Json<Value> {
    app.world().dispersed.legacy_create = body.enabled;
    Json(json!({"enabled": body.enabled}))
}

/// Every credit purchase of every key, oldest first, as the API shows them.
async fn dispersed_purchases(State(app): State<App>) -> Json<Value> {
    let world = app.world();
    let all: Vec<Value> = world
        .dispersed
        .purchases
        .iter()
        .map(crate::dispersed::Purchase::to_json)
        .collect();
    Json(json!(all))
}

async fn settlements(State(app): State<App>) -> Json<Value> {
    Json(json!(app.world().clara.settlements))
}

async fn deliveries(State(app): State<App>) -> Json<Value> {
    Json(json!(app.world().stripe.deliveries))
}

async fn requests(State(app): State<App>, Query(q): Query<HashMap<String, String>>) -> Json<Value> {
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

async fn clear_requests(State(app): State<App>) -> StatusCode {
    app.log().clear();
    StatusCode::NO_CONTENT
}

async fn faults(State(app): State<App>) -> Json<Value> {
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

async fn set_faults(State(app): State<App>, Json(body): Json<FaultsBody>) -> Response {
    let rules = match body.chaos {
        Some(p) if (0.0..=1.0).contains(&p) => config::chaos(p),
        Some(_) => return bad("chaos must be between 0 and 1"),
        None => body.rules,
    };
    app.faults().set(rules, body.seed);
    Json(json!({"rules": app.faults().rules()})).into_response()
}

async fn advance_clock(State(app): State<App>, Json(body): Json<SecondsBody>) -> Response {
    if !body.seconds.is_finite() || body.seconds < 0.0 {
        return bad("seconds must be a non-negative number");
    }
    let events = {
        let mut world = app.world();
        world.clock.advance(Duration::from_secs_f64(body.seconds));
        stripe::expire_due(&app, &mut world)
    };
    let expired = events.len();
    for e in events {
        webhooks::deliver(&app, e);
    }
    let now = app.world().clock.unix();
    Json(json!({"now": now, "expired_sessions": expired})).into_response()
}

async fn reset(State(app): State<App>) -> StatusCode {
    server::reseed(&app);
    app.log().clear();
    StatusCode::NO_CONTENT
}
