//! The accounts service as the desktop app opens it: the same registry file,
//! the same keychain entries, the same pending purchases.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::SystemTime;

use topup_core::accounts::AccountRecord;
use topup_core::preferences::PreferenceStore;
use topup_core::provider::Credentials;
use topup_core::service::{Accounts, NewAccount};
use topup_core::store::{default_config_dir, OpenOptions, SandboxLink, Store};
use topup_core::updates::CliHint;
use topup_core::{BaseUrl, Error};
use topup_sandbox::{demo, Sandbox};

use crate::args::Global;
use crate::error::{CliError, Result};

pub struct Context {
    pub accounts: Arc<Accounts>,
    config_dir: PathBuf,
    /// Kept alive while the command runs.
    _sandbox: Option<Sandbox>,
}

/// The Sandbox account's settings: its demo public key.
fn sandbox_account() -> NewAccount {
    NewAccount {
        public_api_key: Some(demo::CLARA_PUBLIC_KEY.to_owned()),
        ..NewAccount::default()
    }
}

impl Context {
    pub async fn open(global: &Global) -> Result<Self> {
        let config_dir = match &global.config_dir {
            Some(dir) => dir.clone(),
            None => default_config_dir()?,
        };
        let sandbox = if global.sandbox {
            Some(
                Sandbox::start(topup_sandbox::Config::default())
                    .await
                    .map_err(|e| CliError::Failed(format!("the Sandbox could not start: {e}")))?,
            )
        } else {
            None
        };
        let mut options = OpenOptions::new(config_dir.clone());
        options.sandbox = sandbox
            .as_ref()
            .and_then(|s| BaseUrl::parse(&s.urls().base).ok())
            .map(|origin| SandboxLink {
                origin,
                account: sandbox_account(),
            });
        let store = Store::open(options).await?;
        if let Some(p) = &store.registry_problem {
            eprintln!("warning: {}", p.warning());
        }
        if let Some(e) = &store.keychain_problem {
            eprintln!("warning: {e} This sign-in lasts for this command only.");
        }
        Ok(Self {
            accounts: store.accounts,
            config_dir,
            _sandbox: sandbox,
        })
    }

    /// The once-a-day line about a newer Topup, if there is one.
    pub async fn update_hint(&self) -> Option<String> {
        let preferences = PreferenceStore::open(&self.config_dir).get();
        CliHint::new(&self.config_dir)
            .check(&preferences, env!("CARGO_PKG_VERSION"), SystemTime::now())
            .await
    }

    /// The account a command acts on: `--account` (id, label or email), the
    /// Sandbox account with `--sandbox`, else the active one.
    pub fn pick(&self, global: &Global) -> Result<AccountRecord> {
        let list = self.accounts.list();
        if global.sandbox && global.account.is_none() {
            return self
                .accounts
                .ensure_sandbox_account(sandbox_account())?
                .ok_or_else(|| CliError::Failed("the Sandbox is not running".into()));
        }
        if let Some(wanted) = &global.account {
            let matches: Vec<_> = list
                .iter()
                .filter(|a| {
                    a.record.id == *wanted
                        || a.record.label.eq_ignore_ascii_case(wanted)
                        || a.record
                            .email
                            .as_deref()
                            .is_some_and(|e| e.eq_ignore_ascii_case(wanted))
                })
                .collect();
            return match matches.as_slice() {
                [one] => Ok(one.record.clone()),
                [] => Err(CliError::Usage(format!(
                    "no account “{wanted}”: `topup-cli accounts` lists them"
                ))),
                _ => Err(CliError::Usage(format!(
                    "“{wanted}” names several accounts: use its id"
                ))),
            };
        }
        let active = self.accounts.active();
        list.into_iter()
            .find(|a| Some(&a.record.id) == active.as_ref())
            .map(|a| a.record)
            .ok_or_else(|| CliError::Usage("no account yet: add one with `topup-cli add`".into()))
    }

    /// The account with its kept session in use. The session is not proved by
    /// a call of its own: the command's first call does that, so each command
    /// reads the account once. The in-process Sandbox starts empty at every
    /// command, so its demo user signs in afresh.
    pub async fn signed_in(&self, global: &Global) -> Result<AccountRecord> {
        let record = self.pick(global)?;
        if global.sandbox {
            self.accounts
                .sign_in(
                    &record.id,
                    Credentials::EmailPassword {
                        email: demo::USER_EMAIL.into(),
                        password: demo::PASSWORD.to_owned().into(),
                        code: None,
                    },
                )
                .await?;
        } else if !self.accounts.resume(&record.id).await? {
            return Err(CliError::Core(Error::SessionExpired));
        }
        Ok(record)
    }
}
