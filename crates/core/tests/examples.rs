//! Every JSON example of the references parses into the client's types, and
//! converts into domain values (exact credits, money in minor units, dates).

use serde_json::Value;
use topup_core::clara::{token, wire as clara};
use topup_core::dispersed::wire as dispersed;
use topup_core::money::{Currency, Money};

const CLARA_MD: &str = include_str!("../../../tests/fixtures/reference/clara-api.md");
const DISPERSED_MD: &str = include_str!("../../../tests/fixtures/reference/dispersed-api.md");
const OPENAPI: &str =
    include_str!("../../../tests/fixtures/reference/clara-boilerplate.openapi.json");
const STRIPE: &str = include_str!("../../../tests/fixtures/reference/stripe-checkout-session.json");

/// The ```json blocks of a Markdown document.
fn json_blocks(md: &str) -> Vec<Value> {
    let mut out = Vec::new();
    let mut rest = md;
    while let Some(start) = rest.find("```json\n") {
        let body = &rest[start + 8..];
        let end = body.find("```").expect("closed block");
        out.push(
            serde_json::from_str(&body[..end])
                .unwrap_or_else(|e| panic!("block is JSON: {e}\n{}", &body[..end])),
        );
        rest = &body[end + 3..];
    }
    out
}

/// Parses one Clara answer by its shape; returns what it was.
fn clara_answer(v: &Value) -> &'static str {
    let env: clara::Envelope<Value> = serde_json::from_value(v.clone()).expect("an envelope");
    assert!(env.status == "success" || env.status == "error");
    assert!(!env.message.is_empty());
    let Some(data) = env.data else {
        return "null data";
    };
    let first = data.as_array().and_then(|a| a.first()).cloned();
    let kind = if data.get("credits").is_some() {
        let w: clara::UserWire = serde_json::from_value(data.clone()).unwrap();
        let user = topup_core::clara::User::try_from(w).unwrap();
        assert!(user.id.starts_with("user_"));
        "user"
    } else if data.get("value_in_credits").is_some() && data.get("url").is_some() {
        let w: clara::BuyWire = serde_json::from_value(data).unwrap();
        let checkout = topup_core::clara::Checkout::try_from(w).unwrap();
        assert_eq!(checkout.amount, Money::major(Currency::Usd, 5));
        assert_eq!(checkout.credits.to_string(), "500");
        "buy"
    } else if data.get("type").is_some() {
        let w: clara::TransactionWire = serde_json::from_value(data).unwrap();
        topup_core::clara::Transaction::try_from(w).unwrap();
        "transaction"
    } else if first.as_ref().is_some_and(|f| f.get("rate").is_some()) {
        let tiers: Vec<clara::TierWire> = serde_json::from_value(data).unwrap();
        let prices = clara::price_list(tiers).unwrap();
        let five_dollars = prices.credits_for(Money::major(Currency::Usd, 5));
        assert_eq!(five_dollars.unwrap().to_string(), "500");
        "rate"
    } else if first.as_ref().is_some_and(|f| f.get("type").is_some()) {
        let rows: Vec<clara::TransactionWire> = serde_json::from_value(data).unwrap();
        let rows: Vec<_> = rows
            .into_iter()
            .map(topup_core::clara::Transaction::try_from)
            .collect::<Result<_, _>>()
            .unwrap();
        // 10.0 credits for $0.1 in the example: exact, no float dust.
        assert_eq!(rows[0].credits.to_string(), "10");
        assert_eq!(rows[0].fiat, Money::from_minor(Currency::Usd, 10));
        "transactions"
    } else if data
        .get("token")
        .is_some_and(|t| t.as_str().is_some_and(|t| t.starts_with("clara_api_")))
    {
        let claims = token::claims(data["token"].as_str().unwrap()).unwrap();
        assert_eq!(claims.role.as_deref(), Some("api_key"));
        "api key"
    } else if data.get("url").is_some() {
        let w: clara::UrlWire = serde_json::from_value(data).unwrap();
        url::Url::parse(&w.url).unwrap();
        "portal"
    } else if data.get("service").is_some() {
        serde_json::from_value::<clara::HealthWire>(data).unwrap();
        "health"
    } else if data.get("version").is_some() {
        serde_json::from_value::<clara::VersionWire>(data).unwrap();
        "version"
    } else if data.get("is_2fa_enabled").is_some() {
        serde_json::from_value::<clara::TwoFactorWire>(data).unwrap();
        "2fa challenge"
    } else {
        panic!("an answer of unknown shape: {v}");
    };
    kind
}

