//! The Stripe-like part: the REST subset a billing backend uses, hosted
//! Checkout and portal pages, and signed webhooks.
//!
//! Objects follow `stripe-checkout-session.json` (the fixture from Stripe's
//! OpenAPI repository): ids `cs_test_…`, amounts in minor units, lowercase
//! currency, `url` only while a session is open, 24 h default expiry.

pub mod api;
pub mod delivery;
pub mod hooks;
pub mod pages;
pub mod webhooks;

use std::collections::BTreeMap;
use std::sync::Arc;

use serde_json::{json, Map, Value};

use crate::clock::Clock;
use crate::ids;
use crate::state::Service;

/// Stripe's world, on the Sandbox's one clock.
pub struct World {
    pub clock: Clock,
    pub stripe: Store,
}

/// What Stripe's handlers get.
pub type App = Arc<Service<World>>;

impl World {
    pub fn new(clock: Clock) -> Self {
        Self {
            clock,
            stripe: Store::default(),
        }
    }
}

#[derive(Default)]
pub struct Store {
    pub customers: BTreeMap<String, Customer>,
    pub prices: BTreeMap<String, Price>,
    pub endpoints: Vec<Endpoint>,
    pub sessions: BTreeMap<String, Session>,
    pub portals: BTreeMap<String, PortalSession>,
    pub deliveries: Vec<webhooks::Delivery>,
}

#[derive(Debug, Clone)]
pub struct Customer {
    pub id: String,
    pub email: Option<String>,
    pub name: Option<String>,
    pub metadata: Map<String, Value>,
    pub created: i64,
}

#[derive(Debug, Clone)]
pub struct Price {
    pub id: String,
    pub unit_amount: i64,
    pub currency: String,
    pub product: String,
    pub created: i64,
}

#[derive(Debug, Clone)]
pub struct Endpoint {
    pub id: String,
    pub url: String,
    pub secret: String,
    pub enabled_events: Vec<String>,
    pub created: i64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    Open,
    Complete,
    Expired,
}

#[derive(Debug, Clone)]
pub struct LineItem {
    pub name: String,
    pub unit_amount: i64,
    pub quantity: i64,
}

#[derive(Debug, Clone)]
pub struct Session {
    pub id: String,
    pub created: i64,
    pub expires_at: i64,
    pub status: Status,
    pub paid: bool,
    pub currency: String,
    pub line_items: Vec<LineItem>,
    pub success_url: Option<String>,
    pub cancel_url: Option<String>,
    pub client_reference_id: Option<String>,
    pub metadata: Map<String, Value>,
    pub customer: Option<String>,
    pub customer_email: Option<String>,
    pub payer_email: Option<String>,
    pub payment_intent: Option<String>,
    pub allow_promotion_codes: Option<bool>,
    pub billing_address_collection: Option<String>,
    pub payment_method_types: Vec<String>,
    /// Sandbox clock, unix ms, when the payment went through (for benchmarks).
    pub paid_at_ms: Option<i64>,
    /// Failed payment attempts on the hosted page, newest last.
    pub declines: Vec<String>,
}

#[derive(Debug, Clone)]
pub struct PortalSession {
    pub id: String,
    pub customer: String,
    pub return_url: Option<String>,
    pub created: i64,
}

impl Session {
    pub fn amount_total(&self) -> i64 {
        self.line_items
            .iter()
            .map(|l| l.unit_amount * l.quantity)
            .sum()
    }

    pub fn url(&self, base: &str) -> String {
        format!("{base}/stripe/c/pay/{}", self.id)
    }

