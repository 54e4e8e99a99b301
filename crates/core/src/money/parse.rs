//! Reading the amounts a person types.
//!
//! How typed amounts are read ([`parse_amount`]):
//!
//! 1. Whitespace around the amount (spaces, tabs, newlines from a paste) is
//!    ignored; whitespace inside it is refused (`5 000`), so a pasted
//!    `5\n000` never becomes 5000.
//! 2. One currency sign or code may lead or trail (`$5`, `5 €`, `EUR 12`), and
//!    it must be the provider's currency: `€5` for a dollar service is refused.
//! 3. Only the digits 0–9: no sign (`-5` is "negative", `+5` is refused), no
//!    exponent (`1e3`), no `NaN`/`Infinity`, no other scripts' digits.
//! 4. One decimal separator, `.` or `,` (so `5,5` is 5.50). Thousands
//!    separators are refused rather than guessed: `1,000` and `1.000` could be
//!    a thousand or one, so both are refused with a hint, as is `1,000.50`.
//! 5. At most two decimals (the minor unit of USD and EUR); a service that
//!    sells whole units only (Clara) refuses any cents (`5.50`) but takes `5.00`.
//! 6. Zero is refused, then the service's limits apply, then an absolute cap
//!    (a billion) keeps arithmetic far from overflow.

use serde::Serialize;

use super::amount::{Currency, Money};

/// What an amount must satisfy for one service.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AmountRules {
    pub currency: Currency,
    /// Clara buys whole US dollars only.
    pub whole_units_only: bool,
    pub min: Option<Money>,
    pub max: Option<Money>,
}

impl AmountRules {
    pub fn new(currency: Currency) -> Self {
        Self {
            currency,
            whole_units_only: false,
            min: None,
            max: None,
        }
    }
}

/// Nothing above a billion major units is ever a real top-up.
const ABSOLUTE_MAX_MAJOR: i64 = 1_000_000_000;

/// Why a typed amount was refused; each says what to do instead.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(tag = "reason", rename_all = "snake_case")]
pub enum AmountError {
    #[error("Enter an amount.")]
    Empty,
    #[error("“{input}” is not an amount. Type a number such as 25 or 12.50.")]
    NotANumber { input: String },
    #[error("Use the digits 0–9.")]
    NonAsciiDigits,
    #[error("Remove the spaces inside the amount.")]
    SpacesInside,
    #[error("The amount can't be negative.")]
    Negative,
    #[error("Enter an amount above zero.")]
    Zero,
    #[error("This service sells in {expected}; type the amount without another currency.")]
    WrongCurrency { expected: String },
    #[error("Type the amount without thousands separators, for example 1000 or 1000.50.")]
    AmbiguousSeparator,
    #[error("Use at most {max_decimals} decimal places.")]
    TooManyDecimals { max_decimals: u32 },
    #[error("This service sells whole units only: type {suggestion} or another whole amount.")]
    WholeUnitsOnly { suggestion: String },
    #[error("The minimum is {min}.")]
    BelowMinimum { min: String },
    #[error("The maximum is {max}.")]
    AboveMaximum { max: String },
    #[error("That amount is too large.")]
    TooLarge,
}

fn currency_prefix(s: &str) -> Option<(&str, Option<Currency>)> {
    const SIGNS: [(&str, Option<Currency>); 8] = [
        ("$", Some(Currency::Usd)),
        ("US$", Some(Currency::Usd)),
        ("€", Some(Currency::Eur)),
        ("£", None),
        ("¥", None),
        ("₹", None),
        ("USD", Some(Currency::Usd)),
        ("EUR", Some(Currency::Eur)),
    ];
    for (sign, currency) in SIGNS {
        if let Some(rest) = strip_prefix_ci(s, sign) {
            return Some((rest, currency));
        }
        if let Some(rest) = strip_suffix_ci(s, sign) {
            return Some((rest, currency));
        }
    }
    None
}

fn strip_prefix_ci<'a>(s: &'a str, p: &str) -> Option<&'a str> {
    let head = s.get(..p.len())?;
    head.eq_ignore_ascii_case(p).then(|| &s[p.len()..])
}

fn strip_suffix_ci<'a>(s: &'a str, p: &str) -> Option<&'a str> {
    let at = s.len().checked_sub(p.len())?;
    let tail = s.get(at..)?;
    tail.eq_ignore_ascii_case(p).then(|| &s[..at])
}

