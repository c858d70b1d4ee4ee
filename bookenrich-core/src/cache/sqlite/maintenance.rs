//! What `bookenrich cache stats|prune|clear` do: counting, expiring, evicting, emptying.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::SystemTime;

use chrono::{DateTime, Utc};
use rusqlite::{Connection, TransactionBehavior, params};
use serde::Serialize;

use super::rebuild::with_suffix;
use super::record::{self, StoredRecord};
use super::{Cutoffs, SqliteCache, lock, unix_secs};
use crate::cache::CacheKey;
use crate::error::Result;

/// What a cache holds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CacheStats {
    /// The database file.
    pub path: PathBuf,
    /// Bytes on disk: the database file plus its write-ahead log.
    pub file_bytes: u64,
    /// Entries held, fresh or expired.
    pub entries: u64,
    /// Of those, "not found" answers.
    pub negative_entries: u64,
    /// Of those, expired ones (misses until rewritten; `prune` removes them).
    pub expired_entries: u64,
    /// Bytes of keys and bodies held: what the size bound counts.
    pub bytes: u64,
    /// The size bound.
    pub max_bytes: u64,
    /// Fetch time of the oldest entry.
    pub oldest: Option<DateTime<Utc>>,
    /// Fetch time of the newest entry.
    pub newest: Option<DateTime<Utc>>,
    /// The same counts per source.
    pub sources: BTreeMap<String, SourceStats>,
}

/// What a cache holds for one source.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct SourceStats {
    /// Entries held.
    pub entries: u64,
    /// Of those, "not found" answers.
    pub negative_entries: u64,
    /// Of those, expired ones.
    pub expired_entries: u64,
    /// Bytes of keys and bodies.
    pub bytes: u64,
}

/// What [`SqliteCache::prune`] removed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct PruneReport {
    /// Expired entries removed.
    pub expired: u64,
    /// Entries removed because they did not decode (damaged rows).
    pub undecodable: u64,
    /// Oldest entries evicted to get under the size bound.
    pub evicted: u64,
    /// Bytes of keys and bodies before.
    pub bytes_before: u64,
    /// Bytes of keys and bodies after.
    pub bytes_after: u64,
    /// Bytes on disk before.
    pub file_bytes_before: u64,
    /// Bytes on disk after.
    pub file_bytes_after: u64,
}

impl SqliteCache {
    /// What the cache holds now.
    pub fn stats(&self) -> Result<CacheStats> {
        self.stats_at(SystemTime::now())
    }

    /// What the cache holds, counting as expired what is expired at `now`.
    pub fn stats_at(&self, now: SystemTime) -> Result<CacheStats> {
        let cutoffs = Cutoffs::new(unix_secs(now), &self.options.policy);
        let (sources, range) = self.read("read statistics", |conn| {
            let mut stmt = conn.prepare(&format!(
                "SELECT source, count(*), total(body IS NULL), total({}), total(size) FROM entries GROUP BY source",
                Cutoffs::EXPIRED_SQL
            ))?;
            let rows = stmt.query_map(params![cutoffs.positive, cutoffs.negative, cutoffs.future], |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    SourceStats {
                        entries: count(r.get(1)?),
                        negative_entries: float_count(r.get(2)?),
                        expired_entries: float_count(r.get(3)?),
                        bytes: float_count(r.get(4)?),
                    },
                ))
            })?;
            let sources = rows.collect::<rusqlite::Result<BTreeMap<_, _>>>()?;
            let range = conn.query_row("SELECT min(fetched_at), max(fetched_at) FROM entries", [], |r| {
                Ok((r.get::<_, Option<i64>>(0)?, r.get::<_, Option<i64>>(1)?))
            })?;
            Ok((sources, range))
        })?;
        let sum = |f: fn(&SourceStats) -> u64| sources.values().map(f).sum();
        Ok(CacheStats {
            path: self.path.clone(),
            file_bytes: file_bytes(&self.path),
            entries: sum(|s| s.entries),
            negative_entries: sum(|s| s.negative_entries),
            expired_entries: sum(|s| s.expired_entries),
            bytes: sum(|s| s.bytes),
            max_bytes: self.options.max_bytes,
            oldest: range.0.and_then(|s| DateTime::from_timestamp(s, 0)),
            newest: range.1.and_then(|s| DateTime::from_timestamp(s, 0)),
            sources,
        })
    }

    /// Removes expired and undecodable entries, evicts the oldest beyond the size
    /// bound, and gives freed space back to the file system.
    pub fn prune(&self) -> Result<PruneReport> {
        self.prune_at(SystemTime::now())
    }

    /// [`prune`](Self::prune), counting as expired what is expired at `now`.
    pub fn prune_at(&self, now: SystemTime) -> Result<PruneReport> {
        let cutoffs = Cutoffs::new(unix_secs(now), &self.options.policy);
        let mut report =
            PruneReport { file_bytes_before: file_bytes(&self.path), ..PruneReport::default() };
        let undecodable = self.read("scan entries", find_undecodable)?;

        let mut conn = lock(&self.writer);
        let mut step = || -> rusqlite::Result<()> {
            let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
            // Heals a drifted total (e.g. rows edited by hand) before it is relied on.
            report.bytes_before =
                count(
                    tx.query_row("SELECT coalesce(sum(size), 0) FROM entries", [], |r| r.get(0))?,
                );
            report.expired = count_changes(tx.execute(
                &format!("DELETE FROM entries WHERE {}", Cutoffs::EXPIRED_SQL),
                params![cutoffs.positive, cutoffs.negative, cutoffs.future],
            )?);
            let mut delete = tx.prepare("DELETE FROM entries WHERE id = ?1 AND checksum IS ?2")?;
            for (id, checksum) in &undecodable {
                report.undecodable += count_changes(delete.execute(params![id, checksum])?);
            }
            drop(delete);
            tx.execute("UPDATE totals SET bytes = (SELECT coalesce(sum(size), 0) FROM entries) WHERE id = 0", [])?;
            tx.commit()
        };
        step().map_err(|e| self.sqlite_error("prune", &e))?;
        report.evicted = Self::evict_to(&mut conn, self.options.max_bytes)
            .map_err(|e| self.sqlite_error("evict", &e))?;
        report.bytes_after = count(
            conn.query_row("SELECT bytes FROM totals WHERE id = 0", [], |r| r.get(0))
                .map_err(|e| self.sqlite_error("prune", &e))?,
        );
        shrink(&conn, &self.path);
        drop(conn);
        report.file_bytes_after = file_bytes(&self.path);
        Ok(report)
    }

    /// Removes every entry; returns how many there were.
    pub fn clear(&self) -> Result<u64> {
        let mut conn = lock(&self.writer);
        let mut step = || -> rusqlite::Result<u64> {
            let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
            let removed = tx.execute("DELETE FROM entries", [])?;
            tx.execute("UPDATE totals SET bytes = 0 WHERE id = 0", [])?;
            tx.commit()?;
            Ok(count_changes(removed))
        };
        let removed = step().map_err(|e| self.sqlite_error("clear", &e))?;
        shrink(&conn, &self.path);
        Ok(removed)
    }
}

