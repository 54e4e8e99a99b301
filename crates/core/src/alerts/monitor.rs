//! The background refresh: each signed-in account whose service publishes a
//! balance is checked every so often (15 minutes unless the person chose
//! otherwise), at once when the machine wakes from sleep, when the system says
//! the network is back (what failed or is not fresh) or when someone asks,
//! later after errors (and never before a `Retry-After`), and not at all while
//! a purchase watch already checks it. After each round the standings go to
//! the [`DeskSink`] (the tray), and a balance that fell below its threshold
//! becomes one [`LowBalance`].

use std::collections::{HashMap, HashSet};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde::Serialize;
use tokio::runtime::Handle;
use tokio::sync::Notify;

use super::standing::{Read, Standing};
use crate::error::Error;
use crate::service::Accounts;
use crate::sync::lock;
use crate::watch::Supervisor;

/// The default time between two checks of an account: the preference's default.
pub const DEFAULT_EVERY: Duration =
    Duration::from_secs(crate::preferences::DEFAULT_REFRESH_MINUTES as u64 * 60);
/// The loop looks at the clock at least this often: a wall clock that moved
/// much further than this meanwhile means the machine slept.
const TICK: Duration = Duration::from_secs(60);
const SLEPT_SECS: i64 = 90;
/// When the network comes back, a balance read this recently is still news.
const FRESH_SECS: i64 = 60;
/// Errors stretch the gap up to this.
const MAX_BACKOFF: Duration = Duration::from_secs(2 * 60 * 60);

/// Where the monitor reports.
pub trait DeskSink: Send + Sync + 'static {
    /// Every account's standing, whenever one changed.
    fn standings(&self, standings: &[Standing]);
    /// A balance fell below its threshold: time for a notification.
    fn low_balance(&self, alert: &LowBalance);
}

/// A low-balance alert, said whole.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct LowBalance {
    pub account_id: String,
    /// "Low on credits: Clara · demo@example.com".
    pub title: String,
    /// "900 credits left, under your alert at 1,000. At your pace of …".
    pub body: String,
}

impl LowBalance {
    /// The alert for a standing that is low; `None` otherwise.
    pub fn of(standing: &Standing) -> Option<Self> {
        let (balance, threshold) = (standing.balance?, standing.threshold?);
        standing.low.then(|| Self {
            account_id: standing.account_id.clone(),
            title: format!("Low on credits: {}", standing.label),
            body: format!(
                "{} credits left, under your alert at {}. {}",
                balance.grouped(),
                threshold.grouped(),
                standing.forecast.text
            ),
        })
    }
}

#[derive(Debug, Clone, Copy)]
struct Due {
    /// Unix seconds.
    next_at: i64,
    errors: u32,
    /// Asked for by name: checked at the next round whatever the schedule.
    asked: bool,
}

pub struct Monitor {
    accounts: Arc<Accounts>,
    watches: Arc<Supervisor>,
    sink: Arc<dyn DeskSink>,
    every: Mutex<Option<Duration>>,
    due: Mutex<HashMap<String, Due>>,
    /// "Check balances now": the next round checks every account, even with
    /// the refresh turned off.
    everyone: AtomicBool,
    /// The system said the network is back: the next round checks what
    /// failed or is not fresh.
    network_back: AtomicBool,
    wake: Notify,
    shown: Mutex<Vec<Standing>>,
    /// When the next account is due (unix seconds), as the last round found.
    next_at: Mutex<Option<i64>>,
}

impl std::fmt::Debug for Monitor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Monitor")
            .field("every", &*lock(&self.every))
            .finish_non_exhaustive()
    }
}

impl Monitor {
    /// Starts the loop on `runtime`; `every: None` checks only when asked.
    pub fn start(
        accounts: Arc<Accounts>,
        watches: Arc<Supervisor>,
        sink: Arc<dyn DeskSink>,
        every: Option<Duration>,
        runtime: &Handle,
    ) -> Arc<Self> {
        let monitor = Self::new(accounts, watches, sink, every);
        runtime.spawn(Arc::clone(&monitor).run());
        monitor
    }

    /// The monitor without its loop: a test drives it one [`Monitor::round`]
    /// at a time on its own clock.
    pub fn new(
        accounts: Arc<Accounts>,
        watches: Arc<Supervisor>,
        sink: Arc<dyn DeskSink>,
        every: Option<Duration>,
    ) -> Arc<Self> {
        Arc::new(Self {
            accounts,
            watches,
            sink,
            every: Mutex::new(every),
            due: Mutex::default(),
            everyone: AtomicBool::new(false),
            network_back: AtomicBool::new(false),
            wake: Notify::new(),
            shown: Mutex::default(),
            next_at: Mutex::default(),
        })
    }

    /// A new gap between checks (`None`: off), from the next round.
    pub fn set_every(&self, every: Option<Duration>) {
        *lock(&self.every) = every;
        self.wake.notify_one();
    }

    /// Checks every account now.
    pub fn check_all_now(&self) {
        self.everyone.store(true, Ordering::SeqCst);
        self.wake.notify_one();
    }

    /// The system says the network is back (a connection after none, the
    /// machine on line again): accounts whose last check failed, or whose
    /// balance is older than a minute, are checked now rather than at their
    /// turn. Nothing happens with the refresh turned off.
    pub fn network_back(&self) {
        self.network_back.store(true, Ordering::SeqCst);
        self.wake.notify_one();
    }

