//! What people type as an amount, and what they are told. Every refused input
//! goes through `Accounts::buy` (the Buy button's path) for a signed-in Clara
//! account on the Sandbox and must come back with its own message; the
//! Sandbox's request log then proves no purchase was ever asked for. Accepted
//! inputs at the edges go through `quote` (no purchase is made for them).

mod common;

use std::sync::Arc;

use common::*;
use topup_core::secrets::MemoryStore;

const EMPTY: &str = "Enter an amount.";
const DIGITS: &str = "Use the digits 0–9.";
const SPACES: &str = "Remove the spaces inside the amount.";
const NEGATIVE: &str = "The amount can't be negative.";
const ZERO: &str = "Enter an amount above zero.";
const SEPARATOR: &str =
    "Type the amount without thousands separators, for example 1000 or 1000.50.";
const DECIMALS: &str = "Use at most 2 decimal places.";
const MINIMUM: &str = "The minimum is $5.00.";
const MAXIMUM: &str = "The maximum is $10000.00.";
const TOO_LARGE: &str = "That amount is too large.";
const OTHER_CURRENCY: &str = "This service sells in USD; type the amount without another currency.";

fn not_a_number(shown: &str) -> String {
    format!("“{shown}” is not an amount. Type a number such as 25 or 12.50.")
}

fn whole(suggestion: &str) -> String {
    format!("This service sells whole units only: type {suggestion} or another whole amount.")
}

/// (typed, the message the person reads)
fn refused() -> Vec<(String, String)> {
    let mut corpus: Vec<(String, String)> = [
        // Nothing to read.
        ("", EMPTY),
        ("   ", EMPTY),
        ("\n\t", EMPTY),
        ("$", EMPTY),
        ("USD ", EMPTY),
        // Signs.
        ("-5", NEGATIVE),
        ("−5", NEGATIVE),
        ("- 5", NEGATIVE),
        ("-0", NEGATIVE),
        ("-.5", NEGATIVE),
        // Zero.
        ("0", ZERO),
        ("0.00", ZERO),
        ("000", ZERO),
        ("0,0", ZERO),
        // The limits, one unit and one cent either side.
        ("4", MINIMUM),
        ("10001", MAXIMUM),
        ("99999", MAXIMUM),
        // Separators.
        ("5.5.5", SEPARATOR),
        ("1,000", SEPARATOR),
        ("1.000", SEPARATOR),
        ("1,000.50", SEPARATOR),
        ("1.000,50", SEPARATOR),
        ("5.123", SEPARATOR),
        ("5.1234", DECIMALS),
        ("5,12345", DECIMALS),
        // Spaces and group marks inside, pasted line breaks.
        ("1 000", SPACES),
        ("1\u{a0}000", SPACES),
        ("1'000", SPACES),
        ("1_000", SPACES),
        ("5\n6", SPACES),
        ("5\r\n0", SPACES),
        ("5 dollars", SPACES),
        // Other scripts' digits.
        ("٥", DIGITS),
        ("５", DIGITS),
        ("５０", DIGITS),
        ("५०", DIGITS),
        ("߅", DIGITS),
        // Other currencies.
        ("€5", OTHER_CURRENCY),
        ("5 EUR", OTHER_CURRENCY),
        ("£5", OTHER_CURRENCY),
        ("¥500", OTHER_CURRENCY),
        ("₹5", OTHER_CURRENCY),
        // Enormous.
        ("99999999999999999999", TOO_LARGE),
        ("1000000001", TOO_LARGE),
    ]
    .into_iter()
    .map(|(typed, message)| (typed.to_owned(), message.to_owned()))
    .collect();
    // Whole dollars only; the suggestion is never below the minimum.
    for (typed, suggestion) in [
        ("4.99", "$5.00"),
        ("5.01", "$5.00"),
        ("5.50", "$5.00"),
        (".5", "$5.00"),
        ("10000.01", "$10000.00"),
        ("25,99", "$25.00"),
        ("10001.5", "$10000.00"),
    ] {
        corpus.push((typed.to_owned(), whole(suggestion)));
    }
    // Not numbers at all: the message quotes what was typed (trimmed, at most 40 characters).
    for typed in [
        "abc",
        "five",
        "+5",
        "1e3",
        "1E3",
        "NaN",
        "nan",
        "Infinity",
        "-Infinity",
        "inf",
        "0x10",
        "5%",
        "1/2",
        ".",
        ",",
        "\u{200b}5",
        "DROP TABLE",
        "<script>",
        "5$5",
    ] {
        corpus.push((typed.to_owned(), not_a_number(typed.trim())));
    }
    let long = "x".repeat(10_000);
    corpus.push((long, not_a_number(&"x".repeat(40))));
    corpus.push(("9".repeat(10_000), TOO_LARGE.to_owned()));
    corpus
}

/// Accepted, and what they read as.
const ACCEPTED: &[(&str, &str)] = &[
    ("5", "$5.00"),
    ("5.00", "$5.00"),
    ("5,00", "$5.00"),
    ("5.", "$5.00"),
    ("  5  ", "$5.00"),
    ("00005", "$5.00"),
    ("$5", "$5.00"),
    ("USD 5", "$5.00"),
    ("5 usd", "$5.00"),
    ("10000", "$10000.00"),
    ("10000.00", "$10000.00"),
];

#[tokio::test]
async fn every_refused_amount_has_its_message_and_sends_nothing() {
    let env = start().await;
    let tmp = tempdir("amounts");
    let dir = tmp.path();
    let accounts = accounts_service(&env, dir, Arc::new(MemoryStore::default()));
    let record = add_signed_in(&accounts, sandbox_preset()).await;
    accounts.pricing(&record.id).await.unwrap();

    let corpus = refused();
    assert!(corpus.len() >= 50, "{} inputs", corpus.len());
    let mut wrong = Vec::new();
    for (typed, expected) in &corpus {
        match accounts.buy(&record.id, typed).await {
            Ok(outcome) => wrong.push(format!("{typed:?} was accepted: {outcome:?}")),
            Err(e) if e.code() != topup_core::ErrorCode::InvalidAmount => wrong.push(format!(
                "{typed:?}: {:?} instead of invalid_amount",
                e.code()
            )),
            Err(e) if e.to_string() != *expected => {
                wrong.push(format!("{typed:?}: {e:?} instead of {expected:?}"))
            }
            Err(_) => {}
        }
    }
    for (typed, reads_as) in ACCEPTED {
        match accounts.quote(&record.id, typed) {
            Ok(quote) if quote.amount.to_string() == *reads_as => {}
            other => wrong.push(format!("{typed:?} should read as {reads_as}: {other:?}")),
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));

    let buys = env
        .admin_get("/requests?method=POST&path=/api/v1/stripe/buy")
        .await;
    assert_eq!(buys, serde_json::json!([]), "no purchase was asked for");
    assert!(accounts.pending_purchase(&record.id).unwrap().is_none());
}