/// Ids (and checksums, to recognise a row rewritten meanwhile) of rows that do not decode.
fn find_undecodable(conn: &Connection) -> rusqlite::Result<Vec<(i64, rusqlite::types::Value)>> {
    let mut stmt =
        conn.prepare("SELECT id, source, request, fetched_at, body, size, checksum FROM entries")?;
    let mut rows = stmt.query([])?;
    let mut bad = Vec::new();
    while let Some(row) = rows.next()? {
        // A key that is not text cannot be looked up either: checked as a key of two empty strings.
        let key = CacheKey::new(
            row.get::<_, String>(1).unwrap_or_default(),
            row.get::<_, String>(2).unwrap_or_default(),
        );
        let stored = StoredRecord {
            fetched_at: row.get_ref(3)?.into(),
            body: row.get_ref(4)?.into(),
            size: row.get_ref(5)?.into(),
            checksum: row.get_ref(6)?.into(),
        };
        if let Err(error) = record::decode(&key, &stored) {
            tracing::warn!(source = %key.source, request = %key.request, %error, "removing an undecodable cache entry");
            bad.push((row.get(0)?, row.get(6)?));
        }
    }
    Ok(bad)
}

/// Returns freed pages to the file system and folds the WAL back into the file.
/// Best effort: another process reading keeps the WAL, which is no error.
fn shrink(conn: &Connection, path: &Path) {
    let vacuum = || -> rusqlite::Result<()> {
        // Frees one page per step: stepped to the end, not run once.
        let mut stmt = conn.prepare("PRAGMA incremental_vacuum")?;
        let mut rows = stmt.query([])?;
        while rows.next()?.is_some() {}
        Ok(())
    };
    let result =
        vacuum().and_then(|()| conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(())));
    if let Err(e) = result {
        tracing::debug!(cache = %path.display(), error = %e, "could not shrink the cache file");
    }
}

/// Bytes of the database file and its WAL on disk.
fn file_bytes(path: &Path) -> u64 {
    [path.to_owned(), with_suffix(path, "-wal")]
        .iter()
        .filter_map(|p| std::fs::metadata(p).ok())
        .map(|m| m.len())
        .sum()
}

fn count(n: i64) -> u64 {
    u64::try_from(n).unwrap_or(0)
}

fn count_changes(n: usize) -> u64 {
    u64::try_from(n).unwrap_or(u64::MAX)
}

/// `SQLite`'s `total()` is a float; counts and sums of sizes are exact below 2^53.
#[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
fn float_count(n: f64) -> u64 {
    if n.is_finite() && n > 0.0 { n as u64 } else { 0 }
}
