//! Crash safety of `bookenrich enrich`, proven on real processes: killed with `kill -9`
//! while writing the dashboard, out of disk space (`RLIMIT_FSIZE`), read-only folders,
//! and four runs sharing one new cache. docs/reliability.md lists what each proves.
//!
//! No test waits for a fixed time: a process is killed once the file it writes shows
//! it has started writing, and concurrent runs are simply all awaited.
#![expect(clippy::unwrap_used)]

#[path = "support/catalogue.rs"]
mod catalogue;

use std::fs;
use std::io::ErrorKind;
use std::os::unix::fs::PermissionsExt;
use std::os::unix::process::{CommandExt, ExitStatusExt};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use catalogue::server;
use nix::sys::resource::{Resource, setrlimit};
use nix::sys::signal::{SigHandler, Signal, signal};
use nix::unistd::{Gid, Uid, setgid, setgroups, setuid};
use serde_json::Value;

/// Environment a developer's shell may set that would change what a run does.
const RUN_ENV: [&str; 4] =
    ["BOOKENRICH_CACHE", "BOOKENRICH_OFFLINE", "BOOKENRICH_SOURCES", "BOOKENRICH_MERGE_POLICY"];

fn bin() -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_bookenrich"));
    for name in RUN_ENV {
        command.env_remove(name);
    }
    command
}

fn repo(path: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..").join(path)
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn edge_cases() -> PathBuf {
    repo("tests/fixtures/goodreads_edge_cases.csv")
}

/// Files in `dir` whose name starts with `prefix` (the temporary files a write leaves).
fn files_starting(dir: &Path, prefix: &str) -> Vec<PathBuf> {
    fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.file_name().unwrap().to_string_lossy().starts_with(prefix))
        .collect()
}

#[test]
fn kill_9_while_writing_the_dashboard_leaves_the_previous_one_whole() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("dashboard.json");
    let o = bin().args(["enrich", "--no-enrich", "-q", "-o"]).arg(&out).arg(edge_cases()).output();
    let o = o.unwrap();
    assert!(o.status.success(), "{}", stderr(&o));
    let previous = fs::read(&out).unwrap();

    // A library big enough that its dashboard takes a while to write.
    let big = dir.path().join("big.csv");
    bookenrich_benches::generate::write_export(fs::File::create(&big).unwrap(), 40_000, 7).unwrap();
    let mut child = bin()
        .args(["enrich", "--no-enrich", "-q", "-o"])
        .arg(&out)
        .arg(&big)
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    // Kill it once the temporary dashboard has its first bytes: it is mid-write.
    let partial = loop {
        let started = files_starting(dir.path(), ".dashboard.json.")
            .into_iter()
            .find(|p| fs::metadata(p).is_ok_and(|m| m.len() > 0));
        if let Some(p) = started {
            break p;
        }
        assert!(child.try_wait().unwrap().is_none(), "the run ended before it wrote anything");
        std::thread::yield_now();
    };
    child.kill().unwrap();
    let status = child.wait().unwrap();
    assert_eq!(status.signal(), Some(9), "killed, not finished: {status:?}");

    assert_eq!(fs::read(&out).unwrap(), previous, "the previous dashboard is intact");
    // The partial file never takes the dashboard's name, and the next run replaces it.
    assert!(partial.exists(), "the partial write stays under its temporary name");
    let kept = dir.path().join("previous.json");
    fs::write(&kept, &previous).unwrap();
    let o = bin().args(["enrich", "--no-enrich", "-q", "-o"]).arg(&out).arg(edge_cases()).output();
    assert!(o.unwrap().status.success());
    assert_eq!(comparable(&out), comparable(&kept), "the next run writes it whole");
}

/// `command` with files limited to `bytes` (`RLIMIT_FSIZE`): a write beyond fails with
/// `EFBIG`, as on a full disk, instead of the default `SIGXFSZ` killing the process.
fn with_file_size_limit(command: &mut Command, bytes: u64) -> &mut Command {
    #[expect(unsafe_code, reason = "pre_exec runs between fork and exec")]
    // SAFETY: setrlimit and signal are async-signal-safe system calls, and nothing is
    // allocated between fork and exec.
    unsafe {
        command.pre_exec(move || {
            setrlimit(Resource::RLIMIT_FSIZE, bytes, bytes)?;
            signal(Signal::SIGXFSZ, SigHandler::SigIgn)?;
            Ok(())
        })
    }
}

