//! The background refresh against the Sandbox, one round at a time on a clock
//! the test moves: its schedule, its back-off on errors and on `Retry-After`,
//! its silence while a watch checks the account, and the low-balance alert.

mod common;

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

use common::*;
use serde_json::json;
use topup_core::alerts::{DeskSink, LowBalance, Monitor, Standing};
use topup_core::clock::Clock;
use topup_core::secrets::{MemoryStore, SecretStore};
use topup_core::service::{Accounts, NewAccount};
use topup_core::watch::{PurchaseProgress, Schedule, Supervisor, WatchSink};
use topup_sandbox::demo;

const MINUTE: u64 = 60;

/// The system's time, moved ahead by the test.
#[derive(Debug, Default)]
struct Movable(AtomicU64);

impl Movable {
    fn advance(&self, minutes: u64) {
        self.0.fetch_add(minutes * MINUTE, Ordering::SeqCst);
    }
}

impl Clock for Movable {
    fn now(&self) -> SystemTime {
        SystemTime::now() + Duration::from_secs(self.0.load(Ordering::SeqCst))
    }
}

#[derive(Default)]
struct Heard {
    standings: Mutex<Vec<Vec<Standing>>>,
    alerts: Mutex<Vec<LowBalance>>,
}

struct Sink(Arc<Heard>);

impl DeskSink for Sink {
    fn standings(&self, standings: &[Standing]) {
        self.0.standings.lock().unwrap().push(standings.to_vec());
    }
    fn low_balance(&self, alert: &LowBalance) {
        self.0.alerts.lock().unwrap().push(alert.clone());
    }
}

struct Quiet;
impl WatchSink for Quiet {
    fn progress(&self, _: &PurchaseProgress) {}
}

struct Setup {
    env: Env,
    _dir: tempfile::TempDir,
    clock: Arc<Movable>,
    accounts: Arc<Accounts>,
    supervisor: Arc<Supervisor>,
    monitor: Arc<Monitor>,
    heard: Arc<Heard>,
    id: String,
}

async fn setup() -> Setup {
    let env = start().await;
    let dir = tempdir("monitor");
    let clock = Arc::new(Movable::default());
    let path = dir.path().join("accounts.json");
    let secrets: Arc<dyn SecretStore> = Arc::new(MemoryStore::default());
    let accounts = Arc::new(Accounts::new(
        path.clone(),
        topup_core::accounts::Registry::load(&path).unwrap(),
        secrets,
        http(),
        clock.clone(),
        None,
    ));
    let record = accounts
        .add(NewAccount {
            preset: Some(topup_core::presets::PresetId::CustomClara),
            base_url: Some(env.sandbox.urls().clara.clone()),
            checkout_origins: env.sandbox.urls().base.clone(),
            ..NewAccount::default()
        })
        .unwrap();
    accounts.sign_in(&record.id, demo_login()).await.unwrap();
    let supervisor = Supervisor::new(
        Arc::clone(&accounts),
        Arc::new(Quiet),
        tokio::runtime::Handle::current(),
        Schedule::default(),
    );
    let heard = Arc::new(Heard::default());
    let monitor = Monitor::new(
        Arc::clone(&accounts),
        Arc::clone(&supervisor),
        Arc::new(Sink(Arc::clone(&heard))),
        Some(Duration::from_secs(15 * MINUTE)),
    );
    Setup {
        env,
        _dir: dir,
        clock,
        accounts,
        supervisor,
        monitor,
        heard,
        id: record.id,
    }
}

impl Setup {
    /// The account reads (`GET /users/{id}`) since the last call.
    async fn reads(&self) -> usize {
        let log = self
            .env
            .admin
            .get(
                self.env
                    .admin_url("/requests?method=GET&path=/api/v1/users/*"),
            )
            .send()
            .await
            .unwrap()
            .json::<serde_json::Value>()
            .await
            .unwrap();
        let reads = log
            .as_array()
            .unwrap()
            .iter()
            .filter(|e| !e["path"].as_str().unwrap()["/api/v1/users/".len()..].contains('/'))
            .count();
        self.env
            .admin
            .delete(self.env.admin_url("/requests"))
            .send()
            .await
            .unwrap();
        reads
    }

    async fn round_after(&self, minutes: u64) -> usize {
        self.clock.advance(minutes);
        self.monitor.round().await;
        self.reads().await
    }

    async fn faults(&self, rules: serde_json::Value) {
        self.env
            .admin_put("/faults", json!({ "rules": rules }))
            .await;
    }

