//! `bookenrich enrich` as a new user meets it: the help shows every default, `--offline` without
//! a cache option says which cache it reads and creates nothing, and the closing summary names the
//! books left without genres.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use bookenrich_core::config::{BuiltinSource, DEFAULT_GOOGLE_BOOKS_URL, DEFAULT_OPEN_LIBRARY_URL};
use bookenrich_core::engine::{DEFAULT_CONCURRENCY, MergePolicy};

fn repo(path: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..").join(path)
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// `bookenrich` with its home and cache directories inside `home`, and none of the variables
/// that would choose a cache, so a test can see every file the command creates.
fn bin(home: &Path) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_bookenrich"));
    cmd.env("HOME", home.join("home"))
        .env("XDG_CACHE_HOME", home.join("xdg-cache"))
        .env_remove("BOOKENRICH_CACHE")
        .env_remove("BOOKENRICH_OFFLINE");
    cmd
}

/// `bookenrich enrich EXPORT --offline [--cache CACHE] [EXTRA] -o OUT` (EXPORT relative to the repository).
fn enrich_offline(
    home: &Path,
    export: &str,
    cache: Option<&Path>,
    extra: &[&str],
    out: &Path,
) -> Output {
    let mut cmd = bin(home);
    cmd.arg("enrich").arg(repo(export)).arg("--offline");
    if let Some(cache) = cache {
        cmd.arg("--cache").arg(cache);
    }
    let o = cmd.args(extra).arg("-o").arg(out).output().expect("runs");
    assert!(o.status.success(), "{}", stderr(&o));
    o
}

/// Every file under `dir`, relative to it, sorted.
fn files(dir: &Path) -> Vec<String> {
    let mut out = Vec::new();
    let mut todo = vec![dir.to_path_buf()];
    while let Some(d) = todo.pop() {
        let Ok(entries) = std::fs::read_dir(&d) else { continue };
        for entry in entries {
            let path = entry.expect("entry").path();
            if path.is_dir() {
                todo.push(path.clone());
            }
            out.push(path.strip_prefix(dir).expect("under dir").display().to_string());
        }
    }
    out.sort();
    out
}

/// The help text of each `--option` of `enrich --help`, continuation lines joined.
fn option_help(help: &str) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = Vec::new();
    for line in help.lines() {
        let trimmed = line.trim_start();
        // Options start near the margin; their wrapped help is indented to the help column.
        let indent = line.len() - trimmed.len();
        if trimmed.starts_with('-') && (2..=6).contains(&indent) {
            out.push((trimmed.to_owned(), String::new()));
        } else if let Some(last) = out.last_mut() {
            if trimmed.is_empty() {
                continue;
            }
            last.1.push(' ');
            last.1.push_str(trimmed);
        }
    }
    out.into_iter()
        .map(|(head, more)| {
            let text = format!("{head}{more}").split_whitespace().collect::<Vec<_>>().join(" ");
            (head.split_whitespace().find(|w| w.starts_with("--")).unwrap_or("").to_owned(), text)
        })
        .collect()
}

#[test]
fn enrich_help_shows_the_default_of_every_option_that_takes_a_value() {
    let home = tempfile::tempdir().expect("tempdir");
    let o = bin(home.path()).args(["enrich", "--help"]).output().expect("runs");
    assert!(o.status.success(), "{}", stderr(&o));
    let help = String::from_utf8_lossy(&o.stdout).into_owned();
    let options = option_help(&help);
    assert!(options.len() > 15, "{help}");
    for (flag, text) in &options {
        if text.contains(&format!("{flag} <")) {
            assert!(text.contains("[default: "), "{flag} does not show its default: {text}");
        }
    }
    let text_of = |flag: &str| {
        options
            .iter()
            .find(|(f, _)| f == flag)
            .map_or_else(|| panic!("no {flag} in\n{help}"), |(_, t)| t.clone())
    };
    // The defaults shown are the library's.
    let sources: Vec<&str> = BuiltinSource::DEFAULT
        .iter()
        .map(|s| match s {
            BuiltinSource::OpenLibrary => "openlibrary",
            BuiltinSource::GoogleBooks => "google",
            BuiltinSource::Shelves => "shelves",
        })
        .collect();
    assert!(text_of("--sources").contains(&format!("[default: {}]", sources.join(","))));
    assert!(
        text_of("--merge").contains(&format!("[default: {}]", MergePolicy::default().as_str()))
    );
    assert!(text_of("--concurrency").contains(&format!("[default: {DEFAULT_CONCURRENCY}]")));
    assert!(
        text_of("--open-library-url").contains(&format!("[default: {DEFAULT_OPEN_LIBRARY_URL}]"))
    );
    assert!(
        text_of("--google-books-url").contains(&format!("[default: {DEFAULT_GOOGLE_BOOKS_URL}]"))
    );
    assert!(
        text_of("--rate-limit")
            .contains("[default: openlibrary=3 with --contact, else 1; google=1]")
    );
    assert!(text_of("--output").contains("[default: dashboard.json]"));
    // The cache's default is the file on this machine, not a description of it.
    let cache = home.path().join("xdg-cache/bookenrich/cache.sqlite3");
    assert!(
        text_of("--cache").contains(&format!("[default: {}]", cache.display())),
        "{}",
        text_of("--cache")
    );
    assert!(files(home.path()).is_empty(), "--help created {:?}", files(home.path()));
}

