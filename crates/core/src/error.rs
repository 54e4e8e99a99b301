//! The one error type of `topup-core`.
//!
//! Every variant has a stable machine [`ErrorCode`] (what the UI and scripts
//! branch on) and a human message (what a person reads, ending in what to do).
//! Codes are part of the IPC contract: renaming one is a breaking change, so
//! they are spelled out rather than derived from variant names.

use std::time::Duration;

use serde::{Deserialize, Serialize};

use crate::base_url::BaseUrlError;
use crate::money::AmountError;

/// Stable, machine-readable error codes. Serialized in `snake_case`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum ErrorCode {
    InvalidBaseUrl,
    UnknownPreset,
    InvalidAmount,
    AmountOutOfRange,
    InvalidCredentials,
    CodeRequired,
    CodeInvalid,
    SessionExpired,
    AccountInactive,
    PermissionDenied,
    InsufficientCredits,
    AlreadyExists,
    NotFound,
    InvalidRequest,
    RateLimited,
    ServerUnavailable,
    NetworkUnreachable,
    /// The connection broke after the request went out, before its answer
    /// arrived: the service may or may not have acted on it.
    ConnectionDropped,
    Timeout,
    /// The service's TLS certificate does not chain to a root the operating
    /// system trusts (a private CA, a TLS-inspecting proxy, a forged site).
    UntrustedCertificate,
    MalformedResponse,
    /// A purchase's creation met a failure that leaves unknown whether the
    /// service created it. Nothing is charged until a checkout is paid.
    PurchaseUnconfirmed,
    Unsupported,
    KeychainLocked,
    KeychainUnavailable,
    KeychainDenied,
    KeychainFailed,
    StorageFailed,
    UnknownAccount,
    CheckoutUrlRefused,
    InvalidCheckoutOrigin,
    /// A setting the person typed cannot be kept (an empty account name...).
    InvalidSetting,
    /// The desktop would not do what was asked (open a browser, use the
    /// clipboard).
    DesktopFailed,
    /// An update's signature does not match Topup's key: it was not installed.
    UpdateUnverified,
    /// An update could not be checked for, downloaded or installed.
    UpdateFailed,
    Cancelled,
    /// The certificates this computer trusts could not be loaded (its
    /// certificate store is missing, or `SSL_CERT_FILE` / `SSL_CERT_DIR`
    /// point nowhere): no secure connection can be made to any service.
    CertificatesUnavailable,
}

impl ErrorCode {
    /// Every code, for tests and documentation.
    pub const ALL: [Self; 37] = [
        Self::InvalidBaseUrl,
        Self::UnknownPreset,
        Self::InvalidAmount,
        Self::AmountOutOfRange,
        Self::InvalidCredentials,
        Self::CodeRequired,
        Self::CodeInvalid,
        Self::SessionExpired,
        Self::AccountInactive,
        Self::PermissionDenied,
        Self::InsufficientCredits,
        Self::AlreadyExists,
        Self::NotFound,
        Self::InvalidRequest,
        Self::RateLimited,
        Self::ServerUnavailable,
        Self::NetworkUnreachable,
        Self::ConnectionDropped,
        Self::Timeout,
        Self::UntrustedCertificate,
        Self::MalformedResponse,
        Self::PurchaseUnconfirmed,
        Self::Unsupported,
        Self::KeychainLocked,
        Self::KeychainUnavailable,
        Self::KeychainDenied,
        Self::KeychainFailed,
        Self::StorageFailed,
        Self::UnknownAccount,
        Self::CheckoutUrlRefused,
        Self::InvalidCheckoutOrigin,
        Self::InvalidSetting,
        Self::DesktopFailed,
        Self::UpdateUnverified,
        Self::UpdateFailed,
        Self::Cancelled,
        Self::CertificatesUnavailable,
    ];

