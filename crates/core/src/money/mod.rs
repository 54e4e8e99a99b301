//! Money, credits, the parser for amounts a person types, and prices.

mod amount;
mod parse;
mod prices;

pub use amount::{Credits, Currency, Money};
pub use parse::{parse_amount, AmountError, AmountRules};
pub use prices::{PriceList, Tier};
