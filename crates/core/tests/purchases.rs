//! Buying through the accounts service against the Sandbox: one purchase in
//! flight per account, the checkout policy applied before anything is kept,
//! the watch from the pending file to the landed credits, history and the
//! billing portal — and what the real loop costs over a ten-minute wait.

mod common;

use std::sync::Arc;
use std::time::Duration;

use common::*;
use tokio::sync::mpsc;
use topup_core::accounts::Registry;
use topup_core::history::HistoryQuery;
use topup_core::presets::PresetId;
use topup_core::provider::PurchaseStatus;
use topup_core::purchases::BuyOutcome;
use topup_core::secrets::MemoryStore;
use topup_core::service::{Accounts, NewAccount};
use topup_core::watch::{quick_schedule, watch, Schedule, WatchState};
use topup_core::{clock, BaseUrl, ErrorCode};

fn service(env: &Env, dir: &std::path::Path) -> Accounts {
    accounts_service(env, dir, Arc::new(MemoryStore::default()))
}

/// The Sandbox account, signed in as the demo user, with its prices fetched.
async fn sandbox_account(accounts: &Accounts) -> String {
    let record = add_signed_in(accounts, sandbox_preset()).await;
    accounts.pricing(&record.id).await.unwrap();
    record.id
}

#[tokio::test]
async fn a_double_buy_creates_exactly_one_checkout() {
    let env = start().await;
    let tmp = tempdir("purchases");
    let dir = tmp.path();
    let accounts = service(&env, dir);
    let id = sandbox_account(&accounts).await;

    let (a, b) = tokio::join!(accounts.buy(&id, "$5"), accounts.buy(&id, "$5"));
    let (a, b) = (a.unwrap(), b.unwrap());
    let started = [&a, &b]
        .iter()
        .filter(|o| matches!(o, BuyOutcome::Started { .. }))
        .count();
    assert_eq!(
        started, 1,
        "one Buy started, the other found it: {a:?} {b:?}"
    );
    assert_eq!(a.purchase(), b.purchase());
    // A third press, later, still shows the same purchase.
    assert!(matches!(
        accounts.buy(&id, "$10").await.unwrap(),
        BuyOutcome::AlreadyPending { .. }
    ));
    assert_eq!(env.count("POST", "/api/v1/stripe/buy").await, 1);
    assert_eq!(
        accounts
            .pending_purchase(&id)
            .unwrap()
            .unwrap()
            .checkout_url,
        a.purchase().checkout_url
    );
    // Abandoned: the next Buy makes a new checkout.
    accounts.end_purchase(&id).unwrap();
    assert!(matches!(
        accounts.buy(&id, "$10").await.unwrap(),
        BuyOutcome::Started { .. }
    ));
    assert_eq!(env.count("POST", "/api/v1/stripe/buy").await, 2);
}

#[tokio::test]
async fn an_invalid_amount_or_a_refused_link_leaves_nothing_pending() {
    let env = start().await;
    let tmp = tempdir("purchases");
    let dir = tmp.path();
    let accounts = service(&env, dir);
    let id = sandbox_account(&accounts).await;
    assert_eq!(
        accounts.buy(&id, "4").await.unwrap_err().to_string(),
        "The minimum is $5.00."
    );
    assert_eq!(env.count("POST", "/api/v1/stripe/buy").await, 0);

    // A self-hosted Clara on this computer that did not list its own origin:
    // the Sandbox's checkout page is on a loopback origin it does not allow.
    let custom = add_signed_in(&accounts, env.custom_clara()).await;
    accounts.pricing(&custom.id).await.unwrap();
    let err = accounts.buy(&custom.id, "5").await.unwrap_err();
    assert_eq!(err.code(), ErrorCode::CheckoutUrlRefused, "{err}");
    assert!(
        err.to_string().contains("/stripe/c/pay/"),
        "the message names what was refused: {err}"
    );
    assert_eq!(accounts.pending_purchase(&custom.id).unwrap(), None);

    // The same server, with its own origin allowed in the account's settings.
    let allowed = add_signed_in(
        &accounts,
        NewAccount {
            preset: Some(PresetId::CustomClara),
            base_url: Some(env.sandbox.urls().clara.clone()),
            checkout_origins: format!("{}/", env.sandbox.urls().base),
            ..NewAccount::default()
        },
    )
    .await;
    accounts.pricing(&allowed.id).await.unwrap();
    assert!(matches!(
        accounts.buy(&allowed.id, "5").await.unwrap(),
        BuyOutcome::Started { .. }
    ));
}

