//! Create / list / reconcile credit purchases (§4), consumer profiles (§7),
//! and the Stripe webhook that completes or expires purchases.

use std::collections::HashMap;

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::{json, Value};

use super::auth::{error, Signed};
use super::store::{number, App, Profile, Purchase, Status, World};
use crate::clock::iso8601;
use crate::reply::Reply;
use crate::stripe::webhooks;
use crate::{ids, stripe_client};

fn bad_request(code: &str, message: &str) -> Response {
    error(StatusCode::BAD_REQUEST, code, message)
}

/// `https://console.dispersed.com` or the Sandbox's own origin (§6).
fn allowed_console(app: &App, raw: &str) -> bool {
    let Ok(url) = url::Url::parse(raw) else {
        return false;
    };
    let origin = url.origin().ascii_serialization();
    origin == "https://console.dispersed.com" || origin == app.base
}

pub async fn create(State(app): State<App>, request: Signed) -> Reply {
    let key = {
        let mut world = app.world();
        request.check(&mut world, true)?
    };
    let Ok(Value::Object(p)) = serde_json::from_slice::<Value>(&request.body) else {
        return Err(bad_request(
            "invalid_body",
            "The request body must be a JSON object.",
        ));
    };
    if let Some(unknown) = p.keys().find(|k| {
        !matches!(
            k.as_str(),
            "amount" | "cancel_url" | "redirect_url" | "memo"
        )
    }) {
        return Err(bad_request(
            "invalid_body",
            &format!("Unknown field `{unknown}`."),
        ));
    }
    let Some(amount) = p
        .get("amount")
        .and_then(Value::as_f64)
        .filter(|a| a.is_finite())
    else {
        return Err(bad_request(
            "invalid_amount",
            "amount is required and must be a number (EUR).",
        ));
    };
    let cents = (amount * 100.0).round();
    if (cents / 100.0 - amount).abs() > 1e-9 {
        return Err(bad_request(
            "invalid_amount",
            "amount can have at most 2 decimal places.",
        ));
    }
    if !(1.0..=10_000.0).contains(&amount) {
        return Err(bad_request(
            "invalid_amount",
            "amount must be between 1 and 10000 EUR.",
        ));
    }
    let (Some(cancel_url), Some(redirect_url)) = (
        p.get("cancel_url").and_then(Value::as_str),
        p.get("redirect_url").and_then(Value::as_str),
    ) else {
        return Err(bad_request(
            "invalid_body",
            "cancel_url and redirect_url are required.",
        ));
    };
    for (field, value) in [("cancel_url", cancel_url), ("redirect_url", redirect_url)] {
        if !allowed_console(&app, value) {
            return Err(bad_request(
                "invalid_redirect_url",
                &format!("{field} must be an allowed Console domain."),
            ));
        }
    }
    let memo = match p.get("memo") {
        None | Some(Value::Null) => None,
        Some(Value::String(m)) if m.chars().count() <= 500 => Some(m.clone()),
        Some(_) => {
            return Err(bad_request(
                "invalid_body",
                "memo must be a string of at most 500 characters.",
            ))
        }
    };
    let (profile_uuid, render_user_id) = {
        let world = app.world();
        world
            .dispersed
            .profiles
            .iter()
            .find(|pr| pr.account_uuid == key.account_uuid)
            .map(|pr| (pr.uuid.clone(), pr.render_user_id.clone()))
            .unwrap_or_default()
    };
    let purchase_uuid = ids::uuid();
    let params = json!({
        "mode": "payment",
        "line_items": [{
            "price_data": {"currency": "eur", "unit_amount": (cents as i64).to_string(), "product_data": {"name": "Dispersed compute credits"}},
            "quantity": "1"
        }],
        "success_url": redirect_url,
        "cancel_url": cancel_url,
        "client_reference_id": purchase_uuid,
        "metadata": {"purchase_uuid": purchase_uuid, "consumer_account_uuid": key.account_uuid},
    });
    let session = match stripe_client::post(&app, "/v1/checkout/sessions", &params).await {
        Ok(s) => s,
        Err(_) => {
            return Err(error(
                StatusCode::BAD_GATEWAY,
                "upstream_error",
                "Stripe could not create the checkout session.",
            ))
        }
    };
    let session_id = session["id"].as_str().unwrap_or_default().to_owned();
    let mut world = app.world();
    let now = world.clock.now();
    let purchase = Purchase {
        uuid: purchase_uuid,
        amount,
        checkout_session_id: session_id.clone(),
        status: Status::Pending,
        memo,
        account_uuid: key.account_uuid,
        profile_uuid,
        render_user_id,
        created_at: now,
        updated_at: now,
        completed_at: None,
    };
    world.dispersed.purchases.push(purchase);
    let embedded = if world.dispersed.legacy_create {
        Value::Null
    } else {
        let mut s = json!({});
        for k in [
            "id",
            "object",
            "currency",
            "mode",
            "payment_status",
            "created",
            "expires_at",
            "client_reference_id",
            "amount_subtotal",
            "amount_total",
            "status",
            "metadata",
            "payment_intent",
            "url",
            "success_url",
            "cancel_url",
        ] {
            s[k] = session[k].clone();
        }
        s["return_url"] = Value::Null;
        s
    };
    let body = json!({
        "created_at": iso8601(now),
        "session_id": session_id,
        "session_url": session["url"],
        "submitted_amount": number(amount),
        "checkout_session": embedded,
    });
    Ok((StatusCode::CREATED, Json(body)).into_response())
}

