//! Helpers shared by the Sandbox's integration tests: a running Sandbox, an
//! HTTP client, a Clara login and a Dispersed request signer written here from
//! `dispersed-api.md` §2 (not the Sandbox's own verifier).

#![allow(dead_code)]

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use base64::Engine;
use hmac::{Hmac, Mac};
use reqwest::{Client, Method, Response, StatusCode};
use serde_json::{json, Value};
use sha2::{Digest, Sha256};
use topup_sandbox::{demo, Config, Quirks, Sandbox};

pub struct Env {
    pub sandbox: Sandbox,
    pub http: Client,
}

pub async fn start() -> Env {
    start_with(Config::default()).await
}

pub async fn start_quirky() -> Env {
    start_with(Config {
        quirks: Quirks::Boilerplate,
        ..Config::default()
    })
    .await
}

pub async fn start_with(config: Config) -> Env {
    let sandbox = Sandbox::start(config).await.expect("sandbox starts");
    let http = Client::builder()
        .no_proxy()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(Duration::from_secs(20))
        .build()
        .expect("client");
    Env { sandbox, http }
}

impl Env {
    pub fn clara(&self, path: &str) -> String {
        format!("{}{path}", self.sandbox.urls().clara)
    }

    pub fn admin(&self, path: &str) -> String {
        format!("{}{path}", self.sandbox.urls().admin)
    }

    pub fn base(&self) -> &str {
        &self.sandbox.urls().base
    }

    /// Calls a test-only endpoint under `/__sandbox` with a JSON body (none for `null`).
    pub async fn admin_post(&self, path: &str, body: Value) -> Response {
        self.admin_send(Method::POST, path, body).await
    }

    pub async fn admin_put(&self, path: &str, body: Value) -> Response {
        self.admin_send(Method::PUT, path, body).await
    }

    async fn admin_send(&self, method: Method, path: &str, body: Value) -> Response {
        let request = self.http.request(method, self.admin(path));
        let request = if body.is_null() {
            request
        } else {
            request.json(&body)
        };
        request.send().await.unwrap()
    }

    /// The JSON answer of a test-only endpoint under `/__sandbox`.
    pub async fn admin_json<T: serde::de::DeserializeOwned>(
        &self,
        path: &str,
        query: &[(&str, &str)],
    ) -> T {
        self.http
            .get(self.admin(path))
            .query(query)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap()
    }

