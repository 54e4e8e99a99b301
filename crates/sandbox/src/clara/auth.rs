//! Who is calling, tokens, API keys and one-time codes (§5).

use axum::http::{header, HeaderMap};
use axum::response::Response;
use serde_json::json;

use super::jwt;
use super::reply::{forbidden, inactive, not_found_resource, server_error, unauthorized};
use super::store::{ApiKey, App, Otp, OtpType, Token, World};
use crate::config::Quirks;
use crate::state::Email;
use crate::{demo, ids};

// ---- authentication (§5) ----

/// Who is calling.
#[derive(Debug, Clone)]
pub enum Caller {
    User { user_id: String, token: String },
    ApiKey { user_id: String },
    Public,
    Private,
}

impl Caller {
    pub fn user_id(&self) -> Option<&str> {
        match self {
            Self::User { user_id, .. } | Self::ApiKey { user_id } => Some(user_id),
            _ => None,
        }
    }
}

pub fn auth_header(headers: &HeaderMap) -> Option<String> {
    headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned)
}

/// The user-token prefix: the boilerplate source's, or the published examples'.
pub fn token_prefix(quirks: Quirks) -> &'static str {
    match quirks {
        Quirks::Boilerplate => "crazi_couser_",
        Quirks::Documented => "crazi_co_user_",
    }
}

/// Identifies the caller from `Authorization`. Basic credentials are not a
/// caller here: only Login takes them.
pub fn authenticate(app: &App, world: &World, headers: &HeaderMap) -> Result<Caller, Response> {
    let quirky = app.config.quirks == Quirks::Boilerplate;
    let Some(value) = auth_header(headers) else {
        return Err(unauthorized());
    };
    if value == demo::CLARA_PRIVATE_KEY {
        return Ok(Caller::Private);
    }
    if value == demo::CLARA_PUBLIC_KEY {
        return Ok(Caller::Public);
    }
    let trimmed = value.trim();
    if trimmed == "Bearer" || trimmed == "Basic" {
        // The boilerplate indexes past the scheme word and crashes.
        return Err(if quirky {
            server_error()
        } else {
            unauthorized()
        });
    }
    let Some(token) = value.strip_prefix("Bearer ") else {
        return Err(unauthorized());
    };
    if token.starts_with("clara_api_") {
        return world
            .clara
            .api_keys
            .iter()
            .find(|(_, k)| k.token == token)
            .map(|(user_id, _)| Caller::ApiKey {
                user_id: user_id.clone(),
            })
            .ok_or_else(unauthorized);
    }
    let Some(record) = world.clara.tokens.get(token) else {
        return Err(unauthorized());
    };
    if record.revoked {
        return Err(unauthorized());
    }
    let now = world
        .clock
        .now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0.0, |d| d.as_secs_f64());
    if record.force_expired || now >= record.exp {
        // Documented: 401. Boilerplate: the JWT expiry exception is not caught.
        return Err(if quirky {
            server_error()
        } else {
            unauthorized()
        });
    }
    if !world.clara.users.contains_key(&record.user_id) {
        return Err(unauthorized());
    }
    Ok(Caller::User {
        user_id: record.user_id.clone(),
        token: token.to_owned(),
    })
}

/// The private key only (Clara's admin API).
pub fn private(app: &App, world: &World, headers: &HeaderMap) -> Result<(), Response> {
    match authenticate(app, world, headers)? {
        Caller::Private => Ok(()),
        _ => Err(forbidden()),
    }
}

/// Any caller allowed at `path_user` (its own user, or the private key): its id.
pub fn owner(
    app: &App,
    world: &World,
    headers: &HeaderMap,
    path_user: &str,
    active: bool,
) -> Result<String, Response> {
    let caller = authenticate(app, world, headers)?;
    own_user(world, &caller, path_user, active)
}

/// The user id of a buyer (user or API-key token, active); the Private key is refused.
pub fn buyer(app: &App, world: &World, headers: &HeaderMap) -> Result<String, Response> {
    let caller = authenticate(app, world, headers)?;
    let Some(id) = caller.user_id().map(str::to_owned) else {
        return Err(forbidden());
    };
    own_user(world, &caller, &id, true)
}

/// A caller holding the public or the private key (no user's token).
pub fn key_holder(app: &App, world: &World, headers: &HeaderMap) -> Result<(), Response> {
    match authenticate(app, world, headers)? {
        Caller::Public | Caller::Private => Ok(()),
        _ => Err(forbidden()),
    }
}

