//! Updates: where they come from, how often to look, what the app shows while
//! one is found, waited for and installed, and the CLI's once-a-day hint.
//!
//! Installing is the front end's (the desktop app's updater plugin verifies
//! the package's signature against the key built into the app, then installs
//! it); everything it decides on is here, so the window, the CLI and the tray
//! agree on it.

use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use serde::{Deserialize, Serialize};

use crate::base_url::BaseUrl;
use crate::error::{Error, ErrorCode, Result};
use crate::http::{Http, HttpConfig, Idempotency, RetryPolicy};
use crate::preferences::Preferences;

/// Where releases announce themselves: the release workflow's `latest.json`.
pub const DEFAULT_ENDPOINT: &str =
    "https://github.com/topup-app/topup/releases/latest/download/latest.json";

/// Where the release notes are, for the CLI's hint.
pub const RELEASES_PAGE: &str = "https://github.com/topup-app/topup/releases/latest";

/// How often a running app (and the CLI) looks for a new version.
pub const CHECK_EVERY: Duration = Duration::from_secs(24 * 60 * 60);

/// The CLI's record of its last look, beside the registry.
pub const HINT_FILE: &str = "update-check.json";

/// The manifest to read: the one in the preferences (an explicit setting, for
/// an organisation's mirror, or a test server), else the release workflow's.
/// Held to the rule for services: https, or http on this computer only.
pub fn endpoint(preferences: &Preferences) -> Result<BaseUrl> {
    match preferences.update_endpoint.as_deref() {
        Some(url) => BaseUrl::parse(url).map_err(|e| Error::InvalidSetting {
            message: format!("The update address in Topup's preferences cannot be used: {e}"),
        }),
        None => Ok(BaseUrl::parse(DEFAULT_ENDPOINT)?),
    }
}

/// A release as `latest.json` announces it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct Release {
    pub version: String,
    /// What's new, as the release workflow wrote it.
    #[serde(default)]
    pub notes: Option<String>,
    /// RFC 3339, when published.
    #[serde(default)]
    pub pub_date: Option<String>,
}

/// Whether `candidate` is a later version than `current` (semantic versions;
/// anything unreadable is not newer).
pub fn is_newer(current: &str, candidate: &str) -> bool {
    match (
        semver::Version::parse(current.trim_start_matches('v')),
        semver::Version::parse(candidate.trim_start_matches('v')),
    ) {
        (Ok(current), Ok(candidate)) => candidate > current,
        _ => false,
    }
}

/// Reads the manifest: the release it announces, whatever its version.
pub async fn latest_release(http: &Http, endpoint: &BaseUrl) -> Result<Release> {
    let url = endpoint.as_url().clone();
    http.send(
        Idempotency::Idempotent,
        |c| Ok(c.get(url.clone())),
        |response| {
            if let Some(err) = crate::http::common_status_error(&response) {
                return Err(err);
            }
            if !response.status.is_success() {
                return Err(Error::malformed(format!(
                    "the update manifest answered HTTP {}",
                    response.status.as_u16()
                )));
            }
            serde_json::from_slice(&response.body)
                .map_err(|e| Error::malformed(format!("the update manifest: {e}")))
        },
    )
    .await
}

/// What the app shows about updates.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum UpdateStatus {
    /// This copy was not installed from a package the updater can replace (a
    /// development build): it never looks.
    Unsupported,
    /// Not looked yet (or looking is turned off).
    Idle,
    Checking,
    UpToDate,
    /// A newer version can be installed.
    Available {
        release: Release,
    },
    /// Asked to install while purchases are watched: it starts once none is.
    WaitingForPurchases {
        release: Release,
        watching: u32,
    },
    /// Downloading, verifying and installing; the app restarts after.
    Installing {
        release: Release,
    },
    Failed {
        code: ErrorCode,
        message: String,
        /// The release that failed to install, so it can be tried again.
        release: Option<Release>,
    },
}

/// The update's course through a run of the app: each event gives the next
/// status, and says when installing should begin.
#[derive(Debug, Clone)]
pub struct UpdateFlow {
    status: UpdateStatus,
    current: String,
}

impl UpdateFlow {
    pub fn new(current_version: impl Into<String>) -> Self {
        Self {
            status: UpdateStatus::Idle,
            current: current_version.into(),
        }
    }

    /// For a copy that cannot update itself: stays `Unsupported`.
    pub fn unsupported(current_version: impl Into<String>) -> Self {
        Self {
            status: UpdateStatus::Unsupported,
            current: current_version.into(),
        }
    }

