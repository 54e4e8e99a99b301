//! What can be read from a Clara token without the server's secret: the JWT
//! payload's `sub` (user id), `role` and `exp`. Used to learn the user id of an
//! API-key token and to recognise an expired session even when the server
//! answers 500 (the boilerplate's uncaught expiry).

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use serde::Deserialize;

#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct Claims {
    pub sub: String,
    #[serde(default)]
    pub role: Option<String>,
    /// Unix seconds (a float in the boilerplate's tokens).
    #[serde(default)]
    pub exp: Option<f64>,
}

/// The claims of a prefixed token (`crazi_co_user_eyJ…`, `clara_api_eyJ…`).
/// The prefix differs between deployments, so the JWT is found by its header,
/// which always starts `eyJ` (base64 of `{"`).
pub fn claims(token: &str) -> Option<Claims> {
    let start = token.find("eyJ")?;
    let jwt = &token[start..];
    let payload = jwt.split('.').nth(1)?;
    let bytes = URL_SAFE_NO_PAD.decode(payload.trim_end_matches('=')).ok()?;
    serde_json::from_slice(&bytes).ok()
}

/// Whether the token carries an expiry that has passed at `now` (Unix seconds).
pub fn expired_at(token: &str, now: f64) -> bool {
    claims(token)
        .and_then(|c| c.exp)
        .is_some_and(|exp| now >= exp)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The Login example of `clara-api.md` §8.1.3.
    const EXAMPLE: &str = "calzo_user_eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiJ1c2VyXzMxZTgyNzA3MGRjZjQ0MTk4ZWMxMWE5MTEyYTlhNTcyIiwicm9sZSI6InVzZXIiLCJpYXQiOjE3NjQyMDE4MjUuMjg1Njc5LCJleHAiOjE3NjQ4MDY2MjUuMjg1MDI1fQ.nVfVmR48xE-QHRFNPNvN6GIt_CnD_5fk1ak4wiV7FNc";
    /// The API Key View example of §8.3.1.
    const API_KEY: &str = "clara_api_eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiJ1c2VyXzMxZTgyNzA3MGRjZjQ0MTk4ZWMxMWE5MTEyYTlhNTcyIiwicm9sZSI6ImFwaV9rZXkifQ.YE0GlvpooXQ9qENX_Hu4RN18RUKDbb1woPg5HbbxSeo";

    #[test]
    fn reads_the_published_tokens() {
        let c = claims(EXAMPLE).unwrap();
        assert_eq!(c.sub, "user_31e827070dcf44198ec11a9112a9a572");
        assert_eq!(c.role.as_deref(), Some("user"));
        assert!(expired_at(EXAMPLE, 1_764_806_626.0));
        assert!(!expired_at(EXAMPLE, 1_764_806_624.0));
        let k = claims(API_KEY).unwrap();
        assert_eq!(k.role.as_deref(), Some("api_key"));
        assert_eq!(k.exp, None);
        assert!(
            !expired_at(API_KEY, f64::MAX),
            "API-key tokens never expire"
        );
    }

    #[test]
    fn garbage_is_not_a_token() {
        assert_eq!(claims("not a token"), None);
        assert_eq!(claims("prefix_eyJ"), None);
        assert_eq!(claims("prefix_eyJ.!!!.x"), None);
        assert!(!expired_at("garbage", 0.0));
    }
}
