//! Progress events during a run and the summary at its end.

use std::sync::Arc;
use std::time::Duration;

use serde::{Deserialize, Serialize};

use crate::fetch::FetchStats;

/// A callback that receives progress events; called from the task running the
/// enrichment, so it should return quickly (e.g. update a progress bar).
pub type ProgressCallback = Arc<dyn Fn(&Progress) + Send + Sync>;

/// Where a run stands. Contains no secrets (no URLs, no keys).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Progress {
    /// Books in the run.
    pub books_total: usize,
    /// Books every consulted source has answered for.
    pub books_done: usize,
    /// HTTP requests sent so far, all sources.
    pub requests: u64,
    /// Retries so far, all sources.
    pub retries: u64,
    /// HTTP 429 answers so far, all sources.
    pub rate_limited: u64,
    /// Answers served from the cache so far, all sources.
    pub cache_hits: u64,
    /// The same counts per source, in the configured order.
    pub sources: Vec<SourceProgress>,
    /// Time since the run started.
    pub elapsed: Duration,
}

/// One source's counts in a [`Progress`] event.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SourceProgress {
    /// The source's name.
    pub name: String,
    /// HTTP requests sent.
    pub requests: u64,
    /// Retries.
    pub retries: u64,
    /// HTTP 429 answers.
    pub rate_limited: u64,
    /// Answers served from the cache.
    pub cache_hits: u64,
    /// Requests that failed for good.
    pub failures: u64,
    /// Whether the source was stopped for the rest of the run (e.g. quota exhausted).
    pub disabled: bool,
}

impl SourceProgress {
    pub(crate) fn new(name: &str, stats: FetchStats, disabled: bool) -> Self {
        Self {
            name: name.to_owned(),
            requests: stats.requests,
            retries: stats.retries,
            rate_limited: stats.rate_limited,
            cache_hits: stats.cache_hits,
            failures: stats.failures,
            disabled,
        }
    }
}

impl Progress {
    pub(crate) fn from_sources(
        books_total: usize,
        books_done: usize,
        sources: Vec<SourceProgress>,
        elapsed: Duration,
    ) -> Self {
        Self {
            books_total,
            books_done,
            requests: sources.iter().map(|s| s.requests).sum(),
            retries: sources.iter().map(|s| s.retries).sum(),
            rate_limited: sources.iter().map(|s| s.rate_limited).sum(),
            cache_hits: sources.iter().map(|s| s.cache_hits).sum(),
            sources,
            elapsed,
        }
    }

    /// Share of books done, from 0.0 to 1.0 (1.0 for an empty run).
    pub fn fraction_done(&self) -> f64 {
        if self.books_total == 0 { 1.0 } else { self.books_done as f64 / self.books_total as f64 }
    }
}

/// What a whole run did, for the CLI's closing summary and the bindings.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RunSummary {
    /// Books in the run.
    pub books: usize,
    /// Books that ended with at least one genre.
    pub with_genres: usize,
    /// Books that ended with a cover URL.
    pub with_cover: usize,
    /// Books answered entirely from the cache.
    pub from_cache: usize,
    /// Books at least one source failed for (see each book's `error`).
    pub with_errors: usize,
    /// Books with an error and no genres: the ones the run could not enrich.
    pub failed: usize,
    /// HTTP requests sent, all sources.
    pub requests: u64,
    /// Retries, all sources.
    pub retries: u64,
    /// HTTP 429 answers, all sources.
    pub rate_limited: u64,
    /// Answers served from the cache, all sources.
    pub cache_hits: u64,
    /// Per source, in the configured order.
    pub sources: Vec<SourceSummary>,
    /// Books left without genres because a source's daily budget or quota ran out before
    /// their turn, in input order, with why.
    #[serde(default)]
    pub left_out: Vec<LeftOut>,
    /// Wall-clock time of the run.
    pub elapsed: Duration,
}

/// A book a run left without genres because a daily budget or quota was used up.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct LeftOut {
    /// The book's position in the run's input.
    pub index: usize,
    /// Its title, as given.
    pub title: String,
    /// The source that could not be asked.
    pub source: String,
    /// Why, e.g. `daily budget of 1000 requests used up; it resets at midnight Pacific time, in 7 h 05 min`.
    pub reason: String,
}

/// One source's part of a [`RunSummary`].
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SourceSummary {
    /// The source's name.
    pub name: String,
    /// HTTP requests sent.
    pub requests: u64,
    /// Retries.
    pub retries: u64,
    /// HTTP 429 answers.
    pub rate_limited: u64,
    /// Answers served from the cache.
    pub cache_hits: u64,
    /// Requests that failed for good.
    pub failures: u64,
    /// Books the source found.
    pub books_matched: usize,
    /// Books whose final genres include some of this source's.
    pub books_with_genres: usize,
    /// Books the source failed for.
    pub books_failed: usize,
    /// Why the source was stopped during the run, if it was.
    pub disabled: Option<String>,
}
