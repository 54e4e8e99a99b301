//! Clara as a [`Provider`].

use std::sync::Arc;

use async_trait::async_trait;
use secrecy::SecretString;

use super::{
    ClaraClient, ClaraSession, LoginOutcome, OtpPurpose, TransactionKind, TransactionWalk, User,
};
use crate::base_url::BaseUrl;
use crate::clock::Clock;
use crate::error::{Error, Result};
use crate::http::Http;
use crate::money::{Currency, Money, PriceList};
use crate::provider::*;

#[derive(Debug, Clone)]
pub struct ClaraProvider {
    client: ClaraClient,
    /// The path on the service's web client Stripe returns the browser to.
    return_path: String,
}

/// What Clara offers, known without asking it.
pub fn capabilities() -> Capabilities {
    Capabilities {
        balance: true,
        price: true,
        portal: true,
        history: true,
        currency: Currency::Usd,
        whole_units_only: true,
        sign_in: vec![
            SignInMethod::EmailPassword,
            SignInMethod::ApiKeyToken,
            SignInMethod::Google,
        ],
        enrolment: true,
    }
}

impl ClaraProvider {
    /// The provider for an account at `base`.
    pub fn for_account(base: BaseUrl, http: Http, clock: Arc<dyn Clock>) -> Self {
        Self::new(
            ClaraClient::new(base, http, clock),
            super::DEFAULT_RETURN_PATH,
        )
    }

    pub fn new(client: ClaraClient, return_path: impl Into<String>) -> Self {
        Self {
            client,
            return_path: return_path.into(),
        }
    }

    pub fn client(&self) -> &ClaraClient {
        &self.client
    }
}

fn clara(session: &Session) -> Result<&ClaraSession> {
    match session {
        Session::Clara(s) => Ok(s),
        Session::Dispersed(_) => Err(Error::Unsupported {
            what: "A Dispersed key pair".into(),
        }),
    }
}

fn account(user: &User) -> Account {
    Account {
        id: user.id.clone(),
        email: Some(user.email.clone()),
        display_name: user.display_name(),
        balance: Some(user.credits),
        can_buy: user.can_buy(),
    }
}

#[async_trait]
impl Provider for ClaraProvider {
    fn kind(&self) -> ProviderKind {
        ProviderKind::Clara
    }

    fn capabilities(&self) -> Capabilities {
        capabilities()
    }

    async fn sign_in(&self, credentials: Credentials) -> Result<SignIn> {
        let (session, user) = match credentials {
            Credentials::EmailPassword {
                email,
                password,
                code,
            } => match self
                .client
                .login(&email, &password, code.as_deref())
                .await?
            {
                LoginOutcome::SignedIn { session, user } => (session, user),
                LoginOutcome::CodeRequired => return Ok(SignIn::CodeRequired),
            },
            Credentials::ApiKeyToken(token) => self.client.api_key_sign_in(token).await?,
            Credentials::GoogleIdToken(id_token) => self.client.google_sign_in(&id_token).await?,
            Credentials::KeyPair(_) => {
                return Err(Error::Unsupported {
                    what: "Signing in to Clara with a key pair".into(),
                })
            }
        };
        Ok(SignIn::SignedIn {
            account: account(&user),
            session: Session::Clara(session),
        })
    }

    async fn sign_out(&self, session: &Session) -> Result<()> {
        self.client.logout(clara(session)?).await
    }

    async fn account(&self, session: &Session) -> Result<Account> {
        Ok(account(&self.client.user(clara(session)?).await?))
    }

    async fn price(&self, session: &Session) -> Result<Option<PriceList>> {
        Ok(Some(self.client.rate(clara(session)?).await?))
    }

    async fn start_purchase(&self, session: &Session, amount: Money) -> Result<StartedPurchase> {
        let s = clara(session)?;
        // What "landed" will be measured against, taken before buying.
        let before = self.client.user(s).await?;
        let newest = self.client.newest_transactions(s).await?.into_iter().next();
        // Clara shows no checkout sessions, so a lost answer cannot be looked
        // up: said plainly (nothing is charged until a checkout is paid).
        let checkout = self
            .client
            .buy(s, amount, &self.return_path)
            .await
            .map_err(Error::unless_unconfirmed)?;
        Ok(StartedPurchase {
            reference: PurchaseRef::Clara {
                balance_before: before.credits,
                newest_transaction_id: newest.as_ref().map(|t| t.id.clone()),
                newest_transaction_at: newest.as_ref().map(|t| unix(t.created_at)),
                expected_credits: checkout.credits,
            },
            checkout_url: checkout.url,
            amount: checkout.amount,
            expected_credits: Some(checkout.credits),
            // Stripe's default: the boilerplate sets no expiry (§8.5.2).
            expires_at: Some(self.client.clock().now() + std::time::Duration::from_secs(24 * 3600)),
        })
    }

