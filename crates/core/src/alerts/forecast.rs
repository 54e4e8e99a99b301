//! How long the credits last at the recent pace: spending over the last seven
//! days (or the part of them Topup knows about), from the service's history
//! of deductions and from the balances Topup itself has seen, divided into
//! the balance. It says so plainly when it knows too little.

use rust_decimal::prelude::ToPrimitive;
use rust_decimal::{Decimal, RoundingStrategy};
use serde::Serialize;

use super::observations::Observation;
use super::rule::DAY_SECS;
use crate::money::Credits;

/// How far back the pace is taken from.
pub const WINDOW_DAYS: i64 = 7;
/// Less evidence than this is no pace at all…
pub const MIN_EVIDENCE_SECS: i64 = DAY_SECS;
/// …unless the newest entries read (with older ones unread) already cover
/// this much: a busy account's last hundred deductions are a pace.
pub const MIN_BUSY_SECS: i64 = 60 * 60;
/// How many days of spending a suggested threshold leaves to top up in.
pub const SUGGESTED_DAYS: i64 = 3;
/// A balance seen within this of a history read may already be in it.
const READ_SLACK_SECS: i64 = 120;

/// What was read of an account's history for a forecast: its deductions
/// (credits going out) up to the moment of reading.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SpendHistory {
    /// Unix seconds of the read; balances seen later tell what came after.
    pub read_at: i64,
    /// The oldest entry read (unix seconds), `None` for no entries.
    pub reaches_back_to: Option<i64>,
    /// Every entry was read: nothing older exists.
    pub complete: bool,
    /// Each deduction: when, and how many credits.
    pub spent: Vec<(i64, Credits)>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum ForecastKind {
    /// A pace, and the days it leaves.
    DaysLeft,
    /// Known long enough, and nothing was spent.
    NotSpending,
    /// Known for less than a day.
    NotEnoughHistory,
    /// The service publishes no balance to divide.
    NoBalance,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct Forecast {
    pub kind: ForecastKind,
    /// Whole days left (rounded), with [`ForecastKind::DaysLeft`].
    pub days_left: Option<u32>,
    /// Credits spent a day at that pace.
    pub per_day: Option<Credits>,
    /// The days the pace was taken over (1–7).
    pub window_days: Option<u32>,
    /// What to say, whole: "At your pace of the last 7 days, about 9 days left."
    pub text: String,
}

impl Forecast {
    pub fn no_balance() -> Self {
        Self::plain(
            ForecastKind::NoBalance,
            "This service does not publish a balance, so Topup cannot forecast it or alert on it.",
        )
    }

    fn plain(kind: ForecastKind, text: &str) -> Self {
        Self {
            kind,
            days_left: None,
            per_day: None,
            window_days: None,
            text: text.to_owned(),
        }
    }

    /// A threshold that leaves [`SUGGESTED_DAYS`] of spending at this pace to
    /// top up in, rounded up to a round number; `None` without a pace.
    pub fn suggested_threshold(&self) -> Option<Credits> {
        let per_day = self.per_day?.0;
        if per_day <= Decimal::ZERO {
            return None;
        }
        Some(Credits(round_up_nicely(
            per_day * Decimal::from(SUGGESTED_DAYS),
        )))
    }
}

/// The forecast for `balance` at `now`, from what was read of the history
/// (if anything) and the balances Topup has recorded.
pub fn forecast(
    balance: Credits,
    now: i64,
    history: Option<&SpendHistory>,
    observations: &[Observation],
) -> Forecast {
    let window_start = now - WINDOW_DAYS * DAY_SECS;
    let mut spent = Decimal::ZERO;
    let mut known_since: Option<i64> = None;
    let mut from_balances_after = i64::MIN;
    let mut busy = false;

    if let Some(h) = history.filter(|h| h.reaches_back_to.is_some() || !h.complete) {
        // An incomplete read knows back to its oldest entry; a complete one
        // knows everything since the account began (its first entry).
        known_since = h.reaches_back_to.map(|t| t.max(window_start));
        busy = !h.complete;
        spent += h
            .spent
            .iter()
            .filter(|(at, _)| *at >= window_start && *at <= h.read_at)
            .map(|(_, c)| c.0)
            .sum::<Decimal>();
        from_balances_after = h.read_at - READ_SLACK_SECS;
    }

    // The last balance seen before the window still tells what the balance
    // was when the window began.
    let mut recent: Vec<Observation> = observations
        .iter()
        .rev()
        .find(|o| o.at < window_start)
        .map(|o| Observation {
            at: window_start,
            balance: o.balance,
        })
        .into_iter()
        .collect();
    recent.extend(
        observations
            .iter()
            .filter(|o| o.at >= window_start && o.at <= now),
    );
    if let Some(first) = recent.first() {
        known_since = Some(known_since.map_or(first.at, |k| k.min(first.at)));
    }
    for pair in recent.windows(2) {
        let (before, after) = (&pair[0], &pair[1]);
        if before.at >= from_balances_after && after.balance < before.balance {
            spent += before.balance.0 - after.balance.0;
        }
    }

    let Some(since) = known_since else {
        return not_enough();
    };
    let span = now - since;
    if span < MIN_EVIDENCE_SECS && !(busy && span >= MIN_BUSY_SECS) {
        return not_enough();
    }
    let window_days =
        u32::try_from(((span + DAY_SECS / 2) / DAY_SECS).clamp(1, WINDOW_DAYS)).unwrap_or(1);
    let pace = if span < DAY_SECS {
        format!("the last {} hours", span / 3600)
    } else if window_days == 1 {
        "the last day".to_owned()
    } else {
        format!("the last {window_days} days")
    };
    if spent <= Decimal::ZERO {
        return Forecast {
            kind: ForecastKind::NotSpending,
            days_left: None,
            per_day: Some(Credits::ZERO),
            window_days: Some(window_days),
            text: format!("No credits spent in {pace}, so no end in sight."),
        };
    }
    let per_day = spent * Decimal::from(DAY_SECS) / Decimal::from(span);
    let days = balance.0.max(Decimal::ZERO) / per_day;
    let days_left = days
        .round_dp_with_strategy(0, RoundingStrategy::MidpointAwayFromZero)
        .to_u32()
        .unwrap_or(u32::MAX);
    let left = if balance.0 <= Decimal::ZERO {
        "no credits left".to_owned()
    } else if days < Decimal::ONE {
        "less than a day left".to_owned()
    } else if days > Decimal::from(365) {
        "more than a year left".to_owned()
    } else if days_left == 1 {
        "about 1 day left".to_owned()
    } else {
        format!("about {days_left} days left")
    };
    Forecast {
        kind: ForecastKind::DaysLeft,
        days_left: Some(days_left),
        per_day: Some(Credits(per_day.round_dp(2).normalize())),
        window_days: Some(window_days),
        text: format!("At your pace of {pace}, {left}."),
    }
}

/// What is said before Topup knows a day of the account.
pub(crate) fn not_enough() -> Forecast {
    Forecast::plain(
        ForecastKind::NotEnoughHistory,
        "Not enough history yet to forecast: Topup needs a day of spending to go by.",
    )
}

/// 1, 2, 3 or 5 times a power of ten, at or above `value`.
fn round_up_nicely(value: Decimal) -> Decimal {
    let mut unit = Decimal::ONE;
    while unit * Decimal::TEN <= value {
        unit *= Decimal::TEN;
    }
    for step in [1, 2, 3, 5, 10].map(Decimal::from) {
        if unit * step >= value {
            return unit * step;
        }
    }
    unit * Decimal::TEN
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOW: i64 = 1_800_000_000;
    const HOUR: i64 = 3600;

    fn c(n: i64) -> Credits {
        Credits(n.into())
    }

    fn obs(ago: i64, balance: i64) -> Observation {
        Observation {
            at: NOW - ago,
            balance: c(balance),
        }
    }

    #[test]
    fn a_week_of_deductions_gives_the_days_left() {
        // 700 credits spent over the last 7 days: 100 a day; 900 left → 9 days.
        let history = SpendHistory {
            read_at: NOW,
            reaches_back_to: Some(NOW - 30 * DAY_SECS),
            complete: false,
            spent: (0..7)
                .map(|d| (NOW - d * DAY_SECS - HOUR, c(100)))
                .collect(),
        };
        let f = forecast(c(900), NOW, Some(&history), &[]);
        assert_eq!(f.kind, ForecastKind::DaysLeft);
        assert_eq!(f.days_left, Some(9));
        assert_eq!(f.per_day, Some(c(100)));
        assert_eq!(f.window_days, Some(7));
        assert_eq!(
            f.text,
            "At your pace of the last 7 days, about 9 days left."
        );
        assert_eq!(f.suggested_threshold(), Some(c(300)));
    }

    #[test]
    fn deductions_older_than_the_window_do_not_count() {
        let history = SpendHistory {
            read_at: NOW,
            reaches_back_to: Some(NOW - 60 * DAY_SECS),
            complete: true,
            spent: vec![(NOW - 8 * DAY_SECS, c(10_000)), (NOW - DAY_SECS, c(70))],
        };
        let f = forecast(c(100), NOW, Some(&history), &[]);
        assert_eq!(f.per_day, Some(c(10)));
        assert_eq!(f.days_left, Some(10));
    }

    #[test]
    fn less_than_a_day_of_evidence_is_said_plainly() {
        let f = forecast(c(900), NOW, None, &[obs(23 * HOUR, 1000), obs(0, 900)]);
        assert_eq!(f.kind, ForecastKind::NotEnoughHistory);
        assert_eq!(
            f.text,
            "Not enough history yet to forecast: Topup needs a day of spending to go by."
        );
        assert_eq!(f.suggested_threshold(), None);
        // No history read and nothing recorded: the same.
        assert_eq!(
            forecast(c(900), NOW, None, &[]).kind,
            ForecastKind::NotEnoughHistory
        );
    }

    #[test]
    fn recorded_balances_alone_give_a_pace_over_the_days_they_cover() {
        // Seen for 2 days, 200 spent: 100 a day, 400 left → 4 days.
        let seen = [obs(2 * DAY_SECS, 600), obs(DAY_SECS, 500), obs(0, 400)];
        let f = forecast(c(400), NOW, None, &seen);
        assert_eq!(f.days_left, Some(4));
        assert_eq!(f.window_days, Some(2));
        assert_eq!(
            f.text,
            "At your pace of the last 2 days, about 4 days left."
        );
    }

    #[test]
    fn a_top_up_inside_the_window_is_not_spending() {
        // 600 → 500 (spent 100), topped up to 2500, then 2500 → 2400 (spent 100).
        let seen = [
            obs(2 * DAY_SECS, 600),
            obs(DAY_SECS + HOUR, 500),
            obs(DAY_SECS, 2500),
            obs(0, 2400),
        ];
        let f = forecast(c(2400), NOW, None, &seen);
        assert_eq!(f.per_day, Some(c(100)));
        assert_eq!(f.days_left, Some(24));
    }

    #[test]
    fn a_balance_that_only_grows_has_no_end_in_sight() {
        let seen = [obs(3 * DAY_SECS, 100), obs(DAY_SECS, 500), obs(0, 900)];
        let f = forecast(c(900), NOW, None, &seen);
        assert_eq!(f.kind, ForecastKind::NotSpending);
        assert_eq!(
            f.text,
            "No credits spent in the last 3 days, so no end in sight."
        );
        assert_eq!(f.suggested_threshold(), None);
    }

    #[test]
    fn balances_seen_after_the_history_was_read_add_what_came_since() {
        // History to its read: 300 in the window (since 3 days ago, the
        // account's first entry). Seen since: 1000 → 700, another 300.
        let history = SpendHistory {
            read_at: NOW - DAY_SECS,
            reaches_back_to: Some(NOW - 3 * DAY_SECS),
            complete: true,
            spent: vec![(NOW - 2 * DAY_SECS, c(300))],
        };
        let seen = [obs(DAY_SECS, 1000), obs(HOUR, 800), obs(0, 700)];
        let f = forecast(c(700), NOW, Some(&history), &seen);
        assert_eq!(f.window_days, Some(3));
        assert_eq!(f.per_day, Some(c(200)));
        assert_eq!(
            f.text,
            "At your pace of the last 3 days, about 4 days left."
        );
        // Balances seen before the read are in the history already.
        let earlier = [
            obs(2 * DAY_SECS + HOUR, 1300),
            obs(2 * DAY_SECS - HOUR, 1000),
        ];
        let g = forecast(c(1000), NOW - DAY_SECS, Some(&history), &earlier);
        assert_eq!(g.per_day, Some(c(150)));
    }

    #[test]
    fn a_balance_seen_before_the_window_and_unchanged_since_is_a_week_of_no_spending() {
        let seen = [obs(20 * DAY_SECS, 500), obs(0, 500)];
        let f = forecast(c(500), NOW, None, &seen);
        assert_eq!(f.kind, ForecastKind::NotSpending);
        assert_eq!(f.window_days, Some(7));
    }

    #[test]
    fn a_busy_accounts_newest_entries_are_a_pace_even_within_a_day() {
        // The newest 99 of many deductions, over 10 hours: 990 credits.
        let history = SpendHistory {
            read_at: NOW,
            reaches_back_to: Some(NOW - 10 * HOUR),
            complete: false,
            spent: (0..99).map(|i| (NOW - i * 6 * 60, c(10))).collect(),
        };
        let f = forecast(c(2376), NOW, Some(&history), &[]);
        assert_eq!(f.kind, ForecastKind::DaysLeft);
        assert_eq!(f.per_day, Some(c(2376)));
        assert_eq!(
            f.text,
            "At your pace of the last 10 hours, about 1 day left."
        );
        // The same 10 hours as the whole history is too little to tell.
        let whole = SpendHistory {
            complete: true,
            ..history
        };
        assert_eq!(
            forecast(c(2376), NOW, Some(&whole), &[]).kind,
            ForecastKind::NotEnoughHistory
        );
    }

    #[test]
    fn the_last_hours_of_credits() {
        let seen = [obs(DAY_SECS, 1000), obs(0, 40)];
        let f = forecast(c(40), NOW, None, &seen);
        assert_eq!(
            f.text,
            "At your pace of the last day, less than a day left."
        );
        let f = forecast(c(0), NOW, None, &[obs(DAY_SECS, 1000), obs(0, 0)]);
        assert_eq!(f.text, "At your pace of the last day, no credits left.");
        assert_eq!(f.days_left, Some(0));
    }

    #[test]
    fn suggestions_are_round_numbers() {
        for (value, nice) in [
            (1, 1),
            (3, 3),
            (4, 5),
            (7, 10),
            (11, 20),
            (150, 200),
            (2001, 3000),
        ] {
            assert_eq!(round_up_nicely(Decimal::from(value)), Decimal::from(nice));
        }
    }
}
