//! The running watches: one background task per pending purchase, driving
//! core's watch loop, telling the UI through the `PurchaseProgress` event and
//! keeping the last report so a screen drawn later starts from it.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::SystemTime;

use serde::Serialize;
use tauri::{AppHandle, Manager, Runtime};
use tauri_plugin_notification::NotificationExt;
use tauri_specta::Event;
use tokio::sync::mpsc;
use topup_core::money::{Credits, Money};
use topup_core::pending::PendingPurchase;
use topup_core::provider::{unix, PurchaseStatus};
use topup_core::service::Accounts;
use topup_core::watch::{watch, Signal};
use topup_core::watcher::{Progress, Schedule, WatchState};

/// What a landed purchase brought, for the receipt line.
#[derive(Debug, Clone, PartialEq, Serialize, specta::Type)]
pub struct Receipt {
    pub credits: Option<Credits>,
    pub amount: Money,
    pub balance: Option<Credits>,
    /// Unix seconds.
    #[specta(type = i32)]
    pub at: i64,
    /// The service's own line, when it has one.
    pub line: Option<String>,
}

/// A step of a watched purchase, sent to the UI after every check or signal.
#[derive(Debug, Clone, PartialEq, Serialize, specta::Type, tauri_specta::Event)]
pub struct PurchaseProgress {
    pub account_id: String,
    pub purchase: PendingPurchase,
    pub progress: Progress,
    /// Set once the credits landed.
    pub receipt: Option<Receipt>,
}

#[derive(Default)]
pub struct Watches {
    /// How many watches run, for whoever waits for none (the updater).
    watching: tokio::sync::watch::Sender<usize>,
    /// The signal channel of each running watch, with a number telling one
    /// watch of an account from the next.
    running: Mutex<HashMap<String, (u64, mpsc::Sender<Signal>)>>,
    next: std::sync::atomic::AtomicU64,
    /// The newest report per account, kept after the end until dismissed.
    last: Mutex<HashMap<String, PurchaseProgress>>,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

fn receipt(purchase: &PendingPurchase, state: &WatchState) -> Option<Receipt> {
    match state {
        WatchState::Landed {
            status:
                PurchaseStatus::Landed {
                    credits,
                    balance,
                    receipt,
                },
        } => Some(Receipt {
            credits: credits.or(purchase.expected_credits),
            amount: purchase.amount,
            balance: *balance,
            at: unix(SystemTime::now()),
            line: receipt.clone(),
        }),
        _ => None,
    }
}

impl Watches {
    /// The newest report for the account's purchase.
    pub fn last(&self, account_id: &str) -> Option<PurchaseProgress> {
        lock(&self.last).get(account_id).cloned()
    }

    /// Follows the number of running watches.
    pub fn watching(&self) -> tokio::sync::watch::Receiver<usize> {
        self.watching.subscribe()
    }

    fn count_changed(&self, running: &HashMap<String, (u64, mpsc::Sender<Signal>)>) {
        self.watching.send_replace(running.len());
    }

    /// Forgets a finished purchase's last report (the person has seen it).
    pub fn dismiss(&self, account_id: &str) {
        let mut last = lock(&self.last);
        if last
            .get(account_id)
            .is_some_and(|p| p.progress.state.is_final())
        {
            last.remove(account_id);
        }
    }

    /// Sends a signal to the account's watch; false when none is running.
    pub fn signal(&self, account_id: &str, signal: Signal) -> bool {
        let sender = lock(&self.running).get(account_id).map(|(_, s)| s.clone());
        match sender {
            Some(s) => s.try_send(signal).is_ok(),
            None => false,
        }
    }

    /// "Check now" for every watch (the window regained focus).
    pub fn check_all(&self) {
        for (_, sender) in lock(&self.running).values() {
            let _ = sender.try_send(Signal::CheckNow);
        }
    }

    /// Stops the account's watch at once (its task ends as cancelled), so a
    /// new purchase can be watched straight away; false when none ran.
    pub fn stop(&self, account_id: &str) -> bool {
        // The count changes when the stopped task has ended (see `start`).
        let stopped = lock(&self.running).remove(account_id);
        match stopped {
            Some((_, sender)) => {
                let _ = sender.try_send(Signal::Cancel);
                true
            }
            None => false,
        }
    }

    /// After a sign-in or a restore: a watch paused for a sign-in goes on
    /// with the new session; a pending purchase nobody watches is watched.
    pub fn signed_in<R: Runtime>(
        self: &Arc<Self>,
        app: &AppHandle<R>,
        accounts: &Arc<Accounts>,
        account_id: &str,
    ) {
        let resumed = accounts
            .session(account_id)
            .is_ok_and(|s| self.signal(account_id, Signal::Resume(s)));
        if !resumed {
            if let Err(e) = self.start(app, accounts, account_id) {
                tracing::warn!(code = %e.code(), "could not watch a pending purchase");
            }
        }
    }

