//! The error that crosses IPC: `{code, message}`.
//!
//! The UI branches on `code` (stable, snake_case) and shows `message` (a sentence
//! for a person). Nothing else — no debug text, no chain of causes — leaves Rust,
//! so internal details and secrets cannot leak into the webview.

use serde::Serialize;
use topup_core::ErrorCode;

/// The shell's own error type: what a command or the start can fail with.
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error(transparent)]
    Core(#[from] topup_core::Error),
    /// Tauri itself failed (no config folder, the window…): only at start.
    #[error("{0}")]
    Tauri(#[from] tauri::Error),
    #[error("the Sandbox could not start: {0}")]
    Sandbox(#[from] std::io::Error),
}

impl AppError {
    pub fn code(&self) -> ErrorCode {
        match self {
            Self::Core(err) => err.code(),
            Self::Tauri(_) => ErrorCode::DesktopFailed,
            Self::Sandbox(_) => ErrorCode::Unsupported,
        }
    }
}

/// What a failed command returns to the UI.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, specta::Type)]
pub struct IpcError {
    pub code: ErrorCode,
    pub message: String,
}

impl From<AppError> for IpcError {
    /// Where an error crosses IPC it is logged, once, by its code. Not its
    /// message: some quote what a server sent (a malformed answer's parse
    /// error can hold part of a sign-in response), and the log is a file.
    fn from(err: AppError) -> Self {
        let code = err.code();
        tracing::info!(%code, "a command failed");
        Self {
            code,
            message: err.to_string(),
        }
    }
}

impl From<topup_core::Error> for IpcError {
    fn from(err: topup_core::Error) -> Self {
        AppError::from(err).into()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use topup_core::BaseUrlError;

    /// The JSON shape is the contract with the UI and must not drift.
    #[test]
    fn ipc_error_json_is_code_and_message_only() {
        let err = IpcError::from(topup_core::Error::from(BaseUrlError::InsecureHttp));
        let json = serde_json::to_value(&err).unwrap();
        assert_eq!(
            json,
            serde_json::json!({
                "code": "invalid_base_url",
                "message": "Plain http:// is only allowed for this computer (localhost). Use https://."
            })
        );
    }
}
