//! A persistent response cache in one `SQLite` file, shared safely by several processes.
//!
//! One table keyed by (source, request) holds each answer's body (`NULL` for "not
//! found"), its fetch time in unix seconds, the bytes it accounts for and a
//! checksum. The file runs in WAL mode with a busy timeout, so two runs on the
//! same cache read without blocking each other and take turns to write; a row
//! that does not check out reads as a miss and is removed. See `docs/cache.md`.

use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard, PoisonError};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use rusqlite::{Connection, OptionalExtension, params};

use super::{CacheEntry, CacheKey, CachePolicy, ResponseCache};
use crate::error::{Error, Result};

mod maintenance;
mod rebuild;
pub mod record;
mod schema;

pub use maintenance::{CacheStats, PruneReport, SourceStats};
pub use rebuild::{Opened, Rebuilt};
pub use schema::SCHEMA_VERSION;

use record::{RecordError, StoredRecord};
use schema::OpenError;

/// Default bound on the bytes the cache holds (keys and bodies): 512 MiB.
pub const DEFAULT_MAX_BYTES: u64 = 512 * 1024 * 1024;

/// Default time a write waits for another process's write to finish.
pub const DEFAULT_BUSY_TIMEOUT: Duration = Duration::from_secs(10);

/// File name used when the cache path given is a directory.
pub const CACHE_FILE_NAME: &str = "cache.sqlite3";

/// Entries stamped further than this in the future (a clock set back, a damaged
/// row) count as expired, so they cannot stay fresh forever.
const MAX_FUTURE_SKEW_SECS: i64 = 24 * 3600;

/// Idle read connections kept for reuse.
const MAX_IDLE_READERS: usize = 4;

/// The user's default cache file: `<cache dir>/bookenrich/cache.sqlite3`, e.g.
/// `~/.cache/bookenrich/cache.sqlite3` on Linux (`None` if the platform has no cache directory).
pub fn default_cache_path() -> Option<PathBuf> {
    dirs::cache_dir().map(|d| d.join("bookenrich").join(CACHE_FILE_NAME))
}

/// How a [`SqliteCache`] behaves.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SqliteCacheOptions {
    /// How long entries stay fresh (`Duration::MAX`: forever).
    pub policy: CachePolicy,
    /// Bound on the bytes of keys and bodies held; beyond it the oldest entries are
    /// evicted, down to 90 % of it on a write and to it on [`SqliteCache::prune`].
    pub max_bytes: u64,
    /// How long a write waits for another process's write before failing.
    pub busy_timeout: Duration,
    /// Run `SQLite`'s `quick_check` when opening, so a damaged file is found then
    /// and not on some later lookup (reads the whole file once: ~0.1 s per 100 MiB).
    pub verify_on_open: bool,
}

impl Default for SqliteCacheOptions {
    fn default() -> Self {
        Self {
            policy: CachePolicy::default(),
            max_bytes: DEFAULT_MAX_BYTES,
            busy_timeout: DEFAULT_BUSY_TIMEOUT,
            verify_on_open: true,
        }
    }
}

/// A [`ResponseCache`] in an `SQLite` file, safe to share between threads and processes.
pub struct SqliteCache {
    path: PathBuf,
    options: SqliteCacheOptions,
    /// All writes go through one connection: `SQLite` allows one writer at a time anyway.
    writer: Mutex<Connection>,
    /// Reads use their own connections, so a lookup never waits behind a write that
    /// is itself waiting for another process (WAL readers do not block).
    readers: Mutex<Vec<Connection>>,
}

impl fmt::Debug for SqliteCache {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SqliteCache")
            .field("path", &self.path)
            .field("options", &self.options)
            .finish_non_exhaustive()
    }
}

