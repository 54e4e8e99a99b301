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

use crate::error::{Error, Result};
use crate::provider::Session;

/// The keychain "service" all of Topup's entries are filed under.
pub const KEYCHAIN_SERVICE: &str = "app.topup.Topup";

/// The largest secret Topup keeps, in the unit its store counts: Windows
/// Credential Manager keeps a credential's secret as UTF-16 and caps it at
/// 2,560 bytes (`CRED_MAX_CREDENTIAL_BLOB_SIZE`), i.e. 1,280 UTF-16 units; the
/// other stores take UTF-8 and far more, and are held to the same number of
/// bytes so a sign-in that fits on one system is not far off on another.
/// Topup's own secrets stay well below either.
pub const MAX_SECRET_BYTES: usize = 2560;

/// How a store measures a secret.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SecretUnit {
    Utf8,
    Utf16,
}

impl SecretUnit {
    /// The unit of this system's keychain.
    pub const NATIVE: Self = if cfg!(windows) {
        Self::Utf16
    } else {
        Self::Utf8
    };

    /// The bytes `secret` takes in a store of this unit.
    pub fn bytes(self, secret: &str) -> usize {
        match self {
            Self::Utf8 => secret.len(),
            Self::Utf16 => secret.encode_utf16().count() * 2,
        }
    }
}

fn check_size(secret: &str, unit: SecretUnit) -> Result<()> {
    let bytes = unit.bytes(secret);
    if bytes > MAX_SECRET_BYTES {
        return Err(Error::KeychainFailed {
            detail: format!(
                "the secret takes {bytes} bytes in this keychain, more than the {MAX_SECRET_BYTES} it keeps"
            ),
        });
    }
    Ok(())
}

#[async_trait]
pub trait SecretStore: Send + Sync + fmt::Debug {
    async fn load(&self, account_id: &str) -> Result<Option<SecretString>>;
    async fn save(&self, account_id: &str, secret: &SecretString) -> Result<()>;
    /// Deleting what is not there is not an error.
    async fn delete(&self, account_id: &str) -> Result<()>;
    /// False for the in-memory store: the UI says sign-ins last this run only.
    fn persists(&self) -> bool;
}

/// How long a keychain is given to answer at all, at start: looking up an
/// entry that does not exist never prompts on any system.
pub const PROBE_TIMEOUT: Duration = Duration::from_secs(5);

/// How long a call that can prompt may wait: reading, writing or deleting an
/// entry can put a system prompt in front of the person (macOS asks whether
/// Topup may use an item after each update that changes its signature; the
/// Secret Service asks for the password of a locked keyring). Someone reading
/// the prompt, or fetching a password, takes far more than a few seconds; the
/// bound only keeps a keychain that never answers from holding a call forever.
pub const PROMPT_TIMEOUT: Duration = Duration::from_secs(5 * 60);

/// The OS keychain, every call bounded by a timeout: the probe's short one, a
/// person's time on the calls that can prompt.
#[derive(Debug, Clone)]
pub struct Keychain {
    service: String,
    probe_timeout: Duration,
    prompt_timeout: Duration,
}

impl Keychain {
    /// Topup's entries, with the timeouts above (the app and the CLI).
    pub fn topup() -> Self {
        Self::new(KEYCHAIN_SERVICE, PROBE_TIMEOUT, PROMPT_TIMEOUT)
    }

    pub fn new(
        service: impl Into<String>,
        probe_timeout: Duration,
        prompt_timeout: Duration,
    ) -> Self {
        Self {
            service: service.into(),
            probe_timeout,
            prompt_timeout,
        }
    }

    /// Whether a keychain answers at all (used at start to pick the store).
    pub async fn probe(&self) -> Result<()> {
        self.call("__topup_probe__", self.probe_timeout, |e| {
            match e.get_password() {
                Ok(_) | Err(keyring::Error::NoEntry) => Ok(()),
                Err(other) => Err(other),
            }
        })
        .await
    }

