//! `balance --all` and `alert set|show|off`: core's standings and thresholds,
//! printed. The desktop app sends the notifications; the CLI only looks and
//! sets, so a look from here never uses up the app's alert.

use serde_json::json;
use topup_core::alerts::{Read, Standing};

use crate::args::{AlertAction, Global};
use crate::context::Context;
use crate::error::Result;

/// Every account: its line, its forecast and its alert.
pub async fn balance_all(ctx: &Context, global: &Global) -> Result<()> {
    let accounts = &ctx.accounts;
    if global.sandbox {
        ctx.signed_in(global).await?;
    }
    for (account, e) in accounts.find_kept_sign_ins().await {
        eprintln!("warning: could not look for the sign-in of {account}: {e}");
    }
    let all = accounts.standings(Read::Fresh).await;
    if global.json {
        println!("{}", json!(all));
        return Ok(());
    }
    if all.is_empty() {
        println!("No accounts yet: add one with `topup-cli add`.");
    }
    for s in &all {
        print_standing(s);
    }
    Ok(())
}

fn print_standing(s: &Standing) {
    println!("{}", s.line);
    if s.signed_in {
        println!("  {}", s.forecast.text);
    }
    if let Some(t) = s.threshold {
        println!("  Alert under {} credits.", t.grouped());
    }
}

pub async fn alert(ctx: &Context, global: &Global, action: AlertAction) -> Result<()> {
    let accounts = &ctx.accounts;
    let record = ctx.pick(global)?;
    match action {
        AlertAction::Set { threshold } => accounts.set_alert_text(&record.id, &threshold)?,
        AlertAction::Off => accounts.set_alert(&record.id, None)?,
        AlertAction::Show => {}
    }
    // The standing as last seen: setting an alert makes no call.
    accounts.find_kept_sign_ins().await;
    let standing = accounts.standing(&record.id, Read::Known).await?;
    if global.json {
        println!("{}", json!(standing));
        return Ok(());
    }
    match standing.threshold {
        Some(t) => println!(
            "{}: alert when the balance falls under {} credits{}.",
            standing.label,
            t.grouped(),
            if standing.low {
                " (it is under now)"
            } else {
                ""
            }
        ),
        None => println!("{}: no low-balance alert.", standing.label),
    }
    print_standing(&standing);
    if standing.threshold.is_none() {
        if let Some(s) = standing.suggested_threshold {
            println!("  Suggested: `topup-cli alert set {s}` leaves a few days to top up.");
        }
    }
    Ok(())
}
