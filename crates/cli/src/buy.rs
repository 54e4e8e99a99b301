//! `topup-cli buy`: quote, confirm, create the checkout, hand it to the
//! browser (or print it), and with `--wait` watch it land on one live line.

use std::io::{BufRead, IsTerminal, Write};

use serde_json::json;
use tokio::sync::mpsc;
use topup_core::accounts::AccountRecord;
use topup_core::purchases::BuyOutcome;
use topup_core::service::Accounts;
use topup_core::watch::{watch, Progress, Schedule, Signal, WatchState};

use crate::args::BuyArgs;
use crate::error::{exit, CliError, Result};
use crate::live_line::{LiveLine, Redraw};

/// What a page handed to the browser is for: the words that introduce its
/// link when it has to be opened by hand.
#[derive(Clone, Copy)]
pub enum Page {
    Checkout,
    BillingPortal,
}

impl Page {
    fn invitation(self) -> &'static str {
        match self {
            Self::Checkout => "Open this page to pay:",
            Self::BillingPortal => "Open this page to manage your billing:",
        }
    }
}

/// Opens `url` in the default browser unless told not to (or over SSH, where
/// the browser would open on the wrong machine); prints it either way.
pub fn hand_off(page: Page, url: &url::Url, no_browser: bool, json: bool) {
    let remote =
        std::env::var_os("SSH_CONNECTION").is_some() || std::env::var_os("SSH_TTY").is_some();
    if !no_browser && !remote {
        match open::that_detached(url.as_str()) {
            Ok(()) => {
                if !json {
                    eprintln!("Opened in your browser: {url}");
                }
                return;
            }
            Err(e) => eprintln!("Could not open a browser ({e})."),
        }
    }
    let invitation = page.invitation();
    if json {
        // stdout carries the one JSON answer; the link a script needs goes beside it.
        eprintln!("{invitation} {url}");
    } else {
        eprintln!("{invitation}");
        println!("{url}");
    }
}

fn confirm(question: &str) -> Result<bool> {
    if !std::io::stdin().is_terminal() {
        return Err(CliError::Usage(
            "no terminal to confirm the purchase: add --yes".into(),
        ));
    }
    eprint!("{question} [y/N] ");
    std::io::stderr().flush()?;
    let mut line = String::new();
    std::io::stdin().lock().read_line(&mut line)?;
    Ok(matches!(line.trim(), "y" | "Y" | "yes" | "Yes"))
}

/// The watch's state in a line. On a live terminal line it counts the
/// seconds and checks; for a log (a script's stderr) it leaves them out, so
/// the line changes only when the state does.
fn line(progress: &Progress, live: bool) -> String {
    let next = progress
        .next_check_secs
        .filter(|_| live)
        .map(|s| format!(", next check in {} s", s.ceil() as u64))
        .unwrap_or_default();
    match &progress.state {
        WatchState::Waiting if live => format!(
            "Waiting for the payment… {} s, {} checks{next}",
            progress.elapsed_secs as u64, progress.attempts
        ),
        WatchState::Waiting => "Waiting for the payment…".into(),
        WatchState::Trouble { message, .. } => {
            format!("Connection trouble, retrying… ({message}){next}")
        }
        other => end_text(other),
    }
}

/// How a watch ended (or paused), in a sentence.
fn end_text(state: &WatchState) -> String {
    match state {
        WatchState::Landed { .. } => "Credits added.".into(),
        WatchState::Expired => "The checkout expired.".into(),
        WatchState::Cancelled => "Cancelled.".into(),
        WatchState::GaveUp => "Still no payment: Topup stopped checking.".into(),
        WatchState::NeedsSignIn { message, .. } | WatchState::Failed { message, .. } => {
            message.clone()
        }
        WatchState::Waiting | WatchState::Trouble { .. } => "Still waiting.".into(),
    }
}

