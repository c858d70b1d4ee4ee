//! Several processes writing one cache file at once (two CLI runs on the same
//! cache): nothing is lost, nothing fails with "database is locked", and the file
//! passes `SQLite`'s integrity check.
//!
//! The writer processes are this test executable itself, started with
//! `BOOKENRICH_CACHE_TEST_WRITER` set, which makes [`writer_process`] do the writing
//! (or `BOOKENRICH_CACHE_TEST_OPENER`, which makes [`opener_process`] open a new file,
//! or `BOOKENRICH_CACHE_TEST_ACKING`, which makes [`acking_writer_process`] write until killed).
#![cfg(feature = "sqlite")]
#![expect(clippy::unwrap_used)]

use std::io::{BufRead, BufReader, Read, Write};
use std::path::Path;
use std::process::{Child, Command, Stdio};

use bookenrich_core::cache::{
    CacheEntry, CacheKey, CachePolicy, ResponseCache, SqliteCache, SqliteCacheOptions,
};
use std::os::unix::process::ExitStatusExt;

const WRITER_ENV: &str = "BOOKENRICH_CACHE_TEST_WRITER";
const OPENER_ENV: &str = "BOOKENRICH_CACHE_TEST_OPENER";
const ACKING_ENV: &str = "BOOKENRICH_CACHE_TEST_ACKING";
const ENTRIES_PER_WRITER: usize = 3000;
/// Keys every writer writes (with its own body), so the same rows are contended.
const SHARED_KEYS: usize = 200;

