//! Running the `bookenrich` binary for the report tests, and the test inputs.

#![allow(dead_code)] // Each test binary uses part of these helpers.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;

/// The synthetic dashboard with genres and covers (written by `make_dashboard_fixture.py`).
pub(crate) const GENRES_FIXTURE: &str = "tests/fixtures/dashboard_genres_covers.json";
/// The contract's 15-row Goodreads export.
pub(crate) const EDGE_CASES_CSV: &str = "tests/fixtures/goodreads_edge_cases.csv";
/// The private note of the first book of the edge-case export.
pub(crate) const EDGE_CASES_PRIVATE_NOTE: &str = "Borrowed from a friend";
/// The private note the synthetic fixture puts on some books.
pub(crate) const FIXTURE_PRIVATE_NOTE: &str = "PRIVATE-NOTE-do-not-show";
/// The hostile title of the synthetic fixture.
pub(crate) const HOSTILE_TITLE: &str = "</script><script>alert(1)</script>";

/// The workspace root.
pub(crate) fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// Runs `bookenrich` with `args` from the workspace root.
pub(crate) fn bookenrich<I, S>(args: I) -> Output
where
    I: IntoIterator<Item = S>,
    S: AsRef<std::ffi::OsStr>,
{
    Command::new(env!("CARGO_BIN_EXE_bookenrich"))
        .args(args)
        .current_dir(root())
        .output()
        .unwrap_or_else(|e| panic!("cannot run bookenrich: {e}"))
}

/// Asserts `output` succeeded, showing its stderr otherwise.
pub(crate) fn assert_success(output: &Output, what: &str) {
    assert!(
        output.status.success(),
        "{what} failed ({}):\n{}",
        output.status,
        String::from_utf8_lossy(&output.stderr)
    );
}

/// Writes the edge-case export's dashboard (`enrich --no-enrich`) into `dir` and returns its path.
pub(crate) fn edge_case_dashboard(dir: &Path, extra: &[&str]) -> PathBuf {
    let out = dir.join("edge_cases_dashboard.json");
    let mut args = vec![
        "enrich".as_ref(),
        EDGE_CASES_CSV.as_ref(),
        "-o".as_ref(),
        out.as_os_str(),
        // No catalogue lookups: this dashboard has no genres and no covers, and no request leaves the machine.
        "--no-enrich".as_ref(),
        "--quiet".as_ref(),
        "--export-id".as_ref(),
        "3f2b8c1e-9a4d-4c7e-8b2a-1d0e9f8a7b6c".as_ref(),
    ];
    args.extend(extra.iter().map(|a| std::ffi::OsStr::new(*a)));
    assert_success(&bookenrich(&args), "bookenrich enrich");
    out
}

/// Runs `bookenrich report dashboard -o out [extra]`, asserts success and returns the page.
pub(crate) fn report(dashboard: &Path, out: &Path, extra: &[&str]) -> String {
    let mut args = vec!["report".as_ref(), dashboard.as_os_str(), "-o".as_ref(), out.as_os_str()];
    args.extend(extra.iter().map(|a| std::ffi::OsStr::new(*a)));
    assert_success(&bookenrich(&args), "bookenrich report");
    std::fs::read_to_string(out).unwrap_or_else(|e| panic!("{}: {e}", out.display()))
}

/// A JSON file as a value.
pub(crate) fn read_json(path: &Path) -> Value {
    let text = std::fs::read_to_string(root().join(path))
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// The page's embedded report data.
pub(crate) fn embedded_data(page: &str) -> Value {
    let open = r#"<script type="application/json" id="report-data">"#;
    let Some(start) = page.find(open).map(|i| i + open.len()) else {
        panic!("no data block in the page");
    };
    let Some(end) = page[start..].find("</script>").map(|i| start + i) else {
        panic!("data block not closed");
    };
    serde_json::from_str(&page[start..end])
        .unwrap_or_else(|e| panic!("data block is not JSON: {e}"))
}

/// The covers' image URLs a dashboard allows (`thumbnail_url`, `small_thumbnail_url`).
pub(crate) fn cover_urls(dashboard: &Value) -> Vec<String> {
    books(dashboard)
        .iter()
        .flat_map(|b| [&b["thumbnail_url"], &b["small_thumbnail_url"]])
        .filter_map(|u| u.as_str().map(str::to_owned))
        .collect()
}

/// The dashboard's books.
pub(crate) fn books(dashboard: &Value) -> &[Value] {
    dashboard["books"].as_array().map_or(&[], Vec::as_slice)
}
