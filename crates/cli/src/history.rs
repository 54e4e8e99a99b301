//! `topup-cli history`: pages of the account's history, read from the service
//! once per command (core's history book), however many pages it spans.

use serde_json::json;
use topup_core::history::{HistoryQuery, PAGE_SIZE};
use topup_core::provider::HistoryEntry;
use topup_core::service::Accounts;

use crate::args::HistoryArgs;
use crate::error::Result;

pub async fn history(accounts: &Accounts, id: &str, args: &HistoryArgs, json: bool) -> Result<()> {
    let mut query = HistoryQuery {
        page: args.page,
        search: args.search.clone().unwrap_or_default(),
        fresh: true,
    };
    let mut entries = Vec::new();
    let mut page = accounts.history(id, &query).await?;
    query.fresh = false;
    loop {
        entries.extend(page.entries);
        if !page.has_more || entries.len() >= args.limit {
            break;
        }
        query.page += 1;
        page = accounts.history(id, &query).await?;
    }
    let more = page.has_more || entries.len() > args.limit;
    entries.truncate(args.limit);
    if json {
        println!("{}", json!(entries));
        return Ok(());
    }
    if entries.is_empty() {
        println!(
            "{}",
            if query.search.is_empty() && args.page == 1 {
                "Nothing yet."
            } else if query.search.is_empty() {
                "No older entries."
            } else {
                "Nothing matches."
            }
        );
    }
    for e in &entries {
        println!("{}", line(e));
    }
    let shown = entries.len();
    if shown > 0 {
        let first = (args.page as usize - 1) * PAGE_SIZE + 1;
        let of = page.total.map(|t| format!(" of {t}")).unwrap_or_default();
        let next = if more {
            format!(
                " Older: --page {}",
                // Whole pages on: a partial page is shown again rather than skipped.
                args.page as usize + (shown / PAGE_SIZE).max(1)
            )
        } else {
            String::new()
        };
        eprintln!("Entries {first}–{}{of}.{next}", first + shown - 1);
    }
    Ok(())
}

fn line(e: &HistoryEntry) -> String {
    let credits = e
        .credits
        .map(|c| {
            format!(
                "{}{} credits",
                if e.incoming { "+" } else { "-" },
                c.to_string().trim_start_matches('-')
            )
        })
        .unwrap_or_default();
    let amount = e.amount.map(|a| a.to_string()).unwrap_or_default();
    let status = e
        .status
        .map(|s| format!(" [{s:?}]").to_lowercase())
        .unwrap_or_default();
    format!(
        "{:<16} {:>16} {:>10}  {}{}",
        e.id, credits, amount, e.description, status
    )
}