    /// Logs a Clara user in (no 2FA): `(user_id, token)`.
    pub async fn login(&self, email: &str) -> (String, String) {
        let r = self
            .http
            .post(self.clara("/auth/session"))
            .basic_auth(email, Some(demo::PASSWORD))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::OK, "login of {email}");
        let body: Value = r.json().await.unwrap();
        (
            body["data"]["id"].as_str().unwrap().to_owned(),
            body["data"]["token"].as_str().unwrap().to_owned(),
        )
    }

    pub async fn get_json(&self, url: &str, token: &str) -> (StatusCode, Value) {
        let r = self.http.get(url).bearer_auth(token).send().await.unwrap();
        split(r).await
    }

    /// The status a bearer-authenticated GET gets.
    pub async fn status_of(&self, url: &str, token: &str) -> StatusCode {
        self.get_json(url, token).await.0
    }

    /// Ends the demo user's sessions on the server, as `how` ("revoke",
    /// "expire") says.
    pub async fn end_sessions(&self, how: &str) {
        let ended = self
            .admin_post(
                &format!("/clara/sessions/{how}"),
                json!({"email": demo::USER_EMAIL}),
            )
            .await;
        assert!(ended.status().is_success(), "{how}: {}", ended.status());
    }

    pub async fn post_json(&self, url: &str, token: &str, body: Value) -> (StatusCode, Value) {
        let r = self
            .http
            .post(url)
            .bearer_auth(token)
            .json(&body)
            .send()
            .await
            .unwrap();
        split(r).await
    }

    /// A Stripe API request with the Sandbox's secret key: `(status, body)`.
    pub async fn stripe(&self, method: Method, path: &str) -> (StatusCode, Value) {
        let url = format!("{}{path}", self.sandbox.urls().stripe);
        let r = self
            .http
            .request(method, url)
            .bearer_auth(demo::STRIPE_SECRET_KEY)
            .send()
            .await
            .unwrap();
        split(r).await
    }

    /// Sends one Clara request: `(status, body)`.
    pub async fn send(&self, call: Call<'_>) -> (StatusCode, Value) {
        let mut req = self.http.request(call.method, self.clara(&call.path));
        req = match call.auth {
            Auth::None => req,
            Auth::Bearer(token) => req.bearer_auth(token),
            Auth::Key(key) => req.header("Authorization", key),
            Auth::Basic(email, password) => req.basic_auth(email, Some(password)),
        };
        if let Some(body) = call.body {
            req = req.json(&body);
        }
        split(req.send().await.unwrap()).await
    }

    pub async fn credits(&self, user_id: &str, token: &str) -> f64 {
        let (status, body) = self
            .get_json(&self.clara(&format!("/users/{user_id}")), token)
            .await;
        assert_eq!(status, StatusCode::OK);
        body["data"]["credits"].as_f64().unwrap()
    }

    /// A signed Dispersed request, as `dispersed-api.md` §2 describes.
    pub async fn dispersed(
        &self,
        method: Method,
        path_and_query: &str,
        body: Option<&Value>,
    ) -> (StatusCode, Value) {
        self.dispersed_as(
            demo::DISPERSED_PUBLIC_KEY,
            demo::DISPERSED_SECRET_KEY,
            method,
            path_and_query,
            body,
            &Signing::default(),
        )
        .await
    }

    pub async fn dispersed_as(
        &self,
        pk: &str,
        sk: &str,
        method: Method,
        path_and_query: &str,
        body: Option<&Value>,
        signing: &Signing,
    ) -> (StatusCode, Value) {
        let (path, query) = path_and_query
            .split_once('?')
            .unwrap_or((path_and_query, ""));
        let canonical_query = canonical_query(query);
        let body_text = body.map(canonical_body).unwrap_or_default();
        let time = signing.time_ms.unwrap_or_else(now_ms).to_string();
        let nonce = signing
            .nonce
            .clone()
            .unwrap_or_else(|| uuid::Uuid::new_v4().simple().to_string());
        let canonical = format!(
            "{pk}|{time}|{nonce}|{}|{path}|{canonical_query}|{}",
            method.as_str(),
            hex::encode(Sha256::digest(body_text.as_bytes()))
        );
        let mut mac = Hmac::<Sha256>::new_from_slice(sk.as_bytes()).unwrap();
        mac.update(canonical.as_bytes());
        let mut signature = hex::encode(mac.finalize().into_bytes());
        if signing.corrupt {
            signature.replace_range(0..1, if signature.starts_with('0') { "1" } else { "0" });
        }
        let url = if canonical_query.is_empty() {
            format!("{}{path}", self.base())
        } else {
            format!("{}{path}?{canonical_query}", self.base())
        };
        let mut req = self
            .http
            .request(method, url)
            .header("X-API-Key", pk)
            .header("X-Time", time)
            .header("X-Nonce", nonce)
            .header("X-Signature", signature);
        if body.is_some() {
            req = req
                .header("Content-Type", "application/json")
                .body(body_text);
        }
        split(req.send().await.unwrap()).await
    }

    pub async fn requests(&self, path: &str) -> Vec<Value> {
        self.admin_json("/requests", &[("path", path)]).await
    }
}

/// How a Clara request says who sends it.
pub enum Auth<'a> {
    None,
    Bearer(&'a str),
    /// An API key in `Authorization` as it is (public or private).
    Key(&'a str),
    Basic(&'a str, &'a str),
}

/// One Clara request, its path under `/api/v1`.
pub struct Call<'a> {
    pub method: Method,
    pub path: String,
    pub auth: Auth<'a>,
    pub body: Option<Value>,
}

impl<'a> Call<'a> {
    pub fn new(method: Method, path: impl Into<String>) -> Self {
        Self {
            method,
            path: path.into(),
            auth: Auth::None,
            body: None,
        }
    }

    pub fn get(path: impl Into<String>) -> Self {
        Self::new(Method::GET, path)
    }

    pub fn post(path: impl Into<String>) -> Self {
        Self::new(Method::POST, path)
    }

