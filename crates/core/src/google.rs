//! Google sign-in for Clara, the way desktop apps do it (RFC 8252): the
//! system browser opens Google's consent page, which redirects to a one-shot
//! server on `127.0.0.1` at a random port; the code comes back with the
//! `state` Topup chose and is exchanged with the PKCE (S256) verifier for an
//! id_token, which Clara's `/auth/google` takes. A person who cannot reach the
//! loopback page can paste the code (or the whole address) instead.

use std::time::Duration;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use rand::RngCore;
use secrecy::{ExposeSecret, SecretString};
use serde::Deserialize;
use sha2::{Digest, Sha256};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;
use tokio::sync::{mpsc, oneshot};
use url::Url;

use crate::base_url::BaseUrl;
use crate::error::{Error, Result};
use crate::http::{Http, Idempotency};

/// Where to authorize and where to exchange the code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Endpoints {
    pub authorize: Url,
    pub token: Url,
}

impl Endpoints {
    /// Google's own.
    pub fn google() -> Result<Self> {
        Ok(Self {
            authorize: Url::parse("https://accounts.google.com/o/oauth2/v2/auth")
                .map_err(|e| Error::malformed(e.to_string()))?,
            token: Url::parse("https://oauth2.googleapis.com/token")
                .map_err(|e| Error::malformed(e.to_string()))?,
        })
    }

    /// The Sandbox's stand-in, under `<origin>/oauth`.
    pub fn sandbox(origin: &BaseUrl) -> Result<Self> {
        let at = |p: &str| {
            Url::parse(&format!("{origin}/oauth/{p}")).map_err(|e| Error::malformed(e.to_string()))
        };
        Ok(Self {
            authorize: at("authorize")?,
            token: at("token")?,
        })
    }
}

fn random(bytes: usize) -> String {
    let mut b = vec![0u8; bytes];
    rand::rng().fill_bytes(&mut b);
    URL_SAFE_NO_PAD.encode(b)
}

/// A sign-in waiting for the browser.
pub struct Pending {
    /// The page to open in the browser.
    pub url: Url,
    client_id: String,
    redirect_uri: String,
    state: String,
    verifier: SecretString,
    endpoints: Endpoints,
    listener: TcpListener,
}

impl std::fmt::Debug for Pending {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Pending")
            .field("redirect_uri", &self.redirect_uri)
            .finish_non_exhaustive()
    }
}

/// Opens the loopback listener and builds the consent URL.
pub async fn begin(client_id: &str, endpoints: Endpoints) -> Result<Pending> {
    let listener = TcpListener::bind(("127.0.0.1", 0))
        .await
        .map_err(|e| Error::malformed(format!("no loopback port: {e}")))?;
    let port = listener
        .local_addr()
        .map_err(|e| Error::malformed(e.to_string()))?
        .port();
    let redirect_uri = format!("http://127.0.0.1:{port}/callback");
    let verifier = random(48);
    let challenge = URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()));
    let state = random(24);
    let mut url = endpoints.authorize.clone();
    url.query_pairs_mut()
        .append_pair("client_id", client_id)
        .append_pair("redirect_uri", &redirect_uri)
        .append_pair("response_type", "code")
        .append_pair("scope", "openid email profile")
        .append_pair("state", &state)
        .append_pair("code_challenge", &challenge)
        .append_pair("code_challenge_method", "S256");
    Ok(Pending {
        url,
        client_id: client_id.to_owned(),
        redirect_uri,
        state,
        verifier: SecretString::from(verifier),
        endpoints,
        listener,
    })
}

/// What came back: a code, or the person said no.
enum Callback {
    Code(String),
    Denied,
}

const DONE_PAGE: &str = "<!doctype html><meta charset=utf-8><title>Topup</title><body style=\"font-family:system-ui;text-align:center;margin-top:4rem\"><h1>You're signed in</h1><p>You can close this tab and go back to Topup.</p>";
const WRONG_PAGE: &str = "<!doctype html><meta charset=utf-8><title>Topup</title><body style=\"font-family:system-ui;text-align:center;margin-top:4rem\"><h1>This sign-in link is not the one Topup started</h1><p>Go back to Topup and start again.</p>";
const DENIED_PAGE: &str = "<!doctype html><meta charset=utf-8><title>Topup</title><body style=\"font-family:system-ui;text-align:center;margin-top:4rem\"><h1>Sign-in cancelled</h1><p>You can close this tab.</p>";

/// Reads one request line from a loopback connection and answers it.
async fn serve_one(listener: &TcpListener, state: &str) -> Option<Callback> {
    let (mut socket, _) = listener.accept().await.ok()?;
    let mut buf = vec![0u8; 8192];
    let mut len = 0;
    while len < buf.len() {
        match socket.read(&mut buf[len..]).await {
            Ok(0) | Err(_) => break,
            Ok(n) => len += n,
        }
        if buf[..len].windows(4).any(|w| w == b"\r\n\r\n") {
            break;
        }
    }
    let head = String::from_utf8_lossy(&buf[..len]);
    let target = head
        .lines()
        .next()
        .and_then(|l| l.split_whitespace().nth(1))
        .unwrap_or("/");
    let url = Url::parse(&format!("http://127.0.0.1{target}")).ok()?;
    let query: std::collections::HashMap<String, String> = url.query_pairs().into_owned().collect();
    let (status, page, result) = if url.path() != "/callback" {
        ("404 Not Found", WRONG_PAGE, None)
    } else if query.get("state").map(String::as_str) != Some(state) {
        ("400 Bad Request", WRONG_PAGE, None)
    } else if query.contains_key("error") {
        ("200 OK", DENIED_PAGE, Some(Callback::Denied))
    } else if let Some(code) = query.get("code") {
        ("200 OK", DONE_PAGE, Some(Callback::Code(code.clone())))
    } else {
        ("400 Bad Request", WRONG_PAGE, None)
    };
    let response = format!("HTTP/1.1 {status}\r\ncontent-type: text/html; charset=utf-8\r\ncontent-length: {}\r\ncache-control: no-store\r\nconnection: close\r\n\r\n{page}", page.len());
    let _ = socket.write_all(response.as_bytes()).await;
    result
}

