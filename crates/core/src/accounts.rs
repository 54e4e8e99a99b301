//! The account registry: which accounts exist, on which service, and which
//! one is active. Nothing secret lives here (tokens and keys are in the
//! keychain, see [`crate::secrets`]); the file is versioned JSON in the app's
//! config directory, written atomically.

use std::fs;
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::base_url::BaseUrl;
use crate::error::{Error, Result};
use crate::presets::PresetId;
use crate::provider::ProviderKind;

/// The file format's version; a newer file is refused rather than misread.
pub const REGISTRY_VERSION: u32 = 1;
pub const REGISTRY_FILE: &str = "accounts.json";

/// The longest account name kept (it titles the home screen and the switcher).
pub const MAX_LABEL_CHARS: usize = 60;

/// A name as typed for an account: trimmed, `None` when left empty, refused
/// when too long to title a screen.
pub(crate) fn checked_label(label: &str) -> Result<Option<String>> {
    let label = label.trim();
    if label.chars().count() > MAX_LABEL_CHARS {
        return Err(Error::InvalidSetting {
            message: format!("Keep the account's name under {MAX_LABEL_CHARS} characters."),
        });
    }
    Ok(Some(label.to_owned()).filter(|l| !l.is_empty()))
}

/// An optional text field as typed: trimmed, `None` when left empty.
pub(crate) fn trimmed(value: Option<String>) -> Option<String> {
    value.map(|v| v.trim().to_owned()).filter(|v| !v.is_empty())
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct AccountRecord {
    /// Stable local id; also the keychain entry's name.
    pub id: String,
    pub preset: PresetId,
    pub provider: ProviderKind,
    /// The service's address; `None` for the in-process Sandbox, whose port
    /// changes every run.
    pub base_url: Option<String>,
    /// The account's name, as the switcher and the sign-in screen show it.
    pub label: String,
    /// The person chose `label` (on first run or in settings); otherwise it
    /// is Topup's suggestion, and follows who signs in.
    #[serde(default)]
    pub named: bool,
    pub email: Option<String>,
    pub user_id: Option<String>,
    /// Clara's public API key, when the deployment's is known (OTP, register).
    pub public_api_key: Option<String>,
    /// A Google OAuth client id, when Google sign-in is configured.
    pub google_client_id: Option<String>,
    /// Extra origins a checkout page may be opened on (self-hosted, tests).
    #[serde(default)]
    pub checkout_origins: Vec<String>,
    /// Unix seconds.
    #[cfg_attr(feature = "specta", specta(type = i32))]
    pub created_at: i64,
    #[cfg_attr(feature = "specta", specta(type = i32))]
    pub last_used_at: i64,
}

impl AccountRecord {
    /// The validated base URL, or `None` for the Sandbox.
    pub fn base_url(&self) -> Result<Option<BaseUrl>> {
        self.base_url
            .as_deref()
            .map(BaseUrl::parse)
            .transpose()
            .map_err(Error::from)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Registry {
    pub version: u32,
    pub active: Option<String>,
    pub accounts: Vec<AccountRecord>,
}

impl Default for Registry {
    fn default() -> Self {
        Self {
            version: REGISTRY_VERSION,
            active: None,
            accounts: Vec::new(),
        }
    }
}

/// What went wrong opening the account list at start.
#[derive(Debug)]
pub enum RegistryProblem {
    /// Not a registry (cut short, edited by hand): set aside, started empty.
    Damaged(Error),
    /// Could not be read now; left untouched, and nothing is written over it.
    Unreadable(Error),
}

impl RegistryProblem {
    /// What the person is told at start.
    pub fn warning(&self) -> String {
        match self {
            Self::Damaged(e) => format!(
                "Topup's account list could not be read and was set aside ({e}). Add your accounts again."
            ),
            Self::Unreadable(e) => format!(
                "{e} Your accounts are safe on disk; Topup will read them again on your next change."
            ),
        }
    }
}

impl std::fmt::Display for RegistryProblem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Damaged(e) | Self::Unreadable(e) => e.fmt(f),
        }
    }
}

fn unreadable(path: &Path, e: impl std::fmt::Display) -> Error {
    Error::RegistryUnreadable {
        detail: format!("{}: {e}", path.display()),
    }
}

fn storage(what: &str, path: &Path, e: impl std::fmt::Display) -> Error {
    Error::StorageFailed {
        detail: format!("{what} {}: {e}", path.display()),
    }
}

impl Registry {
    /// Reads the registry; a missing file is an empty registry.
    pub fn load(path: &Path) -> Result<Self> {
        Self::read(path).map_err(|problem| match problem {
            RegistryProblem::Damaged(e) | RegistryProblem::Unreadable(e) => e,
        })
    }

    fn read(path: &Path) -> std::result::Result<Self, RegistryProblem> {
        let text = match crate::storage::read_text(path) {
            Ok(Some(t)) => t,
            Ok(None) => return Ok(Self::default()),
            Err(e) => return Err(RegistryProblem::Unreadable(unreadable(path, e))),
        };
        let registry: Self = serde_json::from_str(&text)
            .map_err(|e| RegistryProblem::Damaged(storage("cannot understand", path, e)))?;
        if registry.version > REGISTRY_VERSION {
            // Not damaged: the newer Topup that wrote it still needs it as it is.
            return Err(RegistryProblem::Unreadable(unreadable(
                path,
                format!(
                    "it was written by a newer Topup (version {})",
                    registry.version
                ),
            )));
        }
        Ok(registry)
    }

