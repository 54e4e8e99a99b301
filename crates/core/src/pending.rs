//! Pending purchases, persisted so the watcher survives a restart. Nothing
//! secret: the account, how to recognise the purchase, the checkout link and
//! when it started. One purchase in flight per account.

use std::fs;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::money::{Credits, Money};
use crate::provider::PurchaseRef;

pub const PENDING_FILE: &str = "pending.json";

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct PendingPurchase {
    pub account_id: String,
    pub reference: PurchaseRef,
    pub checkout_url: String,
    pub amount: Money,
    pub expected_credits: Option<Credits>,
    /// Unix seconds.
    #[cfg_attr(feature = "specta", specta(type = i32))]
    pub started_at: i64,
    #[cfg_attr(feature = "specta", specta(type = Option<i32>))]
    pub expires_at: Option<i64>,
}

#[derive(Debug, Default, Serialize, Deserialize)]
struct File {
    version: u32,
    purchases: Vec<PendingPurchase>,
}

/// The pending purchases file, read and written whole (it holds a handful).
/// Changes are read-modify-write under one lock, so a watch ending and a
/// person pressing Cancel at the same moment cannot undo each other.
#[derive(Debug, Clone)]
pub struct PendingStore {
    path: PathBuf,
    lock: Arc<Mutex<()>>,
}

impl PendingStore {
    pub fn new(path: PathBuf) -> Self {
        Self {
            path,
            lock: Arc::default(),
        }
    }

    fn update(&self, change: impl FnOnce(&mut Vec<PendingPurchase>) -> bool) -> Result<()> {
        let _guard = self.lock.lock().unwrap_or_else(|e| e.into_inner());
        let mut all = self.all()?;
        if change(&mut all) {
            self.write(all)?;
        }
        Ok(())
    }

    pub fn all(&self) -> Result<Vec<PendingPurchase>> {
        match fs::read_to_string(&self.path) {
            Ok(text) => serde_json::from_str::<File>(&text)
                .map(|f| f.purchases)
                .map_err(|e| Error::StorageFailed {
                    detail: format!("{}: {e}", self.path.display()),
                }),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Vec::new()),
            Err(e) => Err(Error::StorageFailed {
                detail: format!("{}: {e}", self.path.display()),
            }),
        }
    }

    pub fn for_account(&self, account_id: &str) -> Result<Option<PendingPurchase>> {
        Ok(self.all()?.into_iter().find(|p| p.account_id == account_id))
    }

    /// Records a purchase; an account's earlier pending purchase is replaced.
    pub fn put(&self, purchase: PendingPurchase) -> Result<()> {
        self.update(|all| {
            all.retain(|p| p.account_id != purchase.account_id);
            all.push(purchase);
            true
        })
    }

    pub fn remove(&self, account_id: &str) -> Result<()> {
        self.remove_if(account_id, |_| true)
    }

    /// Removes the account's pending purchase if `which` says it is the one.
    pub fn remove_if(
        &self,
        account_id: &str,
        which: impl Fn(&PendingPurchase) -> bool,
    ) -> Result<()> {
        self.update(|all| {
            let before = all.len();
            all.retain(|p| p.account_id != account_id || !which(p));
            all.len() != before
        })
    }

    fn write(&self, purchases: Vec<PendingPurchase>) -> Result<()> {
        let storage = |e: std::io::Error| Error::StorageFailed {
            detail: format!("{}: {e}", self.path.display()),
        };
        let json = serde_json::to_vec_pretty(&File {
            version: 1,
            purchases,
        })
        .map_err(|e| Error::StorageFailed {
            detail: e.to_string(),
        })?;
        crate::storage::write_atomic(&self.path, &json).map_err(storage)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::money::Currency;

    fn purchase(account: &str, id: &str) -> PendingPurchase {
        PendingPurchase {
            account_id: account.into(),
            reference: PurchaseRef::Dispersed {
                checkout_session_id: id.into(),
            },
            checkout_url: format!("https://checkout.stripe.com/c/pay/{id}"),
            amount: Money::major(Currency::Eur, 10),
            expected_credits: None,
            started_at: 1_700_000_000,
            expires_at: Some(1_700_086_400),
        }
    }

    #[test]
    fn one_pending_purchase_per_account_survives_on_disk() {
        let dir = std::env::temp_dir().join(format!(
            "topup-pending-{}",
            crate::accounts::new_account_id()
        ));
        let store = PendingStore::new(dir.join(PENDING_FILE));
        assert!(store.all().unwrap().is_empty());
        store.put(purchase("a", "cs_1")).unwrap();
        store.put(purchase("b", "cs_2")).unwrap();
        store.put(purchase("a", "cs_3")).unwrap();
        let again = PendingStore::new(dir.join(PENDING_FILE));
        assert_eq!(again.all().unwrap().len(), 2);
        assert_eq!(
            again.for_account("a").unwrap().unwrap().checkout_url,
            "https://checkout.stripe.com/c/pay/cs_3"
        );
        again.remove("a").unwrap();
        again.remove("a").unwrap();
        assert_eq!(again.for_account("a").unwrap(), None);
        assert!(again.for_account("b").unwrap().is_some());
        let text = fs::read_to_string(dir.join(PENDING_FILE)).unwrap();
        assert!(text.contains("\"provider\": \"dispersed\""), "{text}");
        fs::remove_dir_all(dir).unwrap();
    }
}
