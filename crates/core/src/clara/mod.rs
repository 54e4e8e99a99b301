//! The Clara client (`clara-api.md`): Clara-Backend and any Flask Backend
//! Boilerplate deployment, in its documented behaviour and its boilerplate
//! quirks.

pub mod errors;
pub mod history;
mod provider;
pub mod token;
pub mod wire;

pub use provider::{capabilities, ClaraProvider};

use std::sync::Arc;

use reqwest::Method;
use secrecy::{ExposeSecret, SecretString};
use serde::de::DeserializeOwned;
use serde_json::json;

pub use errors::{classify, Context};
pub use history::TransactionWalk;
pub use wire::{Checkout, Transaction, TransactionKind, User};

use crate::base_url::BaseUrl;
use crate::clock::Clock;
use crate::error::{Error, Result};
use crate::http::{Http, Idempotency, Response};
use crate::money::{Money, PriceList};

/// The OTP purposes of Send OTP (§8.1.6).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OtpPurpose {
    TwoFactorAuth,
    Activation,
    ChangePassword,
}

impl OtpPurpose {
    fn path(self) -> &'static str {
        match self {
            Self::TwoFactorAuth => "TWO_FACTOR_AUTH",
            Self::Activation => "ACTIVATION",
            Self::ChangePassword => "CHANGE_PASSWORD",
        }
    }
}

/// A signed-in Clara account: who, and the bearer token that proves it.
/// Serialized only into the keychain (`secrets::encode_session`).
#[derive(Clone, serde::Serialize, serde::Deserialize)]
pub struct ClaraSession {
    pub user_id: String,
    #[serde(with = "crate::secrets::stored_secret")]
    pub token: SecretString,
}

impl std::fmt::Debug for ClaraSession {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ClaraSession")
            .field("user_id", &self.user_id)
            .field("token", &"[REDACTED]")
            .finish()
    }
}

/// The outcome of a login: signed in, or a 2FA code is needed first.
#[derive(Debug, Clone)]
pub enum LoginOutcome {
    SignedIn { session: ClaraSession, user: User },
    CodeRequired,
}

/// How an authenticated request is sent: an ordinary one, or the read of a
/// list, whose answer may be far larger (see [`Http::send_list`]).
#[derive(Debug, Clone, Copy)]
enum Sending {
    Single(Idempotency),
    List,
}

impl From<Idempotency> for Sending {
    fn from(idempotency: Idempotency) -> Self {
        Self::Single(idempotency)
    }
}

/// Where checkout sends the browser back on the service's web client.
pub const DEFAULT_RETURN_PATH: &str = "";

#[derive(Debug, Clone)]
pub struct ClaraClient {
    base: BaseUrl,
    http: Http,
    clock: Arc<dyn Clock>,
}

pub(crate) fn parse<T: DeserializeOwned>(response: &Response) -> Result<T> {
    let envelope: wire::Envelope<T> = serde_json::from_slice(&response.body)
        .map_err(|e| Error::malformed(format!("JSON: {e}")))?;
    if envelope.status != "success" {
        return Err(Error::malformed(format!(
            "status “{}” on a success answer",
            envelope.status
        )));
    }
    envelope.data.ok_or_else(|| Error::malformed("no data"))
}

/// Any 2xx is success (a deployment answering 200 where the docs say 201 is
/// still right); the body decides the rest.
fn expect_success(response: &Response, context: Context) -> Result<()> {
    if response.status.is_success() {
        Ok(())
    } else {
        Err(errors::map(response, context))
    }
}

impl ClaraClient {
    pub fn new(base: BaseUrl, http: Http, clock: Arc<dyn Clock>) -> Self {
        Self { base, http, clock }
    }

    pub fn base_url(&self) -> &BaseUrl {
        &self.base
    }

