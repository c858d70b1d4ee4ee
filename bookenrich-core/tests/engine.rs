//! The engine against the fake catalogue server: order, isolation, retries, Retry-After,
//! rate limits, the daily-quota stop, cancellation, caching, secrets, plug-in sources.
#![cfg(feature = "http")]
#![expect(clippy::unwrap_used)]

#[path = "support/edge_cases.rs"]
mod edge_cases;

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use async_trait::async_trait;
use bookenrich_core::cache::{CacheEntry, CacheKey, ResponseCache};
use bookenrich_core::config::{BuiltinSource, CacheSetting, EnricherOptions};
use bookenrich_core::engine::{CancelToken, EnricherBuilder, Progress, RetryPolicy};
use bookenrich_core::fetch::{Fetcher, Request};
use bookenrich_core::sources::{BookQuery, GenreSource, SourceErrorKind, SourceHit, SourceResult};
use bookenrich_core::{BookInfo, EnrichedBook, Enricher, MergePolicy};
use bookenrich_fake_catalogue::{
    Api, FakeCatalogue, FakeCatalogueHandle, Fault, RateLimit as ServerLimit,
};
use serde::Deserialize;

const API_KEY: &str = "AIzaTESTKEYtestkey0123456789";

use edge_cases::books;

/// Retries fast enough for tests, and a generous total bound.
fn quick_retries() -> RetryPolicy {
    RetryPolicy {
        max_attempts: 4,
        base_delay: Duration::from_millis(20),
        max_delay: Duration::from_millis(200),
        max_retry_after: Duration::from_secs(5),
        max_elapsed: Duration::from_secs(30),
    }
}

/// Options pointing both catalogues at the fake server, with fast client limits and no cache.
/// Every source is asked for every book (`union`), so each test here sees both catalogues'
/// behaviour; the planned default is tested in `planner.rs`.
fn options(server: &FakeCatalogueHandle) -> EnricherOptions {
    EnricherOptions {
        merge_policy: Some(MergePolicy::Union),
        open_library_url: Some(server.base_url()),
        google_books_url: Some(server.base_url()),
        contact: Some("tests@bookenrich.invalid".into()),
        google_api_key: Some(API_KEY.into()),
        rate_limits: Some(BTreeMap::from([
            ("openlibrary".into(), 200.0),
            ("google".into(), 200.0),
        ])),
        cache: Some(CacheSetting::Off),
        ..EnricherOptions::default()
    }
}

fn builder(options: EnricherOptions) -> EnricherBuilder {
    options.into_builder().unwrap().retry_policy(quick_retries())
}

fn enricher(server: &FakeCatalogueHandle) -> Enricher {
    builder(options(server)).build().unwrap()
}

async fn server(
    configure: impl FnOnce(
        bookenrich_fake_catalogue::FakeCatalogueBuilder,
    ) -> bookenrich_fake_catalogue::FakeCatalogueBuilder,
) -> FakeCatalogueHandle {
    configure(FakeCatalogue::builder().with_default_catalogue()).start().await.unwrap()
}

/// The fault-free answer for the edge-case export, computed once per test that needs it.
async fn baseline() -> Vec<EnrichedBook> {
    let clean = server(|b| b).await;
    enricher(&clean).enrich(&books()).await
}

/// A result without the parts that legitimately differ between runs with and without faults.
fn comparable(book: &EnrichedBook) -> EnrichedBook {
    EnrichedBook { processing_log: Vec::new(), ..book.clone() }
}