#[test]
fn a_full_disk_while_writing_the_dashboard_fails_naming_it_and_keeps_the_previous_one() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("dashboard.json");
    fs::write(&out, b"{\"previous\": true}\n").unwrap();
    let o = with_file_size_limit(
        bin().args(["enrich", "--no-enrich", "-q", "-o"]).arg(&out).arg(edge_cases()),
        4096,
    )
    .output()
    .unwrap();
    assert_eq!(o.status.code(), Some(4), "output not written: {}", stderr(&o));
    assert!(stderr(&o).contains(&out.display().to_string()), "names the file: {}", stderr(&o));
    assert!(stderr(&o).contains("File too large"), "says why: {}", stderr(&o));
    assert_eq!(fs::read(&out).unwrap(), b"{\"previous\": true}\n", "no half-written dashboard");
    assert_eq!(files_starting(dir.path(), ".dashboard.json."), Vec::<PathBuf>::new());
}

/// `bookenrich enrich` of the edge-case library against the fake catalogue at `url`.
fn enrich_against(url: &str) -> Command {
    let mut command = bin();
    command
        .args(["enrich", "-q", "--rate-limit", "openlibrary=100", "--rate-limit", "google=100"])
        .args(["--open-library-url", url, "--google-books-url", url])
        .arg(edge_cases());
    command
}

fn cache_is_whole(path: &Path) {
    let conn = rusqlite::Connection::open(path).unwrap();
    let check: String = conn.query_row("PRAGMA integrity_check", [], |r| r.get(0)).unwrap();
    assert_eq!(check, "ok", "{}", path.display());
}

#[tokio::test(flavor = "multi_thread")]
async fn a_full_disk_while_writing_the_cache_fails_naming_it_after_writing_the_dashboard() {
    let server = server().await;
    let dir = tempfile::tempdir().unwrap();
    let cache = dir.path().join("cache.sqlite3");
    let out = dir.path().join("dashboard.json");
    let url = server.base_url();
    // Room for the dashboard and the cache's first pages, not for every response.
    let o = tokio::task::spawn_blocking({
        let (cache, out) = (cache.clone(), out.clone());
        move || {
            with_file_size_limit(
                enrich_against(&url)
                    // Every source for every book: enough answers to outgrow the limit.
                    .args(["--merge", "union"])
                    .arg("--json-log")
                    .arg("--cache")
                    .arg(&cache)
                    .arg("-o")
                    .arg(&out),
                // The schema (with the daily-budget table) needs about 40 KiB of WAL to be created.
                48 * 1024,
            )
            .output()
            .unwrap()
        }
    })
    .await
    .unwrap();
    let err = stderr(&o);
    // Answers the cache could not save fail the run (exit 4: an output was not written), with
    // one last line naming the cache file and why, after the dashboard is written from them.
    assert_eq!(o.status.code(), Some(4), "the cache was not written: {err}");
    let last = err.lines().last().unwrap_or_default();
    assert!(
        last.starts_with("bookenrich: ")
            && last.contains("could not be saved in the cache")
            && last.contains(&cache.display().to_string()),
        "the error names the cache file and says why: {err}"
    );
    // The dashboard is whole: it parses, it holds every read book, and it took its name
    // (no temporary file is left beside it).
    let dashboard: Value = serde_json::from_slice(&fs::read(&out).unwrap()).unwrap();
    let books = dashboard["books"].as_array().map_or(0, Vec::len);
    let summary: Value = err
        .lines()
        .filter_map(|l| serde_json::from_str::<Value>(l).ok())
        .find(|v| v["event"] == "summary")
        .unwrap_or_else(|| panic!("a summary line: {err}"));
    assert!(books > 0, "{dashboard}");
    assert_eq!(summary["books"].as_u64(), Some(books as u64), "every book in the dashboard");
    assert_eq!(files_starting(dir.path(), ".dashboard.json."), Vec::<PathBuf>::new());
    cache_is_whole(&cache);
    // The next run, with room, opens the same file (no rebuild, nothing moved aside) and
    // completes it.
    let url = server.base_url();
    let o = tokio::task::spawn_blocking({
        let cache = cache.clone();
        move || {
            enrich_against(&url).arg("--cache").arg(&cache).arg("-o").arg(&out).output().unwrap()
        }
    })
    .await
    .unwrap();
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(!stderr(&o).contains("damaged"), "{}", stderr(&o));
    assert_eq!(files_starting(dir.path(), "cache.sqlite3.corrupt"), Vec::<PathBuf>::new());
    cache_is_whole(&cache);
}

/// Runs `command` as a user the permission bits apply to: root ignores them, so as
/// root the command runs as `nobody` (65534), and `dirs` must be reachable by it.
fn without_root<'c>(command: &'c mut Command, dirs: &[&Path]) -> &'c mut Command {
    if !Uid::effective().is_root() {
        return command;
    }
    for dir in dirs {
        let mode = fs::metadata(dir).unwrap().permissions().mode();
        fs::set_permissions(dir, fs::Permissions::from_mode(mode | 0o755)).unwrap();
    }
    #[expect(unsafe_code, reason = "pre_exec runs between fork and exec")]
    // SAFETY: setgroups, setgid and setuid are async-signal-safe system calls; the
    // group list is allocated before the fork.
    unsafe {
        command.pre_exec(|| {
            setgroups(&[]).map_err(|e| std::io::Error::new(ErrorKind::PermissionDenied, e))?;
            setgid(Gid::from_raw(65534))?;
            setuid(Uid::from_raw(65534))?;
            Ok(())
        })
    }
}

