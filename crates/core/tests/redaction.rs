//! Every type that holds a secret prints without it: `{:?}` and `{:#?}`, on
//! its own and nested in the types that carry it (a log line or a panic
//! message formats whatever it is given).

use std::time::{Duration, SystemTime};

use secrecy::SecretString;
use topup_core::base_url::BaseUrl;
use topup_core::clara::{ClaraSession, LoginOutcome, User};
use topup_core::dispersed::KeyPair;
use topup_core::google::{self, Endpoints};
use topup_core::money::Credits;
use topup_core::provider::{Credentials, Session};
use topup_core::secrets::{encode_session, MemoryStore, SecretStore};

const PASSWORD: &str = "pw-Hunter2-correct-horse";
const CODE: &str = "731904";
const USER_TOKEN: &str = "crazi_co_user_eyJhbGciOiJIUzI1NiJ9.redaction-test";
const API_TOKEN: &str = "clara_api_eyJhbGciOiJIUzI1NiJ9.redaction-test";
const ID_TOKEN: &str = "eyJhbGciOiJSUzI1NiJ9.google-id-token.redaction-test";
const SECRET_KEY: &str = "sk_live_redaction_test_0123456789";

fn secret(s: &str) -> SecretString {
    SecretString::from(s.to_owned())
}

fn clara_session() -> ClaraSession {
    ClaraSession {
        user_id: "user-1".into(),
        token: secret(USER_TOKEN),
    }
}

fn key_pair() -> KeyPair {
    KeyPair {
        public_key: "pk_live_visible".into(),
        secret_key: secret(SECRET_KEY),
    }
}

fn user() -> User {
    User {
        id: "user-1".into(),
        email: "demo@topup.test".into(),
        first_name: Some("Demo".into()),
        last_name: None,
        credits: Credits::from_f64(1000.0).unwrap_or_default(),
        is_active: true,
        is_2fa_enabled: false,
        created_at: SystemTime::UNIX_EPOCH + Duration::from_secs(1_790_000_000),
    }
}

/// Formats `value` both ways and checks that none of `secrets` shows while
/// `visible` (what makes the output useful) does.
fn assert_redacted(what: &str, value: &dyn std::fmt::Debug, visible: &str) {
    for text in [format!("{value:?}"), format!("{value:#?}")] {
        for s in [PASSWORD, CODE, USER_TOKEN, API_TOKEN, ID_TOKEN, SECRET_KEY] {
            assert!(!text.contains(s), "{what} prints a secret: {text}");
        }
        assert!(
            text.contains(visible),
            "{what} should still show {visible:?}: {text}"
        );
    }
}

#[test]
fn sign_in_credentials_print_redacted() {
    let cases: Vec<(&str, Credentials, &str)> = vec![
        (
            "email and password with a code",
            Credentials::EmailPassword {
                email: "demo@topup.test".into(),
                password: secret(PASSWORD),
                code: Some(CODE.into()),
            },
            "demo@topup.test",
        ),
        (
            "an API-key token",
            Credentials::ApiKeyToken(secret(API_TOKEN)),
            "ApiKeyToken",
        ),
        (
            "a Google ID token",
            Credentials::GoogleIdToken(secret(ID_TOKEN)),
            "GoogleIdToken",
        ),
        (
            "a Dispersed key pair",
            Credentials::KeyPair(key_pair()),
            "pk_live_visible",
        ),
    ];
    for (what, credentials, visible) in &cases {
        assert_redacted(what, credentials, visible);
    }
}

#[test]
fn sessions_and_what_carries_them_print_redacted() {
    assert_redacted("a Clara session", &clara_session(), "user-1");
    assert_redacted("a key pair", &key_pair(), "pk_live_visible");
    assert_redacted(
        "a Clara session",
        &Session::Clara(clara_session()),
        "user-1",
    );
    assert_redacted(
        "a Dispersed session",
        &Session::Dispersed(key_pair()),
        "pk_live_visible",
    );
    assert_redacted(
        "a login outcome",
        &LoginOutcome::SignedIn {
            session: clara_session(),
            user: user(),
        },
        "demo@topup.test",
    );
    assert_redacted(
        "sessions in a list",
        &vec![Some(Session::Clara(clara_session()))],
        "user-1",
    );
}

#[tokio::test]
async fn stored_secrets_print_redacted() {
    // A session as it is written to the keychain.
    let encoded = encode_session(&Session::Clara(clara_session())).unwrap();
    assert_redacted("an encoded session", &encoded, "REDACTED");
    let store = MemoryStore::default();
    store.save("acct_1", &secret(USER_TOKEN)).await.unwrap();
    assert_redacted("the in-memory store", &store, "MemoryStore");
    let loaded = store.load("acct_1").await.unwrap();
    assert_redacted("a loaded secret", &loaded, "REDACTED");
}

#[tokio::test]
async fn a_google_sign_in_in_progress_prints_without_its_verifier() {
    let origin = BaseUrl::parse("http://127.0.0.1:9").unwrap();
    let pending = google::begin("client-1", Endpoints::sandbox(&origin).unwrap())
        .await
        .unwrap();
    let text = format!("{pending:?}");
    assert!(text.contains("redirect_uri"), "{text}");
    // The PKCE verifier is random: what must not show is anything but the
    // redirect address (the consent URL carries only its hash).
    assert!(!text.contains("verifier"), "{text}");
    assert!(!text.contains("code_challenge"), "{text}");
}
