//! The Dispersed-compatible API (`dispersed-api.md`), served under `/v1`:
//! signed requests, credit purchases with the PENDING → COMPLETED / EXPIRED
//! lifecycle, and consumer profiles.

pub mod auth;
pub mod hooks;
mod purchases;
pub mod signing;
pub mod store;

pub use purchases::stripe_webhook;
pub use store::{App, World};

use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::{get, patch};
use axum::Router;

use auth::error;

/// Dispersed's API, with Dispersed's state.
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

async fn not_found() -> Response {
    error(StatusCode::NOT_FOUND, "not_found", "Route not found.")
}
