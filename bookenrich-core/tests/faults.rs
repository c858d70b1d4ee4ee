//! Fault injection against the fake catalogue server: 429 storms with and without
//! `Retry-After`, 5xx bursts, hung and dropped connections, truncated and wrong-type
//! JSON, and sources down for the whole run.
//!
//! Every scenario checks the same guarantees (`assert_guarantees`): every input book
//! comes back, in order; each failure is reported on its book, naming the source and
//! the URL (never the API key); no URL is asked more often than the retry policy allows
//! (counted by the server); the client counted every request the server saw; the run
//! ends within a generous bound; and every book without an error is exactly what a
//! fault-free run gives. Scenarios whose faults fit the policy also require that no
//! book failed at all.
#![cfg(feature = "http")]
#![expect(clippy::unwrap_used)]

#[path = "support/edge_cases.rs"]
mod edge_cases;

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use bookenrich_core::config::{BuiltinSource, CacheSetting, EnricherOptions};
use bookenrich_core::engine::{RetryPolicy, RunSummary};
use bookenrich_core::sources::SourceErrorKind;
use bookenrich_core::{BookInfo, EnrichedBook, MergePolicy};
use bookenrich_fake_catalogue::{
    Api, FakeCatalogue, FakeCatalogueHandle, Fault, RateLimit as ServerLimit, Stats,
};

const API_KEY: &str = "AIzaFAULTSkey-0123456789abcdef";
const MAX_ATTEMPTS: u32 = 4;
/// Far above what any scenario needs (each takes a few seconds); only a hang that is
/// never cut off could reach it.
const TIME_BOUND: Duration = Duration::from_secs(90);

use edge_cases::books;

/// Short waits so the suite is quick; the attempt bound is the default one.
fn policy() -> RetryPolicy {
    RetryPolicy {
        max_attempts: MAX_ATTEMPTS,
        base_delay: Duration::from_millis(10),
        max_delay: Duration::from_millis(100),
        max_retry_after: Duration::from_secs(2),
        max_elapsed: Duration::from_secs(30),
    }
}

async fn server(faults: Vec<Fault>) -> FakeCatalogueHandle {
    let mut builder = FakeCatalogue::builder().with_default_catalogue();
    for fault in faults {
        builder = builder.fault(fault);
    }
    builder.start().await.unwrap()
}

/// What one run gave, and what the server saw of it.
struct Run {
    out: Vec<EnrichedBook>,
    summary: RunSummary,
    stats: Stats,
    elapsed: Duration,
}

/// How a run is set up.
#[derive(Clone)]
struct Setup {
    sources: Vec<BuiltinSource>,
    request_timeout: Duration,
}

impl Default for Setup {
    fn default() -> Self {
        Self { sources: BuiltinSource::DEFAULT.to_vec(), request_timeout: Duration::from_secs(10) }
    }
}

async fn run(server: &FakeCatalogueHandle, setup: &Setup) -> Run {
    let options = EnricherOptions {
        // Every source asked for every book, so faults on either show.
        merge_policy: Some(MergePolicy::Union),
        sources: Some(setup.sources.clone()),
        open_library_url: Some(server.base_url()),
        google_books_url: Some(server.base_url()),
        contact: Some("faults@bookenrich.invalid".into()),
        google_api_key: Some(API_KEY.into()),
        // Far above the fake server's pace, so only the injected faults slow a run down.
        rate_limits: Some(BTreeMap::from([
            ("openlibrary".into(), 500.0),
            ("google".into(), 500.0),
        ])),
        cache: Some(CacheSetting::Off),
        ..EnricherOptions::default()
    };
    let enricher = options
        .into_builder()
        .unwrap()
        .retry_policy(policy())
        .request_timeout(setup.request_timeout)
        .build()
        .unwrap();
    let started = Instant::now();
    let (out, summary) = enricher.enrich_with_summary(&books()).await;
    let elapsed = started.elapsed();
    Run { out, summary, stats: server.stats(), elapsed }
}