#[tokio::test]
async fn a_purchase_lands_after_a_restart_and_shows_in_the_history() {
    let env = start().await;
    let tmp = tempdir("purchases");
    let dir = tmp.path();
    let accounts = service(&env, dir);
    let id = sandbox_account(&accounts).await;
    let BuyOutcome::Started { purchase } = accounts.buy(&id, "$5").await.unwrap() else {
        panic!("started")
    };
    assert_eq!(
        accounts.checkout_url(&id).unwrap().as_str(),
        purchase.checkout_url
    );
    let url = url::Url::parse(&purchase.checkout_url).unwrap();
    assert_eq!(env.pay(&session_id(&url), "4242424242424242").await, 200);

    // A new process: the pending file is all that is left of the purchase.
    let secrets = Arc::new(MemoryStore::default());
    drop(accounts);
    let path = dir.join("accounts.json");
    let again = Accounts::new(
        path.clone(),
        Registry::load(&path).unwrap(),
        secrets,
        http(),
        clock::system(),
        Some(BaseUrl::parse(&env.sandbox.urls().base).unwrap()),
    );
    let kept = again.pending_purchase(&id).unwrap().unwrap();
    assert_eq!(kept, purchase);
    assert_eq!(
        again
            .watch_job(&kept, Schedule::default())
            .err()
            .map(|e| e.code()),
        Some(ErrorCode::SessionExpired),
        "no session yet: sign in first"
    );
    again.sign_in(&id, demo_login()).await.unwrap();
    let job = again
        .watch_job(
            &kept,
            quick_schedule(Duration::from_millis(40), Duration::from_secs(30)),
        )
        .unwrap();
    let (_tx, rx) = mpsc::channel(1);
    let end = watch(job, rx, |_| {}).await;
    let WatchState::Landed {
        status: PurchaseStatus::Landed {
            credits, balance, ..
        },
    } = end
    else {
        panic!("landed: {end:?}")
    };
    assert_eq!(credits.unwrap().to_string(), "500");
    assert_eq!(balance.unwrap().to_string(), "1500");
    again.end_purchase(&id).unwrap();
    assert_eq!(again.pending_purchase(&id).unwrap(), None);

    let history = again.history(&id, &HistoryQuery::default()).await.unwrap();
    let newest = &history.entries[0];
    assert!(newest.incoming, "{newest:?}");
    assert_eq!(newest.credits.unwrap().to_string(), "500");

    let portal = again.billing_portal(&id).await.unwrap();
    assert!(
        portal
            .as_str()
            .starts_with(&format!("{}/stripe/p/session/", env.sandbox.urls().base)),
        "{portal}"
    );
}

/// The real loop with the default schedule, time scaled down 200 times, costs
/// the service exactly one request per check: stopped once it has made the
/// checks a ten-minute wait plans (the schedule's own test pins that number),
/// the Sandbox has seen exactly that many requests.
#[tokio::test]
async fn a_ten_minute_wait_costs_exactly_its_planned_requests() {
    const SCALE: u32 = 200;
    let env = start().await;
    let tmp = tempdir("purchases");
    let dir = tmp.path();
    let accounts = service(&env, dir);
    let clara = sandbox_account(&accounts).await;
    let bought = accounts.buy(&clara, "$5").await.unwrap();
    let d = Schedule::default();
    let scaled = Schedule {
        phases: d
            .phases
            .iter()
            .map(|(until, every)| (*until / SCALE, *every / SCALE))
            .collect(),
        then_every: d.then_every / SCALE,
        give_up_after: d.give_up_after / SCALE,
        patient_every: d.patient_every / SCALE,
        min_gap: d.min_gap / SCALE,
        expiry_grace: d.expiry_grace,
    };
    let planned = d.checks_within(Duration::from_secs(600));
    let job = accounts.watch_job(bought.purchase(), scaled).unwrap();
    let before = env.count("GET", "/api/v1/*").await;
    let (tx, rx) = mpsc::channel(1);
    // The report after the last planned check ends the watch, from inside the loop.
    let mut stop = Some(tx);
    let mut checks = 0;
    let ended = watch(job, rx, |p| {
        checks = p.attempts;
        if p.attempts == planned {
            stop = None;
        }
    })
    .await;
    assert_eq!(ended, WatchState::Cancelled);
    assert_eq!(checks, planned);
    let sent = env.count("GET", "/api/v1/*").await - before;
    println!("Clara, 10-minute wait: {planned} checks planned, {sent} requests sent");
    assert_eq!(sent, planned as usize);
}
