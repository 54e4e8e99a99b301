//! The watcher's brain: when to check a pending purchase next and what each
//! answer means. Pure logic on an injected notion of time, so tests can run a
//! ten-minute wait in microseconds. The caller sleeps until
//! [`Watcher::next_check`], asks the provider, and feeds the answer back.
//!
//! # The schedule, and why
//!
//! Checkout takes a person between ~10 s (saved card, Link, a wallet) and a
//! few minutes, and a credit lands within a second of payment. A person who
//! comes back to Topup is served by focus, which checks at once; the schedule
//! is for the window left in the background. So checks are dense where the
//! fast payments fall and thin out after: every 2 s for the first 30 s, every
//! 5 s until 90 s, every 25 s until five minutes, then every 30 s; after 30
//! minutes the watcher gives up and offers to keep checking (every 60 s).
//! A Clara check is one request (the balance) while the balance has not
//! moved, so the first five minutes send 36 requests and later ones 2 a
//! minute — far below Clara's 10 requests a second per key, and below one a
//! second for Dispersed, whose limits are unpublished (`make bench` counts
//! them from the Sandbox's request log). Focus and "I've paid — check now"
//! check at once (at most one such check every 2 s); `Retry-After` pushes
//! the next check out.

use std::time::Duration;

use serde::Serialize;

use crate::error::{Error, ErrorCode};
use crate::provider::PurchaseStatus;

#[derive(Debug, Clone, PartialEq)]
pub struct Schedule {
    /// `(until, every)`: until `until` has elapsed, check every `every`.
    pub phases: Vec<(Duration, Duration)>,
    /// The interval after the last phase.
    pub then_every: Duration,
    /// When to stop and offer "keep checking".
    pub give_up_after: Duration,
    /// The interval after "keep checking".
    pub patient_every: Duration,
    /// The smallest gap between two checks asked for by focus or "check
    /// now" (a scheduled check just before does not hold one back: the
    /// person who comes back to the window wants the answer now).
    pub min_gap: Duration,
    /// How long past a checkout's expiry a purchase is still watched, for a
    /// payment made at the last moment whose credit is written late. Matters
    /// for Clara, which has no purchase object to say "expired".
    pub expiry_grace: Duration,
}

impl Default for Schedule {
    fn default() -> Self {
        Self {
            phases: vec![
                (Duration::from_secs(30), Duration::from_secs(2)),
                (Duration::from_secs(90), Duration::from_secs(5)),
                (Duration::from_secs(300), Duration::from_secs(25)),
            ],
            then_every: Duration::from_secs(30),
            give_up_after: Duration::from_secs(30 * 60),
            patient_every: Duration::from_secs(60),
            min_gap: Duration::from_secs(2),
            expiry_grace: Duration::from_secs(5 * 60),
        }
    }
}

impl Schedule {
    /// The interval that applies at `elapsed`.
    pub fn interval_at(&self, elapsed: Duration) -> Duration {
        self.phases
            .iter()
            .find(|(until, _)| elapsed < *until)
            .map_or(self.then_every, |(_, every)| *every)
    }

    /// How many checks a wait of `total` makes (for the docs and benchmarks).
    pub fn checks_within(&self, total: Duration) -> u32 {
        let mut t = Duration::ZERO;
        let mut n = 0;
        while t <= total {
            n += 1;
            t += self.interval_at(t);
        }
        n
    }
}

/// Where a watch stands, as the UI shows it.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum WatchState {
    /// Waiting for the payment; nothing wrong.
    Waiting,
    /// Checks are failing for a reason that may pass ("connection trouble, retrying").
    Trouble {
        code: ErrorCode,
        message: String,
    },
    /// The session ended: sign in again and the watch goes on.
    NeedsSignIn {
        code: ErrorCode,
        message: String,
    },
    Landed {
        status: PurchaseStatus,
    },
    Expired,
    Cancelled,
    /// Past the give-up time; "keep checking" resumes.
    GaveUp,
    /// A check failed for good (not transient, not a session).
    Failed {
        code: ErrorCode,
        message: String,
    },
}

