//! Self-update through `tauri-plugin-updater`: a look at start and once a day
//! (unless turned off), "Restart to update" when the person asks, never while
//! a purchase is watched. What to show and when to install is core's
//! `UpdateFlow`; this module runs the plugin and tells the UI.
//!
//! The plugin checks each package against the public key in `tauri.conf.json`
//! (`plugins.updater.pubkey`) and the version the signature was made for
//! (`requireSignedVersion`) before it installs anything.

use std::sync::{Arc, Mutex, MutexGuard};

use serde::Serialize;
use tauri::{AppHandle, Manager, Runtime};
use tauri_plugin_updater::UpdaterExt;
use tauri_specta::Event;
use topup_core::preferences::PreferenceStore;
use topup_core::updates::{Release, UpdateFlow, UpdateStatus, CHECK_EVERY};
use topup_core::watch::Supervisor;
use topup_core::ErrorCode;

/// Sent whenever the update's status changes.
#[derive(Debug, Clone, PartialEq, Serialize, specta::Type, tauri_specta::Event)]
pub struct UpdateChanged {
    pub status: UpdateStatus,
}

/// The self-update's course, managed as its own Tauri state.
pub struct Updates {
    flow: Mutex<UpdateFlow>,
    /// The plugin's handle on the release found by the last check.
    found: Mutex<Option<tauri_plugin_updater::Update>>,
    /// Installing waits until it watches no purchase.
    watches: Arc<Supervisor>,
    /// Whether to look daily, and which update channel.
    preferences: Arc<PreferenceStore>,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

impl Updates {
    pub fn new(
        current_version: String,
        watches: Arc<Supervisor>,
        preferences: Arc<PreferenceStore>,
    ) -> Self {
        let flow = if installed_from_a_package() {
            UpdateFlow::new(current_version)
        } else {
            UpdateFlow::unsupported(current_version)
        };
        Self {
            flow: Mutex::new(flow),
            found: Mutex::new(None),
            watches,
            preferences,
        }
    }