#[test]
fn offline_without_a_cache_option_names_the_default_cache_and_creates_nothing() {
    let home = tempfile::tempdir().expect("tempdir");
    let out = tempfile::tempdir().expect("tempdir");
    let o = enrich_offline(
        home.path(),
        "tests/fixtures/goodreads_edge_cases.csv",
        None,
        &[],
        &out.path().join("d.json"),
    );
    let cache = home.path().join("xdg-cache/bookenrich/cache.sqlite3");
    let text = stderr(&o);
    assert!(
        text.contains(&format!("offline, and there is no cache at {}", cache.display())),
        "{text}"
    );
    assert!(text.contains("  cache        none"), "{text}");
    assert!(files(home.path()).is_empty(), "the offline run created {:?}", files(home.path()));
    assert_eq!(files(out.path()), ["d.json"], "only the dashboard is written");

    // With a cache there, the run reads it, says so, and leaves it as it was.
    let dir = cache.parent().expect("parent");
    std::fs::create_dir_all(dir).expect("mkdir");
    std::fs::copy(repo("examples/cache/cache.sqlite3"), &cache).expect("copy");
    let before = std::fs::read(&cache).expect("read");
    let o = enrich_offline(
        home.path(),
        "examples/goodreads_library_export.csv",
        None,
        &[],
        &out.path().join("d.json"),
    );
    let text = stderr(&o);
    assert!(
        text.contains(&format!("  cache        {} (offline: read only)", cache.display())),
        "{text}"
    );
    assert!(!text.contains(" 0 with genres"), "{text}");
    assert_eq!(std::fs::read(&cache).expect("read"), before, "the cache is unchanged");
    assert_eq!(
        files(home.path()),
        ["xdg-cache", "xdg-cache/bookenrich", "xdg-cache/bookenrich/cache.sqlite3"],
        "nothing beside the cache"
    );
}

#[test]
fn the_summary_names_the_books_left_without_genres_and_why() {
    let home = tempfile::tempdir().expect("tempdir");
    let out = home.path().join("d.json");
    // The bundled example: every book without genres is named (there are fewer than five).
    let o = enrich_offline(
        home.path(),
        "examples/goodreads_library_export.csv",
        Some(&repo("examples/cache")),
        &[],
        &out,
    );
    let text = stderr(&o);
    let dashboard: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&out).expect("written")).expect("JSON");
    let bare: Vec<&serde_json::Value> = dashboard["books"]
        .as_array()
        .expect("books")
        .iter()
        .filter(|b| b["genres"].as_array().is_some_and(Vec::is_empty))
        .collect();
    assert!(
        (1..=5).contains(&bare.len()),
        "the example has a book or a few without genres: {text}"
    );
    let count = if bare.len() == 1 { "1 book".to_owned() } else { format!("{} books", bare.len()) };
    assert!(text.contains(&format!("  no genres    {count}:\n")), "{text}");
    for book in bare {
        let title = book["title"].as_str().expect("title");
        let id = book["goodreads_id"].as_str().expect("id");
        let line = text
            .lines()
            .find(|l| l.starts_with(&format!("    {title} ({id}): ")))
            .unwrap_or_else(|| panic!("{title} is not named:\n{text}"));
        assert!(line.len() > title.len() + id.len() + 12, "a reason is given: {line}");
    }

    // Many books without genres: a handful by name, the rest counted, and where to find them all.
    let missing = home.path().join("no-such-cache");
    let o = enrich_offline(
        home.path(),
        "tests/fixtures/goodreads_edge_cases.csv",
        Some(&missing),
        &[],
        &out,
    );
    let text = stderr(&o);
    assert!(text.contains("  no genres    11 books:\n"), "{text}");
    let named =
        text.lines().filter(|l| l.starts_with("    ") && l.contains("not in the cache")).count();
    assert_eq!(named, 5, "{text}");
    assert!(
        text.contains(
            &format!("    … and 6 more (all of them: bookenrich genres audit {}; or --json-log, event book_without_genres)", out.display())
        ),
        "{text}"
    );
    assert!(!missing.exists(), "offline creates no cache");

    // --json-log lists every one.
    let o = enrich_offline(
        home.path(),
        "tests/fixtures/goodreads_edge_cases.csv",
        Some(&missing),
        &["--json-log"],
        &out,
    );
    let events: Vec<serde_json::Value> = stderr(&o)
        .lines()
        .filter_map(|l| serde_json::from_str(l).ok())
        .filter(|e: &serde_json::Value| e["event"] == "book_without_genres")
        .collect();
    assert_eq!(events.len(), 11);
    assert!(
        events.iter().all(|e| e["reason"].as_str().is_some_and(|r| r.contains("not in the cache")))
    );
}
