//! The persistent cache as a run uses it: a write that fails (a full disk, a file made
//! read-only) does not stop the lookups, whose answers still come from the catalogues and
//! still make the dashboard, but the run then ends with one error naming the file and the
//! reason (exit status 4: an output could not be written).

use std::sync::Mutex;

use bookenrich_core::Result;
use bookenrich_core::cache::{CacheEntry, CacheKey, ResponseCache, SqliteCache};

use crate::exit::one_line;

/// A [`SqliteCache`] that remembers how many writes failed and why the first one did.
#[derive(Debug)]
pub(crate) struct ReportingCache {
    inner: SqliteCache,
    /// Failed writes and the first failure's message.
    failures: Mutex<(u64, Option<String>)>,
}

impl ReportingCache {
    /// Wraps `inner`.
    pub(crate) fn new(inner: SqliteCache) -> Self {
        Self { inner, failures: Mutex::new((0, None)) }
    }

    /// One line for the user when writes failed: how many, and the first error (which
    /// names the cache file). `None` when every write succeeded.
    pub(crate) fn write_failures(&self) -> Option<String> {
        let failures = self.failures.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        let (count, first) = &*failures;
        first.as_ref().map(|first| {
            format!(
                "{count} catalogue answer(s) could not be saved in the cache, so the next run \
                 asks for them again: {first}"
            )
        })
    }
}

impl ResponseCache for ReportingCache {
    fn get(&self, key: &CacheKey) -> Result<Option<CacheEntry>> {
        self.inner.get(key)
    }

    fn put(&self, key: &CacheKey, entry: &CacheEntry) -> Result<()> {
        let written = self.inner.put(key, entry);
        if let Err(e) = &written {
            let mut failures =
                self.failures.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
            failures.0 += 1;
            failures.1.get_or_insert_with(|| one_line(e));
        }
        written
    }

    // The daily budgets live in the cache: without these the trait's defaults would keep
    // nothing, and a second run the same day would not know what is left.
    fn day_use(&self, counter: &str, day: &str) -> Result<u64> {
        self.inner.day_use(counter, day)
    }

    fn add_day_use(&self, counter: &str, day: &str, n: u64) -> Result<u64> {
        self.inner.add_day_use(counter, day, n)
    }
}
