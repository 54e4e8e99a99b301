//! The running watches: one task per pending purchase, driving [`watch`],
//! keeping the last report so a screen drawn later starts from it, ending the
//! purchase when the watch ends, and telling a front end through its
//! [`WatchSink`]. The window, the CLI and the tray all watch through this.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::SystemTime;

use serde::Serialize;
use tokio::runtime::Handle;
use tokio::sync::mpsc;

use crate::alerts::Observation;
use crate::error::{Error, Result};
use crate::money::{Credits, Money};
use crate::pending::PendingPurchase;
use crate::provider::{unix, Credentials, PurchaseStatus};
use crate::service::{Accounts, Restored};
use crate::sign_in::SignInStep;
use crate::sync::lock;
use crate::watch::run::{watch, Signal};
use crate::watch::schedule::{Progress, Schedule, WatchState};

/// What a landed purchase brought, for the receipt line.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct Receipt {
    pub credits: Option<Credits>,
    pub amount: Money,
    pub balance: Option<Credits>,
    /// Unix seconds.
    #[cfg_attr(feature = "specta", specta(type = i32))]
    pub at: i64,
    /// The service's own line, when it has one.
    pub line: Option<String>,
}

impl Receipt {
    /// The receipt of a watch that ended in `state`; `None` unless it landed.
    pub fn of(purchase: &PendingPurchase, state: &WatchState, at: SystemTime) -> Option<Self> {
        match state {
            WatchState::Landed {
                status:
                    PurchaseStatus::Landed {
                        credits,
                        balance,
                        receipt,
                    },
            } => Some(Self {
                credits: credits.or(purchase.expected_credits),
                amount: purchase.amount,
                balance: *balance,
                at: unix(at),
                line: receipt.clone(),
            }),
            _ => None,
        }
    }

    /// "500 credits for $5.00 arrived. New balance: 1500."
    pub fn sentence(&self) -> String {
        let credits = self
            .credits
            .map_or_else(|| "Your credits".to_owned(), |c| format!("{c} credits"));
        match self.balance {
            Some(b) => format!("{credits} for {} arrived. New balance: {b}.", self.amount),
            None => format!("{credits} for {} arrived.", self.amount),
        }
    }
}

/// A step of a watched purchase, after every check or signal.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct PurchaseProgress {
    pub account_id: String,
    pub purchase: PendingPurchase,
    pub progress: Progress,
    /// Set once the credits landed.
    pub receipt: Option<Receipt>,
}

/// The account's purchase in flight and how its watch stands.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct PurchaseView {
    pub purchase: PendingPurchase,
    /// The newest report; `None` before the first one.
    pub last: Option<PurchaseProgress>,
}

impl Accounts {
    /// Ends a purchase whose watch ended in `state`: forgotten when it is
    /// over ([`WatchState::ends_purchase`]) unless a newer one took its
    /// place, kept otherwise. The receipt when it landed.
    pub fn conclude(
        &self,
        purchase: &PendingPurchase,
        state: &WatchState,
    ) -> Result<Option<Receipt>> {
        if state.ends_purchase() {
            self.finish_purchase(purchase)?;
        }
        Ok(Receipt::of(purchase, state, self.clock().now()))
    }
}

/// Where a front end hears about the watches. Called on the runtime's
/// threads: keep it quick.
pub trait WatchSink: Send + Sync + 'static {
    /// Every step of a watch, after it became the account's last report.
    fn progress(&self, event: &PurchaseProgress);
    /// The credits landed and the purchase is forgotten.
    fn landed(&self, _purchase: &PendingPurchase, _receipt: &Receipt) {}
}

type Running = HashMap<String, (u64, mpsc::Sender<Signal>)>;

pub struct Supervisor {
    accounts: Arc<Accounts>,
    sink: Arc<dyn WatchSink>,
    runtime: Handle,
    schedule: Schedule,
    /// How many watches run, for whoever waits for none (the updater).
    watching: tokio::sync::watch::Sender<usize>,
    /// The signal channel of each running watch, with a number telling one
    /// watch of an account from the next.
    running: Mutex<Running>,
    next: AtomicU64,
    /// The newest report per account, kept after the end until dismissed.
    last: Mutex<HashMap<String, PurchaseProgress>>,
}

impl std::fmt::Debug for Supervisor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Supervisor")
            .field("running", &lock(&self.running).len())
            .finish_non_exhaustive()
    }
}

