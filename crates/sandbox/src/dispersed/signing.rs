//! HMAC-SHA256 request signing, verified exactly as `dispersed-api.md` §2
//! describes it: the canonical string
//! `publicKey|timestamp|nonce|METHOD|pathname|queryString|bodySha256`.

use hmac::{Hmac, Mac};
use serde_json::Value;
use sha2::{Digest, Sha256};

use crate::json::sorted;

/// SHA-256 of the empty string: the body hash of a request without a body.
pub const EMPTY_SHA256: &str = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

/// Form-style percent-encoding as Python's `quote_plus` (the reference client):
/// unreserved `A-Z a-z 0-9 _ . - ~` stay, space becomes `+`, the rest `%XX`.
pub fn encode_component(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'_' | b'.' | b'-' | b'~' => {
                out.push(b as char)
            }
            b' ' => out.push('+'),
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

/// The canonical query (§2.3): keys sorted, a repeated key's values sorted,
/// both encoded, joined with `&`, no leading `?`.
pub fn canonical_query(raw: Option<&str>) -> String {
    let Some(raw) = raw.filter(|q| !q.is_empty()) else {
        return String::new();
    };
    let mut pairs: Vec<(String, String)> = form_urlencoded::parse(raw.as_bytes())
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    pairs.sort();
    pairs
        .iter()
        .map(|(k, v)| format!("{}={}", encode_component(k), encode_component(v)))
        .collect::<Vec<_>>()
        .join("&")
}

/// The canonical body (§2.4): keys sorted recursively, compact, non-ASCII as `\uXXXX`.
pub fn canonical_json(value: &Value) -> String {
    let sorted = sorted(value.clone());
    let compact = sorted.to_string();
    let mut out = String::with_capacity(compact.len());
    for c in compact.chars() {
        if c.is_ascii() {
            out.push(c);
        } else {
            let mut units = [0u16; 2];
            for unit in c.encode_utf16(&mut units) {
                out.push_str(&format!("\\u{unit:04x}"));
            }
        }
    }
    out
}

/// The body's hash: of its canonical form when it is JSON, of nothing when empty.
pub fn body_sha256(body: &[u8]) -> Result<String, ()> {
    if body.is_empty() {
        return Ok(EMPTY_SHA256.to_owned());
    }
    let value: Value = serde_json::from_slice(body).map_err(|_| ())?;
    Ok(hex::encode(Sha256::digest(
        canonical_json(&value).as_bytes(),
    )))
}

pub fn canonical_string(
    public_key: &str,
    time: &str,
    nonce: &str,
    method: &str,
    path: &str,
    query: &str,
    body_hash: &str,
) -> String {
    format!(
        "{public_key}|{time}|{nonce}|{}|{path}|{query}|{body_hash}",
        method.to_ascii_uppercase()
    )
}

pub fn sign(secret: &str, canonical: &str) -> String {
    let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(secret.as_bytes()) else {
        return String::new();
    };
    mac.update(canonical.as_bytes());
    hex::encode(mac.finalize().into_bytes())
}

/// Constant-time comparison of two signatures.
pub fn same(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECRET: &str = "sk_test_example";

    /// `dispersed-api.md` §2.5, vector A.
    #[test]
    fn vector_a_documented_example() {
        let canonical = "pk_abc123|1706918400000|a1b2c3d4e5f6a7b8|GET|/v1/jobs|limit=10&page=1|e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
        assert_eq!(canonical_query(Some("page=1&limit=10")), "limit=10&page=1");
        assert_eq!(
            canonical_string(
                "pk_abc123",
                "1706918400000",
                "a1b2c3d4e5f6a7b8",
                "get",
                "/v1/jobs",
                "limit=10&page=1",
                EMPTY_SHA256
            ),
            canonical
        );
        assert_eq!(
            sign(SECRET, canonical),
            "c6ad2646683c5f9624a9f2a076e46ce79f6d05c6c97a40487cb7316e4c355cbe"
        );
    }

    /// The client sends its canonical body; a long number in it must be read
    /// as the value it is (as JavaScript's JSON.parse does), so the verifier
    /// hashes the very bytes that were signed.
    #[test]
    fn long_numbers_keep_their_value() {
        let sent = r#"{"a":9.111111111111111e+28}"#;
        let value: Value = serde_json::from_str(sent).unwrap();
        assert_eq!(canonical_json(&value), sent);
    }

    /// Vector B: create credit purchase.
    #[test]
    fn vector_b_create_purchase() {
        let body = br#"{"redirect_url": "https://console.dispersed.com/billing?checkout=success", "amount": 25, "cancel_url": "https://console.dispersed.com/billing?checkout=cancelled"}"#;
        let hash = body_sha256(body).unwrap();
        assert_eq!(
            hash,
            "fcde80d277ec56eaff7708d2562fad9661c0cb2228e245abbc3a72b6a1d1ed94"
        );
        let canonical = canonical_string(
            "pk_abc123",
            "1706918400000",
            "a1b2c3d4e5f6a7b8c9d0e1f2a3b4c5d6",
            "POST",
            "/v1/compute/ledger/credit-purchases",
            "",
            &hash,
        );
        assert_eq!(
            sign(SECRET, &canonical),
            "e7aa75e60359524446921bea9188a720945aa82ba73fc53c96a8b14e5a4a178a"
        );
    }

    /// Vector C: reconcile.
    #[test]
    fn vector_c_reconcile() {
        let query = canonical_query(Some("checkout_session_id=cs_test_abc123"));
        let canonical = canonical_string(
            "pk_abc123",
            "1706918400000",
            "a1b2c3d4e5f6a7b8c9d0e1f2a3b4c5d6",
            "GET",
            "/v1/compute/ledger/credit-purchases/reconcile",
            &query,
            &body_sha256(b"").unwrap(),
        );
        assert_eq!(
            sign(SECRET, &canonical),
            "5459c8025a534908f4efa4eea1cb72180ca54b407bcfd2b8eab70a509965b365"
        );
    }

    #[test]
    fn query_rules_from_the_reference() {
        assert_eq!(canonical_query(Some("z=3&a=1&b=2")), "a=1&b=2&z=3");
        assert_eq!(
            canonical_query(Some("tag=zebra&tag=apple")),
            "tag=apple&tag=zebra"
        );
        assert_eq!(
            canonical_query(Some("limit=20&filter[status]=COMPLETED,PENDING")),
            "filter%5Bstatus%5D=COMPLETED%2CPENDING&limit=20"
        );
        assert_eq!(canonical_query(Some("q=a+b&x=%21")), "q=a+b&x=%21");
        assert_eq!(canonical_query(None), "");
    }

    #[test]
    fn bodies_are_ascii_safe() {
        let v: Value = serde_json::from_str(r#"{"memo":"café 😀","b":{"z":1,"a":[2,1]}}"#).unwrap();
        assert_eq!(
            canonical_json(&v),
            r#"{"b":{"a":[2,1],"z":1},"memo":"caf\u00e9 \ud83d\ude00"}"#
        );
        assert!(body_sha256(b"not json").is_err());
    }
}
