//! The Sandbox's notion of now: the wall clock plus an offset that tests can
//! move forward (`POST /__sandbox/clock/advance`) to expire sessions, OTPs and
//! tokens without waiting.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// One clock for every service: each service's world holds a handle to the
/// same offset, so moving it moves them all.
#[derive(Debug, Default, Clone)]
pub struct Clock {
    offset_micros: Arc<AtomicU64>,
}

impl Clock {
    pub fn now(&self) -> SystemTime {
        SystemTime::now() + Duration::from_micros(self.offset_micros.load(Ordering::Relaxed))
    }

    pub fn unix(&self) -> i64 {
        unix_secs(self.now())
    }

    pub fn unix_ms(&self) -> i64 {
        self.now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
    }

    pub fn advance(&self, by: Duration) {
        let micros = u64::try_from(by.as_micros()).unwrap_or(u64::MAX);
        self.offset_micros.fetch_add(micros, Ordering::Relaxed);
    }

    /// Back to the machine's time (the `/__sandbox/reset` hook).
    pub fn reset(&self) {
        self.offset_micros.store(0, Ordering::Relaxed);
    }
}

pub fn unix_secs(t: SystemTime) -> i64 {
    t.duration_since(UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
}

pub fn from_unix(secs: i64) -> SystemTime {
    UNIX_EPOCH + Duration::from_secs(u64::try_from(secs).unwrap_or(0))
}

/// `Wed, 26 Nov 2025 23:51:28 GMT`, as Clara writes `created_at`.
pub fn http_date(t: SystemTime) -> String {
    httpdate::fmt_http_date(t)
}

/// `2023-11-07T05:31:56Z`, as Dispersed writes timestamps.
pub fn iso8601(t: SystemTime) -> String {
    let secs = unix_secs(t);
    time::OffsetDateTime::from_unix_timestamp(secs)
        .ok()
        .and_then(|dt| {
            dt.format(&time::format_description::well_known::Rfc3339)
                .ok()
        })
        .unwrap_or_else(|| "1970-01-01T00:00:00Z".to_owned())
}

/// Parses an ISO-8601 date or date-time (for Dispersed's `filter[created_at]`).
pub fn parse_iso(s: &str) -> Option<SystemTime> {
    use time::format_description::well_known::Rfc3339;
    if let Ok(dt) = time::OffsetDateTime::parse(s, &Rfc3339) {
        return Some(from_unix(dt.unix_timestamp()));
    }
    let format = time::macros::format_description!("[year]-[month]-[day]");
    time::Date::parse(s, &format)
        .ok()
        .map(|d| from_unix(d.midnight().assume_utc().unix_timestamp()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_match_the_references() {
        let t = from_unix(1_764_201_088);
        assert_eq!(http_date(t), "Wed, 26 Nov 2025 23:51:28 GMT");
        assert_eq!(iso8601(from_unix(1_699_335_116)), "2023-11-07T05:31:56Z");
        assert_eq!(
            parse_iso("2023-11-07T05:31:56Z"),
            Some(from_unix(1_699_335_116))
        );
        assert_eq!(parse_iso("2025-01-01"), Some(from_unix(1_735_689_600)));
    }
}
