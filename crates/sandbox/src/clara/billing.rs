//! Rate, Buy, Portal (§8.5) and the settlement webhook (§10.1).
//!
//! Buy and Portal create their Stripe objects through the Stripe API over
//! HTTP, as the boilerplate does with Stripe's SDK; settlement arrives as a
//! signed `checkout.session.completed` webhook.

use std::time::SystemTime;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use serde_json::{json, Value};

use super::auth::{authenticate, buyer, own_user, Caller};
use super::reply::{
    created, failure, forbidden, json_body, not_found_resource, ok, schema_error, server_error,
    MSG_NO_RATE,
};
use super::store::{
    add_transaction, fiat_for, py_float, round2, stripe_customer, App, Kind, Settlement, Tier,
};
use crate::config::Quirks;
use crate::json::whole_or_float;
use crate::reply::Reply;
use crate::stripe::webhooks;

/// Calls the Stripe API; a failure is the boilerplate's unhandled exception: 500.
pub async fn stripe_post(app: &App, path: &str, params: &Value) -> Result<Value, Response> {
    crate::stripe_client::post(app, path, params)
        .await
        .map_err(|e| {
            tracing::error!(error = %e, "Clara: Stripe call failed");
            server_error()
        })
}

fn client_url(app: &App, return_path: &str, status: &str) -> String {
    let path = return_path.trim_start_matches('/');
    format!("{}/client/{path}?stripe_status={status}", app.base)
}

pub async fn rate(State(app): State<App>, headers: HeaderMap) -> Reply {
    let world = app.world();
    let caller = authenticate(&app, &world, &headers)?;
    if let Some(id) = caller.user_id() {
        own_user(&world, &caller, id, true)?;
    } else if !matches!(caller, Caller::Private) {
        return Err(forbidden());
    }
    let tiers: Vec<Value> = world.clara.tiers.iter().map(Tier::to_json).collect();
    Ok(ok("Credits rate fetched successfully. Upper limit and lower limit are in fiat. Rate is in credits per dollar. Any amount beyond the limits will not be credited.",
        Value::Array(tiers),
    ))
}

/// `amount` as the boilerplate reads it: `int(amount)`, so `"5"` and `5.9` pass.
fn whole_dollars(v: &Value) -> Option<i64> {
    match v {
        Value::Number(n) => n.as_i64().or_else(|| {
            n.as_f64()
                .filter(|f| f.is_finite())
                .map(|f| f.trunc() as i64)
        }),
        Value::String(s) => s.trim().parse::<i64>().ok(),
        _ => None,
    }
}

pub async fn buy(State(app): State<App>, headers: HeaderMap, body: Bytes) -> Reply {
    let (user_id, customer) = {
        let world = app.world();
        let id = buyer(&app, &world, &headers)?;
        let customer = stripe_customer(&world, &id);
        (id, customer)
    };
    let body = json_body(&headers, &body)?;
    if body.keys().any(|k| k != "amount" && k != "return_path") {
        return Err(schema_error());
    }
    let (Some(amount), Some(return_path)) = (
        body.get("amount").and_then(whole_dollars),
        body.get("return_path").and_then(Value::as_str),
    ) else {
        return Err(schema_error());
    };
    let tier = {
        let world = app.world();
        world
            .clara
            .tiers
            .iter()
            .find(|t| (amount as f64) >= t.lower_limit && (amount as f64) <= t.upper_limit)
            .cloned()
    };
    let Some(tier) = tier else {
        return Err(failure(StatusCode::NOT_FOUND, MSG_NO_RATE));
    };
    let credits = tier.rate * amount as f64;
    let mut params = json!({
        "mode": "payment",
        "ui_mode": "hosted",
        "payment_method_types": ["card"],
        "line_items": [{"price": tier.stripe_price_id, "quantity": (credits as i64).to_string()}],
        "allow_promotion_codes": "true",
        "billing_address_collection": "required",
        "success_url": client_url(&app, return_path, "success"),
        "cancel_url": client_url(&app, return_path, "cancel"),
        "metadata": {
            "user_id": user_id,
            "value_in_credits": whole_or_float(credits).to_string(),
            "value_in_fiat": amount.to_string(),
        },
    });
    if let Some(c) = customer {
        params["customer"] = json!(c);
    }
    let session = stripe_post(&app, "/v1/checkout/sessions", &params).await?;
    Ok(created(
        "Checkout session created successfully.",
        json!({
            "return_path": return_path,
            "url": session["url"],
            "value_in_credits": whole_or_float(credits),
            "value_in_fiat": amount,
        }),
    ))
}

