//! Clara's envelope, its messages and its request-body checks (§2, §4).

use axum::body::Bytes;
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::{json, Map, Value};

use crate::json::sorted;

// ---- messages (§4) ----

pub const MSG_EMPTY_BODY: &str = "Request body is empty.";
pub const MSG_SCHEMA: &str =
    "One or more required parameters are either not given or have invalid schema.";
pub const MSG_UNAUTHORIZED: &str =
    "Authorization header or OTP is either missing, invalid or expired.";
pub const MSG_INACTIVE: &str = "Please activate your account to access the requested resource.";
pub const MSG_FORBIDDEN: &str = "You do not have access to the requested resource.";
pub const MSG_NO_CREDITS: &str = "You do not have enough credits to perform this action.";
pub const MSG_NO_RATE: &str = "No credits rate found for the given amount.";
pub const MSG_SERVER: &str = "Something went wrong.";

// ---- envelope (§2) ----

pub fn envelope(status: StatusCode, ok: bool, message: &str, data: Value) -> Response {
    let body = sorted(json!({
        "data": data,
        "message": message,
        "status": if ok { "success" } else { "error" },
    }));
    (
        status,
        [(header::CONTENT_TYPE, "application/json")],
        body.to_string(),
    )
        .into_response()
}

pub fn success(status: StatusCode, message: &str, data: Value) -> Response {
    envelope(status, true, message, data)
}

/// 200 with the record, the answer to a read or an update.
pub fn ok(message: &str, data: Value) -> Response {
    success(StatusCode::OK, message, data)
}

/// The answer to a read of one record: 200 with it, or §4's 404 for `what`.
pub fn fetched(what: &str, found: Option<Value>) -> crate::reply::Reply {
    match found {
        Some(data) => Ok(ok(&format!("{what} fetched successfully."), data)),
        None => Err(not_found_resource(what)),
    }
}

/// 201 with what was made.
pub fn created(message: &str, data: Value) -> Response {
    success(StatusCode::CREATED, message, data)
}

pub fn failure(status: StatusCode, message: &str) -> Response {
    envelope(status, false, message, Value::Null)
}

pub fn no_content() -> Response {
    StatusCode::NO_CONTENT.into_response()
}

pub fn schema_error() -> Response {
    failure(StatusCode::BAD_REQUEST, MSG_SCHEMA)
}

pub fn unauthorized() -> Response {
    failure(StatusCode::UNAUTHORIZED, MSG_UNAUTHORIZED)
}

pub fn unauthorized_2fa() -> Response {
    envelope(
        StatusCode::UNAUTHORIZED,
        false,
        MSG_UNAUTHORIZED,
        json!({"is_2fa_enabled": true}),
    )
}

pub fn forbidden() -> Response {
    failure(StatusCode::FORBIDDEN, MSG_FORBIDDEN)
}

pub fn inactive() -> Response {
    failure(StatusCode::UNAUTHORIZED, MSG_INACTIVE)
}

pub fn server_error() -> Response {
    failure(StatusCode::INTERNAL_SERVER_ERROR, MSG_SERVER)
}

pub fn not_found_resource(resource: &str) -> Response {
    failure(
        StatusCode::NOT_FOUND,
        &format!("{resource} with the given identifier does not exist."),
    )
}

// ---- bodies ----

/// A JSON object body, or the §4 error for a missing/empty/non-JSON one.
pub fn json_body(headers: &HeaderMap, body: &Bytes) -> Result<Map<String, Value>, Response> {
    let is_json = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|ct| ct.to_ascii_lowercase().starts_with("application/json"));
    if !is_json || body.is_empty() {
        return Err(failure(StatusCode::BAD_REQUEST, MSG_EMPTY_BODY));
    }
    match serde_json::from_slice::<Value>(body) {
        Ok(Value::Object(map)) if !map.is_empty() => Ok(map),
        Ok(Value::Object(_)) => Err(failure(StatusCode::BAD_REQUEST, MSG_EMPTY_BODY)),
        _ => Err(schema_error()),
    }
}

/// Checks that `body` has exactly the `required` keys plus any of `optional`,
/// each a string (the common case in this API).
pub fn string_fields(
    body: &Map<String, Value>,
    required: &[&str],
    optional: &[&str],
) -> Result<(), Response> {
    for key in body.keys() {
        if !required.contains(&key.as_str()) && !optional.contains(&key.as_str()) {
            return Err(schema_error());
        }
    }
    for key in required {
        if !body.get(*key).is_some_and(Value::is_string) {
            return Err(schema_error());
        }
    }
    for key in optional {
        if body.get(*key).is_some_and(|v| !v.is_string()) {
            return Err(schema_error());
        }
    }
    Ok(())
}
