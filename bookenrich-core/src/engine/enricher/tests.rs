//! Enricher behaviour with in-process sources and a scripted transport, in paused time.

use std::collections::HashMap;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use async_trait::async_trait;
use bytes::Bytes;
use serde::Deserialize;

use super::*;
use crate::cache::MemoryCache;
use crate::engine::RetryPolicy;
use crate::error::Error;
use crate::fetch::Request;
use crate::http::{HttpClient, HttpRequest, HttpResponse, TransportError};
use crate::sources::SourceHit;

/// Serves `{"genres": [...], "cover": ...}` per path; unknown paths are 404.
#[derive(Debug, Default)]
struct Catalogue {
    records: HashMap<String, (Vec<&'static str>, Option<&'static str>)>,
    /// Paths answering 500 forever.
    broken: Vec<String>,
    latency: Duration,
    calls: AtomicUsize,
}

#[async_trait]
impl HttpClient for Catalogue {
    async fn get(&self, request: HttpRequest) -> Result<HttpResponse, TransportError> {
        self.calls.fetch_add(1, Ordering::SeqCst);
        tokio::time::sleep(self.latency).await;
        let path = request.url.path().to_owned();
        let (status, body) = if self.broken.contains(&path) {
            (500, String::new())
        } else if let Some((genres, cover)) = self.records.get(&path) {
            (200, serde_json::json!({"genres": genres, "cover": cover}).to_string())
        } else {
            (404, String::new())
        };
        Ok(HttpResponse { status, retry_after: None, body: Bytes::from(body) })
    }
}

#[derive(Deserialize)]
struct Record {
    genres: Vec<String>,
    cover: Option<String>,
}

/// A source that GETs `/{name}/{isbn or title}` for each book of a lookup.
#[derive(Debug)]
struct PathSource {
    name: &'static str,
    batch: usize,
    lookups: Mutex<Vec<Vec<BookQuery>>>,
}

impl PathSource {
    fn new(name: &'static str, batch: usize) -> Arc<Self> {
        Arc::new(Self { name, batch, lookups: Mutex::default() })
    }

    fn lookups(&self) -> Vec<Vec<BookQuery>> {
        self.lookups.lock().unwrap().clone()
    }
}

#[async_trait]
impl GenreSource for PathSource {
    fn name(&self) -> &str {
        self.name
    }

    fn batch_size(&self) -> usize {
        self.batch
    }

    fn default_rate_limit(&self) -> f64 {
        1000.0
    }

    async fn lookup(&self, books: &[BookQuery], fetch: &Fetcher) -> Vec<SourceResult> {
        self.lookups.lock().unwrap().push(books.to_vec());
        let mut out = Vec::new();
        for book in books {
            let key = book
                .isbn
                .as_ref()
                .map_or_else(|| book.title.replace(' ', "_"), |i| i.as_isbn13().to_owned());
            let url = url::Url::parse(&format!("https://x.test/{}/{key}", self.name)).unwrap();
            out.push(fetch.get_json::<Record>(Request::get(url)).await.map(|f| {
                f.value.map(|r| SourceHit {
                    genres: r.genres,
                    thumbnail_url: r.cover,
                    identifiers: vec![format!("{}:{key}", self.name)],
                    ..SourceHit::default()
                })
            }));
        }
        out
    }
}

/// A source that misbehaves: panics, or returns the wrong number of results.
#[derive(Debug)]
enum Rogue {
    Panics,
    WrongCount,
}

#[async_trait]
impl GenreSource for Rogue {
    fn name(&self) -> &str {
        "rogue"
    }

    async fn lookup(&self, _books: &[BookQuery], _fetch: &Fetcher) -> Vec<SourceResult> {
        match self {
            Rogue::Panics => panic!("index out of bounds"),
            Rogue::WrongCount => Vec::new(),
        }
    }
}

const DUNE: &str = "9780441013593";
const SABRIEL: &str = "9780064471831";
const BAD_CHECK_DIGIT: &str = "9780441013594";

