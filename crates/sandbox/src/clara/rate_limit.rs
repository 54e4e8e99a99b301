//! The boilerplate's rate limit (`clara-api.md` §6): Flask-Limiter counting
//! requests per raw `Authorization` value (per client address without one;
//! the Sandbox listens on loopback only, so that is one count) in fixed
//! one-second windows, and answering 429 with the error envelope. Only in
//! boilerplate mode; `Config::clara_rate_limit` is its `RATE_LIMIT`.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use axum::extract::{Request, State};
use axum::http::{header, StatusCode};
use axum::middleware::Next;
use axum::response::Response;

use super::reply::failure;
use crate::clock::Clock;

const MSG_RATE_LIMITED: &str = "You have exceeded the rate limit.";

#[derive(Debug, Clone)]
pub struct Limiter {
    per_second: u32,
    clock: Clock,
    /// Per caller: the window's second on the Sandbox clock and its count.
    windows: Arc<Mutex<HashMap<String, (i64, u32)>>>,
}

impl Limiter {
    /// `per_second` 0 lets everything through.
    pub fn new(per_second: u32, clock: Clock) -> Self {
        Self {
            per_second,
            clock,
            windows: Arc::default(),
        }
    }

    fn admit(&self, caller: String) -> bool {
        self.admit_at(caller, self.clock.unix())
    }

    fn admit_at(&self, caller: String, second: i64) -> bool {
        if self.per_second == 0 {
            return true;
        }
        let mut windows = self
            .windows
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        // Old windows go, so a long run holds one entry per recent caller.
        windows.retain(|_, (at, _)| *at == second);
        let (_, count) = windows.entry(caller).or_insert((second, 0));
        *count += 1;
        *count <= self.per_second
    }
}

pub async fn limit(State(limiter): State<Limiter>, request: Request, next: Next) -> Response {
    let caller = request
        .headers()
        .get(header::AUTHORIZATION)
        .map_or_else(String::new, |v| {
            String::from_utf8_lossy(v.as_bytes()).into_owned()
        });
    if limiter.admit(caller) {
        next.run(request).await
    } else {
        failure(StatusCode::TOO_MANY_REQUESTS, MSG_RATE_LIMITED)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ten_a_second_per_caller_in_fixed_windows() {
        let limiter = Limiter::new(10, Clock::default());
        let admitted = |caller: &str, second| {
            (0..12)
                .filter(|_| limiter.admit_at(caller.to_owned(), second))
                .count()
        };
        assert_eq!(admitted("Bearer a", 100), 10);
        assert_eq!(admitted("Bearer b", 100), 10, "counted per Authorization");
        assert_eq!(admitted("Bearer a", 101), 10, "a new second, a new window");
        assert_eq!(admitted("", 101), 10);
        assert!(Limiter::new(0, Clock::default()).admit_at(String::new(), 1));
    }
}