impl WatchState {
    /// Nothing more will happen to the watch.
    pub fn is_final(&self) -> bool {
        matches!(
            self,
            Self::Landed { .. } | Self::Expired | Self::Cancelled | Self::Failed { .. }
        )
    }

    /// The purchase is over and is forgotten: it landed, expired or was
    /// abandoned. A check that failed for good keeps it, so the person can
    /// check again or abandon it.
    pub fn ends_purchase(&self) -> bool {
        matches!(self, Self::Landed { .. } | Self::Expired | Self::Cancelled)
    }
}

/// What the UI gets after every step.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct Progress {
    pub state: WatchState,
    pub elapsed_secs: f64,
    pub attempts: u32,
    /// Seconds until the next check, when one is planned.
    pub next_check_secs: Option<f64>,
    pub last_error: Option<String>,
    /// [`WatchState::is_final`], so no front end keeps its own copy.
    pub finished: bool,
    /// The smallest gap the watcher keeps between two checks asked for by
    /// the person ([`Schedule::min_gap`]).
    pub check_now_gap_secs: f64,
}

/// The state machine. Times are "elapsed since the purchase started".
#[derive(Debug, Clone)]
pub struct Watcher {
    schedule: Schedule,
    state: WatchState,
    attempts: u32,
    /// When focus or "check now" last asked for a check.
    last_asked: Option<Duration>,
    next_check: Option<Duration>,
    last_error: Option<String>,
    patient: bool,
}

impl Watcher {
    /// A watch whose purchase started `elapsed` ago (0 for a new one; more when
    /// resumed after a restart).
    pub fn new(schedule: Schedule, elapsed: Duration) -> Self {
        let mut w = Self {
            schedule,
            state: WatchState::Waiting,
            attempts: 0,
            last_asked: None,
            next_check: Some(elapsed),
            last_error: None,
            patient: false,
        };
        if elapsed >= w.schedule.give_up_after {
            w.state = WatchState::GaveUp;
            w.next_check = None;
        }
        w
    }

    pub fn state(&self) -> &WatchState {
        &self.state
    }

    /// When the next check is due (elapsed time), or `None` when nothing is planned.
    pub fn next_check(&self) -> Option<Duration> {
        self.next_check
    }

    pub fn progress(&self, now: Duration) -> Progress {
        Progress {
            state: self.state.clone(),
            elapsed_secs: now.as_secs_f64(),
            attempts: self.attempts,
            next_check_secs: self.next_check.map(|t| t.saturating_sub(now).as_secs_f64()),
            last_error: self.last_error.clone(),
            finished: self.state.is_final(),
            check_now_gap_secs: self.schedule.min_gap.as_secs_f64(),
        }
    }

    fn plan_after(&mut self, now: Duration, at_least: Option<Duration>) {
        if self.state.is_final() || matches!(self.state, WatchState::NeedsSignIn { .. }) {
            self.next_check = None;
            return;
        }
        if !self.patient && now >= self.schedule.give_up_after {
            self.state = WatchState::GaveUp;
            self.next_check = None;
            return;
        }
        let every = if self.patient {
            self.schedule.patient_every
        } else {
            self.schedule.interval_at(now)
        };
        self.next_check = Some(now + every.max(at_least.unwrap_or_default()));
    }

    /// A check was made at `now` and answered `result`.
    pub fn record(&mut self, now: Duration, result: Result<PurchaseStatus, Error>) -> Progress {
        self.attempts += 1;
        let mut wait = None;
        match result {
            Ok(PurchaseStatus::Pending) => {
                self.state = WatchState::Waiting;
                self.last_error = None;
            }
            Ok(PurchaseStatus::Expired) => self.state = WatchState::Expired,
            Ok(status @ PurchaseStatus::Landed { .. }) => {
                self.state = WatchState::Landed { status }
            }
            Err(e) => {
                self.last_error = Some(e.to_string());
                let (code, message) = (e.code(), e.to_string());
                self.state = match code {
                    ErrorCode::SessionExpired | ErrorCode::InvalidCredentials => {
                        WatchState::NeedsSignIn { code, message }
                    }
                    code if code.is_transient() => {
                        if let Error::RateLimited { retry_after } = &e {
                            wait = *retry_after;
                        }
                        WatchState::Trouble { code, message }
                    }
                    code => WatchState::Failed { code, message },
                };
            }
        }
        self.plan_after(now, wait);
        self.progress(now)
    }