/// The fault-free run of `setup`.
async fn reference(setup: &Setup) -> Run {
    let clean = server(Vec::new()).await;
    let reference = run(&clean, setup).await;
    assert!(reference.out.iter().all(|b| b.error.is_none()), "the fault-free run has no errors");
    reference
}

/// A result without its processing log, which legitimately differs between runs.
fn comparable(book: &EnrichedBook) -> EnrichedBook {
    EnrichedBook { processing_log: Vec::new(), ..book.clone() }
}

/// The guarantees every fault scenario keeps (see the module docs).
fn assert_guarantees(label: &str, input: &[BookInfo], run: &Run, reference: &Run, setup: &Setup) {
    // Every input book is in the output, in input order.
    assert_eq!(run.out.len(), input.len(), "{label}: a book went missing");
    for (got, book) in run.out.iter().zip(input) {
        assert_eq!(got.goodreads_id, book.goodreads_id, "{label}: order");
        assert_eq!(got.title, book.title, "{label}: order");
    }

    // The run ends within its bound.
    assert!(run.elapsed < TIME_BOUND, "{label}: took {:?}", run.elapsed);

    // Retries within the policy: no URL was asked more than MAX_ATTEMPTS times as often
    // as the fault-free run asked it (a URL the fault-free run never asked, at most
    // MAX_ATTEMPTS times).
    for (target, &count) in &run.stats.requests_by_target {
        let legit = reference.stats.target(target).max(1);
        assert!(
            count <= legit * u64::from(MAX_ATTEMPTS),
            "{label}: {target} asked {count} times (fault-free: {legit})"
        );
        assert!(!target.contains(API_KEY), "{label}: key in a URL");
    }
    // The client counted every request the server saw, and its retries are the extra ones.
    assert_eq!(run.summary.requests, run.stats.total, "{label}: requests");
    assert!(run.summary.retries <= run.summary.requests, "{label}");
    assert!(
        run.summary.retries <= run.summary.requests - run.stats.requests_by_target.len() as u64,
        "{label}: more retries than repeated requests"
    );

    // Failures are reported per book: each names its source and the URL at fault.
    let names: Vec<&str> = setup.sources.iter().map(|s| s.name()).collect();
    for book in &run.out {
        let Some(error) = &book.error else { continue };
        assert!(!error.contains(API_KEY), "{label}: key in an error");
        for part in error.split("; ") {
            assert!(
                names.iter().any(|n| part.starts_with(&format!("{n}: "))),
                "{label}: {:?}: error does not name its source: {part}",
                book.title
            );
            assert!(
                part.contains("(http://127.0.0.1:"),
                "{label}: {:?}: error does not name the URL: {part}",
                book.title
            );
        }
    }
    for source in &run.summary.sources {
        let failed = run
            .out
            .iter()
            .filter(|b| {
                b.error.as_deref().is_some_and(|e| {
                    e.split("; ").any(|p| p.starts_with(&format!("{}: ", source.name)))
                })
            })
            .count();
        assert_eq!(source.books_failed, failed, "{label}: {} failures", source.name);
    }
    assert_eq!(
        run.summary.with_errors,
        run.out.iter().filter(|b| b.error.is_some()).count(),
        "{label}"
    );

    // Books that could be enriched are exactly what the fault-free run gives.
    for (got, want) in run.out.iter().zip(&reference.out) {
        if got.error.is_none() {
            assert_eq!(
                comparable(got),
                comparable(want),
                "{label}: {:?} differs from the fault-free run; its log: {:#?}",
                got.title,
                got.processing_log
            );
        }
    }
}

/// Faults that the retry policy absorbs: the run must equal the fault-free one exactly.
fn assert_recovered(label: &str, run: &Run) {
    let failed: Vec<(&str, &str)> =
        run.out.iter().filter_map(|b| Some((b.title.as_str(), b.error.as_deref()?))).collect();
    assert!(failed.is_empty(), "{label}: books failed: {failed:#?}");
}

fn injected(stats: &Stats, kind: &str) -> u64 {
    stats.faults_injected.get(kind).copied().unwrap_or(0)
}

