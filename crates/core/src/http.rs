//! The one HTTP client: rustls verifying against the operating system's trust
//! store, proxies from the environment (and the system settings on Windows and
//! macOS), timeouts, `User-Agent: Topup/<version>`, a cap on response size,
//! and retries for idempotent requests.
//!
//! Retries use full-jitter exponential backoff and honour `Retry-After`, within
//! a time budget. A request that creates something (a purchase) is retried
//! only where the service provably did not act on it: a 429 (refused before
//! handling) and a connection that failed before the request was written. A
//! retry after a lost answer could buy twice.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime};

use bytes::{Bytes, BytesMut};
use rand::Rng;
use reqwest::header::{HeaderMap, DATE, RETRY_AFTER};
use reqwest::StatusCode;

use crate::error::{Error, ErrorCode, Result};

/// How hard to try an idempotent request.
#[derive(Debug, Clone, Copy)]
pub struct RetryPolicy {
    pub max_attempts: u32,
    pub base_delay: Duration,
    pub max_delay: Duration,
    /// No retry starts after this much time has passed since the first attempt.
    pub budget: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self {
            max_attempts: 5,
            base_delay: Duration::from_millis(200),
            max_delay: Duration::from_secs(4),
            budget: Duration::from_secs(20),
        }
    }
}

#[derive(Debug, Clone)]
pub struct HttpConfig {
    pub connect_timeout: Duration,
    pub request_timeout: Duration,
    /// Larger answers are refused as malformed.
    pub max_body_bytes: usize,
    /// The same for the answers of list endpoints ([`Http::send_list`]): a
    /// server that ignores paging sends years of history in one answer.
    pub max_list_body_bytes: usize,
    /// How long one list answer may take to arrive, in place of
    /// `request_timeout`.
    pub list_timeout: Duration,
    pub retry: RetryPolicy,
    pub user_agent: String,
}

impl Default for HttpConfig {
    fn default() -> Self {
        Self {
            connect_timeout: Duration::from_secs(10),
            request_timeout: Duration::from_secs(30),
            max_body_bytes: 1024 * 1024,
            // 100,000 boilerplate transactions are about 33 MB.
            max_list_body_bytes: 128 * 1024 * 1024,
            list_timeout: Duration::from_secs(120),
            retry: RetryPolicy::default(),
            user_agent: format!("Topup/{}", env!("CARGO_PKG_VERSION")),
        }
    }
}

/// Whether a request may be sent again after a failure.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Idempotency {
    /// Reads (GET, including Dispersed's reconcile): retried.
    Idempotent,
    /// Creates something: sent again only after a failure that proves the
    /// service did not act on it (see [`Idempotency::may_retry`]).
    Once,
}

impl Idempotency {
    /// Whether a request of this kind may be sent again after `code`.
    pub fn may_retry(self, code: ErrorCode) -> bool {
        match self {
            Self::Idempotent => code.is_transient(),
            // A 429 is refused before handling; `NetworkUnreachable` is only
            // ever a connection that failed before the request was written.
            Self::Once => matches!(code, ErrorCode::RateLimited | ErrorCode::NetworkUnreachable),
        }
    }
}

/// A complete answer, body read within the size cap.
#[derive(Debug, Clone)]
pub struct Response {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Bytes,
}

impl Response {
    /// `Retry-After` in seconds or as an HTTP date.
    pub fn retry_after(&self) -> Option<Duration> {
        let value = self.headers.get(RETRY_AFTER)?.to_str().ok()?.trim();
        if let Ok(secs) = value.parse::<u64>() {
            return Some(Duration::from_secs(secs.min(3600)));
        }
        let at = httpdate::parse_http_date(value).ok()?;
        Some(
            at.duration_since(std::time::SystemTime::now())
                .unwrap_or_default(),
        )
    }
}

#[derive(Debug, Clone)]
pub struct Http {
    client: reqwest::Client,
    config: Arc<HttpConfig>,
    server_clocks: Arc<ServerClocks>,
}

/// How far each server's clock is from this machine's, as its latest answer's
/// `Date` said, in milliseconds (positive: the server is ahead). A server
/// judges its tokens' expiry by its own clock, and the boilerplate answers a
/// token it finds expired with a bare 500, so the client has to know.
#[derive(Debug, Default)]
struct ServerClocks(Mutex<HashMap<String, i64>>);

impl ServerClocks {
    fn observe(&self, origin: String, headers: &HeaderMap) {
        let Some(date) = headers
            .get(DATE)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| httpdate::parse_http_date(v).ok())
        else {
            return;
        };
        let offset = signed_millis(date, SystemTime::now());
        self.0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .insert(origin, offset);
    }

    fn offset(&self, origin: &str) -> Option<i64> {
        self.0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .get(origin)
            .copied()
    }
}

