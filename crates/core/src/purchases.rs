//! Buying, on top of the accounts service: start a purchase (one in flight per
//! account), check its checkout link against the account's policy, hand the
//! watch loop what it needs, and read the history and the billing portal.
//! The shell opens the links; nothing here touches a browser.

use std::sync::Arc;
use std::time::{Duration, UNIX_EPOCH};

use serde::Serialize;
use url::Url;

use crate::accounts::AccountRecord;
use crate::checkout::{Page, Policy};
use crate::error::{Error, Result};
use crate::history::{HistoryPage, HistoryQuery};
use crate::pending::PendingPurchase;
use crate::presets::PresetId;
use crate::provider::unix;
use crate::service::Accounts;
use crate::sync::lock;
use crate::watch::{Job, Schedule};

/// The outcome of pressing Buy.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum BuyOutcome {
    /// A new checkout was created; its page is to be opened.
    Started { purchase: PendingPurchase },
    /// The account already has a purchase in flight: nothing new was created.
    AlreadyPending { purchase: PendingPurchase },
}

impl BuyOutcome {
    pub fn purchase(&self) -> &PendingPurchase {
        match self {
            Self::Started { purchase } | Self::AlreadyPending { purchase } => purchase,
        }
    }
}

impl Accounts {
    /// Which checkout and portal pages this account may open: Stripe's own
    /// hosts, the origins in its settings, and the Sandbox's origin for the
    /// Sandbox account.
    pub fn checkout_policy(&self, record: &AccountRecord) -> Result<Policy> {
        let base = self.base_url(record)?;
        let mut extra_origins = record.checkout_origins.clone();
        if record.preset == PresetId::Sandbox {
            if let Some(origin) = self.sandbox_origin() {
                extra_origins.push(origin.as_url().origin().ascii_serialization());
            }
        }
        Ok(Policy {
            extra_origins,
            loopback_account: base.is_loopback(),
        })
    }

    /// What to say about the account's checkout pages when it is added or its
    /// settings are saved (see [`Policy::setup_note`]).
    pub fn checkout_note(&self, id: &str) -> Result<Option<String>> {
        Ok(self.checkout_policy(&self.record(id)?)?.setup_note())
    }

    /// The account's purchase in flight, if any.
    pub fn pending_purchase(&self, id: &str) -> Result<Option<PendingPurchase>> {
        self.pending.for_account(id)
    }

    /// Starts a purchase of what `input` reads as, or returns the one already
    /// in flight. The amount is checked before anything is sent, the checkout
    /// link against the account's policy before anything is kept: a refused
    /// link leaves nothing to open or watch.
    pub async fn buy(&self, id: &str, input: &str) -> Result<BuyOutcome> {
        let gate = lock(&self.buying).entry(id.to_owned()).or_default().clone();
        let _one_at_a_time = gate.lock().await;
        if let Some(purchase) = self.pending.for_account(id)? {
            return Ok(BuyOutcome::AlreadyPending { purchase });
        }
        let quote = self.quote(id, input)?;
        let record = self.record(id)?;
        let policy = self.checkout_policy(&record)?;
        let session = self.session(id)?;
        let started = self
            .provider(&record)?
            .start_purchase(&session, quote.amount)
            .await;
        let started = self.forget_if_ended(id, started).await?;
        let url = policy.check(started.checkout_url.as_str(), Page::Checkout)?;
        let purchase = PendingPurchase {
            account_id: id.to_owned(),
            reference: started.reference,
            checkout_url: url.to_string(),
            amount: started.amount,
            expected_credits: started.expected_credits.or(quote.credits),
            started_at: unix(self.clock().now()),
            expires_at: started.expires_at.map(unix),
        };
        self.pending.put(purchase.clone())?;
        tracing::info!(account = %id, amount = %purchase.amount, "purchase started");
        Ok(BuyOutcome::Started { purchase })
    }

    /// The pending purchase's checkout link, checked again before reopening
    /// (the file it was kept in is not trusted more than a server).
    pub fn checkout_url(&self, id: &str) -> Result<Url> {
        let purchase = self.pending.for_account(id)?.ok_or(Error::NotFound {
            what: "A purchase in progress".into(),
        })?;
        let policy = self.checkout_policy(&self.record(id)?)?;
        policy.check(&purchase.checkout_url, Page::Checkout)
    }

    /// What the watch loop needs for a pending purchase (its account must be
    /// signed in).
    pub fn watch_job(&self, purchase: &PendingPurchase, schedule: Schedule) -> Result<Job> {
        let id = &purchase.account_id;
        let record = self.record(id)?;
        let at = |unix: i64| UNIX_EPOCH + Duration::from_secs(u64::try_from(unix).unwrap_or(0));
        Ok(Job {
            provider: self.provider(&record)?,
            session: self.session(id)?,
            reference: purchase.reference.clone(),
            started_at: at(purchase.started_at),
            clock: Arc::clone(self.clock()),
            schedule,
            expires_at: purchase.expires_at.map(at),
        })
    }

    /// Forgets the account's pending purchase (landed, expired or abandoned).
    pub fn end_purchase(&self, id: &str) -> Result<()> {
        self.pending.remove(id)
    }

    /// Forgets `purchase` once it ended, unless a newer one has taken its place.
    pub fn finish_purchase(&self, purchase: &PendingPurchase) -> Result<()> {
        self.pending
            .remove_if(&purchase.account_id, |current| current == purchase)
    }

    /// A page of the account's history, newest first (see [`crate::history`]).
    pub async fn history(&self, id: &str, query: &HistoryQuery) -> Result<HistoryPage> {
        let record = self.record(id)?;
        let book = self.histories.book(id, query.fresh, || {
            self.provider(&record)?.history(&self.session(id)?)
        })?;
        let result = book.lock().await.page(query).await;
        if result.is_err() {
            // Half-read is not worth keeping: the next look starts afresh.
            self.histories.drop_book(id);
        }
        self.forget_if_ended(id, result).await
    }

    /// A billing-portal link for the account, checked against its policy.
    pub async fn billing_portal(&self, id: &str) -> Result<Url> {
        let record = self.record(id)?;
        let policy = self.checkout_policy(&record)?;
        let session = self.session(id)?;
        let url = self.provider(&record)?.billing_portal(&session).await;
        let url = self.forget_if_ended(id, url).await?;
        policy.check(url.as_str(), Page::Portal)
    }
}
