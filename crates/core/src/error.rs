//! The one error type of `topup-core`.
//!
//! Every variant has a stable machine [`ErrorCode`] (what the UI and scripts branch on)
//! and a human message (what a person reads). Codes are part of the IPC contract:
//! renaming one is a breaking change, so they are spelled out rather than derived
//! from variant names.

use serde::{Deserialize, Serialize};

use crate::base_url::BaseUrlError;

/// Stable, machine-readable error codes. Serialized in `snake_case`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum ErrorCode {
    /// A service address that is not an https URL (or plain http on loopback).
    InvalidBaseUrl,
    /// A preset id that this build does not know.
    UnknownPreset,
}

impl ErrorCode {
    /// The code as it appears on the wire.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::InvalidBaseUrl => "invalid_base_url",
            Self::UnknownPreset => "unknown_preset",
        }
    }
}

impl std::fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Everything that can go wrong in core, phrased for the person using the app.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    #[error(transparent)]
    InvalidBaseUrl(#[from] BaseUrlError),
    #[error("Topup does not know the service “{0}”.")]
    UnknownPreset(String),
}

impl Error {
    /// The stable code for this error.
    pub fn code(&self) -> ErrorCode {
        match self {
            Self::InvalidBaseUrl(_) => ErrorCode::InvalidBaseUrl,
            Self::UnknownPreset(_) => ErrorCode::UnknownPreset,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_serialize_as_their_wire_names() {
        for code in [ErrorCode::InvalidBaseUrl, ErrorCode::UnknownPreset] {
            let json = serde_json::to_string(&code).unwrap();
            assert_eq!(json, format!("\"{}\"", code.as_str()));
        }
    }

    #[test]
    fn every_error_carries_its_code_and_a_sentence() {
        let err = Error::from(BaseUrlError::Empty);
        assert_eq!(err.code(), ErrorCode::InvalidBaseUrl);
        assert!(err.to_string().ends_with('.'));
        let err = Error::UnknownPreset("acme".into());
        assert_eq!(err.code(), ErrorCode::UnknownPreset);
        assert!(err.to_string().contains("acme"));
    }
}