    /// The code as it appears on the wire.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::InvalidBaseUrl => "invalid_base_url",
            Self::UnknownPreset => "unknown_preset",
            Self::InvalidAmount => "invalid_amount",
            Self::AmountOutOfRange => "amount_out_of_range",
            Self::InvalidCredentials => "invalid_credentials",
            Self::CodeRequired => "code_required",
            Self::CodeInvalid => "code_invalid",
            Self::SessionExpired => "session_expired",
            Self::AccountInactive => "account_inactive",
            Self::PermissionDenied => "permission_denied",
            Self::InsufficientCredits => "insufficient_credits",
            Self::AlreadyExists => "already_exists",
            Self::NotFound => "not_found",
            Self::InvalidRequest => "invalid_request",
            Self::RateLimited => "rate_limited",
            Self::ServerUnavailable => "server_unavailable",
            Self::NetworkUnreachable => "network_unreachable",
            Self::ConnectionDropped => "connection_dropped",
            Self::Timeout => "timeout",
            Self::UntrustedCertificate => "untrusted_certificate",
            Self::MalformedResponse => "malformed_response",
            Self::PurchaseUnconfirmed => "purchase_unconfirmed",
            Self::Unsupported => "unsupported",
            Self::KeychainLocked => "keychain_locked",
            Self::KeychainUnavailable => "keychain_unavailable",
            Self::KeychainDenied => "keychain_denied",
            Self::KeychainFailed => "keychain_failed",
            Self::StorageFailed => "storage_failed",
            Self::UnknownAccount => "unknown_account",
            Self::CheckoutUrlRefused => "checkout_url_refused",
            Self::InvalidCheckoutOrigin => "invalid_checkout_origin",
            Self::InvalidSetting => "invalid_setting",
            Self::DesktopFailed => "desktop_failed",
            Self::UpdateUnverified => "update_unverified",
            Self::UpdateFailed => "update_failed",
            Self::Cancelled => "cancelled",
            Self::CertificatesUnavailable => "certificates_unavailable",
        }
    }

    /// What the code means, for a script's author (`topup-cli --help`).
    pub const fn meaning(self) -> &'static str {
        match self {
            Self::InvalidBaseUrl => "the service address is not a usable https (or loopback http) URL",
            Self::UnknownPreset => "no such service among Topup's choices",
            Self::InvalidAmount => "the amount could not be read as money",
            Self::AmountOutOfRange => "the amount is outside the service's limits",
            Self::InvalidCredentials => "the sign-in (email and password, token or keys) was refused",
            Self::CodeRequired => "the account uses two-factor authentication: a code is needed",
            Self::CodeInvalid => "the two-factor or activation code was refused",
            Self::SessionExpired => "the session ended: sign in again",
            Self::AccountInactive => "the account must be activated on the service before buying",
            Self::PermissionDenied => "the account may not do that",
            Self::InsufficientCredits => "not enough credits for that",
            Self::AlreadyExists => "an account with that email exists already",
            Self::NotFound => "what was asked for does not exist",
            Self::InvalidRequest => "the service refused the request as invalid",
            Self::RateLimited => "the service asked to slow down, and kept refusing within the retry budget: try later",
            Self::ServerUnavailable => "the service answered with a server error (HTTP 5xx), also after retries: try later",
            Self::NetworkUnreachable => "the service could not be reached (nothing was sent): check the network",
            Self::ConnectionDropped => "the connection broke after the request went out, before the whole answer came, also after retries: try later",
            Self::Timeout => "the service did not answer in time: try later",
            Self::UntrustedCertificate => "the service's certificate is not trusted by this computer (a private CA or a TLS-inspecting proxy): add its root to the system's certificate store",
            Self::MalformedResponse => "the service's answer was not what Topup understands (not the expected JSON, a redirect): try later",
            Self::PurchaseUnconfirmed => "unknown whether the service created the checkout; nothing is charged until one is paid, so buying again is safe",
            Self::Unsupported => "the service does not offer that",
            Self::KeychainLocked => "the system keychain is locked",
            Self::KeychainUnavailable => "no system keychain: sign-ins last for this run only",
            Self::KeychainDenied => "the system keychain refused access",
            Self::KeychainFailed => "the system keychain failed",
            Self::StorageFailed => "Topup could not write its files",
            Self::UnknownAccount => "no such account in Topup",
            Self::CheckoutUrlRefused => "the service's checkout link failed Topup's safety check and was not opened",
            Self::InvalidCheckoutOrigin => "a checkout origin in the settings is not usable",
            Self::InvalidSetting => "a setting's value cannot be kept",
            Self::DesktopFailed => "the desktop would not open the browser or use the clipboard",
            Self::UpdateUnverified => "an update's signature did not match Topup's key: nothing was installed",
            Self::UpdateFailed => "an update could not be checked for, downloaded or installed",
            Self::Cancelled => "cancelled by the person",
            Self::CertificatesUnavailable => "the certificates this computer trusts could not be loaded: check its certificate store (and SSL_CERT_FILE / SSL_CERT_DIR if set)",
        }
    }

    /// Whether trying the same thing again later may succeed.
    pub const fn is_transient(self) -> bool {
        matches!(
            self,
            Self::RateLimited
                | Self::ServerUnavailable
                | Self::NetworkUnreachable
                | Self::ConnectionDropped
                | Self::Timeout
                | Self::MalformedResponse
        )
    }

    /// After a failure with this code, whether the service may have acted on
    /// the request: it went out and no answer came back that says. A request
    /// that creates something must not be sent again blindly after one. (A
    /// `MalformedResponse` is a whole answer that could not be understood:
    /// the service did answer.)
    pub const fn outcome_unknown(self) -> bool {
        matches!(
            self,
            Self::ServerUnavailable | Self::ConnectionDropped | Self::Timeout
        )
    }
}

