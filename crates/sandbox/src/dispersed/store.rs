//! What Dispersed remembers: key pairs, nonces, purchases and profiles.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::SystemTime;

use serde_json::{json, Value};

use crate::clock::{iso8601, Clock};
use crate::json::whole_or_float;
use crate::state::Service;
use crate::{demo, ids};

/// Dispersed's world, on the Sandbox's one clock.
pub struct World {
    pub clock: Clock,
    pub dispersed: Store,
}

/// What Dispersed's handlers get.
pub type App = Arc<Service<World>>;

impl World {
    pub fn new(clock: Clock) -> Self {
        Self {
            clock,
            dispersed: Store::default(),
        }
    }
}

pub struct Store {
    pub keys: HashMap<String, KeyPair>,
    /// Nonces seen, with the request time, forgotten once outside the window.
    pub nonces: HashMap<String, i64>,
    pub purchases: Vec<Purchase>,
    pub profiles: Vec<Profile>,
    /// Answer Create with `checkout_session: null`, as before the upstream update.
    pub legacy_create: bool,
    pub webhook_secret: String,
}

#[derive(Debug, Clone)]
pub struct KeyPair {
    pub secret: String,
    pub ledger: bool,
    pub account_uuid: String,
}

#[derive(Debug, Clone)]
pub struct Profile {
    pub uuid: String,
    pub account_uuid: String,
    pub render_user_id: String,
    pub is_active: bool,
    pub is_compute_billing_enabled: bool,
    pub allowed_region_codes: Vec<String>,
    pub created_at: SystemTime,
    pub updated_at: SystemTime,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    Pending,
    Completed,
    Expired,
}

impl Status {
    pub fn name(self) -> &'static str {
        match self {
            Self::Pending => "PENDING",
            Self::Completed => "COMPLETED",
            Self::Expired => "EXPIRED",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "PENDING" => Some(Self::Pending),
            "COMPLETED" => Some(Self::Completed),
            "EXPIRED" => Some(Self::Expired),
            _ => None,
        }
    }
}

#[derive(Debug, Clone)]
pub struct Purchase {
    pub uuid: String,
    /// EUR, major units, as submitted.
    pub amount: f64,
    pub checkout_session_id: String,
    pub status: Status,
    pub memo: Option<String>,
    pub account_uuid: String,
    pub profile_uuid: String,
    pub render_user_id: String,
    pub created_at: SystemTime,
    pub updated_at: SystemTime,
    pub completed_at: Option<SystemTime>,
}

impl Default for Store {
    fn default() -> Self {
        let mut store = Self {
            keys: HashMap::new(),
            nonces: HashMap::new(),
            purchases: Vec::new(),
            profiles: Vec::new(),
            legacy_create: false,
            webhook_secret: format!("whsec_{}", ids::secret(32)),
        };
        let account = ids::uuid();
        store.keys.insert(
            demo::DISPERSED_PUBLIC_KEY.to_owned(),
            KeyPair {
                secret: demo::DISPERSED_SECRET_KEY.to_owned(),
                ledger: true,
                account_uuid: account.clone(),
            },
        );
        store.keys.insert(
            demo::DISPERSED_READONLY_PUBLIC_KEY.to_owned(),
            KeyPair {
                secret: demo::DISPERSED_READONLY_SECRET_KEY.to_owned(),
                ledger: false,
                account_uuid: account.clone(),
            },
        );
        let now = SystemTime::now();
        store.profiles.push(Profile {
            uuid: ids::uuid(),
            account_uuid: account,
            render_user_id: format!("render_{}", ids::secret(10).to_lowercase()),
            is_active: true,
            is_compute_billing_enabled: true,
            allowed_region_codes: vec!["us-west-2".to_owned()],
            created_at: now,
            updated_at: now,
        });
        store
    }
}

pub fn number(v: f64) -> Value {
    whole_or_float(v)
}

impl Purchase {
    pub fn to_json(&self) -> Value {
        json!({
            "amount": number(self.amount),
            "currency": "eur",
            "checkout_session_id": self.checkout_session_id,
            "status": self.status.name(),
            "object": "compute_ledger_credit_purchase",
            "created_at": iso8601(self.created_at),
            "updated_at": iso8601(self.updated_at),
            "uuid": self.uuid,
            "consumer_profile_uuid": self.profile_uuid,
            "consumer_account_uuid": self.account_uuid,
            "render_user_id": self.render_user_id,
            "memo": self.memo,
            "completed_at": self.completed_at.map(iso8601),
        })
    }
}

impl Profile {
    pub fn to_json(&self) -> Value {
        json!({
            "object": "consumer_profile",
            "uuid": self.uuid,
            "account_uuid": self.account_uuid,
            "render_user_id": self.render_user_id,
            "is_active": self.is_active,
            "is_compute_billing_enabled": self.is_compute_billing_enabled,
            "allowed_region_codes": self.allowed_region_codes,
            "created_at": iso8601(self.created_at),
            "updated_at": iso8601(self.updated_at),
            "deleted_at": null,
        })
    }
}
