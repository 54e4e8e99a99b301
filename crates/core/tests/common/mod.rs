//! A running Sandbox and clients of `topup-core` pointed at it.

#![allow(dead_code)]

use std::sync::Arc;
use std::time::Duration;

use secrecy::SecretString;
use serde_json::{json, Value};
use topup_core::accounts::{AccountRecord, Registry};
use topup_core::clara::{ClaraClient, ClaraProvider, ClaraSession, LoginOutcome};
use topup_core::clock;
use topup_core::dispersed::{DispersedClient, DispersedProvider, KeyPair};
use topup_core::http::{Http, HttpConfig, RetryPolicy};
use topup_core::provider::Credentials;
use topup_core::secrets::{MemoryStore, SecretStore};
use topup_core::service::{Accounts, NewAccount};
use topup_core::BaseUrl;
use topup_sandbox::{demo, Config, Quirks, Sandbox};

pub struct Env {
    pub sandbox: Sandbox,
    pub admin: reqwest::Client,
}

pub async fn start() -> Env {
    start_with(Config::default()).await
}

pub async fn start_quirky() -> Env {
    start_with(Config {
        quirks: Quirks::Boilerplate,
        ..Config::default()
    })
    .await
}

pub async fn start_with(config: Config) -> Env {
    Env {
        sandbox: Sandbox::start(config).await.expect("sandbox"),
        admin: reqwest::Client::new(),
    }
}

/// Quick retries so tests with faults stay short; the budget still bounds them.
pub fn http() -> Http {
    Http::new(HttpConfig {
        retry: RetryPolicy {
            max_attempts: 6,
            base_delay: Duration::from_millis(20),
            max_delay: Duration::from_millis(200),
            budget: Duration::from_secs(10),
        },
        request_timeout: Duration::from_secs(5),
        ..HttpConfig::default()
    })
    .unwrap()
}

pub fn secret(s: &str) -> SecretString {
    s.to_owned().into()
}

/// A fresh directory for an account registry (`what` names the test file),
/// removed when the test ends, however it ends.
pub fn tempdir(what: &str) -> tempfile::TempDir {
    tempfile::Builder::new()
        .prefix(&format!("topup-{what}-"))
        .tempdir()
        .unwrap()
}

/// The accounts service over the registry in `dir`, with `env`'s Sandbox as
/// the in-process one (the Sandbox preset's address).
pub fn accounts_service(
    env: &Env,
    dir: &std::path::Path,
    secrets: Arc<dyn SecretStore>,
) -> Accounts {
    accounts_service_with(env, dir, secrets, http())
}

/// A test's own registry directory and in-memory secret store, and the
/// accounts service over them. Keep the directory: it goes when dropped.
pub fn fresh_accounts(
    env: &Env,
    what: &str,
) -> (tempfile::TempDir, Arc<dyn SecretStore>, Accounts) {
    let dir = tempdir(what);
    let secrets: Arc<dyn SecretStore> = Arc::new(MemoryStore::default());
    let accounts = accounts_service(env, dir.path(), secrets.clone());
    (dir, secrets, accounts)
}

/// As [`accounts_service`], with its own HTTP client (timeouts, retries).
pub fn accounts_service_with(
    env: &Env,
    dir: &std::path::Path,
    secrets: Arc<dyn SecretStore>,
    http: Http,
) -> Accounts {
    let path = dir.join("accounts.json");
    Accounts::new(
        path.clone(),
        Registry::load(&path).unwrap(),
        secrets,
        http,
        clock::system(),
        Some(BaseUrl::parse(&env.sandbox.urls().base).unwrap()),
    )
}

/// The Sandbox demo user's email and password.
pub fn demo_login() -> Credentials {
    Credentials::EmailPassword {
        email: demo::USER_EMAIL.into(),
        password: secret(demo::PASSWORD),
        code: None,
    }
}

/// Adds `new` and signs the demo user in to it.
pub async fn add_signed_in(accounts: &Accounts, new: NewAccount) -> AccountRecord {
    let record = accounts.add(new).unwrap();
    accounts.sign_in(&record.id, demo_login()).await.unwrap();
    record
}

/// The Sandbox preset, as `NewAccount`.
pub fn sandbox_preset() -> NewAccount {
    NewAccount {
        preset: Some(topup_core::presets::PresetId::Sandbox),
        ..NewAccount::default()
    }
}

impl Env {
    /// A custom Clara account at this Sandbox's address, as `NewAccount`.
    pub fn custom_clara(&self) -> NewAccount {
        NewAccount {
            preset: Some(topup_core::presets::PresetId::CustomClara),
            base_url: Some(self.sandbox.urls().clara.clone()),
            ..NewAccount::default()
        }
    }

