//! `bookenrich enrich` with the engine: the offline example, the cache, the summary and exit codes.

#[path = "support/catalogue.rs"]
mod catalogue;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use bookenrich_fake_catalogue::Api;
use catalogue::server;
use serde_json::Value;

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_bookenrich"))
}

fn repo(path: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..").join(path)
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn read_json(path: &Path) -> Value {
    serde_json::from_slice(&std::fs::read(path).expect("output written")).expect("output is JSON")
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("mkdir");
    for entry in std::fs::read_dir(from).expect("readable dir") {
        let entry = entry.expect("entry");
        std::fs::copy(entry.path(), to.join(entry.file_name())).expect("copy");
    }
}

/// The JSON-log summary line of a run.
fn summary(o: &Output) -> Value {
    let err = stderr(o);
    let line = err
        .lines()
        .rev()
        .find(|l| l.contains("\"event\":\"summary\""))
        .unwrap_or_else(|| panic!("{err}"));
    serde_json::from_str(line).expect("summary is JSON")
}

fn enrich_against(url: &str, export: &Path, cache: &Path, out: &Path) -> Output {
    bin()
        .args([
            "enrich",
            "--json-log",
            "--rate-limit",
            "openlibrary=100",
            "--rate-limit",
            "google=100",
        ])
        .args(["--open-library-url", url, "--google-books-url", url, "--cache"])
        .arg(cache)
        .arg("-o")
        .arg(out)
        .arg(export)
        .output()
        .expect("bookenrich runs")
}

#[test]
fn the_readme_example_runs_offline_from_the_bundled_cache() {
    let dir = tempfile::tempdir().expect("tempdir");
    // A copy, so the test never touches the committed snapshot.
    let cache = dir.path().join("cache");
    copy_dir(&repo("examples/cache"), &cache);
    let out = dir.path().join("dashboard.json");
    let o = bin()
        .args(["enrich"])
        .arg(repo("examples/goodreads_library_export.csv"))
        .arg("--cache")
        .arg(&cache)
        .args(["--offline", "-o"])
        .arg(&out)
        .env_remove("BOOKENRICH_CACHE")
        .output()
        .expect("runs");
    assert!(o.status.success(), "{}", stderr(&o));
    let d = read_json(&out);
    let books = d["books"].as_array().expect("books");
    assert_eq!(books.len(), 16, "the 16 read books of the example");
    let with_genres =
        books.iter().filter(|b| !b["genres"].as_array().expect("genres").is_empty()).count();
    let with_covers = books.iter().filter(|b| b["thumbnail_url"].is_string()).count();
    assert!(with_genres >= 15, "{with_genres} books with genres");
    assert!(with_covers >= 15, "{with_covers} books with covers");
    let dune = books.iter().find(|b| b["goodreads_id"] == "234225").expect("Dune");
    assert!(
        dune["genres"].as_array().expect("genres").contains(&Value::from("Science Fiction")),
        "{dune}"
    );
    assert!(d["summary"]["unique_genres"].as_u64().expect("count") > 5);
    let text = stderr(&o);
    assert!(text.contains("16 from cache"), "{text}");
}

#[test]
fn offline_without_a_cache_entry_reports_the_books_it_could_not_enrich() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = dir.path().join("d.json");
    let o = bin()
        .arg("enrich")
        .arg(repo("tests/fixtures/goodreads_edge_cases.csv"))
        .arg("--cache")
        .arg(dir.path().join("empty-cache"))
        .args(["--offline", "-o"])
        .arg(&out)
        .output()
        .expect("runs");
    assert!(o.status.success(), "{}", stderr(&o));
    let text = stderr(&o);
    assert!(text.contains("  no genres    11 books:"), "{text}");
    assert!(text.contains("not in the cache, and the run is offline"), "{text}");
    assert_eq!(
        read_json(&out)["summary"]["total_books"],
        11,
        "every book is still in the dashboard"
    );

    let o = bin()
        .arg("enrich")
        .arg(repo("tests/fixtures/goodreads_edge_cases.csv"))
        .arg("--cache")
        .arg(dir.path().join("empty-cache"))
        .args(["--offline", "--strict", "-o"])
        .arg(&out)
        .output()
        .expect("runs");
    assert_eq!(o.status.code(), Some(5), "--strict with unenriched books: {}", stderr(&o));
}

