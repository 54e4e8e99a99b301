//! Google sign-in against the Sandbox's OAuth server, with the test playing
//! the browser over HTTP: consent page, "Continue", the redirect to Topup's
//! loopback listener, then the PKCE exchange and Clara's `/auth/google`.

mod common;

use std::time::Duration;

use common::*;
use secrecy::ExposeSecret;
use tokio::sync::{mpsc, oneshot};
use topup_core::google::{begin, Endpoints};
use topup_core::{BaseUrl, ErrorCode};
use topup_sandbox::demo;

/// Does what a browser does on the consent page; returns the redirect target.
async fn consent(browser: &reqwest::Client, url: &url::Url, email: &str, decision: &str) -> String {
    let page = browser.get(url.clone()).send().await.unwrap();
    assert!(page.text().await.unwrap().contains("Continue as"));
    let mut form: Vec<(String, String)> = url.query_pairs().into_owned().collect();
    form.push(("decision".into(), decision.into()));
    form.push(("email".into(), email.into()));
    let origin = url.origin().ascii_serialization();
    let r = browser
        .post(format!("{origin}/oauth/authorize"))
        .form(&form)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    r.headers()["location"].to_str().unwrap().to_owned()
}

fn browser() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

/// A Google sign-in begun against the Sandbox and waiting in a task: what
/// the test can do to it and what it ends with.
struct Flow {
    url: url::Url,
    manual: mpsc::Sender<String>,
    cancel: oneshot::Sender<()>,
    outcome: tokio::task::JoinHandle<topup_core::Result<secrecy::SecretString>>,
}

async fn begin_flow(env: &Env) -> Flow {
    let origin = BaseUrl::parse(&env.sandbox.urls().base).unwrap();
    let pending = begin(demo::GOOGLE_CLIENT_ID, Endpoints::sandbox(&origin).unwrap())
        .await
        .unwrap();
    let url = pending.url.clone();
    let (manual, manual_rx) = mpsc::channel(2);
    let (cancel, cancel_rx) = oneshot::channel();
    let http = common::http();
    let outcome = tokio::spawn(async move {
        pending
            .finish(&http, manual_rx, cancel_rx, Duration::from_secs(20))
            .await
    });
    Flow {
        url,
        manual,
        cancel,
        outcome,
    }
}

#[tokio::test]
async fn sign_in_through_the_loopback_redirect() {
    let env = start().await;
    let flow = begin_flow(&env).await;
    let callback = consent(&browser(), &flow.url, "lin@topup.test", "allow").await;
    // A request with another state is turned away, and the wait goes on.
    let mut forged = url::Url::parse(&callback).unwrap();
    let code = forged
        .query_pairs()
        .find(|(k, _)| k == "code")
        .unwrap()
        .1
        .into_owned();
    forged.set_query(Some(&format!("state=not-ours&code={code}")));
    let refused = browser().get(forged).send().await.unwrap();
    assert_eq!(refused.status(), 400);
    let landing = browser().get(&callback).send().await.unwrap();
    assert_eq!(landing.status(), 200);
    assert!(landing.text().await.unwrap().contains("You're signed in"));

    let id_token = flow.outcome.await.unwrap().unwrap();
    let (session, user) = env.clara().google_sign_in(&id_token).await.unwrap();
    assert_eq!(user.email, "lin@topup.test");
    assert!(!session.token.expose_secret().is_empty());
}

#[tokio::test]
async fn a_pasted_code_works_when_the_browser_cannot_come_back() {
    let env = start().await;
    let flow = begin_flow(&env).await;
    let callback = consent(&browser(), &flow.url, demo::GOOGLE_EMAIL, "allow").await;
    flow.manual.send("not a code at all".into()).await.unwrap();
    flow.manual.send(callback).await.unwrap();
    let id_token = flow.outcome.await.unwrap().unwrap();
    assert!(env.clara().google_sign_in(&id_token).await.is_ok());
}

#[tokio::test]
async fn denial_cancel_and_timeout_end_the_wait() {
    let env = start().await;

    let flow = begin_flow(&env).await;
    let callback = consent(&browser(), &flow.url, demo::GOOGLE_EMAIL, "deny").await;
    browser().get(&callback).send().await.unwrap();
    let denied = flow.outcome.await.unwrap().unwrap_err();
    assert_eq!(denied.code(), ErrorCode::Cancelled);

    let flow = begin_flow(&env).await;
    flow.cancel.send(()).unwrap();
    let cancelled = flow.outcome.await.unwrap().unwrap_err();
    assert_eq!(cancelled.code(), ErrorCode::Cancelled);

    let origin = BaseUrl::parse(&env.sandbox.urls().base).unwrap();
    let pending = begin(demo::GOOGLE_CLIENT_ID, Endpoints::sandbox(&origin).unwrap())
        .await
        .unwrap();
    let (_m, manual) = mpsc::channel(1);
    let (_c, cancel) = oneshot::channel();
    let err = pending
        .finish(&common::http(), manual, cancel, Duration::from_millis(50))
        .await
        .unwrap_err();
    assert_eq!(err.code(), ErrorCode::Timeout);
}
