//! Where sign-in secrets live: the OS keychain (macOS Keychain, Windows
//! Credential Manager, the Secret Service on Linux), one entry per account.
//!
//! There is no plaintext fallback. Without a usable keychain the app keeps
//! sessions in a [`MemoryStore`] for this run only and tells the person so.

use std::collections::HashMap;
use std::fmt;
use std::sync::Mutex;
use std::time::Duration;

use async_trait::async_trait;
use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Serialize};

use crate::clara::ClaraSession;
use crate::dispersed::KeyPair;
use crate::error::{Error, Result};
use crate::provider::Session;

/// The keychain "service" all of Topup's entries are filed under.
pub const KEYCHAIN_SERVICE: &str = "app.topup.Topup";

/// Windows caps a credential near 2.5 KB; Topup's secrets stay well below.
pub const MAX_SECRET_BYTES: usize = 2048;

#[async_trait]
pub trait SecretStore: Send + Sync + fmt::Debug {
    async fn load(&self, account_id: &str) -> Result<Option<SecretString>>;
    async fn save(&self, account_id: &str, secret: &SecretString) -> Result<()>;
    /// Deleting what is not there is not an error.
    async fn delete(&self, account_id: &str) -> Result<()>;
    /// False for the in-memory store: the UI says sign-ins last this run only.
    fn persists(&self) -> bool;
}

/// The OS keychain, every call bounded by a timeout (a keychain waiting on an
/// unlock prompt nobody answers must not freeze the app).
#[derive(Debug, Clone)]
pub struct Keychain {
    service: String,
    timeout: Duration,
}

impl Keychain {
    pub fn new(service: impl Into<String>, timeout: Duration) -> Self {
        Self {
            service: service.into(),
            timeout,
        }
    }

    /// Whether a keychain answers at all (used at start to pick the store).
    pub async fn probe(&self) -> Result<()> {
        self.load("__topup_probe__").await.map(|_| ())
    }

    async fn call<T: Send + 'static>(
        &self,
        account: &str,
        op: impl FnOnce(keyring::Entry) -> keyring::Result<T> + Send + 'static,
    ) -> Result<T> {
        let (service, account) = (self.service.clone(), account.to_owned());
        let task = tokio::task::spawn_blocking(move || {
            keyring::Entry::new(&service, &account).and_then(op)
        });
        match tokio::time::timeout(self.timeout, task).await {
            Err(_) => Err(Error::KeychainLocked),
            Ok(Err(join)) => Err(Error::KeychainFailed {
                detail: join.to_string(),
            }),
            Ok(Ok(result)) => result.map_err(keychain_error),
        }
    }
}

/// What the keyring's errors mean for a person.
pub fn keychain_error(e: keyring::Error) -> Error {
    match e {
        keyring::Error::NoDefaultStore => Error::KeychainUnavailable,
        keyring::Error::NoStorageAccess(inner) => {
            let text = inner.to_string().to_ascii_lowercase();
            if text.contains("denied") || text.contains("not allowed") || text.contains("authoriz")
            {
                Error::KeychainDenied
            } else {
                Error::KeychainLocked
            }
        }
        keyring::Error::PlatformFailure(inner) => {
            let text = inner.to_string();
            let lower = text.to_ascii_lowercase();
            // No Secret Service on the bus (or no bus at all).
            if lower.contains("serviceunknown")
                || lower.contains("service unknown")
                || lower.contains("no such file")
                || lower.contains("connection refused")
                || lower.contains("dbus") && lower.contains("address")
            {
                Error::KeychainUnavailable
            } else {
                Error::KeychainFailed {
                    detail: text.chars().take(200).collect(),
                }
            }
        }
        other => Error::KeychainFailed {
            detail: other.to_string().chars().take(200).collect(),
        },
    }
}

#[async_trait]
impl SecretStore for Keychain {
    async fn load(&self, account_id: &str) -> Result<Option<SecretString>> {
        let found = self
            .call(account_id, |e| match e.get_password() {
                Ok(p) => Ok(Some(p)),
                Err(keyring::Error::NoEntry) => Ok(None),
                Err(other) => Err(other),
            })
            .await?;
        Ok(found.map(SecretString::from))
    }

    async fn save(&self, account_id: &str, secret: &SecretString) -> Result<()> {
        if secret.expose_secret().len() > MAX_SECRET_BYTES {
            return Err(Error::KeychainFailed {
                detail: format!("the secret is larger than {MAX_SECRET_BYTES} bytes"),
            });
        }
        let value = secret.expose_secret().to_owned();
        self.call(account_id, move |e| e.set_password(&value)).await
    }