#[tokio::test]
async fn every_book_comes_back_in_input_order_enriched() {
    let server = server(|b| b).await;
    let input = books();
    let (out, summary) = enricher(&server).enrich_with_summary(&input).await;
    assert_eq!(out.len(), input.len());
    for (got, book) in out.iter().zip(&input) {
        assert_eq!(got.goodreads_id, book.goodreads_id);
        assert_eq!(got.title, book.title);
        assert_eq!(got.error, None, "{}: {:?}", got.title, got.processing_log);
    }
    let by_title = |t: &str| out.iter().find(|b| b.title.starts_with(t)).unwrap();
    let annihilation = by_title("Annihilation");
    assert_eq!(annihilation.sources_matched, ["open_library", "google_books"]);
    assert!(
        annihilation.final_genres.contains(&"Science Fiction".to_owned()),
        "{:?}",
        annihilation.final_genres
    );
    // Found only by title search (no ISBN in the export).
    assert!(by_title("This Is How You Lose the Time War").has_genres());
    // The Alchemist is unknown to both catalogues (only decoys by other authors).
    assert!(by_title("The Alchemist").sources_matched.is_empty());

    // ISBN books go to Open Library's search in one identifier request, the books without
    // ISBN in one by Goodreads id; the Books API is not used.
    let stats = server.stats();
    let identifier_requests = |prefix: &str| {
        stats
            .requests_by_target
            .iter()
            .filter(|(t, _)| t.starts_with(prefix))
            .map(|(_, n)| n)
            .sum::<u64>()
    };
    assert_eq!(identifier_requests("/search.json?q=isbn"), 1, "{:?}", stats.requests_by_target);
    assert!(
        identifier_requests("/search.json?q=id_goodreads") <= 2,
        "{:?}",
        stats.requests_by_target
    );
    assert_eq!(stats.route("/api/books"), 0, "{:?}", stats.requests_by_route);
    assert_eq!(summary.requests, stats.total);
    assert_eq!(summary.with_genres, out.iter().filter(|b| b.has_genres()).count());
    assert!(summary.with_genres >= input.len() - 2, "{summary:?}");
    assert_eq!(stats.served_429, 0);
    assert!(stats.peak_concurrency <= 16);
}

#[tokio::test]
async fn retries_recover_every_book_when_each_url_fails_once() {
    let want = baseline().await;
    for fault in
        [Fault::status(503), Fault::status(500), Fault::drop_connection(), Fault::truncate()]
    {
        let label = format!("{fault:?}");
        let faulty = server(|b| b.fault(fault.first_per_url(1))).await;
        let (got, summary) = enricher(&faulty).enrich_with_summary(&books()).await;
        let stats = faulty.stats();
        assert!(stats.faults_injected.values().sum::<u64>() > 0, "{label}: no fault fired");
        assert_eq!(
            summary.retries,
            stats.requests_by_target.len() as u64,
            "{label}: one retry per URL"
        );
        assert_eq!(summary.with_errors, 0, "{label}");
        let got: Vec<_> = got.iter().map(comparable).collect();
        let want: Vec<_> = want.iter().map(comparable).collect();
        assert_eq!(got, want, "{label}: output differs from the fault-free run");
    }
}

#[tokio::test]
async fn hung_requests_time_out_and_recover() {
    let want = baseline().await;
    let faulty = server(|b| b.fault(Fault::hang().on(Api::OpenLibrary).first_per_url(1))).await;
    let enricher =
        builder(options(&faulty)).request_timeout(Duration::from_millis(500)).build().unwrap();
    let started = Instant::now();
    let got = enricher.enrich(&books()).await;
    assert!(started.elapsed() < Duration::from_secs(60), "bounded run");
    assert!(faulty.stats().faults_injected.get("hang").copied().unwrap_or(0) > 0);
    assert_eq!(
        got.iter().map(comparable).collect::<Vec<_>>(),
        want.iter().map(comparable).collect::<Vec<_>>()
    );
}

#[tokio::test]
async fn retry_after_is_honoured() {
    let want = baseline().await;
    let faulty = server(|b| {
        b.fault(Fault::too_many_requests(Some(1)).on(Api::OpenLibrary).first_per_url(1))
    })
    .await;
    let started = Instant::now();
    let (got, summary) = enricher(&faulty).enrich_with_summary(&books()).await;
    let stats = faulty.stats();
    let open_library_urls = stats.served_429;
    assert!(open_library_urls > 0);
    assert_eq!(summary.rate_limited, open_library_urls);
    assert_eq!(summary.retries, open_library_urls, "each 429 retried once, after waiting");
    // Every Open Library URL was answered 429 "Retry-After: 1" first: the run cannot be quicker.
    assert!(started.elapsed() >= Duration::from_secs(1));
    assert_eq!(
        got.iter().map(comparable).collect::<Vec<_>>(),
        want.iter().map(comparable).collect::<Vec<_>>()
    );
}

