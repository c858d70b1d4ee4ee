//! `bookenrich cache stats|prune|clear`, run as the built binary: output, JSON,
//! exit codes, and damaged or foreign cache files.
#![expect(clippy::unwrap_used)]

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::{Duration, SystemTime};

use bookenrich_core::cache::{CacheEntry, CacheKey, CachePolicy, ResponseCache, SqliteCache};
use serde_json::Value;

const DAY: Duration = Duration::from_secs(24 * 3600);

/// Runs `bookenrich cache ARGS` with a clean environment for the cache location.
fn bookenrich(args: &[&str], env: &[(&str, &Path)]) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_bookenrich"));
    cmd.arg("cache").args(args).env_remove("BOOKENRICH_CACHE");
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd.output().unwrap()
}

fn run(args: &[&str]) -> Output {
    bookenrich(args, &[])
}

fn code(out: &Output) -> i32 {
    out.status.code().expect("exited, not killed by a signal")
}

fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

fn json(out: &Output) -> Value {
    assert_eq!(code(out), 0, "stderr: {}", stderr(out));
    serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("not JSON ({e}): {}", stdout(out)))
}

/// A cache with 3 fresh Open Library entries, 1 expired one, 2 fresh and 1 expired Google "not found".
fn populated(dir: &tempfile::TempDir) -> PathBuf {
    let path = dir.path().join("cache.sqlite3");
    let cache = SqliteCache::open(&path, CachePolicy::default()).unwrap();
    let now = SystemTime::now();
    let put = |source: &str, request: &str, body: Option<&str>, age: Duration| {
        let entry = CacheEntry { body: body.map(|b| b.as_bytes().to_vec()), fetched_at: now - age };
        cache.put(&CacheKey::new(source, request), &entry).unwrap();
    };
    for i in 0..3 {
        put("open_library", &format!("/api/books?bibkeys=ISBN:{i}"), Some(r#"{"x":1}"#), DAY);
    }
    put("open_library", "/works/OL1W.json", Some("{}"), 31 * DAY);
    put("google_books", "/books/v1/volumes?q=isbn:1", None, DAY);
    put("google_books", "/books/v1/volumes?q=isbn:2", None, 2 * DAY);
    put("google_books", "/books/v1/volumes?q=isbn:3", None, 4 * DAY);
    path
}

fn path_arg(path: &Path) -> &str {
    path.to_str().unwrap()
}

#[test]
fn stats_as_text_and_json() {
    let dir = tempfile::tempdir().unwrap();
    let path = populated(&dir);

    let out = run(&["stats", "--cache", path_arg(&path)]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let text = stdout(&out);
    assert!(text.contains(path_arg(&path)), "{text}");
    assert!(text.contains("Entries:  7 (3 not found, 2 expired)"), "{text}");
    assert!(text.contains("open_library  4 entries (0 not found, 1 expired)"), "{text}");
    assert!(text.contains("google_books  3 entries (3 not found, 1 expired)"), "{text}");

    let v = json(&run(&["stats", "--json", "--cache", path_arg(&path)]));
    assert_eq!(v["exists"], true);
    assert_eq!(v["entries"], 7);
    assert_eq!(v["negative_entries"], 3);
    assert_eq!(v["expired_entries"], 2);
    assert_eq!(v["sources"]["open_library"]["entries"], 4);
    assert_eq!(v["sources"]["google_books"]["negative_entries"], 3);
    assert_eq!(v["max_bytes"], 512 * 1024 * 1024);
    assert!(v["file_bytes"].as_u64().unwrap() > 0);
    assert!(v["oldest"].is_string() && v["newest"].is_string());

    // The flags may also come before the subcommand.
    assert_eq!(json(&run(&["--json", "--cache", path_arg(&path), "stats"]))["entries"], 7);
}

#[test]
fn a_directory_means_its_cache_file() {
    let dir = tempfile::tempdir().unwrap();
    populated(&dir);
    let v = json(&run(&["stats", "--json", "--cache", path_arg(dir.path())]));
    assert_eq!(v["entries"], 7);
    assert_eq!(v["path"], path_arg(&dir.path().join("cache.sqlite3")));
}

#[test]
fn a_missing_cache_is_reported_and_not_created() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("nothing-here.sqlite3");
    let out = run(&["stats", "--cache", path_arg(&path)]);
    assert_eq!(code(&out), 0);
    assert!(stdout(&out).contains("No cache at"), "{}", stdout(&out));
    let v = json(&run(&["stats", "--json", "--cache", path_arg(&path)]));
    assert_eq!((v["exists"].as_bool(), v["entries"].as_u64()), (Some(false), Some(0)));
    assert_eq!(code(&run(&["prune", "--cache", path_arg(&path)])), 0);
    assert_eq!(code(&run(&["clear", "--cache", path_arg(&path)])), 0);
    assert!(!path.exists(), "no command created the file");
}

#[test]
fn prune_removes_expired_entries() {
    let dir = tempfile::tempdir().unwrap();
    let path = populated(&dir);
    let v = json(&run(&["prune", "--json", "--cache", path_arg(&path)]));
    assert_eq!(
        (v["expired"].as_u64(), v["undecodable"].as_u64(), v["evicted"].as_u64()),
        (Some(2), Some(0), Some(0))
    );
    assert!(v["bytes_after"].as_u64() < v["bytes_before"].as_u64());
    let v = json(&run(&["stats", "--json", "--cache", path_arg(&path)]));
    assert_eq!((v["entries"].as_u64(), v["expired_entries"].as_u64()), (Some(5), Some(0)));

    let out = run(&["prune", "--cache", path_arg(&path)]);
    assert_eq!(code(&out), 0);
    assert!(stdout(&out).contains("removed 0 expired"), "{}", stdout(&out));
}

#[test]
fn prune_with_a_smaller_bound_evicts_the_oldest() {
    let dir = tempfile::tempdir().unwrap();
    let path = populated(&dir);
    let v = json(&run(&["prune", "--json", "--max-size", "60", "--cache", path_arg(&path)]));
    assert!(v["evicted"].as_u64().unwrap() > 0, "{v}");
    assert!(v["bytes_after"].as_u64().unwrap() <= 60, "{v}");
    let v = json(&run(&["stats", "--json", "--cache", path_arg(&path)]));
    let newest_kept = SqliteCache::open(&path, CachePolicy::default())
        .unwrap()
        .get(&CacheKey::new("google_books", "/books/v1/volumes?q=isbn:1"))
        .unwrap();
    assert!(
        v["entries"].as_u64().unwrap() >= 1 && newest_kept.is_some(),
        "the newest entries stay"
    );
}

#[test]
fn clear_removes_everything() {
    let dir = tempfile::tempdir().unwrap();
    let path = populated(&dir);
    let v = json(&run(&["clear", "--json", "--cache", path_arg(&path)]));
    assert_eq!(v["removed"], 7);
    assert!(v["moved_damaged_file_to"].is_null());
    assert_eq!(json(&run(&["stats", "--json", "--cache", path_arg(&path)]))["entries"], 0);
    let out = run(&["clear", "--cache", path_arg(&path)]);
    assert!(stdout(&out).contains("removed 0 entries"), "{}", stdout(&out));
}

#[test]
fn a_damaged_cache_fails_stats_with_the_cure_and_clear_rebuilds_it() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("cache.sqlite3");
    fs::write(&path, vec![0xA5; 10_000]).unwrap();

    for action in ["stats", "prune"] {
        let out = run(&[action, "--cache", path_arg(&path)]);
        assert_eq!(code(&out), 3, "{action}: unusable input");
        let err = stderr(&out);
        assert!(err.contains(path_arg(&path)), "names the file: {err}");
        assert!(err.contains("not a database"), "{err}");
        assert!(err.contains("bookenrich cache clear"), "tells the cure: {err}");
        assert_eq!(err.lines().count(), 1, "one line: {err}");
        assert!(!err.contains("panicked"), "{err}");
    }

    let v = json(&run(&["clear", "--json", "--cache", path_arg(&path)]));
    let moved = PathBuf::from(v["moved_damaged_file_to"].as_str().unwrap());
    assert_eq!(fs::read(&moved).unwrap(), vec![0xA5; 10_000], "the damaged file is kept aside");
    assert_eq!(json(&run(&["stats", "--json", "--cache", path_arg(&path)]))["entries"], 0);

    fs::write(&path, b"garbage again, garbage again, garbage again").unwrap();
    let out = run(&["clear", "--cache", path_arg(&path)]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert!(stdout(&out).contains("Moved the damaged cache to"), "{}", stdout(&out));
}

#[test]
fn another_programs_database_is_refused_by_every_command() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("app.db");
    let conn = rusqlite::Connection::open(&path).unwrap();
    conn.execute_batch("CREATE TABLE important (x); INSERT INTO important VALUES (42);").unwrap();
    drop(conn);
    let before = fs::read(&path).unwrap();
    for action in ["stats", "prune", "clear"] {
        let out = run(&[action, "--cache", path_arg(&path)]);
        assert_eq!(code(&out), 3, "{action}");
        assert!(stderr(&out).contains("not a bookenrich cache"), "{}", stderr(&out));
    }
    assert_eq!(fs::read(&path).unwrap(), before, "left untouched");
}

#[test]
fn the_cache_location_comes_from_the_environment_or_the_user_cache_directory() {
    let dir = tempfile::tempdir().unwrap();
    let path = populated(&dir);
    let out = bookenrich(&["stats", "--json"], &[("BOOKENRICH_CACHE", &path)]);
    assert_eq!(json(&out)["entries"], 7);

    let other = tempfile::tempdir().unwrap();
    let out = bookenrich(
        &["stats", "--json", "--cache", path_arg(&path)],
        &[("BOOKENRICH_CACHE", other.path())],
    );
    assert_eq!(json(&out)["entries"], 7, "--cache wins over the environment");

    for off in ["off", "memory"] {
        let out = bookenrich(&["stats"], &[("BOOKENRICH_CACHE", Path::new(off))]);
        assert_eq!(code(&out), 2, "BOOKENRICH_CACHE={off}");
        assert!(stderr(&out).contains("--cache PATH"), "{}", stderr(&out));
    }

    let home = tempfile::tempdir().unwrap();
    let out =
        bookenrich(&["stats", "--json"], &[("XDG_CACHE_HOME", home.path()), ("HOME", home.path())]);
    let v = json(&out);
    assert_eq!(v["path"], path_arg(&home.path().join("bookenrich").join("cache.sqlite3")));
    assert_eq!(v["exists"], false);
}

#[test]
fn invalid_command_lines_exit_2() {
    assert_eq!(code(&run(&[])), 2, "no subcommand");
    assert_eq!(code(&run(&["shrink"])), 2, "unknown subcommand");
    let out = run(&["prune", "--max-size", "lots"]);
    assert_eq!(code(&out), 2);
    assert!(stderr(&out).contains("lots"), "{}", stderr(&out));
}
