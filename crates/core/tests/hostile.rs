//! A hostile server: a proxy in front of the Sandbox's Clara API that, for one
//! endpoint at a time, answers with what a broken or malicious server could
//! send. Every case must end in a clear error (its code pinned here), never a
//! panic, never a wait past the request timeout, and — for purchases —
//! nothing kept to open or watch.

mod common;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::http::{header, HeaderValue, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Router;
use common::*;
use serde_json::{json, Value};
use topup_core::http::{Http, HttpConfig, RetryPolicy};
use topup_core::presets::PresetId;
use topup_core::secrets::MemoryStore;
use topup_core::service::{Accounts, NewAccount};
use topup_core::ErrorCode;

/// What the hostile server sends instead of the real answer.
#[derive(Clone)]
enum Answer {
    Json(u16, Value),
    Raw {
        status: u16,
        content_type: &'static str,
        body: Vec<u8>,
    },
    Redirect(u16, &'static str),
    /// The start of `body`, then the connection drops.
    Truncated(Vec<u8>),
    /// Headers at once, then a byte every 200 ms, forever.
    SlowLoris,
    /// Reads the request and never answers.
    Stall,
}

#[derive(Clone)]
struct Rule {
    method: Method,
    /// The path's last segment(s) the rule applies to, e.g. `/stripe/buy`.
    path_suffix: String,
    answer: Answer,
}

#[derive(Clone)]
struct Proxy {
    upstream: String,
    rule: Arc<Mutex<Option<Rule>>>,
    http: reqwest::Client,
}

impl Proxy {
    async fn start(upstream: String) -> (Self, String) {
        let proxy = Self {
            upstream,
            rule: Arc::default(),
            http: reqwest::Client::new(),
        };
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let app = Router::new().fallback(answer).with_state(proxy.clone());
        tokio::spawn(async move { axum::serve(listener, app).await });
        (proxy, format!("http://{addr}"))
    }

