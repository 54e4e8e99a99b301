//! Contract tests: for every example in the references, the Sandbox's answer
//! to the same call has the same status, message, keys and JSON types.
//!
//! Shape rule: objects must have exactly the example's keys; numbers match
//! numbers (the references mix `0` and `0.0`); a `null` in an example is a
//! placeholder that matches any value (the Stripe fixture and the Google
//! example carry nulls where real objects have values). For Stripe objects,
//! whose fields are mostly nullable, a `null` answer also matches, and
//! `metadata` is a free-form map.

mod common;

use std::collections::BTreeMap;

use common::*;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use topup_sandbox::{demo, FaultKind, FaultRule};

#[derive(Clone, Copy)]
enum Nulls {
    /// Only an example's null is a wildcard.
    Strict,
    /// Nulls match either way and `metadata` is free-form (Stripe objects).
    Nullable,
}

fn same_shape(
    example: &Value,
    actual: &Value,
    path: &str,
    nulls: Nulls,
    problems: &mut Vec<String>,
) {
    match (example, actual) {
        (Value::Null, _) => {}
        (_, Value::Null) if matches!(nulls, Nulls::Nullable) => {}
        (Value::Object(_), Value::Object(_))
            if matches!(nulls, Nulls::Nullable) && path.ends_with(".metadata") => {}
        (Value::Object(e), Value::Object(a)) => {
            for k in e.keys() {
                match a.get(k) {
                    Some(v) => same_shape(&e[k], v, &format!("{path}.{k}"), nulls, problems),
                    None => problems.push(format!("{path}.{k} missing")),
                }
            }
            for k in a.keys().filter(|k| !e.contains_key(*k)) {
                problems.push(format!("{path}.{k} not in the example"));
            }
        }
        (Value::Array(e), Value::Array(a)) => {
            if let (Some(e0), Some(a0)) = (e.first(), a.first()) {
                same_shape(e0, a0, &format!("{path}[0]"), nulls, problems);
            } else if !e.is_empty() {
                problems.push(format!("{path} is empty but the example is not"));
            }
        }
        (Value::Number(_), Value::Number(_))
        | (Value::String(_), Value::String(_))
        | (Value::Bool(_), Value::Bool(_)) => {}
        (e, a) => problems.push(format!("{path}: example {e} but got {a}")),
    }
}

fn assert_shape(name: &str, example: &Value, actual: &Value) {
    assert_shape_with(name, example, actual, Nulls::Strict);
}

fn assert_shape_with(name: &str, example: &Value, actual: &Value, nulls: Nulls) {
    let mut problems = Vec::new();
    same_shape(example, actual, "$", nulls, &mut problems);
    assert!(
        problems.is_empty(),
        "{name}: {problems:#?}\nactual: {actual:#}"
    );
}

/// An example with `<Resource Name>` filled in, status and message checked too.
fn assert_example(
    name: &str,
    example: &Value,
    status: StatusCode,
    expected_status: u16,
    actual: &Value,
    resource: &str,
) {
    assert_eq!(
        status.as_u16(),
        expected_status,
        "{name}: status; body {actual}"
    );
    let message = example["message"]
        .as_str()
        .unwrap()
        .replace("<Resource Name>", resource);
    assert_eq!(actual["message"], message, "{name}: message");
    assert_eq!(actual["status"], example["status"], "{name}: status field");
    assert_shape(name, example, actual);
}

struct Examples {
    ops: BTreeMap<(String, String, u16), Value>,
    components: BTreeMap<String, Value>,
}

fn examples() -> Examples {
    let spec: Value = serde_json::from_str(include_str!(
        "../../../tests/fixtures/reference/clara-boilerplate.openapi.json"
    ))
    .unwrap();
    let value_of = |content: &Value| -> Vec<(String, Value)> {
        let mut out = Vec::new();
        for (_, c) in content.as_object().into_iter().flatten() {
            let mut push = |name: &str, v: &Value| {
                // Several pages store the JSON as a string (wrongly labelled text).
                let v = match v {
                    Value::String(s) => serde_json::from_str(s).unwrap_or(Value::Null),
                    other => other.clone(),
                };
                out.push((name.to_owned(), v));
            };
            if let Some(e) = c.get("example") {
                push("example", e);
            }
            for (name, e) in c
                .get("examples")
                .and_then(Value::as_object)
                .into_iter()
                .flatten()
            {
                push(name, &e["value"]);
            }
        }
        out
    };
    let mut ops = BTreeMap::new();
    for (path, methods) in spec["paths"].as_object().unwrap() {
        for (method, op) in methods.as_object().unwrap() {
            for (code, resp) in op["responses"].as_object().into_iter().flatten() {
                if let Some((_, v)) = value_of(&resp["content"]).into_iter().next() {
                    ops.insert(
                        (path.clone(), method.to_uppercase(), code.parse().unwrap()),
                        v,
                    );
                }
            }
        }
    }
    let mut components = BTreeMap::new();
    for (_, resp) in spec["components"]["responses"].as_object().unwrap() {
        for (name, v) in value_of(&resp["content"]) {
            components.insert(name, v);
        }
    }
    Examples { ops, components }
}

