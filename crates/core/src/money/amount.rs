//! Amounts in integer minor units tied to a currency ([`Money`]) and credits
//! as exact decimals ([`Credits`]). Nothing here is a float: a server's float
//! is converted once, where it is parsed.

use std::fmt;
use std::str::FromStr;

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

/// The currencies the supported services sell in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub enum Currency {
    #[serde(rename = "USD")]
    Usd,
    #[serde(rename = "EUR")]
    Eur,
}

impl Currency {
    pub const fn code(self) -> &'static str {
        match self {
            Self::Usd => "USD",
            Self::Eur => "EUR",
        }
    }

    pub const fn symbol(self) -> &'static str {
        match self {
            Self::Usd => "$",
            Self::Eur => "€",
        }
    }

    /// Digits after the decimal point of the minor unit.
    pub const fn minor_digits(self) -> u32 {
        2
    }

    pub(super) const fn minor_per_major(self) -> i64 {
        100
    }

    pub fn from_code(code: &str) -> Option<Self> {
        match code.to_ascii_uppercase().as_str() {
            "USD" => Some(Self::Usd),
            "EUR" => Some(Self::Eur),
            _ => None,
        }
    }
}

/// An amount of money: whole minor units (cents) of a currency.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct Money {
    pub currency: Currency,
    /// Minor units (cents). Never negative for amounts Topup handles.
    // TypeScript sees a plain `number` (an f64 would be `number | null`);
    // the JSON carries the i64 as is.
    #[cfg_attr(feature = "specta", specta(type = i32))]
    pub minor: i64,
}

impl Money {
    pub const fn from_minor(currency: Currency, minor: i64) -> Self {
        Self { currency, minor }
    }

    /// `Money::major(Currency::Usd, 5)` is $5.00.
    pub fn major(currency: Currency, units: i64) -> Self {
        Self {
            currency,
            minor: units.saturating_mul(currency.minor_per_major()),
        }
    }

    /// The amount in major units, exactly (`5.00`).
    pub fn to_decimal(self) -> Decimal {
        Decimal::new(self.minor, self.currency.minor_digits())
    }

    /// Whole major units, when the amount has no cents.
    pub fn whole_units(self) -> Option<i64> {
        let per = self.currency.minor_per_major();
        (self.minor % per == 0).then_some(self.minor / per)
    }

    /// Exact conversion from a decimal number of major units (`12.5` → 1250).
    pub fn from_decimal(currency: Currency, major: Decimal) -> Option<Self> {
        let minor = major.checked_mul(Decimal::from(currency.minor_per_major()))?;
        if minor.fract() != Decimal::ZERO {
            return None;
        }
        i64::try_from(minor)
            .ok()
            .map(|m| Self { currency, minor: m })
    }
}

impl fmt::Display for Money {
    /// `$5.00`, `€12.50`: unambiguous text for logs, the CLI and messages. The
    /// UI formats with the person's locale instead.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let sign = if self.minor < 0 { "-" } else { "" };
        let abs = self.minor.unsigned_abs();
        let per = self.currency.minor_per_major().unsigned_abs();
        write!(
            f,
            "{sign}{}{}.{:02}",
            self.currency.symbol(),
            abs / per,
            abs % per
        )
    }
}

/// A number of credits, exact. On the wire (IPC, files) it is a decimal string
/// such as `"1500"` or `"0.1"`, so JavaScript never rounds it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
#[cfg_attr(feature = "specta", derive(specta::Type), specta(type = String))]
pub struct Credits(pub Decimal);

impl Serialize for Credits {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(&self.0.normalize())
    }
}

impl<'de> Deserialize<'de> for Credits {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        Decimal::from_str(&text)
            .map(Self)
            .map_err(serde::de::Error::custom)
    }
}

impl Credits {
    pub const ZERO: Self = Self(Decimal::ZERO);

    /// Converts a server's float once, at the edge. Services round credits to
    /// two decimals, so rounding there loses nothing real.
    pub fn from_f64(value: f64) -> Option<Self> {
        if !value.is_finite() {
            return None;
        }
        Decimal::from_f64_retain(value).map(|d| Self(d.round_dp(2).normalize()))
    }
}

impl Credits {
    /// `1,500` or `1,234.5`: grouped by thousands, for text Rust writes
    /// itself (the tray, notifications, the CLI); the UI uses the locale.
    pub fn grouped(&self) -> String {
        let text = self.0.normalize().to_string();
        let (sign, digits) = text
            .strip_prefix('-')
            .map_or(("", text.as_str()), |d| ("-", d));
        let (whole, fraction) = digits
            .split_once('.')
            .map_or((digits, None), |(w, f)| (w, Some(f)));
        let mut grouped = String::with_capacity(whole.len() + whole.len() / 3);
        for (i, ch) in whole.chars().enumerate() {
            if i > 0 && (whole.len() - i) % 3 == 0 {
                grouped.push(',');
            }
            grouped.push(ch);
        }
        match fraction {
            Some(f) => format!("{sign}{grouped}.{f}"),
            None => format!("{sign}{grouped}"),
        }
    }
}

impl fmt::Display for Credits {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0.normalize())
    }
}

impl std::ops::Sub for Credits {
    type Output = Self;
    fn sub(self, rhs: Self) -> Self {
        Self(self.0 - rhs.0)
    }
}

impl std::ops::Add for Credits {
    type Output = Self;
    fn add(self, rhs: Self) -> Self {
        Self(self.0 + rhs.0)
    }
}

impl FromStr for Currency {
    type Err = ();
    fn from_str(s: &str) -> Result<Self, ()> {
        Self::from_code(s).ok_or(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn credits_are_grouped_by_thousands_for_text() {
        for (value, text) in [
            ("0", "0"),
            ("999", "999"),
            ("1500", "1,500"),
            ("-1234567.5", "-1,234,567.5"),
            ("100000", "100,000"),
        ] {
            assert_eq!(Credits(value.parse().unwrap()).grouped(), text);
        }
    }

    #[test]
    fn server_floats_become_exact_credits_once() {
        assert_eq!(Credits::from_f64(0.1).unwrap().to_string(), "0.1");
        assert_eq!(Credits::from_f64(1500.0).unwrap().to_string(), "1500");
        assert_eq!(
            Credits::from_f64(10.0 + 20.0 + 0.1 + 0.2)
                .unwrap()
                .to_string(),
            "30.3"
        );
        assert_eq!(Credits::from_f64(f64::NAN), None);
        assert_eq!(
            serde_json::to_string(&Credits::from_f64(12.5).unwrap()).unwrap(),
            "\"12.5\""
        );
    }

    #[test]
    fn money_prints_unambiguously() {
        assert_eq!(Money::from_minor(Currency::Eur, 1250).to_string(), "€12.50");
        assert_eq!(Money::major(Currency::Usd, 5).to_string(), "$5.00");
        assert_eq!(
            Money::from_decimal(Currency::Eur, Decimal::new(125, 1)),
            Some(Money::from_minor(Currency::Eur, 1250))
        );
        assert_eq!(
            Money::from_decimal(Currency::Eur, Decimal::new(1255, 3)),
            None
        );
    }
}
