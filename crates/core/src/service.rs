//! The accounts service: the registry, the secret store and the providers put
//! together — sign in, restore on launch, sign out, switch, remove. The Tauri
//! shell and a CLI drive the same service.

use std::collections::{HashMap, HashSet};
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use serde::Serialize;

use crate::accounts::{
    checked_label, new_account_id, trimmed, AccountRecord, Registry, RegistryProblem,
};
use crate::base_url::BaseUrl;
use crate::clock::Clock;
use crate::error::{Error, ErrorCode, Result};
use crate::http::Http;
use crate::presets::PresetId;
use crate::pricing::{Pricing, Quote};
use crate::provider::{Account, Capabilities, Credentials, Provider, Session, SignIn};
use crate::secrets::{decode_session, encode_session, SecretStore};

/// What the UI shows for an account: its record and where its sign-in stands.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct AccountView {
    pub record: AccountRecord,
    /// Has a sign-in on this computer: in use this run, or kept in the
    /// keychain and not yet checked with the service.
    pub signed_in: bool,
    pub active: bool,
    /// What its service offers: front ends decide by this, never by name.
    pub capabilities: Capabilities,
    /// What to call its service ("Clara", "Dispersed", "Sandbox").
    pub service: String,
}

/// The name Topup suggests for an account the person has not named: who is
/// signed in (the email), and for a custom server also where (its host), so
/// two accounts on one server read apart ("alice@example.com · 127.0.0.1").
pub fn suggested_name(
    preset: PresetId,
    base_url: Option<&str>,
    email: Option<&str>,
    preset_name: &str,
) -> String {
    let host = base_url
        .and_then(|u| url::Url::parse(u).ok())
        .and_then(|u| u.host_str().map(str::to_owned));
    match (preset, email, host) {
        (PresetId::CustomClara, Some(email), Some(host)) => format!("{email} · {host}"),
        (PresetId::CustomClara, None, Some(host)) => host,
        (_, Some(email), _) => email.to_owned(),
        _ => preset_name.to_owned(),
    }
}

/// What to call an account's service: its protocol's name, or "Sandbox"
/// for the practice service.
pub fn service_name(preset: PresetId, kind: crate::provider::ProviderKind) -> String {
    match preset {
        PresetId::Sandbox => preset.preset().name,
        _ => kind.display_name().to_owned(),
    }
}

/// The result of restoring an account's session.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum Restored {
    SignedIn {
        account: Account,
    },
    /// No stored sign-in, or it ended: sign in again (the account is kept).
    NeedsSignIn {
        /// Why, when a kept sign-in ended (`session_expired`…).
        code: Option<ErrorCode>,
        reason: Option<String>,
    },
    /// Signed in, but the service cannot be reached right now.
    Offline {
        /// Why, as its last cause's code (`server_unavailable`, `timeout`…).
        code: ErrorCode,
        message: String,
    },
}

/// The result of signing out.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct SignedOut {
    /// False when the server could not be told (signed out here only).
    pub revoked_on_server: bool,
    pub message: String,
}

/// Settings chosen when adding an account.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct NewAccount {
    pub preset: Option<PresetId>,
    pub base_url: Option<String>,
    pub label: Option<String>,
    pub public_api_key: Option<String>,
    pub google_client_id: Option<String>,
    /// Extra origins checkout pages may open on (self-hosted deployments),
    /// as typed: one per line, or separated by spaces or commas.
    #[serde(default)]
    pub checkout_origins: String,
}

#[derive(Debug)]
pub struct Accounts {
    path: PathBuf,
    registry: Mutex<Registry>,
    secrets: Arc<dyn SecretStore>,
    sessions: Mutex<HashMap<String, Session>>,
    /// Accounts whose sign-in is kept in the secret store, as last seen.
    stored: Mutex<HashSet<String>>,
    http: Http,
    clock: Arc<dyn Clock>,
    /// The in-process Sandbox's origin, when the app runs one.
    sandbox: Option<BaseUrl>,
    /// The last pricing fetched per account, for quotes without the network.
    pricing: Mutex<HashMap<String, Pricing>>,
    /// What has been read of each account's history this session.
    pub(crate) histories: crate::history::Histories,
    /// Purchases in flight, next to the registry.
    pub(crate) pending: crate::pending::PendingStore,
    /// Thresholds, alert rules and balances seen, next to the registry.
    pub(crate) alerts: crate::alerts::store::AlertStore,
    /// The history read this run for each account's standing.
    pub(crate) recent: crate::alerts::recent::RecentReads,
    /// One Buy at a time per account: a second waits, then finds the first.
    pub(crate) buying: Mutex<HashMap<String, Arc<tokio::sync::Mutex<()>>>>,
    /// The file could not be read at start: nothing is written until it can be.
    unread: std::sync::atomic::AtomicBool,
}

