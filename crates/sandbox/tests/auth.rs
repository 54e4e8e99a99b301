//! Sign-in behaviour: Dispersed request signing, Clara tokens, 2FA, quirks,
//! and the Google-like OAuth server.

mod common;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use common::*;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use sha2::{Digest, Sha256};
use topup_sandbox::demo;

const RECONCILE: &str = "/v1/compute/ledger/credit-purchases?limit=1";

#[tokio::test]
async fn dispersed_refuses_bad_signatures_reused_nonces_and_stale_times() {
    let env = start().await;
    let ok = |s: &Signing| s.clone();
    let (s, _) = env.dispersed(Method::GET, RECONCILE, None).await;
    assert_eq!(s, StatusCode::OK, "a good signature passes");

    let signed = |signing: Signing| {
        let env = &env;
        async move {
            env.dispersed_as(
                demo::DISPERSED_PUBLIC_KEY,
                demo::DISPERSED_SECRET_KEY,
                Method::GET,
                RECONCILE,
                None,
                &signing,
            )
            .await
        }
    };
    let (s, b) = signed(Signing {
        corrupt: true,
        ..Signing::default()
    })
    .await;
    assert_eq!(
        (s, b["error"]["code"].as_str()),
        (StatusCode::UNAUTHORIZED, Some("invalid_signature"))
    );

    let nonce = Signing {
        nonce: Some("0123456789abcdef0123456789abcdef".into()),
        ..Signing::default()
    };
    assert_eq!(signed(ok(&nonce)).await.0, StatusCode::OK);
    let (s, b) = signed(ok(&nonce)).await;
    assert_eq!(
        (s, b["error"]["code"].as_str()),
        (StatusCode::UNAUTHORIZED, Some("nonce_reused"))
    );

    for skew in [-6 * 60 * 1000, 6 * 60 * 1000] {
        let (s, b) = signed(Signing {
            time_ms: Some(now_ms() + skew),
            ..Signing::default()
        })
        .await;
        assert_eq!(
            (s, b["error"]["code"].as_str()),
            (StatusCode::UNAUTHORIZED, Some("stale_timestamp")),
            "skew {skew}"
        );
    }
    let (s, _) = signed(Signing {
        time_ms: Some(now_ms() - 4 * 60 * 1000),
        ..Signing::default()
    })
    .await;
    assert_eq!(s, StatusCode::OK, "inside the 5-minute window");

    // Signed correctly by whoever holds the keys, so only who they are is judged.
    let reconcile_as = async |public: &str, secret: &str| {
        env.dispersed_as(
            public,
            secret,
            Method::GET,
            RECONCILE,
            None,
            &Signing::default(),
        )
        .await
    };
    let (s, b) = reconcile_as(demo::DISPERSED_PUBLIC_KEY, "sk_not_the_secret").await;
    assert_eq!(
        (s, b["error"]["code"].as_str()),
        (StatusCode::UNAUTHORIZED, Some("invalid_signature"))
    );
    let (s, _) = reconcile_as("pk_unknown", "sk_unknown").await;
    assert_eq!(s, StatusCode::UNAUTHORIZED);
    let bare = env
        .http
        .get(format!("{}{RECONCILE}", env.base()))
        .send()
        .await
        .unwrap();
    assert_eq!(bare.status(), StatusCode::UNAUTHORIZED);

    // Signed correctly, but the key has no ledger permission.
    let (s, b) = reconcile_as(
        demo::DISPERSED_READONLY_PUBLIC_KEY,
        demo::DISPERSED_READONLY_SECRET_KEY,
    )
    .await;
    assert_eq!(
        (s, b["error"]["code"].as_str()),
        (StatusCode::FORBIDDEN, Some("forbidden"))
    );

    // The body is part of the signature: tampering after signing fails.
    let body = json!({"amount": 5, "cancel_url": "https://console.dispersed.com/c", "redirect_url": "https://console.dispersed.com/s"});
    let (s, _) = env
        .dispersed(
            Method::POST,
            "/v1/compute/ledger/credit-purchases",
            Some(&body),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED);
}