impl Supervisor {
    /// Watches run as tasks on `runtime`, on `schedule`.
    pub fn new(
        accounts: Arc<Accounts>,
        sink: Arc<dyn WatchSink>,
        runtime: Handle,
        schedule: Schedule,
    ) -> Arc<Self> {
        Arc::new(Self {
            accounts,
            sink,
            runtime,
            schedule,
            watching: tokio::sync::watch::Sender::new(0),
            running: Mutex::default(),
            next: AtomicU64::new(0),
            last: Mutex::default(),
        })
    }

    /// The newest report for the account's purchase.
    pub fn last(&self, account_id: &str) -> Option<PurchaseProgress> {
        lock(&self.last).get(account_id).cloned()
    }

    /// A watch is checking the account's purchase (and so its balance).
    pub fn is_watching(&self, account_id: &str) -> bool {
        lock(&self.running).contains_key(account_id)
    }

    /// Follows the number of running watches.
    pub fn watching(&self) -> tokio::sync::watch::Receiver<usize> {
        self.watching.subscribe()
    }

    fn count_changed(&self, running: &Running) {
        self.watching.send_replace(running.len());
    }

    /// Forgets a finished purchase's last report (the person has seen it).
    pub fn dismiss(&self, account_id: &str) {
        let mut last = lock(&self.last);
        if last.get(account_id).is_some_and(|p| p.progress.finished) {
            last.remove(account_id);
        }
    }

    /// Sends a signal to the account's watch; false when none is running.
    pub fn signal(&self, account_id: &str, signal: Signal) -> bool {
        let sender = lock(&self.running).get(account_id).map(|(_, s)| s.clone());
        sender.is_some_and(|s| s.try_send(signal).is_ok())
    }

    /// "Check now" for every watch (the window regained focus).
    pub fn check_all(&self) {
        for (_, sender) in lock(&self.running).values() {
            let _ = sender.try_send(Signal::CheckNow);
        }
    }

    /// "I've paid — check now": the running watch checks (keeping its minimum
    /// gap); a watch that ended on a failure starts again.
    pub fn check_now(self: &Arc<Self>, account_id: &str) -> Result<()> {
        if self.signal(account_id, Signal::CheckNow) {
            return Ok(());
        }
        if self.accounts.pending_purchase(account_id)?.is_none() {
            return Err(nothing_pending());
        }
        self.start(account_id)
    }

    /// After the give-up time: keep checking, less often.
    pub fn keep_checking(&self, account_id: &str) -> Result<()> {
        if self.signal(account_id, Signal::KeepChecking) {
            Ok(())
        } else {
            Err(nothing_pending())
        }
    }

    /// Stops the account's watch at once (its task ends as cancelled), so a
    /// new purchase can be watched straight away; false when none ran.
    pub fn stop(&self, account_id: &str) -> bool {
        // The count changes when the stopped task has ended (see `start`).
        let stopped = lock(&self.running).remove(account_id);
        stopped.is_some_and(|(_, sender)| {
            let _ = sender.try_send(Signal::Cancel);
            true
        })
    }

    /// Stops waiting and forgets the purchase here. The checkout page stays
    /// open in the browser until it expires; paying it later still credits
    /// the account.
    pub fn abandon(&self, account_id: &str) -> Result<()> {
        self.stop(account_id);
        self.accounts.end_purchase(account_id)?;
        tracing::info!(account = %account_id, "purchase abandoned");
        Ok(())
    }

    /// Restores an account's kept sign-in; a purchase pending from an earlier
    /// run is watched again (also while the service is unreachable).
    pub async fn restore(self: &Arc<Self>, account_id: &str) -> Result<Restored> {
        let restored = self.accounts.restore(account_id).await?;
        if let Restored::SignedIn { .. } | Restored::Offline { .. } = restored {
            self.signed_in(account_id);
        }
        Ok(restored)
    }

    /// Signs an account in; a watch paused for the sign-in goes on.
    pub async fn sign_in(
        self: &Arc<Self>,
        account_id: &str,
        credentials: Credentials,
    ) -> Result<SignInStep> {
        let step = self.accounts.sign_in_with(account_id, credentials).await?;
        if let SignInStep::SignedIn { .. } = step {
            self.signed_in(account_id);
        }
        Ok(step)
    }

    /// The account's purchase in flight, or the last report of one that
    /// just ended.
    pub fn view(&self, account_id: &str) -> Result<Option<PurchaseView>> {
        let last = self.last(account_id);
        Ok(match self.accounts.pending_purchase(account_id)? {
            Some(purchase) => Some(PurchaseView { purchase, last }),
            None => last.map(|l| PurchaseView {
                purchase: l.purchase.clone(),
                last: Some(l),
            }),
        })
    }

