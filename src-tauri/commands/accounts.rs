//! Account commands: list, add, sign in (with the 2FA step), restore, sign
//! out, switch, remove. Secrets arrive here from the sign-in forms and go
//! straight into redacted types; nothing here logs them.

use secrecy::SecretString;
use serde::Serialize;
use tauri::{AppHandle, Manager, Runtime, State};
use topup_core::accounts::AccountRecord;
use topup_core::provider::{Account, CodePurpose, Registration};
use topup_core::service::{AccountView, NewAccount, Restored, SignedOut};
use topup_core::sign_in::{SignInInput, SignInStep};

use crate::error::IpcError;
use crate::state::{AppState, Opening, SandboxDemo};

/// Everything the UI needs to draw its first screen.
#[derive(Debug, Clone, Serialize, specta::Type)]
pub struct Startup {
    pub accounts: Vec<AccountView>,
    pub active: Option<String>,
    /// The account to open first (core's [`Accounts::account_to_open`]);
    /// `None`: the first-run screen.
    ///
    /// [`Accounts::account_to_open`]: topup_core::service::Accounts::account_to_open
    pub open_first: Option<String>,
    /// False when sign-ins last this run only (no keychain).
    pub persists: bool,
    pub keychain_warning: Option<String>,
    pub registry_warning: Option<String>,
    pub sandbox: Option<SandboxDemo>,
    /// The last balance read of `open_first`, painted at once on its home
    /// while its session restores and the service is asked again (none when
    /// it opens on a purchase).
    pub known_balance: Option<topup_core::alerts::Observation>,
    /// The theme and other app preferences, so the first screen is drawn right.
    pub preferences: topup_core::preferences::Preferences,
    /// The system's regional format for numbers, money and dates (BCP 47,
    /// e.g. "de-CH"; see `topup_core::region`), so the first screen is
    /// written in it: the webview's own language, and the system's display
    /// language, can differ from it.
    pub locale: Option<String>,
}

/// The page's first command. It may come while the accounts are still being
/// opened, and then waits for them.
#[tauri::command]
#[specta::specta]
pub async fn startup<R: Runtime>(
    app: AppHandle<R>,
    opening: State<'_, Opening>,
) -> Result<Startup, IpcError> {
    tracing::debug!(target: "topup_app::shown", at_ms = crate::logging::unix_ms(), "{}", crate::logging::STARTUP_ASKED);
    opening.wait().await;
    let state = app.state::<AppState>();
    // First: it may make another account the active one.
    let open_first = state.accounts.account_to_open()?;
    let known_balance = match open_first.as_deref() {
        Some(id) => state.watches.balance_to_paint_at_start(id)?,
        None => None,
    };
    Ok(Startup {
        known_balance,
        open_first,
        accounts: state.accounts.list(),
        active: state.accounts.active(),
        persists: state.accounts.persists(),
        keychain_warning: state.keychain_warning.clone(),
        registry_warning: state.registry_warning.clone(),
        sandbox: state.sandbox_demo.clone(),
        preferences: state.preferences.get(),
        locale: topup_core::region::system(),
    })
}

#[tauri::command]
#[specta::specta]
pub fn list_accounts(state: State<'_, AppState>) -> Vec<AccountView> {
    state.accounts.list()
}

#[tauri::command]
#[specta::specta]
pub fn add_account(
    state: State<'_, AppState>,
    account: NewAccount,
) -> Result<AccountRecord, IpcError> {
    Ok(state.accounts.add(account)?)
}

#[tauri::command]
#[specta::specta]
pub async fn sign_in(
    state: State<'_, AppState>,
    account_id: String,
    input: SignInInput,
) -> Result<SignInStep, IpcError> {
    let step = state.watches.sign_in(&account_id, input.into()).await?;
    state.monitor.refresh();
    Ok(step)
}

/// Emails a code (two-factor or activation), with the deployment's public API key.
#[tauri::command]
#[specta::specta]
pub async fn send_code(
    state: State<'_, AppState>,
    account_id: String,
    email: String,
    purpose: CodePurpose,
) -> Result<(), IpcError> {
    Ok(state
        .accounts
        .email_code(&account_id, &email, purpose)
        .await?)
}

/// Opens an account on a deployment whose public API key is set; it must
/// then be activated with the emailed code.
#[tauri::command]
#[specta::specta]
pub async fn register(
    state: State<'_, AppState>,
    account_id: String,
    first_name: String,
    last_name: String,
    email: String,
    password: String,
) -> Result<Account, IpcError> {
    let password = SecretString::from(password);
    let who = Registration {
        first_name: &first_name,
        last_name: &last_name,
        email: &email,
        password: &password,
    };
    Ok(state.accounts.register(&account_id, who).await?)
}

#[tauri::command]
#[specta::specta]
pub async fn activate(
    state: State<'_, AppState>,
    account_id: String,
    email: String,
    code: String,
) -> Result<Account, IpcError> {
    Ok(state.accounts.activate(&account_id, &email, &code).await?)
}

#[tauri::command]
#[specta::specta]
pub async fn restore_account(
    state: State<'_, AppState>,
    account_id: String,
) -> Result<Restored, IpcError> {
    let restored = state.watches.restore(&account_id).await?;
    state.monitor.refresh();
    Ok(restored)
}

#[tauri::command]
#[specta::specta]
pub async fn account_summary(
    state: State<'_, AppState>,
    account_id: String,
) -> Result<Account, IpcError> {
    let account = state.accounts.account(&account_id).await?;
    // A balance the tray and the alert should know about.
    state.monitor.refresh();
    Ok(account)
}

#[tauri::command]
#[specta::specta]
pub async fn sign_out(
    state: State<'_, AppState>,
    account_id: String,
) -> Result<SignedOut, IpcError> {
    let out = state.accounts.sign_out(&account_id).await?;
    tracing::info!(account = %account_id, revoked = out.revoked_on_server, "signed out");
    state.monitor.refresh();
    Ok(out)
}

#[tauri::command]
#[specta::specta]
pub async fn remove_account(
    state: State<'_, AppState>,
    account_id: String,
) -> Result<SignedOut, IpcError> {
    let out = state.accounts.remove(&account_id).await?;
    state.monitor.refresh();
    Ok(out)
}

#[tauri::command]
#[specta::specta]
pub fn switch_account(state: State<'_, AppState>, account_id: String) -> Result<(), IpcError> {
    Ok(state.accounts.switch(&account_id)?)
}
