//! One account's standing, as the tray, the home screen and `balance --all`
//! show it, and the low-balance threshold behind it.

use serde::Serialize;

use super::forecast::{self, Forecast, SpendHistory};
use super::observations::Observation;
use super::recent::Recent;
use super::rule::{self, DAY_SECS};
use crate::error::{Error, Result};
use crate::money::Credits;
use crate::provider::HistoryEntry;
use crate::service::{service_name, Accounts};

/// Where a standing's balance comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Read {
    /// Ask the service now.
    Fresh,
    /// The last balance seen (no call for the balance).
    Known,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct Standing {
    pub account_id: String,
    /// "Clara · demo@example.com".
    pub label: String,
    pub signed_in: bool,
    pub balance: Option<Credits>,
    /// When that balance was read (unix seconds).
    #[cfg_attr(feature = "specta", specta(type = Option<i32>))]
    pub checked_at: Option<i64>,
    /// The low-balance alert's threshold, when one is set.
    pub threshold: Option<Credits>,
    /// The balance is under the threshold.
    pub low: bool,
    pub forecast: Forecast,
    /// A threshold that leaves a few days to top up, from the forecast.
    pub suggested_threshold: Option<Credits>,
    /// For a service without a balance: its newest purchase, said whole.
    pub last_purchase: Option<String>,
    /// The amount of the newest purchase, as one would type it ("10"), to
    /// offer again when topping up from the tray.
    pub last_amount: Option<String>,
    /// The whole line: "Clara · demo@example.com — 1,500 credits".
    pub line: String,
}

impl Accounts {
    /// Every account's standing, in the registry's order.
    pub async fn standings(&self, read: Read) -> Vec<Standing> {
        let mut all = Vec::new();
        for view in self.list() {
            match self.standing(&view.record.id, read).await {
                Ok(s) => all.push(s),
                Err(e) => {
                    tracing::warn!(account = %view.record.id, code = %e.code(), "no standing");
                    all.push(self.offline_standing(&view.record.id, view.signed_in));
                }
            }
        }
        all
    }

    /// The account's standing. With [`Read::Fresh`] the balance is read from
    /// the service (and recorded); the history behind the forecast is read
    /// once a run.
    pub async fn standing(&self, id: &str, read: Read) -> Result<Standing> {
        let view = self
            .list()
            .into_iter()
            .find(|v| v.record.id == id)
            .ok_or(Error::UnknownAccount)?;
        if !view.signed_in {
            return Ok(self.offline_standing(id, false));
        }
        if self.session(id).is_err() {
            self.resume(id).await?;
        }
        if read == Read::Fresh && view.capabilities.balance {
            self.account(id).await?;
        }
        let recent = if view.capabilities.history {
            Some(self.recent(id).await?)
        } else {
            None
        };
        let kept = self.alerts.kept(id);
        let mut standing = self.standing_from(id, true, &kept);
        standing.last_amount = recent.as_ref().and_then(|r| r.last_amount.clone());
        if view.capabilities.balance {
            if let Some(seen) = kept.1.last() {
                standing.forecast = forecast::forecast(
                    seen.balance,
                    self.now(),
                    recent.as_ref().map(|r| &r.spend),
                    &kept.1,
                );
                standing.suggested_threshold = standing.forecast.suggested_threshold();
            }
        } else {
            standing.last_purchase = recent
                .as_ref()
                .and_then(|r| r.newest.as_ref())
                .map(|e| purchase_text(e, self.now()));
            standing.line = line(&standing);
        }
        Ok(standing)
    }

    /// What is known without asking anyone.
    fn offline_standing(&self, id: &str, signed_in: bool) -> Standing {
        self.standing_from(id, signed_in, &self.alerts.kept(id))
    }

