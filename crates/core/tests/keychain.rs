//! The OS keychain through a real Secret Service (gnome-keyring in a private
//! D-Bus session). Entries are checked with `secret-tool`, not through Topup.
//! Run by `make e2e` (tests/e2e/run.sh), which provides the session; a plain
//! `cargo test` skips them.

mod secret_service;

use std::process::Command;

use secrecy::{ExposeSecret, SecretString};
use topup_core::secrets::{Keychain, SecretStore, KEYCHAIN_SERVICE};
use topup_core::ErrorCode;

fn keychain() -> Keychain {
    Keychain::topup()
}

/// What the Secret Service itself holds for an account, via `secret-tool`.
fn secret_tool_lookup(account: &str) -> Option<String> {
    let out = Command::new("secret-tool")
        .args(["lookup", "service", KEYCHAIN_SERVICE, "username", account])
        .output()
        .expect("secret-tool runs");
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).into_owned())
        .filter(|s| !s.is_empty())
}

#[tokio::test]
#[ignore = "needs a Secret Service in a D-Bus session: run `make e2e`"]
async fn store_read_overwrite_delete_then_locked() {
    let store = keychain();
    let account = format!("acct_test_{}", std::process::id());
    assert!(store.persists());
    assert!(
        store.load(&account).await.unwrap().is_none(),
        "nothing stored yet"
    );

    store
        .save(&account, &SecretString::from("first-secret".to_owned()))
        .await
        .unwrap();
    assert_eq!(
        secret_tool_lookup(&account).as_deref(),
        Some("first-secret"),
        "the Secret Service holds it"
    );
    assert_eq!(
        store.load(&account).await.unwrap().unwrap().expose_secret(),
        "first-secret"
    );

    store
        .save(&account, &SecretString::from("second-secret".to_owned()))
        .await
        .unwrap();
    assert_eq!(
        secret_tool_lookup(&account).as_deref(),
        Some("second-secret"),
        "overwritten, not duplicated"
    );
    assert_eq!(
        store.load(&account).await.unwrap().unwrap().expose_secret(),
        "second-secret"
    );

    store.delete(&account).await.unwrap();
    assert_eq!(
        secret_tool_lookup(&account),
        None,
        "gone from the Secret Service"
    );
    store
        .delete(&account)
        .await
        .expect("deleting twice is fine");
    assert!(store.load(&account).await.unwrap().is_none());

    let too_big = SecretString::from("x".repeat(4096));
    assert_eq!(
        store.save(&account, &too_big).await.unwrap_err().code(),
        ErrorCode::KeychainFailed
    );

    // Last, because nothing here can unlock it again without a person.
    store
        .save(&account, &SecretString::from("locked-away".to_owned()))
        .await
        .unwrap();
    secret_service::lock_login_keyring();
    let err = store.load(&account).await.unwrap_err();
    assert_eq!(err.code(), ErrorCode::KeychainLocked, "{err}");
}

#[test]
#[ignore = "needs a Secret Service in a D-Bus session: run `make e2e`"]
fn no_secret_service_is_reported_as_unavailable() {
    // In a child process, whose keychain connection is made once, on a bus
    // that does not exist.
    let out = Command::new(std::env::current_exe().unwrap())
        .args(["--ignored", "--exact", "absent_child", "--nocapture"])
        .env(
            "DBUS_SESSION_BUS_ADDRESS",
            "unix:path=/nonexistent/topup-test-bus",
        )
        .env("TOPUP_KEYCHAIN_CHILD", "1")
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success() && text.contains("1 passed"),
        "{text}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[tokio::test]
#[ignore = "run by no_secret_service_is_reported_as_unavailable"]
async fn absent_child() {
    if std::env::var_os("TOPUP_KEYCHAIN_CHILD").is_none() {
        return;
    }
    let err = keychain().probe().await.unwrap_err();
    assert_eq!(err.code(), ErrorCode::KeychainUnavailable, "{err}");
}