    async fn set_credits(&self, credits: u32) {
        self.env
            .admin_put(
                &format!("/clara/users/{}/credits", demo::USER_EMAIL),
                json!({ "credits": credits }),
            )
            .await;
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn checks_every_fifteen_minutes_and_backs_off_on_errors_and_retry_after() {
    let s = setup().await;
    s.reads().await;
    assert_eq!(s.round_after(0).await, 1, "the first round checks");
    assert_eq!(s.round_after(10).await, 0, "not due yet");
    assert_eq!(s.round_after(5).await, 1, "15 minutes after the last");

    // Busy for 50 minutes: nothing before that, though the back-off after
    // one error would allow another try after 30.
    s.faults(json!([{ "path": "/api/v1/users/*", "method": "GET", "kind": "rate_limit", "retry_after": 3000 }]))
        .await;
    assert_eq!(
        s.round_after(15).await,
        1,
        "asked, and told to wait 50 minutes"
    );
    assert_eq!(s.round_after(49).await, 0, "Retry-After honoured");
    s.faults(json!([])).await;
    assert_eq!(s.round_after(1).await, 1, "50 minutes later");

    // The server fails: each failed check is one read and its retries, then
    // the gap doubles (30, then 60 minutes).
    s.faults(
        json!([{ "path": "/api/v1/users/*", "method": "GET", "kind": "status", "status": 503 }]),
    )
    .await;
    let failed = s.round_after(15).await;
    assert!(failed > 0, "the check was tried");
    assert_eq!(s.round_after(29).await, 0, "backing off: 30 minutes");
    assert_eq!(s.round_after(1).await, failed, "tried again after 30");
    assert_eq!(s.round_after(59).await, 0, "backing off: 60 minutes");
    s.faults(json!([])).await;
    assert_eq!(
        s.round_after(1).await,
        1,
        "tried again after 60, and answered"
    );
    assert_eq!(s.round_after(15).await, 1, "back on the 15-minute schedule");
}

#[tokio::test(flavor = "multi_thread")]
async fn the_network_coming_back_checks_what_failed_or_is_stale_at_once() {
    let s = setup().await;
    s.reads().await;
    assert_eq!(s.round_after(0).await, 1, "the first round checks");
    s.monitor.network_back();
    assert_eq!(s.round_after(0).await, 0, "read under a minute ago");
    s.monitor.network_back();
    assert_eq!(s.round_after(5).await, 1, "5 minutes old: read at once");
    assert_eq!(
        s.round_after(10).await,
        0,
        "the schedule counts from that read"
    );
    assert_eq!(s.round_after(5).await, 1, "15 minutes after it");

    // Off line: the check fails and backs off for 30 minutes.
    s.faults(
        json!([{ "path": "/api/v1/users/*", "method": "GET", "kind": "status", "status": 503 }]),
    )
    .await;
    assert!(s.round_after(15).await > 0, "the check was tried");
    s.faults(json!([])).await;
    assert_eq!(s.round_after(1).await, 0, "still backing off");
    s.monitor.network_back();
    assert_eq!(s.round_after(0).await, 1, "the network is back: at once");

    // With the refresh turned off, the network changes nothing.
    s.monitor.set_every(None);
    s.monitor.network_back();
    assert_eq!(s.round_after(20).await, 0, "refresh off");
}

#[tokio::test(flavor = "multi_thread")]
async fn nothing_is_checked_while_a_watch_checks_the_account_and_a_window_read_counts() {
    let s = setup().await;
    s.monitor.round().await;
    let seen = s.accounts.balance_seen_at(&s.id);
    s.accounts.pricing(&s.id).await.unwrap();
    assert!(matches!(
        s.accounts.buy(&s.id, "$5").await.unwrap(),
        topup_core::purchases::BuyOutcome::Started { .. }
    ));
    s.supervisor.start(&s.id).unwrap();
    assert!(s.supervisor.is_watching(&s.id));
    s.clock.advance(60);
    s.monitor.round().await;
    assert_eq!(
        s.accounts.balance_seen_at(&s.id),
        seen,
        "the monitor left it to the watch"
    );
    s.supervisor.stop(&s.id);

    // A balance read by the window counts as a check.
    s.accounts.account(&s.id).await.unwrap();
    s.reads().await;
    assert_eq!(s.round_after(14).await, 0);
    assert_eq!(s.round_after(1).await, 1);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_low_balance_is_alerted_once_with_the_forecast() {
    let s = setup().await;
    s.accounts.set_alert_text(&s.id, "950").unwrap();
    s.monitor.round().await;
    s.set_credits(900).await;
    s.round_after(24 * 60).await;
    let alerts = s.heard.alerts.lock().unwrap().clone();
    assert_eq!(alerts.len(), 1, "{alerts:?}");
    assert_eq!(
        alerts[0].body,
        "900 credits left, under your alert at 950. At your pace of the last day, about 9 days left."
    );
    s.set_credits(850).await;
    s.round_after(15).await;
    assert_eq!(s.heard.alerts.lock().unwrap().len(), 1, "once");
    let last = s.heard.standings.lock().unwrap().last().cloned().unwrap();
    assert_eq!(
        last[0].line,
        format!("Clara · {} — 850 credits (low)", demo::USER_EMAIL)
    );
    assert!(last[0].low);
}

#[tokio::test(flavor = "multi_thread")]
async fn the_last_balance_read_is_known_at_start_and_forgotten_with_the_sign_out() {
    let s = setup().await;
    s.set_credits(1234).await;
    s.clock.advance(3);
    s.monitor.round().await;
    let known = s.accounts.last_known_balance(&s.id).unwrap();
    assert_eq!(known.balance.to_string(), "1234");
    assert_eq!(Some(known.at), s.accounts.balance_seen_at(&s.id));

    // Spent on the service meanwhile: what is known is what was read.
    s.set_credits(1000).await;
    assert_eq!(
        s.accounts
            .last_known_balance(&s.id)
            .unwrap()
            .balance
            .to_string(),
        "1234"
    );

    s.accounts.sign_out(&s.id).await.unwrap();
    assert_eq!(s.accounts.last_known_balance(&s.id), None);
}
