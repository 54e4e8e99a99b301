//! Signed requests (§3): the four headers, the time window, nonces, and the
//! error answer every endpoint shares.

use axum::body::Bytes;
use axum::extract::{FromRequest, OriginalUri, Request};
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::json;

use super::signing;
use super::store::{KeyPair, World};

/// How far `X-Time` may be from the Sandbox clock.
pub const TIME_WINDOW_MS: i64 = 5 * 60 * 1000;

/// The Sandbox's `ErrorResponse` (the real schema is not published, §9).
pub fn error(status: StatusCode, code: &str, message: &str) -> Response {
    (
        status,
        Json(json!({"error": {"code": code, "message": message, "status": status.as_u16()}})),
    )
        .into_response()
}

/// A request as it was signed: what [`authenticate`] reads. Handlers take it
/// whole instead of its four parts.
pub struct Signed {
    pub method: Method,
    /// As the caller sent it (before any routing rewrote it).
    pub uri: Uri,
    pub headers: HeaderMap,
    pub body: Bytes,
}

impl Signed {
    /// The caller's key pair, or the error answer.
    pub fn check(&self, world: &mut World, needs_ledger: bool) -> Result<KeyPair, Response> {
        authenticate(
            world,
            &self.method,
            &self.uri,
            &self.headers,
            &self.body,
            needs_ledger,
        )
    }
}

impl<S: Send + Sync> FromRequest<S> for Signed {
    type Rejection = Response;

    async fn from_request(request: Request, state: &S) -> Result<Self, Response> {
        let uri = request
            .extensions()
            .get::<OriginalUri>()
            .map_or_else(|| request.uri().clone(), |original| original.0.clone());
        let method = request.method().clone();
        let headers = request.headers().clone();
        let body = Bytes::from_request(request, state)
            .await
            .map_err(IntoResponse::into_response)?;
        Ok(Self {
            method,
            uri,
            headers,
            body,
        })
    }
}

/// Checks the four signing headers; the caller's key pair on success.
fn authenticate(
    world: &mut World,
    method: &Method,
    uri: &Uri,
    headers: &HeaderMap,
    body: &Bytes,
    needs_ledger: bool,
) -> Result<KeyPair, Response> {
    let header = |name: &str| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
    };
    let unauthorized = |code: &str, message: &str| error(StatusCode::UNAUTHORIZED, code, message);
    let (Some(public_key), Some(time), Some(nonce), Some(signature)) = (
        header("x-api-key"),
        header("x-time"),
        header("x-nonce"),
        header("x-signature"),
    ) else {
        return Err(unauthorized(
            "missing_authentication",
            "Requests must carry X-API-Key, X-Time, X-Nonce and X-Signature.",
        ));
    };
    let now = world.clock.unix_ms();
    let Ok(t) = time.parse::<i64>() else {
        return Err(unauthorized(
            "invalid_timestamp",
            "X-Time must be Unix time in milliseconds.",
        ));
    };
    if (now - t).abs() > TIME_WINDOW_MS {
        return Err(unauthorized(
            "stale_timestamp",
            "X-Time is outside the allowed window of 5 minutes.",
        ));
    }
    if nonce.len() != 32 || !nonce.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(unauthorized(
            "invalid_nonce",
            "X-Nonce must be 32 hexadecimal characters.",
        ));
    }
    let Some(key) = world.dispersed.keys.get(&public_key).cloned() else {
        return Err(unauthorized("invalid_api_key", "The API key is not valid."));
    };
    let Ok(body_hash) = signing::body_sha256(body) else {
        return Err(error(
            StatusCode::BAD_REQUEST,
            "invalid_body",
            "The request body is not valid JSON.",
        ));
    };
    let canonical = signing::canonical_string(
        &public_key,
        &time,
        &nonce,
        method.as_str(),
        uri.path(),
        &signing::canonical_query(uri.query()),
        &body_hash,
    );
    let expected = signing::sign(&key.secret, &canonical);
    if !signing::same(&expected, &signature.to_ascii_lowercase()) {
        tracing::info!(%canonical, "dispersed: signature mismatch");
        return Err(unauthorized(
            "invalid_signature",
            "The request signature does not match.",
        ));
    }
    world
        .dispersed
        .nonces
        .retain(|_, seen| now - *seen <= 2 * TIME_WINDOW_MS);
    if world.dispersed.nonces.insert(nonce, now).is_some() {
        return Err(unauthorized(
            "nonce_reused",
            "This X-Nonce has already been used.",
        ));
    }
    if needs_ledger && !key.ledger {
        return Err(error(
            StatusCode::FORBIDDEN,
            "forbidden",
            "This API key does not have permission to access the compute ledger.",
        ));
    }
    Ok(key)
}