    /// The standing from the account's record and what `alerts.json` keeps
    /// of it (its threshold and sightings, read once).
    fn standing_from(
        &self,
        id: &str,
        signed_in: bool,
        (threshold, seen): &(Option<Credits>, Vec<Observation>),
    ) -> Standing {
        let record = self.record(id).ok();
        let label = record.as_ref().map_or_else(
            || id.to_owned(),
            |r| {
                let who = r.email.clone().unwrap_or_else(|| r.label.clone());
                format!("{} · {who}", service_name(r.preset, r.provider))
            },
        );
        let has_balance = record
            .as_ref()
            .is_some_and(|r| r.provider.capabilities().balance);
        let seen = seen.last().filter(|_| has_balance);
        let threshold = *threshold;
        let mut standing = Standing {
            account_id: id.to_owned(),
            label,
            signed_in,
            balance: seen.map(|o| o.balance),
            checked_at: seen.map(|o| o.at),
            threshold,
            low: matches!((threshold, seen), (Some(t), Some(o)) if rule::is_below(t, o.balance)),
            forecast: if has_balance {
                forecast::not_enough()
            } else {
                Forecast::no_balance()
            },
            suggested_threshold: None,
            last_purchase: None,
            last_amount: None,
            line: String::new(),
        };
        standing.line = line(&standing);
        standing
    }

    /// Sets or clears the account's low-balance threshold (credits, more
    /// than zero). A service without a balance has nothing to alert on.
    pub fn set_alert(&self, id: &str, threshold: Option<Credits>) -> Result<()> {
        let record = self.record(id)?;
        if !record.provider.capabilities().balance {
            // "A low-balance alert is not available for this service."
            return Err(Error::Unsupported {
                what: "A low-balance alert".into(),
            });
        }
        if threshold.is_some_and(|t| t <= Credits::ZERO) {
            return Err(Error::InvalidSetting {
                message: "The alert threshold is a number of credits above zero.".into(),
            });
        }
        // A new threshold is judged at the next check.
        self.alerts.set_threshold(id, threshold)?;
        tracing::info!(
            account = id,
            on = threshold.is_some(),
            "low-balance alert set"
        );
        Ok(())
    }

    /// When the account's balance was last read (unix seconds).
    pub fn balance_seen_at(&self, id: &str) -> Option<i64> {
        self.alerts.last_seen(id).map(|o| o.at)
    }

    /// The last balance read of an account, and when: what a start-up can
    /// show before the session is restored and the service asked again.
    /// Nothing for an account signed out, whose balance is nobody's business.
    pub fn last_known_balance(&self, id: &str) -> Option<Observation> {
        let signed_in = self
            .list()
            .into_iter()
            .any(|v| v.record.id == id && v.signed_in);
        signed_in.then(|| self.alerts.last_seen(id)).flatten()
    }

    /// Whether any account has a low-balance alert set.
    pub fn alerts_on(&self) -> bool {
        self.alerts.any_threshold()
    }

    /// What closing the window does, given the app's preferences.
    pub fn when_closed(&self, preferences: &crate::preferences::Preferences) -> Closing {
        closing(preferences, || self.alerts_on())
    }

    /// [`Accounts::set_alert`] with the threshold as typed: empty turns the
    /// alert off.
    pub fn set_alert_text(&self, id: &str, typed: &str) -> Result<()> {
        self.set_alert(id, parse_threshold(typed)?)
    }

    /// Steps the account's alert rule with the balance last seen: true when
    /// a notification is due now. Only the background refresh asks, so a
    /// look from the CLI never uses up the desktop's alert.
    pub(crate) fn judge_alert(&self, id: &str) -> Result<bool> {
        match self.alerts.last_seen(id) {
            Some(seen) => self.alerts.judge(id, self.now(), seen.balance),
            None => Ok(false),
        }
    }

