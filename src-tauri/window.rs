//! The main window across launches: one instance only (a second launch brings
//! the running window forward), and its size and position remembered.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use tauri::plugin::TauriPlugin;
use tauri::{AppHandle, Manager, Runtime, WebviewWindow};
use tauri_plugin_window_state::{AppHandleExt, StateFlags};

/// The window everything happens in (`tauri.conf.json`).
pub const MAIN: &str = "main";

/// Size, position and maximised; never visibility (the app decides that).
pub fn state_flags() -> StateFlags {
    StateFlags::SIZE | StateFlags::POSITION | StateFlags::MAXIMIZED
}

/// `None` where a second launch cannot reach the first: on Linux the plugin
/// talks over the D-Bus session bus, and panics when there is none to name.
pub fn single_instance<R: Runtime>() -> Option<TauriPlugin<R>> {
    if cfg!(target_os = "linux") && !session_bus_known() {
        tracing::warn!("no D-Bus session bus: a second launch will open a second window");
        return None;
    }
    Some(tauri_plugin_single_instance::init(|app, _argv, _cwd| {
        tracing::info!("Topup was launched again: bringing its window forward");
        if let Some(window) = app.get_webview_window(MAIN) {
            bring_forward(&window);
        }
    }))
}

fn session_bus_known() -> bool {
    std::env::var_os("DBUS_SESSION_BUS_ADDRESS").is_some()
        || std::env::var_os("XDG_RUNTIME_DIR")
            .is_some_and(|dir| std::path::Path::new(&dir).join("bus").exists())
}

pub fn bring_forward<R: Runtime>(window: &WebviewWindow<R>) {
    // Each step can fail on a platform or window manager that refuses it; the
    // others are still worth doing.
    if let Err(e) = window.unminimize() {
        tracing::debug!(error = %e, "unminimize");
    }
    if let Err(e) = window.show() {
        tracing::debug!(error = %e, "show");
    }
    if let Err(e) = window.set_focus() {
        tracing::warn!(error = %e, "could not focus the window");
    }
}

/// Saves the window's size and position shortly after it stops moving.
/// The plugin itself saves only on a clean exit; a session that ends with a
/// signal, or a crash, would otherwise forget every change.
///
/// The save runs on the main thread. The plugin holds its cache lock while it
/// reads each window's geometry, which off the main thread means waiting for
/// the main thread; a move or resize event there takes the same lock first,
/// and the two would wait for each other forever. On the main thread the
/// geometry is read directly and events wait their turn.
#[derive(Default)]
pub struct StateSaver {
    generation: Arc<AtomicU64>,
}

const SETTLE: Duration = Duration::from_millis(500);

impl StateSaver {
    pub fn changed<R: Runtime>(&self, app: &AppHandle<R>) {
        let mine = self.generation.fetch_add(1, Ordering::SeqCst) + 1;
        let generation = Arc::clone(&self.generation);
        let app = app.clone();
        tauri::async_runtime::spawn(async move {
            tokio::time::sleep(SETTLE).await;
            if generation.load(Ordering::SeqCst) != mine {
                return;
            }
            let on_main = app.clone();
            let queued = app.run_on_main_thread(move || {
                if let Err(e) = on_main.save_window_state(state_flags()) {
                    tracing::warn!(error = %e, "could not save the window's size and position");
                }
            });
            if let Err(e) = queued {
                tracing::warn!(error = %e, "could not save the window's size and position");
            }
        });
    }
}

/// The window is shown once the page has its first screen in the DOM (the
/// `first_screen_ready` command), so its first frame is that screen rather
/// than an empty window that fills in. A page that never says so (a broken
/// build, a script error) still gets its window after this long.
const FIRST_SCREEN_AT_THE_LATEST: Duration = Duration::from_secs(4);

/// Whether the first screen's show is still to come: not when started in the
/// background (the tray shows the window when asked), and only once.
pub struct FirstShow {
    pending: std::sync::atomic::AtomicBool,
}

impl FirstShow {
    /// `visible`: the window is to be shown at all at start.
    pub fn new<R: Runtime>(app: &AppHandle<R>, visible: bool) -> Self {
        if visible {
            let app = app.clone();
            tauri::async_runtime::spawn(async move {
                tokio::time::sleep(FIRST_SCREEN_AT_THE_LATEST).await;
                let on_main = app.clone();
                let queued = app.run_on_main_thread(move || {
                    if let Some(first) = on_main.try_state::<FirstShow>() {
                        if first.take() {
                            tracing::warn!("{}", crate::logging::FIRST_SCREEN_LATE);
                            show(&on_main);
                        }
                    }
                });
                if let Err(e) = queued {
                    tracing::warn!(error = %e, "could not show the window");
                }
            });
        }
        Self {
            pending: std::sync::atomic::AtomicBool::new(visible),
        }
    }

    /// True the one time the window is to be shown now.
    fn take(&self) -> bool {
        self.pending.swap(false, Ordering::SeqCst)
    }

    /// The page has its first screen in the DOM.
    pub fn ready<R: Runtime>(&self, app: &AppHandle<R>) {
        if self.take() {
            show(app);
        }
    }
}

fn show<R: Runtime>(app: &AppHandle<R>) {
    if let Some(window) = app.get_webview_window(MAIN) {
        if let Err(e) = window.show() {
            tracing::warn!(error = %e, "could not show the window");
        }
    }
}
