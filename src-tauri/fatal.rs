//! The last word when Topup cannot start (or stops on the main thread): a
//! native message box, since there may be no window and, on Windows or when
//! opened from Finder, nobody reads stderr. Each system's own dialog, through
//! what the app already links (GTK, user32, AppKit).

use std::any::Any;
use std::path::Path;

/// A panic's message, whatever type it was raised with.
pub fn panic_text(payload: &(dyn Any + Send)) -> String {
    payload
        .downcast_ref::<&str>()
        .map(|s| (*s).to_owned())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "an unexpected error".to_owned())
}

/// Logs why Topup ends, tells the person, and exits 1.
pub fn stop(started: bool, reason: &str, log: Option<&Path>) -> ! {
    if started {
        tracing::error!(%reason, "Topup stopped unexpectedly");
    } else {
        tracing::error!(%reason, "Topup could not start");
    }
    tell(started, reason, log);
    std::process::exit(1);
}

/// Tells the person, in a dialog when the system can show one.
fn tell(started: bool, reason: &str, log: Option<&Path>) {
    let title = if started {
        "Topup stopped unexpectedly"
    } else {
        "Topup could not start"
    };
    let mut text = reason.to_owned();
    if let Some(log) = log {
        text.push_str(&format!(
            "\n\nThe details are in {}. Please attach that file if you report this.",
            log.display()
        ));
    }
    if !show(title, &text) {
        tracing::warn!("no dialog could be shown: the reason is only in the log and on stderr");
        eprintln!("{title}: {text}");
    }
}

#[cfg(target_os = "linux")]
fn show(title: &str, text: &str) -> bool {
    use gtk::prelude::*;
    // Fails without a display: then only the log and stderr can tell.
    if gtk::init().is_err() {
        return false;
    }
    let dialog = gtk::MessageDialog::new(
        None::<&gtk::Window>,
        gtk::DialogFlags::MODAL,
        gtk::MessageType::Error,
        gtk::ButtonsType::Close,
        title,
    );
    dialog.set_title("Topup");
    dialog.set_secondary_text(Some(text));
    dialog.run();
    dialog.close();
    true
}

#[cfg(windows)]
fn show(title: &str, text: &str) -> bool {
    use windows_sys::Win32::UI::WindowsAndMessaging::{MessageBoxW, MB_ICONERROR, MB_OK};
    let wide = |s: &str| s.encode_utf16().chain(Some(0)).collect::<Vec<u16>>();
    let (title, text) = (wide(title), wide(text));
    // SAFETY: both strings are nul-terminated UTF-16 that outlive the call.
    unsafe {
        MessageBoxW(
            std::ptr::null_mut(),
            text.as_ptr(),
            title.as_ptr(),
            MB_OK | MB_ICONERROR,
        ) != 0
    }
}

#[cfg(target_os = "macos")]
fn show(title: &str, text: &str) -> bool {
    use objc2::MainThreadMarker;
    use objc2_app_kit::NSAlert;
    use objc2_foundation::NSString;
    let Some(mtm) = MainThreadMarker::new() else {
        return false;
    };
    let alert = NSAlert::new(mtm);
    alert.setMessageText(&NSString::from_str(title));
    alert.setInformativeText(&NSString::from_str(text));
    alert.runModal();
    true
}

#[cfg(not(any(target_os = "linux", windows, target_os = "macos")))]
fn show(_title: &str, _text: &str) -> bool {
    false
}
