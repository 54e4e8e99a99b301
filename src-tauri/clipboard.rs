//! "Copy link": the text goes to the system clipboard from Rust, so the UI
//! holds no clipboard permission.
//!
//! On Linux it goes through GTK's clipboard, which the webview already links;
//! the clipboard plugin would add its own X11 and Wayland clients to the
//! binary for the same one call (docs/benchmarks.md, "Size"). Elsewhere the
//! plugin is what the system offers.

use tauri::{AppHandle, Runtime};
use topup_core::Error;

#[cfg(target_os = "linux")]
pub fn write_text<R: Runtime>(app: &AppHandle<R>, text: String) -> Result<(), Error> {
    // GTK is only touched on its own thread (a command may run on another).
    app.run_on_main_thread(move || {
        gtk::Clipboard::get(&gtk::gdk::SELECTION_CLIPBOARD).set_text(&text);
    })
    .map_err(Error::no_clipboard)
}

#[cfg(not(target_os = "linux"))]
pub fn write_text<R: Runtime>(app: &AppHandle<R>, text: String) -> Result<(), Error> {
    use tauri_plugin_clipboard_manager::ClipboardExt;
    app.clipboard()
        .write_text(text)
        .map_err(Error::no_clipboard)
}