impl std::fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

fn seconds(d: &Option<Duration>) -> String {
    match d {
        Some(d) if d.as_secs() > 0 => format!(" Try again in {} s.", d.as_secs()),
        _ => " Try again in a moment.".to_owned(),
    }
}

/// The failure behind an unconfirmed creation, as a clause.
fn what_happened(cause: &Error) -> String {
    match cause {
        Error::ServerUnavailable { status } => format!("the service answered HTTP {status}"),
        Error::ConnectionDropped => "the connection broke off before its whole answer".to_owned(),
        Error::Timeout => "the service did not answer in time".to_owned(),
        other => other.to_string().trim_end_matches('.').to_owned(),
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
    #[error(transparent)]
    InvalidAmount(#[from] AmountError),
    #[error("{message}")]
    AmountOutOfRange { message: String },
    #[error("The email and password (or keys) were not accepted. Check them and try again.")]
    InvalidCredentials,
    #[error("This account uses two-factor authentication: enter the code from your email.")]
    CodeRequired,
    // The server keeps a code valid for its whole lifetime (10 minutes by
    // default): the same code works again, a new one is not needed.
    #[error("That code is not right, or it was sent more than 10 minutes ago. Check the digits and try again.")]
    CodeInvalid,
    #[error("Your session has ended. Sign in again to continue.")]
    SessionExpired,
    #[error("This account is not active yet: activate it (and complete your name) on the service, then try again.")]
    AccountInactive,
    #[error("This account is not allowed to do that.")]
    PermissionDenied,
    #[error("You do not have enough credits to do that.")]
    InsufficientCredits,
    #[error("An account with that email already exists.")]
    AlreadyExists,
    #[error("{what} was not found.")]
    NotFound { what: String },
    #[error("The service refused the request: {message}")]
    InvalidRequest { message: String },
    #[error("The service is busy.{}", seconds(.retry_after))]
    RateLimited { retry_after: Option<Duration> },
    #[error(
        "The service is not answering properly right now (HTTP {status}). Try again in a moment."
    )]
    ServerUnavailable { status: u16 },
    #[error("Topup cannot reach the service. Check your internet connection.")]
    NetworkUnreachable,
    #[error("The connection to the service broke off before its whole answer arrived. Try again in a moment.")]
    ConnectionDropped,
    #[error("The service took too long to answer. Try again.")]
    Timeout,
    #[error("Topup does not trust the certificate of {host}, so nothing was sent ({reason}). If your organisation inspects HTTPS traffic or uses its own certificate authority, add its root certificate to this computer's certificate store (your IT department has it), then try again.")]
    UntrustedCertificate { host: String, reason: String },
    #[error("The service sent an answer Topup does not understand ({detail}).")]
    MalformedResponse { detail: String },
    #[error("Topup could not tell whether the checkout was created: {}. Nothing is charged unless a checkout is paid, so it is safe to try again.", what_happened(.cause))]
    PurchaseUnconfirmed { cause: Box<Error> },
    #[error("{what} is not available for this service.")]
    Unsupported { what: String },
    #[error("The system keychain is locked. Unlock it and try again.")]
    KeychainLocked,
    #[error("No system keychain is available, so Topup keeps your sign-in for this session only.")]
    KeychainUnavailable,
    #[error("Topup was not allowed to use the system keychain.")]
    KeychainDenied,
    #[error("The system keychain failed: {detail}")]
    KeychainFailed { detail: String },
    #[error("Topup could not save its settings: {detail}")]
    StorageFailed { detail: String },
    #[error("Topup could not read its account list ({detail}), so it changed nothing. If another program is using the file, close it and try again.")]
    RegistryUnreadable { detail: String },
    #[error("That account is not in Topup any more.")]
    UnknownAccount,
    #[error("Topup did not open {shown}: {reason}. Nothing was opened; if you expected this page, check the account's settings.")]
    CheckoutUrlRefused { shown: String, reason: String },
    #[error("{shown} cannot be allowed for checkout pages: write an origin such as https://pay.example.com (http:// only for this computer), without a path.")]
    InvalidCheckoutOrigin { shown: String },
    #[error("{message}")]
    InvalidSetting { message: String },
    /// What a front end could not get the desktop to do: made by
    /// [`Error::no_browser`] and [`Error::no_clipboard`].
    #[error("{message}")]
    DesktopFailed { message: String },
    #[error("{what} was cancelled.")]
    Cancelled { what: String },
    #[error("Topup could not load the certificates this computer trusts, so it cannot connect securely to any service ({detail}). Check that the system's certificate store is installed and, if SSL_CERT_FILE or SSL_CERT_DIR are set, that they point to it.")]
    CertificatesUnavailable { detail: String },
}