/// A pasted code, or the whole address the browser was sent to.
fn pasted(text: &str, state: &str) -> Result<String> {
    let text = text.trim();
    if let Ok(url) = Url::parse(text) {
        let query: std::collections::HashMap<String, String> =
            url.query_pairs().into_owned().collect();
        if query.get("state").map(String::as_str) != Some(state) {
            return Err(Error::InvalidRequest {
                message: "that address belongs to another sign-in".into(),
            });
        }
        return query
            .get("code")
            .cloned()
            .ok_or_else(|| Error::InvalidRequest {
                message: "that address has no code".into(),
            });
    }
    if text.is_empty() || text.len() > 512 || text.chars().any(char::is_whitespace) {
        return Err(Error::InvalidRequest {
            message: "that does not look like a sign-in code".into(),
        });
    }
    Ok(text.to_owned())
}

#[derive(Deserialize)]
struct TokenAnswer {
    id_token: String,
}

impl Pending {
    /// Waits for the browser (or a pasted code, or a cancel) within `timeout`,
    /// then exchanges the code for an id_token.
    pub async fn finish(
        self,
        http: &Http,
        mut manual: mpsc::Receiver<String>,
        cancel: oneshot::Receiver<()>,
        timeout: Duration,
    ) -> Result<SecretString> {
        let state = self.state.clone();
        let wait = async {
            tokio::pin!(cancel);
            loop {
                tokio::select! {
                    got = serve_one(&self.listener, &state) => match got {
                        Some(Callback::Code(code)) => return Ok(code),
                        Some(Callback::Denied) => return Err(Error::Cancelled { what: "Google sign-in".into() }),
                        None => continue,
                    },
                    Some(text) = manual.recv() => match pasted(&text, &state) {
                        Ok(code) => return Ok(code),
                        Err(e) => tracing::info!(error = %e, "pasted Google code refused"),
                    },
                    _ = &mut cancel => return Err(Error::Cancelled { what: "Google sign-in".into() }),
                }
            }
        };
        let code = tokio::time::timeout(timeout, wait)
            .await
            .map_err(|_| Error::Timeout)??;
        self.exchange(http, &code).await
    }

    async fn exchange(&self, http: &Http, code: &str) -> Result<SecretString> {
        let token_url = self.endpoints.token.clone();
        let form = [
            ("grant_type", "authorization_code"),
            ("code", code),
            ("redirect_uri", self.redirect_uri.as_str()),
            ("client_id", self.client_id.as_str()),
            ("code_verifier", self.verifier.expose_secret()),
        ];
        http.send(
            // A code is single-use: never sent twice.
            Idempotency::Once,
            |c| Ok(c.post(token_url.clone()).form(&form)),
            |r| {
                if r.status.as_u16() == 400 || r.status.as_u16() == 401 {
                    return Err(Error::InvalidCredentials);
                }
                if !r.status.is_success() {
                    return Err(crate::http::common_status_error(&r).unwrap_or(
                        Error::InvalidRequest {
                            message: format!("HTTP {}", r.status.as_u16()),
                        },
                    ));
                }
                let answer: TokenAnswer = serde_json::from_slice(&r.body)
                    .map_err(|e| Error::malformed(format!("token answer: {e}")))?;
                Ok(SecretString::from(answer.id_token))
            },
        )
        .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pasted_codes_and_addresses() {
        assert_eq!(pasted(" 4/0Abc-123 ", "st").unwrap(), "4/0Abc-123");
        assert_eq!(
            pasted("http://127.0.0.1:5/callback?state=st&code=XYZ", "st").unwrap(),
            "XYZ"
        );
        assert!(pasted("http://127.0.0.1:5/callback?state=other&code=XYZ", "st").is_err());
        assert!(pasted("two words", "st").is_err());
        assert!(pasted("", "st").is_err());
    }

    #[tokio::test]
    async fn the_consent_url_carries_pkce_and_state() {
        let origin = BaseUrl::parse("http://127.0.0.1:9").unwrap();
        let p = begin("client-1", Endpoints::sandbox(&origin).unwrap())
            .await
            .unwrap();
        let q: std::collections::HashMap<String, String> =
            p.url.query_pairs().into_owned().collect();
        assert_eq!(q["code_challenge_method"], "S256");
        assert_eq!(
            q["code_challenge"],
            URL_SAFE_NO_PAD.encode(Sha256::digest(p.verifier.expose_secret().as_bytes()))
        );
        assert_eq!(q["state"], p.state);
        assert!(q["redirect_uri"].starts_with("http://127.0.0.1:"));
        assert!(!format!("{p:?}").contains(p.verifier.expose_secret()));
    }
}
