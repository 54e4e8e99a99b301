//! Opening what Topup keeps on this computer — the account list, the
//! keychain (or, without one, memory for this run), the preferences and the
//! link to an in-process Sandbox — the same way for every front end, so the
//! window, the CLI and the tray read and write the same things.

use std::path::PathBuf;
use std::sync::Arc;

use crate::accounts::{Registry, RegistryProblem, REGISTRY_FILE};
use crate::base_url::BaseUrl;
use crate::clock::Clock;
use crate::error::{Error, Result};
use crate::http::{Http, HttpConfig};
use crate::preferences::PreferenceStore;
use crate::secrets::{Keychain, MemoryStore, SecretStore};
use crate::service::{Accounts, NewAccount};

/// The desktop app's identifier: its config directory's name and its
/// keychain service. The CLI opens the same.
pub const APP_ID: &str = "app.topup.Topup";

/// A Sandbox running in this process, for its account.
#[derive(Debug, Clone)]
pub struct SandboxLink {
    /// Where it listens (`http://127.0.0.1:PORT`).
    pub origin: BaseUrl,
    /// The Sandbox account's settings (its demo public key and Google client id).
    pub account: NewAccount,
}

/// What to open, and how.
pub struct OpenOptions {
    pub config_dir: PathBuf,
    pub sandbox: Option<SandboxLink>,
    /// Look in the keychain for every account's kept sign-in, so the account
    /// list tells signed-in accounts apart before any is opened (the window's
    /// first screen needs it; a one-off command does not).
    pub find_kept_sign_ins: bool,
    pub secrets: SecretsChoice,
    pub clock: Arc<dyn Clock>,
}

/// Where sign-ins are kept.
pub enum SecretsChoice {
    /// The system keychain, or memory when it cannot be used.
    Keychain(Keychain),
    /// A given store (tests).
    Given(Arc<dyn SecretStore>),
}

impl OpenOptions {
    /// The defaults for `config_dir`: the system keychain and clock.
    pub fn new(config_dir: PathBuf) -> Self {
        Self {
            config_dir,
            sandbox: None,
            find_kept_sign_ins: false,
            secrets: SecretsChoice::Keychain(Keychain::topup()),
            clock: crate::clock::system(),
        }
    }
}

/// Topup's store, opened.
pub struct Store {
    pub accounts: Arc<Accounts>,
    pub preferences: PreferenceStore,
    pub config_dir: PathBuf,
    /// Why sign-ins last only as long as this process, when the keychain
    /// could not be used.
    pub keychain_problem: Option<Error>,
    /// What was wrong with the account list when it was opened.
    pub registry_problem: Option<RegistryProblem>,
}

/// The config directory Topup uses on this system: the one Tauri's
/// `app_config_dir` names for the app's identifier.
pub fn default_config_dir() -> Result<PathBuf> {
    dirs::config_dir()
        .map(|d| d.join(APP_ID))
        .ok_or_else(|| Error::StorageFailed {
            detail: "this system has no configuration folder".into(),
        })
}

impl Store {
    /// Opens the account list (setting a damaged one aside, leaving an
    /// unreadable one untouched), the keychain and the preferences.
    pub async fn open(options: OpenOptions) -> Result<Self> {
        let OpenOptions {
            config_dir,
            sandbox,
            find_kept_sign_ins,
            secrets,
            clock,
        } = options;
        let path = config_dir.join(REGISTRY_FILE);
        let (registry, registry_problem) = Registry::load_or_recover(&path);
        if let Some(p) = &registry_problem {
            tracing::warn!(error = %p, "the account list could not be opened");
        }
        let (secrets, keychain_problem): (Arc<dyn SecretStore>, _) = match secrets {
            SecretsChoice::Given(store) => (store, None),
            SecretsChoice::Keychain(keychain) => match keychain.probe().await {
                Ok(()) => (Arc::new(keychain), None),
                Err(e) => {
                    tracing::warn!(code = %e.code(), "no usable keychain; sign-ins last for this run only");
                    (Arc::new(MemoryStore::default()), Some(e))
                }
            },
        };
        let http = Http::new(HttpConfig::default())?;
        let accounts = Accounts::new(
            path,
            registry,
            secrets,
            http,
            clock,
            sandbox.as_ref().map(|s| s.origin.clone()),
        )
        .opened_with(registry_problem.as_ref());
        if let Some(link) = sandbox {
            if let Err(e) = accounts.ensure_sandbox_account(link.account) {
                tracing::warn!(code = %e.code(), error = %e, "could not add the Sandbox account");
            }
        }
        if find_kept_sign_ins {
            for (account, e) in accounts.find_kept_sign_ins().await {
                tracing::warn!(%account, code = %e.code(), error = %e, "could not look for a kept sign-in");
            }
        }
        Ok(Self {
            accounts: Arc::new(accounts),
            preferences: PreferenceStore::open(&config_dir),
            config_dir,
            keychain_problem,
            registry_problem,
        })
    }
}