    /// Starts watching the account's pending purchase, unless already watched.
    pub fn start<R: Runtime>(
        self: &Arc<Self>,
        app: &AppHandle<R>,
        accounts: &Arc<Accounts>,
        account_id: &str,
    ) -> topup_core::Result<()> {
        let mut running = lock(&self.running);
        if running.contains_key(account_id) {
            return Ok(());
        }
        let Some(purchase) = accounts.pending_purchase(account_id)? else {
            return Ok(());
        };
        let job = accounts.watch_job(&purchase, Schedule::default())?;
        let (tx, rx) = mpsc::channel(8);
        let generation = self.next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        running.insert(account_id.to_owned(), (generation, tx));
        self.count_changed(&running);
        drop(running);
        tracing::info!(account = %account_id, "watching a purchase");

        let (me, app, accounts, id) = (
            Arc::clone(self),
            app.clone(),
            Arc::clone(accounts),
            account_id.to_owned(),
        );
        tauri::async_runtime::spawn(async move {
            let report = {
                let (me, app, accounts, id, purchase) = (
                    Arc::clone(&me),
                    app.clone(),
                    Arc::clone(&accounts),
                    id.clone(),
                    purchase.clone(),
                );
                move |progress: &Progress| {
                    if matches!(progress.state, WatchState::NeedsSignIn { .. }) {
                        // The session is dead: drop it so the UI asks for a
                        // sign-in; signing in resumes this watch.
                        let (accounts, id) = (Arc::clone(&accounts), id.clone());
                        tauri::async_runtime::spawn(async move {
                            if let Err(e) = accounts.forget(&id).await {
                                tracing::warn!(code = %e.code(), "could not drop an ended session");
                            }
                        });
                    }
                    let event = PurchaseProgress {
                        account_id: id.clone(),
                        purchase: purchase.clone(),
                        receipt: receipt(&purchase, &progress.state),
                        progress: progress.clone(),
                    };
                    // A stopped watch's last words must not cover a newer purchase.
                    let current = lock(&me.running)
                        .get(&id)
                        .is_some_and(|(g, _)| *g == generation);
                    {
                        let mut last = lock(&me.last);
                        let superseded =
                            !current && last.get(&id).is_some_and(|p| p.purchase != purchase);
                        if superseded {
                            return;
                        }
                        last.insert(id.clone(), event.clone());
                    }
                    if let Err(e) = event.emit(&app) {
                        tracing::warn!(error = %e, "progress event not delivered");
                    }
                }
            };
            let end = watch(job, rx, report).await;
            {
                let mut running = lock(&me.running);
                if running.get(&id).is_some_and(|(g, _)| *g == generation) {
                    running.remove(&id);
                }
            }
            tracing::info!(account = %id, state = ?end, "watch ended");
            match &end {
                WatchState::Landed { .. } | WatchState::Expired | WatchState::Cancelled => {
                    if let Err(e) = accounts.finish_purchase(&purchase) {
                        tracing::warn!(code = %e.code(), "could not forget a finished purchase");
                    }
                }
                // A check failed for good: the purchase stays so the person
                // can check again or abandon it.
                _ => {}
            }
            if let Some(receipt) = receipt(&purchase, &end) {
                notify_if_unseen(&app, &purchase, &receipt);
            }
            // Only now, with the purchase's end written down, may a waiting
            // update restart the app.
            me.count_changed(&lock(&me.running));
        });
        Ok(())
    }
}

/// A desktop notification when the window is not in front, so credits that
/// land while the person is in the browser do not go unnoticed.
fn notify_if_unseen<R: Runtime>(app: &AppHandle<R>, purchase: &PendingPurchase, receipt: &Receipt) {
    let focused = app
        .get_webview_window("main")
        .and_then(|w| w.is_focused().ok())
        .unwrap_or(false);
    if focused {
        return;
    }
    let credits = receipt
        .credits
        .map_or_else(|| "Your credits".to_owned(), |c| format!("{c} credits"));
    let body = match receipt.balance {
        Some(b) => format!(
            "{credits} for {} arrived. New balance: {b}.",
            purchase.amount
        ),
        None => format!("{credits} for {} arrived.", purchase.amount),
    };
    if let Err(e) = app
        .notification()
        .builder()
        .title("Credits added")
        .body(body)
        .show()
    {
        tracing::warn!(error = %e, "no desktop notification");
    }
}
