//! Logs go to stderr and to `topup.log` in the platform's log directory, so a
//! person can attach the file to a bug report and the e2e harness can keep it
//! when a test fails. `RUST_LOG` overrides the default level.

use std::fs::{self, OpenOptions};
use std::io::IsTerminal;
use std::sync::Mutex;

use tauri::{AppHandle, Manager, Runtime};
use tracing_subscriber::{fmt, prelude::*, EnvFilter};

pub const LOG_FILE: &str = "topup.log";

pub fn init<R: Runtime>(app: &AppHandle<R>) {
    let filter = EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| EnvFilter::new("info,topup_app=debug,topup_core=debug"));
    let file = app
        .path()
        .app_log_dir()
        .ok()
        .and_then(|dir| fs::create_dir_all(&dir).ok().map(|()| dir.join(LOG_FILE)))
        .and_then(|path| OpenOptions::new().create(true).append(true).open(path).ok());
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
}

/// The wall-clock time in Unix milliseconds, for log lines that tools outside
/// the app line up with their own clocks (the benchmarks' "… at_ms=").
pub fn unix_ms() -> u128 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_millis())
}