#[tokio::test]
async fn every_openapi_operation_example_matches() {
    let env = start().await;
    let ex = examples();
    // Which examples were compared: at the end, every one the export has.
    let used = std::cell::RefCell::new(std::collections::BTreeSet::new());
    // Sends `call`, compares the answer with the example of `template` (the
    // operation's path in the export) and its status `code`.
    let check = async |name: &str, template: &str, code: u16, call: Call<'_>| {
        let key = (template.to_owned(), call.method.to_string(), code);
        let example = ex
            .ops
            .get(&key)
            .unwrap_or_else(|| panic!("no example for {key:?}"))
            .clone();
        used.borrow_mut().insert(key);
        let resource = if template.contains("{transaction_id}") {
            "Transaction"
        } else {
            "User"
        };
        let (s, b) = env.send(call).await;
        assert_example(name, &example, s, code, &b, resource);
        b
    };
    let public = demo::CLARA_PUBLIC_KEY;
    let otp = async |email: &str, kind: &str| -> Value {
        env.admin_json("/otp", &[("email", email), ("type", kind)])
            .await
    };

    let b = check("register", "/auth/register", 201, Call::post("/auth/register").key(public)
        .json(json!({"first_name": "vibhanshu", "last_name": "rathod", "email": "hello@crazi.co", "password": "e|YUiO2PIj7E'0&V"}))).await;
    assert_eq!(
        b["data"]["first_name"], "Vibhanshu",
        "names are capitalised"
    );

    // Google sign-in of an existing user: "logged in", 201.
    let idt: Value = env
        .admin_json("/google/id_token", &[("email", demo::USER_EMAIL)])
        .await;
    let google = Call::post("/auth/google").json(json!({"id_token": idt["id_token"]}));
    check("google", "/auth/google", 201, google.bearer("unused")).await;

    let login = Call::post("/auth/session").basic(demo::USER_EMAIL, demo::PASSWORD);
    let b = check("login", "/auth/session", 200, login).await;
    let user_id = b["data"]["id"].as_str().unwrap().to_owned();
    let token = b["data"]["token"].as_str().unwrap().to_owned();
    let me = format!("/users/{user_id}");

    // Send OTP, then Change Password with it.
    let send_otp = Call::post(format!("/users/{}/otp/CHANGE_PASSWORD", demo::USER_EMAIL));
    let template = "/users/{user_email}/otp/{otp_type}";
    check("send otp", template, 201, send_otp.key(public)).await;
    let code = otp(demo::USER_EMAIL, "CHANGE_PASSWORD").await;
    let change = Call::patch(format!("/users/{}/password", demo::USER_EMAIL))
        .bearer(&token)
        .json(json!({"password": demo::PASSWORD, "code": code["code"]}));
    let template = "/users/{user_email}/password";
    check("change password", template, 200, change).await;

    // Activate the inactive user.
    let send_otp = Call::post(format!("/users/{}/otp/ACTIVATION", demo::INACTIVE_EMAIL));
    env.send(send_otp.key(public)).await;
    let code = otp(demo::INACTIVE_EMAIL, "ACTIVATION").await;
    let activate = Call::post(format!("/users/{}/activate", demo::INACTIVE_EMAIL))
        .key(public)
        .json(json!({"code": code["code"]}));
    let b = check("activate", "/users/{user_email}/activate", 200, activate).await;
    assert!(b["data"].get("token").is_none());

    // View, Update.
    check(
        "user view",
        "/users/{user_id}",
        200,
        Call::get(&me).bearer(&token),
    )
    .await;
    let update = Call::patch(&me)
        .bearer(&token)
        .json(json!({"first_name": "demo", "last_name": "user", "is_dark_mode": false}));
    check("user update", "/users/{user_id}", 200, update).await;

    // Transactions (the seed wrote one) and one of them.
    let list = Call::get(format!("{me}/transactions?limit=5&offset=0")).bearer(&token);
    let b = check("transactions", "/users/{user_id}/transactions", 200, list).await;
    let tid = b["data"][0]["id"].as_str().unwrap().to_owned();
    let one = Call::get(format!("{me}/transactions/{tid}")).bearer(&token);
    let template = "/users/{user_id}/transactions/{transaction_id}";
    check("transaction", template, 200, one).await;

    // Rate, Buy, Portal.
    check(
        "rate",
        "/stripe/rate",
        200,
        Call::get("/stripe/rate").bearer(&token),
    )
    .await;
    let buy = Call::post("/stripe/buy")
        .bearer(&token)
        .json(json!({"amount": 5, "return_path": ""}));
    let b = check("buy", "/stripe/buy", 201, buy).await;
    assert_eq!(b["data"]["value_in_credits"], 500);
    let portal = Call::post("/stripe/portal").bearer(&token);
    check("portal", "/stripe/portal", 201, portal).await;

    // Enable 2FA.
    let send_otp = Call::post(format!("/users/{}/otp/TWO_FACTOR_AUTH", demo::USER_EMAIL));
    env.send(send_otp.key(public)).await;
    let code = otp(demo::USER_EMAIL, "TWO_FACTOR_AUTH").await;
    let enable = Call::post(format!("{me}/2fa"))
        .bearer(&token)
        .json(json!({"code": code["code"]}));
    check("enable 2fa", "/users/{user_id}/2fa", 200, enable).await;

    // Health, Version (no auth).
    let b = check("health", "/health", 200, Call::get("/health")).await;
    assert_eq!(b["data"]["service"], "crazi_co");
    check("version", "/version", 200, Call::get("/version")).await;

    assert_eq!(
        used.into_inner(),
        ex.ops.keys().cloned().collect(),
        "every operation example of the export is exercised"
    );
}

