//! The Sandbox's in-memory world and what every handler shares.

use std::sync::{Arc, Mutex, MutexGuard};

use serde::Serialize;

use crate::clock::Clock;
use crate::config::Config;
use crate::faults::Injector;
use crate::reqlog::RequestLog;
use crate::{clara, dispersed, stripe};

/// Handed to every handler.
pub type App = Arc<Shared>;

pub struct Shared {
    pub config: Config,
    /// `http://127.0.0.1:<port>`, without a trailing slash.
    pub base: String,
    world: Mutex<World>,
    pub faults: Mutex<Injector>,
    pub log: Mutex<RequestLog>,
    /// For the stand-ins' calls to the Stripe API and for webhook delivery.
    pub http: reqwest::Client,
}

/// Everything the services remember. Never held across an `.await`.
#[derive(Default)]
pub struct World {
    pub clock: Clock,
    pub stripe: stripe::Store,
    pub clara: clara::Store,
    pub dispersed: dispersed::Store,
    pub emails: Vec<Email>,
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

impl Shared {
    pub fn new(config: Config, base: String, world: World) -> Self {
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
            world: Mutex::new(world),
            faults: Mutex::new(faults),
            log: Mutex::new(RequestLog::default()),
            http: reqwest::Client::builder()
                .no_proxy()
                .timeout(std::time::Duration::from_secs(10))
                .build()
                .unwrap_or_default(),
        }
    }

    /// The world, even after a handler panicked while holding it: the data is
    /// plain values and stays usable, and a test double must not wedge.
    pub fn world(&self) -> MutexGuard<'_, World> {
        self.world.lock().unwrap_or_else(|e| e.into_inner())
    }

    pub fn faults(&self) -> MutexGuard<'_, Injector> {
        self.faults.lock().unwrap_or_else(|e| e.into_inner())
    }

    pub fn log(&self) -> MutexGuard<'_, RequestLog> {
        self.log.lock().unwrap_or_else(|e| e.into_inner())
    }

    pub fn stripe_base(&self) -> String {
        format!("{}/stripe", self.base)
    }

    /// Records an email and prints it, as the services' mailers would send it.
    pub fn send_email(&self, world: &mut World, email: Email) {
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
        world.emails.push(email);
    }
}
