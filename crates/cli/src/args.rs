//! The command line, as clap reads it.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

/// Top up prepaid credits from a terminal. Shares accounts and keychain
/// entries with the Topup desktop app.
#[derive(Debug, Parser)]
#[command(name = "topup-cli", version, about, long_about = None, after_long_help = outcomes_help())]
pub struct Cli {
    #[command(flatten)]
    pub global: Global,
    #[command(subcommand)]
    pub command: Command,
}

/// Exit codes and error codes, for scripts (`--help`; `-h` leaves them out).
fn outcomes_help() -> String {
    use std::fmt::Write;
    let mut text = String::from(
        "Exit codes: 0 done or landed, 1 error, 2 usage, 3 checkout expired, 4 cancelled, \
         5 stopped waiting, 6 sign in again.\n\n\
         With --json, a failure prints {\"error\": {\"code\", \"message\"}} on stdout. The codes:\n",
    );
    for code in topup_core::ErrorCode::ALL {
        let _ = writeln!(text, "  {:<24} {}", code.as_str(), code.meaning());
    }
    for (code, meaning) in crate::error::CLI_CODES {
        let _ = writeln!(text, "  {code:<24} {meaning}");
    }
    text
}

#[derive(Debug, Args)]
pub struct Global {
    /// The account to act on (its id, label or email); the active one by default.
    #[arg(long, short = 'a', global = true, env = "TOPUP_ACCOUNT")]
    pub account: Option<String>,
    /// Machine-readable output on stdout.
    #[arg(long, global = true)]
    pub json: bool,
    /// Run the built-in Sandbox in this process and use its demo account.
    #[arg(long, global = true)]
    pub sandbox: bool,
    /// Where the account list lives (the app's config directory by default).
    #[arg(long, global = true, env = "TOPUP_CONFIG_DIR", value_name = "DIR")]
    pub config_dir: Option<PathBuf>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// List the accounts.
    Accounts,
    /// Add an account.
    Add(AddArgs),
    /// Sign in (prompts for the password and a two-factor code; `--token-stdin`
    /// or `--key-stdin` for scripts).
    Login(LoginArgs),
    /// Sign out: the server ends the session and the keychain entry is deleted.
    Logout,
    /// Make an account the active one.
    Use {
        /// Its id, label or email.
        account: String,
    },
    /// The account's balance; with `--all`, every account's, with the forecast.
    Balance {
        /// Every account: balance (or last purchase), forecast and alert.
        #[arg(long)]
        all: bool,
    },
    /// The low-balance alert of an account (the desktop app notifies).
    Alert {
        #[command(subcommand)]
        action: AlertAction,
    },
    /// The price of credits and the limits.
    Price,
    /// Purchases and transactions, newest first, a page at a time. The history
    /// is read from the service once per command, however many pages it spans.
    History(HistoryArgs),
    /// Buy credits: quote, confirm, open the checkout page, optionally wait.
    Buy(BuyArgs),
    /// Open the billing portal.
    Portal {
        /// Print the link instead of opening a browser.
        #[arg(long)]
        no_browser: bool,
    },
}

#[derive(Debug, Clone, Subcommand)]
pub enum AlertAction {
    /// Alert when the balance falls under this many credits.
    Set {
        /// Credits, such as 1000.
        threshold: String,
    },
    /// The alert, the balance and the forecast.
    Show,
    /// No alert for this account.
    Off,
}

#[derive(Debug, Clone, clap::Args)]
pub struct HistoryArgs {
    /// Which page of 20 entries to start at (1 is the newest).
    #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u32).range(1..))]
    pub page: u32,
    /// How many entries to show from there.
    #[arg(long, default_value_t = 20)]
    pub limit: usize,
    /// Only entries whose description, credits or amount contain this text.
    #[arg(long)]
    pub search: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum PresetArg {
    Clara,
    Dispersed,
    /// Any Flask Backend Boilerplate deployment (needs --base-url).
    Custom,
}

#[derive(Debug, Args)]
pub struct AddArgs {
    pub preset: PresetArg,
    /// The service's API address (required for `custom`).
    #[arg(long)]
    pub base_url: Option<String>,
    #[arg(long)]
    pub label: Option<String>,
    /// Clara's public API key (lets Topup email two-factor codes).
    #[arg(long)]
    pub public_key: Option<String>,
    /// An extra origin checkout pages may open on (self-hosted services); repeatable.
    #[arg(long = "checkout-origin", value_name = "ORIGIN")]
    pub checkout_origins: Vec<String>,
}

#[derive(Debug, Args)]
pub struct LoginArgs {
    /// The email to sign in with (prompted when missing).
    #[arg(long)]
    pub email: Option<String>,
    /// Read a `clara_api_…` token from standard input.
    #[arg(long, conflicts_with_all = ["key_stdin", "email"])]
    pub token_stdin: bool,
    /// Read a Dispersed key pair (`pk_…` and `sk_…`, whitespace-separated) from standard input.
    #[arg(long, conflicts_with = "email")]
    pub key_stdin: bool,
}

#[derive(Debug, Args)]
pub struct BuyArgs {
    /// What to pay, in the service's currency (`5`, `$5`, `12,50 €`).
    pub amount: String,
    /// Watch until the credits land (or the checkout expires).
    #[arg(long)]
    pub wait: bool,
    /// Print the checkout link instead of opening a browser.
    #[arg(long)]
    pub no_browser: bool,
    /// Do not ask for confirmation.
    #[arg(long, short = 'y')]
    pub yes: bool,
}