#[tokio::test]
async fn a_429_storm_without_retry_after_is_ridden_out() {
    let setup = Setup::default();
    let reference = reference(&setup).await;
    // Every URL of both catalogues is refused three times running; the fourth attempt passes.
    let faulty = server(vec![Fault::too_many_requests(None).first_per_url(3)]).await;
    let got = run(&faulty, &setup).await;
    assert_guarantees("429 storm", &books(), &got, &reference, &setup);
    assert_recovered("429 storm", &got);
    let urls = got.stats.requests_by_target.len() as u64;
    assert_eq!(got.stats.served_429, 3 * urls, "three 429s per URL");
    assert_eq!(got.summary.rate_limited, got.stats.served_429);
    assert_eq!(got.summary.retries, 3 * urls);
    for (target, &count) in &got.stats.requests_by_target {
        assert_eq!(count, u64::from(MAX_ATTEMPTS) * reference.stats.target(target), "{target}");
    }
}

#[tokio::test]
async fn a_429_storm_with_retry_after_is_ridden_out() {
    let setup = Setup::default();
    let reference = reference(&setup).await;
    let faulty =
        server(vec![Fault::too_many_requests(Some(1)).on(Api::Google).first_per_url(2)]).await;
    let got = run(&faulty, &setup).await;
    assert_guarantees("429 storm + Retry-After", &books(), &got, &reference, &setup);
    assert_recovered("429 storm + Retry-After", &got);
    let google_urls =
        got.stats.requests_by_target.keys().filter(|t| t.starts_with("/books/v1/")).count() as u64;
    assert!(google_urls > 0);
    assert_eq!(got.stats.served_429, 2 * google_urls);
    assert_eq!(got.summary.sources[1].retries, 2 * google_urls);
    assert_eq!(got.summary.sources[0].retries, 0, "Open Library is unaffected");
}

#[tokio::test]
async fn a_server_throttling_a_too_fast_client_costs_only_the_books_it_refused() {
    let setup = Setup::default();
    let reference = reference(&setup).await;
    // The client is configured far faster than Google allows: the server's own limiter
    // answers 429 (with Retry-After) to most requests. Some books may run out of
    // attempts; each of those says so, and every other book is as in a fault-free run.
    let throttled = FakeCatalogue::builder()
        .with_default_catalogue()
        .rate_limit(Api::Google, ServerLimit::per_second(10.0).burst(2).retry_after(1))
        .start()
        .await
        .unwrap();
    let got = run(&throttled, &setup).await;
    assert_guarantees("server throttle", &books(), &got, &reference, &setup);
    assert!(got.stats.served_429 > 0, "the server throttled");
    assert_eq!(got.summary.rate_limited, got.stats.served_429);
    for book in got.out.iter().filter(|b| b.error.is_some()) {
        let error = book.error.as_deref().unwrap();
        assert!(error.starts_with("google_books: HTTP 429"), "{error}");
        // Out of attempts, or out of time (`max_elapsed`) while the source was held back.
        assert!(error.contains("(gave up after "), "{error}");
    }
    assert_eq!(got.summary.sources[0].books_failed, 0, "Open Library unaffected");
}

#[tokio::test]
async fn a_429_storm_longer_than_the_policy_fails_that_source_only() {
    // Open Library refuses every URL ten times: more than the four attempts allowed.
    let google_only =
        reference(&Setup { sources: vec![BuiltinSource::GoogleBooks], ..Setup::default() }).await;
    let setup = Setup::default();
    let reference = reference(&setup).await;
    let faulty =
        server(vec![Fault::too_many_requests(None).on(Api::OpenLibrary).first_per_url(10)]).await;
    let got = run(&faulty, &setup).await;
    assert_guarantees("endless 429", &books(), &got, &reference, &setup);
    for (got, want) in got.out.iter().zip(&google_only.out) {
        let error = got.error.as_deref().unwrap();
        assert!(
            error
                .starts_with("open_library: HTTP 429 Too Many Requests (gave up after 4 attempts)"),
            "{error}"
        );
        assert_eq!(got.final_genres, want.final_genres, "{}", got.title);
        assert_eq!(got.thumbnail_url, want.thumbnail_url, "{}", got.title);
        assert_eq!(got.sources_matched, want.sources_matched, "{}", got.title);
    }
    for (target, &count) in &got.stats.requests_by_target {
        if !target.starts_with("/books/v1/") {
            assert_eq!(count, u64::from(MAX_ATTEMPTS), "{target}");
        }
    }
}