/// A scratch folder with a copy of the edge-case export and a read-only subfolder `name`:
/// the folder, the export and the subfolder.
fn with_read_only_folder(name: &str) -> (tempfile::TempDir, PathBuf, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let read_only = dir.path().join(name);
    fs::create_dir(&read_only).unwrap();
    let export = dir.path().join("export.csv");
    fs::copy(edge_cases(), &export).unwrap();
    fs::set_permissions(&read_only, fs::Permissions::from_mode(0o555)).unwrap();
    (dir, export, read_only)
}

#[test]
fn a_read_only_cache_folder_exits_3_naming_the_cache() {
    let (dir, export, caches) = with_read_only_folder("caches");
    let out = dir.path().join("dashboard.json");
    let cache = caches.join("cache.sqlite3");
    // Online (an offline run only reads, and with no cache file creates nothing and goes on), against
    // a loopback port: the cache is opened before any request, so none is sent.
    let o = without_root(
        bin()
            .args(["enrich", "-q", "--open-library-url", "http://127.0.0.1:9"])
            .args(["--google-books-url", "http://127.0.0.1:9", "--cache"])
            .arg(&cache)
            .arg("-o")
            .arg(&out)
            .arg(&export),
        &[dir.path()],
    )
    .output()
    .unwrap();
    assert_eq!(o.status.code(), Some(3), "unusable cache: {}", stderr(&o));
    assert!(stderr(&o).contains(&cache.display().to_string()), "names the cache: {}", stderr(&o));
    assert!(!out.exists(), "no dashboard from a run that could not start");
}

#[test]
fn a_read_only_output_folder_exits_4_naming_the_dashboard() {
    let (dir, export, outputs) = with_read_only_folder("out");
    let out = outputs.join("dashboard.json");
    let o = without_root(
        bin().args(["enrich", "-q", "--no-enrich", "-o"]).arg(&out).arg(&export),
        &[dir.path()],
    )
    .output()
    .unwrap();
    assert_eq!(o.status.code(), Some(4), "output not written: {}", stderr(&o));
    assert!(stderr(&o).contains(&out.display().to_string()), "names the file: {}", stderr(&o));
    assert_eq!(fs::read_dir(&outputs).unwrap().count(), 0, "nothing left behind");
}

/// Removes what differs between two runs of the same library: its id and time.
fn strip_volatile(v: &mut Value) {
    match v {
        Value::Object(map) => {
            for volatile in ["export_id", "export_timestamp"] {
                map.remove(volatile);
            }
            map.values_mut().for_each(strip_volatile);
        }
        Value::Array(items) => items.iter_mut().for_each(strip_volatile),
        _ => {}
    }
}

/// The dashboard at `path` without what differs between two runs of the same library.
fn comparable(path: &Path) -> Value {
    let mut dashboard: Value = serde_json::from_slice(&fs::read(path).unwrap()).unwrap();
    strip_volatile(&mut dashboard);
    dashboard
}

#[tokio::test(flavor = "multi_thread")]
async fn four_runs_at_once_on_one_new_default_cache_all_succeed_alike() {
    let server = server().await;
    let dir = tempfile::tempdir().unwrap();
    // The default cache (no --cache): the user's cache folder, here a new one.
    let xdg = dir.path().join("xdg-cache");
    let url = server.base_url();
    let children: Vec<_> = (0..4)
        .map(|i| {
            let out = dir.path().join(format!("dashboard-{i}.json"));
            let child = enrich_against(&url)
                .env("XDG_CACHE_HOME", &xdg)
                .arg("-o")
                .arg(&out)
                .stderr(std::process::Stdio::piped())
                .spawn()
                .unwrap();
            (out, child)
        })
        .collect();
    let outs = tokio::task::spawn_blocking(move || {
        children
            .into_iter()
            .map(|(out, child)| {
                let o = child.wait_with_output().unwrap();
                assert!(o.status.success(), "{}: {}", out.display(), stderr(&o));
                out
            })
            .collect::<Vec<_>>()
    })
    .await
    .unwrap();
    let first = comparable(&outs[0]);
    assert!(first["books"].as_array().is_some_and(|b| !b.is_empty()));
    for out in &outs[1..] {
        assert_eq!(comparable(out), first, "{} differs from {}", out.display(), outs[0].display());
    }
    cache_is_whole(&xdg.join("bookenrich").join("cache.sqlite3"));
}
