//! An API key never reaches the cache: not in the key a request is cached under,
//! and not anywhere in the cache file's bytes.
#![cfg(feature = "sqlite")]
#![expect(clippy::unwrap_used)]

use std::fs;

use bookenrich_core::cache::{CacheEntry, CacheKey, CachePolicy, ResponseCache, SqliteCache};
use bookenrich_core::fetch::Request;

const HEADER_SECRET: &str = "AIzaSyHEADER-SECRET-0123456789";
const QUERY_SECRET: &str = "AIzaSyQUERY-SECRET-9876543210";

fn requests() -> Vec<Request> {
    let url = |s: &str| url::Url::parse(s).unwrap();
    vec![
        Request::get(url("https://www.googleapis.com/books/v1/volumes?q=isbn:9780441013593"))
            .header("x-goog-api-key", HEADER_SECRET),
        Request::get(url(&format!(
            "https://www.googleapis.com/books/v1/volumes?q=isbn:9780441013593&key={QUERY_SECRET}"
        )))
        .header("X-Goog-Api-Key", HEADER_SECRET),
        Request::get(url(&format!(
            "https://www.googleapis.com/books/v1/volumes/abc?KEY={QUERY_SECRET}&projection=full"
        ))),
        Request::get(url(&format!(
            "https://www.googleapis.com/books/v1/volumes/abc?key={QUERY_SECRET}"
        ))),
    ]
}

#[test]
fn keys_built_from_requests_hold_no_secret() {
    for request in requests() {
        let key = request.cache_key();
        assert!(!key.contains(HEADER_SECRET) && !key.contains(QUERY_SECRET), "{key}");
        assert!(!key.contains("SECRET"), "{key}");
        assert!(key.starts_with("/books/v1/volumes"), "{key}");
    }
    // The key drops the secret but keeps what identifies the answer.
    let with_key = &requests()[1];
    let without_key = Request::get(
        url::Url::parse("https://www.googleapis.com/books/v1/volumes?q=isbn:9780441013593")
            .unwrap(),
    );
    assert_eq!(with_key.cache_key(), without_key.cache_key());
}

#[test]
fn the_cache_file_never_holds_a_secret() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("cache.sqlite3");
    let cache = SqliteCache::open(&path, CachePolicy::default()).unwrap();
    for request in requests() {
        let key = CacheKey::new("google_books", request.cache_key());
        cache.put(&key, &CacheEntry::found(r#"{"kind":"books#volumes","totalItems":0}"#)).unwrap();
        assert!(cache.get(&key).unwrap().is_some());
    }
    drop(cache);
    let mut bytes = fs::read(&path).unwrap();
    if let Ok(wal) = fs::read(dir.path().join("cache.sqlite3-wal")) {
        bytes.extend(wal);
    }
    for secret in [HEADER_SECRET, QUERY_SECRET, "SECRET"] {
        assert!(
            !bytes.windows(secret.len()).any(|w| w == secret.as_bytes()),
            "{secret} found in the cache file"
        );
    }
    assert!(
        bytes.windows(14).any(|w| w == b"/books/v1/volu"),
        "the keys themselves are in the file"
    );
}
