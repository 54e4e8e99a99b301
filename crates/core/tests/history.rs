//! Years of history through the accounts service, against the Sandbox: one
//! download per view from a server that ignores paging (the boilerplate),
//! pages fetched as they are reached from one that honours `limit` and
//! `offset`, searches served from what was read, and a Buy that never has to
//! download the history to find its newest row.

mod common;

use std::sync::Arc;

use common::*;
use serde_json::{json, Value};
use topup_core::history::{HistoryQuery, PAGE_SIZE};
use topup_core::purchases::BuyOutcome;
use topup_core::secrets::MemoryStore;
use topup_core::service::Accounts;
use topup_sandbox::demo;

async fn signed_in_with_history(env: &Env, rows: usize) -> (Accounts, String, tempfile::TempDir) {
    let tmp = tempdir("history");
    let accounts = accounts_service(env, tmp.path(), Arc::new(MemoryStore::default()));
    let record = add_signed_in(&accounts, sandbox_preset()).await;
    let seeded = env
        .admin_post(
            &format!("/clara/users/{}/history", demo::USER_EMAIL),
            json!({ "count": rows }),
        )
        .await;
    assert_eq!(seeded["count"], rows);
    (accounts, record.id, tmp)
}

fn page(n: u32, fresh: bool) -> HistoryQuery {
    HistoryQuery {
        page: n,
        search: String::new(),
        fresh,
    }
}

/// The account's transaction reads in the Sandbox log: `(limit, bytes)` each.
async fn reads(env: &Env) -> Vec<(u32, u64)> {
    let log: Value = env
        .admin_get("/requests?method=GET&path=/api/v1/users/*/transactions")
        .await;
    log.as_array()
        .unwrap()
        .iter()
        .map(|e| {
            let query = e["query"].as_str().unwrap_or_default();
            let limit = query
                .split('&')
                .find_map(|p| p.strip_prefix("limit="))
                .and_then(|l| l.parse().ok())
                .unwrap_or(0);
            (limit, e["bytes"].as_u64().unwrap_or(0))
        })
        .collect()
}

async fn one_download_per_view(rows: usize) {
    let env = start_quirky().await;
    let (accounts, id, _tmp) = signed_in_with_history(&env, rows).await;
    let total = rows + 1; // and the demo user's first row
    let first = accounts.history(&id, &page(1, true)).await.unwrap();
    assert_eq!(first.entries.len(), PAGE_SIZE);
    assert_eq!(
        first.entries[0].description, "Admin updated credits from 0.0 to 1000.0.",
        "newest first"
    );
    assert_eq!(first.total, Some(u32::try_from(total).unwrap()));
    let downloads = reads(&env).await;
    assert_eq!(downloads.len(), 1, "one download");
    eprintln!("{total} rows: one answer of {} bytes", downloads[0].1);

    let pages = u32::try_from(total.div_ceil(PAGE_SIZE)).unwrap();
    let second = accounts.history(&id, &page(2, false)).await.unwrap();
    assert!(second.entries[0].at <= first.entries[PAGE_SIZE - 1].at);
    assert!(second
        .entries
        .iter()
        .all(|e| first.entries.iter().all(|f| f.id != e.id)));
    let last = accounts.history(&id, &page(pages, false)).await.unwrap();
    assert_eq!(last.entries.len(), total - (pages as usize - 1) * PAGE_SIZE);
    assert!(!last.has_more);
    let search = HistoryQuery {
        page: 1,
        search: "bought".into(),
        fresh: false,
    };
    let bought = accounts.history(&id, &search).await.unwrap();
    assert_eq!(bought.total, Some(u32::try_from(rows / 10).unwrap()));
    assert_eq!(
        reads(&env).await.len(),
        1,
        "paging and searching send nothing"
    );

    // The view opened again reads it again, once.
    accounts.history(&id, &page(1, true)).await.unwrap();
    assert_eq!(reads(&env).await.len(), 2);

    // A Buy finds the newest row with a small read, not the whole history.
    accounts.pricing(&id).await.unwrap();
    let bought = accounts.buy(&id, "5").await.unwrap();
    assert!(matches!(bought, BuyOutcome::Started { .. }), "{bought:?}");
    let newest = reads(&env).await[2];
    assert_eq!(newest.0, 99, "the boilerplate's newest 99");
    assert!(newest.1 < 64 * 1024, "{} bytes", newest.1);
}

#[tokio::test]
async fn ten_thousand_rows_from_a_server_that_ignores_paging_are_one_download() {
    one_download_per_view(10_000).await;
}

#[tokio::test]
async fn a_hundred_thousand_rows_are_one_download_beyond_the_one_mebibyte_cap() {
    one_download_per_view(100_000).await;
}

#[tokio::test]
async fn a_server_that_pages_oldest_first_is_read_from_its_end_as_pages_are_reached() {
    let env = start().await;
    let (accounts, id, _tmp) = signed_in_with_history(&env, 10_000).await;
    let first = accounts.history(&id, &page(1, true)).await.unwrap();
    assert_eq!(
        first.entries[0].description, "Admin updated credits from 0.0 to 1000.0.",
        "newest first, though the server pages oldest first"
    );
    assert_eq!(first.total, None, "not all read");
    let after_first = reads(&env).await;
    let pages: Vec<_> = after_first
        .iter()
        .filter(|(limit, _)| *limit == 100)
        .collect();
    let probes = after_first.iter().filter(|(limit, _)| *limit == 1).count();
    // The first page (the oldest hundred) and the last (the newest hundred);
    // 10,001 rows are counted with 8 doubling and 12 halving probes.
    assert_eq!(pages.len(), 2);
    assert_eq!(probes, 20);

    for n in 2..=4 {
        accounts.history(&id, &page(n, false)).await.unwrap();
    }
    assert_eq!(
        reads(&env).await.len(),
        after_first.len(),
        "pages 2–4 (and whether there is a page 5) are in the newest hundred"
    );
    let fifth = accounts.history(&id, &page(5, false)).await.unwrap();
    assert!(fifth.has_more);
    let now = reads(&env).await;
    assert_eq!(now.len(), after_first.len() + 1, "one more page");
    assert_eq!(now.last().unwrap().0, 100);
}