use crate::sync::lock;

impl Accounts {
    pub fn new(
        path: PathBuf,
        registry: Registry,
        secrets: Arc<dyn SecretStore>,
        http: Http,
        clock: Arc<dyn Clock>,
        sandbox: Option<BaseUrl>,
    ) -> Self {
        let pending =
            crate::pending::PendingStore::new(path.with_file_name(crate::pending::PENDING_FILE));
        let alerts = crate::alerts::store::AlertStore::open(
            path.with_file_name(crate::alerts::store::ALERTS_FILE),
        );
        Self {
            pending,
            alerts,
            recent: crate::alerts::recent::RecentReads::default(),
            buying: Mutex::new(HashMap::new()),
            unread: std::sync::atomic::AtomicBool::new(false),
            path,
            registry: Mutex::new(registry),
            secrets,
            sessions: Mutex::new(HashMap::new()),
            stored: Mutex::new(HashSet::new()),
            http,
            clock,
            sandbox,
            pricing: Mutex::new(HashMap::new()),
            histories: crate::history::Histories::default(),
        }
    }

    /// What opening the file found ([`Registry::load_or_recover`]). After
    /// [`RegistryProblem::Unreadable`] the first change reads the file again
    /// and is made to what it holds, or is refused while it still cannot be
    /// read: the file is never written over unread.
    #[must_use]
    pub fn opened_with(self, problem: Option<&RegistryProblem>) -> Self {
        if let Some(RegistryProblem::Unreadable(_)) = problem {
            self.unread.store(true, std::sync::atomic::Ordering::SeqCst);
        }
        self
    }

    /// Looks in the secret store for every account's kept sign-in, so the
    /// account list can tell signed-in accounts from signed-out ones before
    /// any of them is opened. Nothing is sent to the services.
    ///
    /// One account's lookup failing (a keychain prompt refused for that item)
    /// never hides the others. An account whose lookup failed still counts as
    /// signed in: its sign-in may well be there, and opening it asks the
    /// keychain again and says what went wrong, where "signed out" would invite
    /// a new sign-in over it. The failures are returned to be logged.
    pub async fn find_kept_sign_ins(&self) -> Vec<(String, Error)> {
        let ids: Vec<String> = lock(&self.registry)
            .accounts
            .iter()
            .map(|r| r.id.clone())
            .collect();
        let mut kept = HashSet::new();
        let mut failures = Vec::new();
        for id in ids {
            match self.secrets.load(&id).await {
                Ok(Some(_)) => {
                    kept.insert(id);
                }
                Ok(None) => {}
                Err(e) => {
                    kept.insert(id.clone());
                    failures.push((id, e));
                }
            }
        }
        *lock(&self.stored) = kept;
        failures
    }

    /// Whether sign-ins survive a restart (false without a usable keychain).
    pub fn persists(&self) -> bool {
        self.secrets.persists()
    }

    pub(crate) fn now(&self) -> i64 {
        crate::provider::unix(self.clock.now())
    }

    fn save(&self, registry: &Registry) -> Result<()> {
        registry.save(&self.path)
    }

    pub fn list(&self) -> Vec<AccountView> {
        let registry = lock(&self.registry);
        let sessions = lock(&self.sessions);
        let stored = lock(&self.stored);
        registry
            .accounts
            .iter()
            .map(|r| AccountView {
                record: r.clone(),
                signed_in: sessions.contains_key(&r.id) || stored.contains(&r.id),
                active: registry.active.as_deref() == Some(&r.id),
                capabilities: r.provider.capabilities(),
                service: service_name(r.preset, r.provider),
            })
            .collect()
    }

    pub fn active(&self) -> Option<String> {
        lock(&self.registry).active.clone()
    }

    pub fn record(&self, id: &str) -> Result<AccountRecord> {
        lock(&self.registry).get(id).cloned()
    }

