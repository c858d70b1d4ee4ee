//! Recovering from a damaged cache file: move it aside, start a fresh one.

use std::ffi::OsString;
use std::io;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use super::schema::OpenError;
use super::{SqliteCache, SqliteCacheOptions, cache_error, resolve_file, unix_secs};
use crate::cache::CachePolicy;
use crate::error::Result;

/// An opened cache, and whether a damaged file had to be replaced to open it.
#[derive(Debug)]
pub struct Opened {
    /// The cache.
    pub cache: SqliteCache,
    /// Set when the file was damaged and a fresh cache was started.
    pub rebuilt: Option<Rebuilt>,
}

/// A damaged cache file that was moved aside.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rebuilt {
    /// Where the damaged file now is (`<file>.corrupt-<unix seconds>`); its WAL, if
    /// any, sits beside it with the usual `-wal` suffix.
    pub moved_to: PathBuf,
    /// What was wrong with it.
    pub reason: String,
}

impl SqliteCache {
    /// Opens the cache a run uses at `path` (a file, or a directory holding the usual file):
    /// creates its directory, rebuilds a damaged file as [`open_or_rebuild`](Self::open_or_rebuild)
    /// does, and for an offline run accepts entries of any age (an old answer beats none).
    pub fn open_for_run(path: impl AsRef<Path>, offline: bool) -> Result<Opened> {
        let file = resolve_file(path.as_ref());
        if let Some(parent) = file.parent().filter(|p| !p.as_os_str().is_empty() && !p.exists()) {
            std::fs::create_dir_all(parent).map_err(|e| crate::error::Error::io(parent, e))?;
        }
        let mut options = SqliteCacheOptions::default();
        if offline {
            options.policy = CachePolicy { ttl: Duration::MAX, negative_ttl: Duration::MAX };
        }
        Self::open_or_rebuild(&file, options)
    }

    /// Opens the cache at `path`; if the file is damaged or not a database at all,
    /// moves it aside to `<file>.corrupt-<unix seconds>`, logs a warning and starts
    /// a fresh cache.
    ///
    /// Files that are sound but not usable (another program's `SQLite` database, a
    /// cache written by a newer bookenrich, no permission) are left alone and
    /// reported as [`Error::Cache`](crate::Error::Cache), as by [`open_with`](Self::open_with).
    pub fn open_or_rebuild(path: impl AsRef<Path>, options: SqliteCacheOptions) -> Result<Opened> {
        let path = resolve_file(path.as_ref());
        let reason = match Self::open_file(&path, options.clone()) {
            Ok(cache) => {
                return Ok(Opened { cache, rebuilt: None });
            }
            Err(OpenError::Unusable(message)) => return Err(cache_error(&path, &message)),
            Err(OpenError::Corrupt(reason)) => reason,
        };
        let moved_to = move_aside(&path).map_err(|e| {
            cache_error(
                &path,
                &format!("{reason}; and it cannot be moved aside to rebuild it: {e}"),
            )
        })?;
        let rebuilt = moved_to.map(|moved_to| {
            tracing::warn!(cache = %path.display(), moved_to = %moved_to.display(), %reason,
                "cache file is damaged; moved it aside and started a fresh cache");
            Rebuilt { moved_to, reason }
        });
        let cache = Self::open_file(&path, options).map_err(|e| cache_error(&path, e.message()))?;
        Ok(Opened { cache, rebuilt })
    }
}

/// Renames `path` (and its WAL) to a free `<path>.corrupt-<secs>[-n]` name and
/// removes its shared-memory index. `Ok(None)` if the file is already gone (another
/// process moved it first).
fn move_aside(path: &Path) -> io::Result<Option<PathBuf>> {
    let stamp = unix_secs(SystemTime::now());
    let target = (0..1000)
        .map(|n| {
            let suffix =
                if n == 0 { format!(".corrupt-{stamp}") } else { format!(".corrupt-{stamp}-{n}") };
            with_suffix(path, &suffix)
        })
        .find(|p| !p.exists())
        .ok_or_else(|| {
            io::Error::new(io::ErrorKind::AlreadyExists, "no free name for the damaged file")
        })?;
    match std::fs::rename(path, &target) {
        Ok(()) => {}
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(e),
    }
    // A WAL left beside a fresh file would be replayed into it: it goes with the damaged file.
    match std::fs::rename(with_suffix(path, "-wal"), with_suffix(&target, "-wal")) {
        Err(e) if e.kind() != io::ErrorKind::NotFound => return Err(e),
        _ => {}
    }
    match std::fs::remove_file(with_suffix(path, "-shm")) {
        Err(e) if e.kind() != io::ErrorKind::NotFound => return Err(e),
        _ => {}
    }
    Ok(Some(target))
}

/// `path` with `suffix` appended to its file name.
pub(super) fn with_suffix(path: &Path, suffix: &str) -> PathBuf {
    let mut name = OsString::from(path.as_os_str());
    name.push(suffix);
    PathBuf::from(name)
}
