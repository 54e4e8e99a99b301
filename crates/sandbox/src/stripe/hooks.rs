//! Stripe's test hooks under `/__sandbox`: Checkout Sessions as the Sandbox
//! sees them, paying or expiring one without a browser, webhook deliveries.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::{json, Value};

use super::{delivery, expire_due, App, Payment, Session, Status, Store};
use crate::hook_reply::not_found;

pub fn routes() -> Router<App> {
    Router::new()
        .route("/checkout", get(sessions))
        .route("/checkout/{id}", get(session))
        .route("/checkout/{id}/pay", post(pay))
        .route("/checkout/{id}/expire", post(expire))
        .route("/webhooks", get(deliveries))
}

fn session_extra(app: &App, s: &Session, store: &Store) -> Value {
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
        let events = expire_due(&app, &mut world);
        (
            events,
            super::pay(&app, &mut world, &id, &body.card, body.email.as_deref()),
        )
    };
    for e in events {
        delivery::deliver(&app, e);
    }
    match outcome {
        Ok(Payment::Paid { event }) => {
            let session = event["data"]["object"].clone();
            delivery::deliver(&app, event);
            Json(json!({"paid": true, "session": session})).into_response()
        }
        Ok(Payment::Declined(reason)) => (StatusCode::PAYMENT_REQUIRED, Json(json!({"paid": false, "error": reason}))).into_response(),
        Ok(Payment::NotOpen(status)) => (
            StatusCode::CONFLICT,
            Json(json!({"paid": false, "error": format!("the session is {}", if status == Status::Complete { "complete" } else { "expired" })})),
        )
            .into_response(),
        Err(e) => not_found(&e),
    }
}

async fn expire(State(app): State<App>, Path(id): Path<String>) -> Response {
    let result = {
        let mut world = app.world();
        super::expire(&app, &mut world, &id)
    };
    match result {
        Ok(event) => {
            let session = event["data"]["object"].clone();
            delivery::deliver(&app, event);
            Json(session).into_response()
        }
        Err(e) if e.starts_with("No such") => not_found(&e),
        Err(e) => (StatusCode::CONFLICT, Json(json!({"error": e}))).into_response(),
    }
}

async fn deliveries(State(app): State<App>) -> Json<Value> {
    Json(json!(app.world().stripe.deliveries))
}
