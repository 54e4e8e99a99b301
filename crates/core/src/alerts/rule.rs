//! When a low balance is worth a desktop notification: once when it falls
//! below the threshold, not again until it has been back at or above it, and
//! never twice within a day however often it dips.

use serde::{Deserialize, Serialize};

use crate::money::Credits;

/// Seconds in the "at most once a day" rule.
pub const DAY_SECS: i64 = 24 * 60 * 60;

/// What the rule remembers between checks (kept in the alerts file, so a
/// restart neither repeats an alert nor forgets one was due).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct RuleState {
    /// Set while the balance has been at or above the threshold since the
    /// last alert (or ever): the next fall below may alert.
    pub armed: bool,
    /// Unix seconds of the last alert sent.
    pub last_sent: Option<i64>,
}

impl Default for RuleState {
    fn default() -> Self {
        Self {
            armed: true,
            last_sent: None,
        }
    }
}

impl RuleState {
    /// Feeds one balance seen at `now`; true when this is the moment to alert.
    pub fn observe(&mut self, threshold: Credits, balance: Credits, now: i64) -> bool {
        if !is_below(threshold, balance) {
            self.armed = true;
            return false;
        }
        if !self.armed {
            return false;
        }
        // Still armed when the day is not over: the alert comes once it is,
        // if the balance is still low then.
        if self
            .last_sent
            .is_some_and(|t| now.saturating_sub(t) < DAY_SECS)
        {
            return false;
        }
        self.armed = false;
        self.last_sent = Some(now);
        true
    }
}

/// Below means strictly under: a balance that reaches the threshold exactly
/// is what the person asked to keep.
pub fn is_below(threshold: Credits, balance: Credits) -> bool {
    balance < threshold
}

#[cfg(test)]
mod tests {
    use super::*;

    fn c(n: i64) -> Credits {
        Credits(n.into())
    }

    const T: i64 = 1_800_000_000;

    #[test]
    fn one_alert_when_the_balance_falls_below_and_none_while_it_stays_there() {
        let mut rule = RuleState::default();
        assert!(!rule.observe(c(1000), c(1500), T));
        assert!(rule.observe(c(1000), c(900), T + 60));
        assert!(!rule.observe(c(1000), c(800), T + 120));
        // Days later, still below and never back above: still quiet.
        assert!(!rule.observe(c(1000), c(700), T + 5 * DAY_SECS));
    }

    #[test]
    fn back_above_then_below_again_alerts_again_once_a_day_has_passed() {
        let mut rule = RuleState::default();
        assert!(rule.observe(c(1000), c(900), T));
        assert!(!rule.observe(c(1000), c(1200), T + 60));
        // Within the day: not yet, but the alert is still due.
        assert!(!rule.observe(c(1000), c(900), T + 120));
        assert!(!rule.observe(c(1000), c(850), T + DAY_SECS - 1));
        assert!(rule.observe(c(1000), c(800), T + DAY_SECS));
        assert!(!rule.observe(c(1000), c(700), T + DAY_SECS + 60));
    }

    #[test]
    fn exactly_the_threshold_is_not_below() {
        let mut rule = RuleState::default();
        assert!(!rule.observe(c(1000), c(1000), T));
        assert!(rule.observe(c(1000), Credits("999.99".parse().unwrap()), T));
    }

    #[test]
    fn a_balance_that_only_grows_never_alerts() {
        let mut rule = RuleState::default();
        for (i, b) in [1000, 1100, 5000, 9000].into_iter().enumerate() {
            assert!(!rule.observe(c(500), c(b), T + i as i64 * DAY_SECS));
        }
        assert_eq!(rule.last_sent, None);
    }
}
