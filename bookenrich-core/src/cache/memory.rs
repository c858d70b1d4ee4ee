//! An in-process cache, for one run or for tests.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::SystemTime;

use super::{CacheEntry, CacheKey, CachePolicy, ResponseCache};
use crate::error::Result;

/// A response cache held in memory; entries live as long as the value.
#[derive(Debug, Default)]
pub struct MemoryCache {
    policy: CachePolicy,
    entries: Mutex<HashMap<CacheKey, CacheEntry>>,
    /// Daily budget counts: (counter, day) → requests.
    day_use: Mutex<HashMap<(String, String), u64>>,
}

impl MemoryCache {
    /// An empty cache with the default TTLs.
    pub fn new() -> Self {
        Self::default()
    }

    /// An empty cache with the given TTLs.
    pub fn with_policy(policy: CachePolicy) -> Self {
        Self { policy, entries: Mutex::default(), day_use: Mutex::default() }
    }

    /// Number of entries held (fresh or not).
    pub fn len(&self) -> usize {
        self.entries.lock().map_or(0, |e| e.len())
    }

    /// Whether the cache holds nothing.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

impl ResponseCache for MemoryCache {
    fn get(&self, key: &CacheKey) -> Result<Option<CacheEntry>> {
        let entries = self.entries.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        Ok(entries.get(key).filter(|e| !e.is_expired(&self.policy, SystemTime::now())).cloned())
    }

    fn put(&self, key: &CacheKey, entry: &CacheEntry) -> Result<()> {
        let mut entries = self.entries.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        entries.insert(key.clone(), entry.clone());
        Ok(())
    }

    fn day_use(&self, counter: &str, day: &str) -> Result<u64> {
        let counts = self.day_use.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        Ok(counts.get(&(counter.to_owned(), day.to_owned())).copied().unwrap_or(0))
    }

    fn add_day_use(&self, counter: &str, day: &str, n: u64) -> Result<u64> {
        let mut counts = self.day_use.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        let count = counts.entry((counter.to_owned(), day.to_owned())).or_insert(0);
        *count = count.saturating_add(n);
        Ok(*count)
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    #[test]
    fn hit_miss_and_expiry() {
        let cache = MemoryCache::with_policy(CachePolicy {
            ttl: Duration::from_secs(60),
            negative_ttl: Duration::from_secs(10),
        });
        let key = CacheKey::new("open_library", "/isbn/1");
        assert_eq!(cache.get(&key).unwrap(), None);
        cache.put(&key, &CacheEntry::found(b"{}".to_vec())).unwrap();
        assert_eq!(cache.get(&key).unwrap().unwrap().body.as_deref(), Some(&b"{}"[..]));

        let old = SystemTime::now() - Duration::from_secs(30);
        cache.put(&key, &CacheEntry { body: None, fetched_at: old }).unwrap();
        assert_eq!(cache.get(&key).unwrap(), None, "negative entry older than its TTL");
        cache.put(&key, &CacheEntry { body: Some(vec![1]), fetched_at: old }).unwrap();
        assert!(cache.get(&key).unwrap().is_some(), "positive entry within its TTL");
    }
}
