//! Response caches: the [`ResponseCache`] trait and its implementations.
//!
//! Entries are keyed by source name plus the normalised request (a URL without
//! secrets), so a re-run asks the catalogues only for what it has not seen.
//! A "not found" answer is cached too (a negative entry) with a shorter TTL.

use std::fmt;
use std::time::{Duration, SystemTime};

use serde::{Deserialize, Serialize};

use crate::error::Result;

mod memory;
pub use memory::MemoryCache;

#[cfg(feature = "sqlite")]
mod sqlite;
#[cfg(feature = "sqlite")]
pub use sqlite::{
    CACHE_FILE_NAME, CacheStats, DEFAULT_BUSY_TIMEOUT, DEFAULT_MAX_BYTES, Opened, PruneReport,
    Rebuilt, SCHEMA_VERSION, SourceStats, SqliteCache, SqliteCacheOptions, default_cache_path,
    record,
};

/// Key of a cached response: which source, which request.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct CacheKey {
    /// Source name, e.g. `open_library`.
    pub source: String,
    /// Normalised request, e.g. `/api/books?bibkeys=ISBN:9780140328721&format=json&jscmd=data`.
    pub request: String,
}

impl CacheKey {
    /// A key for `request` of `source`.
    pub fn new(source: impl Into<String>, request: impl Into<String>) -> Self {
        Self { source: source.into(), request: request.into() }
    }
}

/// A cached answer: the response body, or `None` for "not found".
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CacheEntry {
    /// Response body; `None` is a negative entry (the catalogue does not know the book).
    pub body: Option<Vec<u8>>,
    /// When the catalogue answered.
    pub fetched_at: SystemTime,
}

impl CacheEntry {
    /// A positive entry fetched now.
    pub fn found(body: impl Into<Vec<u8>>) -> Self {
        Self { body: Some(body.into()), fetched_at: SystemTime::now() }
    }

    /// A negative entry fetched now.
    pub fn not_found() -> Self {
        Self { body: None, fetched_at: SystemTime::now() }
    }

    /// Whether the entry is older than the TTL that applies to it.
    pub fn is_expired(&self, policy: &CachePolicy, now: SystemTime) -> bool {
        let ttl = if self.body.is_some() { policy.ttl } else { policy.negative_ttl };
        now.duration_since(self.fetched_at).is_ok_and(|age| age > ttl)
    }
}

/// How long entries stay fresh.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CachePolicy {
    /// Lifetime of a positive entry (default 30 days).
    pub ttl: Duration,
    /// Lifetime of a negative entry (default 3 days).
    pub negative_ttl: Duration,
}

impl Default for CachePolicy {
    fn default() -> Self {
        Self {
            ttl: Duration::from_secs(30 * 24 * 3600),
            negative_ttl: Duration::from_secs(3 * 24 * 3600),
        }
    }
}

/// A store of catalogue responses shared by all sources of a run.
///
/// Implementations must be safe to call from many tasks at once. `get` returns
/// only fresh entries (expired ones count as misses).
pub trait ResponseCache: Send + Sync + fmt::Debug {
    /// The fresh entry for `key`, if any.
    fn get(&self, key: &CacheKey) -> Result<Option<CacheEntry>>;
    /// Stores (or replaces) the entry for `key`.
    fn put(&self, key: &CacheKey, entry: &CacheEntry) -> Result<()>;

    /// Requests counted under `counter` (a source's name) on `day` (`YYYY-MM-DD`), for
    /// daily budgets; 0 when the store keeps no count (the default).
    fn day_use(&self, counter: &str, day: &str) -> Result<u64> {
        let _ = (counter, day);
        Ok(0)
    }

    /// Adds `n` to the count of `counter` on `day` and returns the new total (across every
    /// user of the store). The default keeps nothing and returns `n`.
    fn add_day_use(&self, counter: &str, day: &str, n: u64) -> Result<u64> {
        let _ = (counter, day);
        Ok(n)
    }
}
