//! The app's own preferences (not an account's): for now the colour theme.
//! Kept beside the registry as `preferences.json`; a missing or unreadable
//! file means the defaults, since nothing here is worth refusing to start for.

use std::fs;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

pub const PREFERENCES_FILE: &str = "preferences.json";

/// Light, dark, or whatever the operating system uses.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum Theme {
    #[default]
    System,
    Light,
    Dark,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct Preferences {
    pub theme: Theme,
}

/// Where the preferences live, and the copy in use.
#[derive(Debug)]
pub struct PreferenceStore {
    path: PathBuf,
    current: std::sync::Mutex<Preferences>,
}

impl PreferenceStore {
    /// Reads `dir/preferences.json`; anything unreadable gives the defaults
    /// (and is overwritten at the next change).
    pub fn open(dir: &Path) -> Self {
        let path = dir.join(PREFERENCES_FILE);
        let current = fs::read_to_string(&path)
            .ok()
            .and_then(|text| match serde_json::from_str(&text) {
                Ok(p) => Some(p),
                Err(e) => {
                    tracing::warn!(error = %e, "preferences unreadable; using the defaults");
                    None
                }
            })
            .unwrap_or_default();
        Self {
            path,
            current: std::sync::Mutex::new(current),
        }
    }

    pub fn get(&self) -> Preferences {
        crate::service::lock(&self.current).clone()
    }

    /// Changes the theme and writes the file; on failure nothing changes.
    pub fn set_theme(&self, theme: Theme) -> Result<Preferences> {
        let mut current = crate::service::lock(&self.current);
        let next = Preferences { theme };
        let json = serde_json::to_vec_pretty(&next).map_err(|e| Error::StorageFailed {
            detail: e.to_string(),
        })?;
        crate::storage::write_atomic(&self.path, &json).map_err(|e| Error::StorageFailed {
            detail: format!("{}: {e}", self.path.display()),
        })?;
        *current = next.clone();
        Ok(next)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_chosen_theme_survives_a_restart() {
        let dir = tempfile::tempdir().unwrap();
        let store = PreferenceStore::open(dir.path());
        assert_eq!(store.get().theme, Theme::System);
        store.set_theme(Theme::Dark).unwrap();
        assert_eq!(PreferenceStore::open(dir.path()).get().theme, Theme::Dark);
        let text = fs::read_to_string(dir.path().join(PREFERENCES_FILE)).unwrap();
        assert!(text.contains("\"dark\""), "{text}");
    }

    #[test]
    fn a_damaged_or_unknown_file_means_the_defaults() {
        let dir = tempfile::tempdir().unwrap();
        fs::write(dir.path().join(PREFERENCES_FILE), "{\"theme\": \"sepia\"").unwrap();
        assert_eq!(
            PreferenceStore::open(dir.path()).get(),
            Preferences::default()
        );
        // Fields from a newer version are ignored, known ones kept.
        fs::write(
            dir.path().join(PREFERENCES_FILE),
            "{\"theme\": \"light\", \"density\": \"compact\"}",
        )
        .unwrap();
        assert_eq!(PreferenceStore::open(dir.path()).get().theme, Theme::Light);
    }

    #[test]
    fn a_failed_write_keeps_the_previous_theme() {
        let dir = tempfile::tempdir().unwrap();
        // A directory where the file should be makes the rename fail.
        fs::create_dir(dir.path().join(PREFERENCES_FILE)).unwrap();
        let store = PreferenceStore::open(dir.path());
        let err = store.set_theme(Theme::Dark).unwrap_err();
        assert_eq!(err.code(), crate::ErrorCode::StorageFailed);
        assert_eq!(store.get().theme, Theme::System);
    }
}
