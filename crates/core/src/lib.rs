//! Topup's domain, usable without a window: a CLI, a test or the Tauri shell drive it alike.
//!
//! The crate has no dependency on Tauri. Types that cross into the UI derive
//! `specta::Type` only when the `specta` feature is on, so the binding generator
//! stays an application concern.

pub mod base_url;
pub mod error;
pub mod provider;

pub use base_url::{BaseUrl, BaseUrlError};
pub use error::{Error, ErrorCode};
pub use provider::{Preset, PresetId, ProviderKind, SignInMethod};
