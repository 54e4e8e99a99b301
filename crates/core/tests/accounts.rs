//! The accounts service end to end against the Sandbox, with the in-memory
//! secret store (the keychain itself is tested in keychain.rs).

mod common;

use std::sync::Arc;

use common::*;
use serde_json::json;
use topup_core::presets::PresetId;
use topup_core::provider::Registration;
use topup_core::provider::{Credentials, SignIn};
use topup_core::secrets::MemoryStore;
use topup_core::service::{Accounts, NewAccount, Restored};
use topup_core::ErrorCode;
use topup_sandbox::demo;

#[tokio::test]
async fn sign_in_with_a_code_restore_sign_out_and_remove() {
    let env = start().await;
    let (tmp, secrets, accounts) = fresh_accounts(&env, "accounts");
    let dir = tmp.path();
    let record = accounts.add(env.custom_clara()).unwrap();
    assert_eq!(record.label, "127.0.0.1");
    let creds = |code: Option<String>| Credentials::EmailPassword {
        email: demo::TWO_FA_EMAIL.into(),
        password: secret(demo::PASSWORD),
        code,
    };
    assert!(matches!(
        accounts.sign_in(&record.id, creds(None)).await.unwrap(),
        SignIn::CodeRequired
    ));
    env.clara()
        .send_otp(
            demo::TWO_FA_EMAIL,
            topup_core::clara::OtpPurpose::TwoFactorAuth,
            &secret(demo::CLARA_PUBLIC_KEY),
        )
        .await
        .unwrap();
    let code = env.otp(demo::TWO_FA_EMAIL, "TWO_FACTOR_AUTH").await;
    assert!(matches!(
        accounts
            .sign_in(&record.id, creds(Some(code)))
            .await
            .unwrap(),
        SignIn::SignedIn { .. }
    ));
    assert!(
        secrets.load(&record.id).await.unwrap().is_some(),
        "the session is in the secret store"
    );
    let saved = std::fs::read_to_string(dir.join("accounts.json")).unwrap();
    assert!(
        saved.contains(demo::TWO_FA_EMAIL) && !saved.contains("crazi_co_user_"),
        "the registry holds no token"
    );

    // A restart: a new service over the same registry and secret store.
    let again = accounts_service(&env, dir, secrets.clone());
    assert_eq!(again.active().as_deref(), Some(record.id.as_str()));
    let Restored::SignedIn { account } = again.restore(&record.id).await.unwrap() else {
        panic!("restored")
    };
    assert_eq!(account.balance.unwrap().to_string(), "1000");

    // Ended on the server: restore asks for a sign-in and keeps the account.
    env.admin_post(
        "/clara/sessions/revoke",
        json!({"email": demo::TWO_FA_EMAIL}),
    )
    .await;
    let third = accounts_service(&env, dir, secrets.clone());
    assert!(matches!(
        third.restore(&record.id).await.unwrap(),
        Restored::NeedsSignIn {
            code: Some(ErrorCode::SessionExpired),
            reason: Some(_)
        }
    ));
    assert!(
        secrets.load(&record.id).await.unwrap().is_none(),
        "the dead session is dropped"
    );
    assert_eq!(third.list().len(), 1);

    // Sign out revokes on the server; remove drops the account.
    let demo_account = add_signed_in(&again, sandbox_preset()).await;
    let session = again.session(&demo_account.id).unwrap();
    let out = again.sign_out(&demo_account.id).await.unwrap();
    assert!(out.revoked_on_server);
    let topup_core::provider::Session::Clara(s) = session else {
        panic!()
    };
    assert_eq!(
        env.clara().user(&s).await.unwrap_err().code(),
        ErrorCode::SessionExpired,
        "revoked on the server"
    );
    assert!(secrets.load(&demo_account.id).await.unwrap().is_none());
    again.remove(&demo_account.id).await.unwrap();
    assert_eq!(again.list().len(), 1);
}

/// After a restart nothing is opened yet: the list still tells a kept
/// sign-in from a signed-out account, and signing out (or removing) an
/// account that was never opened this run still ends its server session.
#[tokio::test]
async fn kept_sign_ins_are_listed_and_signed_out_on_the_server_before_any_restore() {
    let env = start().await;
    let (tmp, secrets, first) = fresh_accounts(&env, "accounts");
    let dir = tmp.path();
    let kept = first
        .add(NewAccount {
            preset: Some(PresetId::Sandbox),
            ..NewAccount::default()
        })
        .unwrap();
    let never = first.add(env.custom_clara()).unwrap();
    first.sign_in(&kept.id, demo_login()).await.unwrap();
    let topup_core::provider::Session::Clara(token) = first.session(&kept.id).unwrap() else {
        panic!("a Clara session")
    };

    let restarted = accounts_service(&env, dir, secrets.clone());
    let signed_in = |a: &Accounts, id: &str| {
        a.list()
            .into_iter()
            .find(|v| v.record.id == id)
            .map(|v| v.signed_in)
    };
    assert_eq!(
        signed_in(&restarted, &kept.id),
        Some(false),
        "not looked yet"
    );
    assert!(restarted.find_kept_sign_ins().await.is_empty());
    assert_eq!(signed_in(&restarted, &kept.id), Some(true));
    assert_eq!(signed_in(&restarted, &never.id), Some(false));

    let out = restarted.sign_out(&kept.id).await.unwrap();
    assert!(out.revoked_on_server);
    assert_eq!(
        env.clara().user(&token).await.unwrap_err().code(),
        ErrorCode::SessionExpired,
        "the server session ended although the account was never opened"
    );
    assert_eq!(signed_in(&restarted, &kept.id), Some(false));
    assert!(secrets.load(&kept.id).await.unwrap().is_none());
}