/// `a - b` in milliseconds, either sign.
fn signed_millis(a: SystemTime, b: SystemTime) -> i64 {
    match a.duration_since(b) {
        Ok(ahead) => i64::try_from(ahead.as_millis()).unwrap_or(i64::MAX),
        Err(behind) => -i64::try_from(behind.duration().as_millis()).unwrap_or(i64::MAX),
    }
}

impl Http {
    pub fn new(config: HttpConfig) -> Result<Self> {
        install_crypto_provider();
        let client = reqwest::Client::builder()
            .tls_backend_rustls()
            .https_only(false) // base URLs are checked (https, or http on loopback) before use
            .connect_timeout(config.connect_timeout)
            .timeout(config.request_timeout)
            .user_agent(config.user_agent.clone())
            // Redirects could lead a signed or authenticated request elsewhere.
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(|e| {
                // With these settings only TLS's set-up can fail: loading the
                // certificates this computer trusts.
                let detail = causes(&e)
                    .last()
                    .map_or_else(|| e.to_string(), ToString::to_string);
                Error::CertificatesUnavailable { detail }
            })?;
        Ok(Self {
            client,
            config: Arc::new(config),
            server_clocks: Arc::default(),
        })
    }

    /// `local_now` on the clock of the server at `url`'s origin, as far as its
    /// answers' `Date` headers tell (to the second); `local_now` itself before
    /// it has answered.
    pub fn server_time(&self, url: &url::Url, local_now: SystemTime) -> SystemTime {
        let offset = self.server_offset_ms(url);
        let magnitude = Duration::from_millis(offset.unsigned_abs());
        if offset >= 0 {
            local_now + magnitude
        } else {
            local_now.checked_sub(magnitude).unwrap_or(local_now)
        }
    }

    /// How far ahead of this machine the server at `url`'s origin keeps its
    /// clock, in milliseconds, as its latest answer's `Date` said (negative:
    /// behind); 0 before it has answered.
    pub fn server_offset_ms(&self, url: &url::Url) -> i64 {
        self.server_clocks
            .offset(&url.origin().ascii_serialization())
            .unwrap_or(0)
    }

    pub fn client(&self) -> &reqwest::Client {
        &self.client
    }

    pub fn config(&self) -> &HttpConfig {
        &self.config
    }

    /// Sends the request that `build` makes (anew for every attempt, so signed
    /// requests get a fresh nonce and time) and lets `interpret` turn the
    /// answer into a value or an error. Transient errors (see
    /// [`crate::ErrorCode::is_transient`]) are retried for idempotent requests.
    pub async fn send<T>(
        &self,
        idempotency: Idempotency,
        build: impl Fn(&reqwest::Client) -> Result<reqwest::RequestBuilder>,
        interpret: impl Fn(Response) -> Result<T>,
    ) -> Result<T> {
        self.send_capped(idempotency, self.config.max_body_bytes, build, interpret)
            .await
    }

    /// [`Http::send`] for a list endpoint's read: the answer may be as large as
    /// `max_list_body_bytes` and take `list_timeout` to arrive.
    pub async fn send_list<T>(
        &self,
        build: impl Fn(&reqwest::Client) -> Result<reqwest::RequestBuilder>,
        interpret: impl Fn(Response) -> Result<T>,
    ) -> Result<T> {
        let timeout = self.config.list_timeout;
        self.send_capped(
            Idempotency::Idempotent,
            self.config.max_list_body_bytes,
            |c| build(c).map(|r| r.timeout(timeout)),
            interpret,
        )
        .await
    }

    async fn send_capped<T>(
        &self,
        idempotency: Idempotency,
        cap: usize,
        build: impl Fn(&reqwest::Client) -> Result<reqwest::RequestBuilder>,
        interpret: impl Fn(Response) -> Result<T>,
    ) -> Result<T> {
        let policy = self.config.retry;
        let started = Instant::now();
        let mut attempt = 1;
        loop {
            let outcome = match self.once(&build, cap).await {
                Ok(response) => interpret(response),
                Err(e) => Err(e),
            };
            let err = match outcome {
                Ok(value) => return Ok(value),
                Err(err) => err,
            };
            if !idempotency.may_retry(err.code()) || attempt >= policy.max_attempts {
                return Err(err);
            }
            let cap = policy
                .max_delay
                .min(policy.base_delay.saturating_mul(1 << (attempt - 1).min(16)));
            let jitter =
                Duration::from_millis(rand::rng().random_range(0..=cap.as_millis() as u64));
            let delay = match &err {
                Error::RateLimited {
                    retry_after: Some(wait),
                } => (*wait).max(jitter),
                // The boilerplate's 429 says nothing of when to come back, and
                // its windows are a second long (10 requests a second): a retry
                // sooner would only be refused again.
                Error::RateLimited { retry_after: None } => jitter.max(Duration::from_secs(1)),
                _ => jitter,
            };
            if started.elapsed() + delay > policy.budget {
                return Err(err);
            }
            tracing::debug!(attempt, ?delay, code = %err.code(), "retrying");
            tokio::time::sleep(delay).await;
            attempt += 1;
        }
    }