#[tokio::test(flavor = "multi_thread")]
async fn a_second_run_with_a_warm_cache_makes_no_request() {
    let server = server().await;
    let url = server.base_url();
    let dir = tempfile::tempdir().expect("tempdir");
    let cache = dir.path().join("cache");
    let export = repo("tests/fixtures/goodreads_edge_cases.csv");
    let (first, second) = (dir.path().join("1.json"), dir.path().join("2.json"));

    let o = tokio::task::spawn_blocking({
        let (url, export, cache, first) =
            (url.clone(), export.clone(), cache.clone(), first.clone());
        move || enrich_against(&url, &export, &cache, &first)
    })
    .await
    .expect("joined");
    assert!(o.status.success(), "{}", stderr(&o));
    let cold = server.stats().total;
    assert!(cold > 0);
    assert_eq!(summary(&o)["run"]["requests"].as_u64(), Some(cold));

    let o = tokio::task::spawn_blocking({
        let (url, export, cache, second) =
            (url.clone(), export.clone(), cache.clone(), second.clone());
        move || enrich_against(&url, &export, &cache, &second)
    })
    .await
    .expect("joined");
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(server.stats().total, cold, "the warm run sent no request to the catalogues");
    let s = summary(&o);
    assert_eq!(s["run"]["requests"], 0);
    assert_eq!(s["run"]["from_cache"], 11);
    assert_eq!(
        read_json(&first)["books"],
        read_json(&second)["books"],
        "same dashboard from the cache"
    );
}

/// Google's daily budget (`BOOKENRICH_GOOGLE_DAILY_BUDGET`) is kept in the cache file: the
/// first run sends Google no more than it, and a second run the same day sends nothing more.
#[tokio::test(flavor = "multi_thread")]
async fn the_daily_budget_holds_within_and_across_runs_on_one_cache() {
    let server = server().await;
    let url = server.base_url();
    let dir = tempfile::tempdir().expect("tempdir");
    let cache = dir.path().join("cache");
    let export = repo("tests/fixtures/goodreads_edge_cases.csv");
    for run in 1..=2 {
        let o = tokio::task::spawn_blocking({
            let (url, export, cache, out) = (
                url.clone(),
                export.clone(),
                cache.clone(),
                dir.path().join(format!("{run}.json")),
            );
            move || {
                bin()
                    .args([
                        "enrich",
                        "--json-log",
                        "--merge",
                        "union",
                        "--rate-limit",
                        "google=100",
                    ])
                    .args(["--rate-limit", "openlibrary=100", "--open-library-url", &url])
                    .args(["--google-books-url", &url, "--google-api-key", "test-key", "--cache"])
                    .arg(cache)
                    .arg("-o")
                    .arg(out)
                    .arg(export)
                    .env("BOOKENRICH_GOOGLE_DAILY_BUDGET", "2")
                    .output()
                    .expect("bookenrich runs")
            }
        })
        .await
        .expect("joined");
        assert!(o.status.success(), "{}", stderr(&o));
        assert_eq!(server.stats().api(Api::Google), 2, "run {run}: {}", stderr(&o));
        assert!(
            stderr(&o).contains("daily budget of 2 requests used up"),
            "run {run}: {}",
            stderr(&o)
        );
    }
}

#[test]
fn invalid_flags_exit_2_naming_the_flag() {
    let dir = tempfile::tempdir().expect("tempdir");
    let export = repo("tests/fixtures/goodreads_edge_cases.csv");
    for (args, message) in [
        (vec!["--sources", "amazon"], "invalid --sources: unknown source \"amazon\""),
        (
            vec!["--rate-limit", "openlibrary"],
            "invalid --rate-limit: \"openlibrary\" is not SOURCE=REQUESTS_PER_SECOND",
        ),
        (
            vec!["--rate-limit", "google=-1"],
            "google: requests per second must be a positive number",
        ),
        (
            vec!["--rate-limit", "openlibrary=3", "--rate-limit", "ol=5"],
            "invalid --rate-limit: ol is given twice",
        ),
        (
            vec!["--concurrency", "0"],
            "invalid --concurrency: must be a whole number of at least 1, got 0",
        ),
        (
            vec!["--merge", "best"],
            "invalid --merge: \"best\" is not \"planned\", \"union\" or \"first_with_genres\"",
        ),
        // Checked while building, and still named by its flag.
        (vec!["--rate-limit", "amazon=1"], "invalid --rate-limit: "),
    ] {
        let o = bin()
            .arg("enrich")
            .arg(&export)
            .args(&args)
            .arg("--no-cache")
            .arg("-o")
            .arg(dir.path().join("d.json"))
            .output()
            .expect("runs");
        assert_eq!(o.status.code(), Some(2), "{args:?}: {}", stderr(&o));
        assert!(stderr(&o).contains(message), "{args:?}: {}", stderr(&o));
    }
}