    pub fn status(&self) -> UpdateStatus {
        lock(&self.flow).status().clone()
    }
}

/// Linux packages, Windows installers and macOS bundles record what they
/// are in the binary (the bundler patches it); a `cargo build` has nothing
/// the updater could replace.
fn installed_from_a_package() -> bool {
    tauri::utils::platform::bundle_type().is_some()
}

fn emit<R: Runtime>(app: &AppHandle<R>, status: UpdateStatus) {
    if let Err(e) = (UpdateChanged { status }).emit(app) {
        tracing::warn!(error = %e, "update event not delivered");
    }
}

/// Starts the daily look (the first one now) and the wait for watched
/// purchases to end. Nothing runs in a development build.
pub fn start<R: Runtime>(app: &AppHandle<R>) {
    let Some(state) = app.try_state::<Updates>() else {
        return;
    };
    if state.status() == UpdateStatus::Unsupported {
        tracing::info!("not installed from a package: no self-update");
        return;
    }
    let daily = app.clone();
    tauri::async_runtime::spawn(async move {
        loop {
            let wanted = daily
                .try_state::<Updates>()
                .is_some_and(|s| s.preferences.get().check_for_updates);
            if wanted {
                check(&daily).await;
            }
            tokio::time::sleep(CHECK_EVERY).await;
        }
    });
    let mut watching = state.watches.watching();
    let waiter = app.clone();
    tauri::async_runtime::spawn(async move {
        while watching.changed().await.is_ok() {
            let count = *watching.borrow_and_update();
            let Some(state) = waiter.try_state::<Updates>() else {
                return;
            };
            let (install_now, status) = {
                let mut flow = lock(&state.flow);
                let now = flow.watching_changed(count);
                (now, flow.status().clone())
            };
            if matches!(status, UpdateStatus::WaitingForPurchases { .. }) || install_now {
                emit(&waiter, status);
            }
            if install_now {
                install(&waiter);
            }
        }
    });
}

/// Looks for a newer version now; the status it ends in.
pub async fn check<R: Runtime>(app: &AppHandle<R>) -> UpdateStatus {
    let Some(state) = app.try_state::<Updates>() else {
        return UpdateStatus::Idle;
    };
    let updates = &*state;
    // Not while one runs or installs, and never in a development build.
    if !lock(&updates.flow).check_started() {
        return updates.status();
    }
    emit(app, UpdateStatus::Checking);
    let outcome = look(app, &state.preferences.get()).await;
    let status = {
        let mut flow = lock(&updates.flow);
        match outcome {
            Ok(Some(update)) => {
                let release = Release {
                    version: update.version.clone(),
                    notes: update.body.clone(),
                    pub_date: update
                        .raw_json
                        .get("pub_date")
                        .and_then(|d| d.as_str())
                        .map(str::to_owned),
                };
                *lock(&updates.found) = Some(update);
                flow.checked(Ok(Some(release)));
            }
            Ok(None) => flow.checked(Ok(None)),
            Err((code, message)) => {
                tracing::warn!(%code, "update check failed");
                flow.checked(Err((code, message)));
            }
        }
        flow.status().clone()
    };
    tracing::info!(status = ?status, "update check");
    emit(app, status.clone());
    status
}

async fn look<R: Runtime>(
    app: &AppHandle<R>,
    preferences: &topup_core::preferences::Preferences,
) -> Result<Option<tauri_plugin_updater::Update>, (ErrorCode, String)> {
    let endpoint =
        topup_core::updates::endpoint(preferences).map_err(|e| (e.code(), e.to_string()))?;
    let updater = app
        .updater_builder()
        .endpoints(vec![endpoint.as_url().clone()])
        .and_then(|b| b.build())
        .map_err(|e| described(&e, None))?;
    updater.check().await.map_err(|e| described(&e, None))
}

/// "Restart to update": installs now, or once no purchase is watched.
pub fn request_install<R: Runtime>(app: &AppHandle<R>) -> UpdateStatus {
    let Some(state) = app.try_state::<Updates>() else {
        return UpdateStatus::Idle;
    };
    let watching = *state.watches.watching().borrow();
    let (now, status) = {
        let mut flow = lock(&state.flow);
        let now = flow.install_requested(watching);
        (now, flow.status().clone())
    };
    emit(app, status.clone());
    if now {
        install(app);
    }
    status
}

/// Downloads, verifies and installs the found release, then restarts; on
/// failure the release stays on offer with what went wrong.
fn install<R: Runtime>(app: &AppHandle<R>) {
    let app = app.clone();
    tauri::async_runtime::spawn(async move {
        let Some(state) = app.try_state::<Updates>() else {
            return;
        };
        let found = lock(&state.found).clone();
        let result = match &found {
            Some(update) => {
                tracing::info!(version = %update.version, "installing an update");
                update
                    .download_and_install(|_, _| {}, || {})
                    .await
                    .map_err(|e| described(&e, Some(&update.version)))
            }
            None => Err((
                ErrorCode::UpdateFailed,
                "There is no update to install: look for one again.".to_owned(),
            )),
        };
        match result {
            Ok(()) => {
                tracing::info!("update installed; restarting");
                app.restart();
            }
            Err((code, message)) => {
                tracing::warn!(%code, "update not installed");
                let status = {
                    let mut flow = lock(&state.flow);
                    flow.install_failed(code, message);
                    flow.status().clone()
                };
                emit(&app, status);
            }
        }
    });
}

/// The plugin's error as a code and a sentence for the person.
fn described(err: &tauri_plugin_updater::Error, version: Option<&str>) -> (ErrorCode, String) {
    use tauri_plugin_updater::Error as E;
    let update = version.map_or_else(|| "The update".to_owned(), |v| format!("Topup {v}"));
    match err {
        E::Minisign(_)
        | E::Base64(_)
        | E::SignatureUtf8(_)
        | E::SignedVersionMismatch { .. }
        | E::MissingSignedVersion => (
            ErrorCode::UpdateUnverified,
            format!(
                "{update} was refused: its signature does not match Topup's key, so it may have been changed by someone else. Nothing was installed."
            ),
        ),
        E::Reqwest(_) | E::Network(_) => (
            ErrorCode::UpdateFailed,
            "Topup could not reach its update server. Check your internet connection (or your proxy settings) and try again.".to_owned(),
        ),
        E::InsecureTransportProtocol => (
            ErrorCode::UpdateFailed,
            "The update address must use https.".to_owned(),
        ),
        E::AuthenticationFailed | E::PackageInstallFailed | E::DebInstallFailed => (
            ErrorCode::UpdateFailed,
            format!(
                "{update} could not be installed: the system did not allow it (installing needs an administrator). Nothing was changed."
            ),
        ),
        E::ReleaseNotFound | E::TargetNotFound(_) | E::TargetsNotFound(_) => (
            ErrorCode::UpdateFailed,
            "The update server has no package for this system yet. Try again later.".to_owned(),
        ),
        other => (
            ErrorCode::UpdateFailed,
            format!("{update} could not be installed ({other}). Nothing was changed."),
        ),
    }
}
