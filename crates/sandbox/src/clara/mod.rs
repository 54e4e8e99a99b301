//! The Clara-compatible API (`clara-api.md`), served under `/api/v1`.
//!
//! Documented behaviour by default; with [`Quirks::Boilerplate`] the Sandbox
//! does what the Flask Backend Boilerplate's source does where the two differ.

mod account;
mod admin;
pub mod auth;
mod billing;
pub mod google;
mod google_store;
pub mod hooks;
pub mod jwt;
pub mod rate_limit;
pub mod reply;
pub mod seed;
mod session;
pub mod store;
mod users;

pub use admin::set_balance;
pub use store::{App, World};

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::{get, post, put};
use axum::Router;
use serde_json::json;

use crate::config::Quirks;
use reply::{failure, ok};

/// Clara's API, with Clara's state.
pub fn routes() -> Router<App> {
    Router::new()
        .route("/auth/register", post(account::register))
        .route("/auth/google", post(account::google))
        .route(
            "/auth/session",
            post(session::login).delete(session::logout),
        )
        .route("/users", get(admin::list_users))
        .route(
            "/users/{user}",
            get(users::view)
                .patch(users::update)
                .delete(admin::delete_user),
        )
        .route(
            "/users/{user}/password",
            axum::routing::patch(account::change_password),
        )
        .route("/users/{user}/otp/{otp_type}", post(account::request_otp))
        .route("/users/{user}/activate", post(account::activate))
        .route(
            "/users/{user}/2fa",
            post(account::enable_2fa).delete(account::disable_2fa),
        )
        .route(
            "/users/{user}/api_key",
            get(users::view_api_key).post(users::reset_api_key),
        )
        .route("/users/{user}/credits", put(admin::set_credits))
        .route(
            "/users/{user}/transactions",
            get(users::transactions).post(admin::create_transaction),
        )
        .route(
            "/users/{user}/transactions/{transaction}",
            get(users::transaction)
                .patch(admin::update_transaction)
                .delete(admin::delete_transaction),
        )
        .route("/users/{user}/tasks", get(users::tasks))
        .route("/users/{user}/tasks/{task}", get(users::task))
        .route(
            "/users/{user}/agent/supported_attachments",
            get(users::supported_attachments),
        )
        .route("/users/{user}/agent/analysis", post(users::analysis))
        .route("/stripe/rate", get(billing::rate))
        .route("/stripe/buy", post(billing::buy))
        .route("/stripe/portal", post(billing::portal))
        .route("/stripe/settle", post(billing::settle))
        .route("/health", get(health))
        .route("/version", get(version))
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
}

async fn not_found() -> Response {
    failure(StatusCode::NOT_FOUND, "The requested route does not exist.")
}

async fn method_not_allowed() -> Response {
    failure(
        StatusCode::METHOD_NOT_ALLOWED,
        "The requested method is not allowed for this route.",
    )
}

async fn health(State(app): State<App>) -> Response {
    let service = if app.config.quirks == Quirks::Boilerplate {
        "crazi-co"
    } else {
        "crazi_co"
    };
    ok(
        "Health check successful.",
        json!({"service": service, "status": "healthy"}),
    )
}

async fn version(State(app): State<App>) -> Response {
    let version = if app.config.quirks == Quirks::Boilerplate {
        "1.0.0"
    } else {
        "1.1.3"
    };
    ok("Version check successful.", json!({"version": version}))
}