fn book(title: &str, isbn13: Option<&str>) -> BookInfo {
    BookInfo {
        isbn13: isbn13.map(str::to_owned),
        goodreads_id: Some(title.to_owned()),
        ..BookInfo::new(title, "Author")
    }
}

fn catalogue() -> Catalogue {
    let mut records = HashMap::new();
    records.insert(format!("/ol/{DUNE}"), (vec!["Science fiction"], None));
    records.insert(
        format!("/gb/{DUNE}"),
        (vec!["Fiction / Science Fiction / General"], Some("https://gb/dune.jpg")),
    );
    records.insert(
        format!("/ol/{SABRIEL}"),
        (vec!["Fantasy fiction"], Some("https://ol/sabriel.jpg")),
    );
    records.insert("/ol/Piranesi".to_owned(), (vec!["Fantasy"], None));
    records.insert("/gb/Piranesi".to_owned(), (vec!["Fiction / Fantasy / General"], None));
    records.insert("/gb/Only_Google".to_owned(), (vec!["Fiction / Thrillers / General"], None));
    Catalogue { records, ..Catalogue::default() }
}

fn fast_retry() -> RetryPolicy {
    RetryPolicy {
        base_delay: Duration::from_millis(10),
        max_delay: Duration::from_millis(100),
        ..RetryPolicy::default()
    }
}

/// An enricher asking every source for every book (`union`), as most tests here expect;
/// the planned default has tests of its own below.
fn enricher(http: Arc<Catalogue>, sources: Vec<Arc<dyn GenreSource>>) -> EnricherBuilder {
    Enricher::builder()
        .http_client(http)
        .sources(sources)
        .retry_policy(fast_retry())
        .merge_policy(MergePolicy::Union)
}

#[tokio::test(start_paused = true)]
async fn results_come_back_in_input_order_one_per_book() {
    let http = Arc::new(Catalogue { latency: Duration::from_millis(50), ..catalogue() });
    let (ol, gb) = (PathSource::new("ol", 2), PathSource::new("gb", 1));
    let e = enricher(http, vec![ol.clone(), gb.clone()]).build().unwrap();
    let books = vec![
        book("Piranesi", None),
        book("Dune", Some(DUNE)),
        book("Unknown Book", None),
        book("Sabriel", Some(SABRIEL)),
        book("Only Google", None),
    ];
    let (out, summary) = e.enrich_with_summary(&books).await;
    let titles: Vec<_> = out.iter().map(|b| b.title.as_str()).collect();
    assert_eq!(titles, ["Piranesi", "Dune", "Unknown Book", "Sabriel", "Only Google"]);
    assert!(out.iter().zip(&books).all(|(o, b)| o.goodreads_id == b.goodreads_id));

    let dune = &out[1];
    assert_eq!(dune.sources_matched, ["ol", "gb"]);
    assert!(dune.final_genres.contains(&"Science Fiction".to_owned()), "{:?}", dune.final_genres);
    assert_eq!(dune.thumbnail_url.as_deref(), Some("https://gb/dune.jpg"));
    assert_eq!(dune.identifiers["ol"], [format!("ol:{DUNE}")]);
    assert_eq!(out[2].final_genres, Vec::<String>::new());
    assert_eq!(out[2].error, None, "not found anywhere is not an error");
    assert_eq!(out[4].genre_sources, ["gb"]);

    // ISBN books batched by the source's batch size, the others one per lookup.
    let ol_lookups: Vec<usize> = ol.lookups().iter().map(Vec::len).collect();
    assert_eq!(ol_lookups.iter().filter(|n| **n == 2).count(), 1, "{ol_lookups:?}");
    assert_eq!(ol_lookups.len(), 4, "one batch of 2 ISBN books + 3 searches: {ol_lookups:?}");
    assert_eq!(gb.lookups().len(), 5);

    assert_eq!(summary.books, 5);
    assert_eq!(summary.with_genres, 4);
    assert_eq!(summary.with_cover, 2);
    assert_eq!(summary.failed, 0);
    assert_eq!(summary.requests, 10);
    assert_eq!(summary.sources[0].books_matched, 3);
    assert_eq!(summary.sources[1].books_with_genres, 3);
}

