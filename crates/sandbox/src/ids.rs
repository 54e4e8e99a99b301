//! Identifiers in the formats the real services use.

use rand::distr::{Alphanumeric, SampleString};

/// `user_` + 32 lowercase hex, as Clara's ids.
pub fn clara(prefix: &str) -> String {
    format!("{prefix}_{}", uuid::Uuid::new_v4().simple())
}

/// Stripe-style `cs_test_…`, `cus_…`: a prefix and random alphanumerics.
pub fn stripe(prefix: &str) -> String {
    format!(
        "{prefix}_{}",
        Alphanumeric.sample_string(&mut rand::rng(), 24)
    )
}

/// A hyphenated uuid, as Dispersed's `uuid` fields.
pub fn uuid() -> String {
    uuid::Uuid::new_v4().to_string()
}

/// Six decimal digits.
pub fn otp() -> String {
    use rand::Rng;
    format!("{:06}", rand::rng().random_range(0..1_000_000))
}

/// A random secret of `len` alphanumerics.
pub fn secret(len: usize) -> String {
    Alphanumeric.sample_string(&mut rand::rng(), len)
}
