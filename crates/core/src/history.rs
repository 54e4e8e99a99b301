//! An account's history as the screens and the CLI page through it. A view
//! reads it from the service once ([`HistoryQuery::fresh`]); its pages and
//! searches are then served from what was read, and only a server that pages
//! is asked for more, as the pages reach past what is held. A history of years
//! is one download on a server that ignores paging, never one per page.

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex};

use serde::{Deserialize, Serialize};

use crate::error::Result;
use crate::provider::{HistoryEntry, HistoryReader};
use crate::sync::lock;

/// Entries per page.
pub const PAGE_SIZE: usize = 20;

/// Which page of an account's history to show.
#[derive(Debug, Clone, Default, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct HistoryQuery {
    /// From 1.
    pub page: u32,
    /// Only entries whose description, credits or amount contain this (any
    /// case); empty for all of them.
    #[serde(default)]
    pub search: String,
    /// Read the history from the service again (a view opening, or asked to
    /// refresh) instead of paging through what was read before.
    #[serde(default)]
    pub fresh: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct HistoryPage {
    pub entries: Vec<HistoryEntry>,
    pub page: u32,
    pub has_more: bool,
    /// How many entries there are (that match the search), once known: every
    /// entry has been read.
    pub total: Option<u32>,
    /// How many pages they fill (at least one), known with `total`.
    pub pages: Option<u32>,
}

/// What has been read of each account's history this session.
#[derive(Default)]
pub(crate) struct Histories {
    books: Mutex<HashMap<String, Arc<tokio::sync::Mutex<Book>>>>,
}

impl Histories {
    /// The account's book: the one held, or a new one from `open` when there
    /// is none or `fresh` asks for it.
    pub(crate) fn book(
        &self,
        id: &str,
        fresh: bool,
        open: impl FnOnce() -> Result<Box<dyn HistoryReader>>,
    ) -> Result<Arc<tokio::sync::Mutex<Book>>> {
        let mut books = lock(&self.books);
        if !fresh {
            if let Some(book) = books.get(id) {
                return Ok(book.clone());
            }
        }
        let book = Arc::new(tokio::sync::Mutex::new(Book::new(open()?)));
        books.insert(id.to_owned(), book.clone());
        Ok(book)
    }

    /// Forgets what was read of the account's history (signed out, removed).
    pub(crate) fn drop_book(&self, id: &str) {
        lock(&self.books).remove(id);
    }
}

impl std::fmt::Debug for Histories {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Histories")
            .field("accounts", &lock(&self.books).len())
            .finish()
    }
}

/// One account's history as far as it has been read.
pub(crate) struct Book {
    reader: Box<dyn HistoryReader>,
    entries: Vec<HistoryEntry>,
    seen: HashSet<String>,
    complete: bool,
}

impl Book {
    pub(crate) fn new(reader: Box<dyn HistoryReader>) -> Self {
        Self {
            reader,
            entries: Vec::new(),
            seen: HashSet::new(),
            complete: false,
        }
    }

    /// Reads on until `wanted` entries are held or there are no more.
    async fn read_to(&mut self, wanted: usize) -> Result<()> {
        while !self.complete && self.entries.len() < wanted {
            let chunk = self.reader.next().await?;
            for row in chunk.entries {
                if self.seen.insert(row.id.clone()) {
                    self.entries.push(row);
                }
            }
            self.complete = !chunk.more;
        }
        Ok(())
    }

    /// Reads on until an entry older than `since` (unix seconds) is held, or
    /// there are no more; what a forecast of recent spending needs.
    pub(crate) async fn read_back_to(&mut self, since: i64) -> Result<()> {
        while !self.complete
            && self
                .entries
                .last()
                .and_then(|e| e.at)
                .is_none_or(|at| at >= since)
        {
            let held = self.entries.len();
            self.read_to(held + 1).await?;
        }
        Ok(())
    }

    pub(crate) fn entries(&self) -> &[HistoryEntry] {
        &self.entries
    }

    pub(crate) fn complete(&self) -> bool {
        self.complete
    }

    pub(crate) async fn page(&mut self, query: &HistoryQuery) -> Result<HistoryPage> {
        let page = query.page.max(1);
        let start = (page as usize - 1).saturating_mul(PAGE_SIZE);
        let needle = query.search.trim().to_lowercase();
        // A search reads everything; a page, one entry past its own, which
        // tells whether there is a next page.
        let wanted = if needle.is_empty() {
            start.saturating_add(PAGE_SIZE + 1)
        } else {
            usize::MAX
        };
        self.read_to(wanted).await?;
        let matching: Vec<&HistoryEntry> = self
            .entries
            .iter()
            .filter(|e| needle.is_empty() || matches(e, &needle))
            .collect();
        let known = self.complete;
        Ok(HistoryPage {
            entries: matching
                .iter()
                .skip(start)
                .take(PAGE_SIZE)
                .map(|e| (*e).clone())
                .collect(),
            page,
            has_more: matching.len() > start + PAGE_SIZE,
            total: known.then(|| count(matching.len())),
            pages: known.then(|| count(matching.len().div_ceil(PAGE_SIZE).max(1))),
        })
    }
}