    fn set(&self, rule: Option<Rule>) {
        *self.rule.lock().unwrap() = rule;
    }
}

async fn answer(State(proxy): State<Proxy>, request: Request) -> Response {
    let rule = proxy.rule.lock().unwrap().clone();
    let path = request.uri().path().to_owned();
    if let Some(rule) =
        rule.filter(|r| r.method == request.method() && path.ends_with(&r.path_suffix))
    {
        return forged(rule.answer).await;
    }
    // Everything else goes to the Sandbox untouched.
    let url = format!(
        "{}{}",
        proxy.upstream,
        request
            .uri()
            .path_and_query()
            .map_or(path.as_str(), |p| p.as_str())
    );
    let method = request.method().clone();
    let headers = request.headers().clone();
    let body = axum::body::to_bytes(request.into_body(), 1 << 20)
        .await
        .unwrap_or_default();
    let mut forwarded = proxy.http.request(method, url).body(body);
    for name in [header::AUTHORIZATION, header::CONTENT_TYPE] {
        if let Some(value) = headers.get(&name) {
            forwarded = forwarded.header(name, value);
        }
    }
    let Ok(upstream) = forwarded.send().await else {
        return StatusCode::BAD_GATEWAY.into_response();
    };
    let status = upstream.status();
    let content_type = upstream.headers().get(header::CONTENT_TYPE).cloned();
    let body = upstream.bytes().await.unwrap_or_default();
    let mut response = (status, body).into_response();
    if let Some(ct) = content_type {
        response.headers_mut().insert(header::CONTENT_TYPE, ct);
    }
    response
}

async fn forged(answer: Answer) -> Response {
    match answer {
        Answer::Json(status, value) => (
            StatusCode::from_u16(status).unwrap(),
            [(header::CONTENT_TYPE, "application/json")],
            value.to_string(),
        )
            .into_response(),
        Answer::Raw {
            status,
            content_type,
            body,
        } => (
            StatusCode::from_u16(status).unwrap(),
            [(header::CONTENT_TYPE, content_type)],
            body,
        )
            .into_response(),
        Answer::Redirect(status, location) => (
            StatusCode::from_u16(status).unwrap(),
            [(header::LOCATION, HeaderValue::from_static(location))],
        )
            .into_response(),
        Answer::Truncated(body) => {
            let half = body[..body.len() / 2].to_vec();
            let stream = futures_util::stream::iter(vec![
                Ok::<_, std::io::Error>(Bytes::from(half)),
                Err(std::io::Error::other("the server went away")),
            ]);
            (
                [(header::CONTENT_TYPE, "application/json")],
                Body::from_stream(stream),
            )
                .into_response()
        }
        Answer::SlowLoris => {
            let stream = futures_util::stream::unfold((), |()| async {
                tokio::time::sleep(Duration::from_millis(200)).await;
                Some((Ok::<_, std::io::Error>(Bytes::from_static(b" ")), ()))
            });
            (
                [(header::CONTENT_TYPE, "application/json")],
                Body::from_stream(stream),
            )
                .into_response()
        }
        Answer::Stall => std::future::pending().await,
    }
}

/// Short timeouts and one retry, so the corpus runs in seconds; the bound
/// every call must return within follows from them.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(1);
const RETRY: RetryPolicy = RetryPolicy {
    max_attempts: 2,
    base_delay: Duration::from_millis(10),
    max_delay: Duration::from_millis(50),
    budget: Duration::from_secs(2),
};

/// How long any call may take: every attempt timing out, plus the backoff,
/// plus slack for a loaded machine. A call still running then has hung.
fn hang_bound() -> Duration {
    REQUEST_TIMEOUT * RETRY.max_attempts + RETRY.budget + Duration::from_secs(5)
}

struct Hostile {
    _env: Env,
    proxy: Proxy,
    accounts: Accounts,
    id: String,
    user_id_suffix: String,
}

/// A custom Clara account whose API is the proxy in front of the Sandbox,
/// signed in through it while it passes everything on.
async fn hostile() -> Hostile {
    let env = start().await;
    let sandbox = env.sandbox.urls().base.clone();
    let (proxy, proxy_base) = Proxy::start(sandbox.clone()).await;
    let http = Http::new(HttpConfig {
        request_timeout: REQUEST_TIMEOUT,
        retry: RETRY,
        ..HttpConfig::default()
    })
    .unwrap();
    let tmp = tempdir("hostile");
    let accounts = accounts_service_with(&env, tmp.path(), Arc::new(MemoryStore::default()), http);
    let record = add_signed_in(
        &accounts,
        NewAccount {
            preset: Some(PresetId::CustomClara),
            base_url: Some(format!("{proxy_base}/api/v1")),
            checkout_origins: sandbox,
            ..NewAccount::default()
        },
    )
    .await;
    let user = env.login(topup_sandbox::demo::USER_EMAIL).await;
    Hostile {
        _env: env,
        proxy,
        accounts,
        id: record.id,
        user_id_suffix: format!("/users/{}", user.user_id),
    }
}

fn checkout(url: &str) -> Answer {
    Answer::Json(
        200,
        json!({"status": "success", "message": "Checkout session created successfully.",
               "data": {"url": url, "value_in_credits": 500.0, "value_in_fiat": 5.0, "return_path": ""}}),
    )
}

fn raw(status: u16, content_type: &'static str, body: &str) -> Answer {
    Answer::Raw {
        status,
        content_type,
        body: body.as_bytes().to_vec(),
    }
}

fn nested(depth: usize) -> Answer {
    let body = format!(
        "{{\"status\":\"success\",\"message\":\"\",\"data\":{}{}}}",
        "[".repeat(depth),
        "]".repeat(depth)
    );
    Answer::Raw {
        status: 200,
        content_type: "application/json",
        body: body.into_bytes(),
    }
}

/// Malformed answers every endpoint is tried with.
fn malformed_answers() -> Vec<(&'static str, Answer, ErrorCode)> {
    use ErrorCode::*;
    vec![
        (
            "not JSON",
            raw(200, "application/json", "{\"status\": \"succ"),
            MalformedResponse,
        ),
        (
            "an empty body",
            raw(200, "application/json", ""),
            MalformedResponse,
        ),
        (
            "a captive portal's HTML",
            raw(
                200,
                "text/html",
                "<html><body>Log in to the Wi-Fi</body></html>",
            ),
            MalformedResponse,
        ),
        (
            "JSON labelled text/plain",
            raw(200, "text/plain", "{\"status\":\"success\"}"),
            MalformedResponse,
        ),
        (
            "JSON null",
            Answer::Json(200, Value::Null),
            MalformedResponse,
        ),
        (
            "an array",
            Answer::Json(200, json!([1, 2, 3])),
            MalformedResponse,
        ),
        (
            "no data",
            Answer::Json(200, json!({"status": "success", "message": "ok"})),
            MalformedResponse,
        ),
        (
            "data null",
            Answer::Json(
                200,
                json!({"status": "success", "message": "ok", "data": null}),
            ),
            MalformedResponse,
        ),
        (
            "data of the wrong type",
            Answer::Json(
                200,
                json!({"status": "success", "message": "ok", "data": "yes"}),
            ),
            MalformedResponse,
        ),
        (
            "10 000 levels of nesting",
            nested(10_000),
            MalformedResponse,
        ),
        (
            "2 MiB, above the cap",
            Answer::Raw {
                status: 200,
                content_type: "application/json",
                body: vec![b' '; 2 << 20],
            },
            MalformedResponse,
        ),
        (
            "a truncated body",
            Answer::Truncated(br#"{"status":"success","message":"ok","data":{"id":"x"}}"#.to_vec()),
            ConnectionDropped,
        ),
        ("a slow-loris body", Answer::SlowLoris, Timeout),
        ("no answer at all", Answer::Stall, Timeout),
        (
            "a 500 with HTML",
            raw(500, "text/html", "<h1>Internal Server Error</h1>"),
            ServerUnavailable,
        ),
        (
            "a 418 with nothing",
            raw(418, "text/plain", ""),
            InvalidRequest,
        ),
    ]
}

/// The checkout links a server could hand out, none of which may be opened.
fn bad_checkout_links() -> Vec<(&'static str, Answer, ErrorCode)> {
    use ErrorCode::*;
    let refused = |what, url| (what, checkout(url), CheckoutUrlRefused);
    vec![
        refused("javascript:", "javascript:alert(document.cookie)"),
        refused("a file", "file:///etc/passwd"),
        refused("data: HTML", "data:text/html,<script>alert(1)</script>"),
        refused("plain http", "http://checkout.stripe.com/c/pay/cs_test_1"),
        refused(
            "a look-alike host",
            "https://checkout.stripe.com.evil.example/c/pay/cs_test_1",
        ),
        refused("another host", "https://evil.example/c/pay/cs_test_1"),
        refused(
            "credentials in the URL",
            "https://user:pw@checkout.stripe.com/c/pay/cs_test_1",
        ),
        refused("a custom scheme", "topup://pay/cs_test_1"),
        refused(
            "a look-alike IDN host (stripé.com)",
            "https://checkout.xn--strip-fsa.com/c/pay/cs_test_1",
        ),
        ("not a URL", checkout("checkout page"), MalformedResponse),
        (
            "a relative link",
            checkout("//evil.example/c/pay"),
            MalformedResponse,
        ),
        ("an empty link", checkout(""), MalformedResponse),
        (
            "a redirect to another host",
            Answer::Redirect(302, "https://evil.example/c/pay/cs_test_1"),
            MalformedResponse,
        ),
        (
            "a permanent redirect to Stripe",
            Answer::Redirect(308, "https://checkout.stripe.com/c/pay/cs_test_1"),
            MalformedResponse,
        ),
        (
            "negative credits",
            Answer::Json(
                200,
                json!({"status": "success", "message": "", "data": {"url": "https://checkout.stripe.com/c/pay/cs_test_1", "value_in_credits": -500.0, "value_in_fiat": 5.0}}),
            ),
            MalformedResponse,
        ),
        (
            "enormous credits",
            Answer::Json(
                200,
                json!({"status": "success", "message": "", "data": {"url": "https://checkout.stripe.com/c/pay/cs_test_1", "value_in_credits": 1.0e300, "value_in_fiat": 5.0}}),
            ),
            MalformedResponse,
        ),
        (
            "credits beyond f64",
            raw(
                200,
                "application/json",
                r#"{"status":"success","message":"","data":{"url":"https://checkout.stripe.com/c/pay/cs_test_1","value_in_credits":1e400,"value_in_fiat":5.0}}"#,
            ),
            MalformedResponse,
        ),
        (
            "credits as text",
            Answer::Json(
                200,
                json!({"status": "success", "message": "", "data": {"url": "https://checkout.stripe.com/c/pay/cs_test_1", "value_in_credits": "500", "value_in_fiat": 5.0}}),
            ),
            MalformedResponse,
        ),
        (
            "a missing price",
            Answer::Json(
                200,
                json!({"status": "success", "message": "", "data": {"url": "https://checkout.stripe.com/c/pay/cs_test_1", "value_in_credits": 500.0}}),
            ),
            MalformedResponse,
        ),
    ]
}

#[tokio::test]
async fn hostile_purchase_answers_leave_nothing_to_open() {
    let h = hostile().await;
    // The control: the forged answer's shape is right, so every refusal
    // below is for what the case changed.
    h.proxy.set(Some(Rule {
        method: Method::POST,
        path_suffix: "/stripe/buy".into(),
        answer: checkout("https://checkout.stripe.com/c/pay/cs_test_forged"),
    }));
    let forged = h.accounts.buy(&h.id, "5").await.unwrap();
    assert_eq!(
        forged.purchase().checkout_url,
        "https://checkout.stripe.com/c/pay/cs_test_forged"
    );
    h.accounts.end_purchase(&h.id).unwrap();

    let mut cases = bad_checkout_links();
    cases.extend(malformed_answers());
    let mut failures = Vec::new();
    for (what, answer, expected) in cases {
        // A creation whose answer never came whole may have created a
        // checkout: said as such (Clara shows none to look up).
        let expected = if expected.outcome_unknown() {
            ErrorCode::PurchaseUnconfirmed
        } else {
            expected
        };
        h.proxy.set(Some(Rule {
            method: Method::POST,
            path_suffix: "/stripe/buy".into(),
            answer,
        }));
        let outcome = tokio::time::timeout(hang_bound(), h.accounts.buy(&h.id, "5")).await;
        match outcome {
            Err(_) => failures.push(format!("{what}: still waiting after {:?}", hang_bound())),
            Ok(Ok(bought)) => failures.push(format!("{what}: accepted: {bought:?}")),
            Ok(Err(e)) if e.code() != expected => failures.push(format!(
                "{what}: {:?} ({e}), expected {expected:?}",
                e.code()
            )),
            Ok(Err(_)) => {}
        }
        // Nothing kept: no page to reopen, no watch to resume.
        if h.accounts.pending_purchase(&h.id).unwrap().is_some() {
            failures.push(format!("{what}: a purchase was kept"));
            h.accounts.end_purchase(&h.id).unwrap();
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    // The proxy passes answers on again: the same account buys normally.
    h.proxy.set(None);
    let bought = h.accounts.buy(&h.id, "5").await.unwrap();
    assert!(bought.purchase().checkout_url.contains("/c/pay/cs_"));
}

#[tokio::test]
async fn hostile_account_answers_are_clear_errors() {
    let h = hostile().await;
    let user = |credits: Value| {
        Answer::Json(
            200,
            json!({"status": "success", "message": "", "data": {
                "id": "u", "email": "demo@topup.test", "first_name": "Demo", "last_name": null,
                "credits": credits, "is_active": true, "is_2fa_enabled": false,
                "created_at": "Sat, 21 Nov 2026 10:00:00 GMT", "updated_at": "Sat, 21 Nov 2026 10:00:00 GMT"}}),
        )
    };
    h.proxy.set(Some(Rule {
        method: Method::GET,
        path_suffix: h.user_id_suffix.clone(),
        answer: user(json!(1234.5)),
    }));
    let forged = h.accounts.account(&h.id).await.unwrap();
    assert_eq!(forged.balance.unwrap().to_string(), "1234.5", "the control");

    use ErrorCode::*;
    let mut cases = vec![
        ("a negative balance", user(json!(-5.0)), MalformedResponse),
        (
            "an enormous balance",
            user(json!(1.0e300)),
            MalformedResponse,
        ),
        ("a balance as text", user(json!("1000")), MalformedResponse),
        ("no balance", user(Value::Null), MalformedResponse),
    ];
    cases.extend(malformed_answers());
    let mut failures = Vec::new();
    for (what, answer, expected) in cases {
        h.proxy.set(Some(Rule {
            method: Method::GET,
            path_suffix: h.user_id_suffix.clone(),
            answer,
        }));
        match tokio::time::timeout(hang_bound(), h.accounts.account(&h.id)).await {
            Err(_) => failures.push(format!("{what}: still waiting after {:?}", hang_bound())),
            Ok(Ok(account)) => failures.push(format!("{what}: accepted: {account:?}")),
            Ok(Err(e)) if e.code() != expected => failures.push(format!(
                "{what}: {:?} ({e}), expected {expected:?}",
                e.code()
            )),
            Ok(Err(_)) => {}
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    h.proxy.set(None);
    let account = h.accounts.account(&h.id).await.unwrap();
    assert_eq!(account.balance.unwrap().to_string(), "1000");
}
