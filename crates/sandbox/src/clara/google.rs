//! A small OAuth 2.0 authorization server standing in for Google: an
//! authorize page with a "Continue as …" button, a token endpoint that checks
//! PKCE (S256) and issues an id_token, which the Clara stand-in accepts at
//! `/auth/google`. Desktop-app rules as Google's: loopback redirect URIs only.

use axum::extract::{Form, Query, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use serde::Deserialize;
use serde_json::{json, Value};
use sha2::{Digest, Sha256};

use super::google_store::Grant;
use super::jwt;
use super::store::{capitalise, App, World};
use crate::{demo, ids};

pub const ISSUER: &str = "https://accounts.google.com";

pub fn routes() -> Router<App> {
    Router::new()
        .route("/authorize", get(authorize_page).post(authorize_decision))
        .route("/token", post(token))
}

#[derive(Debug, Deserialize)]
pub struct AuthorizeParams {
    client_id: Option<String>,
    redirect_uri: Option<String>,
    response_type: Option<String>,
    state: Option<String>,
    code_challenge: Option<String>,
    code_challenge_method: Option<String>,
    scope: Option<String>,
    nonce: Option<String>,
    login_hint: Option<String>,
    /// Form only: `allow` or `deny`.
    decision: Option<String>,
    email: Option<String>,
}

fn is_loopback_redirect(uri: &str) -> bool {
    url::Url::parse(uri).is_ok_and(|u| {
        u.scheme() == "http" && matches!(u.host_str(), Some("127.0.0.1" | "localhost" | "[::1]"))
    })
}

/// Problems that must not be sent back to the redirect URI (RFC 6749 §4.1.2.1).
fn validate(p: &AuthorizeParams) -> Result<(), String> {
    if p.client_id.as_deref() != Some(demo::GOOGLE_CLIENT_ID) {
        return Err("Error 401: invalid_client. The OAuth client was not found.".to_owned());
    }
    match p.redirect_uri.as_deref() {
        Some(uri) if is_loopback_redirect(uri) => Ok(()),
        _ => Err(
            "Error 400: redirect_uri_mismatch. Desktop clients must use a loopback redirect URI."
                .to_owned(),
        ),
    }
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

fn error_page(message: &str) -> Response {
    (StatusCode::BAD_REQUEST, Html(format!("<!doctype html><title>Sign in - Google Accounts</title><h1>Access blocked</h1><p id=\"error\">{}</p>", escape(message)))).into_response()
}

fn redirect_with(uri: &str, pairs: &[(&str, &str)]) -> Response {
    let Ok(mut url) = url::Url::parse(uri) else {
        return error_page("Invalid redirect URI.");
    };
    url.query_pairs_mut().extend_pairs(pairs.iter().copied());
    Redirect::to(url.as_str()).into_response()
}

async fn authorize_page(Query(p): Query<AuthorizeParams>) -> Response {
    if let Err(e) = validate(&p) {
        return error_page(&e);
    }
    let redirect = p.redirect_uri.clone().unwrap_or_default();
    let state = p.state.clone().unwrap_or_default();
    if p.response_type.as_deref() != Some("code") {
        return redirect_with(
            &redirect,
            &[("error", "unsupported_response_type"), ("state", &state)],
        );
    }
    if p.code_challenge.is_none() || p.code_challenge_method.as_deref() != Some("S256") {
        return redirect_with(
            &redirect,
            &[
                ("error", "invalid_request"),
                ("error_description", "code_challenge_method must be S256"),
                ("state", &state),
            ],
        );
    }
    let email = p
        .login_hint
        .clone()
        .unwrap_or_else(|| demo::GOOGLE_EMAIL.to_owned());
    let hidden: String = [
        ("client_id", p.client_id.as_deref()),
        ("redirect_uri", p.redirect_uri.as_deref()),
        ("response_type", p.response_type.as_deref()),
        ("state", p.state.as_deref()),
        ("code_challenge", p.code_challenge.as_deref()),
        ("code_challenge_method", p.code_challenge_method.as_deref()),
        ("scope", p.scope.as_deref()),
        ("nonce", p.nonce.as_deref()),
    ]
    .iter()
    .filter_map(|(k, v)| {
        v.map(|v| {
            format!(
                "<input type=\"hidden\" name=\"{k}\" value=\"{}\">",
                escape(v)
            )
        })
    })
    .collect();
    Html(format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Sign in - Google Accounts</title>\
<style>body{{font-family:system-ui,sans-serif;display:grid;place-items:center;min-height:90vh;background:#f1f3f4}}\
main{{background:#fff;padding:2rem 2.5rem;border-radius:8px;max-width:26rem}}button{{padding:.6rem 1.2rem;border-radius:4px;border:1px solid #dadce0;background:#fff;cursor:pointer;margin-right:.5rem}}\
button.primary{{background:#1a73e8;color:#fff;border-color:#1a73e8}}input[type=email]{{width:100%;padding:.5rem;margin:.5rem 0 1rem}}</style></head>\
<body><main><h1>Sign in with Google</h1><p>Sandbox: choose the Google account to continue to Clara.</p>\
<form method=\"post\" action=\"/oauth/authorize\">{hidden}\
<label for=\"email\">Account</label><input id=\"email\" name=\"email\" type=\"email\" value=\"{}\">\
<button id=\"continue\" class=\"primary\" name=\"decision\" value=\"allow\">Continue as {}</button>\
<button id=\"cancel\" name=\"decision\" value=\"deny\">Cancel</button></form></main></body></html>",
        escape(&email),
        escape(&email)
    ))
    .into_response()
}

async fn authorize_decision(State(app): State<App>, Form(p): Form<AuthorizeParams>) -> Response {
    if let Err(e) = validate(&p) {
        return error_page(&e);
    }
    let redirect = p.redirect_uri.clone().unwrap_or_default();
    let state = p.state.clone().unwrap_or_default();
    if p.decision.as_deref() != Some("allow") {
        return redirect_with(&redirect, &[("error", "access_denied"), ("state", &state)]);
    }
    let Some(challenge) = p
        .code_challenge
        .clone()
        .filter(|_| p.code_challenge_method.as_deref() == Some("S256"))
    else {
        return redirect_with(
            &redirect,
            &[("error", "invalid_request"), ("state", &state)],
        );
    };
    let email = p
        .email
        .clone()
        .filter(|e| e.contains('@'))
        .unwrap_or_else(|| demo::GOOGLE_EMAIL.to_owned());
    let code = format!("4/0{}", ids::secret(40));
    {
        let mut world = app.world();
        let expires_at = world.clock.unix() + 600;
        world.clara.google.codes.insert(
            code.clone(),
            Grant {
                client_id: p.client_id.clone().unwrap_or_default(),
                redirect_uri: redirect.clone(),
                challenge,
                email,
                nonce: p.nonce.clone(),
                expires_at,
            },
        );
    }
    redirect_with(
        &redirect,
        &[
            ("state", &state),
            ("code", &code),
            ("scope", "openid email profile"),
        ],
    )
}

#[derive(Debug, Deserialize)]
pub struct TokenParams {
    grant_type: Option<String>,
    code: Option<String>,
    redirect_uri: Option<String>,
    client_id: Option<String>,
    code_verifier: Option<String>,
}

fn token_error(error: &str, description: &str) -> Response {
    (
        StatusCode::BAD_REQUEST,
        Json(json!({"error": error, "error_description": description})),
    )
        .into_response()
}

async fn token(State(app): State<App>, Form(p): Form<TokenParams>) -> Response {
    if p.grant_type.as_deref() != Some("authorization_code") {
        return token_error("unsupported_grant_type", "Invalid grant_type");
    }
    let mut world = app.world();
    // Codes are single-use: taken out whether or not the rest checks out.
    let Some(grant) = p
        .code
        .as_deref()
        .and_then(|c| world.clara.google.codes.remove(c))
    else {
        return token_error("invalid_grant", "Malformed auth code.");
    };
    if world.clock.unix() >= grant.expires_at {
        return token_error("invalid_grant", "Auth code expired.");
    }
    if p.client_id.as_deref() != Some(grant.client_id.as_str()) {
        return token_error("invalid_client", "The OAuth client was not found.");
    }
    if p.redirect_uri.as_deref() != Some(grant.redirect_uri.as_str()) {
        return token_error("invalid_grant", "Bad Request");
    }
    let Some(verifier) = p
        .code_verifier
        .as_deref()
        .filter(|v| (43..=128).contains(&v.len()))
    else {
        return token_error("invalid_request", "Missing code verifier.");
    };
    if URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes())) != grant.challenge {
        return token_error("invalid_grant", "Invalid code verifier.");
    }
    let id_token = mint_id_token(&mut world, &grant.email, grant.nonce.as_deref());
    Json(json!({
        "access_token": format!("ya29.{}", ids::secret(60)),
        "expires_in": 3599,
        "id_token": id_token,
        "scope": "openid https://www.googleapis.com/auth/userinfo.email https://www.googleapis.com/auth/userinfo.profile",
        "token_type": "Bearer"
    }))
    .into_response()
}

/// An id_token for `email`, as Google would issue it to the Sandbox's client id.
pub fn mint_id_token(world: &mut World, email: &str, nonce: Option<&str>) -> String {
    let now = world.clock.unix();
    let sub = world
        .clara
        .google
        .subjects
        .entry(email.to_ascii_lowercase())
        .or_insert_with(|| format!("1{:020}", rand::random::<u64>()))
        .clone();
    let local = email.split('@').next().unwrap_or("user");
    let name = local
        .split(['.', '-', '_'])
        .filter(|w| !w.is_empty())
        .map(capitalise)
        .collect::<Vec<_>>()
        .join(" ");
    let mut claims = json!({
        "iss": ISSUER,
        "azp": demo::GOOGLE_CLIENT_ID,
        "aud": demo::GOOGLE_CLIENT_ID,
        "sub": sub,
        "email": email,
        "email_verified": true,
        "name": name,
        "iat": now,
        "exp": now + 3600,
    });
    if let Some(n) = nonce {
        claims["nonce"] = json!(n);
    }
    jwt::encode(&claims, &world.clara.google.secret)
}

/// The claims of a valid, unexpired id_token issued for the Sandbox client.
pub fn verify_id_token(world: &World, token: &str) -> Option<Value> {
    let claims = jwt::verify(token, &world.clara.google.secret)?;
    let iss_ok = matches!(claims["iss"].as_str(), Some(ISSUER | "accounts.google.com"));
    let aud_ok = claims["aud"] == demo::GOOGLE_CLIENT_ID;
    let fresh = claims["exp"]
        .as_i64()
        .is_some_and(|exp| exp > world.clock.unix());
    let email_ok = claims["email"].as_str().is_some_and(|e| e.contains('@'));
    (iss_ok && aud_ok && fresh && email_ok).then_some(claims)
}