#[tokio::test(start_paused = true)]
async fn one_books_failure_does_not_affect_the_others() {
    let mut cat = catalogue();
    cat.broken.push(format!("/ol/{DUNE}"));
    let http = Arc::new(cat);
    let e = enricher(Arc::clone(&http), vec![PathSource::new("ol", 10), PathSource::new("gb", 1)])
        .build()
        .unwrap();
    let books = vec![book("Dune", Some(DUNE)), book("Sabriel", Some(SABRIEL))];
    let (out, summary) = e.enrich_with_summary(&books).await;
    let dune = &out[0];
    let error = dune.error.as_deref().unwrap();
    assert!(error.starts_with("ol: HTTP 500"), "{error}");
    assert!(error.contains(&format!("https://x.test/ol/{DUNE}")), "the URL at fault: {error}");
    assert!(
        dune.processing_log.iter().any(|l| l.starts_with("ol: failed")),
        "{:?}",
        dune.processing_log
    );
    assert!(dune.has_genres(), "Google still answered");
    assert_eq!(out[1].error, None);
    assert!(out[1].has_genres());
    assert_eq!(summary.with_errors, 1);
    assert_eq!(summary.failed, 0);
    assert_eq!(summary.sources[0].books_failed, 1);
    assert_eq!(summary.retries, 3, "the broken URL was retried within the policy");
}

#[tokio::test(start_paused = true)]
async fn a_panicking_or_miscounting_source_fails_only_its_own_answers() {
    for rogue in [Rogue::Panics, Rogue::WrongCount] {
        let e = enricher(Arc::new(catalogue()), vec![PathSource::new("ol", 10), Arc::new(rogue)])
            .build()
            .unwrap();
        let out = e.enrich(&[book("Dune", Some(DUNE)), book("Piranesi", None)]).await;
        assert_eq!(out.len(), 2);
        for b in &out {
            assert!(b.has_genres(), "{:?}", b.title);
            let error = b.error.as_deref().unwrap();
            assert!(error.starts_with("rogue: source"), "{error}");
        }
    }
}

#[tokio::test(start_paused = true)]
async fn an_invalid_isbn_is_logged_and_the_book_searched_by_title() {
    let ol = PathSource::new("ol", 10);
    let e = enricher(Arc::new(catalogue()), vec![ol.clone()]).build().unwrap();
    let out = e.enrich(&[book("Piranesi", Some(BAD_CHECK_DIGIT))]).await;
    let log = &out[0].processing_log;
    assert!(
        log[0].starts_with("ISBN13 ignored: ISBN \"9780441013594\" has check digit 4, expected 3"),
        "{log:?}"
    );
    assert!(log[1].contains("looking the book up by title"), "{log:?}");
    assert_eq!(ol.lookups()[0][0].isbn, None);
    assert!(out[0].has_genres(), "found by title");
}

#[tokio::test(start_paused = true)]
async fn first_with_genres_asks_later_sources_only_for_books_still_without() {
    let (ol, gb) = (PathSource::new("ol", 10), PathSource::new("gb", 1));
    let e = enricher(Arc::new(catalogue()), vec![ol.clone(), gb.clone()])
        .merge_policy(MergePolicy::FirstWithGenres)
        .build()
        .unwrap();
    let books = vec![book("Dune", Some(DUNE)), book("Only Google", None), book("Unknown", None)];
    let out = e.enrich(&books).await;
    let asked: Vec<String> = gb.lookups().iter().flatten().map(|q| q.title.clone()).collect();
    assert_eq!(asked.len(), 2);
    assert!(asked.contains(&"Only Google".to_owned()) && asked.contains(&"Unknown".to_owned()));
    assert_eq!(out[0].genre_sources, ["ol"]);
    assert_eq!(out[0].thumbnail_url, None, "Google was not asked for Dune");
    assert_eq!(out[1].genre_sources, ["gb"]);
    assert!(out[2].final_genres.is_empty());
}

/// A source that cannot help this run (like Google Books without a key).
#[derive(Debug)]
struct Keyless(Arc<PathSource>);

