//! Clara's error answers (§4) into [`Error`]s. The same status and message can
//! mean different things depending on the call (a 401 at login is a wrong
//! password; on an authenticated call it is an ended session), so the call
//! says which [`Context`] it is in.

use serde_json::Value;

use crate::error::Error;
use crate::http::{common_status_error, Response};

pub const MSG_EMPTY_BODY: &str = "Request body is empty.";
pub const MSG_SCHEMA: &str =
    "One or more required parameters are either not given or have invalid schema.";
pub const MSG_UNAUTHORIZED: &str =
    "Authorization header or OTP is either missing, invalid or expired.";
pub const MSG_INACTIVE: &str = "Please activate your account to access the requested resource.";
pub const MSG_FORBIDDEN: &str = "You do not have access to the requested resource.";
pub const MSG_NO_CREDITS: &str = "You do not have enough credits to perform this action.";
pub const MSG_NO_RATE: &str = "No credits rate found for the given amount.";
pub const MSG_NO_ROUTE: &str = "The requested route does not exist.";
pub const MSG_NO_METHOD: &str = "The requested method is not allowed for this route.";
pub const MSG_RATE_LIMIT: &str = "You have exceeded the rate limit.";
pub const MSG_SERVER: &str = "Something went wrong.";

/// Which kind of call an error answered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Context {
    /// Login with Basic credentials, with or without a 2FA code.
    Login { code_given: bool },
    /// A call carrying a user or API-key token; `token_expired` is what the
    /// token's own `exp` says.
    Authenticated { token_expired: bool },
    /// A call with the public API key and an emailed code (activate, password).
    Code,
    /// A call with the public API key only (register, send OTP).
    PublicKey,
    /// No authentication (health, version, Google sign-in).
    Anonymous,
}

/// The error for a non-2xx Clara answer.
pub fn map(response: &Response, context: Context) -> Error {
    let envelope: Option<Value> = serde_json::from_slice(&response.body).ok();
    let message = envelope
        .as_ref()
        .and_then(|v| v.get("message"))
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_owned();
    let wants_code = envelope
        .as_ref()
        .and_then(|v| v.pointer("/data/is_2fa_enabled"))
        .and_then(Value::as_bool)
        .unwrap_or(false);
    classify(response.status.as_u16(), &message, wants_code, context).unwrap_or_else(|| {
        // 429 and 5xx, after the checks above had their say.
        common_status_error(response).unwrap_or_else(|| Error::InvalidRequest {
            message: if message.is_empty() {
                format!("HTTP {}", response.status.as_u16())
            } else {
                message
            },
        })
    })
}