#[test]
fn every_clara_reference_example_parses() {
    let mut seen = std::collections::BTreeMap::<&str, usize>::new();
    for block in json_blocks(CLARA_MD) {
        let kind = if block.get("message").is_some() {
            clara_answer(&block)
        } else if block.get("type") == Some(&Value::String("checkout.session.completed".into())) {
            "webhook event (sent to the server, not the client)"
        } else if block.get("data").is_some() {
            // API Key View's known part has no message.
            let token = block["data"]["token"].as_str().unwrap();
            assert!(token::claims(token).is_some());
            "api key"
        } else {
            "request body"
        };
        *seen.entry(kind).or_default() += 1;
    }
    for kind in [
        "user",
        "buy",
        "transaction",
        "transactions",
        "rate",
        "portal",
        "health",
        "version",
        "api key",
        "null data",
        "2fa challenge",
    ] {
        assert!(
            seen.contains_key(kind),
            "clara-api.md has a {kind} example: {seen:?}"
        );
    }
}

#[test]
fn every_openapi_example_parses() {
    let spec: Value = serde_json::from_str(OPENAPI).unwrap();
    let mut count = 0;
    let mut visit = |content: &Value| {
        for (_, media) in content.as_object().into_iter().flatten() {
            let mut values: Vec<Value> = media.get("example").cloned().into_iter().collect();
            for (_, e) in media
                .get("examples")
                .and_then(Value::as_object)
                .into_iter()
                .flatten()
            {
                values.push(e["value"].clone());
            }
            for v in values {
                let v = match v {
                    Value::String(s) => serde_json::from_str(&s).unwrap(),
                    other => other,
                };
                clara_answer(&v);
                count += 1;
            }
        }
    };
    for (_, methods) in spec["paths"].as_object().unwrap() {
        for (_, op) in methods.as_object().unwrap() {
            for (_, resp) in op["responses"].as_object().into_iter().flatten() {
                visit(&resp["content"]);
            }
        }
    }
    for (_, resp) in spec["components"]["responses"].as_object().unwrap() {
        visit(&resp["content"]);
    }
    assert!(count >= 29, "{count} examples");
}

#[test]
fn every_dispersed_reference_example_parses() {
    let mut kinds = Vec::new();
    for block in json_blocks(DISPERSED_MD) {
        if block.get("session_id").is_some() {
            let w: dispersed::CreateWire = serde_json::from_value(block).unwrap();
            let created =
                dispersed::CreatedPurchase::from_wire(w, Money::major(Currency::Eur, 25)).unwrap();
            assert_eq!(created.checkout_session_id, "cs_test_abc123");
            assert_eq!(created.amount, Money::major(Currency::Eur, 25));
            kinds.push("create");
        } else if block.get("total").is_some() {
            let w: dispersed::ListWire = serde_json::from_value(block).unwrap();
            for p in w.data {
                dispersed::Purchase::try_from(p).unwrap();
            }
            kinds.push("list");
        } else if block.get("checkout_session_id").is_some() {
            let w: dispersed::PurchaseWire = serde_json::from_value(block).unwrap();
            let p = dispersed::Purchase::try_from(w).unwrap();
            assert_eq!(p.state, Some(dispersed::PurchaseState::Pending));
            kinds.push("reconcile");
        } else {
            assert!(
                block.get("amount").is_some() && block.get("cancel_url").is_some(),
                "a request body: {block}"
            );
            kinds.push("request");
        }
    }
    for kind in ["create", "list", "reconcile"] {
        assert!(
            kinds.contains(&kind),
            "dispersed-api.md has a {kind} example"
        );
    }
}

#[test]
fn the_stripe_fixture_parses_as_an_embedded_checkout_session() {
    let w: dispersed::CheckoutSessionWire = serde_json::from_str(STRIPE).unwrap();
    assert!(w.id.starts_with("cs_test_"));
    assert_eq!(w.status.as_deref(), Some("open"));
    assert!(w.url.unwrap().starts_with("https://checkout.stripe.com/"));
    let create = dispersed::CreateWire {
        created_at: None,
        session_id: Some("cs_old".into()),
        session_url: Some("https://checkout.stripe.com/old".into()),
        submitted_amount: Some(25.0),
        checkout_session: Some(serde_json::from_str(STRIPE).unwrap()),
    };
    let created =
        dispersed::CreatedPurchase::from_wire(create, Money::major(Currency::Eur, 25)).unwrap();
    assert!(
        created.checkout_session_id.starts_with("cs_test_a1YS"),
        "checkout_session wins over the deprecated fields"
    );
}
