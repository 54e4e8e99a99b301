//! What the app holds while it runs: the accounts service and, with
//! `--sandbox`, the in-process Sandbox; and [`Opening`], through which the
//! first command waits for it.

use std::sync::Arc;

use serde::Serialize;
use tauri::{AppHandle, Manager, Runtime};
use tokio::sync::watch;
use topup_core::alerts::{DeskSink, Monitor};
use topup_core::preferences::PreferenceStore;
use topup_core::service::{Accounts, NewAccount};
use topup_core::sign_in::GoogleSignIns;
use topup_core::store::{OpenOptions, SandboxLink, Store};
use topup_core::watch::{Schedule, Supervisor};
use topup_core::BaseUrl;
use topup_sandbox::{demo, Sandbox};

use crate::error::AppError;
use crate::watch_sink::WindowSink;

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
    pub preferences: Arc<PreferenceStore>,
    /// Google sign-ins waiting for the browser.
    pub google: GoogleSignIns,
    /// Pending purchases being watched.
    pub watches: Arc<Supervisor>,
    /// The background balance refresh behind the tray and the alerts.
    pub monitor: Arc<Monitor>,
    /// Kept alive for the app's lifetime; dropping it stops the server.
    _sandbox: Option<Sandbox>,
}

/// Builds the state at start: core opens the store; the shell adds the
/// in-process Sandbox when asked, the window's watch sink and the desktop's
/// sink (`desk`) for the background monitor.
pub fn init<R: Runtime>(
    app: &AppHandle<R>,
    with_sandbox: bool,
    desk: Arc<dyn DeskSink>,
) -> Result<AppState, AppError> {
    let config_dir = app.path().app_config_dir()?;
    let sandbox = if with_sandbox {
        let started =
            tauri::async_runtime::block_on(Sandbox::start(topup_sandbox::Config::default()))?;
        tracing::info!(clara = %started.urls().clara, "Sandbox running in-process");
        Some(started)
    } else {
        None
    };
    let mut options = OpenOptions::new(config_dir);
    // Which accounts are still signed in decides the first screen.
    options.find_kept_sign_ins = true;
    #[cfg(debug_assertions)]
    if let Some(clock) = crate::test_clock::from_env() {
        options.clock = clock;
    }
    options.sandbox = sandbox
        .as_ref()
        .and_then(|s| BaseUrl::parse(&s.urls().base).ok())
        .map(|origin| SandboxLink {
            origin,
            account: NewAccount {
                public_api_key: Some(demo::CLARA_PUBLIC_KEY.to_owned()),
                google_client_id: Some(demo::GOOGLE_CLIENT_ID.to_owned()),
                ..NewAccount::default()
            },
        });
    let store = tauri::async_runtime::block_on(Store::open(options))?;
    let sandbox_demo = sandbox.as_ref().map(|s| SandboxDemo {
        email: demo::USER_EMAIL.to_owned(),
        password: demo::PASSWORD.to_owned(),
        two_factor_email: demo::TWO_FA_EMAIL.to_owned(),
        origin: s.urls().base.clone(),
    });
    let watches = Supervisor::new(
        Arc::clone(&store.accounts),
        Arc::new(WindowSink { app: app.clone() }),
        tauri::async_runtime::handle().inner().clone(),
        Schedule::default(),
    );
    let preferences = Arc::new(store.preferences);
    let monitor = Monitor::start(
        Arc::clone(&store.accounts),
        Arc::clone(&watches),
        desk,
        preferences.refresh_every(),
        tauri::async_runtime::handle().inner(),
    );
    Ok(AppState {
        accounts: store.accounts,
        keychain_warning: store
            .keychain_problem
            .map(|e| format!("{e} Sign-ins will last until you quit Topup.")),
        registry_warning: store.registry_problem.map(|p| p.warning()),
        sandbox_demo,
        preferences,
        google: GoogleSignIns::default(),
        watches,
        monitor,
        _sandbox: sandbox,
    })
}

/// The state being built while the window's page loads.
///
/// Opening the store reads the keychain over D-Bus and the system's root
/// certificates (tens of ms). Done in `setup`, it held the main loop, and
/// with it WebKit's start of the page's web process, which the bare Tauri
/// app begins at once. So it runs on a blocking thread of the async
/// runtime, and `startup`, the first command the page sends, waits here.
/// Every later command comes after `startup` has answered.
///
/// When the state cannot be built, the waiters are never let through: the
/// start ends in the failed-start dialog and exit 1, with nothing to answer.
pub struct Opening {
    opened: Arc<watch::Sender<bool>>,
}

impl Opening {
    /// Starts building the state. `opened` gets it on that thread (to manage
    /// it and start what follows from it) before any waiter is let through;
    /// `failed` gets why it could not be built.
    pub fn start<R: Runtime>(
        app: &AppHandle<R>,
        with_sandbox: bool,
        desk: Arc<dyn DeskSink>,
        opened: impl FnOnce(&AppHandle<R>, AppState) + Send + 'static,
        failed: impl FnOnce(&AppHandle<R>, String) + Send + 'static,
    ) -> Self {
        let done = Arc::new(watch::Sender::new(false));
        let (app, opening) = (app.clone(), Arc::clone(&done));
        tauri::async_runtime::spawn_blocking(move || {
            match guarded(|| init(&app, with_sandbox, desk).map(|state| opened(&app, state))) {
                Ok(()) => {
                    done.send_replace(true);
                }
                Err(reason) => failed(&app, reason),
            }
        });
        Self { opened: opening }
    }

    /// Until the state is managed.
    pub async fn wait(&self) {
        // Never an error: the sender lives in `self`, which outlives the wait.
        let _ = self.opened.subscribe().wait_for(|done| *done).await;
    }
}

/// Why the state could not be built, a panic included: this thread is the
/// runtime's, out of reach of `run`'s own guard, and a panic left alone here
/// would leave the page waiting on `startup` with no dialog. (Release builds
/// abort on a panic, after the panic hook has logged it.)
fn guarded<T>(build: impl FnOnce() -> Result<T, AppError>) -> Result<T, String> {
    match std::panic::catch_unwind(std::panic::AssertUnwindSafe(build)) {
        Ok(built) => built.map_err(|e| e.to_string()),
        Err(panic) => Err(crate::fatal::panic_text(panic.as_ref())),
    }
}

#[cfg(test)]
mod tests {
    use futures_util::FutureExt;

    use super::*;

    #[test]
    fn a_panic_while_opening_is_a_failed_start_with_its_reason() {
        let panicked = guarded::<()>(|| panic!("the registry is unreadable"));
        assert_eq!(panicked, Err("the registry is unreadable".to_owned()));
        let failed = guarded::<()>(|| Err(AppError::Sandbox(std::io::Error::other("port taken"))));
        assert_eq!(
            failed,
            Err("the Sandbox could not start: port taken".to_owned())
        );
        assert_eq!(guarded(|| Ok(7)), Ok(7));
    }

    #[test]
    fn the_first_command_waits_until_the_state_is_managed() {
        let opening = Opening {
            opened: Arc::new(watch::Sender::new(false)),
        };
        assert_eq!(opening.wait().now_or_never(), None);
        opening.opened.send_replace(true);
        assert_eq!(opening.wait().now_or_never(), Some(()));
    }
}
