//! The REST subset: customers, prices, webhook endpoints, Checkout Sessions
//! and billing-portal sessions, in Stripe's wire format (form-encoded requests,
//! JSON objects, Stripe's error bodies). Unmodelled parameters are ignored.

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde_json::{json, Map, Value};

use super::{delivery, App, Customer, Endpoint, LineItem, PortalSession, Price, Session, Status};
use crate::{demo, form, ids};

pub fn routes() -> Router<App> {
    Router::new()
        .route("/v1/customers", post(create_customer))
        .route(
            "/v1/customers/{id}",
            post(update_customer).get(get_customer),
        )
        .route("/v1/prices", post(create_price))
        .route("/v1/prices/{id}", get(get_price))
        .route("/v1/webhook_endpoints", post(create_endpoint))
        .route("/v1/checkout/sessions", post(create_session))
        .route("/v1/checkout/sessions/{id}", get(get_session))
        .route("/v1/checkout/sessions/{id}/expire", post(expire_session))
        .route("/v1/billing_portal/sessions", post(create_portal))
        .route("/v1/{*rest}", axum::routing::any(unknown))
}

type Res = Result<Response, Response>;

/// Stripe's error body.
fn error(
    status: StatusCode,
    message: impl Into<String>,
    param: Option<&str>,
    code: Option<&str>,
) -> Response {
    let mut body = json!({"error": {"message": message.into(), "type": "invalid_request_error"}});
    if let Some(p) = param {
        body["error"]["param"] = json!(p);
    }
    if let Some(c) = code {
        body["error"]["code"] = json!(c);
    }
    (status, Json(body)).into_response()
}

fn missing(param: &str) -> Response {
    error(
        StatusCode::BAD_REQUEST,
        format!("Missing required param: {param}."),
        Some(param),
        Some("parameter_missing"),
    )
}

fn no_such(kind: &str, id: &str, param: Option<&str>) -> Response {
    error(
        StatusCode::NOT_FOUND,
        format!("No such {kind}: '{id}'"),
        param,
        Some("resource_missing"),
    )
}

/// Accepts `Authorization: Bearer sk_test_sandbox` (or Basic with the key as user).
fn check_key(headers: &HeaderMap) -> Result<(), Response> {
    let value = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let key = if let Some(k) = value.strip_prefix("Bearer ") {
        k.trim().to_owned()
    } else if let Some(b) = value.strip_prefix("Basic ") {
        use base64::Engine;
        base64::engine::general_purpose::STANDARD
            .decode(b.trim())
            .ok()
            .and_then(|raw| String::from_utf8(raw).ok())
            .map(|s| s.split(':').next().unwrap_or_default().to_owned())
            .unwrap_or_default()
    } else {
        String::new()
    };
    if key.is_empty() {
        return Err(error(
            StatusCode::UNAUTHORIZED,
            "You did not provide an API key. You need to provide your API key in the Authorization header, using Bearer auth (e.g. 'Authorization: Bearer YOUR_SECRET_KEY').",
            None,
            None,
        ));
    }
    if key != demo::STRIPE_SECRET_KEY {
        let tail: String = key
            .chars()
            .rev()
            .take(4)
            .collect::<Vec<_>>()
            .into_iter()
            .rev()
            .collect();
        return Err(error(
            StatusCode::UNAUTHORIZED,
            format!("Invalid API Key provided: sk_test_****{tail}"),
            None,
            None,
        ));
    }
    Ok(())
}

/// Form body (what Stripe takes); JSON is accepted too, leniently.
fn params(headers: &HeaderMap, body: &[u8]) -> Value {
    let is_json = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|ct| ct.starts_with("application/json"));
    if is_json {
        serde_json::from_slice(body).unwrap_or_else(|_| json!({}))
    } else {
        form::parse(body)
    }
}

