//! The services offered on first run. A preset is what the person picks
//! ("Clara", "a Clara-compatible server", …); its [`ProviderKind`] is the
//! protocol Topup speaks to it. Several presets share a kind: a custom Flask
//! Backend Boilerplate deployment speaks Clara.

use serde::{Deserialize, Serialize};

use crate::base_url::BaseUrl;
use crate::error::Error;
use crate::provider::{Capabilities, ProviderKind, SignInMethod};

/// The choices offered when adding an account.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum PresetId {
    Clara,
    Dispersed,
    CustomClara,
    Sandbox,
}

/// One entry of the first-run provider choice.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct Preset {
    pub id: PresetId,
    pub name: String,
    /// One line saying what this choice is for.
    pub summary: String,
    pub provider: ProviderKind,
    /// The fixed address of the service; `None` when the person supplies it
    /// (custom) or the app does (the in-process Sandbox).
    pub base_url: Option<BaseUrl>,
    /// Currency the service sells credits in (ISO 4217).
    pub currency: String,
    pub sign_in: Vec<SignInMethod>,
    /// Whether the person types the service's address when adding it.
    pub address: AddressEntry,
    /// The service runs inside Topup (the Sandbox): only with `--sandbox`.
    pub runs_in_app: bool,
    /// What the service offers ([`ProviderKind::capabilities`]).
    pub capabilities: Capabilities,
}

/// How a preset's address is chosen.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum AddressEntry {
    /// Fixed (the service's own), or the app's (the Sandbox).
    None,
    /// The service's own unless another is typed (a stand-in, a staging server).
    Optional,
    /// The person types it (a self-hosted deployment).
    Required,
}

/// Clara's production API.
pub const CLARA_BASE_URL: &str = "https://backend.clara.crazi.co/api/v1";
/// Dispersed's production API.
pub const DISPERSED_BASE_URL: &str = "https://api.dispersed.com";

impl PresetId {
    pub const ALL: [Self; 4] = [
        Self::Clara,
        Self::Dispersed,
        Self::CustomClara,
        Self::Sandbox,
    ];

    /// Looks a preset up by its wire name, as stored in settings or typed in a CLI.
    pub fn from_name(name: &str) -> Result<Self, Error> {
        Self::ALL
            .into_iter()
            .find(|id| id.name() == name)
            .ok_or_else(|| Error::UnknownPreset(name.to_owned()))
    }

    pub const fn name(self) -> &'static str {
        match self {
            Self::Clara => "clara",
            Self::Dispersed => "dispersed",
            Self::CustomClara => "custom_clara",
            Self::Sandbox => "sandbox",
        }
    }

    pub fn preset(self) -> Preset {
        let fixed = |url: &str| BaseUrl::parse(url).ok();
        let clara_methods = vec![
            SignInMethod::EmailPassword,
            SignInMethod::ApiKeyToken,
            SignInMethod::Google,
        ];
        match self {
            Self::Clara => Preset {
                id: self,
                name: "Clara".into(),
                summary: "Credits for Clara's AI agents, paid in US dollars.".into(),
                provider: ProviderKind::Clara,
                base_url: fixed(CLARA_BASE_URL),
                currency: "USD".into(),
                sign_in: clara_methods,
                address: AddressEntry::None,
                runs_in_app: false,
                capabilities: ProviderKind::Clara.capabilities(),
            },
            Self::Dispersed => Preset {
                id: self,
                name: "Dispersed".into(),
                summary: "Compute credits on Dispersed, paid in euros, with an API key pair."
                    .into(),
                provider: ProviderKind::Dispersed,
                base_url: fixed(DISPERSED_BASE_URL),
                currency: "EUR".into(),
                sign_in: vec![SignInMethod::KeyPair],
                address: AddressEntry::Optional,
                runs_in_app: false,
                capabilities: ProviderKind::Dispersed.capabilities(),
            },
            Self::CustomClara => Preset {
                id: self,
                name: "Clara-compatible server".into(),
                summary: "Any Flask Backend Boilerplate deployment, at an address you enter."
                    .into(),
                provider: ProviderKind::Clara,
                base_url: None,
                currency: "USD".into(),
                sign_in: clara_methods,
                address: AddressEntry::Required,
                runs_in_app: false,
                capabilities: ProviderKind::Clara.capabilities(),
            },
            Self::Sandbox => Preset {
                id: self,
                name: "Sandbox".into(),
                summary: "A built-in practice service: try the whole flow offline with test cards."
                    .into(),
                provider: ProviderKind::Clara,
                base_url: None,
                currency: "USD".into(),
                sign_in: vec![SignInMethod::EmailPassword, SignInMethod::ApiKeyToken],
                address: AddressEntry::None,
                runs_in_app: true,
                capabilities: ProviderKind::Clara.capabilities(),
            },
        }
    }
}

/// The presets in the order the first-run screen offers them.
pub fn presets() -> Vec<Preset> {
    PresetId::ALL.into_iter().map(PresetId::preset).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fixed_presets_carry_their_production_addresses() {
        let clara = PresetId::Clara.preset();
        assert_eq!(clara.base_url.unwrap().as_str(), CLARA_BASE_URL);
        let dispersed = PresetId::Dispersed.preset();
        assert_eq!(dispersed.base_url.unwrap().as_str(), DISPERSED_BASE_URL);
        assert_eq!(dispersed.provider, ProviderKind::Dispersed);
        assert_eq!(dispersed.sign_in, vec![SignInMethod::KeyPair]);
    }

    #[test]
    fn presets_are_offered_in_order_with_a_summary_each() {
        let all = presets();
        let ids: Vec<_> = all.iter().map(|p| p.id).collect();
        assert_eq!(ids, PresetId::ALL);
        assert!(all.iter().all(|p| !p.summary.is_empty()));
    }

    #[test]
    fn preset_names_round_trip() {
        for id in PresetId::ALL {
            assert_eq!(PresetId::from_name(id.name()).unwrap(), id);
            let wire = serde_json::to_string(&id).unwrap();
            assert_eq!(wire, format!("\"{}\"", id.name()));
        }
        let err = PresetId::from_name("acme").unwrap_err();
        assert_eq!(err.code(), crate::ErrorCode::UnknownPreset);
    }
}