    /// Checks one account at the next round (credits landed, a threshold
    /// changed, a sign-in).
    pub fn check_soon(&self, account_id: &str) {
        lock(&self.due).insert(
            account_id.to_owned(),
            Due {
                next_at: 0,
                errors: 0,
                asked: true,
            },
        );
        self.wake.notify_one();
    }

    /// The standings last reported.
    pub fn shown(&self) -> Vec<Standing> {
        lock(&self.shown).clone()
    }

    async fn run(self: Arc<Self>) {
        let mut mono = Instant::now();
        let mut wall = self.accounts.now();
        loop {
            let now = self.accounts.now();
            let slept = (now - wall) - i64::try_from(mono.elapsed().as_secs()).unwrap_or(0);
            if slept > SLEPT_SECS {
                tracing::info!(slept_secs = slept, "awake again: checking balances");
                self.everyone.store(true, Ordering::SeqCst);
            }
            self.round_at(now).await;
            mono = Instant::now();
            wall = self.accounts.now();
            let wait = self.wait(wall);
            tokio::select! {
                () = tokio::time::sleep(wait) => {}
                () = self.wake.notified() => {}
            }
        }
    }

    /// Until the next account is due, but never longer than a tick.
    fn wait(&self, now: i64) -> Duration {
        lock(&self.next_at).map_or(TICK, |at| {
            Duration::from_secs(u64::try_from(at - now).unwrap_or(0).max(1)).min(TICK)
        })
    }

    /// One round at the accounts' clock: the due checks, the alert rules,
    /// the standings reported when they changed.
    pub async fn round(&self) {
        self.round_at(self.accounts.now()).await;
    }

    async fn round_at(&self, now: i64) {
        let every = *lock(&self.every);
        let everyone = self.everyone.swap(false, Ordering::SeqCst);
        let network_back = self.network_back.swap(false, Ordering::SeqCst) && every.is_some();
        let mut checked = HashSet::new();
        let mut asked_server = 0_usize;
        let mut soonest: Option<i64> = None;
        for view in self.accounts.list() {
            let id = view.record.id;
            if !view.signed_in || !view.capabilities.balance {
                continue;
            }
            checked.insert(id.clone());
            // The watch reads the balance itself; it wakes the monitor when
            // it ends (`check_soon`), and a tick notices one that stopped.
            if self.watches.is_watching(&id) {
                continue;
            }
            let due = lock(&self.due).get(&id).copied();
            // A balance read for any reason (the home screen, a watch)
            // counts as a check.
            let seen = self.accounts.balance_seen_at(&id);
            let next = every.map(|gap| {
                let after_seen = seen.map_or(i64::MIN, |at| at + secs(gap));
                due.map_or(i64::MIN, |d| d.next_at).max(after_seen)
            });
            let stale =
                due.is_some_and(|d| d.errors > 0) || seen.is_none_or(|at| now - at >= FRESH_SECS);
            let is_due = everyone
                || due.is_some_and(|d| d.asked)
                || next.is_some_and(|at| at <= now)
                || (network_back && stale);
            let next = if is_due {
                asked_server += 1;
                self.check(&id, now, every, due).await;
                every.and(lock(&self.due).get(&id).map(|d| d.next_at))
            } else {
                next
            };
            if let Some(at) = next {
                soonest = Some(soonest.map_or(at, |s| s.min(at)));
            }
        }
        // Accounts signed out or removed keep no schedule.
        lock(&self.due).retain(|id, _| checked.contains(id));
        *lock(&self.next_at) = soonest;
        tracing::debug!(
            accounts = checked.len(),
            checked = asked_server,
            next_in_secs = soonest.map(|at| at - now),
            "balance round"
        );
        let standings = self.accounts.standings(Read::Known).await;
        for standing in standings.iter().filter(|s| s.signed_in) {
            match self.accounts.judge_alert(&standing.account_id) {
                Ok(true) => {
                    if let Some(alert) = LowBalance::of(standing) {
                        tracing::info!(account = %standing.account_id, "low balance: alerting");
                        self.sink.low_balance(&alert);
                    }
                }
                Ok(false) => {}
                Err(e) => {
                    tracing::warn!(account = %standing.account_id, error = %e, "alert state not saved");
                }
            }
        }
        let changed = {
            let mut shown = lock(&self.shown);
            let changed = *shown != standings;
            shown.clone_from(&standings);
            changed
        };
        if changed {
            self.sink.standings(&standings);
        }
    }

    async fn check(&self, id: &str, now: i64, every: Option<Duration>, due: Option<Due>) {
        let gap = every.unwrap_or(DEFAULT_EVERY);
        let next = match self.accounts.standing(id, Read::Fresh).await {
            Ok(_) => Due {
                next_at: now + secs(gap),
                errors: 0,
                asked: false,
            },
            Err(e) => {
                let errors = due.map_or(0, |d| d.errors) + 1;
                let mut wait = gap.saturating_mul(1 << errors.min(8)).min(MAX_BACKOFF);
                if let Error::RateLimited {
                    retry_after: Some(after),
                } = &e
                {
                    wait = wait.max(*after);
                }
                tracing::info!(account = id, code = %e.code(), errors, wait_secs = wait.as_secs(), "balance check failed; backing off");
                Due {
                    next_at: now + secs(wait),
                    errors,
                    asked: false,
                }
            }
        };
        lock(&self.due).insert(id.to_owned(), next);
    }

    /// Looks again without forcing checks: something shown may have changed
    /// (a sign-in, a sign-out, a balance read by the window).
    pub fn refresh(&self) {
        self.wake.notify_one();
    }
}

fn secs(d: Duration) -> i64 {
    i64::try_from(d.as_secs()).unwrap_or(i64::MAX / 2)
}
