//! The low-balance notification, whose "Top up" action (or a click on it)
//! opens the account's buy screen; a click on any other notification of
//! Topup ("Credits added") brings the window forward.

use tauri::{AppHandle, Runtime};
use tauri_plugin_notification::{Action, ActionPerformed, ActionType, NotificationExt};
use topup_core::alerts::LowBalance;

/// The low-balance alert's buttons.
const LOW_BALANCE: &str = "low-balance";
const TOP_UP: &str = "top-up";
/// Which account a notification is about (in its data, never its text).
const ACCOUNT: &str = "account_id";

/// Registers the alert's action and what its buttons do.
pub fn init<R: Runtime>(app: &AppHandle<R>) -> tauri_plugin_notification::Result<()> {
    let notifications = app.notification();
    notifications.register_action_types(vec![ActionType::builder(LOW_BALANCE)
        .actions(vec![Action::builder(TOP_UP, "Top up").build()])
        .build()])?;
    let handle = app.clone();
    notifications.on_action(move |performed| on_action(&handle, performed))
}

fn on_action<R: Runtime>(app: &AppHandle<R>, performed: &ActionPerformed) {
    let account = performed
        .notification()
        .and_then(|n| n.extra().get(ACCOUNT))
        .and_then(|v| v.as_str())
        .map(str::to_owned);
    tracing::info!(action = performed.action_id(), "notification acted on");
    match account {
        Some(id) => super::open_buy(app, &id),
        None => super::show_window(app),
    }
}

pub fn low_balance<R: Runtime>(app: &AppHandle<R>, alert: &LowBalance) {
    let shown = app
        .notification()
        .builder()
        .title(&alert.title)
        .body(&alert.body)
        .action_type_id(LOW_BALANCE)
        .extra(ACCOUNT, &alert.account_id)
        .show();
    if let Err(e) = shown {
        tracing::warn!(error = %e, "no desktop notification for the low balance");
    }
}