#[async_trait]
impl GenreSource for Keyless {
    fn name(&self) -> &str {
        self.0.name()
    }

    fn unusable(&self) -> Option<String> {
        Some("no API key".to_owned())
    }

    async fn lookup(&self, books: &[BookQuery], fetch: &Fetcher) -> Vec<SourceResult> {
        self.0.lookup(books, fetch).await
    }
}

#[tokio::test(start_paused = true)]
async fn the_planned_default_asks_later_sources_only_for_books_without_genres() {
    let (ol, gb) = (PathSource::new("ol", 2), PathSource::new("gb", 1));
    let e = Enricher::builder()
        .http_client(Arc::new(Catalogue { latency: Duration::from_millis(50), ..catalogue() }))
        .sources(vec![ol.clone() as Arc<dyn GenreSource>, gb.clone()])
        .build()
        .unwrap();
    assert_eq!(e.merge_policy(), MergePolicy::Planned);
    let books = vec![
        book("Dune", Some(DUNE)),
        book("Only Google", None),
        book("Sabriel", Some(SABRIEL)),
        book("Unknown", None),
    ];
    let (out, summary) = e.enrich_with_summary(&books).await;
    let mut asked: Vec<String> = gb.lookups().iter().flatten().map(|q| q.title.clone()).collect();
    asked.sort();
    assert_eq!(asked, ["Only Google", "Unknown"]);
    assert_eq!(out[0].genre_sources, ["ol"]);
    assert!(
        out[0].processing_log.iter().any(|l| l == "gb: not asked (an earlier source had genres)")
    );
    assert_eq!(out[1].genre_sources, ["gb"]);
    assert_eq!(summary.requests, 4 + 2);
    assert_eq!(summary.books, 4);
    assert!(summary.sources.iter().all(|s| s.disabled.is_none()));
}

#[tokio::test(start_paused = true)]
async fn the_plan_leaves_out_a_source_that_cannot_help_with_one_notice() {
    let (ol, gb) = (PathSource::new("ol", 10), PathSource::new("gb", 1));
    let keyless: Arc<dyn GenreSource> = Arc::new(Keyless(gb.clone()));
    let e = Enricher::builder()
        .http_client(Arc::new(catalogue()))
        .sources(vec![ol.clone() as Arc<dyn GenreSource>, keyless.clone()])
        .build()
        .unwrap();
    let books = vec![book("Dune", Some(DUNE)), book("Only Google", None)];
    let (out, summary) = e.enrich_with_summary(&books).await;
    assert!(gb.lookups().is_empty(), "never asked");
    assert_eq!(summary.requests, 2);
    assert_eq!(summary.sources[1].disabled.as_deref(), Some("not asked: no API key"));
    assert!(
        out[1].processing_log.iter().any(|l| l == "gb: not asked (no API key)"),
        "{:?}",
        out[1].processing_log
    );
    assert_eq!(out[1].error, None, "a source left out is not a failure");

    // `union` still asks every source.
    let union = Enricher::builder()
        .http_client(Arc::new(catalogue()))
        .sources(vec![ol as Arc<dyn GenreSource>, keyless])
        .merge_policy(MergePolicy::Union)
        .build()
        .unwrap();
    let out = union.enrich(&books).await;
    assert_eq!(out[1].genre_sources, ["gb"]);
    assert_eq!(gb.lookups().len(), 2);

    // Every source left out, or no book: the run ends at once.
    let nothing = Enricher::builder()
        .http_client(Arc::new(catalogue()))
        .sources(vec![Arc::new(Keyless(PathSource::new("gb", 1))) as Arc<dyn GenreSource>])
        .build()
        .unwrap();
    assert!(!nothing.enrich(&books).await[0].has_genres());
    assert!(e.enrich(&[]).await.is_empty());
}

