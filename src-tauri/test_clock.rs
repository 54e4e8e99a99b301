//! Debug builds only: a clock the end-to-end suite can move, so a journey
//! about token expiry is decided by the test, not by how fast the machine is.
//! `TOPUP_TEST_CLOCK_FILE` names a file holding whole seconds to add to the
//! system time; it is read at every look at the clock, so the test moves the
//! app's time while it runs. Release builds never read the variable.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use topup_core::clock::Clock;

pub const VARIABLE: &str = "TOPUP_TEST_CLOCK_FILE";

/// The clock to give core: the movable one when the variable is set.
pub fn from_env() -> Option<Arc<dyn Clock>> {
    let path = std::env::var_os(VARIABLE)?;
    tracing::warn!(file = ?path, "test clock: the app's time follows this file");
    Some(Arc::new(FileOffsetClock(path.into())))
}

#[derive(Debug)]
struct FileOffsetClock(PathBuf);

impl FileOffsetClock {
    /// A missing or unreadable file means no offset: the test has not moved
    /// the clock yet.
    fn offset(&self) -> Duration {
        std::fs::read_to_string(&self.0)
            .ok()
            .and_then(|text| text.trim().parse().ok())
            .map_or(Duration::ZERO, Duration::from_secs)
    }
}

impl Clock for FileOffsetClock {
    fn now(&self) -> SystemTime {
        SystemTime::now() + self.offset()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_file_moves_the_clock_forward_and_nothing_else_does() {
        let dir = tempfile::TempDir::new().unwrap();
        let clock = FileOffsetClock(dir.path().join("offset"));
        assert_eq!(clock.offset(), Duration::ZERO);
        std::fs::write(dir.path().join("offset"), "90\n").unwrap();
        assert_eq!(clock.offset(), Duration::from_secs(90));
        std::fs::write(dir.path().join("offset"), "soon").unwrap();
        assert_eq!(clock.offset(), Duration::ZERO);
    }
}