    async fn once(
        &self,
        build: &impl Fn(&reqwest::Client) -> Result<reqwest::RequestBuilder>,
        cap: usize,
    ) -> Result<Response> {
        let request = build(&self.client)?;
        let mut response = request.send().await.map_err(transport)?;
        let status = response.status();
        if status.is_redirection() {
            // Not followed (see `new`), and nothing to read in it: said plainly
            // rather than as a refusal of the request.
            return Err(Error::malformed(format!(
                "a redirect (HTTP {}), which Topup does not follow",
                status.as_u16()
            )));
        }
        let headers = response.headers().clone();
        self.server_clocks
            .observe(response.url().origin().ascii_serialization(), &headers);
        if response
            .content_length()
            .is_some_and(|len| len > cap as u64)
        {
            return Err(Error::malformed(format!(
                "the answer is larger than {} KiB",
                cap / 1024
            )));
        }
        let mut body = BytesMut::new();
        while let Some(chunk) = response.chunk().await.map_err(broken_body)? {
            if body.len() + chunk.len() > cap {
                return Err(Error::malformed(format!(
                    "the answer is larger than {} KiB",
                    cap / 1024
                )));
            }
            body.extend_from_slice(&chunk);
        }
        Ok(Response {
            status,
            headers,
            body: body.freeze(),
        })
    }
}

/// Makes ring the process's rustls provider, once. reqwest (and the updater
/// plugin) are built without one of their own so that a single crypto library
/// is linked; whoever comes first installs it, later calls find it there.
pub fn install_crypto_provider() {
    if rustls::crypto::CryptoProvider::get_default().is_none() {
        // Fails only when another thread installed one meanwhile: that one serves.
        let _ = rustls::crypto::ring::default_provider().install_default();
    }
}

fn transport(e: reqwest::Error) -> Error {
    if let Some(reason) = certificate_refusal(&e) {
        let host = e
            .url()
            .and_then(|u| u.host_str())
            .unwrap_or("the service")
            .to_owned();
        Error::UntrustedCertificate { host, reason }
    } else if e.is_connect() {
        // Refused, unreachable, no route, a failed TLS handshake, or a connect
        // timeout: the request was never written.
        Error::NetworkUnreachable
    } else if e.is_timeout() {
        Error::Timeout
    } else {
        // Reset or closed after the request went out, before an answer:
        // whether the service acted on it is unknown.
        Error::ConnectionDropped
    }
}

/// Why the TLS handshake refused the server's certificate, when that is what
/// failed.
fn certificate_refusal(e: &reqwest::Error) -> Option<String> {
    causes(e).find_map(|err| match err.downcast_ref::<rustls::Error>() {
        Some(rustls::Error::InvalidCertificate(cert)) => Some(certificate_reason(cert)),
        _ => None,
    })
}

