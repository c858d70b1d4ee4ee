//! One lookup per source over the recorded catalogue responses: request plan, JSON
//! decoding, matching and hit building, through a real `Fetcher` over an in-memory
//! transport (no sockets, no latency, no cache, no retries).

use std::sync::Arc;

use bookenrich_benches::fixtures;
use bookenrich_benches::scripted::ScriptedHttp;
use bookenrich_core::Isbn;
use bookenrich_core::engine::RetryPolicy;
use bookenrich_core::fetch::Fetcher;
use bookenrich_core::http::HttpClient;
use bookenrich_core::sources::google_books::GoogleBooksConfig;
use bookenrich_core::sources::open_library::{IdentifierLookup, OpenLibraryConfig};
use bookenrich_core::sources::{BookQuery, GenreSource, GoogleBooks, OpenLibrary};
use bookenrich_fake_catalogue::complete_isbn13;
use criterion::{Criterion, Throughput};
use tokio::runtime::Runtime;
use url::Url;

const BASE: &str = "http://catalogue.test";

/// A lookup to time: the source, the books, the transport serving the recorded answers,
/// and the bytes of the answers one lookup reads.
struct Scenario {
    name: &'static str,
    source: Arc<dyn GenreSource>,
    books: Vec<BookQuery>,
    http: Arc<ScriptedHttp>,
    body_bytes: u64,
}

fn base() -> Url {
    Url::parse(BASE).unwrap_or_else(|e| unreachable!("constant URL: {e}"))
}

fn open_library() -> Arc<dyn GenreSource> {
    Arc::new(OpenLibrary::new(OpenLibraryConfig {
        base_url: base(),
        // These exercise the Books API plan; the bulk identifier plan has its own tests.
        lookup: IdentifierLookup::BooksApi,
        ..OpenLibraryConfig::default()
    }))
}

fn google() -> Arc<dyn GenreSource> {
    Arc::new(GoogleBooks::new(GoogleBooksConfig { base_url: base(), api_key: None }))
}

fn book(isbn: Option<&str>, title: &str, author: &str) -> BookQuery {
    BookQuery {
        isbn: isbn.map(|i| Isbn::parse(i).unwrap_or_else(|e| panic!("{i}: {e}"))),
        title: title.to_owned(),
        author: author.to_owned(),
        bookshelves: Vec::new(),
        goodreads_id: None,
    }
}

/// The `n`-th ISBN-13 of a made-up range (`978` + 9 digits + check digit).
fn isbn13(n: u64) -> String {
    complete_isbn13(&format!("978{n:09}")).expect("12 digits")
}

/// A full Books API batch (40 ISBNs, the source's batch size) answered with the
/// recorded `jscmd=data` entries in turn (94, 2 and 6 subjects).
fn ol_books_api_batch() -> Scenario {
    let recorded: serde_json::Map<String, serde_json::Value> =
        serde_json::from_str(fixtures::OL_BOOKS_THREE_BIBKEYS)
            .unwrap_or_else(|e| panic!("fixture: {e}"));
    let entries: Vec<&serde_json::Value> = recorded.values().collect();
    let isbns: Vec<String> = (1..=40).map(isbn13).collect();
    let answer: serde_json::Map<String, serde_json::Value> = isbns
        .iter()
        .enumerate()
        .map(|(i, isbn)| (format!("ISBN:{isbn}"), entries[i % entries.len()].clone()))
        .collect();
    let body = serde_json::Value::Object(answer).to_string();
    Scenario {
        name: "open_library/books_api_batch_40",
        source: open_library(),
        books: isbns.iter().map(|i| book(Some(i), &format!("Book {i}"), "Some Author")).collect(),
        body_bytes: body.len() as u64,
        http: Arc::new(ScriptedHttp::new().route("/api/books?", body)),
    }
}

/// A book without ISBN found by title search (the recorded 2-doc answer).
fn ol_search() -> Scenario {
    Scenario {
        name: "open_library/search_isbn_less_book",
        source: open_library(),
        books: vec![book(
            None,
            "This Is How You Lose the Time War (Time War, #1)",
            "Amal El-Mohtar",
        )],
        body_bytes: fixtures::OL_SEARCH_TIME_WAR.len() as u64,
        http: Arc::new(ScriptedHttp::new().route("/search.json?", fixtures::OL_SEARCH_TIME_WAR)),
    }
}