impl Error {
    /// The stable code for this error.
    pub fn code(&self) -> ErrorCode {
        match self {
            Self::InvalidBaseUrl(_) => ErrorCode::InvalidBaseUrl,
            Self::UnknownPreset(_) => ErrorCode::UnknownPreset,
            Self::InvalidAmount(_) => ErrorCode::InvalidAmount,
            Self::AmountOutOfRange { .. } => ErrorCode::AmountOutOfRange,
            Self::InvalidCredentials => ErrorCode::InvalidCredentials,
            Self::CodeRequired => ErrorCode::CodeRequired,
            Self::CodeInvalid => ErrorCode::CodeInvalid,
            Self::SessionExpired => ErrorCode::SessionExpired,
            Self::AccountInactive => ErrorCode::AccountInactive,
            Self::PermissionDenied => ErrorCode::PermissionDenied,
            Self::InsufficientCredits => ErrorCode::InsufficientCredits,
            Self::AlreadyExists => ErrorCode::AlreadyExists,
            Self::NotFound { .. } => ErrorCode::NotFound,
            Self::InvalidRequest { .. } => ErrorCode::InvalidRequest,
            Self::RateLimited { .. } => ErrorCode::RateLimited,
            Self::ServerUnavailable { .. } => ErrorCode::ServerUnavailable,
            Self::NetworkUnreachable => ErrorCode::NetworkUnreachable,
            Self::ConnectionDropped => ErrorCode::ConnectionDropped,
            Self::Timeout => ErrorCode::Timeout,
            Self::UntrustedCertificate { .. } => ErrorCode::UntrustedCertificate,
            Self::MalformedResponse { .. } => ErrorCode::MalformedResponse,
            Self::PurchaseUnconfirmed { .. } => ErrorCode::PurchaseUnconfirmed,
            Self::Unsupported { .. } => ErrorCode::Unsupported,
            Self::KeychainLocked => ErrorCode::KeychainLocked,
            Self::KeychainUnavailable => ErrorCode::KeychainUnavailable,
            Self::KeychainDenied => ErrorCode::KeychainDenied,
            Self::KeychainFailed { .. } => ErrorCode::KeychainFailed,
            Self::StorageFailed { .. } | Self::RegistryUnreadable { .. } => {
                ErrorCode::StorageFailed
            }
            Self::UnknownAccount => ErrorCode::UnknownAccount,
            Self::CheckoutUrlRefused { .. } => ErrorCode::CheckoutUrlRefused,
            Self::InvalidCheckoutOrigin { .. } => ErrorCode::InvalidCheckoutOrigin,
            Self::InvalidSetting { .. } => ErrorCode::InvalidSetting,
            Self::DesktopFailed { .. } => ErrorCode::DesktopFailed,
            Self::Cancelled { .. } => ErrorCode::Cancelled,
            Self::CertificatesUnavailable { .. } => ErrorCode::CertificatesUnavailable,
        }
    }