    async fn purchase_status(
        &self,
        session: &Session,
        purchase: &PurchaseRef,
    ) -> Result<PurchaseStatus> {
        let s = clara(session)?;
        let PurchaseRef::Clara {
            balance_before,
            newest_transaction_id,
            newest_transaction_at,
            expected_credits,
        } = purchase
        else {
            return Err(Error::Unsupported {
                what: "A Dispersed purchase".into(),
            });
        };
        // The balance alone while it has not moved: one request per check,
        // which is what keeps the watcher within its request budget. A moved
        // balance (up, or down by spending) is when the transaction list can
        // tell a landed purchase; rows are written no earlier than the balance
        // is credited, so a balance that rose is a landing even before its row
        // shows. What this cannot see is a credit exactly cancelled out by
        // spending between two checks; the row is found at the next move.
        let user = self.client.user(s).await?;
        if user.credits == *balance_before {
            return Ok(PurchaseStatus::Pending);
        }
        let rows = self.client.newest_transactions(s).await?;
        let receipt = rows
            .iter()
            .find(|t| {
                // A new CREDIT row for exactly these credits, at or after the
                // newest row seen before buying (server time on both sides: no
                // clock skew).
                t.kind == TransactionKind::Credit
                    && t.credits == *expected_credits
                    && Some(&t.id) != newest_transaction_id.as_ref()
                    && newest_transaction_at.is_none_or(|at| unix(t.created_at) >= at)
            })
            .map(|t| t.description.clone());
        let balance_rose = user.credits >= *balance_before + *expected_credits;
        if receipt.is_some() || balance_rose {
            return Ok(PurchaseStatus::Landed {
                credits: Some(*expected_credits),
                balance: Some(user.credits),
                receipt,
            });
        }
        Ok(PurchaseStatus::Pending)
    }

    fn history(&self, session: &Session) -> Result<Box<dyn HistoryReader>> {
        Ok(Box::new(Transactions(TransactionWalk::everything(
            self.client.clone(),
            clara(session)?.clone(),
        ))))
    }

    /// Not the whole history a boilerplate deployment answers `limit=100`
    /// with: its newest 99 rows, then older pages where the server pages.
    fn recent_history(&self, session: &Session) -> Result<Box<dyn HistoryReader>> {
        Ok(Box::new(Transactions(TransactionWalk::newest(
            self.client.clone(),
            clara(session)?.clone(),
        ))))
    }

    async fn billing_portal(&self, session: &Session) -> Result<url::Url> {
        self.client.portal(clara(session)?).await
    }

    fn enrolment(&self) -> Option<&dyn Enrolment> {
        Some(self)
    }
}

#[async_trait]
impl Enrolment for ClaraProvider {
    async fn email_code(
        &self,
        email: &str,
        purpose: CodePurpose,
        public_key: &SecretString,
    ) -> Result<()> {
        let purpose = match purpose {
            CodePurpose::TwoFactor => OtpPurpose::TwoFactorAuth,
            CodePurpose::Activation => OtpPurpose::Activation,
        };
        self.client.send_otp(email, purpose, public_key).await
    }

    async fn register(
        &self,
        who: Registration<'_>,
        public_key: &SecretString,
    ) -> Result<(Session, Account)> {
        let (session, user) = self
            .client
            .register(
                who.first_name,
                who.last_name,
                who.email,
                who.password,
                public_key,
            )
            .await?;
        Ok((Session::Clara(session), account(&user)))
    }

    async fn activate(&self, email: &str, code: &str, public_key: &SecretString) -> Result<()> {
        self.client
            .activate(email, code, public_key)
            .await
            .map(drop)
    }
}

/// The history of a Clara account: its transactions, credits in and out.
struct Transactions(TransactionWalk);

#[async_trait]
impl HistoryReader for Transactions {
    async fn next(&mut self) -> Result<HistoryChunk> {
        let rows = self.0.next().await?.unwrap_or_default();
        Ok(HistoryChunk {
            entries: rows
                .into_iter()
                .map(|t| HistoryEntry {
                    id: t.id,
                    at: Some(unix(t.created_at)),
                    description: t.description,
                    credits: Some(t.credits),
                    amount: Some(t.fiat),
                    incoming: t.kind == TransactionKind::Credit,
                    status: None,
                })
                .collect(),
            more: !self.0.done(),
        })
    }
}
