//! The persistent cache through its public API: hits, misses, TTLs, negative
//! entries, the size bound, damaged rows, and `stats`/`prune`/`clear`.
#![cfg(feature = "sqlite")]
#![expect(clippy::unwrap_used)]

use std::sync::Arc;
use std::thread;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use bookenrich_core::cache::{
    CacheEntry, CacheKey, CachePolicy, ResponseCache, SqliteCache, SqliteCacheOptions,
};
use rusqlite::{Connection, params};

const DAY: u64 = 24 * 3600;

fn at(secs: u64) -> SystemTime {
    UNIX_EPOCH + Duration::from_secs(secs)
}

/// A fixed "now", so no test depends on the clock.
const NOW: u64 = 1_750_000_000;

fn open(dir: &tempfile::TempDir) -> SqliteCache {
    SqliteCache::open(dir.path().join("cache.sqlite3"), CachePolicy::default()).unwrap()
}

fn found(body: &str, fetched_at: u64) -> CacheEntry {
    CacheEntry { body: Some(body.as_bytes().to_vec()), fetched_at: at(fetched_at) }
}

fn not_found(fetched_at: u64) -> CacheEntry {
    CacheEntry { body: None, fetched_at: at(fetched_at) }
}

#[test]
fn hit_miss_and_overwrite() {
    let dir = tempfile::tempdir().unwrap();
    let cache = open(&dir);
    let key = CacheKey::new(
        "open_library",
        "/api/books?bibkeys=ISBN:9780140328721&format=json&jscmd=data",
    );
    assert_eq!(cache.get_at(&key, at(NOW)).unwrap(), None, "miss on an empty cache");

    cache.put(&key, &found(r#"{"ISBN:9780140328721":{}}"#, NOW)).unwrap();
    assert_eq!(
        cache.get_at(&key, at(NOW)).unwrap(),
        Some(found(r#"{"ISBN:9780140328721":{}}"#, NOW))
    );
    assert_eq!(
        cache.get_at(&CacheKey::new("google_books", &key.request), at(NOW)).unwrap(),
        None,
        "other source"
    );
    assert_eq!(
        cache.get_at(&CacheKey::new("open_library", "/other"), at(NOW)).unwrap(),
        None,
        "other request"
    );

    cache.put(&key, &found("{}", NOW + 5)).unwrap();
    assert_eq!(
        cache.get_at(&key, at(NOW + 5)).unwrap(),
        Some(found("{}", NOW + 5)),
        "the last write wins"
    );
    assert_eq!(cache.stats_at(at(NOW)).unwrap().entries, 1);
}

#[test]
fn binary_and_empty_bodies_are_kept_exactly() {
    let dir = tempfile::tempdir().unwrap();
    let cache = open(&dir);
    let all_bytes: Vec<u8> = (0..=255).collect();
    let k1 = CacheKey::new("s", "/bytes");
    let k2 = CacheKey::new("s", "/empty");
    cache.put(&k1, &CacheEntry { body: Some(all_bytes.clone()), fetched_at: at(NOW) }).unwrap();
    cache.put(&k2, &CacheEntry { body: Some(Vec::new()), fetched_at: at(NOW) }).unwrap();
    assert_eq!(cache.get_at(&k1, at(NOW)).unwrap().unwrap().body, Some(all_bytes));
    assert_eq!(
        cache.get_at(&k2, at(NOW)).unwrap().unwrap().body,
        Some(Vec::new()),
        "empty is not negative"
    );
}

#[test]
fn entries_survive_reopening() {
    let dir = tempfile::tempdir().unwrap();
    let key = CacheKey::new("google_books", "/books/v1/volumes/zyTCAlFPjgYC");
    {
        let cache = open(&dir);
        cache.put(&key, &found(r#"{"id":"zyTCAlFPjgYC"}"#, NOW)).unwrap();
    }
    let cache = open(&dir);
    assert_eq!(cache.get_at(&key, at(NOW)).unwrap(), Some(found(r#"{"id":"zyTCAlFPjgYC"}"#, NOW)));
}

#[test]
fn positive_entries_expire_after_the_ttl() {
    let dir = tempfile::tempdir().unwrap();
    let cache = open(&dir);
    let key = CacheKey::new("open_library", "/works/OL45804W.json");
    cache.put(&key, &found("{}", NOW)).unwrap();
    assert!(cache.get_at(&key, at(NOW + 30 * DAY)).unwrap().is_some(), "fresh at exactly 30 days");
    assert_eq!(cache.get_at(&key, at(NOW + 30 * DAY + 1)).unwrap(), None, "expired after 30 days");
    assert!(cache.get_at(&key, at(NOW)).unwrap().is_some(), "expiry does not delete: prune does");
}

#[test]
fn negative_entries_have_their_shorter_ttl() {
    let dir = tempfile::tempdir().unwrap();
    let cache = open(&dir);
    let missing = CacheKey::new("google_books", "/books/v1/volumes?q=isbn:9780000000002");
    cache.put(&missing, &not_found(NOW)).unwrap();
    assert_eq!(
        cache.get_at(&missing, at(NOW + DAY)).unwrap(),
        Some(not_found(NOW)),
        "negative hit"
    );
    assert_eq!(
        cache.get_at(&missing, at(NOW + 3 * DAY + 1)).unwrap(),
        None,
        "negative TTL is 3 days"
    );

    // The real clock: an entry written as if fetched 4 days ago is a miss now, 29 days ago a hit.
    let now = SystemTime::now();
    let old_negative = CacheEntry { body: None, fetched_at: now - Duration::from_secs(4 * DAY) };
    let old_positive =
        CacheEntry { body: Some(b"{}".to_vec()), fetched_at: now - Duration::from_secs(29 * DAY) };
    cache.put(&CacheKey::new("s", "/neg"), &old_negative).unwrap();
    cache.put(&CacheKey::new("s", "/pos"), &old_positive).unwrap();
    assert_eq!(cache.get(&CacheKey::new("s", "/neg")).unwrap(), None);
    assert!(cache.get(&CacheKey::new("s", "/pos")).unwrap().is_some());
}

#[test]
fn configured_ttls_apply_and_unbounded_ttl_never_expires() {
    let dir = tempfile::tempdir().unwrap();
    let short = CachePolicy { ttl: Duration::from_secs(60), negative_ttl: Duration::from_secs(10) };
    let cache = SqliteCache::open(dir.path().join("c"), short).unwrap();
    let key = CacheKey::new("s", "/r");
    cache.put(&key, &found("{}", NOW)).unwrap();
    assert!(cache.get_at(&key, at(NOW + 60)).unwrap().is_some());
    assert!(cache.get_at(&key, at(NOW + 61)).unwrap().is_none());
    drop(cache);

    // E.g. for an offline snapshot that must keep answering, however old.
    let forever = CachePolicy { ttl: Duration::MAX, negative_ttl: Duration::MAX };
    let cache = SqliteCache::open(dir.path().join("c"), forever).unwrap();
    assert!(cache.get_at(&key, at(NOW + 100 * 365 * DAY)).unwrap().is_some());
    assert_eq!(cache.stats_at(at(NOW + 100 * 365 * DAY)).unwrap().expired_entries, 0);
}

#[test]
fn an_entry_from_the_far_future_is_not_trusted() {
    let dir = tempfile::tempdir().unwrap();
    let cache = open(&dir);
    let key = CacheKey::new("s", "/r");
    cache.put(&key, &found("{}", NOW + 2 * DAY)).unwrap();
    assert_eq!(cache.get_at(&key, at(NOW)).unwrap(), None);
    cache.put(&key, &found("{}", NOW + 3600)).unwrap();
    assert!(cache.get_at(&key, at(NOW)).unwrap().is_some(), "an hour of clock skew is tolerated");
}

#[test]
fn a_damaged_row_is_a_miss_and_is_removed() {
    let dir = tempfile::tempdir().unwrap();
    let cache = open(&dir);
    let good = CacheKey::new("open_library", "/good");
    let bad = CacheKey::new("open_library", "/bad");
    cache.put(&good, &found(r#"{"ok":true}"#, NOW)).unwrap();
    cache.put(&bad, &found(r#"{"ok":true}"#, NOW)).unwrap();

    // Flip a byte of one body behind the cache's back, as a disk fault would.
    let raw = Connection::open(cache.path()).unwrap();
    raw.execute(
        "UPDATE entries SET body = CAST('{\"ok\":tru3}' AS BLOB) WHERE request = '/bad'",
        [],
    )
    .unwrap();

    assert_eq!(cache.get_at(&bad, at(NOW)).unwrap(), None, "a row failing its checksum is a miss");
    let left: i64 = raw
        .query_row("SELECT count(*) FROM entries WHERE request = '/bad'", [], |r| r.get(0))
        .unwrap();
    assert_eq!(left, 0, "and it is deleted");
    assert!(cache.get_at(&good, at(NOW)).unwrap().is_some(), "other rows are untouched");

    // Rewritten after the damage, the entry is served again.
    cache.put(&bad, &found("{}", NOW)).unwrap();
    assert!(cache.get_at(&bad, at(NOW)).unwrap().is_some());
}

#[test]
fn prune_removes_expired_and_damaged_rows_and_reports_them() {
    let dir = tempfile::tempdir().unwrap();
    let cache = open(&dir);
    cache.put(&CacheKey::new("open_library", "/fresh"), &found("{}", NOW - DAY)).unwrap();
    cache.put(&CacheKey::new("open_library", "/old"), &found("{}", NOW - 31 * DAY)).unwrap();
    cache.put(&CacheKey::new("google_books", "/neg-fresh"), &not_found(NOW - 2 * DAY)).unwrap();
    cache.put(&CacheKey::new("google_books", "/neg-old"), &not_found(NOW - 4 * DAY)).unwrap();
    cache.put(&CacheKey::new("google_books", "/damaged"), &found("{}", NOW)).unwrap();
    Connection::open(cache.path())
        .unwrap()
        .execute("UPDATE entries SET checksum = checksum + 1 WHERE request = '/damaged'", [])
        .unwrap();

    let stats = cache.stats_at(at(NOW)).unwrap();
    assert_eq!((stats.entries, stats.negative_entries, stats.expired_entries), (5, 2, 2));

    let report = cache.prune_at(at(NOW)).unwrap();
    assert_eq!((report.expired, report.undecodable, report.evicted), (2, 1, 0));
    assert!(report.bytes_after < report.bytes_before);

    let stats = cache.stats_at(at(NOW)).unwrap();
    assert_eq!((stats.entries, stats.negative_entries, stats.expired_entries), (2, 1, 0));
    assert!(cache.get_at(&CacheKey::new("open_library", "/fresh"), at(NOW)).unwrap().is_some());
    assert!(cache.get_at(&CacheKey::new("google_books", "/neg-fresh"), at(NOW)).unwrap().is_some());
    assert_eq!(cache.prune_at(at(NOW)).unwrap().expired, 0, "prune is idempotent");
}

#[test]
fn stats_count_per_source() {
    let dir = tempfile::tempdir().unwrap();
    let cache = open(&dir);
    assert_eq!(cache.stats_at(at(NOW)).unwrap().entries, 0);
    assert_eq!(cache.stats_at(at(NOW)).unwrap().oldest, None);
    for i in 0..7 {
        cache
            .put(
                &CacheKey::new("open_library", format!("/r{i}")),
                &found("0123456789", NOW - i * DAY),
            )
            .unwrap();
    }
    for i in 0..3 {
        cache
            .put(&CacheKey::new("google_books", format!("/n{i}")), &not_found(NOW - i * 2 * DAY))
            .unwrap();
    }
    let stats = cache.stats_at(at(NOW)).unwrap();
    assert_eq!(stats.entries, 10);
    assert_eq!(stats.negative_entries, 3);
    assert_eq!(stats.expired_entries, 1, "the negative entry of 4 days");
    let ol = stats.sources["open_library"];
    assert_eq!((ol.entries, ol.negative_entries, ol.expired_entries), (7, 0, 0));
    assert_eq!(ol.bytes, 7 * ("open_library".len() + "/r0".len() + 10) as u64);
    let gb = stats.sources["google_books"];
    assert_eq!((gb.entries, gb.negative_entries, gb.expired_entries), (3, 3, 1));
    assert_eq!(stats.bytes, ol.bytes + gb.bytes);
    assert_eq!(stats.max_bytes, bookenrich_core::cache::DEFAULT_MAX_BYTES);
    assert_eq!(stats.oldest.unwrap().timestamp(), i64::try_from(NOW - 6 * DAY).unwrap());
    assert_eq!(stats.newest.unwrap().timestamp(), i64::try_from(NOW).unwrap());
    assert!(stats.file_bytes > 0);
    assert_eq!(stats.path, cache.path());
}

#[test]
fn clear_empties_the_cache() {
    let dir = tempfile::tempdir().unwrap();
    let cache = open(&dir);
    for i in 0..500 {
        cache.put(&CacheKey::new("s", format!("/r{i}")), &found(&"x".repeat(1000), NOW)).unwrap();
    }
    assert_eq!(cache.clear().unwrap(), 500);
    let stats = cache.stats_at(at(NOW)).unwrap();
    assert_eq!((stats.entries, stats.bytes), (0, 0));
    assert_eq!(cache.get_at(&CacheKey::new("s", "/r1"), at(NOW)).unwrap(), None);
    assert_eq!(cache.clear().unwrap(), 0);
    cache.put(&CacheKey::new("s", "/r1"), &found("{}", NOW)).unwrap();
    assert!(
        cache.get_at(&CacheKey::new("s", "/r1"), at(NOW)).unwrap().is_some(),
        "usable after clear"
    );
}

#[test]
fn prune_and_clear_give_space_back_to_the_file_system() {
    let dir = tempfile::tempdir().unwrap();
    let cache = open(&dir);
    for i in 0..400 {
        cache
            .put(&CacheKey::new("s", format!("/r{i}")), &found(&"x".repeat(10_000), NOW - 40 * DAY))
            .unwrap();
    }
    let report = cache.prune_at(at(NOW)).unwrap();
    assert_eq!(report.expired, 400);
    assert!(
        report.file_bytes_after < report.file_bytes_before / 4,
        "file shrinks: {} -> {}",
        report.file_bytes_before,
        report.file_bytes_after
    );

    for i in 0..400 {
        cache.put(&CacheKey::new("s", format!("/r{i}")), &found(&"x".repeat(10_000), NOW)).unwrap();
    }
    let full = cache.stats_at(at(NOW)).unwrap().file_bytes;
    assert_eq!(cache.clear().unwrap(), 400);
    let empty = cache.stats_at(at(NOW)).unwrap().file_bytes;
    assert!(empty < full / 4, "file shrinks on clear: {full} -> {empty}");
}

fn bounded(dir: &tempfile::TempDir, max_bytes: u64) -> SqliteCache {
    SqliteCache::open_with(
        dir.path().join("c"),
        SqliteCacheOptions { max_bytes, ..SqliteCacheOptions::default() },
    )
    .unwrap()
}

#[test]
fn writes_beyond_the_size_bound_evict_the_oldest_entries() {
    let dir = tempfile::tempdir().unwrap();
    // Each entry accounts for 1 + 4 + 95 = 100 bytes.
    let cache = bounded(&dir, 10_000);
    let key = |i: u64| CacheKey::new("s", format!("/{i:03}"));
    for i in 0..100 {
        cache.put(&key(i), &found(&"x".repeat(95), NOW - 1000 + i)).unwrap();
    }
    assert_eq!(
        cache.stats_at(at(NOW)).unwrap().bytes,
        10_000,
        "exactly at the bound: nothing evicted"
    );
    cache.put(&key(100), &found(&"x".repeat(95), NOW)).unwrap();

    let stats = cache.stats_at(at(NOW)).unwrap();
    assert_eq!(stats.bytes, 9_000, "evicted down to 90 % of the bound in one batch");
    assert_eq!(stats.entries, 90);
    for i in 0..11 {
        assert_eq!(cache.get_at(&key(i), at(NOW)).unwrap(), None, "oldest entry {i} evicted");
    }
    for i in 11..=100 {
        assert!(cache.get_at(&key(i), at(NOW)).unwrap().is_some(), "newer entry {i} kept");
    }
}

#[test]
fn prune_evicts_down_to_a_smaller_bound() {
    let dir = tempfile::tempdir().unwrap();
    let cache = bounded(&dir, 1_000_000);
    for i in 0..100 {
        cache
            .put(&CacheKey::new("s", format!("/{i:03}")), &found(&"x".repeat(95), NOW - 1000 + i))
            .unwrap();
    }
    drop(cache);
    let cache = bounded(&dir, 2_550);
    let report = cache.prune_at(at(NOW)).unwrap();
    assert_eq!((report.evicted, report.bytes_after), (75, 2_500));
    assert!(cache.get_at(&CacheKey::new("s", "/075"), at(NOW)).unwrap().is_some());
    assert!(cache.get_at(&CacheKey::new("s", "/074"), at(NOW)).unwrap().is_none());
}

#[test]
fn an_answer_larger_than_the_bound_is_not_stored_and_evicts_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let cache = bounded(&dir, 1_000);
    cache.put(&CacheKey::new("s", "/small"), &found("{}", NOW)).unwrap();
    cache.put(&CacheKey::new("s", "/huge"), &found(&"x".repeat(2_000), NOW)).unwrap();
    assert_eq!(cache.get_at(&CacheKey::new("s", "/huge"), at(NOW)).unwrap(), None);
    assert!(cache.get_at(&CacheKey::new("s", "/small"), at(NOW)).unwrap().is_some());
}

#[test]
fn an_entry_from_before_1970_is_an_error_not_a_panic() {
    let dir = tempfile::tempdir().unwrap();
    let cache = open(&dir);
    let entry = CacheEntry { body: None, fetched_at: UNIX_EPOCH - Duration::from_secs(1) };
    let err = cache.put(&CacheKey::new("s", "/r"), &entry).unwrap_err();
    assert!(matches!(err, bookenrich_core::Error::Cache { .. }), "{err}");
}

#[test]
fn many_threads_share_one_cache() {
    let dir = tempfile::tempdir().unwrap();
    let cache: Arc<dyn ResponseCache> = Arc::new(open(&dir));
    let handles: Vec<_> = (0..8)
        .map(|t| {
            let cache = Arc::clone(&cache);
            thread::spawn(move || {
                for i in 0..250 {
                    let key = CacheKey::new("s", format!("/t{t}/{i}"));
                    cache.put(&key, &CacheEntry::found(format!("{t}:{i}"))).unwrap();
                    let got = cache.get(&key).unwrap().unwrap();
                    assert_eq!(got.body.unwrap(), format!("{t}:{i}").into_bytes());
                }
            })
        })
        .collect();
    for h in handles {
        h.join().unwrap();
    }
    for t in 0..8 {
        for i in 0..250 {
            assert!(cache.get(&CacheKey::new("s", format!("/t{t}/{i}"))).unwrap().is_some());
        }
    }
}

#[test]
fn a_row_written_by_hand_with_wrong_types_is_a_miss() {
    let dir = tempfile::tempdir().unwrap();
    let cache = open(&dir);
    let raw = Connection::open(cache.path()).unwrap();
    // STRICT refuses wrong types, so drop to a copy of the table without it, as a
    // damaged or foreign writer might have left it.
    raw.execute_batch(
        "PRAGMA writable_schema = ON;
         UPDATE sqlite_schema SET sql = replace(sql, ') STRICT', ')') WHERE name = 'entries';
         PRAGMA writable_schema = OFF;",
    )
    .unwrap();
    drop(raw);
    let raw = Connection::open(cache.path()).unwrap();
    raw.execute(
        "INSERT INTO entries (source, request, fetched_at, body, size, checksum) VALUES ('s', '/text', ?1, 'text body', 0, 0)",
        params![i64::try_from(NOW).unwrap()],
    )
    .unwrap();
    drop(cache);
    let cache = open(&dir);
    assert_eq!(cache.get_at(&CacheKey::new("s", "/text"), at(NOW)).unwrap(), None);
}

#[test]
fn a_cache_file_deleted_while_open_is_not_recreated_empty_by_a_lookup() {
    let dir = tempfile::tempdir().unwrap();
    let cache = open(&dir);
    let path = cache.path().to_owned();
    for suffix in ["", "-wal", "-shm"] {
        let mut p = path.clone().into_os_string();
        p.push(suffix);
        let _ = std::fs::remove_file(p);
    }
    // Lookups need a new read connection after the first: the pool is empty here.
    let result = cache.get_at(&CacheKey::new("s", "/r"), at(NOW));
    assert!(matches!(result, Ok(None) | Err(bookenrich_core::Error::Cache { .. })), "{result:?}");
    assert!(!path.exists(), "a lookup does not create an empty database");
}

#[test]
fn a_path_that_looks_like_a_uri_is_a_plain_file_name() {
    let dir = tempfile::tempdir().unwrap();
    let cache =
        SqliteCache::open(dir.path().join("file:x?mode=memory"), CachePolicy::default()).unwrap();
    cache.put(&CacheKey::new("s", "/r"), &found("{}", NOW)).unwrap();
    assert!(dir.path().join("file:x?mode=memory").is_file());
}