fn query_map(uri: &Uri) -> HashMap<String, String> {
    uri.query()
        .map(|q| form_urlencoded::parse(q.as_bytes()).into_owned().collect())
        .unwrap_or_default()
}

pub async fn list(State(app): State<App>, request: Signed) -> Reply {
    let mut world = app.world();
    let key = request.check(&mut world, true)?;
    let q = query_map(&request.uri);
    let limit = match q.get("limit").map(|v| v.parse::<u64>()) {
        None => 20,
        Some(Ok(n)) if (1..=50).contains(&n) => n,
        _ => {
            return Err(bad_request(
                "invalid_query",
                "limit must be an integer between 1 and 50.",
            ))
        }
    };
    let page = match q.get("page").map(|v| v.parse::<u64>()) {
        None => 1,
        Some(Ok(n)) if (1..=9_007_199_254_740_991).contains(&n) => n,
        _ => {
            return Err(bad_request(
                "invalid_query",
                "page must be an integer of at least 1.",
            ))
        }
    };
    let descending = match q.get("sort").map(String::as_str) {
        None | Some("-created_at") => true,
        Some("created_at") => false,
        Some(_) => {
            return Err(bad_request(
                "invalid_query",
                "sort must be created_at or -created_at.",
            ))
        }
    };
    let statuses: Option<Vec<Status>> = match q.get("filter[status]") {
        None => None,
        Some(v) => match v.split(',').map(Status::parse).collect::<Option<Vec<_>>>() {
            Some(s) => Some(s),
            None => {
                return Err(bad_request(
                    "invalid_query",
                    "filter[status] takes PENDING, COMPLETED and EXPIRED.",
                ))
            }
        },
    };
    let range = match q.get("filter[created_at]") {
        None => None,
        Some(v) => {
            let parts: Vec<_> = v.split(',').map(crate::clock::parse_iso).collect();
            match parts.as_slice() {
                [Some(lo), Some(hi)] => Some((*lo, *hi)),
                [Some(lo)] => Some((*lo, *lo + std::time::Duration::from_secs(86_400))),
                _ => {
                    return Err(bad_request(
                        "invalid_query",
                        "filter[created_at] takes a date or a range `from,to`.",
                    ))
                }
            }
        }
    };
    let mut rows: Vec<&Purchase> = world
        .dispersed
        .purchases
        .iter()
        .filter(|p| p.account_uuid == key.account_uuid)
        .filter(|p| statuses.as_ref().is_none_or(|s| s.contains(&p.status)))
        .filter(|p| q.get("filter[uuid]").is_none_or(|u| *u == p.uuid))
        .filter(|p| {
            q.get("filter[consumer_account_uuid]")
                .is_none_or(|u| *u == p.account_uuid)
        })
        .filter(|p| range.is_none_or(|(lo, hi)| p.created_at >= lo && p.created_at <= hi))
        .collect();
    rows.sort_by(|a, b| {
        a.created_at
            .cmp(&b.created_at)
            .then_with(|| a.uuid.cmp(&b.uuid))
    });
    if descending {
        rows.reverse();
    }
    let total = rows.len();
    let skip = usize::try_from((page - 1).saturating_mul(limit)).unwrap_or(usize::MAX);
    let data: Vec<Value> = rows
        .into_iter()
        .skip(skip)
        .take(limit as usize)
        .map(Purchase::to_json)
        .collect();
    Ok(Json(json!({"data": data, "limit": limit, "page": page, "total": total})).into_response())
}

