//! Signing in, as every front end does it: what a form or a prompt sends
//! ([`SignInInput`], cleaned up once here), what comes back ([`SignInStep`]),
//! and the Google flow with its waiting sign-ins ([`GoogleSignIns`]). The
//! front ends only collect the input and open the browser.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use secrecy::SecretString;
use serde::{Deserialize, Serialize};
use tokio::sync::{mpsc, oneshot};
use url::Url;

use crate::dispersed::KeyPair;
use crate::error::{Error, Result};
use crate::provider::{Account, Credentials, SignIn};
use crate::service::Accounts;
use crate::sync::lock;
use crate::watch::Supervisor;

/// What a sign-in form (or the CLI's prompts) sends, as typed.
#[derive(Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum SignInInput {
    EmailPassword {
        email: String,
        password: String,
        code: Option<String>,
    },
    ApiKeyToken {
        token: String,
    },
    KeyPair {
        public_key: String,
        secret_key: String,
    },
}

impl std::fmt::Debug for SignInInput {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Self::EmailPassword { .. } => "SignInInput::EmailPassword([REDACTED])",
            Self::ApiKeyToken { .. } => "SignInInput::ApiKeyToken([REDACTED])",
            Self::KeyPair { .. } => "SignInInput::KeyPair([REDACTED])",
        })
    }
}

/// The digits of a typed code ("123 456", "123-456" → "123456"); `None`
/// when there are none.
pub fn code_digits(typed: &str) -> Option<String> {
    let digits: String = typed.chars().filter(char::is_ascii_digit).collect();
    (!digits.is_empty()).then_some(digits)
}

impl From<SignInInput> for Credentials {
    /// Spaces around what was pasted are dropped (never inside a password).
    fn from(input: SignInInput) -> Self {
        match input {
            SignInInput::EmailPassword {
                email,
                password,
                code,
            } => Credentials::EmailPassword {
                email: email.trim().to_owned(),
                password: SecretString::from(password),
                code: code.as_deref().and_then(code_digits),
            },
            SignInInput::ApiKeyToken { token } => {
                Credentials::ApiKeyToken(SecretString::from(token.trim().to_owned()))
            }
            SignInInput::KeyPair {
                public_key,
                secret_key,
            } => Credentials::KeyPair(KeyPair {
                public_key: public_key.trim().to_owned(),
                secret_key: SecretString::from(secret_key.trim().to_owned()),
            }),
        }
    }
}

/// Where a sign-in stands.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum SignInStep {
    SignedIn {
        account: Account,
    },
    /// Sign in again with the two-factor code.
    CodeRequired {
        /// Topup can have the service email the code.
        can_email_code: bool,
    },
}

impl Accounts {
    /// Signs an account in from what a person typed.
    pub async fn sign_in_with(&self, id: &str, credentials: Credentials) -> Result<SignInStep> {
        match self.sign_in(id, credentials).await? {
            SignIn::SignedIn { account, .. } => {
                tracing::info!(account = %id, "signed in");
                Ok(SignInStep::SignedIn { account })
            }
            SignIn::CodeRequired => Ok(SignInStep::CodeRequired {
                can_email_code: self.can_email_codes(id)?,
            }),
        }
    }
}

/// How long a consent page may stay open.
pub const GOOGLE_TIMEOUT: Duration = Duration::from_secs(5 * 60);

/// The handles of a Google sign-in waiting for the browser.
struct Waiting {
    paste: mpsc::Sender<String>,
    cancel: Option<oneshot::Sender<()>>,
}

/// The Google sign-ins waiting for the browser, by account.
#[derive(Default)]
pub struct GoogleSignIns {
    waiting: Mutex<HashMap<String, Waiting>>,
}

impl std::fmt::Debug for GoogleSignIns {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("GoogleSignIns")
            .field("waiting", &lock(&self.waiting).len())
            .finish()
    }
}

fn cancelled() -> Error {
    Error::Cancelled {
        what: "Google sign-in".into(),
    }
}

impl GoogleSignIns {
    /// Runs a whole Google sign-in for an account: `open` shows the consent
    /// page (built here from the account's settings, never from a server) in
    /// the system browser; the answer comes when the loopback redirect, a
    /// pasted code, a cancel or the timeout ends it.
    /// Signed in, a watch paused for the sign-in goes on.
    pub async fn sign_in(
        &self,
        watches: &Arc<Supervisor>,
        id: &str,
        open: impl FnOnce(&Url) -> Result<()>,
    ) -> Result<SignInStep> {
        let accounts = watches.accounts();
        let (client_id, endpoints) = accounts.google(id)?;
        let pending = crate::google::begin(&client_id, endpoints).await?;
        let (paste, manual) = mpsc::channel(4);
        let (cancel, cancelled_rx) = oneshot::channel();
        lock(&self.waiting).insert(
            id.to_owned(),
            Waiting {
                paste,
                cancel: Some(cancel),
            },
        );
        tracing::info!(account = %id, "opening Google sign-in in the browser");
        let result = match open(&pending.url) {
            Ok(()) => {
                pending
                    .finish(accounts.http(), manual, cancelled_rx, GOOGLE_TIMEOUT)
                    .await
            }
            Err(e) => Err(e),
        };
        lock(&self.waiting).remove(id);
        let id_token = result?;
        watches
            .sign_in(id, Credentials::GoogleIdToken(id_token))
            .await
    }

    /// The code (or the whole address) from the browser, when its redirect
    /// could not reach Topup.
    pub async fn paste(&self, id: &str, text: String) -> Result<()> {
        let sender = lock(&self.waiting).get(id).map(|w| w.paste.clone());
        match sender {
            Some(s) => s.send(text).await.map_err(|_| cancelled()),
            None => Err(cancelled()),
        }
    }

    pub fn cancel(&self, id: &str) {
        if let Some(cancel) = lock(&self.waiting)
            .get_mut(id)
            .and_then(|w| w.cancel.take())
        {
            let _ = cancel.send(());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What the sign-in form sends prints without its secrets, as do the
    /// credentials made from it.
    #[test]
    fn sign_in_input_prints_redacted() {
        let secrets = ["pw-correct-horse", "123456", "clara_api_eyJ.t", "sk_test_x"];
        let inputs = [
            r#"{"kind":"email_password","email":"a@b.c","password":"pw-correct-horse","code":"123456"}"#,
            r#"{"kind":"api_key_token","token":"clara_api_eyJ.t"}"#,
            r#"{"kind":"key_pair","public_key":"pk_test_x","secret_key":"sk_test_x"}"#,
        ];
        for json in inputs {
            let input: SignInInput = serde_json::from_str(json).unwrap();
            let again: SignInInput = serde_json::from_str(json).unwrap();
            let shown = format!("{input:?} {:?}", Credentials::from(again));
            for s in secrets {
                assert!(!shown.contains(s), "{shown}");
            }
        }
    }

    #[test]
    fn pasted_input_is_cleaned_once() {
        let input: SignInInput = serde_json::from_str(
            r#"{"kind":"email_password","email":"  a@b.c\n","password":" pw ","code":"123 456"}"#,
        )
        .unwrap();
        let Credentials::EmailPassword {
            email,
            password,
            code,
        } = Credentials::from(input)
        else {
            panic!("email and password");
        };
        use secrecy::ExposeSecret;
        assert_eq!(
            (email.as_str(), password.expose_secret(), code.as_deref()),
            ("a@b.c", " pw ", Some("123456")),
            "the password is kept exactly as typed"
        );
        assert_eq!(code_digits(" - "), None);
    }
}
