//! A locked keychain asks the person for its password: the real Secret
//! Service (gnome-keyring) shows its real unlock prompt (gcr-prompter) on the
//! test's X display, and the test answers it as a person would, with the
//! keyboard. Run by `make e2e` (tests/e2e/run.sh) in a session of its own,
//! since it lets the prompter reach the display; a plain `cargo test` skips it.
#![cfg(target_os = "linux")]

mod secret_service;

use std::process::Command;
use std::sync::Arc;
use std::time::Duration;

use secrecy::{ExposeSecret, SecretString};
use topup_core::http::{Http, HttpConfig};
use topup_core::presets::PresetId;
use topup_core::secrets::{Keychain, SecretStore, PROBE_TIMEOUT};
use topup_core::service::{Accounts, NewAccount};
use topup_core::ErrorCode;

/// The password `scripts/in-session.sh` gives the session's keyring.
const KEYRING_PASSWORD: &str = "topup-session";

fn run(program: &str, args: &[&str]) -> String {
    let out = Command::new(program).args(args).output().unwrap();
    assert!(
        out.status.success(),
        "{program} {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// gnome-keyring starts its prompter through D-Bus activation, whose
/// environment was fixed before the display existed.
fn let_the_prompter_reach_the_display() {
    let var = |name: &str| std::env::var(name).unwrap_or_else(|_| panic!("{name} is set"));
    run(
        "dbus-send",
        &[
            "--session",
            "--print-reply",
            "--dest=org.freedesktop.DBus",
            "/org/freedesktop/DBus",
            "org.freedesktop.DBus.UpdateActivationEnvironment",
            &format!(
                "dict:string:string:DISPLAY,{},XAUTHORITY,{}",
                var("DISPLAY"),
                var("XAUTHORITY")
            ),
        ],
    );
}

/// The unlock prompts' windows on screen now (xdotool fails when there is none).
fn prompt_windows() -> Vec<String> {
    let out = Command::new("xdotool")
        .args(["search", "--name", "^Unlock"])
        .output()
        .unwrap();
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(str::to_owned)
        .collect()
}

/// Waits until `ready` holds for the prompts on screen, and returns its answer.
async fn wait_for_prompts<T>(what: &str, ready: impl Fn(Vec<String>) -> Option<T>) -> T {
    topup_test_support::wait_for(what, Duration::from_secs(30), async || {
        ready(prompt_windows())
    })
    .await
}

/// The unlock prompt's window, once it is on screen (other than `not`).
async fn prompt_window(not: Option<&str>) -> String {
    wait_for_prompts("an unlock prompt", |windows| {
        windows.into_iter().find(|w| Some(w.as_str()) != not)
    })
    .await
}

/// Waits until an answered prompt's window has closed, so the next search
/// cannot find it instead of the next prompt.
async fn closed(window: &str) {
    wait_for_prompts("the answered prompt to close", |windows| {
        (!windows.iter().any(|w| w == window)).then_some(())
    })
    .await;
}

fn focus(window: &str) {
    run("xdotool", &["windowfocus", "--sync", window]);
}

fn answer(window: &str) {
    focus(window);
    run("xdotool", &["type", "--delay", "20", KEYRING_PASSWORD]);
    run("xdotool", &["key", "Return"]);
}

fn cancel(window: &str) {
    focus(window);
    run("xdotool", &["key", "Escape"]);
}

/// Refuses any prompt still on screen when the test ends, so a failed test
/// does not leave a keychain call (and the test runtime's shutdown) waiting.
struct RefuseLeftoverPrompts;

impl Drop for RefuseLeftoverPrompts {
    fn drop(&mut self) {
        // Lenient: a panic here, while a failed test unwinds, would abort.
        for window in prompt_windows() {
            let _ = Command::new("xdotool")
                .args(["windowfocus", "--sync", &window])
                .status();
            let _ = Command::new("xdotool").args(["key", "Escape"]).status();
        }
    }
}

fn secret(text: &str) -> SecretString {
    SecretString::from(text.to_owned())
}

#[tokio::test(flavor = "multi_thread")]
#[ignore = "needs a Secret Service and a display: run `make e2e`"]
async fn the_unlock_prompt_gets_the_time_a_person_needs_and_one_refusal_hides_no_other_account() {
    let_the_prompter_reach_the_display();
    let _refuse = RefuseLeftoverPrompts;
    let keychain = Keychain::topup();
    let dir = tempfile::tempdir().unwrap();
    let accounts = Accounts::new(
        dir.path().join("accounts.json"),
        Default::default(),
        Arc::new(keychain.clone()),
        Http::new(HttpConfig::default()).unwrap(),
        topup_core::clock::system(),
        None,
    );
    let add = |label: &str| {
        accounts
            .add(NewAccount {
                preset: Some(PresetId::CustomClara),
                base_url: Some(format!("https://{label}.example")),
                label: Some(label.into()),
                ..NewAccount::default()
            })
            .unwrap()
            .id
    };
    let (refused, answered) = (add("refused"), add("answered"));
    keychain.save(&refused, &secret("sign-in-1")).await.unwrap();
    keychain
        .save(&answered, &secret("sign-in-2"))
        .await
        .unwrap();

    // A person who reads the prompt for longer than a keychain is given to
    // answer at all still gets their sign-in.
    secret_service::lock_login_keyring();
    let reading = tokio::spawn({
        let keychain = keychain.clone();
        let answered = answered.clone();
        async move { keychain.load(&answered).await }
    });
    let window = prompt_window(None).await;
    // The person's reading time is what is under test, not a wait for Topup.
    tokio::time::sleep(PROBE_TIMEOUT + Duration::from_secs(1)).await;
    assert!(!reading.is_finished(), "Topup still waits for the person");
    answer(&window);
    closed(&window).await;
    let loaded = reading
        .await
        .unwrap()
        .unwrap()
        .expect("the sign-in is kept");
    assert_eq!(loaded.expose_secret(), "sign-in-2");

    // Locked again: the person refuses the prompt for the first account and
    // answers the one for the second. The second is found all the same.
    secret_service::lock_login_keyring();
    let accounts = Arc::new(accounts);
    let looking = tokio::spawn({
        let accounts = Arc::clone(&accounts);
        async move { accounts.find_kept_sign_ins().await }
    });
    let first = prompt_window(None).await;
    cancel(&first);
    let second = prompt_window(Some(&first)).await;
    answer(&second);
    let failures = looking.await.unwrap();
    let failed: Vec<_> = failures
        .iter()
        .map(|(id, e)| (id.as_str(), e.code()))
        .collect();
    assert_eq!(failed, [(refused.as_str(), ErrorCode::KeychainLocked)]);
    let signed_in: Vec<_> = accounts
        .list()
        .into_iter()
        .map(|a| (a.record.label, a.signed_in))
        .collect();
    assert_eq!(
        signed_in,
        [("refused".to_owned(), true), ("answered".to_owned(), true)],
        "the refused one is not shown signed out (opening it asks again)"
    );

    keychain.delete(&refused).await.unwrap();
    keychain.delete(&answered).await.unwrap();
}
