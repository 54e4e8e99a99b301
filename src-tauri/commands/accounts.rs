//! Account commands: list, add, sign in (with the 2FA step), restore, sign
//! out, switch, remove. Secrets arrive here from the sign-in forms and go
//! straight into redacted types; nothing here logs them.

use secrecy::SecretString;
use serde::{Deserialize, Serialize};
use tauri::{AppHandle, Runtime, State};
use topup_core::accounts::AccountRecord;
use topup_core::clara::OtpPurpose;
use topup_core::dispersed::KeyPair;
use topup_core::provider::{Account, Credentials, SignIn};
use topup_core::service::{AccountView, NewAccount, Restored, SignedOut};

use crate::error::IpcError;
use crate::state::{AppState, SandboxDemo};

/// Everything the UI needs to draw its first screen.
#[derive(Debug, Clone, Serialize, specta::Type)]
pub struct Startup {
    pub accounts: Vec<AccountView>,
    pub active: Option<String>,
    /// False when sign-ins last this run only (no keychain).
    pub persists: bool,
    pub keychain_warning: Option<String>,
    pub registry_warning: Option<String>,
    pub sandbox: Option<SandboxDemo>,
    /// The theme and other app preferences, so the first screen is drawn right.
    pub preferences: topup_core::preferences::Preferences,
}

#[tauri::command]
#[specta::specta]
pub fn startup(state: State<'_, AppState>) -> Startup {
    Startup {
        accounts: state.accounts.list(),
        active: state.accounts.active(),
        persists: state.accounts.persists(),
        keychain_warning: state.keychain_warning.clone(),
        registry_warning: state.registry_warning.clone(),
        sandbox: state.sandbox_demo.clone(),
        preferences: state.preferences.get(),
    }
}

#[tauri::command]
#[specta::specta]
pub fn list_accounts(state: State<'_, AppState>) -> Vec<AccountView> {
    state.accounts.list()
}

#[tauri::command]
#[specta::specta]
pub fn add_account(
    state: State<'_, AppState>,
    account: NewAccount,
) -> Result<AccountRecord, IpcError> {
    Ok(state.accounts.add(account)?)
}

/// What a sign-in form sends.
#[derive(Deserialize, specta::Type)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum SignInInput {
    EmailPassword {
        email: String,
        password: String,
        code: Option<String>,
    },
    ApiKeyToken {
        token: String,
    },
    KeyPair {
        public_key: String,
        secret_key: String,
    },
}

impl std::fmt::Debug for SignInInput {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Self::EmailPassword { .. } => "SignInInput::EmailPassword([REDACTED])",
            Self::ApiKeyToken { .. } => "SignInInput::ApiKeyToken([REDACTED])",
            Self::KeyPair { .. } => "SignInInput::KeyPair([REDACTED])",
        })
    }
}

impl From<SignInInput> for Credentials {
    fn from(input: SignInInput) -> Self {
        match input {
            SignInInput::EmailPassword {
                email,
                password,
                code,
            } => Credentials::EmailPassword {
                email: email.trim().to_owned(),
                password: SecretString::from(password),
                code: code
                    .map(|c| c.chars().filter(char::is_ascii_digit).collect())
                    .filter(|c: &String| !c.is_empty()),
            },
            SignInInput::ApiKeyToken { token } => {
                Credentials::ApiKeyToken(SecretString::from(token.trim().to_owned()))
            }
            SignInInput::KeyPair {
                public_key,
                secret_key,
            } => Credentials::KeyPair(KeyPair {
                public_key: public_key.trim().to_owned(),
                secret_key: SecretString::from(secret_key.trim().to_owned()),
            }),
        }
    }
}

#[derive(Debug, Clone, Serialize, specta::Type)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum SignInResult {
    SignedIn { account: Account },
    CodeRequired { can_email_code: bool },
}

#[tauri::command]
#[specta::specta]
pub async fn sign_in<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
    account_id: String,
    input: SignInInput,
) -> Result<SignInResult, IpcError> {
    let accounts = state.accounts.clone();
    match accounts.sign_in(&account_id, input.into()).await? {
        SignIn::SignedIn { account, .. } => {
            tracing::info!(account = %account_id, "signed in");
            state.watches.signed_in(&app, &accounts, &account_id);
            Ok(SignInResult::SignedIn { account })
        }
        SignIn::CodeRequired => {
            let record = accounts.record(&account_id)?;
            Ok(SignInResult::CodeRequired {
                can_email_code: record.public_api_key.is_some(),
            })
        }
    }
}

