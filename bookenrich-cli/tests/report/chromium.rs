//! Headless Chromium for the report tests: load a page, give back the DOM after its script ran
//! and every console message the page produced; optionally measure its layout first.
//!
//! `--dump-dom` prints the DOM once the page's load event has fired; the report's script runs
//! synchronously before that, so nothing here waits on a clock. Console messages (including
//! uncaught exceptions and Content-Security-Policy violations) reach stderr through
//! `--enable-logging=stderr` as lines containing `:CONSOLE`.

use std::io::Read;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use serde_json::Value;
use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// A generous bound for one page load; Chromium normally needs 1–3 s.
const TIMEOUT: Duration = Duration::from_secs(90);

/// What Chromium made of a page.
#[derive(Debug)]
pub(crate) struct Rendered {
    /// The serialised DOM after the page's script ran.
    pub dom: String,
    /// Console output of the page, one message per entry.
    pub console: Vec<String>,
}

/// The Chromium binary: `$CHROMIUM`, else the first of the usual names on `PATH`.
pub(crate) fn chromium() -> PathBuf {
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

/// The layout probe: measures the page once it has loaded and writes its findings into
/// `<html data-layout="{json}">`.
const LAYOUT_PROBE: &str = include_str!("layout_probe.js");

/// A page rendered with the layout probe: the rendering and the probe's findings.
#[derive(Debug)]
pub(crate) struct Measured {
    /// What Chromium made of the page.
    pub rendered: Rendered,
    /// The probe's findings (`problems`, counts of covers, placeholders, markers…).
    pub layout: Value,
}

/// Loads a copy of `page` with the layout probe added (and allowed by the page's CSP) in a
/// 1280×4000 window: the charts and the covers strip are laid out as on a desktop screen, and the
/// covers are in view, so each has loaded or failed before the load event.
pub(crate) fn render_measured(page: &Path) -> Measured {
    let html = std::fs::read_to_string(page).unwrap_or_else(|e| panic!("{}: {e}", page.display()));
    let hash = format!("'sha256-{}' ", BASE64.encode(Sha256::digest(LAYOUT_PROBE.as_bytes())));
    assert!(html.contains("script-src ") && html.contains("</body>"), "not a report page");
    let probed = html.replacen("script-src ", &format!("script-src {hash}"), 1).replacen(
        "</body>",
        &format!("<script>{LAYOUT_PROBE}</script>\n</body>"),
        1,
    );
    let copy = page.with_extension("measured.html");
    std::fs::write(&copy, probed).unwrap_or_else(|e| panic!("{}: {e}", copy.display()));
    let rendered = render_with(&copy, &["--window-size=1280,4000"]);
    let layout = super::dom::elements(&rendered.dom)
        .into_iter()
        .find(|e| e.name == "html")
        .and_then(|e| e.attr("data-layout").map(str::to_owned))
        .map_or_else(
            || panic!("the layout probe did not run:\n{}", rendered.console.join("\n")),
            |json| serde_json::from_str(&json).unwrap_or_else(|e| panic!("layout JSON: {e}")),
        );
    Measured { rendered, layout }
}

/// Loads `page` (a local file) in a fresh headless Chromium profile.
pub(crate) fn render(page: &Path) -> Rendered {
    render_with(page, &[])
}

/// [`render`] with extra Chromium switches.
fn render_with(page: &Path, switches: &[&str]) -> Rendered {
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
        .args(switches)
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
