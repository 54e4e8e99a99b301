//! Clara's JSON, as it comes over the wire, and its conversion into domain
//! values. Floats (credits, fiat) become exact values here and nowhere else.

use std::time::SystemTime;

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::money::{Credits, Currency, Money, PriceList, Tier};

/// The envelope every Clara answer has (§2).
#[derive(Debug, Deserialize)]
pub struct Envelope<T> {
    pub data: Option<T>,
    pub message: String,
    pub status: String,
}

#[derive(Debug, Clone, Deserialize)]
pub struct UserWire {
    pub created_at: String,
    pub credits: f64,
    pub email: String,
    pub first_name: Option<String>,
    pub id: String,
    pub is_2fa_enabled: bool,
    pub is_active: bool,
    #[serde(default)]
    pub is_dark_mode: Option<bool>,
    pub last_name: Option<String>,
    pub updated_at: String,
    #[serde(default)]
    pub token: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct TransactionWire {
    pub created_at: String,
    pub description: String,
    pub id: String,
    #[serde(rename = "type")]
    pub kind: String,
    pub updated_at: String,
    pub user_id: String,
    pub value_in_credits: f64,
    pub value_in_fiat: f64,
}

#[derive(Debug, Clone, Deserialize)]
pub struct TierWire {
    pub lower_limit: f64,
    pub upper_limit: f64,
    pub rate: f64,
    #[serde(default)]
    pub stripe_price_id: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct BuyWire {
    pub return_path: Option<String>,
    pub url: String,
    pub value_in_credits: f64,
    pub value_in_fiat: f64,
}

#[derive(Debug, Clone, Deserialize)]
pub struct UrlWire {
    pub url: String,
}

#[derive(Debug, Clone, Deserialize)]
pub struct TwoFactorWire {
    pub is_2fa_enabled: bool,
}

#[derive(Debug, Clone, Deserialize)]
pub struct HealthWire {
    pub service: String,
    pub status: String,
}

#[derive(Debug, Clone, Deserialize)]
pub struct VersionWire {
    pub version: String,
}

/// A Clara user, with the balance as exact credits.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct User {
    pub id: String,
    pub email: String,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub credits: Credits,
    pub is_active: bool,
    pub is_2fa_enabled: bool,
    pub created_at: SystemTime,
}

impl User {
    pub fn display_name(&self) -> String {
        let name = [self.first_name.as_deref(), self.last_name.as_deref()]
            .into_iter()
            .flatten()
            .filter(|s| !s.is_empty())
            .collect::<Vec<_>>()
            .join(" ");
        if name.is_empty() {
            self.email.clone()
        } else {
            name
        }
    }

    /// Clara's rule for buying: active, with both names set (§5.4).
    pub fn can_buy(&self) -> bool {
        self.is_active
            && self.first_name.as_deref().is_some_and(|n| !n.is_empty())
            && self.last_name.as_deref().is_some_and(|n| !n.is_empty())
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum TransactionKind {
    Credit,
    Debit,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Transaction {
    pub id: String,
    pub kind: TransactionKind,
    pub description: String,
    pub credits: Credits,
    pub fiat: Money,
    pub created_at: SystemTime,
}

/// The most credits any sane balance or row could hold.
const MAX_CREDITS: f64 = 1.0e15;

pub fn credits(value: f64, what: &str) -> Result<Credits> {
    if !(0.0..=MAX_CREDITS).contains(&value) {
        return Err(Error::malformed(format!("{what} of {value} credits")));
    }
    Credits::from_f64(value).ok_or_else(|| Error::malformed(format!("{what} is not a number")))
}

fn usd(value: f64, what: &str) -> Result<Money> {
    if !(0.0..=1.0e12).contains(&value) {
        return Err(Error::malformed(format!("{what} of {value} dollars")));
    }
    let decimal = Decimal::from_f64_retain(value)
        .ok_or_else(|| Error::malformed(format!("{what} is not a number")))?;
    Money::from_decimal(Currency::Usd, decimal.round_dp(2))
        .ok_or_else(|| Error::malformed(format!("{what} of {value} dollars")))
}

pub fn date(value: &str) -> Result<SystemTime> {
    httpdate::parse_http_date(value).map_err(|_| {
        Error::malformed(format!(
            "the date “{}”",
            value.chars().take(40).collect::<String>()
        ))
    })
}

impl TryFrom<UserWire> for User {
    type Error = Error;
    fn try_from(w: UserWire) -> Result<Self> {
        if w.id.is_empty() {
            return Err(Error::malformed("a user without an id"));
        }
        Ok(Self {
            credits: credits(w.credits, "a balance")?,
            created_at: date(&w.created_at)?,
            id: w.id,
            email: w.email,
            first_name: w.first_name,
            last_name: w.last_name,
            is_active: w.is_active,
            is_2fa_enabled: w.is_2fa_enabled,
        })
    }
}

impl TryFrom<TransactionWire> for Transaction {
    type Error = Error;
    fn try_from(w: TransactionWire) -> Result<Self> {
        let kind = match w.kind.as_str() {
            "CREDIT" => TransactionKind::Credit,
            "DEBIT" => TransactionKind::Debit,
            other => return Err(Error::malformed(format!("a transaction of type “{other}”"))),
        };
        Ok(Self {
            credits: credits(w.value_in_credits, "a transaction")?,
            fiat: usd(w.value_in_fiat, "a transaction")?,
            created_at: date(&w.created_at)?,
            id: w.id,
            kind,
            description: w.description,
        })
    }
}

/// Rate tiers into a price list: limits in whole dollars, rates exact.
pub fn price_list(tiers: Vec<TierWire>) -> Result<PriceList> {
    if tiers.is_empty() {
        return Err(Error::malformed("no rate tiers"));
    }
    let tiers = tiers
        .into_iter()
        .map(|t| {
            let rate = Decimal::from_f64_retain(t.rate)
                .filter(|r| *r > Decimal::ZERO)
                .ok_or_else(|| Error::malformed(format!("a rate of {}", t.rate)))?;
            let min = usd(t.lower_limit, "a lower limit")?;
            let max = usd(t.upper_limit, "an upper limit")?;
            if min.minor > max.minor {
                return Err(Error::malformed(
                    "a tier whose lower limit is above its upper limit",
                ));
            }
            Ok(Tier {
                min,
                max,
                credits_per_unit: rate.round_dp(6).normalize(),
            })
        })
        .collect::<Result<Vec<_>>>()?;
    Ok(PriceList {
        currency: Currency::Usd,
        tiers,
    })
}

#[derive(Debug, Clone, PartialEq)]
pub struct Checkout {
    pub url: url::Url,
    pub credits: Credits,
    pub amount: Money,
}

impl TryFrom<BuyWire> for Checkout {
    type Error = Error;
    fn try_from(w: BuyWire) -> Result<Self> {
        Ok(Self {
            url: url::Url::parse(&w.url)
                .map_err(|_| Error::malformed("a checkout link that is not a URL"))?,
            credits: credits(w.value_in_credits, "a purchase")?,
            amount: usd(w.value_in_fiat, "a purchase")?,
        })
    }
}
