//! End-to-end tests: the real `topup` binary in a real WebKitGTK window, driven
//! through tauri-driver. They need a display, a D-Bus session and an unlocked
//! keyring, which `tests/e2e/run.sh` (`make e2e`) provides; a plain `cargo test`
//! skips them. Linux only: WebKitGTK is the one webview tauri-driver can drive
//! here, and the harness uses Unix file permissions.
#![cfg(target_os = "linux")]

mod accounts;
mod buying;
mod desk;
mod harness;
mod history;
mod network;
mod secret_scan;
mod smoke;
mod surface;
mod tour;
mod two_accounts;
mod two_factor;
mod updates;
mod window;
