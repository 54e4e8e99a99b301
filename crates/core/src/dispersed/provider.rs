//! Dispersed as a [`Provider`]: no balance, no prices, no portal (§9).

use std::sync::Arc;

use async_trait::async_trait;
use rand::RngCore;

use super::{CreatedPurchase, DispersedClient, KeyPair, PurchaseState, Sort};
use crate::base_url::BaseUrl;
use crate::clock::Clock;
use crate::error::{Error, ErrorCode, Result};
use crate::http::Http;
use crate::money::{Currency, Money, PriceList};
use crate::provider::*;

#[derive(Debug, Clone)]
pub struct DispersedProvider {
    base: BaseUrl,
    http: Http,
    clock: Arc<dyn Clock>,
    redirect_url: String,
    cancel_url: String,
}

/// How many creations one Buy may try when the earlier ones' outcomes were
/// unknown and a look-up showed what became of them.
const CREATION_ATTEMPTS: u32 = 3;

/// A reference unique to one creation attempt, carried in the purchase's
/// memo (ASCII, so the signed body is the same under every JSON encoder):
/// an attempt whose answer was lost can then be looked up.
fn client_reference() -> String {
    let mut bytes = [0u8; 8];
    rand::rng().fill_bytes(&mut bytes);
    format!("Topup {}", hex::encode(bytes))
}

fn started(created: CreatedPurchase) -> StartedPurchase {
    StartedPurchase {
        reference: PurchaseRef::Dispersed {
            checkout_session_id: created.checkout_session_id,
        },
        checkout_url: created.checkout_url,
        amount: created.amount,
        expected_credits: None,
        expires_at: created.expires_at,
    }
}

/// What Dispersed offers, known without asking it.
pub fn capabilities() -> Capabilities {
    Capabilities {
        balance: false,
        price: false,
        portal: false,
        history: true,
        currency: Currency::Eur,
        whole_units_only: false,
        sign_in: vec![SignInMethod::KeyPair],
        enrolment: false,
    }
}

impl DispersedProvider {
    /// The provider for an account at `base`. Dispersed only accepts Console
    /// return URLs; a loopback stand-in serves its own console pages.
    pub fn for_account(base: BaseUrl, http: Http, clock: Arc<dyn Clock>) -> Self {
        let (ok, cancel) = if base.is_loopback() {
            let origin = base.as_url().origin().ascii_serialization();
            (
                format!("{origin}/console/billing?checkout=success"),
                format!("{origin}/console/billing?checkout=cancelled"),
            )
        } else {
            (
                super::CONSOLE_SUCCESS_URL.to_owned(),
                super::CONSOLE_CANCEL_URL.to_owned(),
            )
        };
        Self::new(base, http, clock, ok, cancel)
    }

    /// `redirect_url` and `cancel_url` must be on an allowed Console domain.
    pub fn new(
        base: BaseUrl,
        http: Http,
        clock: Arc<dyn Clock>,
        redirect_url: impl Into<String>,
        cancel_url: impl Into<String>,
    ) -> Self {
        Self {
            base,
            http,
            clock,
            redirect_url: redirect_url.into(),
            cancel_url: cancel_url.into(),
        }
    }

    pub fn client(&self, keys: &KeyPair) -> DispersedClient {
        DispersedClient::new(
            self.base.clone(),
            self.http.clone(),
            keys.clone(),
            self.clock.clone(),
        )
    }

    fn client_for(&self, session: &Session) -> Result<DispersedClient> {
        match session {
            Session::Dispersed(keys) => Ok(self.client(keys)),
            Session::Clara(_) => Err(Error::Unsupported {
                what: "A Clara session".into(),
            }),
        }
    }
}

fn account(keys: &KeyPair) -> Account {
    Account {
        id: keys.public_key.clone(),
        email: None,
        display_name: format!("Dispersed key {}", keys.public_key),
        balance: None,
        can_buy: true,
    }
}

#[async_trait]
impl Provider for DispersedProvider {
    fn kind(&self) -> ProviderKind {
        ProviderKind::Dispersed
    }

    fn capabilities(&self) -> Capabilities {
        capabilities()
    }

    async fn sign_in(&self, credentials: Credentials) -> Result<SignIn> {
        let Credentials::KeyPair(keys) = credentials else {
            return Err(Error::Unsupported {
                what: "Signing in to Dispersed without a key pair".into(),
            });
        };
        // Validated by a signed call before anything is saved.
        self.client(&keys).validate_keys().await?;
        Ok(SignIn::SignedIn {
            account: account(&keys),
            session: Session::Dispersed(keys),
        })
    }

    async fn sign_out(&self, _session: &Session) -> Result<()> {
        // Key pairs have no server session; forgetting them locally is all.
        Ok(())
    }