    /// Adds an account from a preset (or a custom Clara-compatible address).
    pub fn add(&self, new: NewAccount) -> Result<AccountRecord> {
        let preset = new.preset.unwrap_or(PresetId::CustomClara);
        let defaults = preset.preset();
        let base_url = match preset {
            PresetId::Sandbox => None,
            PresetId::CustomClara => {
                Some(BaseUrl::parse(new.base_url.as_deref().unwrap_or_default())?.to_string())
            }
            _ => match new.base_url.as_deref().filter(|u| !u.trim().is_empty()) {
                Some(u) => Some(BaseUrl::parse(u)?.to_string()),
                None => defaults.base_url.map(|u| u.to_string()),
            },
        };
        if preset == PresetId::Sandbox && self.sandbox.is_none() {
            return Err(Error::Unsupported {
                what: "The Sandbox (start Topup with --sandbox)".into(),
            });
        }
        let chosen = checked_label(new.label.as_deref().unwrap_or_default())?;
        let named = chosen.is_some();
        let label = chosen
            .unwrap_or_else(|| suggested_name(preset, base_url.as_deref(), None, &defaults.name));
        let now = self.now();
        let public_api_key = trimmed(new.public_api_key);
        let checkout_origins = crate::checkout::parse_origins(&new.checkout_origins)?;
        let record = AccountRecord {
            id: new_account_id(),
            preset,
            provider: defaults.provider,
            base_url,
            label,
            named,
            email: None,
            user_id: None,
            public_api_key,
            google_client_id: trimmed(new.google_client_id),
            checkout_origins,
            created_at: now,
            last_used_at: now,
        };
        self.edit_registry(|r| {
            r.add(record.clone());
            Ok(())
        })?;
        Ok(record)
    }

    /// The base URL an account talks to (the Sandbox's for the Sandbox preset).
    pub fn base_url(&self, record: &AccountRecord) -> Result<BaseUrl> {
        match (&record.base_url, record.preset) {
            (Some(u), _) => Ok(BaseUrl::parse(u)?),
            (None, PresetId::Sandbox) => {
                let origin = self.sandbox.as_ref().ok_or(Error::Unsupported {
                    what: "The Sandbox (start Topup with --sandbox)".into(),
                })?;
                Ok(BaseUrl::parse(&format!("{origin}/api/v1"))?)
            }
            (None, _) => Err(Error::UnknownAccount),
        }
    }

    /// The provider for an account.
    pub fn provider(&self, record: &AccountRecord) -> Result<Arc<dyn Provider>> {
        let base = self.base_url(record)?;
        Ok(record
            .provider
            .provider(base, self.http.clone(), self.clock.clone()))
    }

    /// What an account's service offers, known without asking it.
    pub fn capabilities(&self, id: &str) -> Result<Capabilities> {
        Ok(self.record(id)?.provider.capabilities())
    }

    /// The signed-in session of an account, for the calls that need one.
    pub fn session(&self, id: &str) -> Result<Session> {
        lock(&self.sessions)
            .get(id)
            .cloned()
            .ok_or(Error::SessionExpired)
    }

    /// Signs an account in; on success the session goes to the secret store
    /// and the account becomes active.
    pub async fn sign_in(&self, id: &str, credentials: Credentials) -> Result<SignIn> {
        let record = self.record(id)?;
        let outcome = self.provider(&record)?.sign_in(credentials).await?;
        if let SignIn::SignedIn { session, account } = &outcome {
            self.adopt(id, session.clone(), account).await?;
        }
        Ok(outcome)
    }

    /// Keeps a new session: in the secret store, in memory, and as the
    /// active account's identity in the registry.
    pub(crate) async fn adopt(&self, id: &str, session: Session, account: &Account) -> Result<()> {
        let record = self.record(id)?;
        self.secrets.save(id, &encode_session(&session)?).await?;
        lock(&self.stored).insert(id.to_owned());
        lock(&self.sessions).insert(id.to_owned(), session);
        let now = self.now();
        self.edit_registry(|registry| {
            let r = registry.get_mut(id)?;
            r.email = account.email.clone();
            r.user_id = Some(account.id.clone());
            if !record.named {
                let default = record.preset.preset().name;
                r.label = suggested_name(
                    record.preset,
                    record.base_url.as_deref(),
                    account.email.as_deref(),
                    &default,
                );
            }
            registry.set_active(id, now)
        })
    }

    /// Puts an account's kept session to use without a call of its own: the
    /// first real call proves it (an ended session is dropped then, see
    /// [`Accounts::forget_if_ended`]). For one-shot front ends (the CLI),
    /// where a proving call would only repeat the command's own. False when
    /// no session is kept.
    pub async fn resume(&self, id: &str) -> Result<bool> {
        self.record(id)?;
        let Some(session) = self.kept_session(id).await? else {
            return Ok(false);
        };
        lock(&self.sessions).insert(id.to_owned(), session);
        Ok(true)
    }