#[tokio::test]
async fn the_configured_rate_is_never_exceeded() {
    // Server: 20/s with a burst of 5 per API. Client: 10/s, no burst. The server counts a
    // request when its task runs, so on a loaded machine requests the client spaced out can
    // be counted together; a burst of 5 absorbs that, while a client that ignored its limit
    // is still refused (at 1,000/s it got 59 answers 429 here).
    let limited = server(|b| {
        b.rate_limit(Api::OpenLibrary, ServerLimit::per_second(20.0).burst(5))
            .rate_limit(Api::Google, ServerLimit::per_second(20.0).burst(5))
    })
    .await;
    let opts = EnricherOptions {
        rate_limits: Some(BTreeMap::from([("openlibrary".into(), 10.0), ("google".into(), 10.0)])),
        ..options(&limited)
    };
    let (out, summary) = builder(opts).build().unwrap().enrich_with_summary(&books()).await;
    let stats = limited.stats();
    assert_eq!(stats.served_429, 0, "{:?}", stats.rate_limited_by_api);
    assert_eq!(summary.rate_limited, 0);
    assert!(out.iter().all(|b| b.error.is_none()));
}

#[tokio::test]
async fn googles_daily_quota_stops_google_and_open_library_carries_on() {
    let quota = server(|b| b.google_daily_quota(2)).await;
    let opts = EnricherOptions {
        rate_limits: Some(BTreeMap::from([("openlibrary".into(), 200.0), ("google".into(), 5.0)])),
        ..options(&quota)
    };
    let (out, summary) = builder(opts).build().unwrap().enrich_with_summary(&books()).await;
    let stats = quota.stats();
    assert_eq!(stats.api(Api::Google), 3, "two answered, one quota answer, then no more");
    assert_eq!(stats.quota_exhausted, 1);
    let google = &summary.sources[1];
    assert_eq!(google.name, "google_books");
    assert!(google.disabled.as_deref().unwrap().contains("daily quota"));
    let stopped = out
        .iter()
        .filter(|b| b.error.as_deref().is_some_and(|e| e.contains("google_books")))
        .count();
    assert!(stopped >= out.len() - 2, "every book Google did not answer says why");
    // ... in a form code can act on: a quota or a stopped source is not worth a retry.
    for book in out.iter().filter(|b| b.error.as_deref().is_some_and(|e| e.contains("google"))) {
        let google: Vec<_> = book.failures.iter().filter(|f| f.source == "google_books").collect();
        assert_eq!(google.len(), 1, "{:?}", book.failures);
        assert!(
            matches!(google[0].kind, SourceErrorKind::QuotaExhausted | SourceErrorKind::Disabled),
            "{:?}",
            google[0]
        );
        assert!(!google[0].retryable);
        assert!(!book.is_retryable(), "{:?}", book.failures);
    }
    // Open Library answered for every book regardless.
    let open_library = &summary.sources[0];
    assert_eq!(open_library.books_failed, 0);
    assert!(
        out.iter().filter(|b| b.sources_matched.contains(&"open_library".to_owned())).count()
            >= out.len() - 3
    );
}

