//! Internals of the `SQLite` cache: the TTL arithmetic and the file it creates.
//! Behaviour through the public API is tested in `tests/cache_*.rs`.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use rusqlite::{Connection, params};

use super::*;

fn policy(ttl: u64, negative_ttl: u64) -> CachePolicy {
    CachePolicy { ttl: Duration::from_secs(ttl), negative_ttl: Duration::from_secs(negative_ttl) }
}

#[test]
fn freshness_matches_the_sql_used_by_stats_and_prune() {
    let conn = Connection::open_in_memory().unwrap();
    conn.execute_batch("CREATE TABLE entries (fetched_at INTEGER, body BLOB)").unwrap();
    let sql = format!("SELECT {} FROM entries", Cutoffs::EXPIRED_SQL);
    let policies = [
        policy(100, 10),
        policy(0, 0),
        CachePolicy { ttl: Duration::MAX, negative_ttl: Duration::MAX },
        CachePolicy {
            ttl: Duration::from_millis(1500),
            negative_ttl: Duration::from_secs(u64::MAX / 2),
        },
    ];
    let now = 1_000_000;
    let ages =
        [-100_000, -86_401, -86_400, -1, 0, 1, 9, 10, 11, 99, 100, 101, 1_000_000, 2_000_000];
    for p in &policies {
        let c = Cutoffs::new(now, p);
        for age in ages {
            for negative in [false, true] {
                let fetched_at = now - age;
                conn.execute("DELETE FROM entries", []).unwrap();
                let body: Option<&[u8]> = if negative { None } else { Some(b"x") };
                conn.execute("INSERT INTO entries VALUES (?1, ?2)", params![fetched_at, body])
                    .unwrap();
                let expired: bool = conn
                    .query_row(&sql, params![c.positive, c.negative, c.future], |r| r.get(0))
                    .unwrap();
                assert_eq!(
                    !is_fresh(fetched_at, negative, now, p),
                    expired,
                    "policy {p:?}, age {age}, negative {negative}"
                );
            }
        }
    }
}

#[test]
fn freshness_follows_the_ttl_of_the_entry_kind() {
    let p = policy(100, 10);
    assert!(is_fresh(900, false, 1000, &p), "positive entry of age 100 is fresh");
    assert!(!is_fresh(899, false, 1000, &p), "positive entry of age 101 is expired");
    assert!(is_fresh(990, true, 1000, &p), "negative entry of age 10 is fresh");
    assert!(!is_fresh(989, true, 1000, &p), "negative entry of age 11 is expired");
    assert!(
        is_fresh(1000 + MAX_FUTURE_SKEW_SECS, false, 1000, &p),
        "a little clock skew is tolerated"
    );
    assert!(!is_fresh(1001 + MAX_FUTURE_SKEW_SECS, false, 1000, &p), "far-future entries expire");
    let forever = CachePolicy { ttl: Duration::MAX, negative_ttl: Duration::MAX };
    assert!(is_fresh(0, false, i64::MAX - 1, &forever));
}

#[test]
fn unix_seconds_of_times_around_the_epoch() {
    assert_eq!(unix_secs(UNIX_EPOCH), 0);
    assert_eq!(unix_secs(UNIX_EPOCH + Duration::from_millis(1999)), 1);
    assert_eq!(unix_secs(UNIX_EPOCH - Duration::from_secs(5)), -5);
}

#[test]
fn new_file_is_a_wal_cache_with_incremental_vacuum_and_version() {
    let dir = tempfile::tempdir().unwrap();
    let cache = SqliteCache::open(dir.path().join("c.sqlite3"), CachePolicy::default()).unwrap();
    let conn = Connection::open(cache.path()).unwrap();
    let get = |pragma: &str| -> String {
        conn.query_row(&format!("PRAGMA {pragma}"), [], |r| r.get::<_, rusqlite::types::Value>(0))
            .map(|v| format!("{v:?}"))
            .unwrap()
    };
    assert_eq!(get("journal_mode"), r#"Text("wal")"#);
    assert_eq!(get("auto_vacuum"), "Integer(2)", "incremental");
    assert_eq!(get("user_version"), format!("Integer({SCHEMA_VERSION})"));
    assert_eq!(get("application_id"), format!("Integer({})", schema::APPLICATION_ID));
}

#[test]
fn a_directory_path_holds_the_default_file_name() {
    let dir = tempfile::tempdir().unwrap();
    let cache = SqliteCache::open(dir.path(), CachePolicy::default()).unwrap();
    assert_eq!(cache.path(), dir.path().join(CACHE_FILE_NAME));
    assert!(dir.path().join(CACHE_FILE_NAME).is_file());
}

#[test]
fn missing_parent_directories_are_created() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("a/b/cache.sqlite3");
    SqliteCache::open(&path, CachePolicy::default()).unwrap();
    assert!(path.is_file());
}

#[test]
fn default_path_is_under_the_user_cache_directory() {
    if let (Some(path), Some(base)) = (default_cache_path(), dirs::cache_dir()) {
        assert_eq!(path, base.join("bookenrich").join("cache.sqlite3"));
    }
}

#[test]
fn the_running_total_follows_inserts_updates_and_deletes() {
    let dir = tempfile::tempdir().unwrap();
    let cache = SqliteCache::open(dir.path().join("c"), CachePolicy::default()).unwrap();
    let total = || -> i64 {
        cache.writer().query_row("SELECT bytes FROM totals", [], |r| r.get(0)).unwrap()
    };
    let now = SystemTime::now();
    let key = CacheKey::new("src", "/r");
    cache.put(&key, &CacheEntry { body: Some(vec![0; 100]), fetched_at: now }).unwrap();
    assert_eq!(total(), 3 + 2 + 100);
    cache.put(&key, &CacheEntry { body: Some(vec![0; 10]), fetched_at: now }).unwrap();
    assert_eq!(total(), 3 + 2 + 10, "an overwrite replaces the size");
    cache.put(&CacheKey::new("src", "/s"), &CacheEntry { body: None, fetched_at: now }).unwrap();
    assert_eq!(total(), 15 + 5);
    cache.writer().execute("DELETE FROM entries WHERE request = '/r'", []).unwrap();
    assert_eq!(total(), 5);
    cache.clear().unwrap();
    assert_eq!(total(), 0);
}
