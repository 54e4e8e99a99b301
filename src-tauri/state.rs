//! What the app holds while it runs: the accounts service and, with
//! `--sandbox`, the in-process Sandbox.

use std::sync::Arc;

use serde::Serialize;
use tauri::{AppHandle, Manager, Runtime};
use topup_core::accounts::{Registry, REGISTRY_FILE};
use topup_core::http::{Http, HttpConfig};
use topup_core::preferences::PreferenceStore;
use topup_core::secrets::{Keychain, MemoryStore, SecretStore};
use topup_core::service::{Accounts, NewAccount};
use topup_core::{clock, BaseUrl};
use topup_sandbox::{demo, Sandbox};

/// The Sandbox's demo sign-in, offered prefilled (demo data, not secrets).
#[derive(Debug, Clone, Serialize, specta::Type)]
pub struct SandboxDemo {
    pub email: String,
    pub password: String,
    pub two_factor_email: String,
    pub origin: String,
}

pub struct AppState {
    pub accounts: Arc<Accounts>,
    /// Why sign-ins only last this run, when no keychain could be used.
    pub keychain_warning: Option<String>,
    /// Set when the registry file was damaged and set aside.
    pub registry_warning: Option<String>,
    pub sandbox_demo: Option<SandboxDemo>,
    pub preferences: PreferenceStore,
    /// Google sign-ins waiting for the browser, by account.
    pub google:
        std::sync::Mutex<std::collections::HashMap<String, crate::commands::google::Waiting>>,
    /// Pending purchases being watched.
    pub watches: Arc<crate::watches::Watches>,
    /// The self-update's course.
    pub updates: crate::updates::Updates,
    /// Kept alive for the app's lifetime; dropping it stops the server.
    _sandbox: Option<Sandbox>,
}

/// Builds the state at start: opens the registry, picks the secret store and
/// starts the Sandbox when asked.
pub fn init<R: Runtime>(app: &AppHandle<R>, with_sandbox: bool) -> Result<AppState, String> {
    let config_dir = app
        .path()
        .app_config_dir()
        .map_err(|e| format!("no config directory: {e}"))?;
    let path = config_dir.join(REGISTRY_FILE);
    let (registry, problem) = Registry::load_or_recover(&path);
    let registry_warning = problem.as_ref().map(|p| {
        tracing::warn!(error = %p, "the account list could not be opened");
        p.warning()
    });

    let sandbox = if with_sandbox {
        let started =
            tauri::async_runtime::block_on(Sandbox::start(topup_sandbox::Config::default()))
                .map_err(|e| format!("the Sandbox could not start: {e}"))?;
        tracing::info!(clara = %started.urls().clara, "Sandbox running in-process");
        Some(started)
    } else {
        None
    };

    let keychain = Keychain::topup();
    let (secrets, keychain_warning): (Arc<dyn SecretStore>, _) =
        match tauri::async_runtime::block_on(keychain.probe()) {
            Ok(()) => (Arc::new(keychain), None),
            Err(e) => {
                tracing::warn!(code = %e.code(), "no usable keychain; sign-ins last for this run only");
                (
                    Arc::new(MemoryStore::default()),
                    Some(format!("{e} Sign-ins will last until you quit Topup.")),
                )
            }
        };

    let http = Http::new(HttpConfig::default()).map_err(|e| e.to_string())?;
    let sandbox_origin = sandbox
        .as_ref()
        .and_then(|s| BaseUrl::parse(&s.urls().base).ok());
    let accounts = Accounts::new(
        path,
        registry,
        secrets,
        http,
        clock::system(),
        sandbox_origin,
    )
    .opened_with(problem.as_ref());
    let sandbox_settings = NewAccount {
        public_api_key: Some(demo::CLARA_PUBLIC_KEY.to_owned()),
        google_client_id: Some(demo::GOOGLE_CLIENT_ID.to_owned()),
        ..NewAccount::default()
    };
    if let Err(e) = accounts.ensure_sandbox_account(sandbox_settings) {
        tracing::warn!(error = %e, "could not add the Sandbox account");
    }
    // Which accounts are still signed in decides the first screen.
    for (account, e) in tauri::async_runtime::block_on(accounts.find_kept_sign_ins()) {
        tracing::warn!(%account, code = %e.code(), error = %e, "could not look for a kept sign-in");
    }
    let sandbox_demo = sandbox.as_ref().map(|s| SandboxDemo {
        email: demo::USER_EMAIL.to_owned(),
        password: demo::PASSWORD.to_owned(),
        two_factor_email: demo::TWO_FA_EMAIL.to_owned(),
        origin: s.urls().base.clone(),
    });
    Ok(AppState {
        accounts: Arc::new(accounts),
        keychain_warning,
        registry_warning,
        sandbox_demo,
        preferences: PreferenceStore::open(&config_dir),
        google: Default::default(),
        watches: Default::default(),
        updates: crate::updates::Updates::new(app.package_info().version.to_string()),
        _sandbox: sandbox,
    })
}
