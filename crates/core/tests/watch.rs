//! The watch loop against the Sandbox, for both providers: landed,
//! declined-then-cancelled, expired, session ended mid-watch, restart
//! mid-watch, and a misbehaving network.

mod common;

use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

use common::*;
use serde_json::json;
use tokio::sync::mpsc;
use topup_core::clock;
use topup_core::money::{Currency, Money};
use topup_core::pending::{PendingPurchase, PendingStore};
use topup_core::provider::{Credentials, Provider, PurchaseStatus, Session, SignIn};
use topup_core::watch::{quick_schedule, watch, Job, Signal, WatchState};
use topup_sandbox::demo;

const EVERY: Duration = Duration::from_millis(40);

fn job(
    provider: Arc<dyn Provider>,
    session: Session,
    started: &topup_core::provider::StartedPurchase,
) -> Job {
    Job {
        provider,
        session,
        reference: started.reference.clone(),
        started_at: SystemTime::now(),
        clock: clock::system(),
        schedule: quick_schedule(EVERY, Duration::from_secs(60)),
        expires_at: started.expires_at,
    }
}

/// $5 on Clara, €10 on Dispersed: inside both services' limits.
fn amount_for(provider: &dyn Provider) -> Money {
    match provider.capabilities().currency {
        Currency::Usd => Money::major(Currency::Usd, 5),
        Currency::Eur => Money::major(Currency::Eur, 10),
    }
}

/// A checkout opened for [`amount_for`] the provider.
async fn open_checkout(
    provider: &Arc<dyn Provider>,
    session: &Session,
) -> topup_core::provider::StartedPurchase {
    provider
        .start_purchase(session, amount_for(provider.as_ref()))
        .await
        .unwrap()
}

async fn clara_session(env: &Env) -> (Arc<dyn Provider>, Session) {
    let provider: Arc<dyn Provider> = Arc::new(env.clara_provider());
    let SignIn::SignedIn { session, .. } = provider.sign_in(demo_login()).await.unwrap() else {
        panic!("signed in")
    };
    (provider, session)
}

async fn dispersed_session(env: &Env) -> (Arc<dyn Provider>, Session) {
    let provider: Arc<dyn Provider> = Arc::new(env.dispersed_provider());
    let SignIn::SignedIn { session, .. } = provider
        .sign_in(Credentials::KeyPair(env.keys()))
        .await
        .unwrap()
    else {
        panic!("signed in")
    };
    (provider, session)
}

/// Runs a watch in the background; its progress states are collected.
fn spawn(
    job: Job,
) -> (
    mpsc::Sender<Signal>,
    tokio::task::JoinHandle<WatchState>,
    Arc<Mutex<Vec<WatchState>>>,
) {
    let (tx, rx) = mpsc::channel(8);
    let seen = Arc::new(Mutex::new(Vec::new()));
    let log = seen.clone();
    let handle = tokio::spawn(watch(job, rx, move |p| {
        log.lock().unwrap().push(p.state.clone())
    }));
    (tx, handle, seen)
}

/// How the watch ended; a watch that never ends fails the test instead of hanging it.
async fn end_of(handle: tokio::task::JoinHandle<WatchState>) -> WatchState {
    tokio::time::timeout(Duration::from_secs(20), handle)
        .await
        .expect("the watch ended within 20 s")
        .unwrap()
}

async fn wait_until(
    seen: &Arc<Mutex<Vec<WatchState>>>,
    what: &str,
    pred: impl Fn(&WatchState) -> bool,
) {
    let saw = async || seen.lock().unwrap().iter().any(&pred).then_some(());
    if topup_test_support::poll(Duration::from_secs(10), saw)
        .await
        .is_err()
    {
        panic!("never saw {what}: {:?}", seen.lock().unwrap());
    }
}

#[tokio::test]
async fn both_providers_land() {
    let env = start().await;
    for (provider, session) in [clara_session(&env).await, dispersed_session(&env).await] {
        let started = open_checkout(&provider, &session).await;
        let (_tx, handle, seen) = spawn(job(provider.clone(), session, &started));
        wait_until(&seen, "a pending check", |s| *s == WatchState::Waiting).await;
        env.pay(&session_id(&started.checkout_url), "4242424242424242")
            .await;
        let end = end_of(handle).await;
        assert!(
            matches!(
                end,
                WatchState::Landed {
                    status: PurchaseStatus::Landed { .. }
                }
            ),
            "{end:?}"
        );
    }
}

#[tokio::test]
async fn both_providers_keep_waiting_after_a_decline_until_cancelled() {
    let env = start().await;
    for (provider, session) in [clara_session(&env).await, dispersed_session(&env).await] {
        let started = open_checkout(&provider, &session).await;
        let (tx, handle, seen) = spawn(job(provider.clone(), session.clone(), &started));
        assert_eq!(
            env.pay(&session_id(&started.checkout_url), "4000000000000002")
                .await,
            402
        );
        wait_until(&seen, "waiting after the decline", |s| {
            *s == WatchState::Waiting
        })
        .await;
        tx.send(Signal::Cancel).await.unwrap();
        assert_eq!(end_of(handle).await, WatchState::Cancelled);
        if let Session::Clara(s) = &session {
            let user = env.clara().user(s).await.unwrap();
            assert_eq!(user.credits.to_string(), "1000", "nothing credited");
        }
    }
}

