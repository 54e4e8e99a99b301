//! The app's own preferences (not an account's): the colour theme and updates.
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

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct Preferences {
    pub theme: Theme,
    /// Look for a new version at start and once a day (the app and the CLI).
    pub check_for_updates: bool,
    /// Where updates are announced, instead of the release workflow's
    /// `latest.json`: an organisation's mirror, or a test server. Only ever
    /// set by editing this file, never from the environment, so nobody can
    /// point Topup elsewhere without writing to the person's own settings.
    /// Packages must still carry the signature of the key built into Topup.
    pub update_endpoint: Option<String>,
    /// Minutes between background balance checks; 0 turns them off.
    pub refresh_minutes: u32,
    /// Closing the window keeps Topup running in the tray.
    pub keep_in_tray: bool,
    /// The person has been told what closing the window does while alerts
    /// are on (asked once).
    pub close_explained: bool,
}

/// The file as read: one from an older version lacks the newer fields,
/// which take their defaults. (Said here rather than on `Preferences`, which
/// the UI receives whole.)
#[derive(Deserialize)]
#[serde(default)]
struct Stored {
    theme: Theme,
    check_for_updates: bool,
    update_endpoint: Option<String>,
    refresh_minutes: u32,
    keep_in_tray: bool,
    close_explained: bool,
}

impl Default for Stored {
    fn default() -> Self {
        let p = Preferences::default();
        Self {
            theme: p.theme,
            check_for_updates: p.check_for_updates,
            update_endpoint: p.update_endpoint,
            refresh_minutes: p.refresh_minutes,
            keep_in_tray: p.keep_in_tray,
            close_explained: p.close_explained,
        }
    }
}

impl<'de> Deserialize<'de> for Preferences {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        Stored::deserialize(d).map(Self::from)
    }
}

impl From<Stored> for Preferences {
    fn from(s: Stored) -> Self {
        Self {
            theme: s.theme,
            check_for_updates: s.check_for_updates,
            update_endpoint: s.update_endpoint,
            refresh_minutes: if s.refresh_minutes == 0
                || REFRESH_RANGE_MINUTES.contains(&s.refresh_minutes)
            {
                s.refresh_minutes
            } else {
                DEFAULT_REFRESH_MINUTES
            },
            keep_in_tray: s.keep_in_tray,
            close_explained: s.close_explained,
        }
    }
}

/// Minutes between background balance checks unless the person chose.
pub const DEFAULT_REFRESH_MINUTES: u32 = 15;
/// The shortest and longest a person may choose.
pub const REFRESH_RANGE_MINUTES: std::ops::RangeInclusive<u32> = 5..=60;

impl Default for Preferences {
    fn default() -> Self {
        Self {
            theme: Theme::default(),
            check_for_updates: true,
            update_endpoint: None,
            refresh_minutes: DEFAULT_REFRESH_MINUTES,
            keep_in_tray: false,
            close_explained: false,
        }
    }
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
        crate::sync::lock(&self.current).clone()
    }

    /// Changes the theme and writes the file; on failure nothing changes.
    pub fn set_theme(&self, theme: Theme) -> Result<Preferences> {
        self.change(|p| p.theme = theme)
    }

    /// Turns the daily look for updates on or off.
    pub fn set_check_for_updates(&self, on: bool) -> Result<Preferences> {
        self.change(|p| p.check_for_updates = on)
    }

    /// Minutes between background balance checks (5–60), or 0 for none.
    pub fn set_refresh_minutes(&self, minutes: u32) -> Result<Preferences> {
        let range = REFRESH_RANGE_MINUTES;
        if minutes != 0 && !range.contains(&minutes) {
            return Err(Error::InvalidSetting {
                message: format!(
                    "Balances can be checked every {} to {} minutes, or not at all.",
                    range.start(),
                    range.end()
                ),
            });
        }
        self.change(|p| p.refresh_minutes = minutes)
    }

    /// The gap between background checks, `None` when they are off.
    pub fn refresh_every(&self) -> Option<std::time::Duration> {
        let minutes = self.get().refresh_minutes;
        (minutes > 0).then(|| std::time::Duration::from_secs(u64::from(minutes) * 60))
    }

    /// Whether closing the window keeps Topup in the tray; also marks the
    /// choice as explained.
    pub fn set_keep_in_tray(&self, keep: bool) -> Result<Preferences> {
        self.change(|p| {
            p.keep_in_tray = keep;
            p.close_explained = true;
        })
    }

    fn change(&self, edit: impl FnOnce(&mut Preferences)) -> Result<Preferences> {
        let mut current = crate::sync::lock(&self.current);
        let mut next = current.clone();
        edit(&mut next);
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

    #[test]
    fn the_refresh_gap_is_five_to_sixty_minutes_or_off() {
        let dir = tempfile::tempdir().unwrap();
        let store = PreferenceStore::open(dir.path());
        assert_eq!(
            store.refresh_every(),
            Some(std::time::Duration::from_secs(15 * 60))
        );
        for refused in [1, 4, 61, 600] {
            let err = store.set_refresh_minutes(refused).unwrap_err();
            assert_eq!(err.code(), crate::ErrorCode::InvalidSetting);
        }
        store.set_refresh_minutes(0).unwrap();
        assert_eq!(PreferenceStore::open(dir.path()).refresh_every(), None);
        store.set_refresh_minutes(5).unwrap();
        assert_eq!(PreferenceStore::open(dir.path()).get().refresh_minutes, 5);
        // A hand-edited value out of range falls back to the default.
        fs::write(
            dir.path().join(PREFERENCES_FILE),
            "{\"refresh_minutes\": 2}",
        )
        .unwrap();
        assert_eq!(PreferenceStore::open(dir.path()).get().refresh_minutes, 15);
    }

    #[test]
    fn choosing_what_closing_does_marks_it_explained() {
        let dir = tempfile::tempdir().unwrap();
        let store = PreferenceStore::open(dir.path());
        assert!(!store.get().keep_in_tray && !store.get().close_explained);
        store.set_keep_in_tray(false).unwrap();
        let p = PreferenceStore::open(dir.path()).get();
        assert!(!p.keep_in_tray && p.close_explained);
    }
}
