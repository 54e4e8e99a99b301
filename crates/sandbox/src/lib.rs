//! `topup-sandbox`: a local stand-in for Stripe Checkout, Clara and Dispersed.
//!
//! One axum server on loopback serves
//! - a Stripe-like API and hosted Checkout pages under `<base>/stripe`,
//! - a Clara-compatible API under `<base>/api/v1` (plus an OAuth server for
//!   Google sign-in under `<base>/oauth`),
//! - a Dispersed-compatible API under `<base>/v1`,
//! - test hooks under `<base>/__sandbox`.
//!
//! It is built from the API references only and does not depend on `topup-core`.
//! The Clara and Dispersed stand-ins create Checkout Sessions through the Stripe
//! API over HTTP, as the real services do, and Stripe delivers signed webhooks
//! back to them.
//!
//! ```no_run
//! # async fn demo() -> std::io::Result<()> {
//! let sandbox = topup_sandbox::Sandbox::start(topup_sandbox::Config::default()).await?;
//! println!("Clara at {}", sandbox.urls().clara);
//! sandbox.shutdown().await;
//! # Ok(()) }
//! ```

// The Checkout Session object has ~70 keys; json! needs the room.
#![recursion_limit = "256"]
// Handlers bail out with a finished HTTP response, made at most once per
// request; boxing it would only add an allocation.
#![allow(clippy::result_large_err)]

mod admin;
mod app;
mod clara;
mod clock;
pub mod config;
mod dispersed;
mod faults;
mod form;
mod hook_reply;
mod ids;
mod json;
mod reply;
mod reqlog;
mod server;
mod state;
mod stripe;
mod stripe_client;
mod urls;

pub use config::{Config, FaultKind, FaultRule, Quirks, SeedPrice, SeedWebhook};
pub use server::Sandbox;
pub use urls::Urls;

/// The demo data every Sandbox starts with (documented in the crate README).
pub mod demo {
    pub const PASSWORD: &str = "topup-demo-password";
    pub const USER_EMAIL: &str = "demo@topup.test";
    pub const TWO_FA_EMAIL: &str = "2fa@topup.test";
    pub const INACTIVE_EMAIL: &str = "inactive@topup.test";
    pub const CLARA_PUBLIC_KEY: &str = "sandbox-public-key";
    pub const CLARA_PRIVATE_KEY: &str = "sandbox-private-key";
    pub const DISPERSED_PUBLIC_KEY: &str = "pk_sandbox_demo";
    pub const DISPERSED_SECRET_KEY: &str = "sk_sandbox_demo";
    /// A key pair that signs correctly but has no ledger permission (403).
    pub const DISPERSED_READONLY_PUBLIC_KEY: &str = "pk_sandbox_readonly";
    pub const DISPERSED_READONLY_SECRET_KEY: &str = "sk_sandbox_readonly";
    pub const STRIPE_SECRET_KEY: &str = "sk_test_sandbox";
    pub const WEBHOOK_SECRET: &str = "whsec_sandbox";
    /// The Stripe Price Clara's rate tier names: one credit at one US cent.
    pub const CLARA_PRICE_ID: &str = "price_sandbox_clara_credit";
    pub const GOOGLE_CLIENT_ID: &str = "sandbox-google-client.apps.googleusercontent.com";
    pub const GOOGLE_EMAIL: &str = "google-user@topup.test";
}
