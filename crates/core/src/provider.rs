//! One surface for every backend: the [`Provider`] trait that the Clara and
//! Dispersed clients implement, and the values it speaks in. Providers are
//! peers: a third one implements the trait in its own module and touches
//! neither of the others.

use std::fmt;
use std::time::SystemTime;

use async_trait::async_trait;
use secrecy::SecretString;
use serde::{Deserialize, Serialize};

use crate::clara::ClaraSession;
use crate::dispersed::{KeyPair, PurchaseState};
use crate::error::Result;
use crate::money::{Credits, Currency, Money, PriceList};

/// The wire protocol of a backend.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum ProviderKind {
    /// Clara-Backend and any Flask Backend Boilerplate deployment.
    Clara,
    /// Dispersed's HMAC-signed compute ledger API.
    Dispersed,
}

/// The registration: the one place that names every provider. Adding one
/// is a variant above and an arm in each of these.
impl ProviderKind {
    pub const ALL: [Self; 2] = [Self::Clara, Self::Dispersed];

    /// The protocol's name, as people know the service ("Clara").
    pub const fn display_name(self) -> &'static str {
        match self {
            Self::Clara => "Clara",
            Self::Dispersed => "Dispersed",
        }
    }

    /// What the provider offers, known without asking it.
    pub fn capabilities(self) -> Capabilities {
        match self {
            Self::Clara => crate::clara::capabilities(),
            Self::Dispersed => crate::dispersed::capabilities(),
        }
    }

    /// The provider for an account at `base`.
    pub fn provider(
        self,
        base: crate::base_url::BaseUrl,
        http: crate::http::Http,
        clock: std::sync::Arc<dyn crate::clock::Clock>,
    ) -> std::sync::Arc<dyn Provider> {
        match self {
            Self::Clara => {
                std::sync::Arc::new(crate::clara::ClaraProvider::for_account(base, http, clock))
            }
            Self::Dispersed => std::sync::Arc::new(
                crate::dispersed::DispersedProvider::for_account(base, http, clock),
            ),
        }
    }
}

/// How a person proves who they are to a provider.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum SignInMethod {
    /// Email and password, with a 2FA code step when the account has it on.
    EmailPassword,
    /// A long-lived `clara_api_…` token.
    ApiKeyToken,
    /// A Google account, through the system browser.
    Google,
    /// A `pk_…` / `sk_…` pair that signs every request.
    KeyPair,
}

/// What a provider offers, so the UI adapts instead of failing.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct Capabilities {
    /// The provider publishes a balance.
    pub balance: bool,
    /// The provider publishes prices (tiers and limits).
    pub price: bool,
    /// There is a billing portal.
    pub portal: bool,
    pub history: bool,
    pub currency: Currency,
    /// Amounts must be whole units (Clara buys whole US dollars).
    pub whole_units_only: bool,
    pub sign_in: Vec<SignInMethod>,
    /// New accounts can be opened from Topup, and the service emails
    /// one-time codes (two-factor, activation), given the deployment's
    /// public API key ([`Provider::enrolment`]).
    pub enrolment: bool,
}

/// What a person signs in with. Secrets are redacted types.
#[derive(Clone)]
pub enum Credentials {
    EmailPassword {
        email: String,
        password: SecretString,
        code: Option<String>,
    },
    ApiKeyToken(SecretString),
    GoogleIdToken(SecretString),
    KeyPair(KeyPair),
}

impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::EmailPassword { email, code, .. } => f
                .debug_struct("EmailPassword")
                .field("email", email)
                .field("password", &"[REDACTED]")
                .field("code", &code.as_ref().map(|_| "[REDACTED]"))
                .finish(),
            Self::ApiKeyToken(_) => f.write_str("ApiKeyToken([REDACTED])"),
            Self::GoogleIdToken(_) => f.write_str("GoogleIdToken([REDACTED])"),
            Self::KeyPair(k) => f.debug_tuple("KeyPair").field(k).finish(),
        }
    }
}

/// What must be kept (in the keychain) to act as a signed-in account. Each
/// provider's session type says how it is stored; the keychain holds this
/// enum's JSON (`{"kind": "clara", …}`) and nothing else.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Session {
    Clara(ClaraSession),
    Dispersed(KeyPair),
}

/// Who is signed in, and their balance when the provider has one.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct Account {
    pub id: String,
    pub email: Option<String>,
    pub display_name: String,
    pub balance: Option<Credits>,
    /// False when the provider would refuse a purchase (Clara: inactive, or a name missing).
    pub can_buy: bool,
}

/// The outcome of signing in.
#[derive(Debug, Clone)]
pub enum SignIn {
    SignedIn {
        session: Session,
        account: Account,
    },
    /// A two-factor code is needed: sign in again with it.
    CodeRequired,
}