    /// The balance a start-up paints at once for the account it opens, while
    /// the session restores: the last one read, when the account opens on
    /// its home. An account with a purchase to show opens on that instead,
    /// so it has none.
    pub fn balance_to_paint_at_start(&self, account_id: &str) -> Result<Option<Observation>> {
        if self.view(account_id)?.is_some() {
            return Ok(None);
        }
        Ok(self.accounts.last_known_balance(account_id))
    }

    /// The accounts the watches belong to.
    pub fn accounts(&self) -> &Arc<Accounts> {
        &self.accounts
    }

    /// After a sign-in or a restore: a watch paused for a sign-in goes on
    /// with the new session; a pending purchase nobody watches is watched.
    pub fn signed_in(self: &Arc<Self>, account_id: &str) {
        let resumed = self
            .accounts
            .session(account_id)
            .is_ok_and(|s| self.signal(account_id, Signal::Resume(s)));
        if !resumed {
            if let Err(e) = self.start(account_id) {
                tracing::warn!(code = %e.code(), "could not watch a pending purchase");
            }
        }
    }

    /// Starts watching the account's pending purchase, unless already watched.
    pub fn start(self: &Arc<Self>, account_id: &str) -> Result<()> {
        let mut running = lock(&self.running);
        if running.contains_key(account_id) {
            return Ok(());
        }
        let Some(purchase) = self.accounts.pending_purchase(account_id)? else {
            return Ok(());
        };
        let job = self.accounts.watch_job(&purchase, self.schedule.clone())?;
        let (tx, rx) = mpsc::channel(8);
        let generation = self.next.fetch_add(1, Ordering::Relaxed);
        running.insert(account_id.to_owned(), (generation, tx));
        self.count_changed(&running);
        drop(running);
        tracing::info!(account = %account_id, "watching a purchase");

        let me = Arc::clone(self);
        let id = account_id.to_owned();
        self.runtime.spawn(async move {
            let report = {
                let (me, id, purchase) = (Arc::clone(&me), id.clone(), purchase.clone());
                move |progress: &Progress| me.report(&id, generation, &purchase, progress)
            };
            let end = watch(job, rx, report).await;
            me.ended(&id, generation, &purchase, &end);
        });
        Ok(())
    }

    fn report(&self, id: &str, generation: u64, purchase: &PendingPurchase, progress: &Progress) {
        if let WatchState::NeedsSignIn { .. } = progress.state {
            // The session is dead: drop it so the front end asks for a
            // sign-in; signing in resumes this watch.
            let (accounts, id) = (Arc::clone(&self.accounts), id.to_owned());
            self.runtime.spawn(async move {
                if let Err(e) = accounts.forget(&id).await {
                    tracing::warn!(code = %e.code(), "could not drop an ended session");
                }
            });
        }
        let event = PurchaseProgress {
            account_id: id.to_owned(),
            purchase: purchase.clone(),
            receipt: Receipt::of(purchase, &progress.state, self.accounts.clock().now()),
            progress: progress.clone(),
        };
        // A stopped watch's last words must not cover a newer purchase.
        let current = lock(&self.running)
            .get(id)
            .is_some_and(|(g, _)| *g == generation);
        {
            let mut last = lock(&self.last);
            let superseded = !current && last.get(id).is_some_and(|p| p.purchase != *purchase);
            if superseded {
                return;
            }
            last.insert(id.to_owned(), event.clone());
        }
        self.sink.progress(&event);
    }

    fn ended(&self, id: &str, generation: u64, purchase: &PendingPurchase, end: &WatchState) {
        {
            let mut running = lock(&self.running);
            if running.get(id).is_some_and(|(g, _)| *g == generation) {
                running.remove(id);
            }
        }
        tracing::info!(account = %id, state = ?end, "watch ended");
        match self.accounts.conclude(purchase, end) {
            Ok(Some(receipt)) => self.sink.landed(purchase, &receipt),
            Ok(None) => {}
            Err(e) => tracing::warn!(code = %e.code(), "could not forget a finished purchase"),
        }
        // Only now, with the purchase's end written down, may a waiting
        // update restart the app.
        self.count_changed(&lock(&self.running));
    }
}

fn nothing_pending() -> Error {
    Error::NotFound {
        what: "A purchase in progress".into(),
    }
}