/// An error and its causes, outermost first. rustls' errors sit a few
/// sources down, inside `io::Error`s whose own `source()` skips what they
/// wrap, so those are opened by hand.
fn causes<'a>(
    e: &'a (dyn std::error::Error + 'static),
) -> impl Iterator<Item = &'a (dyn std::error::Error + 'static)> {
    std::iter::successors(Some(e), |err| match err.downcast_ref::<std::io::Error>() {
        Some(io) => io
            .get_ref()
            .map(|inner| inner as &(dyn std::error::Error + 'static)),
        None => err.source(),
    })
}

fn certificate_reason(cert: &rustls::CertificateError) -> String {
    use rustls::CertificateError as C;
    match cert {
        C::UnknownIssuer => "it was issued by an authority this computer does not trust".to_owned(),
        C::Expired | C::ExpiredContext { .. } => "it has expired".to_owned(),
        C::NotValidYet | C::NotValidYetContext { .. } => {
            "it is not valid yet: check this computer's clock".to_owned()
        }
        C::NotValidForName | C::NotValidForNameContext { .. } => {
            "it was issued for another name".to_owned()
        }
        C::Revoked => "it was revoked".to_owned(),
        C::BadSignature | C::BadEncoding => "it is damaged".to_owned(),
        other => format!("{other:?}"),
    }
}

/// An answer whose body stopped coming: too slow, or the connection broke
/// off mid-body (reqwest reports both as decoding errors; no compression is
/// enabled, so nothing else is decoded).
fn broken_body(e: reqwest::Error) -> Error {
    if e.is_timeout() {
        Error::Timeout
    } else {
        Error::ConnectionDropped
    }
}

/// Maps the statuses every service shares: 429 and 5xx.
pub fn common_status_error(response: &Response) -> Option<Error> {
    match response.status.as_u16() {
        429 => Some(Error::RateLimited {
            retry_after: response.retry_after(),
        }),
        s @ 500..=599 => Some(Error::ServerUnavailable { status: s }),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn response(status: u16, retry_after: Option<&str>) -> Response {
        let mut headers = HeaderMap::new();
        if let Some(v) = retry_after {
            headers.insert(RETRY_AFTER, v.parse().unwrap());
        }
        Response {
            status: StatusCode::from_u16(status).unwrap(),
            headers,
            body: Bytes::new(),
        }
    }

    #[test]
    fn creation_is_sent_again_only_where_the_service_did_not_act() {
        for code in ErrorCode::ALL {
            let again = Idempotency::Once.may_retry(code);
            assert_eq!(
                again,
                matches!(code, ErrorCode::RateLimited | ErrorCode::NetworkUnreachable),
                "{code}"
            );
            assert!(!(again && code.outcome_unknown()), "{code}");
            assert_eq!(Idempotency::Idempotent.may_retry(code), code.is_transient());
        }
    }

    fn quick(max_attempts: u32) -> Http {
        Http::new(HttpConfig {
            retry: RetryPolicy {
                max_attempts,
                base_delay: Duration::from_millis(1),
                max_delay: Duration::from_millis(1),
                budget: Duration::from_secs(10),
            },
            ..HttpConfig::default()
        })
        .unwrap()
    }

    /// A server that reads each request and hangs up without answering;
    /// counts the connections it took.
    async fn hang_up_server() -> (String, Arc<std::sync::atomic::AtomicUsize>) {
        use std::sync::atomic::{AtomicUsize, Ordering};
        use tokio::io::AsyncReadExt;
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}/create", listener.local_addr().unwrap());
        let taken = Arc::new(AtomicUsize::new(0));
        let counter = Arc::clone(&taken);
        tokio::spawn(async move {
            while let Ok((mut socket, _)) = listener.accept().await {
                counter.fetch_add(1, Ordering::SeqCst);
                let mut buf = [0u8; 1024];
                let _ = socket.read(&mut buf).await;
                drop(socket);
            }
        });
        (url, taken)
    }

    #[tokio::test]
    async fn a_refused_connection_and_a_dropped_one_are_told_apart() {
        use std::sync::atomic::Ordering;
        let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}/create", closed.local_addr().unwrap());
        drop(closed);
        let err = quick(1)
            .send(Idempotency::Once, |c| Ok(c.post(&url)), |_| Ok(()))
            .await
            .unwrap_err();
        assert_eq!(err.code(), ErrorCode::NetworkUnreachable, "{err}");

        let (url, taken) = hang_up_server().await;
        let err = quick(3)
            .send(Idempotency::Once, |c| Ok(c.post(&url)), |_| Ok(()))
            .await
            .unwrap_err();
        assert_eq!(err.code(), ErrorCode::ConnectionDropped, "{err}");
        assert_eq!(
            err.to_string(),
            "The connection to the service broke off before its whole answer arrived. Try again in a moment."
        );
        assert_eq!(
            taken.load(Ordering::SeqCst),
            1,
            "a creation that went out is not sent again"
        );

        let err = quick(3)
            .send(Idempotency::Idempotent, |c| Ok(c.get(&url)), |_| Ok(()))
            .await
            .unwrap_err();
        assert_eq!(err.code(), ErrorCode::ConnectionDropped);
        assert_eq!(
            taken.load(Ordering::SeqCst),
            4,
            "a read is tried three times"
        );
    }

    #[test]
    fn retry_after_in_seconds_or_a_date() {
        assert_eq!(
            response(429, Some("7")).retry_after(),
            Some(Duration::from_secs(7))
        );
        let past = httpdate::fmt_http_date(std::time::SystemTime::now() - Duration::from_secs(60));
        assert_eq!(
            response(429, Some(&past)).retry_after(),
            Some(Duration::ZERO)
        );
        assert_eq!(response(429, Some("soon")).retry_after(), None);
        assert!(
            matches!(common_status_error(&response(429, Some("2"))), Some(Error::RateLimited { retry_after: Some(d) }) if d == Duration::from_secs(2))
        );
        assert!(matches!(
            common_status_error(&response(503, None)),
            Some(Error::ServerUnavailable { status: 503 })
        ));
        assert!(common_status_error(&response(404, None)).is_none());
    }
}