    /// The session as Stripe returns it: every key of the fixture object.
    pub fn to_json(&self, base: &str, store: &Store) -> Value {
        let amount = self.amount_total();
        let status = match self.status {
            Status::Open => "open",
            Status::Complete => "complete",
            Status::Expired => "expired",
        };
        let customer_email = self
            .customer
            .as_ref()
            .and_then(|c| store.customers.get(c))
            .and_then(|c| c.email.clone())
            .or_else(|| self.customer_email.clone());
        let details_email = self.payer_email.clone().or(customer_email);
        json!({
            "adaptive_pricing": {"enabled": false},
            "after_expiration": null,
            "allow_promotion_codes": self.allow_promotion_codes,
            "amount_subtotal": amount,
            "amount_total": amount,
            "automatic_tax": {"enabled": false, "liability": null, "status": null, "provider": null},
            "billing_address_collection": self.billing_address_collection,
            "cancel_url": self.cancel_url,
            "client_reference_id": self.client_reference_id,
            "client_secret": null,
            "collected_information": null,
            "consent": null,
            "consent_collection": null,
            "created": self.created,
            "currency": self.currency,
            "currency_conversion": null,
            "custom_fields": [],
            "custom_text": {"after_submit": null, "shipping_address": null, "submit": null, "terms_of_service_acceptance": null},
            "customer": self.customer,
            "customer_account": null,
            "customer_creation": if self.customer.is_some() { Value::Null } else { json!("if_required") },
            "customer_details": if self.status == Status::Complete {
                json!({
                    "address": {"city": null, "country": null, "line1": null, "line2": null, "postal_code": null, "state": null},
                    "email": details_email,
                    "name": null,
                    "phone": null,
                    "tax_exempt": "none",
                    "tax_ids": [],
                    "business_name": null,
                    "individual_name": null
                })
            } else { Value::Null },
            "customer_email": self.customer_email,
            "discounts": [],
            "expires_at": self.expires_at,
            "id": self.id,
            "integration_identifier": null,
            "invoice": null,
            "invoice_creation": {"enabled": false, "invoice_data": {"account_tax_ids": null, "custom_fields": null, "description": null, "footer": null, "issuer": null, "metadata": {}, "rendering_options": null}},
            "livemode": false,
            "locale": null,
            "managed_payments": {"enabled": false},
            "metadata": self.metadata,
            "mode": "payment",
            "object": "checkout.session",
            "origin_context": null,
            "payment_intent": self.payment_intent,
            "payment_link": null,
            "payment_method_collection": "if_required",
            "payment_method_configuration_details": null,
            "payment_method_options": {},
            "payment_method_types": self.payment_method_types,
            "payment_status": if self.paid { "paid" } else { "unpaid" },
            "permissions": null,
            "phone_number_collection": {"enabled": false},
            "recovered_from": null,
            "saved_payment_method_options": null,
            "setup_intent": null,
            "shipping_address_collection": null,
            "shipping_cost": null,
            "shipping_options": [],
            "status": status,
            "submit_type": null,
            "subscription": null,
            "success_url": self.success_url,
            "total_details": {"amount_discount": 0, "amount_shipping": 0, "amount_tax": 0},
            "ui_mode": "hosted",
            "url": if self.status == Status::Open { json!(self.url(base)) } else { Value::Null },
            "wallet_options": null
        })
    }
}

impl Customer {
    pub fn to_json(&self) -> Value {
        json!({
            "id": self.id,
            "object": "customer",
            "address": null,
            "balance": 0,
            "created": self.created,
            "currency": null,
            "default_source": null,
            "delinquent": false,
            "description": null,
            "email": self.email,
            "invoice_prefix": self.id.trim_start_matches("cus_").chars().take(8).collect::<String>().to_uppercase(),
            "invoice_settings": {"custom_fields": null, "default_payment_method": null, "footer": null, "rendering_options": null},
            "livemode": false,
            "metadata": self.metadata,
            "name": self.name,
            "phone": null,
            "preferred_locales": [],
            "shipping": null,
            "tax_exempt": "none",
            "test_clock": null
        })
    }
}

impl Price {
    pub fn to_json(&self) -> Value {
        json!({
            "id": self.id,
            "object": "price",
            "active": true,
            "billing_scheme": "per_unit",
            "created": self.created,
            "currency": self.currency,
            "custom_unit_amount": null,
            "livemode": false,
            "lookup_key": null,
            "metadata": {},
            "nickname": null,
            "product": self.product,
            "recurring": null,
            "tax_behavior": "unspecified",
            "tiers_mode": null,
            "transform_quantity": null,
            "type": "one_time",
            "unit_amount": self.unit_amount,
            "unit_amount_decimal": self.unit_amount.to_string()
        })
    }
}

impl Endpoint {
    pub fn to_json(&self, with_secret: bool) -> Value {
        let mut v = json!({
            "id": self.id,
            "object": "webhook_endpoint",
            "api_version": null,
            "application": null,
            "created": self.created,
            "description": null,
            "enabled_events": self.enabled_events,
            "livemode": false,
            "metadata": {},
            "status": "enabled",
            "url": self.url
        });
        if with_secret {
            v["secret"] = json!(self.secret);
        }
        v
    }
}

impl PortalSession {
    pub fn to_json(&self, base: &str) -> Value {
        json!({
            "id": self.id,
            "object": "billing_portal.session",
            "configuration": "bpc_sandbox",
            "created": self.created,
            "customer": self.customer,
            "flow": null,
            "livemode": false,
            "locale": null,
            "on_behalf_of": null,
            "return_url": self.return_url,
            "url": format!("{base}/stripe/p/session/{}", self.id)
        })
    }
}

/// Moves every open session whose time is up to `expired` and returns the
/// events to deliver.
pub fn expire_due(app: &App, world: &mut World) -> Vec<Value> {
    let now = world.clock.unix();
    let due: Vec<String> = world
        .stripe
        .sessions
        .values()
        .filter(|s| s.status == Status::Open && now >= s.expires_at)
        .map(|s| s.id.clone())
        .collect();
    due.iter()
        .filter_map(|id| expire(app, world, id).ok())
        .collect()
}

