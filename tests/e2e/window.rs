//! The window across launches: a second launch brings the running window
//! forward instead of opening another Topup, and the window comes back where
//! and at the size it was left.

use std::fs;
use std::path::Path;

use serde_json::Value;

use tokio::process::{Child, Command};

use crate::harness::{
    app_is_running, marker, topup_window, wait_until, Profile, Result, StoppedKeychain, DEADLINE,
};

/// Opens a small window of another program (xmessage) and gives it the
/// keyboard focus (xdotool), as a person switching apps would.
pub(crate) async fn focus_another_window() -> Result<Child> {
    let other = Command::new("xmessage")
        .args(["-geometry", "300x100+0+0", "another app"])
        .kill_on_drop(true)
        .spawn()
        .map_err(|e| format!("xmessage (x11-utils): {e}"))?;
    let status = Command::new("xdotool")
        .args([
            "search",
            "--sync",
            "--name",
            "^xmessage$",
            "windowfocus",
            "--sync",
        ])
        .status()
        .await
        .map_err(|e| format!("xdotool: {e}"))?;
    if !status.success() {
        return Err(format!("xdotool could not focus the other window: {status}").into());
    }
    Ok(other)
}

#[tokio::test]
#[ignore = "needs a display, D-Bus and tauri-driver: run `make e2e`"]
async fn a_second_launch_focuses_the_running_window_instead_of_opening_another() -> Result {
    let profile = Profile::new()?;
    profile
        .launch("single_instance", &[], async |app| {
            app.wait_for_text("#first-run-title", "Where do you buy credits?")
                .await?;
            assert!(app_is_running().await?, "the first Topup holds its name");
            // The person works in another app: Topup's window loses the focus.
            let mut other = focus_another_window().await?;
            wait_until("Topup's window to lose the focus", async || {
                Ok(app.eval("return document.hasFocus()").await? == Value::Bool(false))
            })
            .await?;

            let mut second = profile.start_app("second-launch", &[])?;
            let status = tokio::time::timeout(DEADLINE, second.wait())
                .await
                .map_err(|_| "the second launch kept running as a second Topup")??;
            assert!(status.success(), "the second launch exited with {status}");
            assert_eq!(app.window_count().await?, 1, "still one window");
            // The running Topup heard of the launch and raised its window.
            wait_until("the running window to have the focus", async || {
                Ok(app.eval("return document.hasFocus()").await? == Value::Bool(true))
            })
            .await?;
            let _ = other.kill().await;
            // And it is still the same, working window.
            app.click("[data-testid='preset-dispersed']").await?;
            app.find("[data-testid='continue']:not([disabled])").await?;
            Ok(())
        })
        .await
}

/// Waits until the window-state file holds this size for the main window.
async fn size_saved(state_file: &Path, width: u32, height: u32) -> Result {
    wait_until("the window's size to be saved", async || {
        let saved: Value = match fs::read_to_string(state_file) {
            Ok(text) => serde_json::from_str(&text)?,
            Err(_) => return Ok(false),
        };
        Ok(saved["main"]["width"] == width && saved["main"]["height"] == height)
    })
    .await
}

#[tokio::test]
#[ignore = "needs a display, D-Bus and tauri-driver: run `make e2e`"]
async fn the_window_reopens_where_and_at_the_size_it_was_left() -> Result {
    let profile = Profile::new()?;
    let state_file = profile
        .path()
        .join("config/app.topup.Topup/.window-state.json");
    let (x, y, width, height) = (70, 50, 820, 640);
    profile
        .launch("window_state_move", &[], async |app| {
            app.wait_for_text("#first-run-title", "Where do you buy credits?")
                .await?;
            let first = app.window_rect().await?;
            assert_ne!((first.2, first.3), (u64::from(width), u64::from(height)));
            app.set_window_rect(x, y, width, height).await?;
            // Saved once the window settles, without waiting for a clean quit.
            size_saved(&state_file, width, height).await
        })
        .await?;
    profile
        .launch("window_state_restore", &[], async |app| {
            app.wait_for_text("#first-run-title", "Where do you buy credits?")
                .await?;
            let rect = app.window_rect().await?;
            assert_eq!(
                rect,
                (
                    u64::from(x),
                    u64::from(y),
                    u64::from(width),
                    u64::from(height)
                ),
                "reopened where it was left"
            );
            Ok(())
        })
        .await
}

