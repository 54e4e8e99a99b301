use serde::Serialize;
use tauri::{AppHandle, Runtime};

/// What the app says about itself (shown in the footer and in bug reports).
#[derive(Debug, Clone, Serialize, specta::Type)]
pub struct AppInfo {
    pub name: String,
    pub version: String,
    pub identifier: String,
    /// The system's locale for numbers, money and dates (BCP 47, e.g.
    /// "de-CH"); the webview's own language can differ from the regional
    /// format the person chose.
    pub locale: Option<String>,
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
        locale: sys_locale::get_locale(),
    }
}
