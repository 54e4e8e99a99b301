//! Signing in from a terminal: prompts without echo for the password and the
//! two-factor code, or a token / key pair on standard input for scripts.
//! Secrets never come from the command line (argv is visible to other users).

use std::io::{BufRead, IsTerminal, Write};

use secrecy::SecretString;
use topup_core::accounts::AccountRecord;
use topup_core::clara::OtpPurpose;
use topup_core::dispersed::KeyPair;
use topup_core::provider::{Account, Credentials, ProviderKind, SignIn};
use topup_core::service::Accounts;

use crate::args::LoginArgs;
use crate::error::{CliError, Result};

fn prompt(label: &str) -> Result<String> {
    eprint!("{label}");
    std::io::stderr().flush()?;
    let mut line = String::new();
    std::io::stdin().lock().read_line(&mut line)?;
    Ok(line.trim().to_owned())
}

fn prompt_secret(label: &str) -> Result<SecretString> {
    Ok(SecretString::from(rpassword::prompt_password(label)?))
}

fn read_stdin() -> Result<String> {
    let mut text = String::new();
    for line in std::io::stdin().lock().lines() {
        text.push_str(&line?);
        text.push('\n');
    }
    Ok(text)
}

pub async fn login(
    accounts: &Accounts,
    record: &AccountRecord,
    args: &LoginArgs,
) -> Result<Account> {
    let id = &record.id;
    if args.key_stdin {
        let text = read_stdin()?;
        let mut words = text.split_whitespace();
        let (Some(public_key), Some(secret_key)) = (words.next(), words.next()) else {
            return Err(CliError::Usage(
                "--key-stdin reads the public and the secret key, separated by a space or a new line".into(),
            ));
        };
        let creds = Credentials::KeyPair(KeyPair {
            public_key: public_key.to_owned(),
            secret_key: SecretString::from(secret_key.to_owned()),
        });
        return signed_in(accounts.sign_in(id, creds).await?);
    }
    if args.token_stdin {
        let token = read_stdin()?.trim().to_owned();
        if token.is_empty() {
            return Err(CliError::Usage("--token-stdin read nothing".into()));
        }
        let creds = Credentials::ApiKeyToken(SecretString::from(token));
        return signed_in(accounts.sign_in(id, creds).await?);
    }
    if record.provider == ProviderKind::Dispersed {
        return Err(CliError::Usage(
            "Dispersed signs in with a key pair: pipe `pk_… sk_…` into `topup-cli login --key-stdin`".into(),
        ));
    }
    if !std::io::stdin().is_terminal() && args.email.is_none() {
        return Err(CliError::Usage(
            "no terminal to ask for an email and password: use --token-stdin in scripts".into(),
        ));
    }
    let email = match &args.email {
        Some(e) => e.clone(),
        None => prompt("Email: ")?,
    };
    let password = prompt_secret("Password: ")?;
    let creds = |code: Option<String>| Credentials::EmailPassword {
        email: email.clone(),
        password: password.clone(),
        code,
    };
    match accounts.sign_in(id, creds(None)).await? {
        SignIn::SignedIn { account, .. } => Ok(account),
        SignIn::CodeRequired => {
            if record.public_api_key.is_some() {
                accounts
                    .email_code(id, &email, OtpPurpose::TwoFactorAuth)
                    .await?;
                eprintln!("A code was sent to {email}.");
            } else {
                eprintln!("This account uses two-factor authentication.");
            }
            let code: String = prompt("Code: ")?
                .chars()
                .filter(char::is_ascii_digit)
                .collect();
            signed_in(accounts.sign_in(id, creds(Some(code))).await?)
        }
    }
}

fn signed_in(outcome: SignIn) -> Result<Account> {
    match outcome {
        SignIn::SignedIn { account, .. } => Ok(account),
        SignIn::CodeRequired => Err(CliError::Failed(
            "the service asks for a two-factor code: sign in with email and password".into(),
        )),
    }
}