/// Reads what a person typed as an amount in `rules.currency`. See the module
/// documentation for the rules.
pub fn parse_amount(input: &str, rules: &AmountRules) -> Result<Money, AmountError> {
    let mut s = input.trim();
    if s.is_empty() {
        return Err(AmountError::Empty);
    }
    if let Some((rest, currency)) = currency_prefix(s) {
        if currency != Some(rules.currency) {
            return Err(AmountError::WrongCurrency {
                expected: rules.currency.code().to_owned(),
            });
        }
        s = rest.trim();
        if s.is_empty() {
            return Err(AmountError::Empty);
        }
    }
    let not_a_number = || AmountError::NotANumber {
        input: input.trim().chars().take(40).collect(),
    };
    if let Some(rest) = s.strip_prefix(['-', '\u{2212}']) {
        return if rest
            .trim_start()
            .starts_with(|c: char| c.is_ascii_digit() || c == '.' || c == ',')
        {
            Err(AmountError::Negative)
        } else {
            Err(not_a_number())
        };
    }
    for c in s.chars() {
        if c.is_ascii_digit() || c == '.' || c == ',' {
            continue;
        }
        if c.is_whitespace() || c == '\'' || c == '_' {
            return Err(AmountError::SpacesInside);
        }
        if c.is_numeric() {
            return Err(AmountError::NonAsciiDigits);
        }
        return Err(not_a_number());
    }
    let dots = s.matches('.').count();
    let commas = s.matches(',').count();
    if dots + commas > 1 {
        return Err(AmountError::AmbiguousSeparator);
    }
    let (int_part, frac_part) = match s.find(['.', ',']) {
        Some(i) => (&s[..i], &s[i + 1..]),
        None => (s, ""),
    };
    if int_part.is_empty() && frac_part.is_empty() {
        return Err(not_a_number());
    }
    if frac_part.len() == 3 && !int_part.is_empty() {
        // `1,000` / `1.000`: a thousands separator or three decimals? Don't guess.
        return Err(AmountError::AmbiguousSeparator);
    }
    let max_decimals = rules.currency.minor_digits();
    if frac_part.len() > max_decimals as usize {
        return Err(AmountError::TooManyDecimals { max_decimals });
    }
    let int_digits = int_part.trim_start_matches('0');
    if int_digits.len() > 12 {
        return Err(AmountError::TooLarge);
    }
    let major: i64 = if int_digits.is_empty() {
        0
    } else {
        int_digits.parse().map_err(|_| AmountError::TooLarge)?
    };
    if major > ABSOLUTE_MAX_MAJOR {
        return Err(AmountError::TooLarge);
    }
    let mut frac = frac_part.to_owned();
    while frac.len() < max_decimals as usize {
        frac.push('0');
    }
    let frac: i64 = if frac.is_empty() {
        0
    } else {
        frac.parse().map_err(|_| not_a_number())?
    };
    let minor = major
        .checked_mul(rules.currency.minor_per_major())
        .and_then(|m| m.checked_add(frac))
        .ok_or(AmountError::TooLarge)?;
    let money = Money::from_minor(rules.currency, minor);
    if minor == 0 {
        return Err(AmountError::Zero);
    }
    if rules.whole_units_only && money.whole_units().is_none() {
        // Suggest an amount that would be accepted: never outside the limits.
        let per_major = rules.currency.minor_per_major();
        let mut suggested = major.max(1);
        if let Some(min) = rules.min {
            // The smallest whole amount at or above the minimum.
            suggested = suggested.max((min.minor + per_major - 1) / per_major);
        }
        if let Some(max) = rules.max {
            suggested = suggested.min(max.minor / per_major);
        }
        let suggestion = Money::major(rules.currency, suggested);
        return Err(AmountError::WholeUnitsOnly {
            suggestion: suggestion.to_string(),
        });
    }
    if let Some(min) = rules.min {
        if minor < min.minor {
            return Err(AmountError::BelowMinimum {
                min: min.to_string(),
            });
        }
    }
    if let Some(max) = rules.max {
        if minor > max.minor {
            return Err(AmountError::AboveMaximum {
                max: max.to_string(),
            });
        }
    }
    Ok(money)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn usd() -> AmountRules {
        AmountRules {
            currency: Currency::Usd,
            whole_units_only: false,
            min: None,
            max: None,
        }
    }

    fn clara() -> AmountRules {
        AmountRules {
            currency: Currency::Usd,
            whole_units_only: true,
            min: Some(Money::major(Currency::Usd, 5)),
            max: Some(Money::major(Currency::Usd, 10_000)),
        }
    }

    fn eur() -> AmountRules {
        AmountRules::new(Currency::Eur)
    }

    fn cents(s: &str, rules: &AmountRules) -> i64 {
        parse_amount(s, rules)
            .unwrap_or_else(|e| panic!("{s:?}: {e}"))
            .minor
    }

    // Rule 1: whitespace around is ignored, inside is refused.
    #[test]
    fn rule_1_whitespace() {
        assert_eq!(cents("  25 ", &usd()), 2500);
        assert_eq!(cents("\n12.50\t", &usd()), 1250);
        assert_eq!(
            parse_amount("5 000", &usd()),
            Err(AmountError::SpacesInside)
        );
        assert_eq!(
            parse_amount("5\n000", &usd()),
            Err(AmountError::SpacesInside)
        );
        assert_eq!(
            parse_amount("1'000", &usd()),
            Err(AmountError::SpacesInside)
        );
    }

    // Rule 2: one currency sign or code of the right currency.
    #[test]
    fn rule_2_currency_signs() {
        assert_eq!(cents("$5", &usd()), 500);
        assert_eq!(cents("$ 5", &usd()), 500);
        assert_eq!(cents("usd 7", &usd()), 700);
        assert_eq!(cents("5 €", &eur()), 500);
        assert_eq!(cents("€12,50", &eur()), 1250);
        assert_eq!(
            parse_amount("€5", &usd()),
            Err(AmountError::WrongCurrency {
                expected: "USD".into()
            })
        );
        assert_eq!(
            parse_amount("£5", &eur()),
            Err(AmountError::WrongCurrency {
                expected: "EUR".into()
            })
        );
        assert_eq!(parse_amount("$", &usd()), Err(AmountError::Empty));
    }

    // Rule 3: digits only.
    #[test]
    fn rule_3_digits_only() {
        assert_eq!(parse_amount("-5", &usd()), Err(AmountError::Negative));
        assert_eq!(parse_amount("−5", &usd()), Err(AmountError::Negative));
        assert!(matches!(
            parse_amount("+5", &usd()),
            Err(AmountError::NotANumber { .. })
        ));
        assert!(matches!(
            parse_amount("1e3", &usd()),
            Err(AmountError::NotANumber { .. })
        ));
        assert!(matches!(
            parse_amount("NaN", &usd()),
            Err(AmountError::NotANumber { .. })
        ));
        assert!(matches!(
            parse_amount("Infinity", &usd()),
            Err(AmountError::NotANumber { .. })
        ));
        assert!(matches!(
            parse_amount("five", &usd()),
            Err(AmountError::NotANumber { .. })
        ));
        assert_eq!(parse_amount("٥", &usd()), Err(AmountError::NonAsciiDigits));
        assert_eq!(parse_amount("５", &usd()), Err(AmountError::NonAsciiDigits));
    }

    // Rule 4: one separator, `.` or `,`; thousands separators refused.
    #[test]
    fn rule_4_separators() {
        assert_eq!(cents("5,5", &usd()), 550);
        assert_eq!(cents("5.5", &usd()), 550);
        assert_eq!(cents(".5", &usd()), 50);
        assert_eq!(cents("5.", &usd()), 500);
        assert_eq!(
            parse_amount("1,000", &usd()),
            Err(AmountError::AmbiguousSeparator)
        );
        assert_eq!(
            parse_amount("1.000", &usd()),
            Err(AmountError::AmbiguousSeparator)
        );
        assert_eq!(
            parse_amount("1,000.50", &usd()),
            Err(AmountError::AmbiguousSeparator)
        );
        assert_eq!(
            parse_amount("1.2.3", &usd()),
            Err(AmountError::AmbiguousSeparator)
        );
        assert!(matches!(
            parse_amount(".", &usd()),
            Err(AmountError::NotANumber { .. })
        ));
    }

    // Rule 5: at most two decimals; whole units where the service says so.
    #[test]
    fn rule_5_decimals() {
        assert_eq!(
            parse_amount("5.0001", &usd()),
            Err(AmountError::TooManyDecimals { max_decimals: 2 })
        );
        assert_eq!(cents("5.00", &clara()), 500);
        assert_eq!(
            parse_amount("5.50", &clara()),
            Err(AmountError::WholeUnitsOnly {
                suggestion: "$5.00".into()
            })
        );
        assert_eq!(cents("12.34", &eur()), 1234);
        // The suggestion is itself acceptable: never below the minimum or above the maximum.
        let limited = AmountRules {
            min: Some(Money::major(Currency::Usd, 5)),
            max: Some(Money::major(Currency::Usd, 100)),
            ..clara()
        };
        for (typed, suggestion) in [("4.99", "$5.00"), (".5", "$5.00"), ("100.5", "$100.00")] {
            assert_eq!(
                parse_amount(typed, &limited),
                Err(AmountError::WholeUnitsOnly {
                    suggestion: suggestion.into()
                }),
                "{typed}"
            );
        }
    }

    // Rule 6: zero, limits, absolute cap.
    #[test]
    fn rule_6_limits() {
        assert_eq!(parse_amount("0", &usd()), Err(AmountError::Zero));
        assert_eq!(parse_amount("0.00", &usd()), Err(AmountError::Zero));
        assert_eq!(
            parse_amount("4", &clara()),
            Err(AmountError::BelowMinimum {
                min: "$5.00".into()
            })
        );
        assert_eq!(cents("5", &clara()), 500);
        assert_eq!(cents("10000", &clara()), 1_000_000);
        assert_eq!(
            parse_amount("10001", &clara()),
            Err(AmountError::AboveMaximum {
                max: "$10000.00".into()
            })
        );
        assert_eq!(
            parse_amount("99999999999999999999", &usd()),
            Err(AmountError::TooLarge)
        );
        assert_eq!(
            parse_amount("1000000001", &usd()),
            Err(AmountError::TooLarge)
        );
        assert_eq!(cents("0005", &usd()), 500);
    }
}
