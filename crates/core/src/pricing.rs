//! What an account's home needs to price a purchase, and what a typed
//! amount buys under it.

use serde::Serialize;

use crate::error::Result;
use crate::money::{parse_amount, AmountRules, Credits, Money, PriceList};
use crate::provider::Capabilities;

/// What an account's home needs to price a purchase.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct Pricing {
    pub capabilities: Capabilities,
    /// `None` where the provider publishes no prices (Dispersed).
    pub prices: Option<PriceList>,
    /// Amounts offered as one-click choices, inside the limits.
    pub presets: Vec<Money>,
    /// The limits, when known.
    pub min: Option<Money>,
    pub max: Option<Money>,
}

/// What a typed amount buys.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct Quote {
    pub amount: Money,
    /// `None` where the provider publishes no prices.
    pub credits: Option<Credits>,
}

impl Pricing {
    pub(crate) fn new(capabilities: Capabilities, prices: Option<PriceList>) -> Self {
        let limits = prices.as_ref().and_then(|p| p.limits());
        let candidates =
            [5, 10, 25, 50, 100].map(|units| Money::major(capabilities.currency, units));
        let presets = candidates
            .into_iter()
            .filter(|m| limits.is_none_or(|(lo, hi)| m.minor >= lo.minor && m.minor <= hi.minor))
            .take(4)
            .collect();
        Self {
            capabilities,
            prices,
            presets,
            min: limits.map(|l| l.0),
            max: limits.map(|l| l.1),
        }
    }

    /// Reads a typed amount under this pricing; never touches the network.
    pub fn quote(&self, input: &str) -> Result<Quote> {
        let rules = match &self.prices {
            Some(p) => p.rules(self.capabilities.whole_units_only),
            None => AmountRules {
                whole_units_only: self.capabilities.whole_units_only,
                ..AmountRules::new(self.capabilities.currency)
            },
        };
        let amount = parse_amount(input, &rules)?;
        let credits = match &self.prices {
            Some(p) => Some(p.credits_for(amount)?),
            None => None,
        };
        Ok(Quote { amount, credits })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ErrorCode;
    use crate::money::{Currency, Tier};

    fn clara() -> Pricing {
        let caps = crate::clara::capabilities();
        let prices = PriceList {
            currency: Currency::Usd,
            tiers: vec![Tier {
                min: Money::major(Currency::Usd, 5),
                max: Money::major(Currency::Usd, 10_000),
                credits_per_unit: rust_decimal::Decimal::from(100),
            }],
        };
        Pricing::new(caps, Some(prices))
    }

    #[test]
    fn presets_sit_inside_the_limits_and_quotes_are_exact() {
        let p = clara();
        let presets: Vec<i64> = p.presets.iter().map(|m| m.minor).collect();
        assert_eq!(presets, [500, 1000, 2500, 5000]);
        assert_eq!(p.quote("$5").unwrap().credits.unwrap().to_string(), "500");
        assert_eq!(
            p.quote("4").unwrap_err().to_string(),
            "The minimum is $5.00."
        );
        assert_eq!(
            p.quote("5.50").unwrap_err().code(),
            ErrorCode::InvalidAmount
        );
        let dispersed = Pricing::new(
            Capabilities {
                currency: Currency::Eur,
                whole_units_only: false,
                price: false,
                balance: false,
                portal: false,
                ..clara().capabilities
            },
            None,
        );
        let q = dispersed.quote("12,50").unwrap();
        assert_eq!(
            (q.amount, q.credits),
            (Money::from_minor(Currency::Eur, 1250), None)
        );
        assert_eq!(dispersed.presets.len(), 4);
    }
}
