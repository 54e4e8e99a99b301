//! Prices and quotes for the home screen. A quote is computed in Rust from
//! the kept prices and never touches the network, so an invalid amount is
//! explained without sending anything.

use tauri::State;
use topup_core::pricing::{Pricing, Quote};
use topup_core::provider::Capabilities;

use crate::error::IpcError;
use crate::state::AppState;

#[tauri::command]
#[specta::specta]
pub async fn pricing(state: State<'_, AppState>, account_id: String) -> Result<Pricing, IpcError> {
    Ok(state.accounts.pricing(&account_id).await?)
}

#[tauri::command]
#[specta::specta]
pub fn quote(
    state: State<'_, AppState>,
    account_id: String,
    input: String,
) -> Result<Quote, IpcError> {
    Ok(state.accounts.quote(&account_id, &input)?)
}

/// What the account's service offers (balance, prices, history, portal),
/// known without asking it.
#[tauri::command]
#[specta::specta]
pub fn capabilities(
    state: State<'_, AppState>,
    account_id: String,
) -> Result<Capabilities, IpcError> {
    Ok(state.accounts.capabilities(&account_id)?)
}