    pub fn status(&self) -> &UpdateStatus {
        &self.status
    }

    /// The release being offered, waited for or installed, if any.
    pub fn release(&self) -> Option<&Release> {
        match &self.status {
            UpdateStatus::Available { release }
            | UpdateStatus::WaitingForPurchases { release, .. }
            | UpdateStatus::Installing { release } => Some(release),
            UpdateStatus::Failed { release, .. } => release.as_ref(),
            _ => None,
        }
    }

    /// Whether a check may start now (not while one runs or installing).
    pub fn check_started(&mut self) -> bool {
        match self.status {
            UpdateStatus::Unsupported
            | UpdateStatus::Checking
            | UpdateStatus::Installing { .. }
            | UpdateStatus::WaitingForPurchases { .. } => false,
            _ => {
                self.status = UpdateStatus::Checking;
                true
            }
        }
    }

    /// A check ended: with the newest release (if newer than this one), or
    /// with why it failed.
    pub fn checked(&mut self, outcome: Result<Option<Release>, (ErrorCode, String)>) {
        self.status = match outcome {
            Ok(Some(release)) if is_newer(&self.current, &release.version) => {
                UpdateStatus::Available { release }
            }
            Ok(_) => UpdateStatus::UpToDate,
            Err((code, message)) => UpdateStatus::Failed {
                code,
                message,
                release: None,
            },
        };
    }

    /// The person asked to restart to update, with `watching` purchases
    /// being watched: true when installing should start now.
    pub fn install_requested(&mut self, watching: usize) -> bool {
        let Some(release) = self.release().cloned() else {
            return false;
        };
        if matches!(self.status, UpdateStatus::Installing { .. }) {
            return false;
        }
        if watching > 0 {
            self.status = waiting(release, watching);
            false
        } else {
            self.status = UpdateStatus::Installing { release };
            true
        }
    }

    /// The number of watched purchases changed: true when a waiting install
    /// should start now.
    pub fn watching_changed(&mut self, watching: usize) -> bool {
        match &self.status {
            UpdateStatus::WaitingForPurchases { release, .. } => {
                let release = release.clone();
                if watching == 0 {
                    self.status = UpdateStatus::Installing { release };
                    true
                } else {
                    self.status = waiting(release, watching);
                    false
                }
            }
            _ => false,
        }
    }

    /// Installing failed; the release stays on offer.
    pub fn install_failed(&mut self, code: ErrorCode, message: String) {
        let release = self.release().cloned();
        self.status = UpdateStatus::Failed {
            code,
            message,
            release,
        };
    }
}

fn waiting(release: Release, watching: usize) -> UpdateStatus {
    UpdateStatus::WaitingForPurchases {
        release,
        watching: u32::try_from(watching).unwrap_or(u32::MAX),
    }
}

/// The CLI's last look for a newer version.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
struct HintRecord {
    /// Unix seconds.
    checked_at: i64,
}

/// The CLI's hint: at most one look (and one line) a day.
pub struct CliHint {
    path: PathBuf,
}

impl CliHint {
    pub fn new(config_dir: &Path) -> Self {
        Self {
            path: config_dir.join(HINT_FILE),
        }
    }

    /// Whether a day has passed since the last look (or there was none).
    pub fn due(&self, now: SystemTime) -> bool {
        let last = std::fs::read(&self.path)
            .ok()
            .and_then(|bytes| serde_json::from_slice::<HintRecord>(&bytes).ok())
            .map_or(0, |r| r.checked_at);
        crate::provider::unix(now).saturating_sub(last) >= CHECK_EVERY.as_secs() as i64
    }