impl SqliteCache {
    /// Opens (or creates) the cache at `path` with `policy` and the default size bound.
    ///
    /// `path` is the database file, or a directory to hold [`CACHE_FILE_NAME`].
    /// A damaged file, another program's database or a newer schema is an
    /// [`Error::Cache`] naming the file; see [`open_or_rebuild`](Self::open_or_rebuild).
    pub fn open(path: impl AsRef<Path>, policy: CachePolicy) -> Result<Self> {
        Self::open_with(path, SqliteCacheOptions { policy, ..SqliteCacheOptions::default() })
    }

    /// Opens (or creates) the cache at `path` with `options`.
    pub fn open_with(path: impl AsRef<Path>, options: SqliteCacheOptions) -> Result<Self> {
        let path = resolve_file(path.as_ref());
        Self::open_file(&path, options).map_err(|e| match e {
            OpenError::Corrupt(m) => cache_error(
                &path,
                &format!("{m} (`bookenrich cache clear` moves it aside and starts a fresh cache)"),
            ),
            OpenError::Unusable(m) => cache_error(&path, &m),
        })
    }

    fn open_file(path: &Path, options: SqliteCacheOptions) -> Result<Self, OpenError> {
        let writer = schema::open_writer(path, options.busy_timeout, options.verify_on_open)?;
        Ok(Self {
            path: path.to_owned(),
            options,
            writer: Mutex::new(writer),
            readers: Mutex::new(Vec::new()),
        })
    }

    /// The database file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The options the cache was opened with.
    pub fn options(&self) -> &SqliteCacheOptions {
        &self.options
    }

    /// The fresh entry for `key` as of `now` (expired entries are misses; a row
    /// that does not decode is a miss and is deleted).
    pub fn get_at(&self, key: &CacheKey, now: SystemTime) -> Result<Option<CacheEntry>> {
        let found = self.read("look up an entry", |conn| {
            let mut stmt = conn.prepare_cached(
                "SELECT fetched_at, body, size, checksum FROM entries WHERE source = ?1 AND request = ?2",
            )?;
            stmt.query_row(params![key.source, key.request], |row| {
                let record = StoredRecord {
                    fetched_at: row.get_ref(0)?.into(),
                    body: row.get_ref(1)?.into(),
                    size: row.get_ref(2)?.into(),
                    checksum: row.get_ref(3)?.into(),
                };
                Ok(record::decode(key, &record).map_err(|e| (e, row.get::<_, rusqlite::types::Value>(3))))
            })
            .optional()
        })?;
        match found {
            None => Ok(None),
            Some(Ok(entry)) => {
                let fresh = is_fresh(
                    unix_secs(entry.fetched_at),
                    entry.body.is_none(),
                    unix_secs(now),
                    &self.options.policy,
                );
                Ok(fresh.then_some(entry))
            }
            Some(Err((error, checksum))) => {
                self.drop_undecodable(key, &error, checksum.ok().as_ref());
                Ok(None)
            }
        }
    }

    /// Deletes a row that failed to decode, unless another writer replaced it since
    /// (its checksum then differs). Failing to delete only costs a later retry.
    fn drop_undecodable(
        &self,
        key: &CacheKey,
        error: &RecordError,
        checksum: Option<&rusqlite::types::Value>,
    ) {
        tracing::warn!(cache = %self.path.display(), source = %key.source, request = %key.request, %error,
            "cache entry does not decode; treating it as a miss and removing it");
        let deleted = self.writer().execute(
            "DELETE FROM entries WHERE source = ?1 AND request = ?2 AND checksum IS ?3",
            params![key.source, key.request, checksum],
        );
        if let Err(e) = deleted {
            tracing::warn!(cache = %self.path.display(), error = %e, "could not remove an undecodable cache entry");
        }
    }

    /// Every problem `SQLite`'s full `integrity_check` finds (empty: the file is sound).
    pub fn integrity_check(&self) -> Result<Vec<String>> {
        self.read("check integrity", |conn| schema::integrity_problems(conn, "integrity_check"))
    }

