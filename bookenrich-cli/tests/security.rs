//! The command's security guarantees: the Google API key (flag or environment) never
//! appears on stdout/stderr (human summary, `--json-log`, errors, `--help`), in the
//! dashboard, in the cache files or in `cache stats`; private notes stay out of the
//! dashboard unless `--include-private-notes`.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use bookenrich_fake_catalogue::{FakeCatalogue, FakeCatalogueHandle, Fault};

const API_KEY: &str = "AIzaSyCLI-SECRET_k3y_9876543210zyxwv";

fn bin() -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_bookenrich"));
    // Nothing from the caller's environment changes what these tests check.
    for var in ["GOOGLE_BOOKS_API_KEY", "BOOKENRICH_CACHE", "BOOKENRICH_OFFLINE"] {
        command.env_remove(var);
    }
    command.env("RUST_LOG", "trace");
    command
}

fn repo(path: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..").join(path)
}

fn assert_no_key(what: &str, bytes: &[u8]) {
    let text = String::from_utf8_lossy(bytes);
    for needle in [API_KEY, "SECRET_k3y_9876543210"] {
        assert!(!text.contains(needle), "the API key leaked into {what}:\n{text}");
    }
}

/// Every file under `dir`, recursively.
fn files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).expect("readable dir") {
        let path = entry.expect("entry").path();
        if path.is_dir() {
            out.extend(files(&path));
        } else {
            out.push(path);
        }
    }
    out
}

async fn faulty_server() -> FakeCatalogueHandle {
    // Retried failures and Google's daily quota, so the error and warning paths run too.
    FakeCatalogue::builder()
        .with_default_catalogue()
        .fault(Fault::status(503).first_per_url(1))
        // The default plan asks Google only for the few books Open Library leaves without
        // genres: a quota of 1 is met on the first retry.
        .google_daily_quota(1)
        .start()
        .await
        .expect("fake catalogue starts")
}

/// `bookenrich enrich` against `url` with `extra` arguments, off the async runtime.
async fn enrich(url: &str, dir: &Path, extra: &[&str], key_in_env: bool) -> Output {
    let mut command = bin();
    command
        .arg("enrich")
        .arg(repo("tests/fixtures/goodreads_edge_cases.csv"))
        .args(["--open-library-url", url, "--google-books-url", url])
        .args(["--rate-limit", "openlibrary=200", "--rate-limit", "google=200"])
        .arg("--cache")
        .arg(dir.join("cache"))
        .arg("-o")
        .arg(dir.join("dashboard.json"))
        .args(extra);
    if key_in_env {
        command.env("GOOGLE_BOOKS_API_KEY", API_KEY);
    } else {
        command.args(["--google-api-key", API_KEY]);
    }
    tokio::task::spawn_blocking(move || command.output().expect("bookenrich runs"))
        .await
        .expect("joined")
}

#[tokio::test(flavor = "multi_thread")]
async fn the_key_appears_in_no_output_file_or_log() {
    for (json_log, key_in_env) in [(true, false), (false, false), (true, true)] {
        let server = faulty_server().await;
        let dir = tempfile::tempdir().expect("tempdir");
        let extra: &[&str] = if json_log { &["--json-log"] } else { &[] };
        let o = enrich(&server.base_url(), dir.path(), extra, key_in_env).await;
        let label = format!("json_log={json_log} key_in_env={key_in_env}");
        assert!(o.status.success(), "{label}: {}", String::from_utf8_lossy(&o.stderr));
        assert!(server.stats().api_keys_seen > 0, "{label}: the key was sent");
        assert!(server.stats().quota_exhausted > 0, "{label}: the quota path ran");
        assert_no_key(&format!("{label}: stdout"), &o.stdout);
        assert_no_key(&format!("{label}: stderr"), &o.stderr);
        if json_log {
            let stderr = String::from_utf8_lossy(&o.stderr);
            assert!(stderr.contains("\"event\":\"summary\""), "{label}: {stderr}");
        }
        let written = files(dir.path());
        assert!(written.len() >= 2, "{label}: dashboard and cache written: {written:?}");
        for file in written {
            assert_no_key(&file.display().to_string(), &std::fs::read(&file).expect("read"));
        }
        let stats =
            bin().args(["cache", "stats", "--cache"]).arg(dir.path().join("cache")).output();
        let stats = stats.expect("runs");
        assert!(stats.status.success(), "{}", String::from_utf8_lossy(&stats.stderr));
        assert_no_key("cache stats", &[stats.stdout, stats.stderr].concat());
    }
}

#[test]
fn the_key_is_not_echoed_by_help_or_errors() {
    let help = bin().args(["enrich", "--help"]).env("GOOGLE_BOOKS_API_KEY", API_KEY).output();
    let help = help.expect("runs");
    assert!(help.status.success());
    assert_no_key("--help", &[help.stdout, help.stderr].concat());

    // A run that fails on its configuration, with the key on the command line and in the environment.
    for args in [
        vec!["--concurrency", "0"],
        vec!["--open-library-url", "ftp://nowhere"],
        vec!["--rate-limit", "google=fast"],
    ] {
        let o = bin()
            .arg("enrich")
            .arg(repo("tests/fixtures/goodreads_edge_cases.csv"))
            .args(["--google-api-key", API_KEY, "--no-cache", "-o", "/dev/null"])
            .args(&args)
            .env("GOOGLE_BOOKS_API_KEY", API_KEY)
            .output()
            .expect("runs");
        assert!(!o.status.success(), "{args:?} was accepted");
        assert_no_key(&format!("error for {args:?}"), &[o.stdout, o.stderr].concat());
    }
}

#[test]
fn private_notes_stay_out_of_the_dashboard_unless_asked_for() {
    let dir = tempfile::tempdir().expect("tempdir");
    let run = |out: &Path, extra: &[&str]| {
        let o = bin()
            .arg("enrich")
            .arg(repo("tests/fixtures/goodreads_edge_cases.csv"))
            .args(["--no-enrich", "--include-unread", "-o"])
            .arg(out)
            .args(extra)
            .output()
            .expect("runs");
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        let value: serde_json::Value =
            serde_json::from_slice(&std::fs::read(out).expect("written")).expect("JSON");
        value["books"]
            .as_array()
            .expect("books")
            .iter()
            .filter_map(|b| b["private_notes"].as_str().map(str::to_owned))
            .collect::<Vec<_>>()
    };
    assert!(run(&dir.path().join("default.json"), &[]).is_empty(), "notes written by default");
    let asked = run(&dir.path().join("asked.json"), &["--include-private-notes"]);
    assert!(asked.iter().any(|n| n.contains("Borrowed from a friend")), "{asked:?}");
    let default = std::fs::read_to_string(dir.path().join("default.json")).expect("read");
    assert!(!default.contains("Borrowed from a friend"));
}