fn text(p: &Value, key: &str) -> Option<String> {
    match &p[key] {
        Value::String(s) if !s.is_empty() => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

fn integer(p: &Value, key: &str, param: &str) -> Result<Option<i64>, Response> {
    match text(p, key) {
        None => Ok(None),
        Some(s) => s.parse::<i64>().map(Some).map_err(|_| {
            error(
                StatusCode::BAD_REQUEST,
                format!("Invalid integer: {s}"),
                Some(param),
                Some("parameter_invalid_integer"),
            )
        }),
    }
}

fn metadata(p: &Value) -> Result<Map<String, Value>, Response> {
    let mut out = Map::new();
    if let Value::Object(m) = &p["metadata"] {
        for (k, v) in m {
            let s = match v {
                Value::String(s) => s.clone(),
                other => other.to_string(),
            };
            if s.chars().count() > 500 {
                return Err(error(StatusCode::BAD_REQUEST, format!("Metadata values can have up to 500 characters, but you passed in a value that is {} characters.", s.chars().count()), Some(&format!("metadata[{k}]")), Some("parameter_invalid_string_too_long")));
            }
            out.insert(k.clone(), Value::String(s));
        }
    }
    Ok(out)
}

fn valid_url(p: &Value, key: &str) -> Result<Option<String>, Response> {
    match text(p, key) {
        None => Ok(None),
        Some(u) => match url::Url::parse(&u) {
            Ok(parsed) if matches!(parsed.scheme(), "http" | "https") => Ok(Some(u)),
            _ => Err(error(
                StatusCode::BAD_REQUEST,
                "Not a valid URL",
                Some(key),
                Some("url_invalid"),
            )),
        },
    }
}

async fn create_customer(State(app): State<App>, headers: HeaderMap, body: Bytes) -> Res {
    check_key(&headers)?;
    let p = params(&headers, &body);
    let mut world = app.world();
    let customer = Customer {
        id: ids::stripe("cus"),
        email: text(&p, "email"),
        name: text(&p, "name"),
        metadata: metadata(&p)?,
        created: world.clock.unix(),
    };
    let json = customer.to_json();
    world.stripe.customers.insert(customer.id.clone(), customer);
    Ok(Json(json).into_response())
}

async fn update_customer(
    State(app): State<App>,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Res {
    check_key(&headers)?;
    let p = params(&headers, &body);
    let meta = metadata(&p)?;
    let mut world = app.world();
    let customer = world
        .stripe
        .customers
        .get_mut(&id)
        .ok_or_else(|| no_such("customer", &id, Some("id")))?;
    if let Some(email) = text(&p, "email") {
        customer.email = Some(email);
    }
    if let Some(name) = text(&p, "name") {
        customer.name = Some(name);
    }
    customer.metadata.extend(meta);
    Ok(Json(customer.to_json()).into_response())
}

async fn get_customer(State(app): State<App>, Path(id): Path<String>, headers: HeaderMap) -> Res {
    check_key(&headers)?;
    let world = app.world();
    let customer = world
        .stripe
        .customers
        .get(&id)
        .ok_or_else(|| no_such("customer", &id, Some("id")))?;
    Ok(Json(customer.to_json()).into_response())
}

async fn create_price(State(app): State<App>, headers: HeaderMap, body: Bytes) -> Res {
    check_key(&headers)?;
    let p = params(&headers, &body);
    let currency = text(&p, "currency")
        .ok_or_else(|| missing("currency"))?
        .to_ascii_lowercase();
    let unit_amount =
        integer(&p, "unit_amount", "unit_amount")?.ok_or_else(|| missing("unit_amount"))?;
    if unit_amount < 0 {
        return Err(error(
            StatusCode::BAD_REQUEST,
            "This value must be greater than or equal to 0.",
            Some("unit_amount"),
            Some("parameter_invalid_integer"),
        ));
    }
    let product = text(&p, "product")
        .or_else(|| {
            p["product_data"]["name"]
                .as_str()
                .map(|_| ids::stripe("prod"))
        })
        .ok_or_else(|| missing("product"))?;
    let mut world = app.world();
    let price = Price {
        id: ids::stripe("price"),
        unit_amount,
        currency,
        product,
        created: world.clock.unix(),
    };
    let json = price.to_json();
    world.stripe.prices.insert(price.id.clone(), price);
    Ok(Json(json).into_response())
}

async fn get_price(State(app): State<App>, Path(id): Path<String>, headers: HeaderMap) -> Res {
    check_key(&headers)?;
    let world = app.world();
    let price = world
        .stripe
        .prices
        .get(&id)
        .ok_or_else(|| no_such("price", &id, Some("id")))?;
    Ok(Json(price.to_json()).into_response())
}

async fn create_endpoint(State(app): State<App>, headers: HeaderMap, body: Bytes) -> Res {
    check_key(&headers)?;
    let p = params(&headers, &body);
    let url = valid_url(&p, "url")?.ok_or_else(|| missing("url"))?;
    let events: Vec<String> = match &p["enabled_events"] {
        Value::Array(items) => items
            .iter()
            .filter_map(|v| v.as_str().map(str::to_owned))
            .collect(),
        _ => Vec::new(),
    };
    if events.is_empty() {
        return Err(missing("enabled_events"));
    }
    let mut world = app.world();
    let endpoint = Endpoint {
        id: ids::stripe("we"),
        url,
        secret: format!("whsec_{}", ids::secret(32)),
        enabled_events: events,
        created: world.clock.unix(),
    };
    let json = endpoint.to_json(true);
    world.stripe.endpoints.push(endpoint);
    Ok(Json(json).into_response())
}

async fn create_session(State(app): State<App>, headers: HeaderMap, body: Bytes) -> Res {
    check_key(&headers)?;
    let p = params(&headers, &body);
    match text(&p, "mode").as_deref() {
        Some("payment") => {}
        Some(other) => {
            return Err(error(
                StatusCode::BAD_REQUEST,
                format!("The Sandbox models Checkout in payment mode only, not `{other}`."),
                Some("mode"),
                Some("parameter_invalid"),
            ));
        }
        None => return Err(missing("mode")),
    }
    let success_url = valid_url(&p, "success_url")?;
    let cancel_url = valid_url(&p, "cancel_url")?;
    let meta = metadata(&p)?;
    let client_reference_id = text(&p, "client_reference_id");
    if client_reference_id
        .as_ref()
        .is_some_and(|c| c.chars().count() > 200)
    {
        return Err(error(
            StatusCode::BAD_REQUEST,
            "Invalid string: client_reference_id must be at most 200 characters.",
            Some("client_reference_id"),
            Some("parameter_invalid_string_too_long"),
        ));
    }
    let requested_expiry = integer(&p, "expires_at", "expires_at")?;

    let mut world = app.world();
    let now = world.clock.unix();
    let Some(items) = p["line_items"].as_array().filter(|a| !a.is_empty()) else {
        return Err(missing("line_items"));
    };
    let mut line_items = Vec::new();
    let mut currency: Option<String> = None;
    for (i, item) in items.iter().enumerate() {
        let quantity =
            integer(item, "quantity", &format!("line_items[{i}][quantity]"))?.unwrap_or(1);
        if quantity < 1 {
            return Err(error(
                StatusCode::BAD_REQUEST,
                "Quantity must be greater than 0.",
                Some(&format!("line_items[{i}][quantity]")),
                Some("parameter_invalid_integer"),
            ));
        }
        let (line, line_currency) = if let Some(price_id) = text(item, "price") {
            let price = world.stripe.prices.get(&price_id).ok_or_else(|| {
                no_such("price", &price_id, Some(&format!("line_items[{i}][price]")))
            })?;
            (
                LineItem {
                    name: price.product.clone(),
                    unit_amount: price.unit_amount,
                    quantity,
                },
                price.currency.clone(),
            )
        } else if item["price_data"].is_object() {
            let data = &item["price_data"];
            let cur = text(data, "currency")
                .ok_or_else(|| missing(&format!("line_items[{i}][price_data][currency]")))?;
            let unit = integer(
                data,
                "unit_amount",
                &format!("line_items[{i}][price_data][unit_amount]"),
            )?
            .ok_or_else(|| missing(&format!("line_items[{i}][price_data][unit_amount]")))?;
            let name = data["product_data"]["name"]
                .as_str()
                .map(str::to_owned)
                .or_else(|| text(data, "product"))
                .ok_or_else(|| missing(&format!("line_items[{i}][price_data][product_data]")))?;
            (
                LineItem {
                    name,
                    unit_amount: unit,
                    quantity,
                },
                cur.to_ascii_lowercase(),
            )
        } else {
            return Err(missing(&format!("line_items[{i}][price]")));
        };
        if currency.as_ref().is_some_and(|c| *c != line_currency) {
            return Err(error(
                StatusCode::BAD_REQUEST,
                "All line items must use the same currency.",
                Some("line_items"),
                Some("parameter_invalid"),
            ));
        }
        currency = Some(line_currency);
        line_items.push(line);
    }
    let expires_at = match requested_expiry {
        None => now + 24 * 3600,
        Some(t) if t >= now + 30 * 60 && t <= now + 24 * 3600 => t,
        Some(_) => {
            return Err(error(StatusCode::BAD_REQUEST, "The `expires_at` timestamp must be between 30 minutes and 24 hours from the Checkout Session's creation.", Some("expires_at"), Some("parameter_invalid_integer")));
        }
    };
    let customer = text(&p, "customer");
    if let Some(c) = &customer {
        if !world.stripe.customers.contains_key(c) {
            return Err(no_such("customer", c, Some("customer")));
        }
    }
    let payment_method_types = match &p["payment_method_types"] {
        Value::Array(a) if !a.is_empty() => a
            .iter()
            .filter_map(|v| v.as_str().map(str::to_owned))
            .collect(),
        _ => vec!["card".to_owned()],
    };
    let session = Session {
        id: format!("cs_test_{}", ids::secret(58)),
        created: now,
        expires_at,
        status: Status::Open,
        paid: false,
        currency: currency.unwrap_or_else(|| "usd".to_owned()),
        line_items,
        success_url,
        cancel_url,
        client_reference_id,
        metadata: meta,
        customer,
        customer_email: text(&p, "customer_email"),
        payer_email: None,
        payment_intent: None,
        allow_promotion_codes: text(&p, "allow_promotion_codes").map(|v| v == "true"),
        billing_address_collection: text(&p, "billing_address_collection"),
        payment_method_types,
        paid_at_ms: None,
        declines: Vec::new(),
    };
    let json = session.to_json(&app.base, &world.stripe);
    tracing::info!(session = %session.id, amount = session.amount_total(), currency = %session.currency, "checkout session created");
    world.stripe.sessions.insert(session.id.clone(), session);
    Ok(Json(json).into_response())
}

async fn get_session(State(app): State<App>, Path(id): Path<String>, headers: HeaderMap) -> Res {
    check_key(&headers)?;
    let (json, events) = {
        let mut world = app.world();
        let events = super::expire_due(&app, &mut world);
        let session = world
            .stripe
            .sessions
            .get(&id)
            .ok_or_else(|| no_such("checkout.session", &id, Some("session")))?;
        (session.to_json(&app.base, &world.stripe), events)
    };
    for e in events {
        delivery::deliver(&app, e);
    }
    Ok(Json(json).into_response())
}

async fn expire_session(State(app): State<App>, Path(id): Path<String>, headers: HeaderMap) -> Res {
    check_key(&headers)?;
    let (json, event) = {
        let mut world = app.world();
        if !world.stripe.sessions.contains_key(&id) {
            return Err(no_such("checkout.session", &id, Some("session")));
        }
        let event = super::expire(&app, &mut world, &id).map_err(|m| {
            error(
                StatusCode::BAD_REQUEST,
                m,
                None,
                Some("checkout_session_unexpirable"),
            )
        })?;
        (event["data"]["object"].clone(), event)
    };
    delivery::deliver(&app, event);
    Ok(Json(json).into_response())
}

async fn create_portal(State(app): State<App>, headers: HeaderMap, body: Bytes) -> Res {
    check_key(&headers)?;
    let p = params(&headers, &body);
    let customer = text(&p, "customer").ok_or_else(|| missing("customer"))?;
    let return_url = valid_url(&p, "return_url")?;
    let mut world = app.world();
    if !world.stripe.customers.contains_key(&customer) {
        return Err(no_such("customer", &customer, Some("customer")));
    }
    let portal = PortalSession {
        id: format!("bps_{}", ids::secret(24)),
        customer,
        return_url,
        created: world.clock.unix(),
    };
    let json = portal.to_json(&app.base);
    world.stripe.portals.insert(portal.id.clone(), portal);
    Ok(Json(json).into_response())
}

async fn unknown(method: Method, uri: Uri) -> Response {
    let path = uri.path().trim_start_matches("/stripe");
    error(
        StatusCode::NOT_FOUND,
        format!("Unrecognized request URL ({method}: {path}). Please see https://stripe.com/docs or we can help at https://support.stripe.com/."),
        None,
        None,
    )
}
