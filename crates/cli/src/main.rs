//! `topup-cli`: the desktop app's accounts, keychain entries and purchase
//! watcher, for terminals and scripts. Everything it does is `topup-core`;
//! this crate reads the command line, prompts and prints.

mod alerts;
mod args;
mod buy;
mod context;
mod error;
mod history;
mod live_line;
mod login;

use std::process::ExitCode;

use clap::Parser;
use serde_json::json;
use topup_core::presets::PresetId;
use topup_core::service::NewAccount;

use crate::args::{Cli, Command, Global, PresetArg};
use crate::context::Context;
use crate::error::{exit, Result};

#[tokio::main(flavor = "current_thread")]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    let json = cli.global.json;
    match run(cli).await {
        Ok(code) => ExitCode::from(code),
        Err(e) => {
            let code = e.exit_code();
            if json {
                println!(
                    "{}",
                    json!({"error": {"code": e.code(), "message": e.to_string()}})
                );
            } else {
                eprintln!("topup-cli: {e}");
                if code == exit::SIGN_IN {
                    eprintln!("Sign in with `topup-cli login`.");
                }
            }
            ExitCode::from(code)
        }
    }
}

fn print(global: &Global, value: serde_json::Value, human: impl FnOnce()) {
    if global.json {
        println!("{value}");
    } else {
        human();
    }
}

async fn run(cli: Cli) -> Result<u8> {
    let ctx = Context::open(&cli.global).await?;
    let json = cli.global.json;
    let outcome = execute(&ctx, cli).await;
    // After the command's own output; for a person at a terminal, never
    // where a script reads JSON or stderr goes to a log.
    if !json && std::io::IsTerminal::is_terminal(&std::io::stderr()) {
        if let Some(hint) = ctx.update_hint().await {
            eprintln!("{hint}");
        }
    }
    outcome
}

async fn execute(ctx: &Context, cli: Cli) -> Result<u8> {
    let Cli { global, command } = cli;
    let accounts = &ctx.accounts;
    match command {
        Command::Accounts => {
            for (account, e) in accounts.find_kept_sign_ins().await {
                eprintln!("warning: could not look for the sign-in of {account}: {e}");
            }
            let list = accounts.list();
            print(&global, json!(list), || {
                if list.is_empty() {
                    println!("No accounts yet: add one with `topup-cli add`.");
                }
                for a in &list {
                    println!(
                        "{} {:<24} {:<10} {}{}",
                        if a.active { "*" } else { " " },
                        a.record.id,
                        format!("{:?}", a.record.provider).to_lowercase(),
                        a.record.label,
                        a.record
                            .email
                            .as_deref()
                            .filter(|e| *e != a.record.label)
                            .map(|e| format!(" ({e})"))
                            .unwrap_or_default(),
                    );
                }
            });
        }
        Command::Add(add) => {
            let preset = match add.preset {
                PresetArg::Clara => PresetId::Clara,
                PresetArg::Dispersed => PresetId::Dispersed,
                PresetArg::Custom => PresetId::CustomClara,
            };
            let record = accounts.add(NewAccount {
                preset: Some(preset),
                base_url: add.base_url,
                label: add.label,
                public_api_key: add.public_key,
                google_client_id: None,
                checkout_origins: add.checkout_origins.join("\n"),
            })?;
            accounts.switch(&record.id)?;
            if let Some(note) = accounts.checkout_note(&record.id)? {
                eprintln!("note: {note} (With topup-cli: `add … --checkout-origin <origin>`.)");
            }
            print(&global, json!(record), || {
                println!(
                    "Added {} ({}). Sign in with `topup-cli login`.",
                    record.label, record.id
                );
            });
        }
        Command::Login(args) => {
            let record = ctx.pick(&global)?;
            let account = login::login(accounts, &record, &args).await?;
            print(
                &global,
                json!({"account_id": record.id, "account": account}),
                || {
                    println!("Signed in to {} as {}.", record.label, account.display_name);
                },
            );
        }
        Command::Logout => {
            let record = ctx.pick(&global)?;
            let out = accounts.sign_out(&record.id).await?;
            print(&global, json!(out), || println!("{}", out.message));
        }
        Command::Use { account } => {
            let record = ctx.pick(&Global {
                account: Some(account),
                ..global
            })?;
            accounts.switch(&record.id)?;
            println!("Using {} ({}).", record.label, record.id);
        }
        Command::Balance { all: true } => {
            alerts::balance_all(ctx, &global).await?;
        }
        Command::Alert { action } => {
            alerts::alert(ctx, &global, action).await?;
        }
        Command::Balance { all: false } => {
            let record = ctx.signed_in(&global).await?;
            let account = accounts.account(&record.id).await?;
            print(
                &global,
                json!({"account_id": record.id, "balance": account.balance}),
                || match account.balance {
                    Some(b) => println!("{b} credits"),
                    None => println!("{} does not publish a balance.", record.label),
                },
            );
        }
        Command::Price => {
            let record = ctx.signed_in(&global).await?;
            let pricing = accounts.pricing(&record.id).await?;
            print(&global, json!(pricing), || {
                match &pricing.prices {
                    Some(p) => {
                        for t in &p.tiers {
                            println!(
                                "{} credits per {} from {} to {}",
                                t.credits_per_unit,
                                topup_core::Money::major(p.currency, 1),
                                t.min,
                                t.max
                            );
                        }
                    }
                    None => println!(
                        "{} publishes no price list; you pay in {}.",
                        record.label,
                        pricing.capabilities.currency.code()
                    ),
                }
                let presets: Vec<String> =
                    pricing.presets.iter().map(ToString::to_string).collect();
                println!("Suggested amounts: {}", presets.join(", "));
            });
        }
        Command::History(args) => {
            let record = ctx.signed_in(&global).await?;
            history::history(accounts, &record.id, &args, global.json).await?;
        }
        Command::Buy(args) => {
            let record = ctx.signed_in(&global).await?;
            return buy::buy(accounts, &record, &args, global.json).await;
        }
        Command::Portal { no_browser } => {
            let record = ctx.signed_in(&global).await?;
            buy::portal(accounts, &record, no_browser, global.json).await?;
        }
    }
    Ok(exit::OK)
}

#[cfg(test)]
mod tests {
    use clap::CommandFactory;

    #[test]
    fn the_command_line_is_consistent() {
        super::Cli::command().debug_assert();
    }

    #[test]
    fn usage_errors_and_outcomes_have_distinct_exit_codes() {
        use super::exit::*;
        let codes = [OK, ERROR, USAGE, EXPIRED, CANCELLED, GAVE_UP, SIGN_IN];
        let mut sorted = codes.to_vec();
        sorted.dedup();
        assert_eq!(sorted.len(), codes.len());
        let e = crate::error::CliError::Core(topup_core::Error::SessionExpired);
        assert_eq!(e.exit_code(), SIGN_IN);
    }
}
