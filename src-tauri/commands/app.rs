use serde::Serialize;
use tauri::{AppHandle, Runtime};

/// What the app says about itself (shown in the footer and in bug reports).
#[derive(Debug, Clone, Serialize, specta::Type)]
pub struct AppInfo {
    pub name: String,
    pub version: String,
    pub identifier: String,
}

#[tauri::command]
#[specta::specta]
pub fn app_info<R: Runtime>(app: AppHandle<R>) -> AppInfo {
    let config = app.config();
    AppInfo {
        name: config
            .product_name
            .clone()
            .unwrap_or_else(|| app.package_info().name.clone()),
        version: app.package_info().version.to_string(),
        identifier: config.identifier.clone(),
    }
}

/// Where a balance was painted.
#[derive(Debug, Clone, Copy, serde::Deserialize, specta::Type)]
#[serde(rename_all = "snake_case")]
pub enum BalanceShownOn {
    /// The home screen (after start-up, a sign-in or a switch).
    Home,
    /// The home screen at start-up, with the last balance read, before the
    /// service has answered.
    Known,
    /// The purchase screen, once the credits have landed.
    Landed,
}

/// The UI reports each balance it has painted: the moment a person can read
/// it. The log line carries the wall-clock time, so the benchmarks (and a
/// bug report) can time "launch → balance" and "paid → credits on screen"
/// from outside the app. It carries no secret: an account id and a number.
#[tauri::command]
#[specta::specta]
pub fn balance_shown(account_id: String, balance: topup_core::Credits, on: BalanceShownOn) {
    let at_ms = crate::logging::unix_ms();
    tracing::info!(target: "topup_app::shown", account = %account_id, %balance, ?on, at_ms, "{}", crate::logging::BALANCE_ON_SCREEN);
}

/// The page has its first screen in the DOM: the window is shown now (once,
/// and not when Topup started in the background), so its first frame is that
/// screen.
#[tauri::command]
#[specta::specta]
pub fn first_screen_ready<R: Runtime>(
    app: AppHandle<R>,
    first: tauri::State<'_, crate::window::FirstShow>,
) {
    tracing::debug!(target: "topup_app::shown", at_ms = crate::logging::unix_ms(), "{}", crate::logging::FIRST_SCREEN_READY);
    first.ready(&app);
}