    /// Reads the registry so the app can start whatever it finds. A file that
    /// is not a registry is set aside (`accounts.json.damaged`) and the app
    /// starts empty; a file that cannot be read right now (another program
    /// holds it, its permissions, a newer Topup's format) stays exactly as it
    /// is, and [`crate::service::Accounts`] writes nothing over it.
    pub fn load_or_recover(path: &Path) -> (Self, Option<RegistryProblem>) {
        match Self::read(path) {
            Ok(r) => (r, None),
            Err(RegistryProblem::Damaged(e)) => {
                let aside = path.with_extension("json.damaged");
                let _ = fs::rename(path, &aside);
                (Self::default(), Some(RegistryProblem::Damaged(e)))
            }
            Err(unread) => (Self::default(), Some(unread)),
        }
    }

    /// Writes atomically (see [`crate::storage::write_atomic`]).
    pub fn save(&self, path: &Path) -> Result<()> {
        let json =
            serde_json::to_vec_pretty(self).map_err(|e| storage("cannot encode", path, e))?;
        crate::storage::write_atomic(path, &json).map_err(|e| storage("cannot write", path, e))
    }

    pub fn get(&self, id: &str) -> Result<&AccountRecord> {
        self.accounts
            .iter()
            .find(|a| a.id == id)
            .ok_or(Error::UnknownAccount)
    }

    pub fn get_mut(&mut self, id: &str) -> Result<&mut AccountRecord> {
        self.accounts
            .iter_mut()
            .find(|a| a.id == id)
            .ok_or(Error::UnknownAccount)
    }

    /// Adds an account and makes it active.
    pub fn add(&mut self, record: AccountRecord) {
        self.active = Some(record.id.clone());
        self.accounts.push(record);
    }

    /// Removes an account; the next one (if any) becomes active.
    pub fn remove(&mut self, id: &str) -> Result<AccountRecord> {
        let index = self
            .accounts
            .iter()
            .position(|a| a.id == id)
            .ok_or(Error::UnknownAccount)?;
        let removed = self.accounts.remove(index);
        if self.active.as_deref() == Some(id) {
            self.active = self.accounts.first().map(|a| a.id.clone());
        }
        Ok(removed)
    }

    pub fn set_active(&mut self, id: &str, now: i64) -> Result<()> {
        self.get_mut(id)?.last_used_at = now;
        self.active = Some(id.to_owned());
        Ok(())
    }
}

/// A new local account id: `acct_` and 16 hex characters.
pub fn new_account_id() -> String {
    use rand::RngCore;
    let mut bytes = [0u8; 8];
    rand::rng().fill_bytes(&mut bytes);
    format!("acct_{}", hex::encode(bytes))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::PathBuf;

    fn record(id: &str) -> AccountRecord {
        AccountRecord {
            id: id.into(),
            preset: PresetId::Clara,
            provider: ProviderKind::Clara,
            base_url: Some("https://backend.clara.crazi.co/api/v1".into()),
            label: "Clara".into(),
            named: false,
            email: Some("me@example.com".into()),
            user_id: Some("user_1".into()),
            public_api_key: None,
            google_client_id: None,
            checkout_origins: vec![],
            created_at: 1,
            last_used_at: 1,
        }
    }

    fn tempdir() -> PathBuf {
        let dir = std::env::temp_dir().join(format!("topup-registry-{}", new_account_id()));
        fs::create_dir_all(&dir).unwrap();
        dir
    }

    #[test]
    fn round_trips_atomically_and_keeps_no_temporary_files() {
        let dir = tempdir();
        let path = dir.join(REGISTRY_FILE);
        assert_eq!(
            Registry::load(&path).unwrap(),
            Registry::default(),
            "missing file: empty"
        );
        let mut r = Registry::default();
        r.add(record("acct_a"));
        r.add(record("acct_b"));
        r.save(&path).unwrap();
        let back = Registry::load(&path).unwrap();
        assert_eq!(back, r);
        assert_eq!(back.active.as_deref(), Some("acct_b"));
        let names: Vec<_> = fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names, [std::ffi::OsString::from(REGISTRY_FILE)]);
        fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn removing_the_active_account_activates_another() {
        let mut r = Registry::default();
        r.add(record("acct_a"));
        r.add(record("acct_b"));
        r.remove("acct_b").unwrap();
        assert_eq!(r.active.as_deref(), Some("acct_a"));
        r.remove("acct_a").unwrap();
        assert_eq!(r.active, None);
        assert_eq!(
            r.remove("acct_a").unwrap_err().code(),
            crate::ErrorCode::UnknownAccount
        );
    }

    #[test]
    fn damaged_or_newer_files_are_not_misread() {
        let dir = tempdir();
        let path = dir.join(REGISTRY_FILE);
        fs::write(&path, "{ not json").unwrap();
        assert_eq!(
            Registry::load(&path).unwrap_err().code(),
            crate::ErrorCode::StorageFailed
        );
        let (r, warning) = Registry::load_or_recover(&path);
        assert_eq!(r, Registry::default());
        assert!(warning.is_some());
        assert!(
            dir.join("accounts.json.damaged").exists(),
            "the damaged file is kept aside"
        );
        let newer = r#"{"version": 99, "active": null, "accounts": []}"#;
        fs::write(&path, newer).unwrap();
        assert!(Registry::load(&path)
            .unwrap_err()
            .to_string()
            .contains("newer Topup"));
        let (r, problem) = Registry::load_or_recover(&path);
        assert_eq!(r, Registry::default());
        assert!(matches!(problem, Some(RegistryProblem::Unreadable(_))));
        assert_eq!(
            fs::read_to_string(&path).unwrap(),
            newer,
            "a newer Topup's file is left for it"
        );
        fs::remove_dir_all(dir).unwrap();
    }
}
