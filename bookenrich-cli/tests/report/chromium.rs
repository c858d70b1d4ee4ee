//! Headless Chromium for the report tests: load a page, give back the DOM after its script ran
//! and every console message the page produced.
//!
//! `--dump-dom` prints the DOM once the page's load event has fired; the report's script runs
//! synchronously before that, so nothing here waits on a clock. Console messages (including
//! uncaught exceptions and Content-Security-Policy violations) reach stderr through
//! `--enable-logging=stderr` as lines containing `:CONSOLE`.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// A generous bound for one page load; Chromium normally needs 1–3 s.
const TIMEOUT: Duration = Duration::from_secs(90);

/// What Chromium made of a page.
#[derive(Debug)]
pub struct Rendered {
    /// The serialised DOM after the page's script ran.
    pub dom: String,
    /// Console output of the page, one message per entry.
    pub console: Vec<String>,
}

/// The Chromium binary: `$CHROMIUM`, else the first of the usual names on `PATH`.
pub fn chromium() -> PathBuf {
    if let Some(path) = std::env::var_os("CHROMIUM") {
        return PathBuf::from(path);
    }
    let path = std::env::var_os("PATH").unwrap_or_default();
    for dir in std::env::split_paths(&path) {
        for name in ["chromium", "chromium-browser", "google-chrome", "google-chrome-stable"] {
            let candidate = dir.join(name);
            if candidate.is_file() {
                return candidate;
            }
        }
    }
    panic!(
        "headless Chromium not found (set CHROMIUM or install it: \
         apt-get update && apt-get install -y --no-install-recommends chromium)"
    );
}

/// Loads `page` (a local file) in a fresh headless Chromium profile.
pub fn render(page: &Path) -> Rendered {
    let profile =
        tempfile::tempdir().unwrap_or_else(|e| panic!("temporary profile directory: {e}"));
    let page = page.canonicalize().unwrap_or_else(|e| panic!("{}: {e}", page.display()));
    let url = format!("file://{}", page.display());
    let mut child = Command::new(chromium())
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--disable-dev-shm-usage",
            // No name resolves: a remote cover fails at once instead of waiting for a network that is not there.
            "--host-resolver-rules=MAP * ~NOTFOUND",
            "--enable-logging=stderr",
            "--v=0",
            "--dump-dom",
        ])
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .arg(&url)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start {}: {e}", chromium().display()));

    // Read both pipes on their own threads so a full pipe never blocks Chromium.
    let mut stdout = child.stdout.take().unwrap_or_else(|| panic!("no stdout pipe"));
    let mut stderr = child.stderr.take().unwrap_or_else(|| panic!("no stderr pipe"));
    let out = std::thread::spawn(move || {
        let mut s = String::new();
        stdout.read_to_string(&mut s).map(|_| s)
    });
    let err = std::thread::spawn(move || {
        let mut s = String::new();
        stderr.read_to_string(&mut s).map(|_| s)
    });
    let started = Instant::now();
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break status,
            Ok(None) if started.elapsed() > TIMEOUT => {
                let _ = child.kill();
                let _ = child.wait();
                panic!("Chromium did not finish loading {url} within {TIMEOUT:?}");
            }
            Ok(None) => std::thread::sleep(Duration::from_millis(50)),
            Err(e) => panic!("waiting for Chromium: {e}"),
        }
    };
    let dom = out.join().ok().and_then(Result::ok).unwrap_or_default();
    let log = err.join().ok().and_then(Result::ok).unwrap_or_default();
    assert!(status.success(), "Chromium failed on {url} ({status}):\n{log}");
    assert!(dom.contains("</html>"), "Chromium printed no DOM for {url}:\n{log}");
    let console = log
        .lines()
        .filter(|l| l.contains(":CONSOLE") || l.contains("Uncaught"))
        .map(str::to_owned)
        .collect();
    Rendered { dom, console }
}
