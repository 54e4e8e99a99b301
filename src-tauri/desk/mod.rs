//! Topup on the desktop: core's background monitor reports here, and this
//! front end shows it — the tray ([`tray`]), desktop notifications
//! ([`notify`]), the window's events. It decides nothing: what to show and
//! when to alert come from `topup_core::alerts`.

pub mod network;
pub mod notify;
pub mod tray;

use serde::Serialize;
use tauri::{AppHandle, Emitter, Manager, Runtime};
use tauri_specta::Event;
use topup_core::alerts::{Closing, DeskSink, LowBalance, Standing};

use crate::state::AppState;
use crate::window::MAIN;

/// Every account's standing, after a change (the home screen's alert and
/// forecast follow it).
#[derive(Debug, Clone, Serialize, specta::Type, tauri_specta::Event)]
#[serde(transparent)]
#[tauri_specta(event_name = "standings-changed")]
pub struct StandingsChanged(pub Vec<Standing>);

/// "Top up…" from the tray or a notification: open this account's home with
/// the amount field focused.
#[derive(Debug, Clone, Serialize, specta::Type, tauri_specta::Event)]
#[tauri_specta(event_name = "open-buy")]
pub struct OpenBuy {
    pub account_id: String,
}

/// The window was closed while alerts are on, and the person has not yet
/// said whether Topup should keep running in the tray.
#[derive(Debug, Clone, Serialize, specta::Type, tauri_specta::Event)]
#[tauri_specta(event_name = "close-asked")]
pub struct CloseAsked;

pub struct Desk<R: Runtime> {
    pub app: AppHandle<R>,
}

impl<R: Runtime> DeskSink for Desk<R> {
    fn standings(&self, standings: &[Standing]) {
        // Handed to the main thread without waiting: a tray call made from
        // any other thread blocks until the main thread has run it, and the
        // monitor's task must never hang on the GUI.
        let (app, shown) = (self.app.clone(), standings.to_vec());
        if let Err(e) = self
            .app
            .run_on_main_thread(move || tray::show(&app, &shown))
        {
            tracing::warn!(error = %e, "the tray could not be updated");
        }
        if let Err(e) = StandingsChanged(standings.to_vec()).emit(&self.app) {
            tracing::warn!(error = %e, "standings not delivered to the window");
        }
    }

    fn low_balance(&self, alert: &LowBalance) {
        notify::low_balance(&self.app, alert);
    }
}

/// Brings the window forward on an account's home, ready to buy.
pub fn open_buy<R: Runtime>(app: &AppHandle<R>, account_id: &str) {
    if let Some(state) = app.try_state::<AppState>() {
        if let Err(e) = state.accounts.switch(account_id) {
            tracing::warn!(account = account_id, code = %e.code(), "top up from the tray: no such account");
            return;
        }
    }
    show_window(app);
    let event = OpenBuy {
        account_id: account_id.to_owned(),
    };
    if let Err(e) = event.emit(app) {
        tracing::warn!(error = %e, "open-buy not delivered");
    }
}

pub fn show_window<R: Runtime>(app: &AppHandle<R>) {
    if let Some(window) = app.get_webview_window(MAIN) {
        crate::window::bring_forward(&window);
    } else {
        tracing::warn!("no window to show");
    }
}

/// What closing the window does: hide it while Topup stays in the tray, ask
/// the first time when alerts are on, otherwise close (and quit).
pub fn on_close_requested<R: Runtime>(window: &tauri::Window<R>, api: &tauri::CloseRequestApi) {
    let Some(state) = window.try_state::<AppState>() else {
        return;
    };
    let closing = state.accounts.when_closed(&state.preferences.get());
    tracing::debug!(?closing, "the window's close was asked for");
    match closing {
        Closing::Hide => {
            api.prevent_close();
            if let Err(e) = window.hide() {
                tracing::warn!(error = %e, "the window could not be hidden");
            }
            tracing::info!("window closed: Topup stays in the tray");
        }
        Closing::Ask => {
            api.prevent_close();
            if let Err(e) = window.emit(CloseAsked::NAME, CloseAsked) {
                tracing::warn!(error = %e, "could not ask what closing should do");
            }
        }
        Closing::Quit => {}
    }
}