/// How to recognise a purchase later, persisted while it is pending (nothing secret).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(tag = "provider", rename_all = "snake_case")]
pub enum PurchaseRef {
    /// Clara has no purchase object: the balance and the newest transaction
    /// before buying, and the credits expected, tell when it landed.
    Clara {
        balance_before: Credits,
        newest_transaction_id: Option<String>,
        /// Server time (Unix seconds) of that transaction.
        #[cfg_attr(feature = "specta", specta(type = Option<i32>))]
        newest_transaction_at: Option<i64>,
        expected_credits: Credits,
    },
    /// Dispersed reconciles by Checkout Session id.
    Dispersed { checkout_session_id: String },
}

/// A purchase that was just created: what to watch and what to open.
#[derive(Debug, Clone, PartialEq)]
pub struct StartedPurchase {
    pub reference: PurchaseRef,
    pub checkout_url: url::Url,
    pub amount: Money,
    pub expected_credits: Option<Credits>,
    pub expires_at: Option<SystemTime>,
}

/// Where a purchase stands.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum PurchaseStatus {
    Pending,
    Landed {
        credits: Option<Credits>,
        balance: Option<Credits>,
        /// The service's own line for it (`User bought 500.0 credits for $5.0.`).
        receipt: Option<String>,
    },
    Expired,
}

/// One line of history.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct HistoryEntry {
    pub id: String,
    /// Unix seconds.
    #[cfg_attr(feature = "specta", specta(type = Option<i32>))]
    pub at: Option<i64>,
    pub description: String,
    pub credits: Option<Credits>,
    pub amount: Option<Money>,
    /// True for credits added or a purchase, false for credits spent.
    pub incoming: bool,
    pub status: Option<HistoryStatus>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum HistoryStatus {
    Pending,
    Completed,
    Expired,
}

impl From<PurchaseState> for HistoryStatus {
    fn from(s: PurchaseState) -> Self {
        match s {
            PurchaseState::Pending => Self::Pending,
            PurchaseState::Completed => Self::Completed,
            PurchaseState::Expired => Self::Expired,
        }
    }
}

/// An account's history read in chunks, newest first, each chunk older than
/// the one before; how big a chunk is depends on how the service pages.
#[async_trait]
pub trait HistoryReader: Send {
    /// The next entries (none once every entry has been read).
    async fn next(&mut self) -> Result<HistoryChunk>;
}

/// What one read of a history brought.
#[derive(Debug, Clone, Default)]
pub struct HistoryChunk {
    pub entries: Vec<HistoryEntry>,
    /// Whether there may be older entries to read.
    pub more: bool,
}

pub fn unix(t: SystemTime) -> i64 {
    t.duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
}

/// Which code to email.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum CodePurpose {
    TwoFactor,
    Activation,
}

/// A new account's details, as typed.
#[derive(Debug, Clone, Copy)]
pub struct Registration<'a> {
    pub first_name: &'a str,
    pub last_name: &'a str,
    pub email: &'a str,
    pub password: &'a SecretString,
}

/// Opening an account from Topup and the service's emailed one-time codes,
/// for a provider that has them ([`Capabilities::enrolment`]). Each call
/// carries the deployment's public API key.
#[async_trait]
pub trait Enrolment: Send + Sync {
    async fn email_code(
        &self,
        email: &str,
        purpose: CodePurpose,
        public_key: &SecretString,
    ) -> Result<()>;
    /// The new account is signed in, but inactive until activated.
    async fn register(
        &self,
        who: Registration<'_>,
        public_key: &SecretString,
    ) -> Result<(Session, Account)>;
    async fn activate(&self, email: &str, code: &str, public_key: &SecretString) -> Result<()>;
}

/// What every backend can do for Topup.
#[async_trait]
pub trait Provider: Send + Sync + fmt::Debug {
    fn kind(&self) -> ProviderKind;
    fn capabilities(&self) -> Capabilities;
    async fn sign_in(&self, credentials: Credentials) -> Result<SignIn>;
    /// Ends the session on the server where there is one.
    async fn sign_out(&self, session: &Session) -> Result<()>;
    async fn account(&self, session: &Session) -> Result<Account>;
    /// `None` when the provider publishes no prices.
    async fn price(&self, session: &Session) -> Result<Option<PriceList>>;
    /// Creates a checkout for `amount`. Never retried on its own.
    async fn start_purchase(&self, session: &Session, amount: Money) -> Result<StartedPurchase>;
    async fn purchase_status(
        &self,
        session: &Session,
        purchase: &PurchaseRef,
    ) -> Result<PurchaseStatus>;
    /// The history, newest first, read as [`crate::history`] asks for it.
    fn history(&self, session: &Session) -> Result<Box<dyn HistoryReader>>;
    /// The history for a look at the newest entries only (the forecast): a
    /// provider whose whole history may come in one answer starts smaller.
    fn recent_history(&self, session: &Session) -> Result<Box<dyn HistoryReader>> {
        self.history(session)
    }
    async fn billing_portal(&self, session: &Session) -> Result<url::Url>;
    /// Opening accounts and emailed codes, where the provider has them.
    fn enrolment(&self) -> Option<&dyn Enrolment> {
        None
    }
}