pub async fn reconcile(State(app): State<App>, request: Signed) -> Reply {
    let (key, session_id, pending) =
        {
            let mut world = app.world();
            let key = request.check(&mut world, true)?;
            let Some(session_id) = query_map(&request.uri)
                .get("checkout_session_id")
                .filter(|s| !s.is_empty())
                .cloned()
            else {
                return Err(bad_request(
                    "invalid_query",
                    "checkout_session_id is required.",
                ));
            };
            let Some(purchase) = world.dispersed.purchases.iter().find(|p| {
                p.checkout_session_id == session_id && p.account_uuid == key.account_uuid
            }) else {
                return Err(error(
                    StatusCode::NOT_FOUND,
                    "not_found",
                    "No credit purchase for this checkout session.",
                ));
            };
            let pending = purchase.status == Status::Pending;
            (key, session_id, pending)
        };
    if pending {
        // Re-check with Stripe, as the real service presumably does.
        match stripe_client::get(&app, &format!("/v1/checkout/sessions/{session_id}")).await {
            Ok(session) => {
                let mut world = app.world();
                apply_session(&mut world, &session);
            }
            Err(_) => {
                return Err(error(
                    StatusCode::BAD_GATEWAY,
                    "upstream_error",
                    "Stripe could not be reached to reconcile the purchase.",
                ))
            }
        }
    }
    let world = app.world();
    match world
        .dispersed
        .purchases
        .iter()
        .find(|p| p.checkout_session_id == session_id && p.account_uuid == key.account_uuid)
    {
        Some(p) => Ok(Json(p.to_json()).into_response()),
        None => Err(error(
            StatusCode::NOT_FOUND,
            "not_found",
            "No credit purchase for this checkout session.",
        )),
    }
}

/// Moves a PENDING purchase to what its Checkout Session says; terminal states stay.
pub fn apply_session(world: &mut World, session: &Value) {
    let Some(id) = session["id"].as_str() else {
        return;
    };
    let now = world.clock.now();
    let Some(p) = world
        .dispersed
        .purchases
        .iter_mut()
        .find(|p| p.checkout_session_id == id)
    else {
        return;
    };
    if p.status != Status::Pending {
        return;
    }
    match (
        session["status"].as_str(),
        session["payment_status"].as_str(),
    ) {
        (Some("complete"), Some("paid")) => {
            p.status = Status::Completed;
            p.completed_at = Some(now);
            p.updated_at = now;
            tracing::info!(session = id, "Dispersed purchase completed");
        }
        (Some("expired"), _) => {
            p.status = Status::Expired;
            p.updated_at = now;
            tracing::info!(session = id, "Dispersed purchase expired");
        }
        _ => {}
    }
}

/// Stripe's webhook to the Dispersed backend (not part of the public API).
pub async fn stripe_webhook(State(app): State<App>, headers: HeaderMap, body: Bytes) -> Reply {
    let mut world = app.world();
    let secret = world.dispersed.webhook_secret.clone();
    let signature = headers
        .get("stripe-signature")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    if webhooks::verify(&secret, signature, &body, world.clock.unix(), 300).is_err() {
        return Err(error(
            StatusCode::BAD_REQUEST,
            "invalid_signature",
            "Webhook signature verification failed.",
        ));
    }
    let Ok(event) = serde_json::from_slice::<Value>(&body) else {
        return Err(error(StatusCode::BAD_REQUEST, "invalid_body", "Not JSON."));
    };
    if matches!(
        event["type"].as_str(),
        Some("checkout.session.completed" | "checkout.session.expired")
    ) {
        apply_session(&mut world, &event["data"]["object"]);
    }
    Ok(Json(json!({"received": true})).into_response())
}

pub async fn profiles(State(app): State<App>, request: Signed) -> Reply {
    let mut world = app.world();
    let key = request.check(&mut world, false)?;
    let data: Vec<Value> = world
        .dispersed
        .profiles
        .iter()
        .filter(|p| p.account_uuid == key.account_uuid)
        .map(Profile::to_json)
        .collect();
    let total = data.len();
    Ok(Json(json!({"data": data, "limit": 20, "page": 1, "total": total})).into_response())
}

pub async fn update_profile(
    State(app): State<App>,
    Path(uuid): Path<String>,
    request: Signed,
) -> Reply {
    let mut world = app.world();
    let key = request.check(&mut world, false)?;
    let Ok(Value::Object(p)) = serde_json::from_slice::<Value>(&request.body) else {
        return Err(bad_request(
            "invalid_body",
            "The request body must be a JSON object.",
        ));
    };
    let now = world.clock.now();
    let Some(profile) = world
        .dispersed
        .profiles
        .iter_mut()
        .find(|pr| pr.uuid == uuid && pr.account_uuid == key.account_uuid)
    else {
        return Err(error(
            StatusCode::NOT_FOUND,
            "not_found",
            "Consumer profile not found.",
        ));
    };
    for (k, v) in &p {
        match (k.as_str(), v) {
            ("is_active", Value::Bool(b)) => profile.is_active = *b,
            ("is_compute_billing_enabled", Value::Bool(b)) => {
                profile.is_compute_billing_enabled = *b
            }
            ("allowed_region_codes", Value::Array(codes))
                if codes.len() <= 36 && codes.iter().all(Value::is_string) =>
            {
                profile.allowed_region_codes = codes
                    .iter()
                    .filter_map(|c| c.as_str().map(str::to_owned))
                    .collect();
            }
            _ => {
                return Err(bad_request(
                    "invalid_body",
                    &format!("Invalid field `{k}`."),
                ))
            }
        }
    }
    profile.updated_at = now;
    Ok(Json(profile.to_json()).into_response())
}
