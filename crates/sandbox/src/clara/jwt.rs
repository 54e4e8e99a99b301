//! HS256 JSON Web Tokens, as the boilerplate issues (user and API-key tokens)
//! and as the Sandbox's OAuth server issues (Google id_tokens).

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use hmac::{Hmac, Mac};
use serde_json::{json, Value};
use sha2::Sha256;

pub fn encode(claims: &Value, secret: &str) -> String {
    let header = URL_SAFE_NO_PAD.encode(json!({"alg": "HS256", "typ": "JWT"}).to_string());
    let payload = URL_SAFE_NO_PAD.encode(claims.to_string());
    let signing_input = format!("{header}.{payload}");
    format!(
        "{signing_input}.{}",
        URL_SAFE_NO_PAD.encode(mac(secret, &signing_input))
    )
}

fn mac(secret: &str, input: &str) -> Vec<u8> {
    match Hmac::<Sha256>::new_from_slice(secret.as_bytes()) {
        Ok(mut m) => {
            m.update(input.as_bytes());
            m.finalize().into_bytes().to_vec()
        }
        Err(_) => Vec::new(),
    }
}

/// The claims of a token signed with `secret`, or `None` when it is not one.
/// Expiry is the caller's business: the boilerplate treats it separately.
pub fn verify(token: &str, secret: &str) -> Option<Value> {
    let mut parts = token.split('.');
    let (h, p, s) = (parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some() {
        return None;
    }
    let expected = mac(secret, &format!("{h}.{p}"));
    let given = URL_SAFE_NO_PAD.decode(s).ok()?;
    if given.len() != expected.len()
        || given
            .iter()
            .zip(&expected)
            .fold(0u8, |a, (x, y)| a | (x ^ y))
            != 0
    {
        return None;
    }
    let header: Value = serde_json::from_slice(&URL_SAFE_NO_PAD.decode(h).ok()?).ok()?;
    if header["alg"] != "HS256" {
        return None;
    }
    serde_json::from_slice(&URL_SAFE_NO_PAD.decode(p).ok()?).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_tamper() {
        let t = encode(
            &json!({"sub": "user_1", "role": "user", "exp": 10.5}),
            "s3cret",
        );
        assert_eq!(verify(&t, "s3cret").unwrap()["sub"], "user_1");
        assert!(verify(&t, "other").is_none());
        let mut forged = t.clone();
        forged.push('x');
        assert!(verify(&forged, "s3cret").is_none());
        assert!(verify("a.b", "s3cret").is_none());
    }

    #[test]
    fn reads_the_published_example_shape() {
        // The Login example token from clara-api.md: its payload decodes to sub/role/iat/exp.
        let token = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiJ1c2VyXzMxZTgyNzA3MGRjZjQ0MTk4ZWMxMWE5MTEyYTlhNTcyIiwicm9sZSI6InVzZXIiLCJpYXQiOjE3NjQyMDE4MjUuMjg1Njc5LCJleHAiOjE3NjQ4MDY2MjUuMjg1MDI1fQ";
        let payload = token.split('.').nth(1).unwrap();
        let claims: Value =
            serde_json::from_slice(&URL_SAFE_NO_PAD.decode(payload).unwrap()).unwrap();
        assert_eq!(claims["role"], "user");
        let ttl = claims["exp"].as_f64().unwrap() - claims["iat"].as_f64().unwrap();
        assert!((ttl - 604_800.0).abs() < 1.0);
    }
}