/// A signed-in user or the private key, allowed at `path_user`: its id.
pub fn user_or_private(
    app: &App,
    world: &World,
    headers: &HeaderMap,
    path_user: &str,
    active: bool,
) -> Result<String, Response> {
    let caller = authenticate(app, world, headers)?;
    if !matches!(caller, Caller::User { .. } | Caller::Private) {
        return Err(forbidden());
    }
    own_user(world, &caller, path_user, active)
}

/// For `/users/{user_id}/…`: the caller must be that user (or hold the
/// Private key); with `active`, the user must also pass §5.4.
pub fn own_user(
    world: &World,
    caller: &Caller,
    path_user: &str,
    active: bool,
) -> Result<String, Response> {
    match caller {
        Caller::Private => {
            if world.clara.users.contains_key(path_user) {
                Ok(path_user.to_owned())
            } else {
                Err(not_found_resource("User"))
            }
        }
        Caller::User { user_id, .. } | Caller::ApiKey { user_id } => {
            if user_id != path_user {
                return Err(forbidden());
            }
            let user = world.clara.users.get(user_id).ok_or_else(unauthorized)?;
            if active && !user.qualifies() {
                return Err(inactive());
            }
            Ok(user_id.clone())
        }
        Caller::Public => Err(forbidden()),
    }
}

/// Issues a user token (prefix + HS256 JWT) and remembers it.
pub fn issue_token(app: &App, world: &mut World, user_id: &str) -> String {
    let now = world
        .clock
        .now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0.0, |d| d.as_secs_f64());
    let exp = now + world.clara.token_ttl_secs;
    let claims = json!({"sub": user_id, "role": "user", "iat": now, "exp": exp});
    let token = format!(
        "{}{}",
        token_prefix(app.config.quirks),
        jwt::encode(&claims, &world.clara.jwt_secret)
    );
    world.clara.tokens.insert(
        token.clone(),
        Token {
            user_id: user_id.to_owned(),
            exp,
            revoked: false,
            force_expired: false,
        },
    );
    token
}

/// An API-key token (`clara_api_` + JWT without `exp`).
pub fn issue_api_key(world: &mut World, user_id: &str) -> ApiKey {
    let now = world.clock.now();
    let claims = json!({"sub": user_id, "role": "api_key", "jti": ids::secret(12)});
    let key = ApiKey {
        id: ids::clara("api_key"),
        token: format!(
            "clara_api_{}",
            jwt::encode(&claims, &world.clara.jwt_secret)
        ),
        created_at: now,
        updated_at: now,
    };
    world.clara.api_keys.insert(user_id.to_owned(), key.clone());
    key
}

/// Creates (or replaces) an OTP and "emails" it.
pub fn send_otp(app: &App, world: &mut World, user_id: &str, kind: OtpType) -> Option<String> {
    let email = world.clara.users.get(user_id)?.email.clone();
    let code = ids::otp();
    let expires_at = world.clock.unix() + 10 * 60;
    world.clara.otps.insert(
        (user_id.to_owned(), kind),
        Otp {
            code: code.clone(),
            expires_at,
        },
    );
    let sent_at = world.clock.unix();
    app.send_email(Email {
        to: email,
        subject: format!("Your {} code", kind.name()),
        body: format!("Your code is {code}. It is valid for 10 minutes."),
        otp_type: Some(kind.name().to_owned()),
        code: Some(code.clone()),
        sent_at,
    });
    Some(code)
}

/// The outcome of checking a code.
pub enum CodeCheck {
    Valid,
    Wrong,
    Expired,
    NeverRequested,
}

pub fn check_otp(world: &World, user_id: &str, kind: OtpType, code: &str) -> CodeCheck {
    match world.clara.otps.get(&(user_id.to_owned(), kind)) {
        None => CodeCheck::NeverRequested,
        Some(otp) if otp.code != code => CodeCheck::Wrong,
        Some(otp) if world.clock.unix() >= otp.expires_at => CodeCheck::Expired,
        Some(_) => CodeCheck::Valid,
    }
}

pub fn consume_otp(world: &mut World, user_id: &str, kind: OtpType) {
    world.clara.otps.remove(&(user_id.to_owned(), kind));
}