#[tokio::test(start_paused = true)]
async fn progress_reports_every_book_done() {
    let events = Arc::new(Mutex::new(Vec::<Progress>::new()));
    let sink = Arc::clone(&events);
    let e =
        enricher(Arc::new(catalogue()), vec![PathSource::new("ol", 1), PathSource::new("gb", 1)])
            .progress(move |p| sink.lock().unwrap().push(p.clone()))
            .build()
            .unwrap();
    let books: Vec<_> = ["Dune", "Piranesi", "Sabriel"].iter().map(|t| book(t, None)).collect();
    e.enrich(&books).await;
    let events = events.lock().unwrap();
    assert_eq!(events.first().unwrap().books_done, 0);
    let last = events.last().unwrap();
    assert_eq!((last.books_done, last.books_total), (3, 3));
    assert_eq!(last.requests, 6);
    assert_eq!(last.sources.iter().map(|s| s.name.as_str()).collect::<Vec<_>>(), ["ol", "gb"]);
    assert!(
        events
            .windows(2)
            .all(|w| w[0].books_done <= w[1].books_done && w[0].requests <= w[1].requests)
    );
    assert_eq!(events.len(), 7, "start + one per lookup");
}

#[tokio::test(start_paused = true)]
async fn a_panicking_progress_callback_is_ignored() {
    let e = enricher(Arc::new(catalogue()), vec![PathSource::new("ol", 1)])
        .progress(|_| panic!("UI went away"))
        .build()
        .unwrap();
    let out = e.enrich(&[book("Dune", Some(DUNE))]).await;
    assert!(out[0].has_genres());
}

#[tokio::test(start_paused = true)]
async fn a_warm_cache_answers_a_second_run_without_requests() {
    let http = Arc::new(catalogue());
    let e = enricher(Arc::clone(&http), vec![PathSource::new("ol", 10), PathSource::new("gb", 1)])
        .cache(Arc::new(MemoryCache::new()))
        .build()
        .unwrap();
    let books = vec![book("Dune", Some(DUNE)), book("Unknown", None), book("Piranesi", None)];
    let (first, s1) = e.enrich_with_summary(&books).await;
    assert_eq!(s1.from_cache, 0);
    let calls = http.calls.load(Ordering::SeqCst);
    let (second, s2) = e.enrich_with_summary(&books).await;
    assert_eq!(http.calls.load(Ordering::SeqCst), calls, "no request on the second run");
    assert_eq!((s2.requests, s2.from_cache, s2.cache_hits), (0, 3, 6));
    for (a, b) in first.iter().zip(&second) {
        assert_eq!(a.final_genres, b.final_genres);
        assert!(b.from_cache);
    }
}

#[tokio::test(start_paused = true)]
async fn offline_runs_report_what_the_cache_could_not_answer() {
    let http = Arc::new(catalogue());
    let cache = Arc::new(MemoryCache::new());
    let online = enricher(Arc::clone(&http), vec![PathSource::new("ol", 10)])
        .cache(cache.clone())
        .build()
        .unwrap();
    online.enrich(&[book("Dune", Some(DUNE))]).await;
    let calls = http.calls.load(Ordering::SeqCst);

    let offline = enricher(Arc::clone(&http), vec![PathSource::new("ol", 10)])
        .cache(cache)
        .offline(true)
        .build()
        .unwrap();
    let (out, summary) =
        offline.enrich_with_summary(&[book("Dune", Some(DUNE)), book("Piranesi", None)]).await;
    assert!(out[0].has_genres() && out[0].from_cache);
    assert!(out[1].error.as_deref().unwrap().contains("offline"), "{:?}", out[1].error);
    assert_eq!(http.calls.load(Ordering::SeqCst), calls);
    assert_eq!(summary.failed, 1);
}

