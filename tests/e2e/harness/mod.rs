//! The reusable e2e harness.
//!
//! [`run`] launches the app with a throw-away profile (every XDG directory points
//! into a temporary folder, so a test never touches a real user's files), starts
//! a private tauri-driver for it, hands the test an [`App`], and when the test
//! fails keeps a screenshot, the app log and the driver log under
//! `tests/e2e/artifacts/<test>/` and prints the log's tail.
//!
//! Its parts: `wait.rs` (the error type, deadlines, waiting on a condition),
//! `page.rs` (the page object), `profile.rs` (the profile, its stand-in system
//! browser, launching), `driver.rs` (tauri-driver and WebDriver),
//! `artifacts.rs`, `hooks.rs` (the Sandbox's test hooks), `desktop.rs`
//! (the keychain, the session bus, the app's processes and threads),
//! `desk_bus.rs` (a tray host and a
//! notification server on the session bus, NetworkManager on the session's
//! own system bus) and `steps.rs` (steps many journeys
//! share: choosing a service, the demo sign-ins).

mod artifacts;
mod desk_bus;
mod desktop;
mod driver;
mod hooks;
mod page;
mod profile;
mod steps;
mod wait;

pub use artifacts::files_under;
pub use desk_bus::{NetworkManager, Notifications, TrayHost, NM_CONNECTED_GLOBAL, NM_DISCONNECTED};
pub use desktop::{
    app_is_running, app_memory_kib, app_thread_names, clipboard_text,
    close_like_the_window_manager, keychain_entry, marker, stop_app_on_this_bus, topup_window,
    StoppedKeychain,
};
pub use driver::app_binary;
pub use hooks::{poll_json, post_json, put_json, status_of};
pub use page::App;
pub use profile::{run, Profile, PROFILES_ENV};
pub use steps::{Kind, Service};
pub use wait::{wait_until, Result, DEADLINE};