pub async fn portal(State(app): State<App>, headers: HeaderMap) -> Reply {
    let customer = {
        let world = app.world();
        stripe_customer(&world, &buyer(&app, &world, &headers)?)
    };
    let Some(customer) = customer else {
        return Err(server_error());
    };
    let params = json!({"customer": customer, "return_url": format!("{}/client/", app.base)});
    let portal = stripe_post(&app, "/v1/billing_portal/sessions", &params).await?;
    Ok(created(
        "Customer portal session created successfully.",
        json!({"url": portal["url"]}),
    ))
}

pub async fn settle(State(app): State<App>, headers: HeaderMap, body: Bytes) -> Reply {
    let quirky = app.config.quirks == Quirks::Boilerplate;
    let Some(signature) = headers
        .get("stripe-signature")
        .and_then(|v| v.to_str().ok())
    else {
        return Err(schema_error());
    };
    let mut world = app.world();
    let secret = world.clara.webhook_secret.clone();
    if let Err(reason) = webhooks::verify(&secret, signature, &body, world.clock.unix(), 300) {
        tracing::warn!(reason, "settlement webhook refused");
        // The boilerplate lets Stripe's SignatureVerificationError escape.
        return Err(if quirky {
            server_error()
        } else {
            schema_error()
        });
    }
    let Ok(event) = serde_json::from_slice::<Value>(&body) else {
        return Err(schema_error());
    };
    if event["type"] != "checkout.session.completed" {
        return Err(schema_error());
    }
    let object = &event["data"]["object"];
    let session_id = object["id"].as_str().unwrap_or_default().to_owned();
    let metadata = &object["metadata"];
    let number = |v: &Value| match v {
        Value::String(s) => s.parse::<f64>().ok(),
        Value::Number(n) => n.as_f64(),
        _ => None,
    };
    let (Some(user_id), Some(credits)) = (
        metadata["user_id"].as_str().map(str::to_owned),
        number(&metadata["value_in_credits"]),
    ) else {
        return Err(schema_error());
    };
    if !session_id.is_empty() && world.clara.settled.contains(&session_id) {
        // At most once per Checkout Session. The boilerplate's second delivery
        // fails on the unique payment intent with a 500 (without, here, the
        // double credit it would also make).
        return Err(if quirky {
            server_error()
        } else {
            ok("Checkout session settled successfully.", Value::Null)
        });
    }
    if !world.clara.users.contains_key(&user_id) {
        return Err(not_found_resource("User"));
    }
    let payment_intent = object["payment_intent"].as_str().map(str::to_owned);
    if payment_intent.is_some()
        && world
            .clara
            .transactions
            .iter()
            .any(|t| t.payment_intent == payment_intent)
    {
        // The boilerplate's unique payment-intent column.
        return Err(server_error());
    }
    // The row's fiat is derived from the tiers (§8.4.3); the description quotes the metadata.
    let fiat = fiat_for(&world, credits);
    let quoted_fiat = number(&metadata["value_in_fiat"]).unwrap_or(fiat);
    let now = world.clock.now();
    if let Some(u) = world.clara.users.get_mut(&user_id) {
        u.credits = round2(u.credits + credits);
        u.updated_at = now;
    }
    let description = format!(
        "User bought {} credits for ${}.",
        py_float(credits),
        py_float(quoted_fiat)
    );
    add_transaction(
        &mut world,
        &user_id,
        Kind::Credit,
        description,
        credits,
        fiat,
        payment_intent,
    );
    world.clara.settled.insert(session_id.clone());
    world.clara.settlements.push(Settlement {
        session_id: session_id.clone(),
        user_id: user_id.clone(),
        credits,
        wall_ms: SystemTime::now()
            .duration_since(SystemTime::UNIX_EPOCH)
            .map_or(0, |d| d.as_millis()),
    });
    tracing::info!(session = %session_id, user = %user_id, credits, "Clara settled a checkout session");
    Ok(ok("Checkout session settled successfully.", Value::Null))
}