#[tokio::test]
async fn bursts_of_5xx_are_retried_within_the_policy() {
    let setup = Setup::default();
    let reference = reference(&setup).await;
    // A burst of 503s (Open Library's are nginx HTML pages) and a burst of 500s (Google
    // JSON errors) in the middle of the run, and every 7th request failing throughout.
    let faulty = server(vec![
        Fault::status(503).on(Api::OpenLibrary).requests(2, 6),
        Fault::status(500).on(Api::Google).requests(3, 8),
        Fault::status(502).every_nth(7),
    ])
    .await;
    let got = run(&faulty, &setup).await;
    assert_guarantees("5xx bursts", &books(), &got, &reference, &setup);
    // Each failed attempt leads to another request, so both bursts run their full length.
    assert!(got.stats.served_5xx >= 6 + 8, "{:?}", got.stats.responses_by_status);
    // A burst shorter than the attempt budget of any URL: everything recovers.
    let short = server(vec![Fault::status(503).first_per_url(2)]).await;
    let got = run(&short, &setup).await;
    assert_guarantees("5xx per URL", &books(), &got, &reference, &setup);
    assert_recovered("5xx per URL", &got);
}

#[tokio::test]
async fn hung_connections_are_cut_off_by_the_timeout_and_retried() {
    // Short enough to keep the test quick, long enough that a loaded CI machine does
    // not time out a request the server does answer.
    let setup = Setup { request_timeout: Duration::from_secs(1), ..Setup::default() };
    let reference = reference(&setup).await;
    // Every URL of both catalogues hangs twice (the server reads the request and never
    // answers); the third attempt is answered.
    let faulty = server(vec![Fault::hang().first_per_url(2)]).await;
    let got = run(&faulty, &setup).await;
    assert_guarantees("hang", &books(), &got, &reference, &setup);
    assert_recovered("hang", &got);
    let urls = got.stats.requests_by_target.len() as u64;
    assert_eq!(injected(&got.stats, "hang"), 2 * urls);
    assert_eq!(got.summary.retries, 2 * urls);

    // A catalogue that hangs on every request: its books fail with a timeout, the run still ends.
    let frozen = server(vec![Fault::hang().on(Api::Google)]).await;
    let got = run(&frozen, &setup).await;
    assert_guarantees("hang forever", &books(), &got, &reference, &setup);
    for book in &got.out {
        let error = book.error.as_deref().unwrap();
        assert!(error.starts_with("google_books: timed out"), "{error}");
    }
}

#[tokio::test]
async fn dropped_connections_are_retried() {
    let setup = Setup::default();
    let reference = reference(&setup).await;
    // Three drops per URL: the fourth and last allowed attempt is answered.
    let faulty = server(vec![Fault::drop_connection().first_per_url(3)]).await;
    let got = run(&faulty, &setup).await;
    assert_guarantees("drop", &books(), &got, &reference, &setup);
    assert_recovered("drop", &got);
    let urls = got.stats.requests_by_target.len() as u64;
    assert_eq!(injected(&got.stats, "drop"), 3 * urls);
    assert_eq!(got.summary.retries, 3 * urls);
}

