//! The Tauri shell of Topup: thin commands over `topup-core`, state, and events.
//!
//! Commands live in [`commands`] (a `#[tauri::command]` at the crate root clashes
//! with the macro's generated items), errors crossing IPC in [`error`], and the
//! TypeScript bindings' definition in [`bindings`].

pub mod bindings;
mod browser;
mod clipboard;
mod commands;
mod desk;
pub mod error;
mod fatal;
#[cfg(target_os = "linux")]
mod fonts;
mod logging;
mod state;
#[cfg(debug_assertions)]
mod test_clock;
mod updates;
mod watch_sink;
#[cfg(target_os = "linux")]
mod webkit;
mod window;

/// The argument a start at login passes: open in the tray only.
const BACKGROUND: &str = "--background";

/// Starts the app and blocks until its last window closes. A start that
/// fails is logged and told in a native dialog, then the process exits 1.
pub fn run() {
    // First of all: it changes the environment, which is only safe while
    // this is the one thread.
    #[cfg(target_os = "linux")]
    let webkit = webkit::prepare_environment();
    let context = tauri::generate_context!();
    let log = logging::init(&context.config().identifier);
    #[cfg(target_os = "linux")]
    webkit.log();
    // What Topup set for its own WebKit is not passed on to the browser.
    #[cfg(target_os = "linux")]
    let own_variables = webkit.set;
    #[cfg(not(target_os = "linux"))]
    let own_variables = Vec::new();
    let browser = browser::SystemBrowser::new(own_variables);
    let started = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        build_and_run(
            context,
            std::sync::Arc::clone(&started),
            browser,
            log.clone(),
        )
    }));
    let reason = match outcome {
        Ok(Ok(())) => return,
        Ok(Err(e)) => e.to_string(),
        Err(panic) => fatal::panic_text(panic.as_ref()),
    };
    fatal::stop(
        started.load(std::sync::atomic::Ordering::SeqCst),
        &reason,
        log.as_deref(),
    );
}

fn build_and_run(
    context: tauri::Context<tauri::Wry>,
    started: std::sync::Arc<std::sync::atomic::AtomicBool>,
    browser: browser::SystemBrowser,
    log: Option<std::path::PathBuf>,
) -> tauri::Result<()> {
    use tauri::Manager;
    let specta = bindings::builder();
    let mut builder = tauri::Builder::default();
    // First, so a second launch hands over before anything else starts.
    if let Some(single_instance) = window::single_instance() {
        builder = builder.plugin(single_instance);
    }
    builder
        .plugin(
            tauri_plugin_window_state::Builder::new()
                .with_state_flags(window::state_flags())
                .build(),
        )
        .plugin(tauri_plugin_opener::init())
        .plugin(tauri_plugin_notification::init())
        .plugin(tauri_plugin_updater::Builder::new().build())
        .plugin(tauri_plugin_autostart::init(
            tauri_plugin_autostart::MacosLauncher::LaunchAgent,
            Some(vec![BACKGROUND]),
        ))
        .on_window_event(|window, event| match event {
            tauri::WindowEvent::CloseRequested { api, .. } => {
                desk::on_close_requested(window, api);
            }
            // Back from the browser: check pending purchases at once.
            tauri::WindowEvent::Focused(true) => {
                if let Some(state) = window.try_state::<state::AppState>() {
                    state.watches.check_all();
                }
            }
            tauri::WindowEvent::Resized(_) | tauri::WindowEvent::Moved(_) => {
                if let Some(saver) = window.try_state::<window::StateSaver>() {
                    saver.changed(window.app_handle());
                }
            }
            _ => {}
        })
        .on_page_load(|_, payload| {
            if payload.event() == tauri::webview::PageLoadEvent::Finished {
                // With "balance on screen", what the start-up benchmark splits
                // its figure by (the baseline logs the same moment).
                tracing::info!(target: "topup_app::shown", at_ms = logging::unix_ms(), "{}", logging::PAGE_LOADED);
            }
        })
        .invoke_handler(specta.invoke_handler())
        .setup(move |app| {
            // Before the page's first style: the window exists, its page has not loaded.
            #[cfg(target_os = "linux")]
            if let Some(main) = app.get_webview_window(window::MAIN) {
                fonts::follow_desktop(&main);
            }
            specta.mount_events(app);
            app.manage(browser);
            app.manage(window::StateSaver::default());
            desk::tray::create(app.handle())?;
            // Started at login: in the tray, without a window. Otherwise the
            // window shows once the page has its first screen.
            let background = std::env::args().any(|a| a == BACKGROUND);
            if background {
                tracing::info!("started in the background: the window stays hidden");
            }
            app.manage(window::FirstShow::new(app.handle(), !background));
            let with_sandbox = std::env::args().any(|a| a == "--sandbox");
            let desk = std::sync::Arc::new(desk::Desk {
                app: app.handle().clone(),
            });
            let opening = state::Opening::start(
                app.handle(),
                with_sandbox,
                desk,
                move |app, state| {
                    opened(app, state);
                    started.store(true, std::sync::atomic::Ordering::SeqCst);
                },
                move |app, reason| could_not_open(app, reason, log),
            );
            app.manage(opening);
            Ok(())
        })
        .run(context)
}

/// The rest of the start, once the state is built: what follows from it.
fn opened<R: tauri::Runtime>(app: &tauri::AppHandle<R>, state: state::AppState) {
    use tauri::Manager;
    commands::settings::apply_window_theme(app, state.preferences.get().theme);
    app.manage(updates::Updates::new(
        app.package_info().version.to_string(),
        std::sync::Arc::clone(&state.watches),
        std::sync::Arc::clone(&state.preferences),
    ));
    // Apart too, for the parts of the shell the state is built from.
    app.manage(std::sync::Arc::clone(&state.monitor));
    desk::network::follow(std::sync::Arc::clone(&state.monitor));
    app.manage(state);
    if let Err(e) = desk::notify::init(app) {
        tracing::warn!(error = %e, "notification actions unavailable");
    }
    // The version the package says (what an update changes), not the crate's.
    tracing::info!(version = %app.package_info().version, "Topup started");
    updates::start(app);
}

/// A state that cannot be built ends the start as a failed `setup` did: the
/// reason in a dialog (GTK's, so on the main thread), then exit 1.
fn could_not_open<R: tauri::Runtime>(
    app: &tauri::AppHandle<R>,
    reason: String,
    log: Option<std::path::PathBuf>,
) {
    let told = reason.clone();
    if app
        .run_on_main_thread(move || fatal::stop(false, &told, log.as_deref()))
        .is_err()
    {
        tracing::error!(%reason, "Topup could not start");
        std::process::exit(1);
    }
}
