//! `alerts.json`, beside the registry: each account's low-balance threshold,
//! where its alert rule stands, and the balances Topup has seen. Nothing
//! secret. An unreadable file means no thresholds (said in the log), never a
//! refusal to start; it is rewritten at the next change. The app and the CLI
//! both write it, so every look reads the file again (it is small) and every
//! change is made to what the file holds at that moment.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Mutex;

use serde::{Deserialize, Serialize};

use super::observations::{self, Observation};
use super::rule::RuleState;
use crate::error::{Error, Result};
use crate::money::Credits;
use crate::sync::lock;

pub const ALERTS_FILE: &str = "alerts.json";

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
struct AccountAlerts {
    threshold: Option<Credits>,
    rule: RuleState,
    seen: Vec<Observation>,
}

#[derive(Debug, Default, Serialize, Deserialize)]
#[serde(default)]
struct File {
    accounts: BTreeMap<String, AccountAlerts>,
}

#[derive(Debug)]
pub struct AlertStore {
    path: PathBuf,
    file: Mutex<File>,
}

impl AlertStore {
    pub fn open(path: PathBuf) -> Self {
        let file = read(&path).unwrap_or_default();
        Self {
            path,
            file: Mutex::new(file),
        }
    }

    /// The file as it is now; the last copy read when it cannot be read.
    fn current(&self) -> std::sync::MutexGuard<'_, File> {
        let mut file = lock(&self.file);
        if let Some(fresh) = read(&self.path) {
            *file = fresh;
        }
        file
    }

    /// Sets or clears the threshold; a new threshold starts its rule afresh,
    /// so a balance already under it alerts at the next check.
    pub fn set_threshold(&self, id: &str, threshold: Option<Credits>) -> Result<()> {
        self.change(|f| {
            let account = f.accounts.entry(id.to_owned()).or_default();
            account.threshold = threshold;
            account.rule = RuleState::default();
        })
    }

    /// Records a balance seen at `at`.
    pub fn observe(&self, id: &str, at: i64, balance: Credits) -> Result<()> {
        self.change(|f| {
            let account = f.accounts.entry(id.to_owned()).or_default();
            observations::record(&mut account.seen, at, balance);
        })
    }

    /// Steps the account's alert rule with a balance seen at `at`: true when
    /// this is the moment to alert. Without a threshold, never. The file is
    /// written only when the rule's state moved (the refresh asks every
    /// round).
    pub fn judge(&self, id: &str, at: i64, balance: Credits) -> Result<bool> {
        let Some(kept) = self.current().accounts.get(id).cloned() else {
            return Ok(false);
        };
        let Some(threshold) = kept.threshold else {
            return Ok(false);
        };
        let mut rule = kept.rule;
        let alert = rule.observe(threshold, balance, at);
        if rule != kept.rule {
            self.change(|f| {
                if let Some(account) = f.accounts.get_mut(id) {
                    account.rule = rule;
                }
            })?;
        }
        Ok(alert)
    }

    /// An account's threshold and sightings, from one read of the file.
    pub fn kept(&self, id: &str) -> (Option<Credits>, Vec<Observation>) {
        self.current()
            .accounts
            .get(id)
            .map(|a| (a.threshold, a.seen.clone()))
            .unwrap_or_default()
    }

    /// Whether any account has a threshold (removed accounts are forgotten).
    pub fn any_threshold(&self) -> bool {
        self.current()
            .accounts
            .values()
            .any(|a| a.threshold.is_some())
    }

    pub fn last_seen(&self, id: &str) -> Option<Observation> {
        lock(&self.file)
            .accounts
            .get(id)
            .and_then(|a| a.seen.last().copied())
    }

    /// Drops everything kept for an account that was removed.
    pub fn forget(&self, id: &str) -> Result<()> {
        if !self.current().accounts.contains_key(id) {
            return Ok(());
        }
        self.change(|f| {
            f.accounts.remove(id);
        })
    }

    /// Changes a copy, writes it, and only then keeps it.
    fn change(&self, edit: impl FnOnce(&mut File)) -> Result<()> {
        let mut file = self.current();
        let mut next = File {
            accounts: file.accounts.clone(),
        };
        edit(&mut next);
        let json = serde_json::to_vec(&next).map_err(|e| Error::StorageFailed {
            detail: e.to_string(),
        })?;
        crate::storage::write_atomic(&self.path, &json).map_err(|e| Error::StorageFailed {
            detail: format!("{}: {e}", self.path.display()),
        })?;
        *file = next;
        Ok(())
    }
}

/// `None` when the file is missing or unreadable (said in the log).
fn read(path: &std::path::Path) -> Option<File> {
    let bytes = std::fs::read(path).ok()?;
    serde_json::from_slice(&bytes)
        .map_err(
            |e| tracing::warn!(error = %e, "alerts file unreadable; using what was read before"),
        )
        .ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thresholds_rule_and_sightings_survive_a_restart() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(ALERTS_FILE);
        let store = AlertStore::open(path.clone());
        store
            .set_threshold("a", Some(Credits(1000.into())))
            .unwrap();
        store.observe("a", 10, Credits(900.into())).unwrap();
        assert!(store.judge("a", 10, Credits(900.into())).unwrap());
        let again = AlertStore::open(path);
        assert_eq!(again.kept("a").0, Some(Credits(1000.into())));
        assert_eq!(again.last_seen("a").map(|o| o.at), Some(10));
        assert!(!again.judge("a", 20, Credits(800.into())).unwrap());
        again.forget("a").unwrap();
        assert_eq!(again.kept("a").0, None);
        assert!(again.kept("a").1.is_empty());
    }

    #[test]
    fn an_unreadable_file_means_no_thresholds() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(ALERTS_FILE);
        std::fs::write(&path, "{ not json").unwrap();
        let store = AlertStore::open(path);
        assert_eq!(store.kept("a").0, None);
        store.set_threshold("a", Some(Credits(5.into()))).unwrap();
        assert_eq!(store.kept("a").0, Some(Credits(5.into())));
    }

    #[test]
    fn a_change_made_by_another_process_is_seen_and_kept() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(ALERTS_FILE);
        let app = AlertStore::open(path.clone());
        app.observe("a", 10, Credits(900.into())).unwrap();
        let cli = AlertStore::open(path.clone());
        cli.set_threshold("a", Some(Credits(1000.into()))).unwrap();
        assert_eq!(app.kept("a").0, Some(Credits(1000.into())));
        app.observe("a", 20, Credits(800.into())).unwrap();
        assert_eq!(
            AlertStore::open(path).kept("a").0,
            Some(Credits(1000.into()))
        );
    }
}