fn count(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

/// `needle` is already lower case.
fn matches(entry: &HistoryEntry, needle: &str) -> bool {
    entry.description.to_lowercase().contains(needle)
        || entry
            .credits
            .is_some_and(|c| c.to_string().contains(needle))
        || entry
            .amount
            .is_some_and(|a| a.to_string().to_lowercase().contains(needle))
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicUsize, Ordering};

    use async_trait::async_trait;

    use super::*;
    use crate::provider::HistoryChunk;

    /// Serves `total` entries in chunks of `chunk`, counting reads.
    struct Chunks {
        next: usize,
        total: usize,
        chunk: usize,
        reads: Arc<AtomicUsize>,
    }

    #[async_trait]
    impl HistoryReader for Chunks {
        async fn next(&mut self) -> Result<HistoryChunk> {
            self.reads.fetch_add(1, Ordering::SeqCst);
            let end = (self.next + self.chunk).min(self.total);
            let entries = (self.next..end).map(entry).collect();
            self.next = end;
            Ok(HistoryChunk {
                entries,
                more: end < self.total,
            })
        }
    }

    fn entry(i: usize) -> HistoryEntry {
        HistoryEntry {
            id: format!("t{i}"),
            at: None,
            description: if i.is_multiple_of(10) {
                format!("Bought credits #{i}")
            } else {
                format!("Used credits #{i}")
            },
            credits: None,
            amount: None,
            incoming: i.is_multiple_of(10),
            status: None,
        }
    }

    fn book(total: usize, chunk: usize) -> (Book, Arc<AtomicUsize>) {
        let reads = Arc::new(AtomicUsize::new(0));
        let reader = Chunks {
            next: 0,
            total,
            chunk,
            reads: reads.clone(),
        };
        (Book::new(Box::new(reader)), reads)
    }

    fn query(page: u32, search: &str) -> HistoryQuery {
        HistoryQuery {
            page,
            search: search.into(),
            fresh: false,
        }
    }

    #[tokio::test]
    async fn pages_read_only_as_far_as_they_reach() {
        let (mut book, reads) = book(130, 50);
        let first = book.page(&query(1, "")).await.unwrap();
        assert_eq!(first.entries.len(), PAGE_SIZE);
        assert_eq!(first.entries[0].id, "t0");
        assert!(first.has_more);
        assert_eq!(first.total, None, "not all read yet");
        assert_eq!(reads.load(Ordering::SeqCst), 1);
        book.page(&query(2, "")).await.unwrap();
        assert_eq!(
            reads.load(Ordering::SeqCst),
            1,
            "page 2 is in the first chunk"
        );
        let third = book.page(&query(3, "")).await.unwrap();
        assert_eq!(third.entries[0].id, "t40");
        assert_eq!(reads.load(Ordering::SeqCst), 2);
        let last = book.page(&query(7, "")).await.unwrap();
        assert_eq!(last.entries.len(), 10);
        assert!(!last.has_more);
        assert_eq!(last.total, Some(130));
        assert_eq!(last.pages, Some(7));
        let again = book.page(&query(1, "")).await.unwrap();
        assert_eq!(again, first.clone_with_total(Some(130), Some(7)));
        assert_eq!(
            reads.load(Ordering::SeqCst),
            3,
            "three chunks, the last one says so"
        );
    }

    #[tokio::test]
    async fn a_search_reads_everything_once_and_pages_the_matches() {
        let (mut book, reads) = book(1000, 400);
        let found = book.page(&query(1, "BOUGHT")).await.unwrap();
        assert_eq!(found.total, Some(100));
        assert_eq!(found.pages, Some(5));
        assert_eq!(found.entries.len(), PAGE_SIZE);
        assert!(found.entries.iter().all(|e| e.incoming));
        let last = book.page(&query(5, "bought")).await.unwrap();
        assert_eq!(last.entries.last().unwrap().id, "t990");
        assert!(!last.has_more);
        assert_eq!(book.page(&query(1, "#999")).await.unwrap().total, Some(1));
        assert_eq!(reads.load(Ordering::SeqCst), 3);
    }

    impl HistoryPage {
        fn clone_with_total(&self, total: Option<u32>, pages: Option<u32>) -> Self {
            Self {
                total,
                pages,
                ..self.clone()
            }
        }
    }
}