    async fn call<T: Send + 'static>(
        &self,
        account: &str,
        timeout: Duration,
        op: impl FnOnce(keyring::Entry) -> keyring::Result<T> + Send + 'static,
    ) -> Result<T> {
        let (service, account) = (self.service.clone(), account.to_owned());
        let task = tokio::task::spawn_blocking(move || {
            keyring::Entry::new(&service, &account).and_then(op)
        });
        match tokio::time::timeout(timeout, task).await {
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
            .call(account_id, self.prompt_timeout, |e| {
                match e.get_password() {
                    Ok(p) => Ok(Some(p)),
                    Err(keyring::Error::NoEntry) => Ok(None),
                    Err(other) => Err(other),
                }
            })
            .await?;
        Ok(found.map(SecretString::from))
    }

    async fn save(&self, account_id: &str, secret: &SecretString) -> Result<()> {
        check_size(secret.expose_secret(), SecretUnit::NATIVE)?;
        let value = secret.expose_secret().to_owned();
        self.call(account_id, self.prompt_timeout, move |e| {
            e.set_password(&value)
        })
        .await
    }

    async fn delete(&self, account_id: &str) -> Result<()> {
        self.call(account_id, self.prompt_timeout, |e| {
            match e.delete_credential() {
                Ok(()) | Err(keyring::Error::NoEntry) => Ok(()),
                Err(other) => Err(other),
            }
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

/// A session as stored in the keychain: small JSON (`{"kind": …}`), itself
/// a secret. The shape is each provider's ([`Session`]).
pub fn encode_session(session: &Session) -> Result<SecretString> {
    serde_json::to_string(session)
        .map(SecretString::from)
        .map_err(|e| Error::KeychainFailed {
            detail: e.to_string(),
        })
}

pub fn decode_session(secret: &SecretString) -> Result<Session> {
    serde_json::from_str(secret.expose_secret()).map_err(|_| Error::KeychainFailed {
        detail: "the stored sign-in is not readable".into(),
    })
}

/// `#[serde(with = …)]` for a secret field of a session: written out only
/// where the session itself goes, into the keychain.
pub(crate) mod stored_secret {
    use secrecy::{ExposeSecret, SecretString};
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(secret: &SecretString, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(secret.expose_secret())
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<SecretString, D::Error> {
        String::deserialize(d).map(SecretString::from)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clara::ClaraSession;
    use crate::dispersed::KeyPair;

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
    fn a_secret_is_measured_in_the_unit_of_its_store() {
        // 1,281 ASCII characters: 1,281 bytes in UTF-8, 2,562 in UTF-16.
        let long_ascii = "a".repeat(1281);
        assert!(check_size(&long_ascii, SecretUnit::Utf8).is_ok());
        let err = check_size(&long_ascii, SecretUnit::Utf16).unwrap_err();
        assert_eq!(err.code(), crate::ErrorCode::KeychainFailed);
        assert!(err.to_string().contains("2562 bytes"), "{err}");
        assert!(check_size(&"a".repeat(1280), SecretUnit::Utf16).is_ok());
        // 1,000 "é": 2,000 bytes either way. 900 "€": 2,700 in UTF-8, 1,800 in UTF-16.
        let accents = "é".repeat(1000);
        assert!(check_size(&accents, SecretUnit::Utf8).is_ok());
        assert!(check_size(&accents, SecretUnit::Utf16).is_ok());
        let euros = "€".repeat(900);
        assert!(check_size(&euros, SecretUnit::Utf8).is_err());
        assert!(check_size(&euros, SecretUnit::Utf16).is_ok());
        assert_eq!(
            SecretUnit::NATIVE,
            if cfg!(windows) {
                SecretUnit::Utf16
            } else {
                SecretUnit::Utf8
            }
        );
    }

    /// Sign-ins kept by earlier versions must still read: the stored JSON
    /// is pinned, byte for byte.
    #[test]
    fn the_stored_form_is_unchanged() {
        let clara = r#"{"kind":"clara","user_id":"user_1","token":"tok"}"#;
        let keys = r#"{"kind":"dispersed","public_key":"pk_1","secret_key":"sk_1"}"#;
        for stored in [clara, keys] {
            let session = decode_session(&SecretString::from(stored.to_owned())).unwrap();
            assert_eq!(encode_session(&session).unwrap().expose_secret(), stored);
        }
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
