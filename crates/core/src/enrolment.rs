//! Opening an account on a service and having it email one-time codes, for
//! providers that offer it ([`crate::provider::Enrolment`]): every call
//! carries the deployment's public API key.

use std::sync::Arc;

use secrecy::SecretString;

use crate::error::{Error, Result};
use crate::provider::{Account, CodePurpose, Provider, Registration};
use crate::service::Accounts;
use crate::sign_in::code_digits;

fn no_enrolment() -> Error {
    Error::Unsupported {
        what: "Opening an account or emailing a code".into(),
    }
}

impl Accounts {
    /// The account's provider, when it opens accounts and emails codes, with
    /// the deployment's public API key those calls carry.
    fn enrolment(&self, id: &str) -> Result<(Arc<dyn Provider>, SecretString)> {
        let record = self.record(id)?;
        let provider = self.provider(&record)?;
        if provider.enrolment().is_none() {
            return Err(no_enrolment());
        }
        let key = record.public_api_key.clone().ok_or(Error::Unsupported {
            what: "Without the service's public API key, this".into(),
        })?;
        Ok((provider, SecretString::from(key)))
    }

    /// Whether Topup can have the service email this account a code.
    pub fn can_email_codes(&self, id: &str) -> Result<bool> {
        let record = self.record(id)?;
        Ok(record.public_api_key.is_some() && record.provider.capabilities().enrolment)
    }

    /// Emails a code for `email` (two-factor or activation).
    pub async fn email_code(&self, id: &str, email: &str, purpose: CodePurpose) -> Result<()> {
        let (provider, key) = self.enrolment(id)?;
        let enrolment = provider.enrolment().ok_or_else(no_enrolment)?;
        enrolment.email_code(email.trim(), purpose, &key).await
    }

    /// Opens an account on the service; it is signed in but inactive until
    /// [`Accounts::activate`] with the emailed code.
    pub async fn register(&self, id: &str, who: Registration<'_>) -> Result<Account> {
        let (provider, key) = self.enrolment(id)?;
        let enrolment = provider.enrolment().ok_or_else(no_enrolment)?;
        let who = Registration {
            first_name: who.first_name.trim(),
            last_name: who.last_name.trim(),
            email: who.email.trim(),
            password: who.password,
        };
        let (session, account) = enrolment.register(who, &key).await?;
        self.adopt(id, session, &account).await?;
        Ok(account)
    }

    /// Activates a registered account with its emailed code.
    pub async fn activate(&self, id: &str, email: &str, code: &str) -> Result<Account> {
        let (provider, key) = self.enrolment(id)?;
        let enrolment = provider.enrolment().ok_or_else(no_enrolment)?;
        let code = code_digits(code).unwrap_or_default();
        enrolment.activate(email.trim(), &code, &key).await?;
        self.account(id).await
    }
}