    /// Restores an account's session from the secret store, proved by a cheap
    /// call. An ended session keeps the account and asks for a sign-in.
    pub async fn restore(&self, id: &str) -> Result<Restored> {
        let record = self.record(id)?;
        let Some(session) = self.kept_session(id).await? else {
            return Ok(Restored::NeedsSignIn {
                code: None,
                reason: None,
            });
        };
        match self.provider(&record)?.account(&session).await {
            Ok(account) => {
                lock(&self.sessions).insert(id.to_owned(), session);
                Ok(Restored::SignedIn { account })
            }
            Err(e @ (Error::SessionExpired | Error::InvalidCredentials)) => {
                self.forget(id).await?;
                Ok(Restored::NeedsSignIn {
                    code: Some(e.code()),
                    reason: Some(e.to_string()),
                })
            }
            Err(e) if e.code().is_transient() => {
                // Keep the session: it may well be fine once the service answers.
                lock(&self.sessions).insert(id.to_owned(), session);
                Ok(Restored::Offline {
                    code: e.code(),
                    message: e.to_string(),
                })
            }
            Err(e) => Err(e),
        }
    }

    /// The account as the provider sees it now (balance included).
    pub async fn account(&self, id: &str) -> Result<Account> {
        let record = self.record(id)?;
        let session = self.session(id)?;
        let result = self.provider(&record)?.account(&session).await;
        let account = self.forget_if_ended(id, result).await?;
        if let Some(balance) = account.balance {
            // A sighting for the forecast; failing to keep it loses nothing
            // the person asked for.
            if let Err(e) = self.alerts.observe(id, self.now(), balance) {
                tracing::warn!(account = id, error = %e, "balance not recorded");
            }
        }
        Ok(account)
    }

    /// Passes `result` on; when it says the session ended, the session is
    /// dropped first, so the next screen asks for a sign-in.
    pub(crate) async fn forget_if_ended<T>(&self, id: &str, result: Result<T>) -> Result<T> {
        if matches!(result, Err(Error::SessionExpired)) {
            self.forget(id).await?;
        }
        result
    }

    /// Fetches the account's prices (where the provider has them) and keeps
    /// them for [`Accounts::quote`].
    pub async fn pricing(&self, id: &str) -> Result<Pricing> {
        let record = self.record(id)?;
        let provider = self.provider(&record)?;
        let capabilities = provider.capabilities();
        let prices = if capabilities.price {
            let session = self.session(id)?;
            let prices = provider.price(&session).await;
            self.forget_if_ended(id, prices).await?
        } else {
            None
        };
        let pricing = Pricing::new(capabilities, prices);
        lock(&self.pricing).insert(id.to_owned(), pricing.clone());
        Ok(pricing)
    }

    /// What `input` buys on this account, from the kept pricing: an invalid
    /// amount is explained and never reaches the network.
    pub fn quote(&self, id: &str, input: &str) -> Result<Quote> {
        let pricing = match lock(&self.pricing).get(id).cloned() {
            Some(p) => p,
            None => Pricing::new(self.capabilities(id)?, None),
        };
        pricing.quote(input)
    }

    /// Drops a session that ended (from memory and the secret store).
    pub async fn forget(&self, id: &str) -> Result<()> {
        lock(&self.sessions).remove(id);
        self.histories.drop_book(id);
        self.recent.forget(id);
        self.secrets.delete(id).await?;
        lock(&self.stored).remove(id);
        Ok(())
    }

    /// The sign-in kept in the secret store, if any.
    async fn kept_session(&self, id: &str) -> Result<Option<Session>> {
        let Some(secret) = self.secrets.load(id).await? else {
            lock(&self.stored).remove(id);
            return Ok(None);
        };
        lock(&self.stored).insert(id.to_owned());
        decode_session(&secret).map(Some)
    }

