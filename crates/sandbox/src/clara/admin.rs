//! The Private-key routes of the boilerplate (§10.2): set a balance, list and
//! delete users, write history rows.

use std::collections::HashMap;

use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::HeaderMap;
use serde_json::{json, Value};
use sha2::{Digest, Sha256};

use super::auth::private;
use super::reply::{
    created, json_body, no_content, not_found_resource, ok, schema_error, server_error,
};
use super::store::{add_transaction, fiat_for, py_float, round2, App, Kind, User, World};
use crate::config::Quirks;
use crate::reply::Reply;

/// Sets the absolute balance and writes the CREDIT/DEBIT row for the change.
pub fn set_balance(world: &mut World, user_id: &str, credits: f64) -> Option<Value> {
    let old = world.clara.users.get(user_id)?.credits;
    let new = round2(credits);
    let now = world.clock.now();
    if let Some(u) = world.clara.users.get_mut(user_id) {
        u.credits = new;
        u.updated_at = now;
    }
    let diff = (new - old).abs();
    let kind = if new > old { Kind::Credit } else { Kind::Debit };
    let fiat = fiat_for(world, diff);
    add_transaction(
        world,
        user_id,
        kind,
        format!(
            "Admin updated credits from {} to {}.",
            py_float(old),
            py_float(new)
        ),
        diff,
        fiat,
        None,
    );
    world.clara.users.get(user_id).map(User::to_json)
}

pub async fn set_credits(
    State(app): State<App>,
    Path(user): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Reply {
    let mut world = app.world();
    private(&app, &world, &headers)?;
    let body = json_body(&headers, &body)?;
    let Some(credits) = body
        .get("credits")
        .and_then(Value::as_f64)
        .filter(|c| c.is_finite())
    else {
        return Err(schema_error());
    };
    if body.len() != 1 {
        return Err(schema_error());
    }
    match set_balance(&mut world, &user, credits) {
        Some(json) => Ok(ok("User's credits updated successfully.", json)),
        None => Err(not_found_resource("User")),
    }
}

pub async fn list_users(
    State(app): State<App>,
    Query(q): Query<HashMap<String, String>>,
    headers: HeaderMap,
) -> Reply {
    let world = app.world();
    private(&app, &world, &headers)?;
    let (Some(limit), Some(offset)) = (
        q.get("limit").and_then(|v| v.parse::<i64>().ok()),
        q.get("offset").and_then(|v| v.parse::<i64>().ok()),
    ) else {
        return Err(schema_error());
    };
    if limit < 0 || offset < 0 {
        return Err(if app.config.quirks == Quirks::Boilerplate {
            server_error()
        } else {
            schema_error()
        });
    }
    let all: Vec<Value> = world
        .clara
        .users
        .values()
        .map(|u| {
            let mut v = u.to_json();
            v["password"] = json!(format!(
                "sha256${}",
                hex::encode(Sha256::digest(u.password.as_bytes()))
            ));
            v["stripe_customer_id"] = json!(u.stripe_customer_id);
            v["google_user_id"] = json!(u.google_user_id);
            v
        })
        .collect();
    let page: Vec<Value> = all
        .into_iter()
        .skip(usize::try_from(offset).unwrap_or(0))
        .take(usize::try_from(limit).unwrap_or(0))
        .collect();
    Ok(ok("Users fetched successfully.", Value::Array(page)))
}

pub async fn delete_user(
    State(app): State<App>,
    Path(user): Path<String>,
    headers: HeaderMap,
) -> Reply {
    let mut world = app.world();
    private(&app, &world, &headers)?;
    if world.clara.users.remove(&user).is_none() {
        return Err(not_found_resource("User"));
    }
    world.clara.transactions.retain(|t| t.user_id != user);
    world.clara.tokens.retain(|_, t| t.user_id != user);
    world.clara.api_keys.remove(&user);
    Ok(no_content())
}

fn parse_kind(v: &Value) -> Option<Kind> {
    match v.as_str()? {
        "CREDIT" => Some(Kind::Credit),
        "DEBIT" => Some(Kind::Debit),
        _ => None,
    }
}

pub async fn create_transaction(
    State(app): State<App>,
    Path(user): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Reply {
    let mut world = app.world();
    private(&app, &world, &headers)?;
    let body = json_body(&headers, &body)?;
    let (Some(description), Some(credits), Some(fiat), Some(kind)) = (
        body.get("description").and_then(Value::as_str),
        body.get("value_in_credits").and_then(Value::as_f64),
        body.get("value_in_fiat").and_then(Value::as_f64),
        body.get("type").and_then(parse_kind),
    ) else {
        return Err(schema_error());
    };
    if body.len() != 4 || credits < 0.0 || fiat < 0.0 {
        return Err(schema_error());
    }
    if !world.clara.users.contains_key(&user) {
        return Err(not_found_resource("User"));
    }
    let t = add_transaction(
        &mut world,
        &user,
        kind,
        description.to_owned(),
        credits,
        fiat,
        None,
    );
    Ok(created("Transaction created successfully.", t.to_json()))
}

pub async fn update_transaction(
    State(app): State<App>,
    Path((user, transaction)): Path<(String, String)>,
    headers: HeaderMap,
    body: Bytes,
) -> Reply {
    let mut world = app.world();
    private(&app, &world, &headers)?;
    let body = json_body(&headers, &body)?;
    if body
        .keys()
        .any(|k| matches!(k.as_str(), "id" | "created_at" | "updated_at"))
    {
        return Err(schema_error());
    }
    let now = world.clock.now();
    let Some(t) = world
        .clara
        .transactions
        .iter_mut()
        .find(|t| t.id == transaction && t.user_id == user)
    else {
        return Err(not_found_resource("Transaction"));
    };
    for (key, value) in &body {
        match key.as_str() {
            "description" => match value.as_str() {
                Some(s) => t.description = s.to_owned(),
                None => return Err(schema_error()),
            },
            "value_in_credits" => match value.as_f64() {
                Some(v) if v >= 0.0 => t.value_in_credits = round2(v),
                _ => return Err(schema_error()),
            },
            "value_in_fiat" => match value.as_f64() {
                Some(v) if v >= 0.0 => t.value_in_fiat = round2(v),
                _ => return Err(schema_error()),
            },
            "type" => match parse_kind(value) {
                Some(k) => t.kind = k,
                None => return Err(schema_error()),
            },
            _ => return Err(schema_error()),
        }
    }
    t.updated_at = now;
    Ok(ok("Transaction updated successfully.", t.to_json()))
}

pub async fn delete_transaction(
    State(app): State<App>,
    Path((user, transaction)): Path<(String, String)>,
    headers: HeaderMap,
) -> Reply {
    let mut world = app.world();
    private(&app, &world, &headers)?;
    let before = world.clara.transactions.len();
    world
        .clara
        .transactions
        .retain(|t| !(t.id == transaction && t.user_id == user));
    if world.clara.transactions.len() == before {
        return Err(not_found_resource("Transaction"));
    }
    Ok(no_content())
}
