//! Dispersed's JSON and its conversion into domain values.

use std::time::SystemTime;

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::money::{Currency, Money};

/// The Stripe Checkout Session embedded in Create's answer (§8).
#[derive(Debug, Clone, Deserialize)]
pub struct CheckoutSessionWire {
    pub id: String,
    #[serde(default)]
    pub url: Option<String>,
    #[serde(default)]
    pub status: Option<String>,
    #[serde(default)]
    pub payment_status: Option<String>,
    #[serde(default)]
    pub expires_at: Option<i64>,
    #[serde(default)]
    pub amount_total: Option<i64>,
    #[serde(default)]
    pub currency: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct CreateWire {
    pub created_at: Option<String>,
    pub session_id: Option<String>,
    pub session_url: Option<String>,
    pub submitted_amount: Option<f64>,
    #[serde(default)]
    pub checkout_session: Option<CheckoutSessionWire>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct PurchaseWire {
    pub amount: Option<f64>,
    #[serde(default)]
    pub currency: Option<String>,
    pub checkout_session_id: String,
    /// Required by the schema, missing from the docs' own List example.
    #[serde(default)]
    pub status: Option<String>,
    #[serde(default)]
    pub object: Option<String>,
    #[serde(default)]
    pub created_at: Option<String>,
    #[serde(default)]
    pub updated_at: Option<String>,
    #[serde(default)]
    pub uuid: Option<String>,
    #[serde(default)]
    pub memo: Option<String>,
    #[serde(default)]
    pub completed_at: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct ListWire {
    pub data: Vec<PurchaseWire>,
    pub limit: u64,
    pub page: u64,
    pub total: u64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum PurchaseState {
    Pending,
    Completed,
    Expired,
}

/// A credit purchase on the compute ledger.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Purchase {
    pub checkout_session_id: String,
    pub state: Option<PurchaseState>,
    pub amount: Option<Money>,
    pub memo: Option<String>,
    pub created_at: Option<SystemTime>,
    pub completed_at: Option<SystemTime>,
}

/// What Create gave back: the session to watch and the page to open.
#[derive(Debug, Clone, PartialEq)]
pub struct CreatedPurchase {
    pub checkout_session_id: String,
    pub checkout_url: url::Url,
    pub amount: Money,
    pub expires_at: Option<SystemTime>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct PurchasePage {
    pub purchases: Vec<Purchase>,
    pub page: u64,
    pub limit: u64,
    pub total: u64,
}

fn state(s: &str) -> Result<PurchaseState> {
    match s {
        "PENDING" => Ok(PurchaseState::Pending),
        "COMPLETED" => Ok(PurchaseState::Completed),
        "EXPIRED" => Ok(PurchaseState::Expired),
        other => Err(Error::malformed(format!(
            "a purchase status “{}”",
            other.chars().take(20).collect::<String>()
        ))),
    }
}

fn date(s: &Option<String>) -> Result<Option<SystemTime>> {
    use time::format_description::well_known::Rfc3339;
    s.as_deref()
        .map(|v| {
            time::OffsetDateTime::parse(v, &Rfc3339)
                .map(SystemTime::from)
                .map_err(|_| {
                    Error::malformed(format!(
                        "the date “{}”",
                        v.chars().take(40).collect::<String>()
                    ))
                })
        })
        .transpose()
}

/// EUR major units (a JSON number) into cents, exactly; more than two
/// decimals or an absurd size is a malformed answer.
pub fn euros(value: f64) -> Result<Money> {
    if !(0.0..=1.0e12).contains(&value) {
        return Err(Error::malformed(format!("an amount of {value} EUR")));
    }
    let d = Decimal::from_f64_retain(value)
        .ok_or_else(|| Error::malformed("an amount that is not a number"))?;
    Money::from_decimal(Currency::Eur, d.round_dp(2))
        .ok_or_else(|| Error::malformed(format!("an amount of {value} EUR")))
}

impl TryFrom<PurchaseWire> for Purchase {
    type Error = Error;
    fn try_from(w: PurchaseWire) -> Result<Self> {
        if w.checkout_session_id.is_empty() {
            return Err(Error::malformed("a purchase without a checkout session"));
        }
        Ok(Self {
            state: w.status.as_deref().map(state).transpose()?,
            amount: w.amount.map(euros).transpose()?,
            created_at: date(&w.created_at)?,
            completed_at: date(&w.completed_at)?,
            memo: w.memo,
            checkout_session_id: w.checkout_session_id,
        })
    }
}

impl CreatedPurchase {
    /// `checkout_session` first; the deprecated `session_id`/`session_url`
    /// when it is null (§4.1).
    pub fn from_wire(w: CreateWire, requested: Money) -> Result<Self> {
        let (id, url, expires_at) = match w.checkout_session {
            Some(s) => (Some(s.id), s.url.or(w.session_url), s.expires_at),
            None => (w.session_id, w.session_url, None),
        };
        let id = id
            .filter(|i| !i.is_empty())
            .ok_or_else(|| Error::malformed("no checkout session id"))?;
        let url = url.ok_or_else(|| Error::malformed("no checkout link"))?;
        Ok(Self {
            checkout_session_id: id,
            checkout_url: url::Url::parse(&url)
                .map_err(|_| Error::malformed("a checkout link that is not a URL"))?,
            amount: w
                .submitted_amount
                .map(euros)
                .transpose()?
                .unwrap_or(requested),
            expires_at: expires_at
                .and_then(|t| u64::try_from(t).ok())
                .map(|t| std::time::UNIX_EPOCH + std::time::Duration::from_secs(t)),
        })
    }
}