    /// Focus came back or the person pressed "check now": check at once,
    /// unless the last such request was under the minimum gap ago (then at
    /// the end of that gap).
    pub fn check_soon(&mut self, now: Duration) -> Progress {
        if self.state.is_final()
            || matches!(
                self.state,
                WatchState::NeedsSignIn { .. } | WatchState::GaveUp
            )
        {
            return self.progress(now);
        }
        let earliest = self
            .last_asked
            .map_or(now, |t| (t + self.schedule.min_gap).max(now));
        if self.next_check.is_none_or(|next| earliest < next) {
            self.next_check = Some(earliest);
            self.last_asked = Some(earliest);
        }
        self.progress(now)
    }

    /// The person cancelled: no more checks.
    pub fn cancel(&mut self, now: Duration) -> Progress {
        if !self.state.is_final() {
            self.state = WatchState::Cancelled;
        }
        self.next_check = None;
        self.progress(now)
    }

    /// After a sign-in (post session expiry) or "keep checking": carry on.
    pub fn resume(&mut self, now: Duration) -> Progress {
        if matches!(self.state, WatchState::GaveUp) {
            self.patient = true;
        }
        if matches!(
            self.state,
            WatchState::NeedsSignIn { .. } | WatchState::GaveUp | WatchState::Trouble { .. }
        ) {
            self.state = WatchState::Waiting;
            self.next_check = Some(now);
        }
        self.progress(now)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::money::Credits;

    fn s(secs: u64) -> Duration {
        Duration::from_secs(secs)
    }

    fn landed() -> PurchaseStatus {
        PurchaseStatus::Landed {
            credits: Some(Credits::from_f64(500.0).unwrap()),
            balance: None,
            receipt: None,
        }
    }

    /// Runs the watch against a fake service until it stops or `until` passes.
    fn simulate(
        w: &mut Watcher,
        until: Duration,
        answer: impl Fn(Duration) -> Result<PurchaseStatus, Error>,
    ) -> Vec<Duration> {
        let mut checks = Vec::new();
        while let Some(t) = w.next_check() {
            if t > until {
                break;
            }
            checks.push(t);
            w.record(t, answer(t));
        }
        checks
    }

    #[test]
    fn the_schedule_is_dense_early_and_thin_later() {
        let sched = Schedule::default();
        assert_eq!(sched.interval_at(s(0)), s(2));
        assert_eq!(sched.interval_at(s(29)), s(2));
        assert_eq!(sched.interval_at(s(30)), s(5));
        assert_eq!(sched.interval_at(s(90)), s(25));
        assert_eq!(sched.interval_at(s(300)), s(30));
        let first_five = sched.checks_within(s(300));
        let ten = sched.checks_within(s(600));
        println!("watcher schedule: {first_five} checks in the first 5 minutes, {ten} in 10 minutes, then {} a minute", 60 / sched.then_every.as_secs());
        // A Clara check is one request while the balance has not moved: the
        // figures docs/architecture.md quotes.
        assert_eq!(first_five, 36);
        assert_eq!(ten, 46, "10 more, two a minute after the first five");
    }

    #[test]
    fn waits_until_the_credits_land() {
        let mut w = Watcher::new(Schedule::default(), s(0));
        let checks = simulate(&mut w, s(3600), |t| {
            Ok(if t >= s(70) {
                landed()
            } else {
                PurchaseStatus::Pending
            })
        });
        assert_eq!(
            *checks.last().unwrap(),
            s(70),
            "the first check at or after 70 s"
        );
        assert!(matches!(w.state(), WatchState::Landed { .. }));
        assert_eq!(w.next_check(), None);
        assert_eq!(w.progress(s(70)).attempts as usize, checks.len());
    }

    #[test]
    fn expiry_and_cancel_stop_it() {
        let mut w = Watcher::new(Schedule::default(), s(0));
        simulate(&mut w, s(3600), |t| {
            Ok(if t >= s(20) {
                PurchaseStatus::Expired
            } else {
                PurchaseStatus::Pending
            })
        });
        assert_eq!(w.state(), &WatchState::Expired);
        let mut w = Watcher::new(Schedule::default(), s(0));
        w.record(s(0), Ok(PurchaseStatus::Pending));
        let p = w.cancel(s(3));
        assert_eq!(p.state, WatchState::Cancelled);
        assert_eq!(p.next_check_secs, None);
        assert_eq!(
            w.check_soon(s(4)).state,
            WatchState::Cancelled,
            "nothing restarts a cancelled watch"
        );
    }

    #[test]
    fn transient_trouble_is_ridden_out_and_retry_after_honoured() {
        let mut w = Watcher::new(Schedule::default(), s(0));
        let p = w.record(s(0), Err(Error::ServerUnavailable { status: 503 }));
        assert!(matches!(p.state, WatchState::Trouble { .. }));
        assert_eq!(p.next_check_secs, Some(2.0));
        let p = w.record(
            s(4),
            Err(Error::RateLimited {
                retry_after: Some(s(30)),
            }),
        );
        assert_eq!(
            p.next_check_secs,
            Some(30.0),
            "Retry-After beats the schedule"
        );
        let p = w.record(s(34), Ok(PurchaseStatus::Pending));
        assert_eq!(p.state, WatchState::Waiting);
        assert_eq!(p.last_error, None);
    }

    #[test]
    fn an_ended_session_pauses_until_signed_in_again() {
        let mut w = Watcher::new(Schedule::default(), s(0));
        let p = w.record(s(8), Err(Error::SessionExpired));
        assert!(matches!(p.state, WatchState::NeedsSignIn { .. }));
        assert_eq!(w.next_check(), None);
        let p = w.resume(s(40));
        assert_eq!(p.state, WatchState::Waiting);
        assert_eq!(
            w.next_check(),
            Some(s(40)),
            "checks at once after signing in"
        );
    }

    #[test]
    fn focus_and_check_now_are_immediate_but_rate_limited() {
        let mut w = Watcher::new(Schedule::default(), s(100));
        w.record(s(100), Ok(PurchaseStatus::Pending));
        assert_eq!(w.next_check(), Some(s(125)));
        w.check_soon(s(101));
        assert_eq!(
            w.next_check(),
            Some(s(101)),
            "at once, even right after a scheduled check"
        );
        w.record(s(101), Ok(PurchaseStatus::Pending));
        w.check_soon(s(102));
        assert_eq!(
            w.next_check(),
            Some(s(103)),
            "no sooner than 2 s after the last check asked for"
        );
        w.record(s(103), Ok(PurchaseStatus::Pending));
        w.check_soon(s(110));
        assert_eq!(w.next_check(), Some(s(110)));
    }

    #[test]
    fn it_gives_up_and_keeps_checking_when_asked() {
        let mut w = Watcher::new(Schedule::default(), s(0));
        simulate(&mut w, s(7200), |_| Ok(PurchaseStatus::Pending));
        assert_eq!(w.state(), &WatchState::GaveUp);
        let p = w.resume(s(1900));
        assert_eq!(p.state, WatchState::Waiting);
        w.record(s(1900), Ok(PurchaseStatus::Pending));
        assert_eq!(w.next_check(), Some(s(1960)), "patient checks every minute");
        let resumed_late = Watcher::new(Schedule::default(), s(4000));
        assert_eq!(
            resumed_late.state(),
            &WatchState::GaveUp,
            "a purchase resumed after the give-up time offers to keep checking"
        );
    }

    #[test]
    fn other_failures_stop_with_the_reason() {
        let mut w = Watcher::new(Schedule::default(), s(0));
        let p = w.record(s(0), Err(Error::PermissionDenied));
        assert!(matches!(
            p.state,
            WatchState::Failed {
                code: ErrorCode::PermissionDenied,
                ..
            }
        ));
        assert!(p.finished);
        assert_eq!(w.next_check(), None);
    }
}
