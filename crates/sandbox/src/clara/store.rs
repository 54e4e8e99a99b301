//! What Clara remembers, and the records it keeps.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::Arc;
use std::time::SystemTime;

use serde_json::{json, Value};

use super::google_store;
use crate::clock::{http_date, Clock};
use crate::demo;
use crate::ids;
use crate::json::{float, whole_or_float};
use crate::state::Service;

/// Clara's world, on the Sandbox's one clock.
pub struct World {
    pub clock: Clock,
    pub clara: Store,
}

/// What Clara's handlers get.
pub type App = Arc<Service<World>>;

impl World {
    pub fn new(clock: Clock) -> Self {
        Self {
            clock,
            clara: Store::default(),
        }
    }
}

// ---- state ----

#[derive(Debug, Clone, serde::Serialize)]
pub struct Settlement {
    pub session_id: String,
    pub user_id: String,
    pub credits: f64,
    /// Unix milliseconds on the machine's clock when the balance was credited.
    pub wall_ms: u128,
}

pub struct Store {
    pub users: BTreeMap<String, User>,
    pub tokens: HashMap<String, Token>,
    pub otps: HashMap<(String, OtpType), Otp>,
    pub transactions: Vec<Transaction>,
    pub api_keys: HashMap<String, ApiKey>,
    pub tasks: Vec<Task>,
    /// Checkout Sessions already credited: each at most once.
    pub settled: HashSet<String>,
    /// When each credit was written, on the wall clock (not the Sandbox
    /// clock, which tests move): benchmarks time "paid → on screen" from it.
    pub settlements: Vec<Settlement>,
    pub tiers: Vec<Tier>,
    pub jwt_secret: String,
    pub token_ttl_secs: f64,
    pub webhook_secret: String,
    pub google: google_store::Store,
}

impl Default for Store {
    fn default() -> Self {
        Self {
            users: BTreeMap::new(),
            tokens: HashMap::new(),
            otps: HashMap::new(),
            transactions: Vec::new(),
            api_keys: HashMap::new(),
            tasks: Vec::new(),
            settled: HashSet::new(),
            settlements: Vec::new(),
            tiers: vec![Tier {
                lower_limit: 5.0,
                upper_limit: 10_000.0,
                rate: 100.0,
                stripe_price_id: demo::CLARA_PRICE_ID.to_owned(),
            }],
            jwt_secret: ids::secret(32),
            token_ttl_secs: 7.0 * 24.0 * 3600.0,
            webhook_secret: demo::WEBHOOK_SECRET.to_owned(),
            google: google_store::Store::default(),
        }
    }
}

#[derive(Debug, Clone)]
pub struct User {
    pub id: String,
    pub email: String,
    pub password: String,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub credits: f64,
    pub is_active: bool,
    pub is_2fa_enabled: bool,
    pub is_dark_mode: bool,
    pub created_at: SystemTime,
    pub updated_at: SystemTime,
    pub stripe_customer_id: Option<String>,
    pub google_user_id: Option<String>,
}

#[derive(Debug, Clone)]
pub struct Token {
    pub user_id: String,
    pub exp: f64,
    pub revoked: bool,
    /// Set by the test hook that ends sessions as if their JWT had expired.
    pub force_expired: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum OtpType {
    ChangePassword,
    TwoFactorAuth,
    Activation,
}

impl OtpType {
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "CHANGE_PASSWORD" => Some(Self::ChangePassword),
            "TWO_FACTOR_AUTH" => Some(Self::TwoFactorAuth),
            "ACTIVATION" => Some(Self::Activation),
            _ => None,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Self::ChangePassword => "CHANGE_PASSWORD",
            Self::TwoFactorAuth => "TWO_FACTOR_AUTH",
            Self::Activation => "ACTIVATION",
        }
    }
}

#[derive(Debug, Clone)]
pub struct Otp {
    pub code: String,
    pub expires_at: i64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Credit,
    Debit,
}

#[derive(Debug, Clone)]
pub struct Transaction {
    pub id: String,
    pub user_id: String,
    pub kind: Kind,
    pub description: String,
    pub value_in_credits: f64,
    pub value_in_fiat: f64,
    pub created_at: SystemTime,
    pub updated_at: SystemTime,
    pub payment_intent: Option<String>,
}

