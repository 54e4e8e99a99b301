//! What every service shares, and the per-service state each handler gets.
//!
//! Each service keeps its own world behind its own lock ([`Service`]); the
//! server composes them (`crate::app::AppState`) and hands each service's
//! router its part. Nothing here knows the services.

use std::ops::Deref;
use std::sync::{Arc, Mutex, MutexGuard};

use serde::Serialize;

use crate::clock::Clock;
use crate::config::Config;
use crate::faults::{Faults, Injector};
use crate::reqlog::{Log, RequestLog};

/// The shared parts, for handlers and middleware that need no service's data.
pub type Common = Arc<Shared>;

pub struct Shared {
    pub config: Config,
    /// `http://127.0.0.1:<port>`, without a trailing slash.
    pub base: String,
    /// The one Sandbox clock; each service's world holds a handle to it.
    pub clock: Clock,
    emails: Mutex<Vec<Email>>,
    /// The fault middleware's rules.
    pub fault_rules: Faults,
    /// The request-log middleware's entries.
    pub requests: Log,
    /// For the stand-ins' calls to the Stripe API and for webhook delivery.
    pub http: reqwest::Client,
}

/// An email the Sandbox "sent" (OTP codes, activation links, passwords).
#[derive(Debug, Clone, Serialize)]
pub struct Email {
    pub to: String,
    pub subject: String,
    pub body: String,
    /// For OTP emails: the OTP type and code.
    pub otp_type: Option<String>,
    pub code: Option<String>,
    pub sent_at: i64,
}

impl Email {
    /// A message that carries no code.
    pub fn notice(to: String, subject: &str, body: String, sent_at: i64) -> Self {
        Self {
            to,
            subject: subject.to_owned(),
            body,
            otp_type: None,
            code: None,
            sent_at,
        }
    }
}

/// Locks that survive a handler that panicked while holding them: the data is
/// plain values and stays usable, and a test double must not wedge.
fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

impl Shared {
    pub fn new(config: Config, base: String, clock: Clock) -> Self {
        let faults = Injector::new(config.faults.clone(), config.seed);
        // Built with TLS when it shares a build with Topup (cargo unifies reqwest's
        // features), whose rustls then has no crypto provider of its own: ring's is
        // installed, the same the app installs, unless one is there already.
        if rustls::crypto::CryptoProvider::get_default().is_none() {
            let _ = rustls::crypto::ring::default_provider().install_default();
        }
        Self {
            config,
            base,
            clock: clock.clone(),
            emails: Mutex::new(Vec::new()),
            fault_rules: Faults::new(faults),
            requests: Log::new(clock.clone()),
            http: reqwest::Client::builder()
                .no_proxy()
                .timeout(std::time::Duration::from_secs(10))
                .build()
                .unwrap_or_default(),
        }
    }

    pub fn faults(&self) -> MutexGuard<'_, Injector> {
        self.fault_rules.lock()
    }

    pub fn log(&self) -> MutexGuard<'_, RequestLog> {
        self.requests.lock()
    }

    pub fn emails(&self) -> MutexGuard<'_, Vec<Email>> {
        lock(&self.emails)
    }

    pub fn stripe_base(&self) -> String {
        format!("{}/stripe", self.base)
    }

    /// Records an email and prints it, as the services' mailers would send it.
    pub fn send_email(&self, email: Email) {
        tracing::info!(
            to = %email.to,
            subject = %email.subject,
            code = email.code.as_deref().unwrap_or(""),
            "email: {}",
            email.body
        );
        if self.config.print_emails {
            println!("[email to {}] {}: {}", email.to, email.subject, email.body);
        }
        self.emails().push(email);
    }
}

/// One service's state: the shared parts and its own world. Never hold the
/// world across an `.await`.
pub struct Service<W> {
    shared: Common,
    world: Mutex<W>,
}

impl<W> Service<W> {
    pub fn new(shared: Common, world: W) -> Arc<Self> {
        Arc::new(Self {
            shared,
            world: Mutex::new(world),
        })
    }

    pub fn world(&self) -> MutexGuard<'_, W> {
        lock(&self.world)
    }
}

impl<W> Deref for Service<W> {
    type Target = Shared;

    fn deref(&self) -> &Shared {
        &self.shared
    }
}
