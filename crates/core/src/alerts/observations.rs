//! The balances Topup has seen, per account: times and numbers only, for the
//! forecast of a service whose history does not say what was spent. A run of
//! the same balance keeps only its first and last sighting.

use serde::{Deserialize, Serialize};

use super::rule::DAY_SECS;
use crate::money::Credits;

/// How long sightings are kept.
pub const KEEP_SECS: i64 = 30 * DAY_SECS;
/// At most this many per account (a check every 5 minutes for 10 days).
pub const KEEP_MAX: usize = 3000;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct Observation {
    /// Unix seconds.
    #[cfg_attr(feature = "specta", specta(type = i32))]
    pub at: i64,
    pub balance: Credits,
}

/// Adds a sighting to `seen` (oldest first) and prunes what is too old.
pub fn record(seen: &mut Vec<Observation>, at: i64, balance: Credits) {
    // A clock set back must not make the list run backwards.
    if seen.last().is_some_and(|last| at < last.at) {
        seen.retain(|o| o.at <= at);
    }
    let flat = seen.len() >= 2
        && seen[seen.len() - 1].balance == balance
        && seen[seen.len() - 2].balance == balance;
    match seen.last_mut() {
        Some(last) if flat => last.at = at,
        _ => seen.push(Observation { at, balance }),
    }
    let cutoff = at - KEEP_SECS;
    let old = seen.iter().take_while(|o| o.at < cutoff).count();
    let over = seen.len().saturating_sub(KEEP_MAX);
    seen.drain(..old.max(over));
}

#[cfg(test)]
mod tests {
    use super::*;

    fn c(n: i64) -> Credits {
        Credits(n.into())
    }

    #[test]
    fn a_flat_run_keeps_its_first_and_last_sighting() {
        let mut seen = Vec::new();
        for (at, b) in [(0, 100), (10, 100), (20, 100), (30, 100), (40, 90)] {
            record(&mut seen, at, c(b));
        }
        let times: Vec<i64> = seen.iter().map(|o| o.at).collect();
        assert_eq!(times, [0, 30, 40]);
    }

    #[test]
    fn sightings_older_than_thirty_days_and_past_the_cap_are_pruned() {
        let mut seen = Vec::new();
        record(&mut seen, 0, c(5));
        record(&mut seen, 1, c(4));
        record(&mut seen, KEEP_SECS + 1, c(3));
        assert_eq!(
            seen.iter().map(|o| o.at).collect::<Vec<_>>(),
            [1, KEEP_SECS + 1]
        );
        let mut many = Vec::new();
        for i in 0..(KEEP_MAX as i64 + 10) {
            record(&mut many, i, c(i));
        }
        assert_eq!(many.len(), KEEP_MAX);
        assert_eq!(many[0].at, 10);
    }

    #[test]
    fn a_clock_set_back_drops_the_sightings_from_the_future() {
        let mut seen = Vec::new();
        record(&mut seen, 100, c(5));
        record(&mut seen, 200, c(4));
        record(&mut seen, 150, c(3));
        assert_eq!(seen.iter().map(|o| o.at).collect::<Vec<_>>(), [100, 150]);
    }
}