/// A session by id, or Stripe's words for an id it does not know.
fn session_mut<'w>(world: &'w mut World, id: &str) -> Result<&'w mut Session, String> {
    world
        .stripe
        .sessions
        .get_mut(id)
        .ok_or_else(|| format!("No such checkout.session: '{id}'"))
}

/// Expires an open session; the event to deliver comes back.
pub fn expire(app: &App, world: &mut World, id: &str) -> Result<Value, String> {
    let session = session_mut(world, id)?;
    if session.status != Status::Open {
        return Err(format!(
            "Only Checkout Sessions with a status in [\"open\"] can be expired. This Checkout Session has a status of \"{}\".",
            if session.status == Status::Complete { "complete" } else { "expired" }
        ));
    }
    session.status = Status::Expired;
    let object = session.clone().to_json(&app.base, &world.stripe);
    Ok(event(world, "checkout.session.expired", object))
}

/// The outcome of paying with a card.
pub enum Payment {
    Paid { event: Value },
    Declined(String),
    NotOpen(Status),
}

/// Pays an open session with a card number as typed (spaces allowed).
pub fn pay(
    app: &App,
    world: &mut World,
    id: &str,
    card: &str,
    email: Option<&str>,
) -> Result<Payment, String> {
    let now_ms = world.clock.unix_ms();
    let session = session_mut(world, id)?;
    if session.status != Status::Open {
        return Ok(Payment::NotOpen(session.status));
    }
    if let Err(reason) = card_outcome(card) {
        session.declines.push(reason.to_owned());
        return Ok(Payment::Declined(reason.to_owned()));
    }
    session.status = Status::Complete;
    session.paid = true;
    session.payment_intent = Some(ids::stripe("pi"));
    session.paid_at_ms = Some(now_ms);
    if let Some(email) = email.filter(|e| !e.is_empty()) {
        session.payer_email = Some(email.to_owned());
    }
    let object = session.clone().to_json(&app.base, &world.stripe);
    tracing::info!(session = id, "checkout session paid");
    Ok(Payment::Paid {
        event: event(world, "checkout.session.completed", object),
    })
}

/// Stripe's test cards: what each does on the hosted page.
pub fn card_outcome(card: &str) -> Result<(), &'static str> {
    let digits: String = card
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '-')
        .collect();
    if digits.is_empty() || !digits.chars().all(|c| c.is_ascii_digit()) || !luhn(&digits) {
        return Err("Your card number is incorrect.");
    }
    match digits.as_str() {
        "4242424242424242" | "4000056655665556" | "5555555555554444" | "378282246310005" => Ok(()),
        "4000000000000002" => Err("Your card was declined."),
        "4000000000009995" => Err("Your card has insufficient funds."),
        "4000000000000069" => Err("Your card has expired."),
        "4000000000000127" => Err("Your card's security code is incorrect."),
        "4000000000000119" => Err("An error occurred while processing your card. Try again in a little bit."),
        _ => Err("Your card was declined. Your request was in test mode, but used a non test card. For a list of valid test cards, visit: https://stripe.com/docs/testing."),
    }
}

fn luhn(digits: &str) -> bool {
    let sum: u32 = digits
        .chars()
        .rev()
        .filter_map(|c| c.to_digit(10))
        .enumerate()
        .map(|(i, d)| {
            if i % 2 == 1 {
                let x = d * 2;
                if x > 9 {
                    x - 9
                } else {
                    x
                }
            } else {
                d
            }
        })
        .sum();
    digits.len() >= 12 && sum.is_multiple_of(10)
}

/// Builds an event object (and remembers nothing else: delivery is separate).
pub fn event(world: &World, kind: &str, object: Value) -> Value {
    json!({
        "id": ids::stripe("evt"),
        "object": "event",
        "api_version": "2025-10-29.clover",
        "created": world.clock.unix(),
        "data": {"object": object},
        "livemode": false,
        "pending_webhooks": world.stripe.endpoints.len(),
        "request": {"id": null, "idempotency_key": null},
        "type": kind
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn test_cards_behave_like_stripe() {
        assert!(card_outcome("4242 4242 4242 4242").is_ok());
        assert_eq!(
            card_outcome("4000 0000 0000 0002"),
            Err("Your card was declined.")
        );
        assert_eq!(
            card_outcome("4000000000009995"),
            Err("Your card has insufficient funds.")
        );
        assert_eq!(
            card_outcome("4242 4242 4242 4241"),
            Err("Your card number is incorrect.")
        );
        assert_eq!(card_outcome("abc"), Err("Your card number is incorrect."));
        assert!(card_outcome("4111 1111 1111 1111")
            .unwrap_err()
            .contains("non test card"));
    }
}
