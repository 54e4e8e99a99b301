//! Login (Basic, optional 2FA code) and logout (§5.5, §8.1.3–4).

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{header, HeaderMap};
use axum::response::Response;
use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use serde_json::Value;

use super::auth::{
    auth_header, authenticate, check_otp, consume_otp, issue_token, Caller, CodeCheck,
};
use super::reply::{
    forbidden, no_content, ok, schema_error, server_error, unauthorized, unauthorized_2fa,
};
use super::store::{find_by_email, App, OtpType};
use crate::config::Quirks;

pub async fn login(State(app): State<App>, headers: HeaderMap, body: Bytes) -> Response {
    let quirky = app.config.quirks == Quirks::Boilerplate;
    let Some(value) = auth_header(&headers) else {
        return unauthorized();
    };
    if value.trim() == "Basic" {
        return if quirky {
            server_error()
        } else {
            unauthorized()
        };
    }
    let Some(encoded) = value.strip_prefix("Basic ") else {
        return unauthorized();
    };
    let Some(decoded) = STANDARD
        .decode(encoded.trim())
        .ok()
        .and_then(|b| String::from_utf8(b).ok())
    else {
        return unauthorized();
    };
    // The boilerplate splits on every ':', so a password containing one never matches.
    let parts: Vec<&str> = decoded.split(':').collect();
    let [email, password] = parts[..] else {
        return unauthorized();
    };

    let mut world = app.world();
    let Some(user) = find_by_email(&world, email).cloned() else {
        return unauthorized();
    };
    if user.password != password {
        return unauthorized();
    }
    if user.is_2fa_enabled {
        let is_json = headers
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|ct| ct.starts_with("application/json"));
        let parsed: Option<Value> = if is_json {
            serde_json::from_slice(&body).ok()
        } else {
            None
        };
        let Some(Value::Object(map)) = parsed else {
            return unauthorized_2fa();
        };
        let Some(code) = map.get("code") else {
            return schema_error();
        };
        let Some(code) = code.as_str() else {
            return schema_error();
        };
        match check_otp(&world, &user.id, OtpType::TwoFactorAuth, code) {
            CodeCheck::Valid => consume_otp(&mut world, &user.id, OtpType::TwoFactorAuth),
            _ => return unauthorized_2fa(),
        }
    }
    let token = issue_token(&app, &mut world, &user.id);
    ok("User logged in successfully.", user.with_token(&token))
}

pub async fn logout(State(app): State<App>, headers: HeaderMap) -> Response {
    let mut world = app.world();
    match authenticate(&app, &world, &headers) {
        Ok(Caller::User { token, .. }) => {
            if let Some(t) = world.clara.tokens.get_mut(&token) {
                t.revoked = true;
            }
            no_content()
        }
        Ok(_) => forbidden(),
        Err(r) => r,
    }
}