/// The same bad input as in bookenrich-core/tests/error_kinds.rs and the bindings' tests: a
/// blank cache is a configuration error (exit 2) naming the flag. (A blank `BOOKENRICH_CACHE`
/// counts as unset, as every blank variable does.)
#[test]
fn a_blank_cache_exits_2_naming_the_flag() {
    let dir = tempfile::tempdir().expect("tempdir");
    // Nothing must be sent; were the flag accepted, the requests would go to a closed local port.
    let o = bin()
        .arg("enrich")
        .arg(repo("tests/fixtures/goodreads_edge_cases.csv"))
        .args(["--cache", " "])
        .args([
            "--open-library-url",
            "http://127.0.0.1:9",
            "--google-books-url",
            "http://127.0.0.1:9",
        ])
        .arg("-o")
        .arg(dir.path().join("d.json"))
        .output()
        .expect("runs");
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("invalid --cache: must be a path, `memory` or `off`"),
        "{}",
        stderr(&o)
    );
}

/// The same bad input as in bookenrich-core/tests/error_kinds.rs and the bindings' tests:
/// the same kind (an input the command cannot use), file and line.
#[test]
fn an_export_that_cannot_be_read_past_a_point_exits_3_naming_file_and_line() {
    let dir = tempfile::tempdir().expect("tempdir");
    let o = bin()
        .arg("enrich")
        .arg(dir.path())
        .arg("--no-enrich")
        .arg("-o")
        .arg(dir.path().join("d.json"))
        .output()
        .expect("runs");
    assert_eq!(o.status.code(), Some(3), "{}", stderr(&o));
    assert!(stderr(&o).contains(&format!("{}: line 1: ", dir.path().display())), "{}", stderr(&o));
}

#[test]
fn a_cache_that_is_another_programs_database_exits_3_naming_it() {
    let dir = tempfile::tempdir().expect("tempdir");
    let foreign = dir.path().join("foreign.sqlite3");
    let conn = rusqlite::Connection::open(&foreign).expect("sqlite");
    conn.execute_batch("CREATE TABLE songs (title TEXT); INSERT INTO songs VALUES ('x');")
        .expect("create");
    drop(conn);
    let o = bin()
        .arg("enrich")
        .arg(repo("tests/fixtures/goodreads_edge_cases.csv"))
        .arg("--cache")
        .arg(&foreign)
        .args(["--offline", "-o"])
        .arg(dir.path().join("d.json"))
        .output()
        .expect("runs");
    assert_eq!(o.status.code(), Some(3), "{}", stderr(&o));
    assert!(stderr(&o).contains(&foreign.display().to_string()), "{}", stderr(&o));
}