#[derive(Debug, Clone)]
pub struct ApiKey {
    pub id: String,
    pub token: String,
    pub created_at: SystemTime,
    pub updated_at: SystemTime,
}

#[derive(Debug, Clone)]
pub struct Task {
    pub id: String,
    pub user_id: String,
    pub status: String,
    pub created_at: SystemTime,
    pub updated_at: SystemTime,
}

#[derive(Debug, Clone)]
pub struct Tier {
    pub lower_limit: f64,
    pub upper_limit: f64,
    pub rate: f64,
    pub stripe_price_id: String,
}

pub fn round2(v: f64) -> f64 {
    (v * 100.0).round() / 100.0
}

impl User {
    pub fn to_json(&self) -> Value {
        json!({
            "created_at": http_date(self.created_at),
            "credits": float(self.credits),
            "email": self.email,
            "first_name": self.first_name,
            "id": self.id,
            "is_2fa_enabled": self.is_2fa_enabled,
            "is_active": self.is_active,
            "is_dark_mode": self.is_dark_mode,
            "last_name": self.last_name,
            "updated_at": http_date(self.updated_at),
        })
    }

    pub fn with_token(&self, token: &str) -> Value {
        let mut v = self.to_json();
        v["token"] = json!(token);
        v
    }

    /// The active-user rule (§5.4).
    pub fn qualifies(&self) -> bool {
        self.is_active
            && self.first_name.as_deref().is_some_and(|n| !n.is_empty())
            && self.last_name.as_deref().is_some_and(|n| !n.is_empty())
    }
}

impl Transaction {
    pub fn to_json(&self) -> Value {
        json!({
            "created_at": http_date(self.created_at),
            "description": self.description,
            "id": self.id,
            "type": match self.kind { Kind::Credit => "CREDIT", Kind::Debit => "DEBIT" },
            "updated_at": http_date(self.updated_at),
            "user_id": self.user_id,
            "value_in_credits": float(self.value_in_credits),
            "value_in_fiat": float(self.value_in_fiat),
        })
    }
}

impl Tier {
    pub fn to_json(&self) -> Value {
        json!({
            "lower_limit": whole_or_float(self.lower_limit),
            "rate": whole_or_float(self.rate),
            "stripe_price_id": self.stripe_price_id,
            "upper_limit": whole_or_float(self.upper_limit),
        })
    }
}

/// Word-by-word capitalisation, as the boilerplate stores names.
pub fn capitalise(name: &str) -> String {
    name.split(' ')
        .map(|w| {
            let mut c = w.chars();
            match c.next() {
                Some(f) => f
                    .to_uppercase()
                    .chain(c.flat_map(char::to_lowercase))
                    .collect(),
                None => String::new(),
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

pub fn find_by_email<'a>(world: &'a World, email: &str) -> Option<&'a User> {
    world
        .clara
        .users
        .values()
        .find(|u| u.email.eq_ignore_ascii_case(email))
}

/// Credits a user and writes the history row, as settlement and admin do.
pub fn add_transaction(
    world: &mut World,
    user_id: &str,
    kind: Kind,
    description: String,
    credits: f64,
    fiat: f64,
    payment_intent: Option<String>,
) -> Transaction {
    let now = world.clock.now();
    let t = Transaction {
        id: ids::clara("transaction"),
        user_id: user_id.to_owned(),
        kind,
        description,
        value_in_credits: round2(credits),
        value_in_fiat: round2(fiat),
        created_at: now,
        updated_at: now,
        payment_intent,
    };
    world.clara.transactions.push(t.clone());
    t
}

/// fiat = credits ÷ the rate of the tier whose limits contain `credits`, else ÷ 100 (§8.4.3).
pub fn fiat_for(world: &World, credits: f64) -> f64 {
    let rate = world
        .clara
        .tiers
        .iter()
        .find(|t| credits >= t.lower_limit && credits <= t.upper_limit)
        .map_or(100.0, |t| t.rate);
    credits / rate
}

/// Python's float repr for the whole-number and short cases the API shows (`500.0`, `2.5`).
pub fn py_float(v: f64) -> String {
    format!("{v:?}")
}

/// The Stripe customer a user pays as, where one was made.
pub fn stripe_customer(world: &World, user_id: &str) -> Option<String> {
    world
        .clara
        .users
        .get(user_id)
        .and_then(|u| u.stripe_customer_id.clone())
}
