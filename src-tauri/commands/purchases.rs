//! Buying: start a purchase and open its checkout page in the system browser,
//! the waiting screen's actions (reopen, copy the link, check now, cancel,
//! keep checking), history and the billing portal. Every page is opened here,
//! from Rust, after core's URL policy accepted it.

use serde::Serialize;
use tauri::{AppHandle, Runtime, State};
use tauri_plugin_clipboard_manager::ClipboardExt;
use tauri_plugin_opener::OpenerExt;
use topup_core::pending::PendingPurchase;
use topup_core::provider::HistoryPage;
use topup_core::purchases::BuyOutcome;
use topup_core::watch::Signal;
use topup_core::Error;

use crate::error::{AppError, IpcError};
use crate::state::AppState;
use crate::watches::PurchaseProgress;

/// The account's purchase in flight and how its watch stands.
#[derive(Debug, Clone, Serialize, specta::Type)]
pub struct PurchaseView {
    pub purchase: PendingPurchase,
    /// The newest report; `None` before the first one.
    pub last: Option<PurchaseProgress>,
}

/// What pressing Buy did.
#[derive(Debug, Clone, Serialize, specta::Type)]
pub struct BuyResult {
    pub outcome: BuyOutcome,
    /// Why the browser could not be opened (the link can still be copied).
    pub open_error: Option<String>,
}

fn open<R: Runtime>(app: &AppHandle<R>, url: &url::Url) -> Result<(), AppError> {
    app.opener()
        .open_url(url.as_str(), None::<&str>)
        .map_err(|e| {
            tracing::warn!(error = %e, "the system browser could not be opened");
            AppError::Desktop(format!(
                "Topup could not open your browser ({e}). Copy the link and open it yourself."
            ))
        })
}

fn nothing_pending() -> IpcError {
    Error::NotFound {
        what: "A purchase in progress".into(),
    }
    .into()
}

/// Starts a purchase (or finds the one in flight), opens its checkout page
/// and starts watching it.
#[tauri::command]
#[specta::specta]
pub async fn buy<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
    account_id: String,
    input: String,
) -> Result<BuyResult, IpcError> {
    let accounts = state.accounts.clone();
    let outcome = accounts.buy(&account_id, &input).await?;
    let open_error = match &outcome {
        BuyOutcome::Started { .. } => {
            let url = accounts.checkout_url(&account_id)?;
            tracing::info!(account = %account_id, "opening checkout in the browser");
            open(&app, &url).err().map(|e| e.to_string())
        }
        BuyOutcome::AlreadyPending { .. } => None,
    };
    state.watches.start(&app, &accounts, &account_id)?;
    Ok(BuyResult {
        outcome,
        open_error,
    })
}

/// The account's purchase in flight, or the last report of one that just
/// ended. (Restoring or signing in starts the watch; this only reads.)
#[tauri::command]
#[specta::specta]
pub fn purchase_state(
    state: State<'_, AppState>,
    account_id: String,
) -> Result<Option<PurchaseView>, IpcError> {
    let last = state.watches.last(&account_id);
    match state.accounts.pending_purchase(&account_id)? {
        Some(purchase) => Ok(Some(PurchaseView { purchase, last })),
        None => Ok(last.map(|l| PurchaseView {
            purchase: l.purchase.clone(),
            last: Some(l),
        })),
    }
}

#[tauri::command]
#[specta::specta]
pub fn reopen_checkout<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
    account_id: String,
) -> Result<(), IpcError> {
    let url = state.accounts.checkout_url(&account_id)?;
    Ok(open(&app, &url)?)
}

#[tauri::command]
#[specta::specta]
pub fn copy_checkout_link<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
    account_id: String,
) -> Result<(), IpcError> {
    let url = state.accounts.checkout_url(&account_id)?;
    app.clipboard()
        .write_text(url.as_str())
        .map_err(|e| AppError::Desktop(format!("Topup could not use the clipboard ({e}).")).into())
}

/// "I've paid — check now" (the watcher keeps a minimum gap between checks).
#[tauri::command]
#[specta::specta]
pub fn check_now<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
    account_id: String,
) -> Result<(), IpcError> {
    if state.watches.signal(&account_id, Signal::CheckNow) {
        return Ok(());
    }
    // A watch that ended on a failure: start it again.
    if state.accounts.pending_purchase(&account_id)?.is_none() {
        return Err(nothing_pending());
    }
    state.watches.start(&app, &state.accounts, &account_id)?;
    Ok(())
}

/// After the give-up time: keep checking, less often.
#[tauri::command]
#[specta::specta]
pub fn keep_checking(state: State<'_, AppState>, account_id: String) -> Result<(), IpcError> {
    if state.watches.signal(&account_id, Signal::KeepChecking) {
        Ok(())
    } else {
        Err(nothing_pending())
    }
}

/// Stops waiting and forgets the purchase here. The checkout page stays open
/// in the browser until it expires; paying it later still credits the account.
#[tauri::command]
#[specta::specta]
pub fn cancel_purchase(state: State<'_, AppState>, account_id: String) -> Result<(), IpcError> {
    state.watches.stop(&account_id);
    state.accounts.end_purchase(&account_id)?;
    tracing::info!(account = %account_id, "purchase abandoned");
    Ok(())
}

/// The person has seen how a purchase ended.
#[tauri::command]
#[specta::specta]
pub fn dismiss_purchase(state: State<'_, AppState>, account_id: String) {
    state.watches.dismiss(&account_id);
}

#[tauri::command]
#[specta::specta]
pub async fn history(
    state: State<'_, AppState>,
    account_id: String,
    page: u32,
) -> Result<HistoryPage, IpcError> {
    Ok(state.accounts.clone().history(&account_id, page).await?)
}

#[tauri::command]
#[specta::specta]
pub async fn open_billing_portal<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
    account_id: String,
) -> Result<(), IpcError> {
    let url = state.accounts.clone().billing_portal(&account_id).await?;
    tracing::info!(account = %account_id, "opening the billing portal in the browser");
    Ok(open(&app, &url)?)
}