#[tokio::test]
async fn both_providers_see_an_expired_checkout() {
    let env = start().await;
    // Dispersed reconciles by checkout session and says EXPIRED.
    let (provider, session) = dispersed_session(&env).await;
    let started = open_checkout(&provider, &session).await;
    let (_tx, handle, _) = spawn(job(provider, session, &started));
    env.admin_post(
        &format!("/checkout/{}/expire", session_id(&started.checkout_url)),
        json!({}),
    )
    .await;
    assert_eq!(end_of(handle).await, WatchState::Expired);

    // Clara has no purchase object to call expired: the checkout's own
    // expiry time (plus the grace) tells the watcher.
    let (provider, session) = clara_session(&env).await;
    let started = open_checkout(&provider, &session).await;
    assert!(
        started.expires_at.is_some(),
        "Clara's checkout has an expiry"
    );
    let (_tx, handle, seen) = spawn(Job {
        expires_at: Some(SystemTime::now() + Duration::from_millis(300)),
        ..job(provider, session, &started)
    });
    wait_until(&seen, "waiting before the expiry", |s| {
        *s == WatchState::Waiting
    })
    .await;
    assert_eq!(end_of(handle).await, WatchState::Expired);
}

#[tokio::test]
async fn an_ended_session_pauses_the_watch_until_signed_in_again() {
    let env = start().await;
    let (provider, session) = clara_session(&env).await;
    let started = open_checkout(&provider, &session).await;
    let (tx, handle, seen) = spawn(job(provider.clone(), session, &started));
    wait_until(&seen, "waiting", |s| *s == WatchState::Waiting).await;
    env.admin_post("/clara/sessions/revoke", json!({"email": demo::USER_EMAIL}))
        .await;
    wait_until(&seen, "needs sign-in", |s| {
        matches!(s, WatchState::NeedsSignIn { .. })
    })
    .await;
    env.pay(&session_id(&started.checkout_url), "4242424242424242")
        .await;
    let (_, fresh) = clara_session(&env).await;
    tx.send(Signal::Resume(fresh)).await.unwrap();
    assert!(matches!(end_of(handle).await, WatchState::Landed { .. }));
}

#[tokio::test]
async fn a_restart_resumes_the_watch_from_the_pending_file() {
    let env = start().await;
    let dir = std::env::temp_dir().join(format!(
        "topup-watch-{}",
        topup_core::accounts::new_account_id()
    ));
    let store = PendingStore::new(dir.join("pending.json"));
    let (provider, session) = dispersed_session(&env).await;
    let started = provider
        .start_purchase(&session, Money::major(Currency::Eur, 10))
        .await
        .unwrap();
    store
        .put(PendingPurchase {
            account_id: "acct_d".into(),
            reference: started.reference.clone(),
            checkout_url: started.checkout_url.to_string(),
            amount: started.amount,
            expected_credits: None,
            started_at: 0,
            expires_at: None,
        })
        .unwrap();
    // The app quits while waiting…
    let (tx, handle, seen) = spawn(job(provider.clone(), session.clone(), &started));
    wait_until(&seen, "waiting", |s| *s == WatchState::Waiting).await;
    drop(tx);
    assert_eq!(end_of(handle).await, WatchState::Cancelled);
    // …the person pays in the browser, and the app starts again.
    env.pay(&session_id(&started.checkout_url), "4242424242424242")
        .await;
    let pending = PendingStore::new(dir.join("pending.json"))
        .for_account("acct_d")
        .unwrap()
        .unwrap();
    let resumed = Job {
        reference: pending.reference,
        ..job(provider, session, &started)
    };
    let (_tx, handle, _) = spawn(resumed);
    assert!(matches!(end_of(handle).await, WatchState::Landed { .. }));
}

#[tokio::test]
async fn every_fault_kind_is_ridden_out() {
    let env = start().await;
    let (provider, session) = clara_session(&env).await;
    let started = open_checkout(&provider, &session).await;
    env.faults(json!({"chaos": 0.5, "seed": 5})).await;
    let (_tx, handle, seen) = spawn(job(provider, session, &started));
    env.pay(&session_id(&started.checkout_url), "4242424242424242")
        .await;
    assert!(matches!(end_of(handle).await, WatchState::Landed { .. }));
    let log = env.admin_get("/requests").await;
    assert!(
        log.as_array()
            .unwrap()
            .iter()
            .any(|e| e["fault"].is_string()),
        "faults were met"
    );
    let _ = seen;
}
