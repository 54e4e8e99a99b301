//! Entry points for the fuzz targets in `fuzz/`: each hands untrusted bytes to
//! the code that reads them in production and checks what must always hold.
//! Compiled with the `fuzzing` feature, and in this crate's unit tests, which
//! replay the committed corpora (seeds and every input a run ever crashed on)
//! without the instrumented build.

use bytes::Bytes;
use reqwest::header::HeaderMap;
use reqwest::StatusCode;
use serde_json::Value;

use crate::clara::errors::{self, Context};
use crate::clara::{wire as clara_wire, Checkout, Transaction, User};
use crate::dispersed::{self, wire as dispersed_wire, CreatedPurchase, Purchase};
use crate::http::Response;
use crate::money::{parse_amount, AmountRules, Currency, Money};

fn response(status: u16, body: &[u8]) -> Response {
    Response {
        status: StatusCode::from_u16(status).unwrap_or(StatusCode::OK),
        headers: HeaderMap::new(),
        body: Bytes::copy_from_slice(body),
    }
}

/// A typed amount under Clara's rules and under open euro rules: refused with
/// a reason, or an amount within the limits that reads back as itself.
pub fn amount(input: &str) {
    let clara = AmountRules {
        currency: Currency::Usd,
        whole_units_only: true,
        min: Some(Money::major(Currency::Usd, 5)),
        max: Some(Money::major(Currency::Usd, 10_000)),
    };
    for rules in [clara, AmountRules::new(Currency::Eur)] {
        match parse_amount(input, &rules) {
            Err(e) => assert!(!e.to_string().is_empty()),
            Ok(money) => {
                assert!(money.minor > 0, "{input:?} gave {money}");
                assert!(rules.min.is_none_or(|min| money.minor >= min.minor));
                assert!(rules.max.is_none_or(|max| money.minor <= max.minor));
                if rules.whole_units_only {
                    assert_eq!(money.minor % 100, 0, "{input:?}");
                }
                let again = parse_amount(&money.to_string(), &rules);
                assert_eq!(again, Ok(money), "{input:?} → {money}");
            }
        }
    }
}

/// How the answer targets read their input: the first two bytes choose the
/// HTTP status, the rest is the body.
pub fn status_and_body(data: &[u8]) -> Option<(u16, &[u8])> {
    match data {
        [a, b, body @ ..] => Some((100 + u16::from_le_bytes([*a, *b]) % 500, body)),
        _ => None,
    }
}

/// A Clara answer with `status` and `body`, read as every kind of answer.
pub fn clara_answer(status: u16, body: &[u8]) {
    let r = response(status, body);
    if r.status.is_success() {
        let _ = crate::clara::parse::<clara_wire::UserWire>(&r).and_then(User::try_from);
        let _ =
            crate::clara::parse::<Vec<clara_wire::TierWire>>(&r).and_then(clara_wire::price_list);
        let _ = crate::clara::parse::<clara_wire::BuyWire>(&r).and_then(Checkout::try_from);
        let _ = crate::clara::parse::<Vec<clara_wire::TransactionWire>>(&r).map(|rows| {
            rows.into_iter()
                .map(Transaction::try_from)
                .collect::<Vec<_>>()
        });
        let _ = crate::clara::parse::<clara_wire::UrlWire>(&r);
    }
    for context in [
        Context::Login { code_given: false },
        Context::Login { code_given: true },
        Context::Authenticated {
            token_expired: false,
        },
        Context::Authenticated {
            token_expired: true,
        },
        Context::Code,
        Context::PublicKey,
        Context::Anonymous,
    ] {
        let e = errors::map(&r, context);
        assert!(!e.to_string().is_empty());
    }
}

/// A Dispersed answer with `status` and `body`, read as every kind of answer.
pub fn dispersed_answer(status: u16, body: &[u8]) {
    let r = response(status, body);
    if r.status.is_success() {
        let _ = dispersed::json_of::<dispersed_wire::PurchaseWire>(&r).and_then(Purchase::try_from);
        let _ = dispersed::json_of::<dispersed_wire::CreateWire>(&r)
            .and_then(|w| CreatedPurchase::from_wire(w, Money::major(Currency::Eur, 10)));
        let _ = dispersed::json_of::<dispersed_wire::ListWire>(&r);
    }
    let e = dispersed::map_error(&r);
    assert!(!e.to_string().is_empty());
}

/// The signer's canonical forms: canonical JSON is JSON that reads back as
/// the same value and is its own canonical form; the canonical query is
/// the same whatever the order of its pairs.
pub fn canonical(data: &[u8]) {
    use crate::dispersed::signer::{canonical_json, canonical_query};
    if let Ok(value) = serde_json::from_slice::<Value>(data) {
        let once = canonical_json(&value);
        let back: Value = serde_json::from_str(&once).expect("canonical JSON is JSON");
        assert_eq!(back, value);
        assert_eq!(canonical_json(&back), once);
    }
    let text = String::from_utf8_lossy(data);
    let pairs: Vec<(String, String)> = text
        .split('&')
        .map(|p| match p.split_once('=') {
            Some((k, v)) => (k.to_owned(), v.to_owned()),
            None => (p.to_owned(), String::new()),
        })
        .collect();
    let mut reversed = pairs.clone();
    reversed.reverse();
    let query = canonical_query(&pairs);
    assert_eq!(query, canonical_query(&reversed));
    assert!(query.bytes().all(|b| b.is_ascii_graphic()), "{query:?}");
}

#[cfg(test)]
mod tests {
    use std::path::PathBuf;

    /// Runs `check` on every file of `fuzz/corpus/<target>`; the file's name
    /// is printed first so a failure says which input broke.
    fn replay(target: &str, check: impl Fn(&[u8])) {
        let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("../../fuzz/corpus")
            .join(target);
        let mut files: Vec<_> = std::fs::read_dir(&dir)
            .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
            .map(|entry| entry.expect("corpus entry").path())
            .collect();
        files.sort();
        assert!(files.len() >= 10, "{target}: only {} inputs", files.len());
        for path in files {
            eprintln!("{}", path.display());
            check(&std::fs::read(&path).expect("corpus file"));
        }
    }

    // Each replay runs the same entry point as its fuzz target, so an input
    // that once broke an invariant fails here until the fix is in.
    #[test]
    fn amount_corpus_replays_cleanly() {
        replay("amount", |data| {
            if let Ok(text) = std::str::from_utf8(data) {
                super::amount(text);
            }
        });
    }

    #[test]
    fn clara_answer_corpus_replays_cleanly() {
        replay("clara_answer", |data| {
            if let Some((status, body)) = super::status_and_body(data) {
                super::clara_answer(status, body);
            }
        });
    }

    #[test]
    fn dispersed_answer_corpus_replays_cleanly() {
        replay("dispersed_answer", |data| {
            if let Some((status, body)) = super::status_and_body(data) {
                super::dispersed_answer(status, body);
            }
        });
    }

    #[test]
    fn canonical_corpus_replays_cleanly() {
        replay("canonical", super::canonical);
    }
}
