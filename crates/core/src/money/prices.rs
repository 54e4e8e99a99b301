//! A service's published prices and the exact credits an amount buys.

use rust_decimal::Decimal;
use serde::Serialize;

use super::amount::{Credits, Money};
use super::parse::{AmountError, AmountRules};
use super::Currency;

/// One price tier: amounts from `min` to `max` (both inclusive) buy
/// `credits_per_unit` credits per major unit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct Tier {
    pub min: Money,
    pub max: Money,
    #[serde(with = "rust_decimal::serde::str")]
    #[cfg_attr(feature = "specta", specta(type = String))]
    pub credits_per_unit: Decimal,
}

/// A service's published prices.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct PriceList {
    pub currency: Currency,
    pub tiers: Vec<Tier>,
}

impl PriceList {
    /// The lowest and highest amounts any tier takes.
    pub fn limits(&self) -> Option<(Money, Money)> {
        let min = self.tiers.iter().map(|t| t.min).min_by_key(|m| m.minor)?;
        let max = self.tiers.iter().map(|t| t.max).max_by_key(|m| m.minor)?;
        Some((min, max))
    }

    /// The rules a typed amount must meet for this price list.
    pub fn rules(&self, whole_units_only: bool) -> AmountRules {
        let (min, max) = self
            .limits()
            .map_or((None, None), |(a, b)| (Some(a), Some(b)));
        AmountRules {
            currency: self.currency,
            whole_units_only,
            min,
            max,
        }
    }

    /// The exact credits `amount` buys, from the tier that contains it.
    pub fn credits_for(&self, amount: Money) -> Result<Credits, AmountError> {
        if let Some(tier) = self
            .tiers
            .iter()
            .find(|t| amount.minor >= t.min.minor && amount.minor <= t.max.minor)
        {
            return Ok(Credits(
                (amount.to_decimal() * tier.credits_per_unit).normalize(),
            ));
        }
        match self.limits() {
            Some((min, _)) if amount.minor < min.minor => Err(AmountError::BelowMinimum {
                min: min.to_string(),
            }),
            Some((_, max)) if amount.minor > max.minor => Err(AmountError::AboveMaximum {
                max: max.to_string(),
            }),
            // Between two tiers that leave a gap: say the nearest limits.
            Some((min, max)) => Err(AmountError::BelowMinimum {
                min: format!("{min} (up to {max})"),
            }),
            None => Err(AmountError::TooLarge),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quotes_are_exact() {
        let prices = PriceList {
            currency: Currency::Usd,
            tiers: vec![Tier {
                min: Money::major(Currency::Usd, 5),
                max: Money::major(Currency::Usd, 10_000),
                credits_per_unit: Decimal::from(100),
            }],
        };
        let q = prices.credits_for(Money::major(Currency::Usd, 5)).unwrap();
        assert_eq!(q.to_string(), "500");
        let q = prices
            .credits_for(Money::from_minor(Currency::Usd, 1234))
            .unwrap();
        assert_eq!(q.to_string(), "1234");
        assert_eq!(
            prices.credits_for(Money::major(Currency::Usd, 4)),
            Err(AmountError::BelowMinimum {
                min: "$5.00".into()
            })
        );
        assert_eq!(
            prices.limits(),
            Some((
                Money::major(Currency::Usd, 5),
                Money::major(Currency::Usd, 10_000)
            ))
        );
        let third = PriceList {
            currency: Currency::Usd,
            tiers: vec![Tier {
                credits_per_unit: Decimal::new(3333, 2),
                ..prices.tiers[0].clone()
            }],
        };
        assert_eq!(
            third
                .credits_for(Money::from_minor(Currency::Usd, 700))
                .unwrap()
                .to_string(),
            "233.31"
        );
    }
}
