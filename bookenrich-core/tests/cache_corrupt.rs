//! Damaged and foreign cache files: a clear error from `open`, a fresh cache from
//! `open_or_rebuild` (with the damaged file kept aside), and never a panic.
#![cfg(feature = "sqlite")]
#![expect(clippy::unwrap_used)]

use std::fs;
use std::path::{Path, PathBuf};

use bookenrich_core::Error;
use bookenrich_core::cache::{
    CacheEntry, CacheKey, CachePolicy, ResponseCache, SCHEMA_VERSION, SqliteCache,
    SqliteCacheOptions,
};
use rusqlite::Connection;

fn file(dir: &tempfile::TempDir) -> PathBuf {
    dir.path().join("cache.sqlite3")
}

/// The message of the `Error::Cache` that opening `path` gives; fails the test on success.
fn open_error(path: &Path) -> String {
    match SqliteCache::open(path, CachePolicy::default()) {
        Ok(_) => panic!("{} opened as a cache", path.display()),
        Err(Error::Cache { path: at, message }) => {
            assert_eq!(at, path, "the error names the file");
            message
        }
        Err(other) => panic!("expected Error::Cache, got {other:?}"),
    }
}

/// A cache of `n` entries, closed (so its WAL is folded into the file).
fn write_cache(path: &Path, n: usize) {
    let cache = SqliteCache::open(path, CachePolicy::default()).unwrap();
    for i in 0..n {
        let body = format!(r#"{{"i":{i},"pad":"{}"}}"#, "x".repeat(500));
        cache
            .put(&CacheKey::new("open_library", format!("/r{i}")), &CacheEntry::found(body))
            .unwrap();
    }
}

fn files_beside(path: &Path) -> Vec<String> {
    let mut names: Vec<String> = fs::read_dir(path.parent().unwrap())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

/// Checks that `open_or_rebuild` replaces the damaged file at `path`, keeping its
/// bytes aside, and gives a working, empty cache.
fn assert_rebuilds(path: &Path) {
    let original = fs::read(path).unwrap();
    let opened = SqliteCache::open_or_rebuild(path, SqliteCacheOptions::default()).unwrap();
    let rebuilt = opened.rebuilt.expect("the damaged file is reported as rebuilt");
    assert!(!rebuilt.reason.is_empty());
    let name = rebuilt.moved_to.file_name().unwrap().to_string_lossy().into_owned();
    assert!(name.starts_with("cache.sqlite3.corrupt-"), "{name}");
    assert_eq!(
        fs::read(&rebuilt.moved_to).unwrap(),
        original,
        "the damaged file is kept, unchanged"
    );

    let cache = opened.cache;
    assert_eq!(cache.stats().unwrap().entries, 0);
    let key = CacheKey::new("s", "/r");
    cache.put(&key, &CacheEntry::found("{}")).unwrap();
    assert!(cache.get(&key).unwrap().is_some());
    assert!(cache.integrity_check().unwrap().is_empty());
    drop(cache);
    // The rebuilt file is a sound cache that plain `open` accepts.
    assert!(SqliteCache::open(path, CachePolicy::default()).unwrap().get(&key).unwrap().is_some());
}

#[test]
fn garbage_bytes() {
    let dir = tempfile::tempdir().unwrap();
    let path = file(&dir);
    let garbage: Vec<u8> =
        (0..20_000u32).map(|i| (i.wrapping_mul(2_654_435_761) >> 13).to_le_bytes()[0]).collect();
    fs::write(&path, garbage).unwrap();
    let message = open_error(&path);
    assert!(message.contains("not a database"), "{message}");
    assert_rebuilds(&path);
}

#[test]
fn a_text_file_that_is_not_a_database() {
    let dir = tempfile::tempdir().unwrap();
    let path = file(&dir);
    fs::write(&path, "{\"this\": \"is a dashboard, not a cache\"}\n").unwrap();
    let message = open_error(&path);
    assert!(message.contains("not a database"), "{message}");
    assert_rebuilds(&path);
}

#[test]
fn a_truncated_database() {
    let dir = tempfile::tempdir().unwrap();
    let path = file(&dir);
    write_cache(&path, 2000);
    let len = fs::metadata(&path).unwrap().len();
    assert!(len > 100_000);
    let f = fs::OpenOptions::new().write(true).open(&path).unwrap();
    f.set_len(len / 2).unwrap();
    drop(f);
    let message = open_error(&path);
    assert!(message.contains("damaged") || message.contains("malformed"), "{message}");
    assert_rebuilds(&path);
}

#[test]
fn a_database_with_a_page_overwritten() {
    let dir = tempfile::tempdir().unwrap();
    let path = file(&dir);
    write_cache(&path, 500);
    let mut bytes = fs::read(&path).unwrap();
    // Page 2 onwards (4 KiB pages): the table's first pages become noise.
    for (i, b) in bytes[4096..3 * 4096].iter_mut().enumerate() {
        *b = u8::try_from(i % 251).unwrap_or(0);
    }
    fs::write(&path, &bytes).unwrap();
    open_error(&path);
    assert_rebuilds(&path);
}

#[test]
fn a_header_only_fragment() {
    let dir = tempfile::tempdir().unwrap();
    let path = file(&dir);
    write_cache(&path, 10);
    let bytes = fs::read(&path).unwrap();
    fs::write(&path, &bytes[..100]).unwrap();
    open_error(&path);
    assert_rebuilds(&path);
}

#[test]
fn an_empty_file_is_a_new_cache() {
    let dir = tempfile::tempdir().unwrap();
    let path = file(&dir);
    fs::write(&path, b"").unwrap();
    let opened = SqliteCache::open_or_rebuild(&path, SqliteCacheOptions::default()).unwrap();
    assert!(opened.rebuilt.is_none());
    assert_eq!(files_beside(&path).iter().filter(|n| n.contains("corrupt")).count(), 0);
}

#[test]
fn stale_wal_and_shm_files_do_not_leak_into_the_fresh_cache() {
    let dir = tempfile::tempdir().unwrap();
    let path = file(&dir);
    let garbage: Vec<u8> = (0..20_000u32).map(|i| (i % 253) as u8).collect();
    fs::write(&path, &garbage).unwrap();
    fs::write(dir.path().join("cache.sqlite3-wal"), b"old wal").unwrap();
    fs::write(dir.path().join("cache.sqlite3-shm"), b"old shm").unwrap();
    let opened = SqliteCache::open_or_rebuild(&path, SqliteCacheOptions::default()).unwrap();
    let moved = opened.rebuilt.unwrap().moved_to;
    // SQLite itself discards a WAL beside a file that is not a WAL database; if it
    // is still there, it went aside with the damaged file.
    let mut moved_wal = moved.into_os_string();
    moved_wal.push("-wal");
    if let Ok(wal) = fs::read(&moved_wal) {
        assert_eq!(wal, b"old wal");
    }
    let key = CacheKey::new("s", "/r");
    opened.cache.put(&key, &CacheEntry::found("{}")).unwrap();
    drop(opened.cache);
    let cache = SqliteCache::open(&path, CachePolicy::default()).unwrap();
    assert!(cache.get(&key).unwrap().is_some());
    assert!(cache.integrity_check().unwrap().is_empty());
}

#[test]
fn rebuilding_twice_keeps_both_damaged_files() {
    let dir = tempfile::tempdir().unwrap();
    let path = file(&dir);
    for _ in 0..2 {
        fs::write(
            &path,
            b"garbage garbage garbage garbage garbage garbage garbage garbage garbage",
        )
        .unwrap();
        assert!(
            SqliteCache::open_or_rebuild(&path, SqliteCacheOptions::default())
                .unwrap()
                .rebuilt
                .is_some()
        );
    }
    assert_eq!(
        files_beside(&path)
            .iter()
            .filter(|n| n.contains(".corrupt-") && !n.ends_with("-wal"))
            .count(),
        2
    );
}

#[test]
fn another_programs_database_is_refused_and_left_alone() {
    let dir = tempfile::tempdir().unwrap();
    let path = file(&dir);
    let other = Connection::open(&path).unwrap();
    other.execute_batch("CREATE TABLE notes (id INTEGER PRIMARY KEY, text TEXT); INSERT INTO notes (text) VALUES ('mine');").unwrap();
    drop(other);
    let before = fs::read(&path).unwrap();

    let message = open_error(&path);
    assert!(message.contains("not a bookenrich cache"), "{message}");
    let err = SqliteCache::open_or_rebuild(&path, SqliteCacheOptions::default()).unwrap_err();
    assert!(err.to_string().contains("not a bookenrich cache"), "{err}");
    assert_eq!(fs::read(&path).unwrap(), before, "not modified (not even switched to WAL)");
    assert_eq!(files_beside(&path), vec!["cache.sqlite3".to_owned()], "not moved aside");
}

#[test]
fn a_newer_schema_is_refused_with_a_clear_message() {
    let dir = tempfile::tempdir().unwrap();
    let path = file(&dir);
    write_cache(&path, 3);
    Connection::open(&path)
        .unwrap()
        .pragma_update(None, "user_version", SCHEMA_VERSION + 1)
        .unwrap();

    let message = open_error(&path);
    assert!(message.contains("newer bookenrich"), "{message}");
    assert!(message.contains(&format!("schema version {}", SCHEMA_VERSION + 1)), "{message}");
    let err = SqliteCache::open_or_rebuild(&path, SqliteCacheOptions::default()).unwrap_err();
    assert!(err.to_string().contains("newer bookenrich"), "{err}");
    let rows: i64 = Connection::open(&path)
        .unwrap()
        .query_row("SELECT count(*) FROM entries", [], |r| r.get(0))
        .unwrap();
    assert_eq!(rows, 3, "the newer cache keeps its entries");
}

#[test]
fn a_damaged_schema_is_rebuilt() {
    let dir = tempfile::tempdir().unwrap();
    let path = file(&dir);
    write_cache(&path, 3);
    Connection::open(&path).unwrap().execute_batch("DROP TABLE totals").unwrap();
    let message = open_error(&path);
    assert!(message.contains("schema is damaged"), "{message}");
    assert_rebuilds(&path);
}

#[test]
fn a_directory_that_cannot_hold_the_file_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let blocker = dir.path().join("blocker");
    fs::write(&blocker, b"a file where a directory should be").unwrap();
    let path = blocker.join("cache.sqlite3");
    let message = open_error(&path);
    assert!(message.contains("cannot create directory"), "{message}");
    assert!(SqliteCache::open_or_rebuild(&path, SqliteCacheOptions::default()).is_err());
    assert_eq!(fs::read(&blocker).unwrap(), b"a file where a directory should be");
}

#[test]
fn damage_found_after_opening_is_an_error_naming_the_cure() {
    let dir = tempfile::tempdir().unwrap();
    let path = file(&dir);
    write_cache(&path, 2000);
    let options = SqliteCacheOptions { verify_on_open: false, ..SqliteCacheOptions::default() };
    let len = fs::metadata(&path).unwrap().len();
    fs::OpenOptions::new().write(true).open(&path).unwrap().set_len(len / 2).unwrap();
    let Ok(cache) = SqliteCache::open_with(&path, options) else {
        return; // Found on open even without the check: also fine.
    };
    let mut errors = 0;
    for i in 0..2000 {
        match cache.get(&CacheKey::new("open_library", format!("/r{i}"))) {
            Ok(_) => {}
            Err(e) => {
                assert!(e.to_string().contains("bookenrich cache clear"), "{e}");
                errors += 1;
            }
        }
    }
    let stats = cache.stats();
    assert!(errors > 0 || stats.is_err(), "the truncation is noticed");
}
