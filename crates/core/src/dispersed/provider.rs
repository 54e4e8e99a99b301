//! Dispersed as a [`Provider`]: no balance, no prices, no portal (§9).

use std::sync::Arc;

use async_trait::async_trait;

use super::{DispersedClient, KeyPair, PurchaseState, Sort};
use crate::base_url::BaseUrl;
use crate::clock::Clock;
use crate::error::{Error, Result};
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
    memo: String,
}

impl DispersedProvider {
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
            memo: "Topup".to_owned(),
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
        Capabilities {
            balance: false,
            price: false,
            portal: false,
            history: true,
            currency: Currency::Eur,
            whole_units_only: false,
            sign_in: vec![SignInMethod::KeyPair],
        }
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

    async fn start_purchase(&self, session: &Session, amount: Money) -> Result<StartedPurchase> {
        let created = self
            .client_for(session)?
            .create_purchase(
                amount,
                &self.redirect_url,
                &self.cancel_url,
                Some(&self.memo),
            )
            .await?;
        Ok(StartedPurchase {
            reference: PurchaseRef::Dispersed {
                checkout_session_id: created.checkout_session_id,
            },
            checkout_url: created.checkout_url,
            amount: created.amount,
            expected_credits: None,
            expires_at: created.expires_at,
        })
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

    async fn history(&self, session: &Session, page: u32) -> Result<HistoryPage> {
        let page = page.max(1);
        let list = self
            .client_for(session)?
            .list_purchases(u64::from(page), HISTORY_PAGE as u64, Sort::NewestFirst, &[])
            .await?;
        let entries = list
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
            .collect();
        Ok(HistoryPage {
            entries,
            page,
            has_more: u64::from(page) * list.limit < list.total,
        })
    }

    async fn billing_portal(&self, _session: &Session) -> Result<url::Url> {
        Err(Error::Unsupported {
            what: "A billing portal".into(),
        })
    }
}