fn body(writer: &str, i: usize) -> String {
    format!(r#"{{"writer":"{writer}","i":{i},"pad":"{}"}}"#, "y".repeat(i % 700))
}

/// Writes this writer's entries, reading some back as it goes (as a run does).
fn write_entries(path: &Path, writer: &str) {
    let cache = SqliteCache::open(path, CachePolicy::default()).unwrap();
    for i in 0..ENTRIES_PER_WRITER {
        let own = CacheKey::new("open_library", format!("/{writer}/{i}"));
        cache.put(&own, &CacheEntry::found(body(writer, i))).unwrap();
        if i < SHARED_KEYS {
            let shared = CacheKey::new("google_books", format!("/shared/{i}"));
            cache.put(&shared, &CacheEntry::found(body(writer, i))).unwrap();
        }
        if i % 7 == 0 {
            let negative = CacheKey::new("google_books", format!("/{writer}/missing/{i}"));
            cache.put(&negative, &CacheEntry::not_found()).unwrap();
        }
        if i % 10 == 0 {
            let back = cache.get(&own).unwrap().expect("own entry reads back at once");
            assert_eq!(back.body.unwrap(), body(writer, i).into_bytes());
        }
    }
}

/// The child side: a no-op unless started by [`concurrent_processes_lose_nothing`].
#[test]
fn writer_process() {
    let Ok(spec) = std::env::var(WRITER_ENV) else {
        return;
    };
    let (path, writer) = spec.split_once('|').expect("PATH|NAME");
    write_entries(Path::new(path), writer);
}

fn spawn_writer(path: &Path, writer: &str) -> Child {
    let exe = std::env::current_exe().unwrap();
    Command::new(exe)
        .args(["writer_process", "--exact", "--nocapture", "--test-threads=1"])
        .env(WRITER_ENV, format!("{}|{writer}", path.display()))
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap()
}

#[test]
fn concurrent_processes_lose_nothing() {
    let dir = tempfile::tempdir().unwrap();
    // A new file: the processes also race to create it.
    let path = dir.path().join("cache.sqlite3");
    let children: Vec<(String, Child)> =
        ["a", "b"].iter().map(|w| ((*w).to_owned(), spawn_writer(&path, w))).collect();
    // This process writes too, at the same time.
    write_entries(&path, "parent");
    for (name, child) in children {
        let out = child.wait_with_output().unwrap();
        assert!(
            out.status.success(),
            "writer {name} failed: {}\n{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(
            String::from_utf8_lossy(&out.stdout).contains("1 passed"),
            "writer {name} did not run: {}",
            String::from_utf8_lossy(&out.stdout)
        );
    }

    let cache = SqliteCache::open_with(&path, SqliteCacheOptions::default()).unwrap();
    assert_eq!(cache.integrity_check().unwrap(), Vec::<String>::new(), "PRAGMA integrity_check");
    let writers = ["a", "b", "parent"];
    for writer in writers {
        for i in 0..ENTRIES_PER_WRITER {
            let got = cache.get(&CacheKey::new("open_library", format!("/{writer}/{i}"))).unwrap();
            assert_eq!(
                got.and_then(|e| e.body),
                Some(body(writer, i).into_bytes()),
                "{writer}/{i}"
            );
            if i % 7 == 0 {
                let negative = cache
                    .get(&CacheKey::new("google_books", format!("/{writer}/missing/{i}")))
                    .unwrap();
                assert_eq!(negative.map(|e| e.body), Some(None), "{writer}/missing/{i}");
            }
        }
    }
    for i in 0..SHARED_KEYS {
        let got =
            cache.get(&CacheKey::new("google_books", format!("/shared/{i}"))).unwrap().unwrap();
        let body = got.body.unwrap();
        assert!(
            writers.iter().any(|w| *body == *crate::body(w, i).as_bytes()),
            "a contended entry holds one writer's whole body"
        );
    }
    let stats = cache.stats().unwrap();
    let negatives = ENTRIES_PER_WRITER.div_ceil(7) as u64 * 3;
    assert_eq!(stats.entries, (3 * ENTRIES_PER_WRITER + SHARED_KEYS) as u64 + negatives);
    assert_eq!(stats.negative_entries, negatives);
    assert_eq!(stats.sources["open_library"].entries, 3 * ENTRIES_PER_WRITER as u64);
}

/// Processes opening one new file at once, per round.
const OPENERS: usize = 8;
/// Rounds of [`many_processes_create_one_new_file_at_once`], each on a new file.
const OPENER_ROUNDS: usize = 25;

/// The child side of [`many_processes_create_one_new_file_at_once`]: waits until the
/// parent closes its stdin (the start signal every opener gets at once), then opens the
/// new cache and writes and reads one entry.
#[test]
fn opener_process() {
    let Ok(spec) = std::env::var(OPENER_ENV) else {
        return;
    };
    let (path, opener) = spec.split_once('|').expect("PATH|NAME");
    let mut start = Vec::new();
    std::io::stdin().read_to_end(&mut start).unwrap();
    let cache = SqliteCache::open(path, CachePolicy::default())
        .unwrap_or_else(|e| panic!("opener {opener}: {e}"));
    let key = CacheKey::new("open_library", format!("/opener/{opener}"));
    cache.put(&key, &CacheEntry::found(body(opener, 1))).unwrap();
    assert!(cache.get(&key).unwrap().is_some(), "opener {opener} reads its entry back");
}

/// Two runs starting on a new cache file at the same moment (first use, or two
/// Lambdas on one file) must both recognise it as theirs: neither may see the other's
/// half-made schema and call it another program's database.
#[test]
fn many_processes_create_one_new_file_at_once() {
    let exe = std::env::current_exe().unwrap();
    for round in 0..OPENER_ROUNDS {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("cache.sqlite3");
        let mut children: Vec<Child> = (0..OPENERS)
            .map(|i| {
                Command::new(&exe)
                    .args(["opener_process", "--exact", "--nocapture", "--test-threads=1"])
                    .env(OPENER_ENV, format!("{}|{i}", path.display()))
                    .stdin(Stdio::piped())
                    .stdout(Stdio::piped())
                    .stderr(Stdio::piped())
                    .spawn()
                    .unwrap()
            })
            .collect();
        // Every opener is started and waiting: release them together.
        for child in &mut children {
            let mut stdin = child.stdin.take().unwrap();
            stdin.write_all(b"go").unwrap();
        }
        let failures: Vec<String> = children
            .into_iter()
            .enumerate()
            .filter_map(|(i, child)| {
                let out = child.wait_with_output().unwrap();
                let stdout = String::from_utf8_lossy(&out.stdout);
                (!out.status.success() || !stdout.contains("1 passed")).then(|| {
                    format!("opener {i}: {stdout}\n{}", String::from_utf8_lossy(&out.stderr))
                })
            })
            .collect();
        assert!(failures.is_empty(), "round {round}: {}", failures.join("\n"));
        let cache = SqliteCache::open_with(&path, SqliteCacheOptions::default()).unwrap();
        assert_eq!(cache.stats().unwrap().entries, OPENERS as u64, "round {round}");
    }
}

/// A body of a few KiB, so the WAL fills and checkpoints while the writer is killed.
fn heavy_body(i: usize) -> String {
    format!(r#"{{"i":{i},"pad":"{}"}}"#, "z".repeat(1000 + (i * 37) % 3000))
}

/// The child side of [`kill_9_during_heavy_writes_loses_nothing_acknowledged`]: writes
/// entries until killed, printing each index once its `put` has returned.
#[test]
fn acking_writer_process() {
    let Ok(path) = std::env::var(ACKING_ENV) else {
        return;
    };
    let cache = SqliteCache::open(&path, CachePolicy::default()).unwrap();
    let mut out = std::io::stdout().lock();
    for i in 0.. {
        cache
            .put(
                &CacheKey::new("open_library", format!("/heavy/{i}")),
                &CacheEntry::found(heavy_body(i)),
            )
            .unwrap();
        writeln!(out, "acked {i}").unwrap();
        out.flush().unwrap();
    }
}

/// Entries acknowledged before the kill.
const ACKED_BEFORE_KILL: usize = 3000;

#[test]
fn kill_9_during_heavy_writes_loses_nothing_acknowledged() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("cache.sqlite3");
    let mut child = Command::new(std::env::current_exe().unwrap())
        .args(["acking_writer_process", "--exact", "--nocapture", "--test-threads=1"])
        .env(ACKING_ENV, &path)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let mut acked = None;
    // Kill it mid-stream, once it has acknowledged enough writes to have checkpointed.
    for line in lines.by_ref() {
        if let Some(i) = line.unwrap().strip_prefix("acked ") {
            acked = Some(i.parse::<usize>().unwrap());
            if acked >= Some(ACKED_BEFORE_KILL) {
                break;
            }
        }
    }
    child.kill().unwrap();
    // Acknowledgements printed before the kill still count.
    for line in lines {
        if let Some(i) = line.unwrap().strip_prefix("acked ") {
            acked = Some(i.parse().unwrap());
        }
    }
    let status = child.wait().unwrap();
    assert_eq!(status.signal(), Some(9), "killed while writing: {status:?}");
    let acked = acked.expect("the writer acknowledged writes");
    assert!(acked >= ACKED_BEFORE_KILL);

    // The next open recovers the write-ahead log: no rebuild, nothing acknowledged lost.
    let opened = SqliteCache::open_or_rebuild(&path, SqliteCacheOptions::default()).unwrap();
    assert_eq!(opened.rebuilt, None, "opened without a rebuild");
    let cache = opened.cache;
    assert_eq!(cache.integrity_check().unwrap(), Vec::<String>::new(), "PRAGMA integrity_check");
    for i in 0..=acked {
        let got = cache.get(&CacheKey::new("open_library", format!("/heavy/{i}"))).unwrap();
        assert_eq!(got.and_then(|e| e.body), Some(heavy_body(i).into_bytes()), "entry {i}");
    }
}