    async fn account(&self, session: &Session) -> Result<Account> {
        let client = self.client_for(session)?;
        client.validate_keys().await?;
        match session {
            Session::Dispersed(keys) => Ok(account(keys)),
            Session::Clara(_) => Err(Error::Unsupported {
                what: "A Clara session".into(),
            }),
        }
    }

    async fn price(&self, _session: &Session) -> Result<Option<PriceList>> {
        Ok(None)
    }

    /// Creates the purchase. When the answer is lost (a 5xx, a dropped
    /// connection, no answer in time, one that cannot be read), the attempt's client reference is
    /// looked up among the account's pending purchases instead of guessing:
    /// not there means nothing was created, and creating again is safe.
    /// There means it was created; Dispersed shows no payment page for an
    /// existing purchase, so that one is left to expire unpaid (it costs
    /// nothing) and a new one is created whose page can be opened.
    async fn start_purchase(&self, session: &Session, amount: Money) -> Result<StartedPurchase> {
        let client = self.client_for(session)?;
        let mut attempt = 1;
        loop {
            let memo = client_reference();
            let err = match client
                .create_purchase(amount, &self.redirect_url, &self.cancel_url, Some(&memo))
                .await
            {
                Ok(created) => return Ok(started(created)),
                // A 5xx, a dropped connection, no answer in time, or one that
                // could not be read: the page, if there is one, is lost.
                Err(e)
                    if e.code().outcome_unknown() || e.code() == ErrorCode::MalformedResponse =>
                {
                    e
                }
                Err(e) => return Err(e),
            };
            match client.pending_purchase_with_memo(&memo).await {
                Ok(Some(lost)) => tracing::warn!(
                    attempt,
                    checkout_session = %lost.checkout_session_id,
                    code = %err.code(),
                    "a purchase was created but its answer was lost; it expires unpaid"
                ),
                Ok(None) => tracing::info!(
                    attempt,
                    code = %err.code(),
                    "the purchase was not created; creating it again is safe"
                ),
                // Nothing tells what became of it.
                Err(_) => return Err(err.unless_unconfirmed()),
            }
            if attempt >= CREATION_ATTEMPTS {
                // What became of every attempt is known: the service's own failure stands.
                return Err(err);
            }
            attempt += 1;
        }
    }

    async fn purchase_status(
        &self,
        session: &Session,
        purchase: &PurchaseRef,
    ) -> Result<PurchaseStatus> {
        let PurchaseRef::Dispersed {
            checkout_session_id,
        } = purchase
        else {
            return Err(Error::Unsupported {
                what: "A Clara purchase".into(),
            });
        };
        let p = self
            .client_for(session)?
            .reconcile(checkout_session_id)
            .await?;
        Ok(match p.state {
            Some(PurchaseState::Completed) => PurchaseStatus::Landed {
                credits: None,
                balance: None,
                receipt: Some(match p.amount {
                    Some(a) => format!("Credit purchase of {a} completed."),
                    None => "Credit purchase completed.".to_owned(),
                }),
            },
            Some(PurchaseState::Expired) => PurchaseStatus::Expired,
            Some(PurchaseState::Pending) | None => PurchaseStatus::Pending,
        })
    }

    fn history(&self, session: &Session) -> Result<Box<dyn HistoryReader>> {
        Ok(Box::new(Purchases {
            client: self.client_for(session)?,
            next_page: Some(1),
        }))
    }

    async fn billing_portal(&self, _session: &Session) -> Result<url::Url> {
        Err(Error::Unsupported {
            what: "A billing portal".into(),
        })
    }
}

/// The history of a Dispersed account: its credit purchases, a server page
/// at a time, newest first (the service pages and counts them).
struct Purchases {
    client: DispersedClient,
    next_page: Option<u64>,
}

/// The largest page Dispersed serves (§ List Credit Purchases: 1–50).
const PURCHASES_PAGE: u64 = 50;

#[async_trait]
impl HistoryReader for Purchases {
    async fn next(&mut self) -> Result<HistoryChunk> {
        let Some(page) = self.next_page else {
            return Ok(HistoryChunk::default());
        };
        let list = self
            .client
            .list_purchases(page, PURCHASES_PAGE, Sort::NewestFirst, &[])
            .await?;
        self.next_page =
            (page * list.limit < list.total && !list.purchases.is_empty()).then_some(page + 1);
        Ok(HistoryChunk {
            more: self.next_page.is_some(),
            entries: list
                .purchases
                .iter()
                .map(|p| HistoryEntry {
                    id: p.checkout_session_id.clone(),
                    at: p.created_at.map(unix),
                    description: match p.amount {
                        Some(a) => format!("Credit purchase of {a}"),
                        None => "Credit purchase".to_owned(),
                    },
                    credits: None,
                    amount: p.amount,
                    incoming: true,
                    status: p.state.map(Into::into),
                })
                .collect(),
        })
    }
}
