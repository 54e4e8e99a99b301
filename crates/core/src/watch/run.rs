//! The watch loop: sleeps until the [`Watcher`] wants a check, asks the
//! provider, feeds the answer back and reports [`Progress`], until the
//! purchase lands, expires or is cancelled. Signals from the person (focus,
//! "check now", cancel, signed in again, keep checking) arrive on a channel.

use std::sync::Arc;
use std::time::{Duration, SystemTime};

use tokio::sync::mpsc;

use crate::clock::Clock;
use crate::provider::{Provider, PurchaseRef, PurchaseStatus, Session};
use crate::watch::schedule::{Progress, Schedule, WatchState, Watcher};

/// What the person can do while a purchase is watched.
#[derive(Debug)]
pub enum Signal {
    /// The window regained focus, or "I've paid — check now".
    CheckNow,
    Cancel,
    /// Signed in again after the session ended: carry on with this session.
    Resume(Session),
    /// After the give-up time: keep checking, less often.
    KeepChecking,
}

/// One purchase to watch.
pub struct Job {
    pub provider: Arc<dyn Provider>,
    pub session: Session,
    pub reference: PurchaseRef,
    /// When the purchase started (a resumed watch keeps its age).
    pub started_at: SystemTime,
    pub clock: Arc<dyn Clock>,
    pub schedule: Schedule,
    /// When the checkout page expires, where known. A purchase still pending
    /// past it (and the schedule's grace) has expired, even when the provider
    /// cannot say so itself.
    pub expires_at: Option<SystemTime>,
}

/// Watches one purchase to the end; returns the final state. `report` gets
/// every step. When the signal channel closes, the watch stops as cancelled.
pub async fn watch(
    job: Job,
    mut signals: mpsc::Receiver<Signal>,
    mut report: impl FnMut(&Progress) + Send,
) -> WatchState {
    let Job {
        provider,
        mut session,
        reference,
        started_at,
        clock,
        schedule,
        expires_at,
    } = job;
    let grace = schedule.expiry_grace;
    let expired_by_time = |now: SystemTime| expires_at.is_some_and(|at| now >= at + grace);
    let elapsed = || clock.now().duration_since(started_at).unwrap_or_default();
    let mut watcher = Watcher::new(schedule, elapsed());
    report(&watcher.progress(elapsed()));
    loop {
        if watcher.state().is_final() {
            return watcher.state().clone();
        }
        let wait = watcher
            .next_check()
            .map(|due| due.saturating_sub(elapsed()));
        let signal = match wait {
            // An overdue check still yields to a signal already waiting: a
            // cancel is never answered with one more request.
            Some(wait) if wait.is_zero() => match signals.try_recv() {
                Ok(signal) => Some(Some(signal)),
                Err(mpsc::error::TryRecvError::Disconnected) => Some(None),
                Err(mpsc::error::TryRecvError::Empty) => None,
            },
            Some(wait) => tokio::select! {
                _ = tokio::time::sleep(wait) => None,
                s = signals.recv() => Some(s),
            },
            // Paused (needs sign-in, gave up): only a signal moves it on.
            None => Some(signals.recv().await),
        };
        match signal {
            None => {
                let result = match provider.purchase_status(&session, &reference).await {
                    Ok(PurchaseStatus::Pending) if expired_by_time(clock.now()) => {
                        Ok(PurchaseStatus::Expired)
                    }
                    other => other,
                };
                let progress = watcher.record(elapsed(), result);
                report(&progress);
            }
            Some(None) | Some(Some(Signal::Cancel)) => {
                let progress = watcher.cancel(elapsed());
                report(&progress);
            }
            Some(Some(Signal::CheckNow)) => report(&watcher.check_soon(elapsed())),
            Some(Some(Signal::Resume(fresh))) => {
                session = fresh;
                report(&watcher.resume(elapsed()));
            }
            Some(Some(Signal::KeepChecking)) => report(&watcher.resume(elapsed())),
        }
    }
}

/// A schedule for tests and demos: every `every`, giving up after `give_up`.
pub fn quick_schedule(every: Duration, give_up: Duration) -> Schedule {
    Schedule {
        phases: vec![],
        then_every: every,
        give_up_after: give_up,
        patient_every: every,
        min_gap: Duration::ZERO,
        expiry_grace: Duration::ZERO,
    }
}