    pub fn clara(&self) -> ClaraClient {
        ClaraClient::new(
            BaseUrl::parse(&self.sandbox.urls().clara).unwrap(),
            http(),
            clock::system(),
        )
    }

    /// A client whose clock reads `now`.
    pub fn clara_at(&self, now: std::time::SystemTime) -> ClaraClient {
        ClaraClient::new(
            BaseUrl::parse(&self.sandbox.urls().clara).unwrap(),
            http(),
            Arc::new(clock::FixedClock(now)),
        )
    }

    pub fn clara_provider(&self) -> ClaraProvider {
        ClaraProvider::new(self.clara(), "billing")
    }

    pub fn keys(&self) -> KeyPair {
        KeyPair {
            public_key: demo::DISPERSED_PUBLIC_KEY.into(),
            secret_key: secret(demo::DISPERSED_SECRET_KEY),
        }
    }

    pub fn dispersed(&self) -> DispersedClient {
        self.dispersed_with(self.keys())
    }

    pub fn dispersed_with(&self, keys: KeyPair) -> DispersedClient {
        DispersedClient::new(
            BaseUrl::parse(&self.sandbox.urls().dispersed).unwrap(),
            http(),
            keys,
            clock::system(),
        )
    }

    pub fn dispersed_provider(&self) -> DispersedProvider {
        let base = &self.sandbox.urls().base;
        DispersedProvider::new(
            BaseUrl::parse(&self.sandbox.urls().dispersed).unwrap(),
            http(),
            Arc::new(clock::SystemClock),
            format!("{base}/console/billing?checkout=success"),
            format!("{base}/console/billing?checkout=cancelled"),
        )
    }

    pub fn admin_url(&self, path: &str) -> String {
        format!("{}{path}", self.sandbox.urls().admin)
    }

    async fn admin_send(
        &self,
        method: reqwest::Method,
        path: &str,
        body: Value,
    ) -> reqwest::Response {
        self.admin
            .request(method, self.admin_url(path))
            .json(&body)
            .send()
            .await
            .unwrap()
    }

    pub async fn admin_post(&self, path: &str, body: Value) -> Value {
        let r = self.admin_send(reqwest::Method::POST, path, body).await;
        r.json().await.unwrap_or(Value::Null)
    }

    pub async fn admin_put(&self, path: &str, body: Value) -> Value {
        let r = self.admin_send(reqwest::Method::PUT, path, body).await;
        r.json().await.unwrap_or(Value::Null)
    }

    pub async fn admin_delete(&self, path: &str) {
        let r = self
            .admin
            .delete(self.admin_url(path))
            .send()
            .await
            .unwrap();
        assert!(r.status().is_success(), "DELETE {path}: {}", r.status());
    }

    pub async fn admin_get(&self, path: &str) -> Value {
        self.admin_query(path, &[]).await
    }

    async fn admin_query(&self, path: &str, query: &[(&str, &str)]) -> Value {
        self.admin
            .get(self.admin_url(path))
            .query(query)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap()
    }

    pub async fn otp(&self, email: &str, kind: &str) -> String {
        let v = self
            .admin_query("/otp", &[("email", email), ("type", kind)])
            .await;
        v["code"].as_str().unwrap().to_owned()
    }

    pub async fn login(&self, email: &str) -> ClaraSession {
        match self
            .clara()
            .login(email, &secret(demo::PASSWORD), None)
            .await
            .unwrap()
        {
            LoginOutcome::SignedIn { session, .. } => session,
            LoginOutcome::CodeRequired => panic!("{email} needs a code"),
        }
    }

    /// Requests in the Sandbox log matching a method and path pattern.
    pub async fn count(&self, method: &str, path: &str) -> usize {
        let v = self
            .admin_query("/requests", &[("method", method), ("path", path)])
            .await;
        v.as_array().unwrap().len()
    }

    pub async fn pay(&self, session_id: &str, card: &str) -> reqwest::StatusCode {
        let path = format!("/checkout/{session_id}/pay");
        let r = self
            .admin_send(reqwest::Method::POST, &path, json!({"card": card}))
            .await;
        r.status()
    }

    pub async fn faults(&self, body: Value) {
        let r = self.admin_send(reqwest::Method::PUT, "/faults", body).await;
        assert!(r.status().is_success());
    }
}

pub fn session_id(url: &url::Url) -> String {
    url.path_segments()
        .and_then(|mut s| s.next_back())
        .unwrap()
        .to_owned()
}
