use topup_core::{presets, BaseUrl, Preset};

use crate::error::IpcError;

/// The services offered when adding an account, in display order.
#[tauri::command]
#[specta::specta]
pub fn provider_presets() -> Vec<Preset> {
    presets::presets()
}

/// Checks an address typed for a custom Clara-compatible server and returns it
/// normalised, so the UI can show the exact reason a URL is refused.
#[tauri::command]
#[specta::specta]
pub fn check_base_url(input: String) -> Result<String, IpcError> {
    BaseUrl::parse(&input)
        .map(|url| url.to_string())
        .map_err(|err| topup_core::Error::from(err).into())
}