    pub fn patch(path: impl Into<String>) -> Self {
        Self::new(Method::PATCH, path)
    }

    pub fn bearer(self, token: &'a str) -> Self {
        Self {
            auth: Auth::Bearer(token),
            ..self
        }
    }

    pub fn key(self, key: &'a str) -> Self {
        Self {
            auth: Auth::Key(key),
            ..self
        }
    }

    pub fn basic(self, email: &'a str, password: &'a str) -> Self {
        Self {
            auth: Auth::Basic(email, password),
            ..self
        }
    }

    pub fn json(self, body: Value) -> Self {
        Self {
            body: Some(body),
            ..self
        }
    }
}

#[derive(Default, Clone)]
pub struct Signing {
    pub time_ms: Option<i64>,
    pub nonce: Option<String>,
    pub corrupt: bool,
}

pub fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_millis() as i64
}

/// Python `quote_plus` encoding (the reference client's).
fn encode(s: &str) -> String {
    let mut out = String::new();
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

/// Query canonicalisation (§2.3) from a raw, unencoded `k=v&…` string.
pub fn canonical_query(raw: &str) -> String {
    let mut pairs: Vec<(String, String)> = raw
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (k, v) = p.split_once('=').unwrap_or((p, ""));
            (k.to_owned(), v.to_owned())
        })
        .collect();
    pairs.sort();
    pairs
        .iter()
        .map(|(k, v)| format!("{}={}", encode(k), encode(v)))
        .collect::<Vec<_>>()
        .join("&")
}

/// Body canonicalisation (§2.4): sorted keys, compact, ASCII-safe.
pub fn canonical_body(v: &Value) -> String {
    fn write(v: &Value, out: &mut String) {
        match v {
            Value::Object(m) => {
                let mut keys: Vec<_> = m.keys().collect();
                keys.sort();
                out.push('{');
                for (i, k) in keys.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    write(&Value::String((*k).clone()), out);
                    out.push(':');
                    write(&m[*k], out);
                }
                out.push('}');
            }
            Value::Array(a) => {
                out.push('[');
                for (i, x) in a.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    write(x, out);
                }
                out.push(']');
            }
            Value::String(s) => {
                out.push('"');
                for c in s.chars() {
                    match c {
                        '"' => out.push_str("\\\""),
                        '\\' => out.push_str("\\\\"),
                        '\n' => out.push_str("\\n"),
                        c if (c as u32) < 0x20 || !c.is_ascii() => {
                            let mut buf = [0u16; 2];
                            for u in c.encode_utf16(&mut buf) {
                                out.push_str(&format!("\\u{u:04x}"));
                            }
                        }
                        c => out.push(c),
                    }
                }
                out.push('"');
            }
            other => out.push_str(&other.to_string()),
        }
    }
    let mut out = String::new();
    write(v, &mut out);
    out
}

pub async fn split(r: Response) -> (StatusCode, Value) {
    let status = r.status();
    let text = r.text().await.unwrap();
    (status, serde_json::from_str(&text).unwrap_or(Value::Null))
}

/// The Checkout Session id inside a hosted-page URL.
pub fn session_id(url: &str) -> String {
    url.rsplit('/').next().unwrap().to_owned()
}

/// Pays on the hosted page with an HTTP form post, as a browser would.
pub async fn pay_on_page(env: &Env, url: &str, card: &str) -> Response {
    let page = env.http.get(url).send().await.unwrap();
    assert_eq!(page.status(), StatusCode::OK, "hosted page loads");
    let html = page.text().await.unwrap();
    assert!(
        html.contains("Card number") && html.contains("<form method=\"post\""),
        "a checkout form"
    );
    env.http
        .post(url)
        .form(&[
            ("email", "payer@topup.test"),
            ("card_number", card),
            ("expiry", "12 / 34"),
            ("cvc", "123"),
            ("name", "Pat Payer"),
        ])
        .send()
        .await
        .unwrap()
}

pub fn basic(email: &str, password: &str) -> String {
    format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode(format!("{email}:{password}"))
    )
}

pub fn json_keys(v: &Value) -> Vec<String> {
    v.as_object()
        .map(|m| m.keys().cloned().collect())
        .unwrap_or_default()
}

pub fn empty() -> Value {
    json!({})
}
