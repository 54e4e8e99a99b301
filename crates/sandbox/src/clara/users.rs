//! User view/update, API keys, transactions, tasks and the agent (§8.2–8.4, §8.6).

use std::collections::HashMap;

use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use serde_json::{json, Value};

use super::auth::{issue_api_key, owner, user_or_private};
use super::billing::stripe_post;
use super::reply::{
    created, failure, fetched, json_body, not_found_resource, ok, schema_error, server_error,
    MSG_EMPTY_BODY, MSG_NO_CREDITS,
};
use super::store::{
    add_transaction, capitalise, fiat_for, round2, stripe_customer, ApiKey, App, Kind, Task,
    Transaction, User,
};
use crate::config::Quirks;
use crate::ids;
use crate::reply::Reply;

pub async fn view(State(app): State<App>, Path(user): Path<String>, headers: HeaderMap) -> Reply {
    let world = app.world();
    let id = owner(&app, &world, &headers, &user, false)?;
    fetched("User", world.clara.users.get(&id).map(User::to_json))
}

pub async fn update(
    State(app): State<App>,
    Path(user): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Reply {
    let (id, customer) = {
        let world = app.world();
        let id = user_or_private(&app, &world, &headers, &user, false)?;
        let customer = stripe_customer(&world, &id);
        (id, customer)
    };
    let body = json_body(&headers, &body)?;
    for (key, value) in &body {
        let ok = match key.as_str() {
            "first_name" | "last_name" => value.is_string(),
            "is_dark_mode" => value.is_boolean(),
            _ => false,
        };
        if !ok {
            return Err(schema_error());
        }
    }
    let (json, name) = {
        let mut world = app.world();
        let now = world.clock.now();
        let Some(u) = world.clara.users.get_mut(&id) else {
            return Err(not_found_resource("User"));
        };
        if let Some(v) = body.get("first_name").and_then(Value::as_str) {
            u.first_name = Some(capitalise(v));
        }
        if let Some(v) = body.get("last_name").and_then(Value::as_str) {
            u.last_name = Some(capitalise(v));
        }
        if let Some(v) = body.get("is_dark_mode").and_then(Value::as_bool) {
            u.is_dark_mode = v;
        }
        u.updated_at = now;
        let name = format!(
            "{} {}",
            u.first_name.clone().unwrap_or_default(),
            u.last_name.clone().unwrap_or_default()
        );
        (u.to_json(), name)
    };
    if let Some(customer) = customer {
        // The boilerplate keeps the Stripe customer's name in step.
        stripe_post(
            &app,
            &format!("/v1/customers/{customer}"),
            &json!({"name": name.trim()}),
        )
        .await?;
    }
    Ok(ok("User updated successfully.", json))
}

fn api_key_json(key: &ApiKey) -> Value {
    json!({
        "created_at": crate::clock::http_date(key.created_at),
        "id": key.id,
        "token": key.token,
        "updated_at": crate::clock::http_date(key.updated_at),
    })
}

pub async fn view_api_key(
    State(app): State<App>,
    Path(user): Path<String>,
    headers: HeaderMap,
) -> Reply {
    let mut world = app.world();
    let id = owner(&app, &world, &headers, &user, false)?;
    let key = match world.clara.api_keys.get(&id) {
        Some(k) => k.clone(),
        None => issue_api_key(&mut world, &id),
    };
    Ok(ok("API key fetched successfully.", api_key_json(&key)))
}

pub async fn reset_api_key(
    State(app): State<App>,
    Path(user): Path<String>,
    headers: HeaderMap,
) -> Reply {
    let mut world = app.world();
    let id = owner(&app, &world, &headers, &user, false)?;
    let key = issue_api_key(&mut world, &id);
    Ok(created("API key reset successfully.", api_key_json(&key)))
}

pub async fn transactions(
    State(app): State<App>,
    Path(user): Path<String>,
    Query(q): Query<HashMap<String, String>>,
    headers: HeaderMap,
) -> Reply {
    let quirky = app.config.quirks == Quirks::Boilerplate;
    let world = app.world();
    let id = owner(&app, &world, &headers, &user, true)?;
    let (Some(limit), Some(offset)) = (
        q.get("limit").and_then(|v| v.parse::<i64>().ok()),
        q.get("offset").and_then(|v| v.parse::<i64>().ok()),
    ) else {
        return Err(schema_error());
    };
    let mut rows: Vec<&Transaction> = world
        .clara
        .transactions
        .iter()
        .filter(|t| t.user_id == id)
        .collect();
    let page: Vec<Value> = if quirky {
        if limit < 0 {
            return Err(server_error());
        }
        rows.sort_by_key(|t| std::cmp::Reverse(t.created_at));
        let take = if limit >= 100 {
            rows.len()
        } else {
            usize::try_from(limit).unwrap_or(0)
        };
        rows.into_iter()
            .take(take)
            .map(Transaction::to_json)
            .collect()
    } else {
        if limit < 0 || offset < 0 {
            return Err(schema_error());
        }
        rows.sort_by_key(|t| t.created_at);
        rows.into_iter()
            .skip(usize::try_from(offset).unwrap_or(usize::MAX))
            .take(usize::try_from(limit).unwrap_or(0))
            .map(Transaction::to_json)
            .collect()
    };
    Ok(ok("Transactions fetched successfully.", Value::Array(page)))
}

pub async fn transaction(
    State(app): State<App>,
    Path((user, transaction)): Path<(String, String)>,
    headers: HeaderMap,
) -> Reply {
    let world = app.world();
    let id = owner(&app, &world, &headers, &user, true)?;
    let found = world
        .clara
        .transactions
        .iter()
        .find(|t| t.id == transaction && t.user_id == id);
    fetched("Transaction", found.map(Transaction::to_json))
}

fn task_json(t: &Task) -> Value {
    json!({
        "created_at": crate::clock::http_date(t.created_at),
        "id": t.id,
        "result": null,
        "status": t.status,
        "updated_at": crate::clock::http_date(t.updated_at),
        "user_id": t.user_id,
    })
}

pub async fn tasks(State(app): State<App>, Path(user): Path<String>, headers: HeaderMap) -> Reply {
    let world = app.world();
    let id = owner(&app, &world, &headers, &user, false)?;
    let list: Vec<Value> = world
        .clara
        .tasks
        .iter()
        .filter(|t| t.user_id == id)
        .map(task_json)
        .collect();
    Ok(ok("Tasks fetched successfully.", Value::Array(list)))
}

pub async fn task(
    State(app): State<App>,
    Path((user, task)): Path<(String, String)>,
    headers: HeaderMap,
) -> Reply {
    let world = app.world();
    let id = owner(&app, &world, &headers, &user, false)?;
    let found = world
        .clara
        .tasks
        .iter()
        .find(|t| t.id == task && t.user_id == id);
    fetched("Task", found.map(task_json))
}

pub async fn supported_attachments(
    State(app): State<App>,
    Path(user): Path<String>,
    headers: HeaderMap,
) -> Reply {
    let world = app.world();
    owner(&app, &world, &headers, &user, false)?;
    Ok(ok(
        "Supported attachments fetched successfully.",
        json!({
            "audio": ["mp3", "wav", "m4a"],
            "document": ["pdf", "txt", "docx", "csv"],
            "image": ["jpg", "jpeg", "png", "webp"],
            "video": ["mp4", "mov"]
        }),
    ))
}

/// Starts an analysis: needs a multipart body and at least 20 credits, which it spends.
pub async fn analysis(
    State(app): State<App>,
    Path(user): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Reply {
    let mut world = app.world();
    let id = owner(&app, &world, &headers, &user, true)?;
    let multipart = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|ct| ct.starts_with("multipart/form-data"));
    if !multipart || body.is_empty() {
        return Err(failure(StatusCode::BAD_REQUEST, MSG_EMPTY_BODY));
    }
    const COST: f64 = 20.0;
    let credits = world.clara.users.get(&id).map_or(0.0, |u| u.credits);
    if credits < COST {
        return Err(failure(StatusCode::FORBIDDEN, MSG_NO_CREDITS));
    }
    if let Some(u) = world.clara.users.get_mut(&id) {
        u.credits = round2(u.credits - COST);
    }
    let fiat = fiat_for(&world, COST);
    add_transaction(
        &mut world,
        &id,
        Kind::Debit,
        "Agent analysis.".to_owned(),
        COST,
        fiat,
        None,
    );
    let now = world.clock.now();
    let task = Task {
        id: ids::clara("task"),
        user_id: id,
        status: "PENDING".to_owned(),
        created_at: now,
        updated_at: now,
    };
    let json = task_json(&task);
    world.clara.tasks.push(task);
    Ok(created("Analysis started successfully.", json))
}
