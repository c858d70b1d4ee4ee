//! What fetchers count: per run ([`FetchStats`]) and per group of calls ([`CallTrace`]).

use std::sync::atomic::{AtomicU64, Ordering};

use serde::Serialize;

/// What a fetcher did so far in its run, for progress reports and summaries.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct FetchStats {
    /// HTTP requests sent (every attempt counts).
    pub requests: u64,
    /// Attempts that were retries of an earlier failed attempt.
    pub retries: u64,
    /// HTTP 429 answers received.
    pub rate_limited: u64,
    /// Answers served from the cache (requests and stored items).
    pub cache_hits: u64,
    /// Cache look-ups that found nothing fresh.
    pub cache_misses: u64,
    /// Requests that failed for good (after any retries).
    pub failures: u64,
}

#[derive(Debug, Default)]
pub(crate) struct Counters {
    pub(crate) requests: AtomicU64,
    pub(crate) retries: AtomicU64,
    pub(crate) rate_limited: AtomicU64,
    pub(crate) cache_hits: AtomicU64,
    pub(crate) cache_misses: AtomicU64,
    pub(crate) failures: AtomicU64,
}

impl Counters {
    pub(crate) fn snapshot(&self) -> FetchStats {
        FetchStats {
            requests: self.requests.load(Ordering::Relaxed),
            retries: self.retries.load(Ordering::Relaxed),
            rate_limited: self.rate_limited.load(Ordering::Relaxed),
            cache_hits: self.cache_hits.load(Ordering::Relaxed),
            cache_misses: self.cache_misses.load(Ordering::Relaxed),
            failures: self.failures.load(Ordering::Relaxed),
        }
    }
}

pub(crate) fn bump(counter: &AtomicU64) {
    counter.fetch_add(1, Ordering::Relaxed);
}

/// Network and cache use of one group of calls (one `lookup`), to tell whether
/// a book's answer came entirely from the cache.
#[derive(Debug, Default)]
pub(crate) struct CallTrace {
    pub(crate) requests: AtomicU64,
    pub(crate) cache_hits: AtomicU64,
}

impl CallTrace {
    /// At least one answer came from the cache and nothing went to the network.
    pub(crate) fn all_from_cache(&self) -> bool {
        self.requests.load(Ordering::Relaxed) == 0 && self.cache_hits.load(Ordering::Relaxed) > 0
    }
}