    async fn delete(&self, account_id: &str) -> Result<()> {
        self.call(account_id, |e| match e.delete_credential() {
            Ok(()) | Err(keyring::Error::NoEntry) => Ok(()),
            Err(other) => Err(other),
        })
        .await
    }

    fn persists(&self) -> bool {
        true
    }
}

/// Secrets for this run only, when no keychain can be used.
#[derive(Default)]
pub struct MemoryStore {
    entries: Mutex<HashMap<String, SecretString>>,
}

impl fmt::Debug for MemoryStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let count = self.entries.lock().map_or(0, |e| e.len());
        f.debug_struct("MemoryStore")
            .field("entries", &count)
            .finish()
    }
}

#[async_trait]
impl SecretStore for MemoryStore {
    async fn load(&self, account_id: &str) -> Result<Option<SecretString>> {
        Ok(self
            .entries
            .lock()
            .map_err(|_| Error::KeychainFailed {
                detail: "poisoned".into(),
            })?
            .get(account_id)
            .cloned())
    }

    async fn save(&self, account_id: &str, secret: &SecretString) -> Result<()> {
        self.entries
            .lock()
            .map_err(|_| Error::KeychainFailed {
                detail: "poisoned".into(),
            })?
            .insert(account_id.to_owned(), secret.clone());
        Ok(())
    }

    async fn delete(&self, account_id: &str) -> Result<()> {
        self.entries
            .lock()
            .map_err(|_| Error::KeychainFailed {
                detail: "poisoned".into(),
            })?
            .remove(account_id);
        Ok(())
    }

    fn persists(&self) -> bool {
        false
    }
}

/// A session as stored in the keychain: small JSON, itself a secret.
#[derive(Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
enum Stored {
    Clara {
        user_id: String,
        token: String,
    },
    Dispersed {
        public_key: String,
        secret_key: String,
    },
}

pub fn encode_session(session: &Session) -> Result<SecretString> {
    let stored = match session {
        Session::Clara(s) => Stored::Clara {
            user_id: s.user_id.clone(),
            token: s.token.expose_secret().to_owned(),
        },
        Session::Dispersed(k) => Stored::Dispersed {
            public_key: k.public_key.clone(),
            secret_key: k.secret_key.expose_secret().to_owned(),
        },
    };
    serde_json::to_string(&stored)
        .map(SecretString::from)
        .map_err(|e| Error::KeychainFailed {
            detail: e.to_string(),
        })
}

pub fn decode_session(secret: &SecretString) -> Result<Session> {
    let stored: Stored =
        serde_json::from_str(secret.expose_secret()).map_err(|_| Error::KeychainFailed {
            detail: "the stored sign-in is not readable".into(),
        })?;
    Ok(match stored {
        Stored::Clara { user_id, token } => Session::Clara(ClaraSession {
            user_id,
            token: token.into(),
        }),
        Stored::Dispersed {
            public_key,
            secret_key,
        } => Session::Dispersed(KeyPair {
            public_key,
            secret_key: secret_key.into(),
        }),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn memory_store_keeps_secrets_for_the_run() {
        let store = MemoryStore::default();
        assert!(!store.persists());
        assert!(store.load("a").await.unwrap().is_none());
        store
            .save("a", &SecretString::from("s3cret".to_owned()))
            .await
            .unwrap();
        assert_eq!(
            store.load("a").await.unwrap().unwrap().expose_secret(),
            "s3cret"
        );
        assert!(!format!("{store:?}").contains("s3cret"));
        store.delete("a").await.unwrap();
        store.delete("a").await.unwrap();
        assert!(store.load("a").await.unwrap().is_none());
    }

    #[test]
    fn sessions_round_trip_through_their_stored_form() {
        let clara = Session::Clara(ClaraSession {
            user_id: "user_1".into(),
            token: "crazi_co_user_eyJ.x.y".to_owned().into(),
        });
        let encoded = encode_session(&clara).unwrap();
        let Session::Clara(back) = decode_session(&encoded).unwrap() else {
            panic!()
        };
        assert_eq!(back.user_id, "user_1");
        assert_eq!(back.token.expose_secret(), "crazi_co_user_eyJ.x.y");
        let keys = Session::Dispersed(KeyPair {
            public_key: "pk_1".into(),
            secret_key: "sk_1".to_owned().into(),
        });
        let Session::Dispersed(k) = decode_session(&encode_session(&keys).unwrap()).unwrap() else {
            panic!()
        };
        assert_eq!(
            (k.public_key.as_str(), k.secret_key.expose_secret()),
            ("pk_1", "sk_1")
        );
        assert_eq!(
            decode_session(&SecretString::from("garbage".to_owned()))
                .unwrap_err()
                .code(),
            crate::ErrorCode::KeychainFailed
        );
    }
}
