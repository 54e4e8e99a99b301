//! The operating system's own keychain through `Keychain`, with nothing
//! Linux-specific around it: the macOS Keychain and the Windows Credential
//! Manager on the release workflow's runners, the Secret Service under
//! `make e2e`. (The Linux-only checks with `secret-tool` are in keychain.rs.)

use std::time::Duration;

use secrecy::{ExposeSecret, SecretString};
use topup_core::secrets::{Keychain, SecretStore, KEYCHAIN_SERVICE};

#[tokio::test]
#[ignore = "needs the system keychain: run `make e2e` (Linux) or the release workflow (Windows, macOS)"]
async fn a_sign_in_goes_into_the_system_keychain_comes_back_and_is_deleted() {
    let store = Keychain::new(KEYCHAIN_SERVICE, Duration::from_secs(10));
    store.probe().await.expect("the system keychain answers");
    assert!(store.persists());
    let account = format!("acct_native_{}", std::process::id());
    store
        .save(&account, &SecretString::from("native-secret".to_owned()))
        .await
        .unwrap();
    assert_eq!(
        store.load(&account).await.unwrap().unwrap().expose_secret(),
        "native-secret"
    );
    store
        .save(&account, &SecretString::from("newer-secret".to_owned()))
        .await
        .unwrap();
    assert_eq!(
        store.load(&account).await.unwrap().unwrap().expose_secret(),
        "newer-secret",
        "a new sign-in replaces the old one"
    );
    store.delete(&account).await.unwrap();
    assert!(store.load(&account).await.unwrap().is_none());
    store.delete(&account).await.unwrap();
}
