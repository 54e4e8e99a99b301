//! Dispersed's test hooks under `/__sandbox`: the legacy Create answer and
//! every purchase of every key.

use axum::extract::State;
use axum::routing::{get, put};
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::{json, Value};

use super::store::{App, Purchase};

pub fn routes() -> Router<App> {
    Router::new()
        .route("/dispersed/legacy", put(dispersed_legacy))
        .route("/dispersed/purchases", get(dispersed_purchases))
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
        .map(Purchase::to_json)
        .collect();
    Json(json!(all))
}
