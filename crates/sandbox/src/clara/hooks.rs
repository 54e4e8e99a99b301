//! Clara's test hooks under `/__sandbox`: users by email, balances, API keys,
//! settlements, ending sessions, the token lifetime, Google ID tokens, and
//! years of history for one user.

use std::collections::HashMap;
use std::time::Duration;

use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post, put};
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::{json, Value};

use super::admin::set_balance;
use super::auth::issue_api_key;
use super::google::mint_id_token;
use super::store::{find_by_email, App, Kind, Transaction};
use crate::hook_reply::{bad, not_found};
use crate::ids;

pub fn routes() -> Router<App> {
    Router::new()
        .route("/clara/users/{email}", get(clara_user))
        .route("/clara/users/{email}/credits", put(set_credits))
        .route("/clara/users/{email}/history", post(seed_history))
        .route("/clara/users/{email}/api_key", get(api_key))
        .route("/clara/settlements", get(settlements))
        .route("/clara/sessions/revoke", post(revoke_sessions))
        .route("/clara/sessions/expire", post(expire_sessions))
        .route("/clara/token_ttl", put(token_ttl))
        .route("/google/id_token", get(id_token))
}

fn user_id(app: &App, email: &str) -> Option<String> {
    find_by_email(&app.world(), email).map(|u| u.id.clone())
}

async fn clara_user(State(app): State<App>, Path(email): Path<String>) -> Response {
    let world = app.world();
    match find_by_email(&world, &email) {
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
    match set_balance(&mut world, &id, body.credits) {
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
        None => issue_api_key(&mut world, &id),
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

#[derive(Deserialize)]
struct HistoryBody {
    count: usize,
}

/// Gives the user `count` older transactions, ten minutes apart back from
/// now, as years of use would: mostly spending (DEBIT), a purchase every
/// tenth. Rows only: the balance stays (as the admin route's inserts do).
async fn seed_history(
    State(app): State<App>,
    Path(email): Path<String>,
    Json(body): Json<HistoryBody>,
) -> Response {
    if body.count > 1_000_000 {
        return bad("count must be at most 1000000");
    }
    let mut world = app.world();
    let Some(user) = find_by_email(&world, &email).map(|u| u.id.clone()) else {
        return not_found("no such user");
    };
    let now = world.clock.now();
    let rows = (1..=body.count).map(|i| {
        let at = now - Duration::from_secs(600 * i as u64);
        let bought = i.is_multiple_of(10);
        Transaction {
            id: ids::clara("transaction"),
            user_id: user.clone(),
            kind: if bought { Kind::Credit } else { Kind::Debit },
            description: if bought {
                "User bought 500.0 credits for $5.0.".to_owned()
            } else {
                format!(
                    "Admin updated credits from {}.0 to {}.0.",
                    1000 + i % 7,
                    1000
                )
            },
            value_in_credits: if bought { 500.0 } else { (i % 7) as f64 },
            value_in_fiat: if bought { 5.0 } else { (i % 7) as f64 / 100.0 },
            created_at: at,
            updated_at: at,
            payment_intent: None,
        }
    });
    world.clara.transactions.extend(rows);
    Json(json!({"email": email, "count": body.count})).into_response()
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
    let token = mint_id_token(&mut world, &email, None);
    Json(json!({"id_token": token})).into_response()
}

async fn settlements(State(app): State<App>) -> Json<Value> {
    Json(json!(app.world().clara.settlements))
}