#[tokio::test]
async fn a_source_down_for_the_whole_run_fails_only_its_part() {
    let ol_only_server = server(|b| b).await;
    let ol_only = builder(EnricherOptions {
        sources: Some(vec![BuiltinSource::OpenLibrary]),
        ..options(&ol_only_server)
    })
    .build()
    .unwrap()
    .enrich(&books())
    .await;

    let down = server(|b| b.fault(Fault::api_down(Api::Google))).await;
    let started = Instant::now();
    let (out, summary) = enricher(&down).enrich_with_summary(&books()).await;
    assert!(started.elapsed() < Duration::from_secs(60));
    assert_eq!(out.len(), ol_only.len());
    for (got, want) in out.iter().zip(&ol_only) {
        assert_eq!(got.final_genres, want.final_genres, "{}", got.title);
        assert_eq!(got.thumbnail_url, want.thumbnail_url, "{}", got.title);
        let error = got.error.as_deref().unwrap();
        assert!(error.starts_with("google_books: HTTP 503"), "{error}");
        assert!(error.contains("gave up after 4 attempts"), "{error}");
        assert!(!error.contains(API_KEY));
    }
    let google = &summary.sources[1];
    assert_eq!(google.books_failed, out.len());
    assert!(google.requests <= out.len() as u64 * 4, "retries stay within the policy");
}

#[tokio::test]
async fn hostile_answers_are_refused_without_harm() {
    // Oversized search answers and absurdly deep JSON on the works route: those lookups fail, the rest stand.
    let hostile = server(|b| {
        b.fault(Fault::oversized(2 * 1024 * 1024).on_route("/search.json"))
            .fault(Fault::deep_nesting(100_000).on_route("/works/{id}.json"))
    })
    .await;
    let opts = EnricherOptions { max_body_bytes: Some(1024 * 1024), ..options(&hostile) };
    let out = builder(opts).build().unwrap().enrich(&books()).await;
    assert_eq!(out.len(), books().len());
    let errors: Vec<&str> = out.iter().filter_map(|b| b.error.as_deref()).collect();
    assert!(errors.iter().any(|e| e.contains("larger than 1048576 bytes")), "{errors:?}");
    assert!(out.iter().any(EnrichedBook::has_genres));
}

#[tokio::test]
async fn dropping_the_run_stops_all_requests() {
    let slow = server(|b| b.latency(Duration::from_millis(300))).await;
    let opts = EnricherOptions { concurrency: Some(2), ..options(&slow) };
    let enricher = builder(opts).build().unwrap();
    let many: Vec<BookInfo> =
        (0..200).map(|i| BookInfo::new(format!("Nonexistent book {i}"), "Nobody")).collect();
    let mut run = Box::pin(enricher.enrich(&many));
    // Drive the run until its first request reached the server (not for a fixed time:
    // on a loaded machine a fixed time may not be enough to send one), then drop it.
    loop {
        tokio::select! {
            _ = &mut run => panic!("200 books at 300 ms each, two at a time, cannot be done yet"),
            () = tokio::time::sleep(Duration::from_millis(20)) => {
                if slow.stats().total > 0 {
                    break;
                }
            }
        }
    }
    drop(run);
    // Let requests already on the wire arrive, then nothing more may come.
    tokio::time::sleep(Duration::from_millis(500)).await;
    let at_drop = slow.stats().total;
    assert!(at_drop > 0 && at_drop < 20, "{at_drop}");
    tokio::time::sleep(Duration::from_millis(1500)).await;
    assert_eq!(slow.stats().total, at_drop, "requests continued after the future was dropped");
}

#[derive(Debug, Default)]
struct RecordingCache(Mutex<BTreeMap<CacheKey, CacheEntry>>);

impl ResponseCache for RecordingCache {
    fn get(&self, key: &CacheKey) -> bookenrich_core::Result<Option<CacheEntry>> {
        Ok(self.0.lock().unwrap().get(key).cloned())
    }
    fn put(&self, key: &CacheKey, entry: &CacheEntry) -> bookenrich_core::Result<()> {
        self.0.lock().unwrap().insert(key.clone(), entry.clone());
        Ok(())
    }
}