/// Which code to email.
#[derive(Debug, Clone, Copy, Deserialize, specta::Type)]
#[serde(rename_all = "snake_case")]
pub enum CodePurpose {
    TwoFactor,
    Activation,
}

/// Emails a code (two-factor or activation), with the deployment's public API key.
#[tauri::command]
#[specta::specta]
pub async fn send_code(
    state: State<'_, AppState>,
    account_id: String,
    email: String,
    purpose: CodePurpose,
) -> Result<(), IpcError> {
    let purpose = match purpose {
        CodePurpose::TwoFactor => OtpPurpose::TwoFactorAuth,
        CodePurpose::Activation => OtpPurpose::Activation,
    };
    Ok(state
        .accounts
        .clone()
        .email_code(&account_id, &email, purpose)
        .await?)
}

/// Creates an account on a Clara deployment whose public API key is set; it
/// must then be activated with the emailed code.
#[tauri::command]
#[specta::specta]
pub async fn register(
    state: State<'_, AppState>,
    account_id: String,
    first_name: String,
    last_name: String,
    email: String,
    password: String,
) -> Result<Account, IpcError> {
    let password = SecretString::from(password);
    let accounts = state.accounts.clone();
    Ok(accounts
        .register(&account_id, &first_name, &last_name, &email, &password)
        .await?)
}

#[tauri::command]
#[specta::specta]
pub async fn activate(
    state: State<'_, AppState>,
    account_id: String,
    email: String,
    code: String,
) -> Result<Account, IpcError> {
    Ok(state
        .accounts
        .clone()
        .activate(&account_id, &email, &code)
        .await?)
}

#[tauri::command]
#[specta::specta]
pub async fn restore_account<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
    account_id: String,
) -> Result<Restored, IpcError> {
    let accounts = state.accounts.clone();
    let restored = accounts.restore(&account_id).await?;
    if matches!(
        restored,
        Restored::SignedIn { .. } | Restored::Offline { .. }
    ) {
        // A purchase pending from an earlier run is watched again.
        state.watches.signed_in(&app, &accounts, &account_id);
    }
    Ok(restored)
}

#[tauri::command]
#[specta::specta]
pub async fn account_summary(
    state: State<'_, AppState>,
    account_id: String,
) -> Result<Account, IpcError> {
    Ok(state.accounts.clone().account(&account_id).await?)
}

#[tauri::command]
#[specta::specta]
pub async fn sign_out(
    state: State<'_, AppState>,
    account_id: String,
) -> Result<SignedOut, IpcError> {
    let out = state.accounts.clone().sign_out(&account_id).await?;
    tracing::info!(account = %account_id, revoked = out.revoked_on_server, "signed out");
    Ok(out)
}

#[tauri::command]
#[specta::specta]
pub async fn remove_account(
    state: State<'_, AppState>,
    account_id: String,
) -> Result<SignedOut, IpcError> {
    Ok(state.accounts.clone().remove(&account_id).await?)
}

#[tauri::command]
#[specta::specta]
pub fn switch_account(state: State<'_, AppState>, account_id: String) -> Result<(), IpcError> {
    Ok(state.accounts.switch(&account_id)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What the sign-in form sends prints without its secrets, as do the
    /// credentials made from it.
    #[test]
    fn sign_in_input_prints_redacted() {
        let secrets = ["pw-correct-horse", "123456", "clara_api_eyJ.t", "sk_test_x"];
        let inputs = [
            r#"{"kind":"email_password","email":"a@b.c","password":"pw-correct-horse","code":"123456"}"#,
            r#"{"kind":"api_key_token","token":"clara_api_eyJ.t"}"#,
            r#"{"kind":"key_pair","public_key":"pk_test_x","secret_key":"sk_test_x"}"#,
        ];
        for json in inputs {
            let input: SignInInput = serde_json::from_str(json).unwrap();
            let again: SignInInput = serde_json::from_str(json).unwrap();
            let shown = format!("{input:?} {:?}", Credentials::from(again));
            for s in secrets {
                assert!(!shown.contains(s), "{shown}");
            }
        }
    }
}