#[test]
fn the_shelves_source_turns_a_generated_librarys_genre_shelves_into_genres() {
    let dir = tempfile::tempdir().expect("tempdir");
    let export = dir.path().join("export.csv");
    let file = std::fs::File::create(&export).expect("create");
    bookenrich_benches::generate::write_export(std::io::BufWriter::new(file), 2_000, 42)
        .expect("generate");
    let out = dir.path().join("d.json");
    // Unreachable catalogue URLs: the shelves source must not need them.
    let nowhere = "http://127.0.0.1:9";
    let o = bin()
        .args(["enrich", "--json-log", "--include-unread", "--sources", "shelves", "--no-cache"])
        .args(["--open-library-url", nowhere, "--google-books-url", nowhere, "-o"])
        .arg(&out)
        .arg(&export)
        .output()
        .expect("bookenrich runs");
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(summary(&o)["run"]["requests"], 0, "{}", stderr(&o));

    let dashboard = read_json(&out);
    let books = dashboard["books"].as_array().expect("books");
    let shelves_of = |b: &Value| -> Vec<String> {
        b["bookshelves"]
            .as_array()
            .expect("shelves")
            .iter()
            .map(|s| s.as_str().unwrap().to_owned())
            .collect()
    };
    let genres_of = |b: &Value| -> Vec<String> {
        b["genres"]
            .as_array()
            .expect("genres")
            .iter()
            .map(|s| s.as_str().unwrap().to_owned())
            .collect()
    };
    // What the generator writes: reading-status shelves, housekeeping shelves and genre shelves.
    let not_genres =
        ["to-read", "currently-reading", "dnf", "favorites", "book-club", "re-reads", "owned"];
    let expected_genre = [
        ("sci-fi", "Science Fiction"),
        ("fantasy", "Fantasy"),
        ("non-fiction", "Nonfiction"),
        ("classics", "Classics"),
    ];
    let mut status_only = 0;
    let mut with_status_and_genre = 0;
    for book in books {
        let shelves = shelves_of(book);
        let genres = genres_of(book);
        if shelves.iter().all(|s| not_genres.contains(&s.as_str())) {
            assert!(genres.is_empty(), "{shelves:?} gave {genres:?}");
            status_only += usize::from(!shelves.is_empty());
            continue;
        }
        assert!(!genres.is_empty(), "{shelves:?} gave no genre");
        // The generator shelves some books both `non-fiction` and `sci-fi`: the normaliser then
        // settles the contradiction and may drop one side, so only consistent shelves are checked.
        let fiction = shelves.iter().any(|s| s == "sci-fi" || s == "fantasy");
        let contradictory = fiction && shelves.iter().any(|s| s == "non-fiction");
        for (shelf, genre) in expected_genre {
            if !contradictory && shelves.iter().any(|s| s == shelf) {
                assert!(genres.iter().any(|g| g == genre), "{shelves:?} gave {genres:?}");
            }
        }
        if shelves.iter().any(|s| s == "to-read" || s == "currently-reading") {
            with_status_and_genre += 1;
        }
    }
    // The generated library has both kinds, so both checks above ran.
    assert!(
        status_only > 100 && with_status_and_genre > 50,
        "{status_only} {with_status_and_genre}"
    );
    let enriched = dashboard["summary"]["genre_enriched_books"].as_u64().expect("count");
    assert!(enriched > 500, "{enriched} books with genres");
}

/// `bookenrich plan` with `enrich`'s options: no request, Google left out without a key, the
/// run within the plan (its JSON line on stderr), and everything answered by the cache after it.
#[tokio::test(flavor = "multi_thread")]
async fn plan_shows_what_enrich_will_take_and_the_run_stays_within_it() {
    let server = server().await;
    let url = server.base_url();
    let dir = tempfile::tempdir().expect("tempdir");
    let cache = dir.path().join("cache");
    let export = repo("tests/fixtures/goodreads_edge_cases.csv");
    let plan = |json: bool| {
        let mut c = bin();
        c.arg("plan").args(["--open-library-url", &url, "--google-books-url", &url]);
        c.arg("--cache").arg(&cache).env_remove("GOOGLE_BOOKS_API_KEY");
        if json {
            c.arg("--json-log");
        }
        c.arg(&export).output().expect("runs")
    };
    let o = plan(false);
    assert!(o.status.success(), "{}", stderr(&o));
    let text = String::from_utf8_lossy(&o.stdout).into_owned();
    assert!(text.contains("books            11 (0 answered by the cache)"), "{text}");
    assert!(text.contains("google_books   not asked: no Google Books API key"), "{text}");
    assert!(text.contains("set by the rate limits"), "{text}");
    assert_eq!(server.stats().total, 0, "planning sends nothing");

    let out = dir.path().join("d.json");
    let o = tokio::task::spawn_blocking({
        let (url, export, cache, out) = (url.clone(), export.clone(), cache.clone(), out.clone());
        move || enrich_against(&url, &export, &cache, &out)
    })
    .await
    .expect("joined");
    assert!(o.status.success(), "{}", stderr(&o));
    let err = stderr(&o);
    let line =
        err.lines().find(|l| l.contains("\"event\":\"plan\"")).unwrap_or_else(|| panic!("{err}"));
    let planned: Value = serde_json::from_str(line).expect("JSON");
    let made = summary(&o)["run"]["requests"].as_u64().expect("requests");
    let (expected, max) = (
        planned["plan"]["requests_expected"].as_u64().expect("expected"),
        planned["plan"]["requests_max"].as_u64().expect("max"),
    );
    assert!(expected <= made && made <= max, "{expected} <= {made} <= {max}");

    let o = plan(true);
    let after: Value = serde_json::from_slice(&o.stdout).expect("JSON plan on stdout");
    assert_eq!(after["plan"]["from_cache"], 11);
    assert_eq!(after["plan"]["requests_expected"], 0);
}