#[tokio::test]
async fn a_second_run_with_a_warm_cache_makes_no_request_and_the_key_stays_secret() {
    let server = server(|b| b).await;
    let cache = Arc::new(RecordingCache::default());
    let events = Arc::new(Mutex::new(Vec::<Progress>::new()));
    let sink = Arc::clone(&events);
    let enricher = builder(options(&server))
        .cache(cache.clone())
        .progress(move |p| sink.lock().unwrap().push(p.clone()))
        .build()
        .unwrap();
    let (first, _) = enricher.enrich_with_summary(&books()).await;
    let requests = server.stats().total;
    assert!(server.stats().api_keys_seen > 0, "the key reached Google");

    let (second, summary) = enricher.enrich_with_summary(&books()).await;
    assert_eq!(server.stats().total, requests, "the warm run asked nothing");
    assert_eq!(summary.requests, 0);
    assert_eq!(summary.from_cache, second.len());
    for (a, b) in first.iter().zip(&second) {
        assert_eq!(
            EnrichedBook { from_cache: true, processing_log: vec![], ..a.clone() },
            EnrichedBook { processing_log: vec![], ..b.clone() }
        );
    }

    let everything = format!(
        "{} {:?} {}",
        serde_json::to_string(&second).unwrap(),
        cache.0.lock().unwrap().keys().collect::<Vec<_>>(),
        serde_json::to_string(&*events.lock().unwrap()).unwrap()
    );
    assert!(!everything.contains(API_KEY), "the API key leaked");
    assert!(!format!("{enricher:?}").contains(API_KEY));
}

/// A plug-in source: subjects of the Open Library edition record, by ISBN.
#[derive(Debug)]
struct EditionSubjects {
    base: String,
}

#[derive(Deserialize)]
struct Edition {
    #[serde(default)]
    subjects: Vec<String>,
    #[serde(default)]
    key: Option<String>,
}

#[async_trait]
impl GenreSource for EditionSubjects {
    fn name(&self) -> &'static str {
        "ol_editions"
    }

    fn default_rate_limit(&self) -> f64 {
        50.0
    }

    async fn lookup(&self, books: &[BookQuery], fetch: &Fetcher) -> Vec<SourceResult> {
        let mut out = Vec::with_capacity(books.len());
        for book in books {
            let Some(isbn) = &book.isbn else {
                out.push(Ok(None));
                continue;
            };
            let url =
                url::Url::parse(&format!("{}/isbn/{}.json", self.base, isbn.as_isbn13())).unwrap();
            out.push(fetch.get_json::<Edition>(Request::get(url)).await.map(|f| {
                f.value.map(|e| SourceHit {
                    genres: e.subjects,
                    identifiers: e.key.into_iter().collect(),
                    ..SourceHit::default()
                })
            }));
        }
        out
    }
}

#[tokio::test]
async fn a_custom_source_plugs_in_beside_the_built_in_ones() {
    let server = server(|b| b).await;
    let custom = Arc::new(EditionSubjects { base: server.base_url() });
    let opts = EnricherOptions {
        sources: Some(vec![]),
        merge_policy: Some(MergePolicy::Union),
        ..options(&server)
    };
    let enricher = builder(opts).source(custom).build().unwrap();
    assert_eq!(enricher.source_names(), ["ol_editions"]);
    let out = enricher.enrich(&books()).await;
    let sabriel = out.iter().find(|b| b.title.starts_with("Sabriel")).unwrap();
    assert_eq!(sabriel.sources_matched, ["ol_editions"], "{:?}", sabriel.processing_log);
    assert_eq!(sabriel.genre_sources, ["ol_editions"]);
    assert!(sabriel.final_genres.contains(&"Fantasy".to_owned()), "{:?}", sabriel.final_genres);
    // Found, but this edition record has no subjects.
    let fox = out.iter().find(|b| b.title == "Fantastic Mr. Fox").unwrap();
    assert_eq!(fox.sources_matched, ["ol_editions"]);
    assert!(!fox.has_genres());
    assert!(
        server.stats().route("/isbn/{isbn}.json") > 0,
        "{:?}",
        server.stats().requests_by_route
    );

    // Books without ISBN are simply not found by it.
    let time_war = out.iter().find(|b| b.title.starts_with("This Is How")).unwrap();
    assert!(time_war.sources_matched.is_empty());
}

