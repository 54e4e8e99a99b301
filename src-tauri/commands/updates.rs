//! Updates: what the Settings screen and the header show, "Look now",
//! "Restart to update" and the daily look's switch.

use tauri::{AppHandle, Runtime, State};
use topup_core::preferences::Preferences;
use topup_core::updates::UpdateStatus;

use crate::error::IpcError;
use crate::state::AppState;
use crate::updates::Updates;

#[tauri::command]
#[specta::specta]
pub fn update_status(updates: State<'_, Updates>) -> UpdateStatus {
    updates.status()
}

#[tauri::command]
#[specta::specta]
pub async fn check_for_updates<R: Runtime>(app: AppHandle<R>) -> UpdateStatus {
    crate::updates::check(&app).await
}

#[tauri::command]
#[specta::specta]
pub fn install_update<R: Runtime>(app: AppHandle<R>) -> UpdateStatus {
    crate::updates::request_install(&app)
}

/// Turns the daily look on or off; turned on, it looks at once.
#[tauri::command]
#[specta::specta]
pub async fn set_check_for_updates<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
    on: bool,
) -> Result<Preferences, IpcError> {
    let preferences = state.preferences.set_check_for_updates(on)?;
    if on {
        crate::updates::check(&app).await;
    }
    Ok(preferences)
}
