//! The operating system's own keychain through `Keychain`, with nothing
//! Linux-specific around it: the macOS Keychain and the Windows Credential
//! Manager on the release workflow's runners, the Secret Service under
//! `make e2e`. (The Linux-only checks with `secret-tool` are in keychain.rs.)

use secrecy::{ExposeSecret, SecretString};
use topup_core::secrets::{Keychain, SecretStore, SecretUnit, MAX_SECRET_BYTES};

#[tokio::test]
#[ignore = "needs the system keychain: run `make e2e` (Linux) or the release workflow (Windows, macOS)"]
async fn a_sign_in_goes_into_the_system_keychain_comes_back_and_is_deleted() {
    let store = Keychain::topup();
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

    // The largest secret Topup allows, counted in this store's unit, is one
    // the store keeps (on Windows: Credential Manager's 2,560-byte cap).
    let units = match SecretUnit::NATIVE {
        SecretUnit::Utf8 => MAX_SECRET_BYTES,
        SecretUnit::Utf16 => MAX_SECRET_BYTES / 2,
    };
    let largest = "x".repeat(units);
    store
        .save(&account, &SecretString::from(largest.clone()))
        .await
        .expect("the largest allowed secret fits the store");
    assert_eq!(
        store.load(&account).await.unwrap().unwrap().expose_secret(),
        largest
    );
    let over = SecretString::from("x".repeat(units + 1));
    assert!(store.save(&account, &over).await.is_err());

    store.delete(&account).await.unwrap();
    assert!(store.load(&account).await.unwrap().is_none());
    store.delete(&account).await.unwrap();
}