#[tokio::test]
async fn clara_two_factor_login_with_an_emailed_code() {
    let env = start().await;
    let login = |code: Option<&str>| {
        let mut req = env
            .http
            .post(env.clara("/auth/session"))
            .basic_auth(demo::TWO_FA_EMAIL, Some(demo::PASSWORD));
        if let Some(c) = code {
            req = req.json(&json!({"code": c}));
        }
        async move { split(req.send().await.unwrap()).await }
    };
    let (s, b) = login(None).await;
    assert_eq!(
        (s, &b["data"]),
        (StatusCode::UNAUTHORIZED, &json!({"is_2fa_enabled": true}))
    );
    let (s, b) = login(Some("000000")).await;
    assert_eq!(
        (s, &b["data"]),
        (StatusCode::UNAUTHORIZED, &json!({"is_2fa_enabled": true}))
    );

    // Send OTP needs the public key.
    let url = env.clara(&format!(
        "/users/{}/otp/TWO_FACTOR_AUTH",
        demo::TWO_FA_EMAIL
    ));
    assert_eq!(
        env.http.post(&url).send().await.unwrap().status(),
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        env.http
            .post(&url)
            .header("Authorization", demo::CLARA_PUBLIC_KEY)
            .send()
            .await
            .unwrap()
            .status(),
        StatusCode::CREATED
    );
    let otp: Value = env
        .admin_json(
            "/otp",
            &[("email", demo::TWO_FA_EMAIL), ("type", "TWO_FACTOR_AUTH")],
        )
        .await;
    let code = otp["code"].as_str().unwrap().to_owned();
    assert_eq!(code.len(), 6);
    let (s, b) = login(Some(&code)).await;
    assert_eq!(s, StatusCode::OK);
    assert!(b["data"]["token"]
        .as_str()
        .unwrap()
        .starts_with("crazi_co_user_"));
    let (s, _) = login(Some(&code)).await;
    assert_eq!(s, StatusCode::UNAUTHORIZED, "a code is consumed");

    // A JSON body without a code is a schema error, not a 401.
    let r = env
        .http
        .post(env.clara("/auth/session"))
        .basic_auth(demo::TWO_FA_EMAIL, Some(demo::PASSWORD))
        .json(&json!({"x": 1}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    // Wrong password.
    let r = env
        .http
        .post(env.clara("/auth/session"))
        .basic_auth(demo::USER_EMAIL, Some("nope"))
        .send()
        .await
        .unwrap();
    let (s, b) = split(r).await;
    assert_eq!((s, &b["data"]), (StatusCode::UNAUTHORIZED, &Value::Null));
}

#[tokio::test]
async fn clara_sessions_end_by_logout_revocation_and_expiry() {
    let env = start().await;
    let (user_id, token) = env.login(demo::USER_EMAIL).await;
    let view = env.clara(&format!("/users/{user_id}"));
    assert_eq!(env.status_of(&view, &token).await, StatusCode::OK);
    let r = env
        .http
        .delete(env.clara("/auth/session"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
    assert!(r.text().await.unwrap().is_empty(), "204 has an empty body");
    assert_eq!(env.status_of(&view, &token).await, StatusCode::UNAUTHORIZED);

    let (_, token) = env.login(demo::USER_EMAIL).await;
    env.end_sessions("revoke").await;
    assert_eq!(env.status_of(&view, &token).await, StatusCode::UNAUTHORIZED);

    let (_, token) = env.login(demo::USER_EMAIL).await;
    env.end_sessions("expire").await;
    assert_eq!(
        env.status_of(&view, &token).await,
        StatusCode::UNAUTHORIZED,
        "documented: expired is 401"
    );

    // A token's JWT carries its real expiry, readable without the secret.
    env.admin_put("/clara/token_ttl", json!({"seconds": 60}))
        .await;
    let (_, token) = env.login(demo::USER_EMAIL).await;
    let jwt = token.trim_start_matches("crazi_co_user_");
    let claims: Value = serde_json::from_slice(
        &URL_SAFE_NO_PAD
            .decode(jwt.split('.').nth(1).unwrap())
            .unwrap(),
    )
    .unwrap();
    let ttl = claims["exp"].as_f64().unwrap() - claims["iat"].as_f64().unwrap();
    assert!((ttl - 60.0).abs() < 0.01);
    assert_eq!(claims["sub"], user_id.as_str());
    env.admin_post("/clock/advance", json!({"seconds": 61}))
        .await;
    assert_eq!(env.status_of(&view, &token).await, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn boilerplate_quirks() {
    let env = start_quirky().await;
    let (user_id, token) = env.login(demo::USER_EMAIL).await;
    assert!(token.starts_with("crazi_couser_"));
    let view = env.clara(&format!("/users/{user_id}"));

    // Expired token → 500; revoked (logged out) → still 401.
    env.end_sessions("expire").await;
    assert_eq!(
        env.status_of(&view, &token).await,
        StatusCode::INTERNAL_SERVER_ERROR
    );
    let (_, token) = env.login(demo::USER_EMAIL).await;
    env.end_sessions("revoke").await;
    assert_eq!(env.status_of(&view, &token).await, StatusCode::UNAUTHORIZED);
    // A bare scheme word → 500.
    let r = env
        .http
        .get(&view)
        .header("Authorization", "Bearer")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::INTERNAL_SERVER_ERROR);

    // Transactions newest first, offset ignored, negative limit 500.
    let (_, token) = env.login(demo::USER_EMAIL).await;
    for credits in [1100.0, 1200.0, 1300.0] {
        env.admin_put(
            &format!("/clara/users/{}/credits", demo::USER_EMAIL),
            json!({"credits": credits}),
        )
        .await;
    }
    let list = |q: &str| {
        let url = env.clara(&format!("/users/{user_id}/transactions?{q}"));
        let (env, token) = (&env, token.clone());
        async move { env.get_json(&url, &token).await }
    };
    let (_, a) = list("limit=2&offset=0").await;
    let (_, b) = list("limit=2&offset=2").await;
    assert_eq!(a, b, "offset is ignored");
    assert_eq!(
        a["data"][0]["description"],
        "Admin updated credits from 1200.0 to 1300.0."
    );
    let (_, all) = list("limit=100&offset=50").await;
    assert_eq!(
        all["data"].as_array().unwrap().len(),
        4,
        "limit ≥ 100 returns everything"
    );
    assert_eq!(
        list("limit=-1&offset=0").await.0,
        StatusCode::INTERNAL_SERVER_ERROR
    );
    let (_, h) = split(env.http.get(env.clara("/health")).send().await.unwrap()).await;
    assert_eq!(h["data"]["service"], "crazi-co");

    // Documented mode: oldest first with LIMIT/OFFSET.
    let doc = start().await;
    let (uid, tok) = doc.login(demo::USER_EMAIL).await;
    for credits in [1100.0, 1200.0, 1300.0] {
        doc.http
            .put(doc.admin(&format!("/clara/users/{}/credits", demo::USER_EMAIL)))
            .json(&json!({"credits": credits}))
            .send()
            .await
            .unwrap();
    }
    let (_, page) = doc
        .get_json(
            &doc.clara(&format!("/users/{uid}/transactions?limit=2&offset=1")),
            &tok,
        )
        .await;
    let d: Vec<&str> = page["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["description"].as_str().unwrap())
        .collect();
    assert_eq!(
        d,
        [
            "Admin updated credits from 1000.0 to 1100.0.",
            "Admin updated credits from 1100.0 to 1200.0."
        ]
    );
    assert_eq!(
        doc.get_json(
            &doc.clara(&format!("/users/{uid}/transactions?limit=-1&offset=0")),
            &tok
        )
        .await
        .0,
        StatusCode::BAD_REQUEST
    );
}

#[tokio::test]
async fn signup_credits_follow_the_mode() {
    for (env, credits) in [(start().await, 0.0), (start_quirky().await, 100.0)] {
        let r = env.http.post(env.clara("/auth/register")).header("Authorization", demo::CLARA_PUBLIC_KEY)
            .json(&json!({"first_name": "New", "last_name": "Person", "email": "new@topup.test", "password": "short"})).send().await.unwrap();
        assert_eq!(
            r.status(),
            StatusCode::BAD_REQUEST,
            "passwords under 8 characters are a schema error"
        );
        let r = env.http.post(env.clara("/auth/register")).header("Authorization", demo::CLARA_PUBLIC_KEY)
            .json(&json!({"first_name": "New", "last_name": "Person", "email": "new@topup.test", "password": "long-enough"})).send().await.unwrap();
        let (s, b) = split(r).await;
        assert_eq!(s, StatusCode::CREATED);
        assert_eq!(b["data"]["credits"], credits);
        assert_eq!(b["data"]["is_active"], false);
        // Not active yet: buying is refused until Activate.
        let token = b["data"]["token"].as_str().unwrap();
        let (s, b) = env.get_json(&env.clara("/stripe/rate"), token).await;
        assert_eq!(
            (s, b["message"].as_str()),
            (
                StatusCode::UNAUTHORIZED,
                Some("Please activate your account to access the requested resource.")
            )
        );
    }
}

#[tokio::test]
async fn api_key_tokens_work_until_reset() {
    let env = start().await;
    let token = env.sandbox.demo_api_key_token().unwrap();
    assert!(token.starts_with("clara_api_"));
    let claims: Value = serde_json::from_slice(
        &URL_SAFE_NO_PAD
            .decode(
                token
                    .trim_start_matches("clara_api_")
                    .split('.')
                    .nth(1)
                    .unwrap(),
            )
            .unwrap(),
    )
    .unwrap();
    let user_id = claims["sub"].as_str().unwrap().to_owned();
    assert_eq!(claims["role"], "api_key");
    assert!(claims.get("exp").is_none(), "API-key tokens do not expire");
    assert_eq!(env.credits(&user_id, &token).await, 1000.0);
    assert_eq!(
        env.get_json(&env.clara("/stripe/rate"), &token).await.0,
        StatusCode::OK
    );
    let (s, b) = env
        .post_json(
            &env.clara("/stripe/buy"),
            &token,
            json!({"amount": "7", "return_path": ""}),
        )
        .await;
    assert_eq!(
        (s, &b["data"]["value_in_credits"]),
        (StatusCode::CREATED, &json!(700)),
        "amount \"7\" is read as 7"
    );
    let r = env
        .http
        .post(env.clara(&format!("/users/{user_id}/api_key")))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    let (s, b) = split(r).await;
    assert_eq!(s, StatusCode::CREATED);
    assert_ne!(b["data"]["token"], token.as_str());
    assert_eq!(
        env.get_json(&env.clara("/stripe/rate"), &token).await.0,
        StatusCode::UNAUTHORIZED,
        "the old token is invalid"
    );
}

#[tokio::test]
async fn google_sign_in_through_the_oauth_server_with_pkce() {
    let env = start().await;
    let oauth = env.sandbox.urls().oauth.clone();
    let verifier = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk-topup-test";
    let challenge = URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()));
    let redirect = "http://127.0.0.1:53123/callback";
    let params = [
        ("client_id", demo::GOOGLE_CLIENT_ID),
        ("redirect_uri", redirect),
        ("response_type", "code"),
        ("scope", "openid email profile"),
        ("state", "st4te"),
        ("code_challenge", challenge.as_str()),
        ("code_challenge_method", "S256"),
    ];
    let page = env
        .http
        .get(format!("{oauth}/authorize"))
        .query(&params)
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), StatusCode::OK);
    assert!(page
        .text()
        .await
        .unwrap()
        .contains(&format!("Continue as {}", demo::GOOGLE_EMAIL)));

    let authorize = async |form: &[(&str, &str)]| {
        env.http
            .post(format!("{oauth}/authorize"))
            .form(form)
            .send()
            .await
            .unwrap()
    };
    let mut form: Vec<(&str, &str)> = params.to_vec();
    form.push(("decision", "allow"));
    form.push(("email", "new.person@topup.test"));
    let r = authorize(&form).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let location = url::Url::parse(r.headers()["location"].to_str().unwrap()).unwrap();
    assert_eq!(
        location.origin().ascii_serialization(),
        "http://127.0.0.1:53123"
    );
    let q: std::collections::HashMap<_, _> = location.query_pairs().into_owned().collect();
    assert_eq!(q["state"], "st4te", "state is echoed");
    let code = q["code"].clone();

    let token = |verifier: &str, code: &str| {
        let req = env.http.post(format!("{oauth}/token")).form(&[
            ("grant_type", "authorization_code"),
            ("code", code),
            ("redirect_uri", redirect),
            ("client_id", demo::GOOGLE_CLIENT_ID),
            ("code_verifier", verifier),
        ]);
        async move { split(req.send().await.unwrap()).await }
    };
    let (s, b) = token("wrong-verifier-wrong-verifier-wrong-verifier-wrong", &code).await;
    assert_eq!(
        (s, b["error"].as_str()),
        (StatusCode::BAD_REQUEST, Some("invalid_grant"))
    );
    let (s, _) = token(verifier, &code).await;
    assert_eq!(
        s,
        StatusCode::BAD_REQUEST,
        "a code is single-use, even after a failed exchange"
    );

    // Again, properly.
    let r = authorize(&form).await;
    let location = url::Url::parse(r.headers()["location"].to_str().unwrap()).unwrap();
    let code = location
        .query_pairs()
        .find(|(k, _)| k == "code")
        .unwrap()
        .1
        .into_owned();
    let google = async |id_token: &str| {
        env.post_json(
            &env.clara("/auth/google"),
            "",
            json!({"id_token": id_token}),
        )
        .await
    };
    let (s, b) = token(verifier, &code).await;
    assert_eq!(s, StatusCode::OK, "{b}");
    let id_token = b["id_token"].as_str().unwrap();
    let (s, b) = google(id_token).await;
    assert_eq!(
        (s, b["message"].as_str()),
        (StatusCode::CREATED, Some("User registered successfully."))
    );
    assert_eq!(b["data"]["email"], "new.person@topup.test");
    assert_eq!(b["data"]["last_name"], Value::Null);
    assert_eq!(b["data"]["is_active"], true);
    let (s, b) = google(id_token).await;
    assert_eq!(
        (s, b["message"].as_str()),
        (StatusCode::CREATED, Some("User logged in successfully."))
    );
    // Google users have no last name: the active-user rule refuses billing until they set one.
    let t = b["data"]["token"].as_str().unwrap();
    assert_eq!(
        env.status_of(&env.clara("/stripe/rate"), t).await,
        StatusCode::UNAUTHORIZED
    );

    let (s, _) = google("forged.token.here").await;
    assert_eq!(s, StatusCode::UNAUTHORIZED);
    let denied = authorize(&[params.as_slice(), &[("decision", "deny")]].concat()).await;
    assert!(denied.headers()["location"]
        .to_str()
        .unwrap()
        .contains("error=access_denied"));
    let off_loopback = env
        .http
        .get(format!("{oauth}/authorize"))
        .query(&[
            ("client_id", demo::GOOGLE_CLIENT_ID),
            ("redirect_uri", "https://evil.example/cb"),
            ("response_type", "code"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(
        off_loopback.status(),
        StatusCode::BAD_REQUEST,
        "no redirect off loopback"
    );
}