#[tokio::test(start_paused = true)]
async fn a_disabled_source_is_not_asked_again() {
    #[derive(Debug)]
    struct QuotaHttp(AtomicUsize);
    #[async_trait]
    impl HttpClient for QuotaHttp {
        async fn get(&self, _r: HttpRequest) -> Result<HttpResponse, TransportError> {
            self.0.fetch_add(1, Ordering::SeqCst);
            let body = r#"{"error":{"code":429,"message":"Quota exceeded for quota metric 'Queries' and limit 'Queries per day'"}}"#;
            Ok(HttpResponse { status: 429, retry_after: None, body: Bytes::from(body) })
        }
    }
    let http = Arc::new(QuotaHttp(AtomicUsize::new(0)));
    let gb = PathSource::new("gb", 1);
    let e = Enricher::builder()
        .http_client(http.clone())
        .source(gb.clone())
        .concurrency(1)
        .build()
        .unwrap();
    let books: Vec<_> = (0..5).map(|i| book(&format!("Book {i}"), None)).collect();
    let (out, summary) = e.enrich_with_summary(&books).await;
    assert_eq!(http.0.load(Ordering::SeqCst), 1, "one request, then the source stops");
    assert_eq!(gb.lookups().len(), 1, "later lookups are not even started");
    assert!(out[0].error.as_deref().unwrap().contains("daily quota exhausted"));
    assert!(
        out[1..]
            .iter()
            .all(|b| { b.error.as_deref().unwrap().contains("disabled for the rest of the run") })
    );
    assert!(summary.sources[0].disabled.is_some());

    // The next run starts with the source enabled again.
    e.enrich(&books[..1]).await;
    assert_eq!(http.0.load(Ordering::SeqCst), 2);
}

#[tokio::test(start_paused = true)]
async fn dropping_the_run_stops_all_requests() {
    let http = Arc::new(Catalogue { latency: Duration::from_secs(1), ..catalogue() });
    let e =
        enricher(Arc::clone(&http), vec![PathSource::new("ol", 1)]).concurrency(2).build().unwrap();
    let books: Vec<_> = (0..50).map(|i| book(&format!("Book {i}"), None)).collect();
    let run = e.enrich(&books);
    assert!(tokio::time::timeout(Duration::from_millis(2500), run).await.is_err());
    let at_cancel = http.calls.load(Ordering::SeqCst);
    assert!((2..=6).contains(&at_cancel), "{at_cancel}");
    tokio::time::sleep(Duration::from_secs(120)).await;
    assert_eq!(
        http.calls.load(Ordering::SeqCst),
        at_cancel,
        "nothing runs after the future is dropped"
    );
}

#[tokio::test(start_paused = true)]
async fn the_enricher_is_send_and_an_empty_run_is_empty() {
    fn assert_send<T: Send>(_: &T) {}
    let e = enricher(Arc::new(catalogue()), vec![PathSource::new("ol", 1)]).build().unwrap();
    let fut = e.enrich(&[]);
    assert_send(&fut);
    let handle = {
        let e = e.clone();
        tokio::spawn(async move { e.enrich_with_summary(&[]).await })
    };
    let (out, summary) = handle.await.unwrap();
    assert!(out.is_empty());
    assert_eq!(summary.books, 0);
    assert!(fut.await.is_empty());
}

#[test]
fn builder_errors_name_the_setting() {
    fn field(r: crate::error::Result<Enricher>) -> String {
        match r {
            Err(Error::Config { field, .. }) => field,
            other => panic!("{other:?}"),
        }
    }
    let http: Arc<dyn HttpClient> = Arc::new(catalogue());
    let b = || Enricher::builder().http_client(Arc::clone(&http));
    assert_eq!(field(b().build()), "sources");
    assert_eq!(
        field(b().source(PathSource::new("a", 1)).source(PathSource::new("a", 1)).build()),
        "sources"
    );
    assert_eq!(field(b().source(PathSource::new("a", 1)).concurrency(0).build()), "concurrency");
    assert_eq!(
        field(
            b().source(PathSource::new("a", 1)).rate_limit("b", RateLimit::per_second(1.0)).build()
        ),
        "rate_limits"
    );
    assert_eq!(
        field(
            b().source(PathSource::new("a", 1)).rate_limit("a", RateLimit::per_second(0.0)).build()
        ),
        "rate_limits"
    );
    assert_eq!(
        field(b().source(PathSource::new("a", 1)).request_timeout(Duration::ZERO).build()),
        "request_timeout"
    );
    let bad_retry = RetryPolicy { max_attempts: 0, ..RetryPolicy::default() };
    assert_eq!(
        field(b().source(PathSource::new("a", 1)).retry_policy(bad_retry).build()),
        "retry_policy"
    );
}