    pub fn clock(&self) -> &Arc<dyn Clock> {
        &self.clock
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base.as_str())
    }

    /// Judged by the server's clock where its answers have shown it: the server
    /// decides, and a machine whose clock is behind would otherwise send a
    /// token the server has already let go.
    fn token_expired(&self, token: &str) -> bool {
        let now = self.http.server_time(self.base.as_url(), self.clock.now());
        let now = now
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0.0, |d| d.as_secs_f64());
        token::expired_at(token, now)
    }

    /// An authenticated read: a `GET`, safe to send again.
    async fn get<T>(
        &self,
        session: &ClaraSession,
        path: &str,
        read: impl Fn(&Response) -> Result<T>,
    ) -> Result<T> {
        self.authed(
            session,
            Method::GET,
            path,
            None,
            Idempotency::Idempotent,
            read,
        )
        .await
    }

    /// An authenticated call. A token whose own `exp` has passed is not sent.
    async fn authed<T>(
        &self,
        session: &ClaraSession,
        method: Method,
        path: &str,
        body: Option<serde_json::Value>,
        sending: impl Into<Sending>,
        read: impl Fn(&Response) -> Result<T>,
    ) -> Result<T> {
        let token = session.token.expose_secret();
        if self.token_expired(token) {
            return Err(Error::SessionExpired);
        }
        let url = self.url(path);
        let build = |c: &reqwest::Client| {
            let mut req = c.request(method.clone(), &url).bearer_auth(token);
            if let Some(b) = &body {
                req = req.json(b);
            }
            Ok(req)
        };
        let interpret = |r: Response| {
            expect_success(
                &r,
                Context::Authenticated {
                    token_expired: self.token_expired(token),
                },
            )?;
            read(&r)
        };
        match sending.into() {
            Sending::Single(idempotency) => self.http.send(idempotency, build, interpret).await,
            Sending::List => self.http.send_list(build, interpret).await,
        }
    }

    /// An unauthenticated `POST` that a user answers: sign-in, registration,
    /// activation. Each is sent once: a lost answer only leaves an unused token
    /// behind, and a code is single-use, so a retry could consume it twice.
    async fn post_for_user(
        &self,
        path: &str,
        context: Context,
        request: impl Fn(reqwest::RequestBuilder) -> reqwest::RequestBuilder,
    ) -> Result<wire::UserWire> {
        let url = self.url(path);
        self.http
            .send(
                Idempotency::Once,
                |c| Ok(request(c.post(&url))),
                |r| {
                    expect_success(&r, context)?;
                    parse::<wire::UserWire>(&r)
                },
            )
            .await
    }

    /// `POST /auth/session` with Basic credentials and, for a 2FA account, the code.
    pub async fn login(
        &self,
        email: &str,
        password: &SecretString,
        code: Option<&str>,
    ) -> Result<LoginOutcome> {
        let context = Context::Login {
            code_given: code.is_some(),
        };
        let result = self
            .post_for_user("/auth/session", context, |req| {
                let req = req.basic_auth(email, Some(password.expose_secret()));
                match code {
                    Some(code) => req.json(&json!({"code": code})),
                    None => req,
                }
            })
            .await;
        match result {
            Ok(w) => {
                let (session, user) = self.session_from(w)?;
                Ok(LoginOutcome::SignedIn { session, user })
            }
            Err(Error::CodeRequired) => Ok(LoginOutcome::CodeRequired),
            Err(e) => Err(e),
        }
    }

    /// Emails a code (`POST /users/{email}/otp/{type}`); needs the public API key.
    pub async fn send_otp(
        &self,
        email: &str,
        purpose: OtpPurpose,
        public_key: &SecretString,
    ) -> Result<()> {
        let url = self.url(&format!(
            "/users/{}/otp/{}",
            path_segment(email),
            purpose.path()
        ));
        self.http
            .send(
                Idempotency::Once,
                |c| {
                    Ok(c.post(&url)
                        .header("Authorization", public_key.expose_secret()))
                },
                |r| expect_success(&r, Context::PublicKey),
            )
            .await
    }

    /// Creates an account (`POST /auth/register`); it must be activated before buying.
    pub async fn register(
        &self,
        first_name: &str,
        last_name: &str,
        email: &str,
        password: &SecretString,
        public_key: &SecretString,
    ) -> Result<(ClaraSession, User)> {
        let w = self
            .post_for_user("/auth/register", Context::PublicKey, |req| {
                req.header("Authorization", public_key.expose_secret())
                    .json(&json!({
                        "first_name": first_name,
                        "last_name": last_name,
                        "email": email,
                        "password": password.expose_secret(),
                    }))
            })
            .await?;
        self.session_from(w)
    }

    /// Activates an account with its emailed code (`POST /users/{email}/activate`).
    pub async fn activate(
        &self,
        email: &str,
        code: &str,
        public_key: &SecretString,
    ) -> Result<User> {
        let path = format!("/users/{}/activate", path_segment(email));
        let w = self
            .post_for_user(&path, Context::Code, |req| {
                req.header("Authorization", public_key.expose_secret())
                    .json(&json!({"code": code}))
            })
            .await?;
        User::try_from(w)
    }

    /// Signs in with a Google ID token (`POST /auth/google`).
    pub async fn google_sign_in(&self, id_token: &SecretString) -> Result<(ClaraSession, User)> {
        let w = self
            .post_for_user("/auth/google", Context::Anonymous, |req| {
                req.json(&json!({"id_token": id_token.expose_secret()}))
            })
            .await?;
        self.session_from(w)
    }

    /// Signs in with an API-key token (`clara_api_…`): the user id comes from
    /// the token itself, and a user view proves the token works.
    pub async fn api_key_sign_in(&self, token: SecretString) -> Result<(ClaraSession, User)> {
        let claims = token::claims(token.expose_secret()).ok_or(Error::InvalidCredentials)?;
        let session = ClaraSession {
            user_id: claims.sub,
            token,
        };
        let user = self.user(&session).await.map_err(|e| match e {
            Error::SessionExpired | Error::PermissionDenied | Error::NotFound { .. } => {
                Error::InvalidCredentials
            }
            other => other,
        })?;
        Ok((session, user))
    }

    fn session_from(&self, w: wire::UserWire) -> Result<(ClaraSession, User)> {
        let token = w
            .token
            .clone()
            .ok_or_else(|| Error::malformed("an answer without a token"))?;
        let user = User::try_from(w)?;
        Ok((
            ClaraSession {
                user_id: user.id.clone(),
                token: token.into(),
            },
            user,
        ))
    }

    /// Revokes the session on the server (`DELETE /auth/session`). A session
    /// that already ended counts as signed out.
    pub async fn logout(&self, session: &ClaraSession) -> Result<()> {
        let result = self
            .authed(
                session,
                Method::DELETE,
                "/auth/session",
                None,
                Idempotency::Idempotent,
                |_| Ok(()),
            )
            .await;
        match result {
            Err(Error::SessionExpired) => Ok(()),
            // An API-key token has no server session to end.
            Err(Error::PermissionDenied)
                if token::claims(session.token.expose_secret())
                    .and_then(|c| c.role)
                    .as_deref()
                    == Some("api_key") =>
            {
                Ok(())
            }
            other => other,
        }
    }

    /// The user, with the balance (`GET /users/{id}`).
    pub async fn user(&self, session: &ClaraSession) -> Result<User> {
        let path = format!("/users/{}", path_segment(&session.user_id));
        self.get(session, &path, |r| {
            User::try_from(parse::<wire::UserWire>(r)?)
        })
        .await
    }

    /// The rate tiers (`GET /stripe/rate`).
    pub async fn rate(&self, session: &ClaraSession) -> Result<PriceList> {
        self.get(session, "/stripe/rate", |r| {
            wire::price_list(parse::<Vec<wire::TierWire>>(r)?)
        })
        .await
    }

    /// Creates a Checkout Session for whole dollars (`POST /stripe/buy`). Sent once.
    pub async fn buy(
        &self,
        session: &ClaraSession,
        amount: Money,
        return_path: &str,
    ) -> Result<Checkout> {
        let dollars = amount.whole_units().ok_or_else(|| {
            Error::InvalidAmount(crate::money::AmountError::WholeUnitsOnly {
                suggestion: Money::major(amount.currency, amount.minor / 100).to_string(),
            })
        })?;
        if amount.currency != crate::money::Currency::Usd {
            return Err(Error::Unsupported {
                what: format!("Paying in {}", amount.currency.code()),
            });
        }
        let body = json!({"amount": dollars, "return_path": return_path});
        self.authed(
            session,
            Method::POST,
            "/stripe/buy",
            Some(body),
            Idempotency::Once,
            |r| Checkout::try_from(parse::<wire::BuyWire>(r)?),
        )
        .await
    }

    /// The Stripe billing portal (`POST /stripe/portal`).
    pub async fn portal(&self, session: &ClaraSession) -> Result<url::Url> {
        self.authed(
            session,
            Method::POST,
            "/stripe/portal",
            None,
            Idempotency::Once,
            |r| {
                let w = parse::<wire::UrlWire>(r)?;
                url::Url::parse(&w.url)
                    .map_err(|_| Error::malformed("a portal link that is not a URL"))
            },
        )
        .await
    }

    /// One page of transactions (`GET /users/{id}/transactions`). Order and
    /// offset differ between Clara and the boilerplate, so callers sort.
    pub async fn transactions(
        &self,
        session: &ClaraSession,
        limit: u32,
        offset: u32,
    ) -> Result<Vec<Transaction>> {
        let path = format!(
            "/users/{}/transactions?limit={limit}&offset={offset}",
            path_segment(&session.user_id)
        );
        self.authed(session, Method::GET, &path, None, Sending::List, |r| {
            parse::<Vec<wire::TransactionWire>>(r)?
                .into_iter()
                .map(Transaction::try_from)
                .collect()
        })
        .await
    }

    /// The newest transactions (about a hundred, fewer if there are fewer),
    /// newest first, each once, from either kind of server (§8.4.1).
    pub async fn newest_transactions(&self, session: &ClaraSession) -> Result<Vec<Transaction>> {
        let mut walk = TransactionWalk::newest(self.clone(), session.clone());
        Ok(walk.next().await?.unwrap_or_default())
    }

    /// One transaction (`GET /users/{id}/transactions/{tid}`).
    pub async fn transaction(&self, session: &ClaraSession, id: &str) -> Result<Transaction> {
        let path = format!(
            "/users/{}/transactions/{}",
            path_segment(&session.user_id),
            path_segment(id)
        );
        self.get(session, &path, |r| {
            Transaction::try_from(parse::<wire::TransactionWire>(r)?)
        })
        .await
    }

    /// `GET /health`: the service's name and state.
    pub async fn health(&self) -> Result<(String, String)> {
        let w: wire::HealthWire = self.public_get("/health").await?;
        Ok((w.service, w.status))
    }

    /// `GET /version`.
    pub async fn version(&self) -> Result<String> {
        let w: wire::VersionWire = self.public_get("/version").await?;
        Ok(w.version)
    }

    /// A read that needs no credentials.
    async fn public_get<T: DeserializeOwned>(&self, path: &str) -> Result<T> {
        let url = self.url(path);
        self.http
            .send(
                Idempotency::Idempotent,
                |c| Ok(c.get(&url)),
                |r| {
                    expect_success(&r, Context::Anonymous)?;
                    parse::<T>(&r)
                },
            )
            .await
    }
}

