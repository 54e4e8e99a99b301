//! Buying: start a purchase and open its checkout page in the system browser,
//! the waiting screen's actions (reopen, copy the link, check now, cancel,
//! keep checking), history and the billing portal. Every page is opened here,
//! from Rust, after core's URL policy accepted it.

use serde::Serialize;
use tauri::{AppHandle, Runtime, State};
use topup_core::history::{HistoryPage, HistoryQuery};
use topup_core::purchases::BuyOutcome;
use topup_core::watch::PurchaseView;

use crate::browser::SystemBrowser;
use crate::error::IpcError;
use crate::state::AppState;

/// What pressing Buy did.
#[derive(Debug, Clone, Serialize, specta::Type)]
pub struct BuyResult {
    pub outcome: BuyOutcome,
    /// Why the browser could not be opened (the link can still be copied).
    pub open_error: Option<IpcError>,
}

/// Starts a purchase (or finds the one in flight), opens its checkout page
/// and starts watching it.
#[tauri::command]
#[specta::specta]
pub async fn buy<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
    browser: State<'_, SystemBrowser>,
    account_id: String,
    input: String,
) -> Result<BuyResult, IpcError> {
    let accounts = state.accounts.clone();
    let outcome = accounts.buy(&account_id, &input).await?;
    let open_error = match &outcome {
        BuyOutcome::Started { .. } => {
            let url = accounts.checkout_url(&account_id)?;
            tracing::info!(account = %account_id, "opening checkout in the browser");
            browser.open(&app, &url).err().map(IpcError::from)
        }
        BuyOutcome::AlreadyPending { .. } => None,
    };
    state.watches.start(&account_id)?;
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
    Ok(state.watches.view(&account_id)?)
}

#[tauri::command]
#[specta::specta]
pub fn reopen_checkout<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
    browser: State<'_, SystemBrowser>,
    account_id: String,
) -> Result<(), IpcError> {
    let url = state.accounts.checkout_url(&account_id)?;
    Ok(browser.open(&app, &url)?)
}

#[tauri::command]
#[specta::specta]
pub fn copy_checkout_link<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
    account_id: String,
) -> Result<(), IpcError> {
    let url = state.accounts.checkout_url(&account_id)?;
    Ok(crate::clipboard::write_text(&app, url.to_string())?)
}

/// "I've paid — check now" (the watcher keeps a minimum gap between checks).
#[tauri::command]
#[specta::specta]
pub fn check_now(state: State<'_, AppState>, account_id: String) -> Result<(), IpcError> {
    Ok(state.watches.check_now(&account_id)?)
}

/// After the give-up time: keep checking, less often.
#[tauri::command]
#[specta::specta]
pub fn keep_checking(state: State<'_, AppState>, account_id: String) -> Result<(), IpcError> {
    Ok(state.watches.keep_checking(&account_id)?)
}

/// Stops waiting and forgets the purchase here. The checkout page stays open
/// in the browser until it expires; paying it later still credits the account.
#[tauri::command]
#[specta::specta]
pub fn cancel_purchase(state: State<'_, AppState>, account_id: String) -> Result<(), IpcError> {
    Ok(state.watches.abandon(&account_id)?)
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
    query: HistoryQuery,
) -> Result<HistoryPage, IpcError> {
    Ok(state.accounts.history(&account_id, &query).await?)
}

#[tauri::command]
#[specta::specta]
pub async fn open_billing_portal<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
    browser: State<'_, SystemBrowser>,
    account_id: String,
) -> Result<(), IpcError> {
    let url = state.accounts.billing_portal(&account_id).await?;
    tracing::info!(account = %account_id, "opening the billing portal in the browser");
    Ok(browser.open(&app, &url)?)
}
