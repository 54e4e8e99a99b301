//! Topup's domain, usable without a window: a CLI, a test or the Tauri shell
//! drive it alike.
//!
//! - [`money`]: amounts, credits, the typed-amount parser and price lists;
//! - [`pricing`]: what an account's home prices a purchase with, and quotes;
//! - [`provider`]: the [`Provider`] trait every backend implements, with
//!   [`clara`] and [`dispersed`] as its two peers;
//! - [`http`]: the one HTTP client (timeouts, size cap, retries);
//! - [`error`]: the one error type, each with a stable [`ErrorCode`].
//!
//! The crate has no dependency on Tauri. Types that cross into the UI derive
//! `specta::Type` only when the `specta` feature is on.

pub mod accounts;
pub mod alerts;
pub mod base_url;
pub mod checkout;
pub mod clara;
pub mod clock;
pub mod dispersed;
pub mod enrolment;
pub mod error;
#[cfg(any(test, feature = "fuzzing"))]
pub mod fuzzing;
pub mod google;
pub mod history;
pub mod http;
pub mod money;
pub mod pending;
pub mod preferences;
pub mod presets;
pub mod pricing;
pub mod provider;
pub mod purchases;
pub mod region;
pub mod secrets;
pub mod service;
pub mod settings;
pub mod sign_in;
mod storage;
pub mod store;
mod sync;
pub mod updates;
pub mod watch;

pub use base_url::{BaseUrl, BaseUrlError};
pub use error::{Error, ErrorCode, Result};
pub use money::{
    parse_amount, AmountError, AmountRules, Credits, Currency, Money, PriceList, Tier,
};
pub use presets::{Preset, PresetId};
pub use pricing::{Pricing, Quote};
pub use provider::{Provider, ProviderKind, SignInMethod};
