//! What a person may change about an account after adding it: its name and
//! the provider settings that do not change who it talks to. The address is
//! fixed: a session belongs to one server, so another address is another
//! account.

use serde::Deserialize;

use crate::accounts::{checked_label, trimmed, AccountRecord};
use crate::error::{Error, Result};
use crate::provider::SignInMethod;
use crate::service::Accounts;

#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct AccountSettings {
    pub label: String,
    /// Clara only: lets Topup email two-factor codes and register accounts.
    pub public_api_key: Option<String>,
    /// Clara only: enables "Continue with Google".
    pub google_client_id: Option<String>,
    /// Extra origins checkout pages may open on, as typed: one per line, or
    /// separated by spaces or commas.
    #[serde(default)]
    pub checkout_origins: String,
}

impl Accounts {
    /// Checks and saves an account's settings, returning the new record.
    pub fn update_settings(&self, id: &str, settings: AccountSettings) -> Result<AccountRecord> {
        let record = self.record(id)?;
        let label = checked_label(&settings.label)?.ok_or_else(|| Error::InvalidSetting {
            message: "Give the account a name, so you can tell it apart from the others.".into(),
        })?;
        let public_api_key = trimmed(settings.public_api_key);
        let google_client_id = trimmed(settings.google_client_id);
        let offers = record.provider.capabilities();
        let google = offers.sign_in.contains(&SignInMethod::Google);
        if (public_api_key.is_some() && !offers.enrolment)
            || (google_client_id.is_some() && !google)
        {
            return Err(Error::InvalidSetting {
                message: format!(
                    "{} accounts have no public API key or Google sign-in.",
                    record.preset.preset().name
                ),
            });
        }
        let origins = crate::checkout::parse_origins(&settings.checkout_origins)?;
        self.edit_registry(|registry| {
            let r = registry.get_mut(id)?;
            // A name typed here is the person's; an unchanged one keeps following the sign-in.
            r.named = r.named || label != r.label;
            r.label = label;
            r.public_api_key = public_api_key;
            r.google_client_id = google_client_id;
            r.checkout_origins = origins;
            Ok(r.clone())
        })
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;
    use crate::accounts::{Registry, REGISTRY_FILE};
    use crate::http::{Http, HttpConfig};
    use crate::presets::PresetId;
    use crate::secrets::MemoryStore;
    use crate::service::NewAccount;
    use crate::ErrorCode;

    fn accounts(dir: &std::path::Path) -> Accounts {
        let path = dir.join(REGISTRY_FILE);
        Accounts::new(
            path.clone(),
            Registry::load(&path).unwrap(),
            Arc::new(MemoryStore::default()),
            Http::new(HttpConfig::default()).unwrap(),
            Arc::new(crate::clock::SystemClock),
            None,
        )
    }

    fn add(accounts: &Accounts, preset: PresetId) -> AccountRecord {
        accounts
            .add(NewAccount {
                preset: Some(preset),
                base_url: Some("https://backend.example.com/api/v1".into()),
                label: None,
                public_api_key: None,
                google_client_id: None,
                checkout_origins: String::new(),
            })
            .unwrap()
    }

    #[test]
    fn new_settings_are_saved_and_survive_a_restart() {
        let dir = tempfile::tempdir().unwrap();
        let service = accounts(dir.path());
        let record = add(&service, PresetId::CustomClara);
        let updated = service
            .update_settings(
                &record.id,
                AccountSettings {
                    label: "  Work  ".into(),
                    public_api_key: Some(" pk_live_123 ".into()),
                    google_client_id: Some("".into()),
                    checkout_origins: "https://pay.example.com\n https://pay.example.com/, \n"
                        .into(),
                },
            )
            .unwrap();
        assert_eq!(updated.label, "Work");
        assert_eq!(updated.public_api_key.as_deref(), Some("pk_live_123"));
        assert_eq!(updated.google_client_id, None);
        assert_eq!(updated.checkout_origins, vec!["https://pay.example.com"]);
        assert_eq!(
            updated.base_url, record.base_url,
            "the address never changes"
        );

        let reopened = accounts(dir.path());
        assert_eq!(reopened.record(&record.id).unwrap(), updated);
    }

    #[test]
    fn refused_settings_change_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let service = accounts(dir.path());
        let clara = add(&service, PresetId::CustomClara);
        let dispersed = add(&service, PresetId::Dispersed);
        let cases = [
            (
                &clara,
                AccountSettings {
                    label: "   ".into(),
                    ..Default::default()
                },
            ),
            (
                &clara,
                AccountSettings {
                    label: "x".repeat(crate::accounts::MAX_LABEL_CHARS + 1),
                    ..Default::default()
                },
            ),
            (
                &dispersed,
                AccountSettings {
                    label: "Compute".into(),
                    public_api_key: Some("pk".into()),
                    ..Default::default()
                },
            ),
        ];
        for (record, settings) in cases {
            let err = service.update_settings(&record.id, settings).unwrap_err();
            assert_eq!(err.code(), ErrorCode::InvalidSetting, "{err}");
        }
        let err = service
            .update_settings(
                &clara.id,
                AccountSettings {
                    label: "Work".into(),
                    checkout_origins: "http://pay.example.com".into(),
                    ..Default::default()
                },
            )
            .unwrap_err();
        assert_eq!(err.code(), ErrorCode::InvalidCheckoutOrigin);
        assert_eq!(accounts(dir.path()).record(&clara.id).unwrap(), clara);
        assert_eq!(
            service
                .update_settings(
                    "acct_gone",
                    AccountSettings {
                        label: "A".into(),
                        ..Default::default()
                    }
                )
                .unwrap_err()
                .code(),
            ErrorCode::UnknownAccount
        );
    }
}
