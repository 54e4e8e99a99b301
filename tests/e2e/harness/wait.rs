//! What every part of the harness shares: the error type, the deadlines,
//! and waiting on a condition.

use std::error::Error as StdError;
use std::time::Duration;

use tokio::time::{sleep, Instant};

pub type Error = Box<dyn StdError + Send + Sync>;
pub type Result<T = ()> = std::result::Result<T, Error>;

/// How long a condition may take before the test fails.
pub const DEADLINE: Duration = Duration::from_secs(20);
pub(super) const POLL: Duration = Duration::from_millis(100);
/// Headless Chromium starts, loads and submits in a few seconds; a loaded CI machine gets slack.
pub(super) const BROWSER_DEADLINE: Duration = Duration::from_secs(60);

/// Waits until `check` answers true, asking every 100 ms; fails with `what`
/// once the deadline passes.
pub async fn wait_until(what: &str, mut check: impl AsyncFnMut() -> Result<bool>) -> Result {
    let started = Instant::now();
    while !check().await? {
        if started.elapsed() >= DEADLINE {
            return Err(format!("{what} (waited {DEADLINE:?})").into());
        }
        sleep(POLL).await;
    }
    Ok(())
}