#[tokio::test]
async fn every_openapi_error_example_matches() {
    let env = start().await;
    let ex = examples();
    let (_, token) = env.login(demo::USER_EMAIL).await;
    let other: Value = env
        .admin_json(&format!("/clara/users/{}", demo::TWO_FA_EMAIL), &[])
        .await;
    let other_id = other["id"].as_str().unwrap().to_owned();
    // Which component examples were compared: at the end, every one.
    let seen = std::cell::RefCell::new(std::collections::BTreeSet::new());
    let check = async |name: &str, component: &str, code: u16, call: Call<'_>| {
        let example = ex
            .components
            .get(component)
            .unwrap_or_else(|| panic!("no component example {component}"));
        seen.borrow_mut().insert(component.to_owned());
        let (s, b) = env.send(call).await;
        assert_example(name, example, s, code, &b, "User");
    };
    let bought = |amount: u32| {
        Call::post("/stripe/buy")
            .bearer(&token)
            .json(json!({"amount": amount, "return_path": ""}))
    };

    let rate = Call::get("/stripe/rate");
    check(
        "unauthorized",
        "Authentication Error",
        401,
        rate.bearer("not-a-token"),
    )
    .await;
    let two_factor = Call::post("/auth/session").basic(demo::TWO_FA_EMAIL, demo::PASSWORD);
    check(
        "2fa required",
        "Authentication Error (2FA Required)",
        401,
        two_factor,
    )
    .await;

    let inactive = Call::post("/auth/session").basic(demo::INACTIVE_EMAIL, demo::PASSWORD);
    let inactive_token = env.send(inactive).await.1["data"]["token"]
        .as_str()
        .unwrap()
        .to_owned();
    let rate = Call::get("/stripe/rate").bearer(&inactive_token);
    check("inactive", "Inactive User", 401, rate).await;

    let empty = Call::post("/stripe/buy").bearer(&token);
    check("empty body", "Empty Body", 400, empty).await;
    let no_return_path = Call::post("/stripe/buy")
        .bearer(&token)
        .json(json!({"amount": 5}));
    check("schema", "Invalid Schema", 400, no_return_path).await;

    let register = Call::post("/auth/register").key(demo::CLARA_PUBLIC_KEY)
        .json(json!({"first_name": "A", "last_name": "B", "email": demo::USER_EMAIL, "password": "long-enough"}));
    check("exists", "Resource Already Exists", 400, register).await;

    let someone_else = Call::get(format!("/users/{other_id}")).bearer(&token);
    check("forbidden", "No Access To Resource", 403, someone_else).await;
    let nobody =
        Call::get("/users/user_00000000000000000000000000000000").key(demo::CLARA_PRIVATE_KEY);
    check("not found", "Resource Not Found", 404, nobody).await;

    check("no rate", "Credits Rate Not Found", 404, bought(4)).await;
    check(
        "no rate above",
        "Credits Rate Not Found",
        404,
        bought(10001),
    )
    .await;

    check("route", "Route Not Found", 404, Call::get("/no/such/route")).await;
    let put = Call::new(Method::PUT, "/health");
    check("method", "Method Not Allowed", 405, put).await;

    // 429 and 500 come from the fault injector, in Clara's envelope.
    let rules = vec![
        FaultRule::on(
            "/api/v1/stripe/rate",
            FaultKind::RateLimit { retry_after: 2 },
        ),
        FaultRule::on("/api/v1/version", FaultKind::Status { status: 500 }),
    ];
    env.admin_put("/faults", json!({"rules": rules})).await;
    let r = env
        .http
        .get(env.clara("/stripe/rate"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(r.headers()["retry-after"], "2");
    let (s, b) = split(r).await;
    let limited = &ex.components["Rate Limit Exceeded"];
    assert_example("rate limit", limited, s, 429, &b, "User");
    seen.borrow_mut().insert("Rate Limit Exceeded".to_owned());
    check(
        "server error",
        "Something Went Wrong",
        500,
        Call::get("/version"),
    )
    .await;

    assert_eq!(
        seen.into_inner(),
        ex.components.keys().cloned().collect(),
        "every component example is exercised"
    );
}

#[tokio::test]
async fn stripe_session_matches_the_fixture() {
    let env = start().await;
    let fixture: Value = serde_json::from_str(include_str!(
        "../../../tests/fixtures/reference/stripe-checkout-session.json"
    ))
    .unwrap();
    let (_, token) = env.login(demo::USER_EMAIL).await;
    let (_, b) = env
        .post_json(
            &env.clara("/stripe/buy"),
            &token,
            json!({"amount": 5, "return_path": "billing"}),
        )
        .await;
    let id = session_id(b["data"]["url"].as_str().unwrap());
    let path = format!("/v1/checkout/sessions/{id}");
    let (s, session) = env.stripe(Method::GET, &path).await;
    assert_eq!(s, StatusCode::OK);
    assert_shape_with("checkout.session", &fixture, &session, Nulls::Nullable);
    assert!(session["id"].as_str().unwrap().starts_with("cs_test_"));
    assert_eq!(session["status"], "open");
    assert_eq!(session["payment_status"], "unpaid");
    assert_eq!(session["currency"], "usd");
    assert_eq!(
        session["amount_total"], 500,
        "500 credits at one cent, in minor units"
    );
    assert_eq!(
        session["expires_at"].as_i64().unwrap() - session["created"].as_i64().unwrap(),
        86_400
    );
    assert_eq!(
        session["metadata"],
        json!({"user_id": session["metadata"]["user_id"], "value_in_credits": "500", "value_in_fiat": "5"})
    );
    assert!(session["success_url"]
        .as_str()
        .unwrap()
        .ends_with("/client/billing?stripe_status=success"));
    assert!(session["url"]
        .as_str()
        .unwrap()
        .ends_with(&format!("/stripe/c/pay/{id}")));
}

#[tokio::test]
async fn dispersed_responses_match_the_reference_examples() {
    let env = start().await;
    let ex: Value = serde_json::from_str(include_str!(
        "../../../tests/fixtures/reference/dispersed-examples.json"
    ))
    .unwrap();
    let console = "https://console.dispersed.com/billing?checkout=";
    let (s, created) = env
        .dispersed(Method::POST, "/v1/compute/ledger/credit-purchases", Some(&json!({"amount": 25, "cancel_url": format!("{console}cancelled"), "redirect_url": format!("{console}success"), "memo": "contract"})))
        .await;
    assert_eq!(s, StatusCode::CREATED, "{created}");
    assert_shape_with("create", &ex["create"], &created, Nulls::Nullable);
    assert_eq!(created["checkout_session"]["amount_total"], 2500);
    assert_eq!(created["checkout_session"]["currency"], "eur");
    assert_eq!(created["session_id"], created["checkout_session"]["id"]);
    let id = created["session_id"].as_str().unwrap();
    let (s, reconciled) = env
        .dispersed(
            Method::GET,
            &format!("/v1/compute/ledger/credit-purchases/reconcile?checkout_session_id={id}"),
            None,
        )
        .await;
    assert_eq!(s, StatusCode::OK);
    assert_shape("reconcile", &ex["reconcile"], &reconciled);
    assert_eq!(reconciled["status"], "PENDING");
    let paid = env
        .admin_post(
            &format!("/checkout/{id}/pay"),
            json!({"card": "4242424242424242"}),
        )
        .await;
    assert_eq!(paid.status(), StatusCode::OK);
    let (_, reconciled) = env
        .dispersed(
            Method::GET,
            &format!("/v1/compute/ledger/credit-purchases/reconcile?checkout_session_id={id}"),
            None,
        )
        .await;
    assert_eq!(reconciled["status"], "COMPLETED");
    let (s, list) = env
        .dispersed(
            Method::GET,
            "/v1/compute/ledger/credit-purchases?limit=20&page=1",
            None,
        )
        .await;
    assert_eq!(s, StatusCode::OK);
    assert_shape("list", &ex["list"], &list);
    assert_eq!(list["total"], 1);
}
