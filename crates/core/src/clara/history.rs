//! Reading an account's transactions newest first, whatever the server does
//! with `limit` and `offset` (`clara-api.md` §8.4.1). The documented API pages
//! like PostgreSQL, oldest first, with no total; the boilerplate returns every
//! row, newest first, whenever `limit` ≥ 100 (and the newest `limit` rows
//! below that), and ignores `offset`. The first answer tells which server this
//! is, and the walk goes on from there:
//!
//! - more rows than asked for, or fewer: that was everything (one request);
//! - a full page, newest first: the server pages that way; older pages follow
//!   as they are asked for, and a page that repeats rows means `offset` is
//!   ignored after all;
//! - a full page, oldest first: the newest rows are on the last page, so the
//!   number of rows is found with one-row probes (doubling, then halving: about
//!   2·log₂(n/100) tiny requests) and the pages are read from the end back.

use std::collections::HashSet;

use super::{newest_first, oldest_first, ClaraClient, ClaraSession, Transaction};
use crate::error::Result;

/// Rows per page once the server is known to page.
const PAGE: u32 = 100;

/// A walk through one account's transactions, newest first, each row once.
#[derive(Debug)]
pub struct TransactionWalk {
    client: ClaraClient,
    session: ClaraSession,
    first_limit: u32,
    state: State,
    seen: HashSet<String>,
    /// The oldest rows, read first from a server that pages oldest first;
    /// they end the walk instead of being fetched again.
    oldest: Vec<Transaction>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    Start,
    /// Newest-first pages: the next one starts at `offset`.
    Forward {
        offset: u32,
    },
    /// Oldest-first pages: rows before `end` are still to read.
    Backward {
        end: u32,
    },
    Done,
}

impl TransactionWalk {
    /// A walk for the history: its first request (`limit=100&offset=0`, as
    /// §8.4.1 advises) is all of it under the boilerplate.
    pub fn everything(client: ClaraClient, session: ClaraSession) -> Self {
        Self::new(client, session, PAGE)
    }

    /// A walk for the newest rows only: under the boilerplate, a `limit` below
    /// 100 is the newest rows, not all of them.
    pub fn newest(client: ClaraClient, session: ClaraSession) -> Self {
        Self::new(client, session, PAGE - 1)
    }

    fn new(client: ClaraClient, session: ClaraSession, first_limit: u32) -> Self {
        Self {
            client,
            session,
            first_limit,
            state: State::Start,
            seen: HashSet::new(),
            oldest: Vec::new(),
        }
    }

    /// The next rows, newest first and older than any before them; `None`
    /// once every row has been read.
    pub async fn next(&mut self) -> Result<Option<Vec<Transaction>>> {
        loop {
            match self.state {
                State::Done => return Ok(None),
                State::Start => {
                    let rows = self.fetch(self.first_limit, 0).await?;
                    let asked = self.first_limit as usize;
                    if rows.len() != asked {
                        if rows.len() > asked {
                            tracing::info!(
                                rows = rows.len(),
                                "the server ignores limit: it sent every row"
                            );
                        }
                        self.state = State::Done;
                        return Ok(Some(self.unseen(rows)));
                    }
                    if oldest_first(&rows) {
                        let count = self.count(&rows).await?;
                        tracing::info!(count, "the server pages oldest first");
                        self.oldest = rows;
                        self.state = State::Backward { end: count };
                        continue;
                    }
                    self.state = State::Forward {
                        offset: self.first_limit,
                    };
                    return Ok(Some(self.unseen(rows)));
                }
                State::Forward { offset } => {
                    let rows = self.fetch(PAGE, offset).await?;
                    let full = rows.len() == PAGE as usize;
                    let fetched = rows.len();
                    let fresh = self.unseen(rows);
                    self.state = if fresh.len() < fetched {
                        tracing::info!("the server ignores offset: its pages repeat");
                        State::Done
                    } else if full {
                        State::Forward {
                            offset: offset + PAGE,
                        }
                    } else {
                        State::Done
                    };
                    if fresh.is_empty() {
                        continue;
                    }
                    return Ok(Some(fresh));
                }
                State::Backward { end } => {
                    let known = u32::try_from(self.oldest.len()).unwrap_or(u32::MAX);
                    if end <= known {
                        let mut oldest = std::mem::take(&mut self.oldest);
                        oldest.truncate(end as usize);
                        self.state = State::Done;
                        return Ok(Some(self.unseen(oldest)));
                    }
                    let start = end.saturating_sub(PAGE).max(known);
                    let rows = self.fetch(end - start, start).await?;
                    self.state = State::Backward { end: start };
                    return Ok(Some(self.unseen(rows)));
                }
            }
        }
    }

    /// Whether every row has been read.
    pub fn done(&self) -> bool {
        self.state == State::Done
    }

    async fn fetch(&self, limit: u32, offset: u32) -> Result<Vec<Transaction>> {
        self.client.transactions(&self.session, limit, offset).await
    }

    /// How many rows an oldest-first server holds, `first` being its full
    /// first page. A probe that comes back with a row already seen means the
    /// server ignores `offset`: then `first` is all that can be read.
    async fn count(&mut self, first: &[Transaction]) -> Result<u32> {
        let first_ids: HashSet<&str> = first.iter().map(|t| t.id.as_str()).collect();
        let mut present = u32::try_from(first.len()).unwrap_or(u32::MAX) - 1;
        let mut absent = None;
        let mut probe = present + 1;
        while absent.is_none_or(|a| a - present > 1) {
            let rows = self.fetch(1, probe).await?;
            match rows.first() {
                Some(row) if first_ids.contains(row.id.as_str()) => return Ok(present + 1),
                Some(_) => present = probe,
                None => absent = Some(probe),
            }
            probe = match absent {
                None => present.saturating_mul(2),
                Some(a) => present + (a - present) / 2,
            };
        }
        Ok(present + 1)
    }

    /// `rows` newest first, without those already returned.
    fn unseen(&mut self, rows: Vec<Transaction>) -> Vec<Transaction> {
        let mut rows = newest_first(rows);
        rows.retain(|t| self.seen.insert(t.id.clone()));
        rows
    }
}