#[tokio::test]
async fn signing_out_while_the_service_is_down_still_signs_out_here() {
    let env = start().await;
    let (_registry, secrets, accounts) = fresh_accounts(&env, "accounts");
    let record = add_signed_in(&accounts, sandbox_preset()).await;
    env.faults(json!({"rules": [{"path": "/api/v1/auth/session", "method": "DELETE", "kind": "status", "status": 503}]})).await;
    let out = accounts.sign_out(&record.id).await.unwrap();
    assert!(!out.revoked_on_server);
    assert!(
        out.message.starts_with("Signed out on this computer."),
        "{}",
        out.message
    );
    assert!(secrets.load(&record.id).await.unwrap().is_none());
    assert_eq!(
        accounts.session(&record.id).unwrap_err().code(),
        ErrorCode::SessionExpired
    );
}

#[tokio::test]
async fn a_restore_while_the_service_is_unreachable_keeps_the_session() {
    let env = start().await;
    let (tmp, secrets, accounts) = fresh_accounts(&env, "accounts");
    let dir = tmp.path();
    let record = accounts
        .add(NewAccount {
            preset: Some(PresetId::Dispersed),
            base_url: Some(env.sandbox.urls().dispersed.clone()),
            ..NewAccount::default()
        })
        .unwrap();
    let bad = accounts
        .sign_in(
            &record.id,
            Credentials::KeyPair(topup_core::dispersed::KeyPair {
                public_key: demo::DISPERSED_PUBLIC_KEY.into(),
                secret_key: secret("wrong"),
            }),
        )
        .await
        .unwrap_err();
    assert_eq!(bad.code(), ErrorCode::InvalidCredentials);
    assert!(
        secrets.load(&record.id).await.unwrap().is_none(),
        "nothing saved before the keys are proven"
    );
    accounts
        .sign_in(&record.id, Credentials::KeyPair(env.keys()))
        .await
        .unwrap();
    env.faults(json!({"rules": [{"path": "/v1/*", "kind": "status", "status": 503}]}))
        .await;
    let again = accounts_service(&env, dir, secrets);
    assert!(matches!(
        again.restore(&record.id).await.unwrap(),
        Restored::Offline { .. }
    ));
    assert!(again.session(&record.id).is_ok());
}

#[tokio::test]
async fn register_and_activate_through_the_service() {
    let env = start().await;
    let (_registry, secrets, accounts) = fresh_accounts(&env, "accounts");
    let record = accounts
        .add(NewAccount {
            preset: Some(PresetId::Sandbox),
            public_api_key: Some(demo::CLARA_PUBLIC_KEY.into()),
            ..NewAccount::default()
        })
        .unwrap();
    let account = accounts
        .register(
            &record.id,
            Registration {
                first_name: "grace",
                last_name: "hopper",
                email: "grace@topup.test",
                password: &secret("cobol-forever"),
            },
        )
        .await
        .unwrap();
    assert!(!account.can_buy, "inactive until activated");
    assert!(secrets.load(&record.id).await.unwrap().is_some());
    let wrong = accounts
        .activate(&record.id, "grace@topup.test", "000000")
        .await
        .unwrap_err();
    assert_eq!(wrong.code(), ErrorCode::CodeInvalid);
    accounts
        .email_code(
            &record.id,
            "grace@topup.test",
            topup_core::provider::CodePurpose::Activation,
        )
        .await
        .unwrap();
    let code = env.otp("grace@topup.test", "ACTIVATION").await;
    let active = accounts
        .activate(&record.id, "grace@topup.test", &code)
        .await
        .unwrap();
    assert!(active.can_buy);
    assert_eq!(
        accounts.record(&record.id).unwrap().email.as_deref(),
        Some("grace@topup.test")
    );

    // Without the public key, registering is not offered.
    let custom = accounts.add(env.custom_clara()).unwrap();
    let err = accounts
        .register(
            &custom.id,
            Registration {
                first_name: "a",
                last_name: "b",
                email: "c@topup.test",
                password: &secret("long-enough"),
            },
        )
        .await
        .unwrap_err();
    assert_eq!(err.code(), ErrorCode::Unsupported);
}

