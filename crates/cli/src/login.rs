//! Signing in from a terminal: prompts without echo for the password and the
//! two-factor code, or a token / key pair on standard input for scripts.
//! Secrets never come from the command line (argv is visible to other users).

use std::io::{BufRead, IsTerminal, Write};

use topup_core::accounts::AccountRecord;
use topup_core::provider::{Account, CodePurpose, SignInMethod};
use topup_core::service::Accounts;
use topup_core::sign_in::{SignInInput, SignInStep};

use crate::args::LoginArgs;
use crate::error::{CliError, Result};

fn prompt(label: &str) -> Result<String> {
    eprint!("{label}");
    std::io::stderr().flush()?;
    let mut line = String::new();
    std::io::stdin().lock().read_line(&mut line)?;
    Ok(line.trim().to_owned())
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
    let offers = record.provider.capabilities();
    if args.key_stdin {
        let text = read_stdin()?;
        let mut words = text.split_whitespace();
        let (Some(public_key), Some(secret_key)) = (words.next(), words.next()) else {
            return Err(CliError::Usage(
                "--key-stdin reads the public and the secret key, separated by a space or a new line".into(),
            ));
        };
        let input = SignInInput::KeyPair {
            public_key: public_key.to_owned(),
            secret_key: secret_key.to_owned(),
        };
        return signed_in(accounts.sign_in_with(id, input.into()).await?);
    }
    if args.token_stdin {
        let token = read_stdin()?;
        if token.trim().is_empty() {
            return Err(CliError::Usage("--token-stdin read nothing".into()));
        }
        let input = SignInInput::ApiKeyToken { token };
        return signed_in(accounts.sign_in_with(id, input.into()).await?);
    }
    if !offers.sign_in.contains(&SignInMethod::EmailPassword) {
        return Err(CliError::Usage(format!(
            "{} signs in with a key pair: pipe `pk_… sk_…` into `topup-cli login --key-stdin`",
            record.preset.preset().name
        )));
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
    let password = rpassword::prompt_password("Password: ")?;
    let input = |code: Option<String>| SignInInput::EmailPassword {
        email: email.clone(),
        password: password.clone(),
        code,
    };
    match accounts.sign_in_with(id, input(None).into()).await? {
        SignInStep::SignedIn { account } => Ok(account),
        SignInStep::CodeRequired { can_email_code } => {
            if can_email_code {
                accounts
                    .email_code(id, &email, CodePurpose::TwoFactor)
                    .await?;
                eprintln!("A code was sent to {email}.");
            } else {
                eprintln!(
                    "This account uses two-factor authentication. Topup cannot ask {} to email a \
                     code: this account has no public API key. Type a code you received another way, \
                     or add the service's public API key to this account in the app's Settings \
                     (or `topup-cli add … --public-key`) so Topup can ask for one.",
                    record.label
                );
            }
            let code = prompt("Code: ")?;
            signed_in(accounts.sign_in_with(id, input(Some(code)).into()).await?)
        }
    }
}

fn signed_in(outcome: SignInStep) -> Result<Account> {
    match outcome {
        SignInStep::SignedIn { account } => Ok(account),
        SignInStep::CodeRequired { .. } => Err(CliError::Failed(
            "the service asks for a two-factor code: sign in with email and password".into(),
        )),
    }
}