/// The mapping table; `None` leaves the status to the shared rules.
pub fn classify(status: u16, message: &str, wants_code: bool, context: Context) -> Option<Error> {
    Some(match (status, message) {
        (400, MSG_EMPTY_BODY | MSG_SCHEMA) => Error::InvalidRequest {
            message: message.to_owned(),
        },
        (400, m) if m.ends_with("already exists.") => Error::AlreadyExists,
        (401, MSG_INACTIVE) => Error::AccountInactive,
        (401, _) if wants_code => match context {
            Context::Login { code_given: false } => Error::CodeRequired,
            _ => Error::CodeInvalid,
        },
        (401, _) => match context {
            Context::Login { .. } | Context::PublicKey | Context::Anonymous => {
                Error::InvalidCredentials
            }
            Context::Code => Error::CodeInvalid,
            Context::Authenticated { .. } => Error::SessionExpired,
        },
        (403, MSG_NO_CREDITS) => Error::InsufficientCredits,
        (403, _) => Error::PermissionDenied,
        (404, MSG_NO_RATE) => Error::AmountOutOfRange {
            message: "That amount is outside the service's purchase limits.".to_owned(),
        },
        (404 | 405, MSG_NO_ROUTE | MSG_NO_METHOD) => {
            Error::not_found("A Clara-compatible API at this address")
        }
        (404, m) if m.ends_with("with the given identifier does not exist.") => Error::not_found(
            m.split(" with the given identifier")
                .next()
                .unwrap_or("That item"),
        ),
        // The boilerplate answers an expired token with 500 (§4): the token's
        // own `exp` tells the two apart.
        (500, _)
            if matches!(
                context,
                Context::Authenticated {
                    token_expired: true
                }
            ) =>
        {
            Error::SessionExpired
        }
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ErrorCode;
    use bytes::Bytes;
    use reqwest::header::HeaderMap;
    use reqwest::StatusCode;

    fn response(status: u16, body: &str) -> Response {
        Response {
            status: StatusCode::from_u16(status).unwrap(),
            headers: HeaderMap::new(),
            body: Bytes::from(body.to_owned()),
        }
    }

    fn envelope(message: &str, data: &str) -> String {
        format!(r#"{{"data": {data}, "message": "{message}", "status": "error"}}"#)
    }

    const AUTH: Context = Context::Authenticated {
        token_expired: false,
    };
    const LOGIN: Context = Context::Login { code_given: false };

    /// Every message of `clara-api.md` §4, in the contexts it can arrive in.
    #[test]
    fn every_documented_message_maps_to_a_code() {
        let table: &[(u16, &str, &str, Context, ErrorCode)] = &[
            (400, MSG_EMPTY_BODY, "null", AUTH, ErrorCode::InvalidRequest),
            (400, MSG_SCHEMA, "null", AUTH, ErrorCode::InvalidRequest),
            (
                400,
                "User with the given identifier already exists.",
                "null",
                Context::PublicKey,
                ErrorCode::AlreadyExists,
            ),
            (
                401,
                MSG_UNAUTHORIZED,
                "null",
                LOGIN,
                ErrorCode::InvalidCredentials,
            ),
            (
                401,
                MSG_UNAUTHORIZED,
                "null",
                AUTH,
                ErrorCode::SessionExpired,
            ),
            (
                401,
                MSG_UNAUTHORIZED,
                "null",
                Context::Code,
                ErrorCode::CodeInvalid,
            ),
            (
                401,
                MSG_UNAUTHORIZED,
                "null",
                Context::PublicKey,
                ErrorCode::InvalidCredentials,
            ),
            (
                401,
                MSG_UNAUTHORIZED,
                r#"{"is_2fa_enabled": true}"#,
                LOGIN,
                ErrorCode::CodeRequired,
            ),
            (
                401,
                MSG_UNAUTHORIZED,
                r#"{"is_2fa_enabled": true}"#,
                Context::Login { code_given: true },
                ErrorCode::CodeInvalid,
            ),
            (
                401,
                MSG_UNAUTHORIZED,
                r#"{"is_2fa_enabled": true}"#,
                AUTH,
                ErrorCode::CodeInvalid,
            ),
            (401, MSG_INACTIVE, "null", AUTH, ErrorCode::AccountInactive),
            (
                403,
                MSG_FORBIDDEN,
                "null",
                AUTH,
                ErrorCode::PermissionDenied,
            ),
            (
                403,
                MSG_NO_CREDITS,
                "null",
                AUTH,
                ErrorCode::InsufficientCredits,
            ),
            (
                404,
                "User with the given identifier does not exist.",
                "null",
                AUTH,
                ErrorCode::NotFound,
            ),
            (
                404,
                "Transaction with the given identifier does not exist.",
                "null",
                AUTH,
                ErrorCode::NotFound,
            ),
            (404, MSG_NO_RATE, "null", AUTH, ErrorCode::AmountOutOfRange),
            (
                404,
                MSG_NO_ROUTE,
                "null",
                Context::Anonymous,
                ErrorCode::NotFound,
            ),
            (
                405,
                MSG_NO_METHOD,
                "null",
                Context::Anonymous,
                ErrorCode::NotFound,
            ),
            (429, MSG_RATE_LIMIT, "null", AUTH, ErrorCode::RateLimited),
            (500, MSG_SERVER, "null", AUTH, ErrorCode::ServerUnavailable),
            (
                500,
                MSG_SERVER,
                "null",
                Context::Authenticated {
                    token_expired: true,
                },
                ErrorCode::SessionExpired,
            ),
        ];
        for (status, message, data, context, code) in table {
            let err = map(&response(*status, &envelope(message, data)), *context);
            assert_eq!(
                err.code(),
                *code,
                "{status} “{message}” {data} in {context:?}"
            );
        }
    }

    #[test]
    fn answers_that_are_not_clara_still_map() {
        assert_eq!(
            map(&response(502, "<html>Bad Gateway</html>"), AUTH).code(),
            ErrorCode::ServerUnavailable
        );
        assert_eq!(
            map(&response(418, ""), AUTH).code(),
            ErrorCode::InvalidRequest
        );
        assert_eq!(
            map(&response(404, "not json"), AUTH).code(),
            ErrorCode::InvalidRequest
        );
        let err = map(
            &response(
                404,
                &envelope("User with the given identifier does not exist.", "null"),
            ),
            AUTH,
        );
        assert_eq!(err.to_string(), "User was not found.");
    }
}