#[tokio::test]
async fn each_run_reports_progress_to_its_own_callback_as_well_as_the_enrichers() {
    let catalogue = server(|b| b).await;
    let built: Arc<Mutex<Vec<usize>>> = Arc::default();
    let seen = Arc::clone(&built);
    let enricher = builder(options(&catalogue))
        .progress(move |p: &Progress| seen.lock().unwrap().push(p.books_done))
        .build()
        .unwrap();
    let books = books();
    let per_call: Arc<Mutex<Vec<usize>>> = Arc::default();
    let seen = Arc::clone(&per_call);
    let (results, summary) = enricher
        .run(&books)
        .progress(move |p| seen.lock().unwrap().push(p.books_done))
        .await
        .unwrap();
    assert_eq!(results.len(), books.len());
    assert_eq!(summary.books, books.len());
    let per_call = per_call.lock().unwrap().clone();
    assert_eq!(per_call.first(), Some(&0));
    assert_eq!(per_call.last(), Some(&books.len()));
    assert_eq!(*built.lock().unwrap(), per_call, "the enricher's callback saw the same events");

    // A second run without its own callback reports to the enricher's only.
    built.lock().unwrap().clear();
    enricher.run(&books).await.unwrap();
    assert_eq!(built.lock().unwrap().last(), Some(&books.len()));
}

#[tokio::test]
async fn a_cancelled_token_ends_the_run_with_cancelled() {
    let catalogue = server(|b| b).await;
    let enricher = enricher(&catalogue);
    let books = books();

    let token = CancelToken::new();
    token.cancel();
    let out = enricher.run(&books).cancel(token.clone()).await;
    assert!(matches!(out, Err(bookenrich_core::Error::Cancelled)), "{out:?}");
    assert_eq!(catalogue.stats().total, 0, "a run cancelled before it started sends nothing");

    // Cancelled by its own progress callback, at the first event.
    let token = CancelToken::new();
    let from_callback = token.clone();
    let out = enricher.run(&books).progress(move |_| from_callback.cancel()).cancel(token).await;
    assert!(matches!(out, Err(bookenrich_core::Error::Cancelled)), "{out:?}");
}

/// The ISBN-13 `979000000NNNN` with its check digit.
fn isbn13(n: u32) -> String {
    let body = format!("979000{n:06}");
    let sum: u32 = body.bytes().enumerate().map(|(i, b)| u32::from(b - b'0') * [1, 3][i % 2]).sum();
    format!("{body}{}", (10 - sum % 10) % 10)
}

#[tokio::test]
async fn the_books_of_one_failed_batch_request_share_its_recorded_failure() {
    // Offline with nothing cached: Open Library's identifier batch fails once for all 40 books.
    let enricher = EnricherOptions {
        sources: Some(vec![BuiltinSource::OpenLibrary]),
        cache: Some(CacheSetting::Off),
        offline: Some(true),
        ..EnricherOptions::default()
    }
    .build()
    .unwrap();
    let books: Vec<BookInfo> = (0..40)
        .map(|n| BookInfo {
            isbn13: Some(isbn13(n)),
            goodreads_id: Some(n.to_string()),
            ..BookInfo::new(format!("Book {n}"), "Some Author")
        })
        .collect();
    let out = enricher.enrich(&books).await;
    let first = out[0].error.clone().unwrap();
    assert!(first.contains(&isbn13(39)), "the message names the batch's URL: {first}");
    for book in &out {
        // One allocation of the message (with its 40-ISBN URL) for the whole batch, not one
        // per book: a big library answered offline holds it once per 40 books.
        assert!(Arc::ptr_eq(book.error.as_ref().unwrap(), &first), "{}", book.title);
        assert!(Arc::ptr_eq(&book.failures[0].message, &first), "{}", book.title);
        assert!(book.processing_log.iter().all(|l| !l.contains(&isbn13(39))), "{book:?}");
    }
}