/// Moves and resizes by the hundred while the window's state is being saved
/// (each pause lets a save start just as the next burst arrives): the app
/// keeps answering, and what is saved is where the window was left. A save
/// made off the main thread could deadlock against the plugin's own event
/// handler here.
#[tokio::test]
#[ignore = "needs a display, D-Bus and tauri-driver: run `make e2e`"]
async fn moving_the_window_while_its_state_is_saved_never_freezes_the_app() -> Result {
    let profile = Profile::new()?;
    let state_file = profile
        .path()
        .join("config/app.topup.Topup/.window-state.json");
    profile
        .launch("window_state_hammer", &[], async |app| {
            app.wait_for_text("#first-run-title", "Where do you buy credits?")
                .await?;
            let window = topup_window().await?;
            // The person's hand, not a wait for the app: bursts of moves with
            // pauses about as long as the save's settling time.
            let hand = format!(
                "for round in $(seq 1 8); do \
                   for i in $(seq 1 40); do \
                     xdotool windowmove {window} $((60 + i)) $((40 + round)) windowsize {window} $((700 + i)) $((560 + round)); \
                   done; \
                   sleep 0.5; \
                 done"
            );
            let status = Command::new("sh").args(["-c", &hand]).status().await?;
            assert!(status.success());
            let (x, y, width, height) = (90, 60, 760, 620);
            app.set_window_rect(x, y, width, height).await?;
            assert_eq!(
                app.window_rect().await?,
                (
                    u64::from(x),
                    u64::from(y),
                    u64::from(width),
                    u64::from(height)
                ),
                "the app still answers"
            );
            size_saved(&state_file, width, height).await
        })
        .await
}

/// The page's text is set in the desktop's interface font, through the
/// generic family alone (src-tauri/fonts.rs, ui/src/lib/fonts.ts). GTK's
/// font is set to a serif here, so it differs from fontconfig's sans-serif.
#[tokio::test]
#[ignore = "needs a display, D-Bus and tauri-driver: run `make e2e`"]
async fn the_page_is_set_in_the_desktops_interface_font() -> Result {
    let profile = Profile::new()?;
    let gtk = profile.path().join("config/gtk-3.0");
    fs::create_dir_all(&gtk)?;
    fs::write(
        gtk.join("settings.ini"),
        "[Settings]\ngtk-font-name=DejaVu Serif 11\n",
    )?;
    profile
        .launch("desktop_font", &[], async |app| {
            app.wait_for_text("#first-run-title", "Where do you buy credits?")
                .await?;
            let seen = app
                .eval(
                    r##"const title = document.querySelector("#first-run-title");
                    const context = document.createElement("canvas").getContext("2d");
                    const width = (font) => { context.font = font; return context.measureText(title.textContent).width; };
                    const size = getComputedStyle(title).fontSize;
                    return {
                      stack: getComputedStyle(title).fontFamily,
                      title: width(`${size} ${getComputedStyle(title).fontFamily}`),
                      serif: width(`${size} "DejaVu Serif"`),
                      sans: width(`${size} "DejaVu Sans"`),
                    };"##,
                )
                .await?;
            assert_eq!(seen["stack"], "sans-serif", "the generic family only: {seen}");
            assert_ne!(seen["serif"], seen["sans"], "the two fonts must differ: {seen}");
            assert_eq!(
                seen["title"], seen["serif"],
                "the title in GTK's interface font: {seen}"
            );
            Ok(())
        })
        .await
}

/// A keychain that never answers holds the accounts' opening, and so the
/// first screen, for the keychain probe's 5 s, longer than the window waits
/// for the page's word (4 s): the window is shown anyway, and the first
/// screen then comes with the keychain's warning, sign-ins kept for this run.
#[tokio::test]
#[ignore = "needs a display, D-Bus and tauri-driver: run `make e2e`"]
async fn a_keychain_that_never_answers_still_gets_the_window_then_its_warning() -> Result {
    let late = marker("first_screen_late")?;
    let keychain = StoppedKeychain::stop().await?;
    let profile = Profile::new()?;
    profile
        .launch("keychain_never_answers", &[], async |app| {
            wait_until("the window shown without the page's word", async || {
                Ok(profile.app_log().contains(&late) && topup_window().await.is_ok())
            })
            .await?;
            // Never shown blank: the shell's placeholder from a second in,
            // then the first screen once the probe gives up.
            assert!(
                app.exists(".skeleton").await || app.exists("[data-testid='keychain-warning']").await,
                "the window was shown blank"
            );
            app.wait_for_text(
                "[data-testid='keychain-warning']",
                "The system keychain is locked. Unlock it and try again. Sign-ins will last until you quit Topup.",
            )
            .await?;
            app.wait_for_text("#first-run-title", "Where do you buy credits?")
                .await?;
            // Before quitting: the probe's call, still waiting, then ends.
            keychain.resume().await
        })
        .await
}
