//! How the window hears about watched purchases: core's supervisor reports
//! to this sink, which sends the `PurchaseProgress` event to the UI and, when
//! credits land while the window is not in front, a desktop notification.

use serde::Serialize;
use tauri::{AppHandle, Manager, Runtime};
use tauri_plugin_notification::NotificationExt;
use tauri_specta::Event;
use topup_core::alerts::Monitor;
use topup_core::pending::PendingPurchase;
use topup_core::watch::{PurchaseProgress, Receipt, WatchSink};

/// A step of a watched purchase, sent to the UI after every check or signal.
#[derive(Debug, Clone, Serialize, specta::Type, tauri_specta::Event)]
#[serde(transparent)]
#[tauri_specta(event_name = "purchase-progress")]
pub struct PurchaseProgressEvent(pub PurchaseProgress);

pub struct WindowSink<R: Runtime> {
    pub app: AppHandle<R>,
}

impl<R: Runtime> WatchSink for WindowSink<R> {
    fn progress(&self, event: &PurchaseProgress) {
        if let Err(e) = PurchaseProgressEvent(event.clone()).emit(&self.app) {
            tracing::warn!(error = %e, "progress event not delivered");
        }
    }

    /// Credits that land while the person is in the browser must not go
    /// unnoticed.
    fn landed(&self, purchase: &PendingPurchase, receipt: &Receipt) {
        let focused = self
            .app
            .get_webview_window("main")
            .and_then(|w| w.is_focused().ok())
            .unwrap_or(false);
        // The tray and an alert above the new balance follow at once.
        if let Some(monitor) = self.app.try_state::<std::sync::Arc<Monitor>>() {
            monitor.check_soon(&purchase.account_id);
        }
        if focused {
            return;
        }
        let shown = self
            .app
            .notification()
            .builder()
            .title("Credits added")
            .body(receipt.sentence())
            .show();
        if let Err(e) = shown {
            tracing::warn!(error = %e, "no desktop notification");
        }
    }
}
