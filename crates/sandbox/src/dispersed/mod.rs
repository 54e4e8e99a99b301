//! The Dispersed-compatible API (`dispersed-api.md`), served under `/v1`:
//! signed requests, credit purchases with the PENDING → COMPLETED / EXPIRED
//! lifecycle, and consumer profiles.

mod purchases;
pub mod signing;

pub use purchases::stripe_webhook;

use std::collections::HashMap;
use std::time::SystemTime;

use axum::body::Bytes;
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, patch};
use axum::{Json, Router};
use serde_json::{json, Value};

use crate::clock::iso8601;
use crate::state::{App, World};
use crate::{demo, ids};

/// How far `X-Time` may be from the Sandbox clock.
pub const TIME_WINDOW_MS: i64 = 5 * 60 * 1000;

pub fn routes() -> Router<App> {
    Router::new()
        .route(
            "/compute/ledger/credit-purchases",
            get(purchases::list).post(purchases::create),
        )
        .route(
            "/compute/ledger/credit-purchases/reconcile",
            get(purchases::reconcile),
        )
        .route("/consumer-profiles", get(purchases::profiles))
        .route(
            "/consumer-profiles/{uuid}",
            patch(purchases::update_profile),
        )
        .fallback(not_found)
}

pub struct Store {
    pub keys: HashMap<String, KeyPair>,
    /// Nonces seen, with the request time, forgotten once outside the window.
    pub nonces: HashMap<String, i64>,
    pub purchases: Vec<Purchase>,
    pub profiles: Vec<Profile>,
    /// Answer Create with `checkout_session: null`, as before the upstream update.
    pub legacy_create: bool,
    pub webhook_secret: String,
}

#[derive(Debug, Clone)]
pub struct KeyPair {
    pub secret: String,
    pub ledger: bool,
    pub account_uuid: String,
}

#[derive(Debug, Clone)]
pub struct Profile {
    pub uuid: String,
    pub account_uuid: String,
    pub render_user_id: String,
    pub is_active: bool,
    pub is_compute_billing_enabled: bool,
    pub allowed_region_codes: Vec<String>,
    pub created_at: SystemTime,
    pub updated_at: SystemTime,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    Pending,
    Completed,
    Expired,
}

impl Status {
    pub fn name(self) -> &'static str {
        match self {
            Self::Pending => "PENDING",
            Self::Completed => "COMPLETED",
            Self::Expired => "EXPIRED",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "PENDING" => Some(Self::Pending),
            "COMPLETED" => Some(Self::Completed),
            "EXPIRED" => Some(Self::Expired),
            _ => None,
        }
    }
}

#[derive(Debug, Clone)]
pub struct Purchase {
    pub uuid: String,
    /// EUR, major units, as submitted.
    pub amount: f64,
    pub checkout_session_id: String,
    pub status: Status,
    pub memo: Option<String>,
    pub account_uuid: String,
    pub profile_uuid: String,
    pub render_user_id: String,
    pub created_at: SystemTime,
    pub updated_at: SystemTime,
    pub completed_at: Option<SystemTime>,
}

impl Default for Store {
    fn default() -> Self {
        let mut store = Self {
            keys: HashMap::new(),
            nonces: HashMap::new(),
            purchases: Vec::new(),
            profiles: Vec::new(),
            legacy_create: false,
            webhook_secret: format!("whsec_{}", ids::secret(32)),
        };
        let account = ids::uuid();
        store.keys.insert(
            demo::DISPERSED_PUBLIC_KEY.to_owned(),
            KeyPair {
                secret: demo::DISPERSED_SECRET_KEY.to_owned(),
                ledger: true,
                account_uuid: account.clone(),
            },
        );
        store.keys.insert(
            demo::DISPERSED_READONLY_PUBLIC_KEY.to_owned(),
            KeyPair {
                secret: demo::DISPERSED_READONLY_SECRET_KEY.to_owned(),
                ledger: false,
                account_uuid: account.clone(),
            },
        );
        let now = SystemTime::now();
        store.profiles.push(Profile {
            uuid: ids::uuid(),
            account_uuid: account,
            render_user_id: format!("render_{}", ids::secret(10).to_lowercase()),
            is_active: true,
            is_compute_billing_enabled: true,
            allowed_region_codes: vec!["us-west-2".to_owned()],
            created_at: now,
            updated_at: now,
        });
        store
    }
}

fn number(v: f64) -> Value {
    crate::clara::whole_or_float(v)
}

impl Purchase {
    pub fn to_json(&self) -> Value {
        json!({
            "amount": number(self.amount),
            "currency": "eur",
            "checkout_session_id": self.checkout_session_id,
            "status": self.status.name(),
            "object": "compute_ledger_credit_purchase",
            "created_at": iso8601(self.created_at),
            "updated_at": iso8601(self.updated_at),
            "uuid": self.uuid,
            "consumer_profile_uuid": self.profile_uuid,
            "consumer_account_uuid": self.account_uuid,
            "render_user_id": self.render_user_id,
            "memo": self.memo,
            "completed_at": self.completed_at.map(iso8601),
        })
    }
}

impl Profile {
    pub fn to_json(&self) -> Value {
        json!({
            "object": "consumer_profile",
            "uuid": self.uuid,
            "account_uuid": self.account_uuid,
            "render_user_id": self.render_user_id,
            "is_active": self.is_active,
            "is_compute_billing_enabled": self.is_compute_billing_enabled,
            "allowed_region_codes": self.allowed_region_codes,
            "created_at": iso8601(self.created_at),
            "updated_at": iso8601(self.updated_at),
            "deleted_at": null,
        })
    }
}

/// The Sandbox's `ErrorResponse` (the real schema is not published, §9).
pub fn error(status: StatusCode, code: &str, message: &str) -> Response {
    (
        status,
        Json(json!({"error": {"code": code, "message": message, "status": status.as_u16()}})),
    )
        .into_response()
}

async fn not_found() -> Response {
    error(StatusCode::NOT_FOUND, "not_found", "Route not found.")
}

/// Checks the four signing headers; the caller's key pair on success.
pub fn authenticate(
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