    /// The system browser could not be opened.
    pub fn no_browser(detail: impl std::fmt::Display) -> Self {
        Self::DesktopFailed {
            message: format!(
                "Topup could not open your browser ({detail}). Copy the link and open it yourself."
            ),
        }
    }

    /// The clipboard could not be written.
    pub fn no_clipboard(detail: impl std::fmt::Display) -> Self {
        Self::DesktopFailed {
            message: format!("Topup could not use the clipboard ({detail})."),
        }
    }

    pub(crate) fn malformed(detail: impl Into<String>) -> Self {
        Self::MalformedResponse {
            detail: detail.into(),
        }
    }

    pub(crate) fn not_found(what: impl Into<String>) -> Self {
        Self::NotFound { what: what.into() }
    }

    /// This creation failure, or — when it leaves unknown whether the
    /// service acted — [`Error::PurchaseUnconfirmed`] around it.
    pub(crate) fn unless_unconfirmed(self) -> Self {
        if self.code().outcome_unknown() {
            Self::PurchaseUnconfirmed {
                cause: Box::new(self),
            }
        } else {
            self
        }
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_serialize_as_their_wire_names() {
        for code in ErrorCode::ALL {
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
        let err = Error::RateLimited {
            retry_after: Some(Duration::from_secs(3)),
        };
        assert_eq!(err.to_string(), "The service is busy. Try again in 3 s.");
        assert!(ErrorCode::Timeout.is_transient() && !ErrorCode::InvalidCredentials.is_transient());
    }

    /// The number of an error's variant. The match is exhaustive: a new
    /// variant does not compile until it is numbered here, and then the test
    /// below fails until it has an example.
    fn variant(e: &Error) -> usize {
        match e {
            Error::InvalidBaseUrl(_) => 0,
            Error::UnknownPreset(_) => 1,
            Error::InvalidAmount(_) => 2,
            Error::AmountOutOfRange { .. } => 3,
            Error::InvalidCredentials => 4,
            Error::CodeRequired => 5,
            Error::CodeInvalid => 6,
            Error::SessionExpired => 7,
            Error::AccountInactive => 8,
            Error::PermissionDenied => 9,
            Error::InsufficientCredits => 10,
            Error::AlreadyExists => 11,
            Error::NotFound { .. } => 12,
            Error::InvalidRequest { .. } => 13,
            Error::RateLimited { .. } => 14,
            Error::ServerUnavailable { .. } => 15,
            Error::NetworkUnreachable => 16,
            Error::ConnectionDropped => 17,
            Error::Timeout => 18,
            Error::UntrustedCertificate { .. } => 19,
            Error::MalformedResponse { .. } => 20,
            Error::PurchaseUnconfirmed { .. } => 21,
            Error::Unsupported { .. } => 22,
            Error::KeychainLocked => 23,
            Error::KeychainUnavailable => 24,
            Error::KeychainDenied => 25,
            Error::KeychainFailed { .. } => 26,
            Error::StorageFailed { .. } => 27,
            Error::RegistryUnreadable { .. } => 28,
            Error::UnknownAccount => 29,
            Error::CheckoutUrlRefused { .. } => 30,
            Error::InvalidCheckoutOrigin { .. } => 31,
            Error::InvalidSetting { .. } => 32,
            Error::DesktopFailed { .. } => 33,
            Error::Cancelled { .. } => 34,
            Error::CertificatesUnavailable { .. } => 35,
        }
    }
    const VARIANTS: usize = 36;

    /// Likewise for codes: a new code does not compile until numbered here.
    fn code_number(c: ErrorCode) -> usize {
        use ErrorCode as C;
        match c {
            C::InvalidBaseUrl => 0,
            C::UnknownPreset => 1,
            C::InvalidAmount => 2,
            C::AmountOutOfRange => 3,
            C::InvalidCredentials => 4,
            C::CodeRequired => 5,
            C::CodeInvalid => 6,
            C::SessionExpired => 7,
            C::AccountInactive => 8,
            C::PermissionDenied => 9,
            C::InsufficientCredits => 10,
            C::AlreadyExists => 11,
            C::NotFound => 12,
            C::InvalidRequest => 13,
            C::RateLimited => 14,
            C::ServerUnavailable => 15,
            C::NetworkUnreachable => 16,
            C::ConnectionDropped => 17,
            C::Timeout => 18,
            C::UntrustedCertificate => 19,
            C::MalformedResponse => 20,
            C::PurchaseUnconfirmed => 21,
            C::Unsupported => 22,
            C::KeychainLocked => 23,
            C::KeychainUnavailable => 24,
            C::KeychainDenied => 25,
            C::KeychainFailed => 26,
            C::StorageFailed => 27,
            C::UnknownAccount => 28,
            C::CheckoutUrlRefused => 29,
            C::InvalidCheckoutOrigin => 30,
            C::InvalidSetting => 31,
            C::DesktopFailed => 32,
            C::UpdateUnverified => 33,
            C::UpdateFailed => 34,
            C::Cancelled => 35,
            C::CertificatesUnavailable => 36,
        }
    }
    const CODES: usize = 37;

    #[test]
    fn every_code_is_listed_once_in_all() {
        let mut seen: Vec<usize> = ErrorCode::ALL.into_iter().map(code_number).collect();
        seen.sort_unstable();
        assert_eq!(seen, (0..CODES).collect::<Vec<_>>());
    }

    #[test]
    fn every_error_variant_maps_to_a_listed_code() {
        let s = String::new;
        let examples = [
            Error::from(BaseUrlError::Empty),
            Error::UnknownPreset(s()),
            Error::from(AmountError::Empty),
            Error::AmountOutOfRange { message: s() },
            Error::InvalidCredentials,
            Error::CodeRequired,
            Error::CodeInvalid,
            Error::SessionExpired,
            Error::AccountInactive,
            Error::PermissionDenied,
            Error::InsufficientCredits,
            Error::AlreadyExists,
            Error::NotFound { what: s() },
            Error::InvalidRequest { message: s() },
            Error::RateLimited { retry_after: None },
            Error::ServerUnavailable { status: 503 },
            Error::NetworkUnreachable,
            Error::ConnectionDropped,
            Error::Timeout,
            Error::UntrustedCertificate {
                host: s(),
                reason: s(),
            },
            Error::MalformedResponse { detail: s() },
            Error::PurchaseUnconfirmed {
                cause: Box::new(Error::Timeout),
            },
            Error::Unsupported { what: s() },
            Error::KeychainLocked,
            Error::KeychainUnavailable,
            Error::KeychainDenied,
            Error::KeychainFailed { detail: s() },
            Error::StorageFailed { detail: s() },
            Error::RegistryUnreadable { detail: s() },
            Error::UnknownAccount,
            Error::CheckoutUrlRefused {
                shown: s(),
                reason: s(),
            },
            Error::InvalidCheckoutOrigin { shown: s() },
            Error::InvalidSetting { message: s() },
            Error::no_browser("x"),
            Error::Cancelled { what: s() },
            Error::CertificatesUnavailable { detail: s() },
        ];
        let mut numbers: Vec<usize> = examples.iter().map(variant).collect();
        numbers.sort_unstable();
        assert_eq!(
            numbers,
            (0..VARIANTS).collect::<Vec<_>>(),
            "one example per variant"
        );
        for e in &examples {
            assert!(ErrorCode::ALL.contains(&e.code()), "{e:?} → {}", e.code());
        }
    }
}