    /// Looks for a newer version than `current` once a day and returns the
    /// line to print, if there is one. A failed look is silent: the hint is
    /// a courtesy, never in the way of the command that ran, so it is asked
    /// with short timeouts and no retries.
    pub async fn check(
        &self,
        preferences: &Preferences,
        current: &str,
        now: SystemTime,
    ) -> Option<String> {
        if !preferences.check_for_updates || !self.due(now) {
            return None;
        }
        let endpoint = endpoint(preferences).ok()?;
        let http = Http::new(HttpConfig {
            connect_timeout: Duration::from_secs(2),
            request_timeout: Duration::from_secs(3),
            retry: RetryPolicy {
                max_attempts: 1,
                ..RetryPolicy::default()
            },
            ..HttpConfig::default()
        })
        .ok()?;
        // Recorded before the look, so a server that never answers is not
        // asked again at every command.
        let record = HintRecord {
            checked_at: crate::provider::unix(now),
        };
        if let Ok(json) = serde_json::to_vec(&record) {
            if let Err(e) = crate::storage::write_atomic(&self.path, &json) {
                tracing::debug!(error = %e, "update hint not recorded");
                return None;
            }
        }
        let release = latest_release(&http, &endpoint).await.ok()?;
        is_newer(current, &release.version).then(|| {
            format!(
                "Topup {} is available (this is {current}): {RELEASES_PAGE}",
                release.version
            )
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn release(version: &str) -> Release {
        Release {
            version: version.into(),
            notes: Some("Faster".into()),
            pub_date: None,
        }
    }

    #[test]
    fn only_a_later_version_is_newer() {
        assert!(is_newer("0.1.0", "0.2.0"));
        assert!(is_newer("0.1.0", "v0.1.1"));
        assert!(!is_newer("0.2.0", "0.1.9"));
        assert!(!is_newer("0.1.0", "0.1.0"));
        assert!(!is_newer("0.1.0", "0.1.0-rc.1"));
        assert!(!is_newer("0.1.0", "latest"));
    }

    #[test]
    fn the_endpoint_is_the_release_workflows_unless_set_and_never_plain_http_afar() {
        let mut p = Preferences::default();
        assert_eq!(endpoint(&p).unwrap().as_url().as_str(), DEFAULT_ENDPOINT);
        p.update_endpoint = Some("http://127.0.0.1:9/latest.json".into());
        assert!(endpoint(&p).unwrap().is_loopback());
        p.update_endpoint = Some("http://updates.example.com/latest.json".into());
        assert_eq!(endpoint(&p).unwrap_err().code(), ErrorCode::InvalidSetting);
    }

    #[test]
    fn a_found_update_waits_for_watched_purchases_then_installs() {
        let mut flow = UpdateFlow::new("0.1.0");
        assert!(flow.check_started());
        assert!(!flow.check_started(), "one check at a time");
        flow.checked(Ok(Some(release("0.2.0"))));
        assert_eq!(
            flow.status(),
            &UpdateStatus::Available {
                release: release("0.2.0")
            }
        );
        assert!(!flow.install_requested(2));
        assert_eq!(
            flow.status(),
            &UpdateStatus::WaitingForPurchases {
                release: release("0.2.0"),
                watching: 2
            }
        );
        assert!(!flow.check_started(), "no check while waiting to install");
        assert!(!flow.watching_changed(1));
        assert!(flow.watching_changed(0));
        assert_eq!(
            flow.status(),
            &UpdateStatus::Installing {
                release: release("0.2.0")
            }
        );
        assert!(!flow.install_requested(0), "already installing");
    }

    #[test]
    fn nothing_newer_is_up_to_date_and_a_failed_install_can_be_retried() {
        let mut flow = UpdateFlow::new("0.2.0");
        assert!(!flow.install_requested(0), "nothing to install");
        flow.check_started();
        flow.checked(Ok(Some(release("0.2.0"))));
        assert_eq!(flow.status(), &UpdateStatus::UpToDate);
        assert!(!flow.watching_changed(0));

        let mut flow = UpdateFlow::new("0.1.0");
        flow.checked(Ok(Some(release("0.2.0"))));
        assert!(flow.install_requested(0));
        flow.install_failed(ErrorCode::UpdateUnverified, "refused".into());
        assert!(
            matches!(flow.status(), UpdateStatus::Failed { code: ErrorCode::UpdateUnverified, release: Some(r), .. } if r.version == "0.2.0")
        );
        assert!(flow.install_requested(0), "tried again");

        let mut flow = UpdateFlow::unsupported("0.1.0");
        assert!(!flow.check_started());
        assert_eq!(flow.status(), &UpdateStatus::Unsupported);
    }

    #[test]
    fn the_cli_looks_at_most_once_a_day() {
        let dir = tempfile::tempdir().unwrap();
        let hint = CliHint::new(dir.path());
        let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_800_000_000);
        assert!(hint.due(now));
        let record = HintRecord {
            checked_at: crate::provider::unix(now),
        };
        std::fs::write(
            dir.path().join(HINT_FILE),
            serde_json::to_vec(&record).unwrap(),
        )
        .unwrap();
        assert!(!hint.due(now + CHECK_EVERY - Duration::from_secs(1)));
        assert!(hint.due(now + CHECK_EVERY));
    }
}