#[tokio::test]
async fn truncated_and_wrong_type_json_is_retried() {
    let setup = Setup::default();
    let reference = reference(&setup).await;
    // Bodies cut in half (the Content-Length promises more), then valid JSON of the wrong
    // shape (`[]`, `{"docs":"x"}`, `"items":{…}`), then the real answer.
    let faulty =
        server(vec![Fault::truncate().first_per_url(1), Fault::wrong_type().first_per_url(2)])
            .await;
    let got = run(&faulty, &setup).await;
    assert_guarantees("truncate + wrong type", &books(), &got, &reference, &setup);
    assert_recovered("truncate + wrong type", &got);
    let urls = got.stats.requests_by_target.len() as u64;
    assert_eq!(injected(&got.stats, "truncate"), urls);
    assert_eq!(injected(&got.stats, "wrong-type"), urls);
    assert_eq!(got.summary.retries, 2 * urls);

    // Wrong-type answers for good on the search route, which carries Open Library's
    // identifier lookups too: every book's Open Library answer fails and says the answer
    // was not the expected JSON; the other source's answers are unaffected.
    let broken = server(vec![Fault::wrong_type().on_route("/search.json")]).await;
    let got = run(&broken, &setup).await;
    assert_guarantees("wrong type forever", &books(), &got, &reference, &setup);
    let failed: Vec<&EnrichedBook> = got.out.iter().filter(|b| b.error.is_some()).collect();
    assert_eq!(failed.len(), got.out.len(), "every book needs the search route");
    assert!(got.out.iter().any(EnrichedBook::has_genres), "Google still answers");
    for book in failed {
        let error = book.error.as_deref().unwrap();
        assert!(error.contains("not the expected JSON"), "{error}");
        assert!(error.contains("/search.json?"), "{error}");
    }
}

#[tokio::test]
async fn a_source_unreachable_for_the_whole_run_fails_only_its_part() {
    let google_only =
        reference(&Setup { sources: vec![BuiltinSource::GoogleBooks], ..Setup::default() }).await;
    let setup = Setup::default();
    let reference = reference(&setup).await;
    // Open Library drops every connection for the whole run.
    let down = server(vec![Fault::api_unreachable(Api::OpenLibrary)]).await;
    let got = run(&down, &setup).await;
    assert_guarantees("Open Library unreachable", &books(), &got, &reference, &setup);
    for (got, want) in got.out.iter().zip(&google_only.out) {
        let error = got.error.as_deref().unwrap();
        assert!(error.starts_with("open_library: connection failed"), "{error}");
        assert!(error.contains("gave up after 4 attempts"), "{error}");
        assert!(got.is_retryable(), "{:?}", got.failures);
        assert_eq!(comparable_without_error(got), comparable_without_error(want));
    }
    assert_eq!(got.summary.sources[0].books_failed, got.out.len());
    assert_eq!(got.summary.sources[1].books_failed, 0);
}

#[tokio::test]
async fn both_sources_down_still_returns_every_book() {
    let setup = Setup::default();
    let reference = reference(&setup).await;
    let down =
        server(vec![Fault::api_down(Api::OpenLibrary), Fault::api_unreachable(Api::Google)]).await;
    let input = books();
    let got = run(&down, &setup).await;
    assert_guarantees("both down", &input, &got, &reference, &setup);
    assert_eq!(got.summary.failed, input.len());
    assert_eq!(got.summary.with_genres, 0);
    for book in &got.out {
        let error = book.error.as_deref().unwrap();
        assert!(error.contains("open_library: HTTP 503"), "{error}");
        assert!(error.contains("google_books: connection failed"), "{error}");
        assert!(book.final_genres.is_empty() && book.thumbnail_url.is_none());
        // The same, structured: both failures are worth retrying the book for later.
        let kinds: Vec<_> =
            book.failures.iter().map(|f| (f.source.as_str(), f.kind, f.retryable)).collect();
        assert_eq!(
            kinds,
            [
                ("open_library", SourceErrorKind::Server, true),
                ("google_books", SourceErrorKind::Connection, true)
            ]
        );
        let messages: Vec<_> = book.failures.iter().map(|f| &*f.message).collect();
        assert_eq!(messages.join("; "), error);
        assert!(book.is_retryable());
    }
}

/// A result without its log and errors, to compare a run with a source down against a
/// run without that source.
fn comparable_without_error(book: &EnrichedBook) -> EnrichedBook {
    EnrichedBook { error: None, failures: Vec::new(), ..comparable(book) }
}
