//! The whole Sandbox's state: each service's part, and the demo world they
//! all start in. Each service's router gets its own part (`with_state`);
//! handlers on the shared router take theirs through axum's `FromRef`.

use std::sync::Arc;

use axum::extract::FromRef;
use serde_json::Map;

use crate::clara::seed::{seed_user, DemoUser};
use crate::clock::Clock;
use crate::config::Config;
use crate::state::{Common, Service, Shared};
use crate::stripe::{Customer, Endpoint, Price};
use crate::{clara, demo, dispersed, ids, stripe};

#[derive(Clone)]
pub struct AppState {
    pub common: Common,
    pub stripe: stripe::App,
    pub clara: clara::App,
    pub dispersed: dispersed::App,
}

impl FromRef<AppState> for Common {
    fn from_ref(state: &AppState) -> Self {
        state.common.clone()
    }
}

impl FromRef<AppState> for dispersed::App {
    fn from_ref(state: &AppState) -> Self {
        state.dispersed.clone()
    }
}

/// The three services' worlds, as the demo starts them.
struct Worlds {
    stripe: stripe::World,
    clara: clara::World,
    dispersed: dispersed::World,
}

impl AppState {
    pub fn new(config: Config, base: String) -> Self {
        let clock = Clock::default();
        let worlds = seed(&config, &base, &clock);
        let common: Common = Arc::new(Shared::new(config, base, clock));
        Self {
            stripe: Service::new(common.clone(), worlds.stripe),
            clara: Service::new(common.clone(), worlds.clara),
            dispersed: Service::new(common.clone(), worlds.dispersed),
            common,
        }
    }

    /// Back to the seeded world (the `/__sandbox/reset` hook): the clock, the
    /// mailbox, the fault rules and every service's data.
    pub fn reseed(&self) {
        let common = &self.common;
        common.clock.reset();
        common.emails().clear();
        let worlds = seed(&common.config, &common.base, &common.clock);
        *self.stripe.world() = worlds.stripe;
        *self.clara.world() = worlds.clara;
        *self.dispersed.world() = worlds.dispersed;
        common
            .faults()
            .set(common.config.faults.clone(), Some(common.config.seed));
    }
}

/// A demo user with what the README says it starts with.
struct Demo {
    user: DemoUser<'static>,
    credits: Option<f64>,
    api_key: bool,
}

const DEMO_USERS: [Demo; 3] = [
    Demo {
        user: DemoUser {
            email: demo::USER_EMAIL,
            first: "Demo",
            last: "User",
            active: true,
            two_fa: false,
        },
        credits: Some(1000.0),
        api_key: true,
    },
    Demo {
        user: DemoUser {
            email: demo::TWO_FA_EMAIL,
            first: "Twofa",
            last: "User",
            active: true,
            two_fa: true,
        },
        credits: Some(1000.0),
        api_key: false,
    },
    Demo {
        user: DemoUser {
            email: demo::INACTIVE_EMAIL,
            first: "Inactive",
            last: "User",
            active: false,
            two_fa: false,
        },
        credits: None,
        api_key: false,
    },
];

/// The demo world of the crate README.
fn seed(config: &Config, base: &str, clock: &Clock) -> Worlds {
    let mut stripe = stripe::World::new(clock.clone());
    let mut clara = clara::World::new(clock.clone());
    let dispersed = dispersed::World::new(clock.clone());
    clara.clara.token_ttl_secs = config.token_ttl.as_secs_f64();
    let created = clock.unix();
    for p in &config.prices {
        stripe.stripe.prices.insert(
            p.id.clone(),
            Price {
                id: p.id.clone(),
                unit_amount: p.unit_amount,
                currency: p.currency.clone(),
                product: "Clara credits".to_owned(),
                created,
            },
        );
    }
    let endpoint = |url: String, secret: String, events: &[&str]| Endpoint {
        id: ids::stripe("we"),
        url,
        secret,
        enabled_events: events.iter().map(|e| (*e).to_owned()).collect(),
        created,
    };
    let endpoints = &mut stripe.stripe.endpoints;
    endpoints.push(endpoint(
        format!("{base}/api/v1/stripe/settle"),
        demo::WEBHOOK_SECRET.to_owned(),
        &["checkout.session.completed"],
    ));
    endpoints.push(endpoint(
        format!("{base}/dispersed-webhooks/stripe"),
        dispersed.dispersed.webhook_secret.clone(),
        &["checkout.session.completed", "checkout.session.expired"],
    ));
    endpoints.extend(
        config
            .webhooks
            .iter()
            .map(|w| endpoint(w.url.clone(), w.secret.clone(), &["*"])),
    );

    for Demo {
        user,
        credits,
        api_key,
    } in &DEMO_USERS
    {
        // Each has a Stripe customer, as a user registered through Clara has.
        let customer = Customer {
            id: ids::stripe("cus"),
            email: Some(user.email.to_owned()),
            name: Some(format!("{} {}", user.first, user.last)),
            metadata: Map::new(),
            created,
        };
        let customer_id = customer.id.clone();
        stripe
            .stripe
            .customers
            .insert(customer_id.clone(), customer);
        let id = seed_user(&mut clara, user, Some(customer_id));
        if let Some(credits) = credits {
            clara::set_balance(&mut clara, &id, *credits);
        }
        if *api_key {
            clara::auth::issue_api_key(&mut clara, &id);
        }
    }
    Worlds {
        stripe,
        clara,
        dispersed,
    }
}