/// An ISBN the Books API does not know: search, then the work's subjects (the recorded
/// 31-subject work of Fantastic Mr. Fox).
fn ol_search_then_work() -> Scenario {
    let search = serde_json::json!({
        "numFound": 2,
        "docs": [
            {"key": "/works/OL999W", "title": "Fantastic Mr. Fox: A Study Guide", "author_name": ["Course Hero"], "subject": ["Study guides"]},
            {"key": "/works/OL45804W", "title": "Fantastic Mr Fox", "author_name": ["Roald Dahl"], "cover_i": 6_498_519, "isbn": ["9780140328721"]}
        ]
    })
    .to_string();
    let body_bytes = (2 + search.len() + fixtures::OL_WORK_MR_FOX.len()) as u64;
    Scenario {
        name: "open_library/books_api_miss_search_then_work",
        source: open_library(),
        books: vec![book(Some("9780140328721"), "Fantastic Mr. Fox", "Roald Dahl")],
        body_bytes,
        http: Arc::new(
            ScriptedHttp::new()
                .route("/api/books?", "{}")
                .route("/search.json?", search)
                .route("/works/OL45804W.json", fixtures::OL_WORK_MR_FOX),
        ),
    }
}

/// ISBN search, then the volume record (Annihilation, recorded).
fn google_isbn() -> Scenario {
    Scenario {
        name: "google_books/isbn_search_then_volume",
        source: google(),
        books: vec![book(
            Some("9780374104092"),
            "Annihilation (Southern Reach #1)",
            "Jeff VanderMeer",
        )],
        body_bytes: (fixtures::GOOGLE_SEARCH_ANNIHILATION.len()
            + fixtures::GOOGLE_VOLUME_ANNIHILATION.len()) as u64,
        http: Arc::new(
            ScriptedHttp::new()
                .route(
                    "/books/v1/volumes?q=isbn:9780374104092",
                    fixtures::GOOGLE_SEARCH_ANNIHILATION,
                )
                .route("/books/v1/volumes/2cl7AgAAQBAJ", fixtures::GOOGLE_VOLUME_ANNIHILATION),
        ),
    }
}

/// ISBN-13 and ISBN-10 searches find nothing; the title search chooses among EN/FR
/// items, then the volume record (Children of Time, recorded).
fn google_title() -> Scenario {
    Scenario {
        name: "google_books/isbn_misses_title_search_then_volume",
        source: google(),
        books: vec![book(
            Some("9781447273301"),
            "Children of Time (Children of Time #1)",
            "Adrian Tchaikovsky",
        )],
        body_bytes: (2 * fixtures::GOOGLE_ZERO_ITEMS.len()
            + fixtures::GOOGLE_SEARCH_CHILDREN_OF_TIME.len()
            + fixtures::GOOGLE_VOLUME_CHILDREN_OF_TIME.len()) as u64,
        http: Arc::new(
            ScriptedHttp::new()
                .route("/books/v1/volumes?q=isbn:", fixtures::GOOGLE_ZERO_ITEMS)
                .route("/books/v1/volumes?q=intitle:", fixtures::GOOGLE_SEARCH_CHILDREN_OF_TIME)
                .route("/books/v1/volumes/49T5twEACAAJ", fixtures::GOOGLE_VOLUME_CHILDREN_OF_TIME),
        ),
    }
}

fn fetcher(scenario: &Scenario) -> Fetcher {
    Fetcher::new(scenario.source.name(), Arc::clone(&scenario.http) as Arc<dyn HttpClient>)
        .with_retry_policy(RetryPolicy::never())
}

/// Runs the lookup once and checks every book was found with genres over routed
/// requests only, so the benchmark cannot silently time 404s or failures.
fn check(runtime: &Runtime, scenario: &Scenario) {
    let results = runtime.block_on(scenario.source.lookup(&scenario.books, &fetcher(scenario)));
    assert_eq!(results.len(), scenario.books.len(), "{}", scenario.name);
    for r in &results {
        match r {
            Ok(Some(hit)) => assert!(!hit.genres.is_empty(), "{}: no genres", scenario.name),
            other => panic!("{}: {other:?}", scenario.name),
        }
    }
    assert_eq!(scenario.http.unmatched(), 0, "{}: unrouted request", scenario.name);
}

fn sources(c: &mut Criterion) {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap_or_else(|e| panic!("tokio runtime: {e}"));
    let mut group = c.benchmark_group("source_lookup");
    for scenario in
        [ol_books_api_batch(), ol_search(), ol_search_then_work(), google_isbn(), google_title()]
    {
        check(&runtime, &scenario);
        group.throughput(Throughput::ElementsAndBytes {
            elements: scenario.books.len() as u64,
            bytes: scenario.body_bytes,
        });
        let fetch = fetcher(&scenario);
        group.bench_function(scenario.name, |b| {
            b.iter(|| runtime.block_on(scenario.source.lookup(&scenario.books, &fetch)));
        });
    }
    group.finish();
}

bookenrich_benches::bench_main!(quick, sources);