/// Two accounts on one server read apart: an unnamed one is named after who
/// signed in and where; a name the person chose (on first run or in
/// settings) stays through every sign-in.
#[tokio::test]
async fn accounts_on_one_server_are_named_apart_and_a_chosen_name_stays() {
    let env = start().await;
    let tmp = tempdir("names");
    let dir = tmp.path();
    let accounts = accounts_service(&env, dir, Arc::new(MemoryStore::default()));
    let custom = |label: Option<&str>| NewAccount {
        preset: Some(PresetId::CustomClara),
        base_url: Some(env.sandbox.urls().clara.clone()),
        label: label.map(str::to_owned),
        ..NewAccount::default()
    };
    let suggested = accounts.add(custom(None)).unwrap();
    assert_eq!(suggested.label, "127.0.0.1");
    accounts.sign_in(&suggested.id, demo_login()).await.unwrap();
    assert_eq!(
        accounts.record(&suggested.id).unwrap().label,
        format!("{} · 127.0.0.1", demo::USER_EMAIL)
    );

    let chosen = accounts.add(custom(Some("  Staging  "))).unwrap();
    assert_eq!(chosen.label, "Staging");
    accounts.sign_in(&chosen.id, demo_login()).await.unwrap();
    assert_eq!(accounts.record(&chosen.id).unwrap().label, "Staging");
    assert!(accounts
        .add(custom(Some(&"x".repeat(61))))
        .is_err_and(|e| e.code() == ErrorCode::InvalidSetting));

    // Renamed in settings: the person's from then on.
    let settings = |label: &str| topup_core::settings::AccountSettings {
        label: label.to_owned(),
        ..Default::default()
    };
    let unchanged = accounts
        .update_settings(
            &suggested.id,
            settings(&accounts.record(&suggested.id).unwrap().label),
        )
        .unwrap();
    assert!(
        !unchanged.named,
        "saving the suggestion as it is keeps it a suggestion"
    );
    accounts
        .update_settings(&suggested.id, settings("Demo"))
        .unwrap();
    accounts.sign_in(&suggested.id, demo_login()).await.unwrap();
    assert_eq!(accounts.record(&suggested.id).unwrap().label, "Demo");
}

/// An account list that cannot be read for a moment (another program holds
/// it: here, the path is briefly a link that cannot be followed, which fails
/// to open even for root) is neither set aside nor written over, and the first
/// change once it is readable again is made to what it holds.
#[cfg(unix)]
#[tokio::test]
async fn an_account_list_unreadable_for_a_moment_loses_nothing() {
    let env = start().await;
    let tmp = tempdir("unreadable");
    let dir = tmp.path();
    let path = dir.join("accounts.json");
    let clara = |label: &str| NewAccount {
        preset: Some(PresetId::CustomClara),
        base_url: Some(env.sandbox.urls().clara.clone()),
        label: Some(label.into()),
        ..NewAccount::default()
    };
    let before = accounts_service(&env, dir, Arc::new(MemoryStore::default()));
    before.add(clara("First")).unwrap();
    before.add(clara("Second")).unwrap();
    let saved = std::fs::read_to_string(&path).unwrap();

    let held = dir.join("accounts.json.held");
    std::fs::rename(&path, &held).unwrap();
    std::os::unix::fs::symlink("accounts.json", &path).unwrap();

    let (registry, problem) = topup_core::accounts::Registry::load_or_recover(&path);
    let problem = problem.expect("the start reports the list it could not read");
    assert!(
        problem.warning().contains("Your accounts are safe on disk"),
        "{problem}"
    );
    assert!(registry.accounts.is_empty());
    assert!(
        !dir.join("accounts.json.damaged").exists(),
        "an unreadable file is not set aside as damaged"
    );
    let during = Accounts::new(
        path.clone(),
        registry,
        Arc::new(MemoryStore::default()),
        http(),
        topup_core::clock::system(),
        None,
    )
    .opened_with(Some(&problem));
    let refused = during.add(clara("Third")).unwrap_err();
    assert_eq!(refused.code(), ErrorCode::StorageFailed);
    assert!(
        refused.to_string().contains("so it changed nothing"),
        "{refused}"
    );
    assert!(
        std::fs::symlink_metadata(&path)
            .unwrap()
            .file_type()
            .is_symlink(),
        "nothing was written over the file it could not read"
    );

    std::fs::remove_file(&path).unwrap();
    std::fs::rename(&held, &path).unwrap();
    assert_eq!(std::fs::read_to_string(&path).unwrap(), saved);
    during.add(clara("Third")).unwrap();
    let labels = |list: Vec<topup_core::service::AccountView>| -> Vec<String> {
        list.into_iter().map(|a| a.record.label).collect()
    };
    assert_eq!(labels(during.list()), ["First", "Second", "Third"]);
    let reopened = accounts_service(&env, dir, Arc::new(MemoryStore::default()));
    assert_eq!(labels(reopened.list()), ["First", "Second", "Third"]);
}
