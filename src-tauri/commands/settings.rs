//! Settings: the app's theme and each account's editable settings.

use tauri::{AppHandle, Manager, Runtime, State};
use topup_core::accounts::AccountRecord;
use topup_core::preferences::{Preferences, Theme};
use topup_core::settings::AccountSettings;

use crate::error::IpcError;
use crate::state::AppState;

/// Gives the native window (title bar, scrollbars, dialogs) the same theme as
/// the page; `None` follows the system.
pub fn apply_window_theme<R: Runtime>(app: &AppHandle<R>, theme: Theme) {
    let native = match theme {
        Theme::System => None,
        Theme::Light => Some(tauri::Theme::Light),
        Theme::Dark => Some(tauri::Theme::Dark),
    };
    for window in app.webview_windows().values() {
        if let Err(e) = window.set_theme(native) {
            tracing::debug!(error = %e, "the window kept its theme");
        }
    }
}

#[tauri::command]
#[specta::specta]
pub fn set_theme<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
    theme: Theme,
) -> Result<Preferences, IpcError> {
    let preferences = state.preferences.set_theme(theme)?;
    apply_window_theme(&app, theme);
    Ok(preferences)
}

#[tauri::command]
#[specta::specta]
pub fn update_account_settings(
    state: State<'_, AppState>,
    account_id: String,
    settings: AccountSettings,
) -> Result<AccountRecord, IpcError> {
    let record = state.accounts.update_settings(&account_id, settings)?;
    tracing::info!(account = %account_id, "account settings saved");
    Ok(record)
}

/// What to tell the person about the account's checkout pages now that it was
/// added or its settings saved (`None`: nothing to say).
#[tauri::command]
#[specta::specta]
pub fn checkout_note(
    state: State<'_, AppState>,
    account_id: String,
) -> Result<Option<String>, IpcError> {
    Ok(state.accounts.checkout_note(&account_id)?)
}
