//! Google sign-in: Rust opens the consent page in the system browser and
//! waits for the loopback redirect; the UI can paste a code or cancel.

use std::time::Duration;

use secrecy::SecretString;
use tauri::{AppHandle, Runtime, State};
use tauri_plugin_opener::OpenerExt;
use tokio::sync::{mpsc, oneshot};
use topup_core::provider::Credentials;
use topup_core::Error;

use crate::commands::accounts::SignInResult;
use crate::error::IpcError;
use crate::state::AppState;

/// How long a consent page may stay open.
const GOOGLE_TIMEOUT: Duration = Duration::from_secs(5 * 60);

/// The handles of a sign-in waiting for the browser.
pub struct Waiting {
    paste: mpsc::Sender<String>,
    cancel: Option<oneshot::Sender<()>>,
}

/// Runs the whole Google sign-in for an account and answers when it ends.
#[tauri::command]
#[specta::specta]
pub async fn google_sign_in<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
    account_id: String,
) -> Result<SignInResult, IpcError> {
    let accounts = state.accounts.clone();
    let (client_id, endpoints) = accounts.google(&account_id)?;
    let pending = topup_core::google::begin(&client_id, endpoints).await?;
    let (paste, manual) = mpsc::channel(4);
    let (cancel, cancelled) = oneshot::channel();
    if let Ok(mut waiting) = state.google.lock() {
        waiting.insert(
            account_id.clone(),
            Waiting {
                paste,
                cancel: Some(cancel),
            },
        );
    }
    tracing::info!(account = %account_id, "opening Google sign-in in the browser");
    // The consent URL is built here from the account's settings, never from a server.
    app.opener()
        .open_url(pending.url.as_str(), None::<&str>)
        .map_err(|e| Error::Unsupported {
            what: format!("Opening the browser ({e})"),
        })?;
    let result = pending
        .finish(accounts.http(), manual, cancelled, GOOGLE_TIMEOUT)
        .await;
    if let Ok(mut waiting) = state.google.lock() {
        waiting.remove(&account_id);
    }
    let id_token: SecretString = result?;
    match accounts
        .sign_in(&account_id, Credentials::GoogleIdToken(id_token))
        .await?
    {
        topup_core::provider::SignIn::SignedIn { account, .. } => {
            state.watches.signed_in(&app, &accounts, &account_id);
            Ok(SignInResult::SignedIn { account })
        }
        topup_core::provider::SignIn::CodeRequired => Ok(SignInResult::CodeRequired {
            can_email_code: false,
        }),
    }
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
    let sender = state
        .google
        .lock()
        .ok()
        .and_then(|w| w.get(&account_id).map(|h| h.paste.clone()));
    match sender {
        Some(s) => s.send(text).await.map_err(|_| {
            Error::Cancelled {
                what: "Google sign-in".into(),
            }
            .into()
        }),
        None => Err(Error::Cancelled {
            what: "Google sign-in".into(),
        }
        .into()),
    }
}

#[tauri::command]
#[specta::specta]
pub fn google_cancel(state: State<'_, AppState>, account_id: String) {
    if let Ok(mut waiting) = state.google.lock() {
        if let Some(cancel) = waiting.get_mut(&account_id).and_then(|h| h.cancel.take()) {
            let _ = cancel.send(());
        }
    }
}
