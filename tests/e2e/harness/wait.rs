//! What every part of the harness shares: the error type, the deadlines,
//! and waiting on a condition.

use std::error::Error as StdError;
use std::time::Duration;

pub type Error = Box<dyn StdError + Send + Sync>;
pub type Result<T = ()> = std::result::Result<T, Error>;

/// How long a condition may take before the test fails.
pub const DEADLINE: Duration = Duration::from_secs(20);
/// Headless Chromium starts, loads and submits in a few seconds; a loaded CI machine gets slack.
pub(super) const BROWSER_DEADLINE: Duration = Duration::from_secs(60);

/// Asks `check` until it answers `Some`, for at most `deadline` (the loop is
/// `topup_test_support::poll`, every test crate's); `None` once the deadline
/// passes. An error ends the wait at once.
pub(super) async fn until<T>(
    deadline: Duration,
    mut check: impl AsyncFnMut() -> Result<Option<T>>,
) -> Result<Option<T>> {
    let answer = topup_test_support::poll(deadline, async || match check().await {
        Ok(None) => None,
        Ok(Some(found)) => Some(Ok(found)),
        Err(err) => Some(Err(err)),
    })
    .await;
    match answer {
        Ok(found) => found.map(Some),
        Err(_) => Ok(None),
    }
}

/// Waits until `check` answers true; fails with `what` once the deadline passes.
pub async fn wait_until(what: &str, mut check: impl AsyncFnMut() -> Result<bool>) -> Result {
    match until(DEADLINE, async || Ok(check().await?.then_some(()))).await? {
        Some(()) => Ok(()),
        None => Err(format!("{what} (waited {DEADLINE:?})").into()),
    }
}
