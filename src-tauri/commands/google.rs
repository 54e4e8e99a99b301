//! Google sign-in: core runs the flow; the shell opens the consent page in
//! the system browser. The UI can paste a code or cancel.

use tauri::{AppHandle, Runtime, State};
use topup_core::sign_in::SignInStep;

use crate::browser::SystemBrowser;
use crate::error::IpcError;
use crate::state::AppState;

/// Runs the whole Google sign-in for an account and answers when it ends.
#[tauri::command]
#[specta::specta]
pub async fn google_sign_in<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
    browser: State<'_, SystemBrowser>,
    account_id: String,
) -> Result<SignInStep, IpcError> {
    let open = |url: &url::Url| browser.open(&app, url);
    Ok(state
        .google
        .sign_in(&state.watches, &account_id, open)
        .await?)
}

/// The code (or the whole address) from the browser, when its redirect
/// could not reach Topup.
#[tauri::command]
#[specta::specta]
pub async fn google_paste_code(
    state: State<'_, AppState>,
    account_id: String,
    text: String,
) -> Result<(), IpcError> {
    Ok(state.google.paste(&account_id, text).await?)
}

#[tauri::command]
#[specta::specta]
pub fn google_cancel(state: State<'_, AppState>, account_id: String) {
    state.google.cancel(&account_id);
}
