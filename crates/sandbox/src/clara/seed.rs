//! Demo users, written straight into the store.

use super::store::{User, World};
use crate::demo;
use crate::ids;

/// A user of the demo world (the crate README lists them).
pub struct DemoUser<'a> {
    pub email: &'a str,
    pub first: &'a str,
    pub last: &'a str,
    pub active: bool,
    pub two_fa: bool,
}

/// Creates a demo user directly in the store (no HTTP), with no credits and
/// the Stripe customer the caller made for it.
pub fn seed_user(
    world: &mut World,
    user: &DemoUser<'_>,
    stripe_customer_id: Option<String>,
) -> String {
    let now = world.clock.now();
    let id = ids::clara("user");
    world.clara.users.insert(
        id.clone(),
        User {
            id: id.clone(),
            email: user.email.to_owned(),
            password: demo::PASSWORD.to_owned(),
            first_name: Some(user.first.to_owned()),
            last_name: Some(user.last.to_owned()),
            credits: 0.0,
            is_active: user.active,
            is_2fa_enabled: user.two_fa,
            is_dark_mode: true,
            created_at: now,
            updated_at: now,
            stripe_customer_id,
            google_user_id: None,
        },
    );
    id
}
