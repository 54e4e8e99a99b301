//! Years of history, the boilerplate's rate limit, and the server's own clock
//! in `Date`: what a client meets on a real deployment with a long past.

mod common;

use common::{start, start_quirky, Env};
use reqwest::StatusCode;
use serde_json::{json, Value};
use topup_sandbox::demo;

async fn seed(env: &Env, count: usize) {
    let r = env
        .admin_post(
            &format!("/clara/users/{}/history", demo::USER_EMAIL),
            json!({ "count": count }),
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK);
}

fn created_ats(page: &Value) -> Vec<String> {
    page["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["created_at"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn a_seeded_history_is_one_answer_under_the_boilerplate_and_pages_when_documented() {
    let env = start_quirky().await;
    let (user, token) = env.login(demo::USER_EMAIL).await;
    seed(&env, 250).await;
    let (status, all) = env
        .get_json(
            &env.clara(&format!("/users/{user}/transactions?limit=100&offset=0")),
            &token,
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let rows = all["data"].as_array().unwrap();
    assert_eq!(rows.len(), 251, "the demo's first row and the 250 seeded");
    assert_eq!(
        rows[0]["description"],
        "Admin updated credits from 0.0 to 1000.0."
    );
    assert_eq!(rows[10]["type"], "CREDIT");
    assert_eq!(
        rows[10]["description"],
        "User bought 500.0 credits for $5.0."
    );
    assert_eq!(rows[1]["type"], "DEBIT");
    let (_, balance) = env
        .get_json(&env.clara(&format!("/users/{user}")), &token)
        .await;
    assert_eq!(balance["data"]["credits"], 1000.0, "rows only");

    let doc = start().await;
    let (user, token) = doc.login(demo::USER_EMAIL).await;
    seed(&doc, 250).await;
    let page = |offset: usize| {
        let url = doc.clara(&format!(
            "/users/{user}/transactions?limit=100&offset={offset}"
        ));
        let (doc, token) = (&doc, token.clone());
        async move { doc.get_json(&url, &token).await.1 }
    };
    let first = created_ats(&page(0).await);
    let last = created_ats(&page(200).await);
    assert_eq!((first.len(), last.len()), (100, 51));
    let mut sorted = first.clone();
    sorted.sort_by_key(|d| httpdate::parse_http_date(d).unwrap());
    assert_eq!(first, sorted, "oldest first");
}

#[tokio::test]
async fn the_boilerplate_limits_each_caller_per_second_and_answers_with_its_envelope() {
    let env = start_quirky().await;
    let (user, token) = env.login(demo::USER_EMAIL).await;
    let url = env.clara(&format!("/users/{user}"));
    // Forty at once land in one or two one-second windows: at most twenty pass.
    let answers = futures_util::future::join_all(
        (0..40).map(|_| env.http.get(&url).bearer_auth(&token).send()),
    )
    .await;
    let mut refused = 0;
    for answer in answers {
        let answer = answer.unwrap();
        if answer.status() == StatusCode::TOO_MANY_REQUESTS {
            refused += 1;
            let body: Value = answer.json().await.unwrap();
            assert_eq!(
                body,
                json!({"data": null, "message": "You have exceeded the rate limit.", "status": "error"})
            );
        } else {
            assert_eq!(answer.status(), StatusCode::OK);
        }
    }
    assert!(refused >= 20, "{refused} of 40 refused");

    let doc = start().await;
    let (user, token) = doc.login(demo::USER_EMAIL).await;
    let url = doc.clara(&format!("/users/{user}"));
    let answers = futures_util::future::join_all(
        (0..40).map(|_| doc.http.get(&url).bearer_auth(&token).send()),
    )
    .await;
    assert!(
        answers
            .into_iter()
            .all(|a| a.unwrap().status() == StatusCode::OK),
        "no limit in documented mode"
    );
}

#[tokio::test]
async fn date_is_the_sandbox_clock() {
    let env = start().await;
    let date = |env: &Env| {
        let url = env.clara("/health");
        let http = env.http.clone();
        async move {
            let r = http.get(url).send().await.unwrap();
            let value = r.headers()["date"].to_str().unwrap().to_owned();
            httpdate::parse_http_date(&value).unwrap()
        }
    };
    let before = date(&env).await;
    let r = env
        .admin_post("/clock/advance", json!({"seconds": 3600}))
        .await;
    assert!(r.status().is_success());
    let after = date(&env).await;
    let moved = after.duration_since(before).unwrap().as_secs();
    assert!((3600..3602).contains(&moved), "moved {moved} s");
}
