//! Logs go to stderr and to `topup.log` in the platform's log directory, so a
//! person can attach the file to a bug report and the e2e harness can keep it
//! when a test fails. `RUST_LOG` overrides the default level.
//!
//! Logging starts before Tauri does, so a start that fails (no display, no
//! WebView2) leaves its reason in the file: on Windows and from Finder nobody
//! sees stderr.

use std::fs::{self, OpenOptions};
use std::io::IsTerminal;
use std::path::PathBuf;
use std::sync::Mutex;

use tracing::Level;
use tracing_subscriber::filter::Targets;
use tracing_subscriber::{fmt, prelude::*};

pub const LOG_FILE: &str = "topup.log";

/// The log lines the start-up benchmark and the e2e suite look for
/// (`tests/markers.json`, which both read; the test below pins it).
pub const PAGE_LOADED: &str = "page loaded";
/// The page asked for `startup` (debug): with the others, where start-up time goes.
pub const STARTUP_ASKED: &str = "startup asked";
/// The page has its first screen in the DOM and asks for the window (debug).
pub const FIRST_SCREEN_READY: &str = "first screen ready";
pub const BALANCE_ON_SCREEN: &str = "balance on screen";
/// The window shown without the page's word, once its wait ran out (warn).
pub const FIRST_SCREEN_LATE: &str =
    "the page never said its first screen was ready: showing the window anyway";

/// Where Tauri's `app_log_dir` puts an app's logs (the same rule, needed
/// before there is an app to ask).
pub fn log_dir(identifier: &str) -> Option<PathBuf> {
    if cfg!(target_os = "macos") {
        dirs::home_dir().map(|home| home.join("Library/Logs").join(identifier))
    } else {
        dirs::data_local_dir().map(|dir| dir.join(identifier).join("logs"))
    }
}

/// Starts logging; returns the log file's path when there is one.
pub fn init(identifier: &str) -> Option<PathBuf> {
    let (filter, unread) = filter(std::env::var("RUST_LOG").ok().as_deref());
    let path = log_dir(identifier)
        .and_then(|dir| fs::create_dir_all(&dir).ok().map(|()| dir.join(LOG_FILE)));
    let file = path
        .as_ref()
        .and_then(|path| OpenOptions::new().create(true).append(true).open(path).ok());
    let written = if file.is_some() { path } else { None };
    let file_layer = file.map(|f| fmt::layer().with_ansi(false).with_writer(Mutex::new(f)));
    let registry = tracing_subscriber::registry()
        .with(filter)
        .with(
            fmt::layer()
                .with_ansi(std::io::stderr().is_terminal())
                .with_writer(std::io::stderr),
        )
        .with(file_layer);
    // A second init (tests starting several apps in one process) keeps the first subscriber.
    let _ = registry.try_init();
    if let Some(error) = unread {
        tracing::warn!(%error, "RUST_LOG is not a list of target=level: the default levels apply");
    }
    // A panic's message reaches the file too, not only stderr.
    let default_hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        tracing::error!(panic = %info, "Topup panicked");
        default_hook(info);
    }));
    written
}

/// The levels logged: `RUST_LOG` when it is a list of `target=level` (and a
/// bare default level), else Topup's own at debug and the rest at info, with
/// the reason `RUST_LOG` was not used.
///
/// `Targets` rather than `EnvFilter`: the span and field filters only
/// `EnvFilter` reads need a regex engine in the binary (200 KiB in
/// `cargo bloat`), for a syntax nobody filtering Topup's log needs.
fn filter(rust_log: Option<&str>) -> (Targets, Option<String>) {
    let default = || {
        Targets::new()
            .with_default(Level::INFO)
            .with_target("topup_app", Level::DEBUG)
            .with_target("topup_core", Level::DEBUG)
    };
    match rust_log.map(str::parse::<Targets>) {
        None => (default(), None),
        Some(Ok(targets)) => (targets, None),
        Some(Err(error)) => (default(), Some(error.to_string())),
    }
}

/// The wall-clock time in Unix milliseconds, for log lines that tools outside
/// the app line up with their own clocks (the benchmarks' "… at_ms=").
pub fn unix_ms() -> u128 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_millis())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The e2e harness and the benchmark find the app by what
    /// `tests/markers.json` says; it must say what the app does.
    #[test]
    fn rust_log_sets_the_levels_and_a_bad_one_leaves_the_defaults_with_its_reason() {
        use tracing::level_filters::LevelFilter;
        let (default, unread) = filter(None);
        assert!(unread.is_none());
        assert!(default.would_enable("topup_core::alerts::monitor", &Level::DEBUG));
        assert!(!default.would_enable("hyper", &Level::DEBUG));
        assert!(default.would_enable("hyper", &Level::INFO));

        let (set, unread) = filter(Some("warn,topup_core::alerts::monitor=debug"));
        assert!(unread.is_none());
        assert!(set.would_enable("topup_core::alerts::monitor", &Level::DEBUG));
        assert!(!set.would_enable("topup_core::watch", &Level::INFO));
        assert_eq!(set.default_level(), Some(LevelFilter::WARN));

        let (fallback, unread) = filter(Some("topup_core=loud"));
        assert!(unread.is_some());
        assert!(fallback.would_enable("topup_app::shown", &Level::DEBUG));
    }

    #[test]
    fn the_shared_markers_are_the_apps() {
        let markers: serde_json::Value =
            serde_json::from_str(include_str!("../tests/markers.json")).unwrap();
        let config: serde_json::Value =
            serde_json::from_str(include_str!("../tauri.conf.json")).unwrap();
        let identifier = config["identifier"].as_str().unwrap();
        // tauri-plugin-single-instance's D-Bus name on Linux.
        assert_eq!(
            markers["instance_name"],
            format!("{identifier}.SingleInstance")
        );
        assert_eq!(markers["page_loaded"], PAGE_LOADED);
        assert_eq!(markers["startup_asked"], STARTUP_ASKED);
        assert_eq!(markers["first_screen_ready"], FIRST_SCREEN_READY);
        assert_eq!(markers["balance_on_screen"], BALANCE_ON_SCREEN);
        assert_eq!(markers["first_screen_late"], FIRST_SCREEN_LATE);
    }
}