    /// Runs `f` on a read connection from the pool (opening one if none is idle).
    fn read<T>(&self, what: &str, f: impl FnOnce(&Connection) -> rusqlite::Result<T>) -> Result<T> {
        let idle = lock(&self.readers).pop();
        let conn = if let Some(conn) = idle {
            conn
        } else {
            let conn = schema::connect(&self.path, self.options.busy_timeout, false)
                .map_err(|e| cache_error(&self.path, &format!("cannot {what}: {}", e.message())))?;
            // Guards against a write slipping into the read path.
            conn.pragma_update(None, "query_only", true)
                .map_err(|e| self.sqlite_error(what, &e))?;
            conn
        };
        let result = f(&conn).map_err(|e| self.sqlite_error(what, &e));
        let mut idle = lock(&self.readers);
        if idle.len() < MAX_IDLE_READERS {
            idle.push(conn);
        }
        result
    }

    fn writer(&self) -> MutexGuard<'_, Connection> {
        lock(&self.writer)
    }

    /// An [`Error::Cache`] for a failed `what`, telling how to recover from damage.
    fn sqlite_error(&self, what: &str, e: &rusqlite::Error) -> Error {
        let hint = if schema::is_corruption(e) {
            " (the cache file is damaged: run `bookenrich cache clear` to rebuild it)"
        } else {
            ""
        };
        cache_error(&self.path, &format!("cannot {what}: {e}{hint}"))
    }

    /// Evicts the oldest entries until the total is at most `target` bytes; returns how many.
    fn evict_to(conn: &mut Connection, target: u64) -> rusqlite::Result<u64> {
        let target = i64::try_from(target).unwrap_or(i64::MAX);
        let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        let total: i64 = tx.query_row("SELECT bytes FROM totals WHERE id = 0", [], |r| r.get(0))?;
        let excess = total.saturating_sub(target);
        if excess <= 0 {
            return Ok(0);
        }
        // Oldest first, every entry whose predecessors' sizes do not yet cover the
        // excess: the fewest old entries that bring the total under the target.
        let evicted = tx.execute(
            "DELETE FROM entries WHERE id IN (
                SELECT id FROM (
                    SELECT id, SUM(size) OVER (ORDER BY fetched_at, id) - size AS before FROM entries
                ) WHERE before < ?1
            )",
            [excess],
        )?;
        tx.commit()?;
        Ok(u64::try_from(evicted).unwrap_or(u64::MAX))
    }
}

impl ResponseCache for SqliteCache {
    fn get(&self, key: &CacheKey) -> Result<Option<CacheEntry>> {
        self.get_at(key, SystemTime::now())
    }

    fn put(&self, key: &CacheKey, entry: &CacheEntry) -> Result<()> {
        let record = record::encode(key, entry).map_err(|e| {
            cache_error(&self.path, &format!("cannot store {} {}: {e}", key.source, key.request))
        })?;
        let size = u64::try_from(record.size).unwrap_or(u64::MAX);
        if size > self.options.max_bytes {
            tracing::warn!(cache = %self.path.display(), source = %key.source, request = %key.request, size,
                max_bytes = self.options.max_bytes, "answer larger than the whole cache bound; not cached");
            return Ok(());
        }
        let mut conn = self.writer();
        let total: i64 = conn
            .prepare_cached(
                "INSERT INTO entries (source, request, fetched_at, body, size, checksum)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)
                 ON CONFLICT (source, request) DO UPDATE SET
                     fetched_at = excluded.fetched_at, body = excluded.body,
                     size = excluded.size, checksum = excluded.checksum",
            )
            .and_then(|mut s| {
                s.execute(params![
                    key.source,
                    key.request,
                    record.fetched_at,
                    record.body,
                    record.size,
                    record.checksum
                ])
            })
            .and_then(|_| {
                conn.prepare_cached("SELECT bytes FROM totals WHERE id = 0")?
                    .query_row([], |r| r.get(0))
            })
            .map_err(|e| self.sqlite_error("store an entry", &e))?;
        if u64::try_from(total).unwrap_or(0) > self.options.max_bytes {
            // Down to 90 %, so eviction runs once per tenth of the bound, not on every write.
            let target = self.options.max_bytes / 10 * 9;
            let evicted = Self::evict_to(&mut conn, target)
                .map_err(|e| self.sqlite_error("evict old entries", &e))?;
            tracing::debug!(cache = %self.path.display(), evicted, "cache over its size bound; evicted the oldest entries");
        }
        Ok(())
    }

