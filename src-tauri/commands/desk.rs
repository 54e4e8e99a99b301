//! The desktop side: standings (balances, forecasts, alerts), the low-balance
//! threshold, the background refresh, closing to the tray and starting at
//! login.

use serde::Serialize;
use tauri::{AppHandle, Manager, Runtime, State};
use tauri_plugin_autostart::ManagerExt;
use topup_core::alerts::{Read, Standing};

use crate::error::IpcError;
use crate::state::AppState;

/// How Topup lives on the desktop, as the settings screen shows it.
#[derive(Debug, Clone, Serialize, specta::Type)]
pub struct DeskSettings {
    /// Minutes between background checks; 0: off.
    pub refresh_minutes: u32,
    pub keep_in_tray: bool,
    /// Topup starts (in the tray) when the person logs in.
    pub start_at_login: bool,
}

fn desk_settings_of<R: Runtime>(app: &AppHandle<R>, state: &AppState) -> DeskSettings {
    let preferences = state.preferences.get();
    let start_at_login = app.autolaunch().is_enabled().unwrap_or_else(|e| {
        tracing::warn!(error = %e, "could not tell whether Topup starts at login");
        false
    });
    DeskSettings {
        refresh_minutes: preferences.refresh_minutes,
        keep_in_tray: preferences.keep_in_tray,
        start_at_login,
    }
}

/// Every account's standing, as last known (no call for the balances).
#[tauri::command]
#[specta::specta]
pub async fn standings(state: State<'_, AppState>) -> Result<Vec<Standing>, IpcError> {
    Ok(state.accounts.standings(Read::Known).await)
}

/// Sets the account's low-balance alert from the typed threshold (empty:
/// off), and returns its standing.
#[tauri::command]
#[specta::specta]
pub async fn set_alert(
    state: State<'_, AppState>,
    account_id: String,
    threshold: String,
) -> Result<Standing, IpcError> {
    state.accounts.set_alert_text(&account_id, &threshold)?;
    state.monitor.refresh();
    Ok(state.accounts.standing(&account_id, Read::Known).await?)
}

#[tauri::command]
#[specta::specta]
pub fn check_balances_now(state: State<'_, AppState>) {
    state.monitor.check_all_now();
}

#[tauri::command]
#[specta::specta]
pub fn desk_settings<R: Runtime>(app: AppHandle<R>, state: State<'_, AppState>) -> DeskSettings {
    desk_settings_of(&app, &state)
}

#[tauri::command]
#[specta::specta]
pub fn set_refresh_minutes<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
    minutes: u32,
) -> Result<DeskSettings, IpcError> {
    state.preferences.set_refresh_minutes(minutes)?;
    state.monitor.set_every(state.preferences.refresh_every());
    Ok(desk_settings_of(&app, &state))
}

#[tauri::command]
#[specta::specta]
pub fn set_keep_in_tray<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
    keep: bool,
) -> Result<DeskSettings, IpcError> {
    state.preferences.set_keep_in_tray(keep)?;
    Ok(desk_settings_of(&app, &state))
}

#[tauri::command]
#[specta::specta]
pub fn set_start_at_login<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
    on: bool,
) -> Result<DeskSettings, IpcError> {
    let autolaunch = app.autolaunch();
    let done = if on {
        autolaunch.enable()
    } else {
        autolaunch.disable()
    };
    done.map_err(|e| topup_core::Error::DesktopFailed {
        message: format!("Topup could not change whether it starts at login: {e}"),
    })?;
    tracing::info!(on, "start at login changed");
    Ok(desk_settings_of(&app, &state))
}

/// The answer to "keep Topup in the tray?" asked when the window closed:
/// remembered, then the window hides or Topup quits.
#[tauri::command]
#[specta::specta]
pub fn choose_close<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
    keep_in_tray: bool,
) -> Result<(), IpcError> {
    state.preferences.set_keep_in_tray(keep_in_tray)?;
    if keep_in_tray {
        if let Some(window) = app.get_webview_window(crate::window::MAIN) {
            window.hide().map_err(crate::error::AppError::from)?;
        }
    } else {
        app.exit(0);
    }
    Ok(())
}
