//! The request log: every request the Sandbox answered, for tests and
//! benchmarks that count what a client sent.

use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Instant;

use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::Response;
use serde::Serialize;

use crate::clock::Clock;

/// Marks a response as produced by fault injection.
#[derive(Debug, Clone)]
pub struct Faulted(pub String);

#[derive(Debug, Clone, Serialize)]
pub struct Entry {
    pub seq: u64,
    pub method: String,
    pub path: String,
    pub query: Option<String>,
    pub user_agent: Option<String>,
    pub status: u16,
    /// The answer's body size, where it was known before sending (every
    /// answer the services give is).
    pub bytes: Option<u64>,
    /// Unix milliseconds on the Sandbox clock when the request arrived.
    pub at_ms: i64,
    pub duration_ms: u64,
    /// The injected fault, when one answered instead of the service.
    pub fault: Option<String>,
}

#[derive(Default)]
pub struct RequestLog {
    entries: Vec<Entry>,
    next: u64,
}

impl RequestLog {
    pub fn entries(&self) -> &[Entry] {
        &self.entries
    }

    pub fn clear(&mut self) {
        self.entries.clear();
    }

    fn push(&mut self, mut entry: Entry) {
        entry.seq = self.next;
        self.next += 1;
        // Bounded, so a long demo session cannot grow without end.
        if self.entries.len() >= 100_000 {
            self.entries.drain(..10_000);
        }
        self.entries.push(entry);
    }
}

/// The log the middleware writes and the `/__sandbox/requests` hook reads,
/// stamped on the Sandbox clock.
#[derive(Clone)]
pub struct Log {
    clock: Clock,
    entries: Arc<Mutex<RequestLog>>,
}

impl Log {
    pub fn new(clock: Clock) -> Self {
        Self {
            clock,
            entries: Arc::default(),
        }
    }

    /// Survives a panicked holder: the entries are plain values.
    pub fn lock(&self) -> MutexGuard<'_, RequestLog> {
        self.entries.lock().unwrap_or_else(|e| e.into_inner())
    }
}

pub async fn record(State(log): State<Log>, req: Request, next: Next) -> Response {
    let method = req.method().to_string();
    let path = req.uri().path().to_owned();
    let query = req.uri().query().map(str::to_owned);
    let user_agent = req
        .headers()
        .get(axum::http::header::USER_AGENT)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let at_ms = log.clock.unix_ms();
    let started = Instant::now();
    let response = next.run(req).await;
    if !path.starts_with("/__sandbox") {
        let entry = Entry {
            seq: 0,
            method,
            path,
            query,
            user_agent,
            status: response.status().as_u16(),
            bytes: axum::body::HttpBody::size_hint(response.body()).exact(),
            at_ms,
            duration_ms: u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX),
            fault: response.extensions().get::<Faulted>().map(|f| f.0.clone()),
        };
        log.lock().push(entry);
    }
    response
}