    fn day_use(&self, counter: &str, day: &str) -> Result<u64> {
        let used: Option<i64> = self.read("read a daily budget", |conn| {
            conn.prepare_cached("SELECT used FROM day_use WHERE counter = ?1 AND day = ?2")?
                .query_row(params![counter, day], |r| r.get(0))
                .optional()
        })?;
        Ok(used.and_then(|n| u64::try_from(n).ok()).unwrap_or(0))
    }

    fn add_day_use(&self, counter: &str, day: &str, n: u64) -> Result<u64> {
        let n = i64::try_from(n).unwrap_or(i64::MAX);
        let conn = self.writer();
        // One statement: processes sharing the file add up, none overwrites another's count.
        let total: i64 = conn
            .prepare_cached(
                "INSERT INTO day_use (counter, day, used) VALUES (?1, ?2, ?3)
                 ON CONFLICT (counter, day) DO UPDATE SET used = used + excluded.used
                 RETURNING used",
            )
            .and_then(|mut s| s.query_row(params![counter, day, n], |r| r.get(0)))
            .map_err(|e| self.sqlite_error("count a daily budget", &e))?;
        Ok(u64::try_from(total).unwrap_or(0))
    }
}

/// `path`, or `path/cache.sqlite3` when `path` is a directory.
fn resolve_file(path: &Path) -> PathBuf {
    if path.is_dir() { path.join(CACHE_FILE_NAME) } else { path.to_owned() }
}

fn cache_error(path: &Path, message: &str) -> Error {
    Error::Cache { path: path.to_owned(), message: message.to_owned() }
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    // A panic while holding the lock cannot leave a connection half-updated: an
    // open rusqlite transaction rolls back when dropped.
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

/// Whole unix seconds of `t` (times before 1970 are negative).
fn unix_secs(t: SystemTime) -> i64 {
    match t.duration_since(UNIX_EPOCH) {
        Ok(d) => i64::try_from(d.as_secs()).unwrap_or(i64::MAX),
        Err(e) => i64::try_from(e.duration().as_secs()).map_or(i64::MIN, |s| -s),
    }
}

fn ttl_secs(ttl: Duration) -> i64 {
    i64::try_from(ttl.as_secs()).unwrap_or(i64::MAX)
}

/// Fetch times below these are expired (positive, negative), and above the last
/// one are too far in the future: the one definition `get`, `stats` and `prune` share.
#[derive(Debug, Clone, Copy)]
struct Cutoffs {
    positive: i64,
    negative: i64,
    future: i64,
}

impl Cutoffs {
    fn new(now: i64, policy: &CachePolicy) -> Self {
        Self {
            positive: now.saturating_sub(ttl_secs(policy.ttl)),
            negative: now.saturating_sub(ttl_secs(policy.negative_ttl)),
            future: now.saturating_add(MAX_FUTURE_SKEW_SECS),
        }
    }

    /// SQL for "this row is expired", with the cutoffs as `?1` (positive), `?2` (negative), `?3` (future).
    const EXPIRED_SQL: &'static str =
        "(CASE WHEN body IS NULL THEN fetched_at < ?2 ELSE fetched_at < ?1 END OR fetched_at > ?3)";
}

fn is_fresh(fetched_at: i64, negative: bool, now: i64, policy: &CachePolicy) -> bool {
    let c = Cutoffs::new(now, policy);
    let cutoff = if negative { c.negative } else { c.positive };
    fetched_at >= cutoff && fetched_at <= c.future
}

#[cfg(test)]
mod tests;