    /// The history read for this run's forecast: back through the window of
    /// a balance's service, the newest entry of one without.
    async fn recent(&self, id: &str) -> Result<Recent> {
        if let Some(r) = self.recent.get(id) {
            return Ok(r);
        }
        let _reading = self.recent.reading.lock().await;
        if let Some(r) = self.recent.get(id) {
            return Ok(r);
        }
        let record = self.record(id)?;
        let now = self.now();
        // A reader of its own, so the History screen's book stays as that
        // screen left it; and one answer only: a server that ignores paging
        // answers the next page with its whole history.
        let reader = self.provider(&record)?.recent_history(&self.session(id)?)?;
        let mut book = crate::history::Book::new(reader);
        let result = book.read_back_to(i64::MAX).await;
        self.forget_if_ended(id, result).await?;
        let entries = book.entries();
        let recent = Recent {
            spend: SpendHistory {
                read_at: now,
                reaches_back_to: entries.iter().filter_map(|e| e.at).min(),
                complete: book.complete(),
                spent: entries
                    .iter()
                    .filter(|e| !e.incoming)
                    .filter_map(|e| Some((e.at?, e.credits?)))
                    .collect(),
            },
            newest: entries.first().cloned(),
            last_amount: entries
                .iter()
                .filter(|e| e.incoming)
                .find_map(|e| e.amount)
                .map(|a| a.to_decimal().normalize().to_string()),
        };
        self.recent.keep(id, recent.clone());
        Ok(recent)
    }
}

/// What closing the window does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Closing {
    /// Hide it: Topup stays in the tray.
    Hide,
    /// Ask first (once): alerts only work while Topup runs.
    Ask,
    /// Close it, and quit.
    Quit,
}

fn closing(p: &crate::preferences::Preferences, alerts_on: impl FnOnce() -> bool) -> Closing {
    if p.keep_in_tray {
        Closing::Hide
    } else if !p.close_explained && alerts_on() {
        Closing::Ask
    } else {
        Closing::Quit
    }
}

/// A threshold as typed: a whole or decimal number of credits, or nothing.
pub fn parse_threshold(typed: &str) -> Result<Option<Credits>> {
    let text = typed.trim();
    if text.is_empty() {
        return Ok(None);
    }
    let plain = text.chars().all(|c| c.is_ascii_digit() || c == '.');
    match text.parse::<rust_decimal::Decimal>() {
        Ok(d) if plain && d > rust_decimal::Decimal::ZERO => Ok(Some(Credits(d.normalize()))),
        _ => Err(Error::InvalidSetting {
            message: format!("“{text}” is not a number of credits: type one such as 1000."),
        }),
    }
}

/// The tray's line for an account.
fn line(s: &Standing) -> String {
    if !s.signed_in {
        return format!("{} — signed out", s.label);
    }
    match (s.balance, &s.last_purchase) {
        (Some(b), _) if s.low => format!("{} — {} credits (low)", s.label, b.grouped()),
        (Some(b), _) => format!("{} — {} credits", s.label, b.grouped()),
        (None, Some(p)) => format!("{} — {p}", s.label),
        (None, None) if s.forecast.kind == super::ForecastKind::NoBalance => {
            format!("{} — no purchases yet", s.label)
        }
        (None, None) => format!("{} — balance not read yet", s.label),
    }
}

/// "last purchase $10.00, 3 days ago".
fn purchase_text(entry: &HistoryEntry, now: i64) -> String {
    let what = entry
        .amount
        .map(|a| a.to_string())
        .or_else(|| entry.credits.map(|c| format!("{} credits", c.grouped())))
        .unwrap_or_else(|| entry.description.clone());
    match entry.at.map(|at| (now - at).max(0) / DAY_SECS) {
        Some(0) => format!("last purchase {what}, today"),
        Some(1) => format!("last purchase {what}, yesterday"),
        Some(days) => format!("last purchase {what}, {days} days ago"),
        None => format!("last purchase {what}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::preferences::Preferences;

    #[test]
    fn closing_hides_when_kept_in_the_tray_and_asks_once_while_alerts_are_on() {
        let kept = Preferences {
            keep_in_tray: true,
            ..Preferences::default()
        };
        assert_eq!(closing(&kept, || true), Closing::Hide);
        let first = Preferences::default();
        assert_eq!(closing(&first, || true), Closing::Ask);
        assert_eq!(closing(&first, || false), Closing::Quit);
        let told = Preferences {
            close_explained: true,
            ..Preferences::default()
        };
        assert_eq!(closing(&told, || true), Closing::Quit);
    }
}