pub async fn buy(
    accounts: &Accounts,
    record: &AccountRecord,
    args: &BuyArgs,
    json: bool,
) -> Result<u8> {
    let id = &record.id;
    accounts.pricing(id).await?;
    let quote = accounts.quote(id, &args.amount)?;
    let what = match quote.credits {
        Some(c) => format!("{c} credits for {}", quote.amount),
        None => format!("{} of credits", quote.amount),
    };
    let pending = accounts.pending_purchase(id)?;
    if pending.is_none() && !args.yes && !confirm(&format!("Buy {what} on {}?", record.label))? {
        return Err(CliError::Cancelled("Nothing was bought.".into()));
    }
    let outcome = accounts.buy(id, &args.amount).await?;
    let purchase = outcome.purchase().clone();
    let url = accounts.checkout_url(id)?;
    match &outcome {
        BuyOutcome::Started { .. } => {
            if !json {
                eprintln!("Started: {what}.");
            }
            hand_off(Page::Checkout, &url, args.no_browser, json);
        }
        BuyOutcome::AlreadyPending { .. } => {
            if json {
                // As for a new purchase: a script waiting on it may still have to pay it.
                eprintln!("{} {url}", Page::Checkout.invitation());
            } else {
                eprintln!(
                    "A purchase of {} is already in progress on this account; it was not started again.",
                    purchase.amount
                );
                println!("{url}");
            }
        }
    }
    if !args.wait {
        if json {
            println!(
                "{}",
                json!({"outcome": "started", "already_pending": matches!(outcome, BuyOutcome::AlreadyPending { .. }), "purchase": purchase, "checkout_url": url.as_str()})
            );
        }
        return Ok(exit::OK);
    }

    let job = accounts.watch_job(&purchase, Schedule::default())?;
    let (signals, rx) = mpsc::channel(4);
    let live = std::io::stderr().is_terminal() && !json;
    // A paused watch (gave up, session ended) ends the command; the purchase
    // stays pending for the app or a later `buy --wait`.
    let (paused_tx, mut paused) = mpsc::unbounded_channel::<WatchState>();
    let mut last_line = String::new();
    let mut live_line = live.then(|| LiveLine::new(Redraw::for_this_terminal()));
    let report = move |p: &Progress| {
        let text = line(p, live);
        // Progress is a courtesy: a closed stderr must not end the watch.
        let mut err = std::io::stderr();
        if let Some(live_line) = &mut live_line {
            let _ = write!(err, "{}", live_line.replace(&text));
            let _ = err.flush();
        } else if text != last_line {
            let _ = writeln!(err, "{text}");
        }
        last_line = text;
        if matches!(p.state, WatchState::GaveUp | WatchState::NeedsSignIn { .. }) {
            let _ = paused_tx.send(p.state.clone());
        }
    };
    let mut watching = tokio::spawn(watch(job, rx, report));
    let end = tokio::select! {
        end = &mut watching => end.map_err(|e| CliError::Failed(e.to_string()))?,
        Some(state) = paused.recv() => {
            watching.abort();
            state
        }
        _ = tokio::signal::ctrl_c() => {
            let _ = signals.send(Signal::Cancel).await;
            (&mut watching).await.map_err(|e| CliError::Failed(e.to_string()))?
        }
    };
    drop(signals);
    if live {
        eprintln!();
    }
    // As in the app: a purchase that ended is forgotten; a failed check
    // keeps it for the app or a later `buy --wait`.
    let receipt = accounts.conclude(&purchase, &end)?;
    let (code, state) = match &end {
        WatchState::Landed { .. } => (exit::OK, "landed"),
        WatchState::Expired => (exit::EXPIRED, "expired"),
        WatchState::Cancelled => (exit::CANCELLED, "cancelled"),
        WatchState::GaveUp => (exit::GAVE_UP, "gave_up"),
        WatchState::NeedsSignIn { .. } => (exit::SIGN_IN, "needs_sign_in"),
        WatchState::Failed { .. } | WatchState::Waiting | WatchState::Trouble { .. } => {
            (exit::ERROR, "failed")
        }
    };
    let credits = receipt.as_ref().and_then(|r| r.credits);
    let balance = receipt.as_ref().and_then(|r| r.balance);
    if json {
        println!(
            "{}",
            json!({"outcome": state, "purchase": purchase, "credits": credits, "balance": balance})
        );
    } else if receipt.is_some() {
        let added = credits.map_or_else(|| "Credits".to_owned(), |c| format!("+{c} credits"));
        match balance {
            Some(b) => println!("{added} for {}. New balance: {b} credits.", purchase.amount),
            None => println!("{added} for {}.", purchase.amount),
        }
    } else {
        eprintln!("{}", end_text(&end));
    }
    Ok(code)
}

/// `topup-cli portal`.
pub async fn portal(
    accounts: &Accounts,
    record: &AccountRecord,
    no_browser: bool,
    json: bool,
) -> Result<()> {
    let url = accounts.billing_portal(&record.id).await?;
    if json {
        println!("{}", json!({"portal_url": url.as_str()}));
    }
    hand_off(Page::BillingPortal, &url, no_browser, json);
    Ok(())
}
