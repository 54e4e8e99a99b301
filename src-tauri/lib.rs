//! The Tauri shell of Topup: thin commands over `topup-core`, state, and events.
//!
//! Commands live in [`commands`] (a `#[tauri::command]` at the crate root clashes
//! with the macro's generated items), errors crossing IPC in [`error`], and the
//! TypeScript bindings' definition in [`bindings`].

pub mod bindings;
mod commands;
pub mod error;
mod logging;
mod state;
mod watches;

/// Starts the app and blocks until its last window closes.
pub fn run() {
    use tauri::Manager;
    let specta = bindings::builder();
    let result = tauri::Builder::default()
        .plugin(tauri_plugin_opener::init())
        .plugin(tauri_plugin_notification::init())
        .plugin(tauri_plugin_clipboard_manager::init())
        .on_window_event(|window, event| {
            // Back from the browser: check pending purchases at once.
            if let tauri::WindowEvent::Focused(true) = event {
                if let Some(state) = window.try_state::<state::AppState>() {
                    state.watches.check_all();
                }
            }
        })
        .invoke_handler(specta.invoke_handler())
        .setup(move |app| {
            logging::init(app.handle());
            specta.mount_events(app);
            let with_sandbox = std::env::args().any(|a| a == "--sandbox");
            let state = state::init(app.handle(), with_sandbox)?;
            commands::settings::apply_window_theme(app.handle(), state.preferences.get().theme);
            app.manage(state);
            tracing::info!(version = env!("CARGO_PKG_VERSION"), "Topup started");
            Ok(())
        })
        .run(tauri::generate_context!());
    if let Err(err) = result {
        // Nothing is on screen to report to, and no window means no app.
        eprintln!("Topup could not start: {err}");
        std::process::exit(1);
    }
}
