//! Where each service of a running Sandbox lives.

use serde::Serialize;

/// Where each service of a running Sandbox lives.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Urls {
    /// Clara's base URL (ends in `/api/v1`).
    pub clara: String,
    /// Dispersed's base URL (paths start with `/v1/`).
    pub dispersed: String,
    /// The Stripe API base a Stripe SDK takes (`…/stripe`).
    pub stripe: String,
    /// The test hooks.
    pub admin: String,
    /// The Google-like OAuth server (`…/oauth`).
    pub oauth: String,
    /// The server's origin, `http://127.0.0.1:<port>`.
    #[serde(skip)]
    pub base: String,
}

impl Urls {
    pub fn for_base(base: &str) -> Self {
        Self {
            clara: format!("{base}/api/v1"),
            dispersed: base.to_owned(),
            stripe: format!("{base}/stripe"),
            admin: format!("{base}/__sandbox"),
            oauth: format!("{base}/oauth"),
            base: base.to_owned(),
        }
    }
}
