//! What was read of each account's history this run, for its standing: held
//! by `Accounts`, filled by `standing.rs`, one read at a time.

use std::collections::HashMap;
use std::sync::Mutex;

use super::forecast::SpendHistory;
use crate::provider::HistoryEntry;
use crate::sync::lock;

#[derive(Debug, Clone)]
pub(crate) struct Recent {
    pub(crate) spend: SpendHistory,
    pub(crate) newest: Option<HistoryEntry>,
    pub(crate) last_amount: Option<String>,
}

#[derive(Debug, Default)]
pub(crate) struct RecentReads {
    read: Mutex<HashMap<String, Recent>>,
    /// Held while one account's history is read: the window and the
    /// background refresh asking together must not both download.
    pub(crate) reading: tokio::sync::Mutex<()>,
}

impl RecentReads {
    pub(crate) fn get(&self, id: &str) -> Option<Recent> {
        lock(&self.read).get(id).cloned()
    }

    pub(crate) fn keep(&self, id: &str, recent: Recent) {
        lock(&self.read).insert(id.to_owned(), recent);
    }

    /// Signed out, or removed: read again next time.
    pub(crate) fn forget(&self, id: &str) {
        lock(&self.read).remove(id);
    }
}