    /// Signs out: the server revokes the session where there is one; the
    /// secret is deleted either way.
    pub async fn sign_out(&self, id: &str) -> Result<SignedOut> {
        let record = self.record(id)?;
        // An account not opened this run still has its server session to end.
        let in_use = lock(&self.sessions).get(id).cloned();
        let session = match in_use {
            Some(session) => Some(session),
            None => self.kept_session(id).await.unwrap_or_else(|e| {
                tracing::warn!(account = id, error = %e, "the kept sign-in could not be read");
                None
            }),
        };
        let server = match session {
            Some(s) => self.provider(&record)?.sign_out(&s).await,
            None => Ok(()),
        };
        self.forget(id).await?;
        Ok(match server {
            Ok(()) => SignedOut { revoked_on_server: true, message: "Signed out.".into() },
            Err(e) if e.code() == ErrorCode::SessionExpired => SignedOut { revoked_on_server: true, message: "Signed out.".into() },
            Err(e) => SignedOut {
                revoked_on_server: false,
                message: format!("Signed out on this computer. The service could not be told ({e}); the session ends there when it expires."),
            },
        })
    }

    /// Removes an account entirely (signing it out first).
    pub async fn remove(&self, id: &str) -> Result<SignedOut> {
        let out = self.sign_out(id).await?;
        self.pending.remove(id)?;
        self.edit_registry(|r| r.remove(id).map(drop))?;
        self.alerts.forget(id)?;
        Ok(out)
    }

    /// Changes the registry and saves it: the change is made on a copy, so
    /// when it or the save fails neither the file nor the copy in memory changes.
    pub(crate) fn edit_registry<T>(
        &self,
        change: impl FnOnce(&mut Registry) -> Result<T>,
    ) -> Result<T> {
        let mut registry = lock(&self.registry);
        if self.unread.load(std::sync::atomic::Ordering::SeqCst) {
            *registry = Registry::load(&self.path)?;
            self.unread
                .store(false, std::sync::atomic::Ordering::SeqCst);
            tracing::info!("the account list can be read again");
        }
        let mut next = registry.clone();
        let out = change(&mut next)?;
        self.save(&next)?;
        *registry = next;
        Ok(out)
    }

    /// The account to open at start: the active one while it has a sign-in
    /// kept on this computer, else another that has one (it becomes active).
    /// `None` once the person has signed out of every account: the front end
    /// then offers to add or sign in to one. With a Sandbox running, its
    /// account opens on its prefilled sign-in.
    pub fn account_to_open(&self) -> Result<Option<String>> {
        let list = self.list();
        let Some(active) = list.iter().find(|a| a.active).or(list.first()) else {
            return Ok(None);
        };
        if active.signed_in {
            return Ok(Some(active.record.id.clone()));
        }
        if let Some(other) = list.iter().find(|a| a.signed_in) {
            self.switch(&other.record.id)?;
            return Ok(Some(other.record.id.clone()));
        }
        let demo = self.sandbox.is_some() && active.record.preset == PresetId::Sandbox;
        Ok(demo.then(|| active.record.id.clone()))
    }

    pub fn switch(&self, id: &str) -> Result<()> {
        let now = self.now();
        self.edit_registry(|r| r.set_active(id, now))
    }

    /// The Sandbox account, added (with `settings`: the Sandbox's demo public
    /// key and Google client id) when the app runs a Sandbox and has none.
    pub fn ensure_sandbox_account(&self, settings: NewAccount) -> Result<Option<AccountRecord>> {
        if self.sandbox.is_none() {
            return Ok(None);
        }
        if let Some(r) = lock(&self.registry)
            .accounts
            .iter()
            .find(|a| a.preset == PresetId::Sandbox)
        {
            return Ok(Some(r.clone()));
        }
        self.add(NewAccount {
            preset: Some(PresetId::Sandbox),
            ..settings
        })
        .map(Some)
    }

    /// The Google client id and endpoints for an account's Google sign-in:
    /// the Sandbox's stand-in for the Sandbox, Google's own otherwise.
    pub fn google(&self, id: &str) -> Result<(String, crate::google::Endpoints)> {
        let record = self.record(id)?;
        let client_id = record.google_client_id.clone().ok_or(Error::Unsupported {
            what: "Google sign-in (no Google client id is set for this account)".into(),
        })?;
        let endpoints = match (record.preset, &self.sandbox) {
            (PresetId::Sandbox, Some(origin)) => crate::google::Endpoints::sandbox(origin)?,
            _ => crate::google::Endpoints::google()?,
        };
        Ok((client_id, endpoints))
    }

    pub fn clock(&self) -> &Arc<dyn Clock> {
        &self.clock
    }

    /// The in-process Sandbox's origin, when the app runs one.
    pub fn sandbox_origin(&self) -> Option<&BaseUrl> {
        self.sandbox.as_ref()
    }

    pub fn http(&self) -> &Http {
        &self.http
    }
}