/// Sorts rows newest first. Dates have one-second resolution, so rows of the
/// same second keep the server's order, read in its direction: Clara's docs
/// list oldest first (reversed here), the boilerplate newest first.
pub fn newest_first(mut rows: Vec<Transaction>) -> Vec<Transaction> {
    if oldest_first(&rows) {
        rows.reverse();
    }
    rows.sort_by_key(|t| std::cmp::Reverse(t.created_at));
    let mut seen = std::collections::HashSet::new();
    rows.retain(|t| seen.insert(t.id.clone()));
    rows
}

/// Whether a page runs from older to newer rows (or all in one second: as
/// the documented API, which sorts oldest first, would send them).
pub(crate) fn oldest_first(rows: &[Transaction]) -> bool {
    match (rows.first(), rows.last()) {
        (Some(first), Some(last)) => first.created_at <= last.created_at,
        _ => false,
    }
}

/// Percent-encodes one path segment (emails contain `@`, ids are plain).
fn path_segment(s: &str) -> String {
    url::form_urlencoded::byte_serialize(s.as_bytes())
        .collect::<String>()
        .replace('+', "%20")
}

#[cfg(test)]
mod tests {
    use std::time::{Duration, UNIX_EPOCH};

    use super::*;
    use crate::money::{Credits, Currency};

    fn row(id: &str, secs: u64) -> Transaction {
        Transaction {
            id: id.into(),
            kind: TransactionKind::Credit,
            description: id.into(),
            credits: Credits::ZERO,
            fiat: Money::from_minor(Currency::Usd, 0),
            created_at: UNIX_EPOCH + Duration::from_secs(secs),
        }
    }

    fn ids(rows: Vec<Transaction>) -> Vec<String> {
        rows.into_iter().map(|t| t.id).collect()
    }

    #[test]
    fn rows_come_out_newest_first_from_either_server_order() {
        // Documented order (oldest first), two rows in the same second.
        let docs = vec![row("a", 1), row("b", 2), row("c", 2), row("d", 3)];
        assert_eq!(ids(newest_first(docs)), ["d", "c", "b", "a"]);
        // Boilerplate order (newest first), same ties.
        let boilerplate = vec![row("d", 3), row("c", 2), row("b", 2), row("a", 1)];
        assert_eq!(ids(newest_first(boilerplate)), ["d", "c", "b", "a"]);
        // Duplicates across pages are dropped.
        assert_eq!(
            ids(newest_first(vec![row("a", 1), row("a", 1), row("b", 2)])),
            ["b", "a"]
        );
    }
}
