//! The default request plan against the fake catalogue, over real HTTP: Open Library for
//! every book in identifier batches, Google Books only for the books Open Library left
//! without genres and only with an API key.
#![cfg(feature = "http")]
#![allow(clippy::unwrap_used)]

#[path = "support/edge_cases.rs"]
mod edge_cases;

use std::collections::BTreeMap;
use std::time::Duration;

use bookenrich_core::config::{CacheSetting, EnricherOptions};
use bookenrich_core::engine::RetryPolicy;
use bookenrich_core::{EnrichedBook, MergePolicy};
use bookenrich_fake_catalogue::{Api, FakeCatalogue, FakeCatalogueHandle};

const API_KEY: &str = "AIzaTESTKEYtestkey0123456789";

use edge_cases::books;

fn options(server: &FakeCatalogueHandle, key: Option<&str>) -> EnricherOptions {
    EnricherOptions {
        open_library_url: Some(server.base_url()),
        google_books_url: Some(server.base_url()),
        contact: Some("tests@bookenrich.invalid".into()),
        google_api_key: key.map(str::to_owned),
        rate_limits: Some(BTreeMap::from([
            ("openlibrary".into(), 200.0),
            ("google".into(), 200.0),
        ])),
        cache: Some(CacheSetting::Off),
        ..EnricherOptions::default()
    }
}

async fn run(
    server: &FakeCatalogueHandle,
    key: Option<&str>,
) -> (Vec<EnrichedBook>, bookenrich_core::RunSummary) {
    let enricher = options(server, key)
        .into_builder()
        .unwrap()
        .retry_policy(RetryPolicy {
            base_delay: Duration::from_millis(10),
            max_delay: Duration::from_millis(50),
            ..RetryPolicy::default()
        })
        .build()
        .unwrap();
    assert_eq!(enricher.merge_policy(), MergePolicy::Planned);
    enricher.enrich_with_summary(&books()).await
}

fn asked(book: &EnrichedBook, source: &str) -> bool {
    !book.processing_log.iter().any(|l| l.starts_with(&format!("{source}: not asked")))
}

#[tokio::test]
async fn google_is_asked_only_for_the_books_open_library_left_without_genres() {
    let server = FakeCatalogue::builder().with_default_catalogue().start().await.unwrap();
    let (out, summary) = run(&server, Some(API_KEY)).await;
    let mut asked_google = 0;
    for book in &out {
        assert!(asked(book, "open_library"), "{}", book.title);
        let ol_genres = book.genre_sources.iter().any(|s| s == "open_library");
        assert_eq!(
            asked(book, "google_books"),
            !ol_genres,
            "{}: {:?}",
            book.title,
            book.processing_log
        );
        asked_google += usize::from(!ol_genres);
    }
    assert!(asked_google > 0 && asked_google < out.len() / 2, "{asked_google}");
    // Google's requests went to those books only: at most a search by ISBN-13, by ISBN-10,
    // by title, and a volume fetch each.
    let google = server.stats().api(Api::Google);
    assert!(google > 0 && google <= 4 * asked_google as u64, "{google}");
    assert_eq!(summary.sources[1].requests, google);
    // No fewer books with genres than asking every source for every book.
    let union = options(&server, Some(API_KEY));
    let union = EnricherOptions { merge_policy: Some(MergePolicy::Union), ..union }
        .build()
        .unwrap()
        .enrich(&books())
        .await;
    let with = |v: &[EnrichedBook]| v.iter().filter(|b| b.has_genres()).count();
    assert!(with(&out) >= with(&union), "{} < {}", with(&out), with(&union));
}

#[tokio::test]
async fn without_a_key_google_gets_no_request_and_the_summary_says_why() {
    let server = FakeCatalogue::builder().with_default_catalogue().start().await.unwrap();
    let (out, summary) = run(&server, None).await;
    assert_eq!(server.stats().api(Api::Google), 0);
    let google = &summary.sources[1];
    assert_eq!(google.requests, 0);
    assert!(google.disabled.as_deref().is_some_and(|d| d.contains("API key")), "{google:?}");
    assert!(out.iter().all(|b| b.error.is_none()), "being left out is not an error");
    assert!(out.iter().filter(|b| b.has_genres()).count() >= out.len() - 4);
}

/// Google's daily budget, kept in the `SQLite` cache: the first run spends it on the books
/// Open Library left without genres and lists the ones left out; a second run the same day
/// knows nothing is left and sends Google nothing.
#[cfg(feature = "sqlite")]
#[tokio::test]
async fn the_daily_budget_is_kept_across_runs_and_the_summary_lists_who_was_left_out() {
    let server = FakeCatalogue::builder().with_default_catalogue().start().await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let cache = dir.path().join("cache.sqlite3");
    let enricher = |budget: u64| {
        EnricherOptions {
            cache: Some(CacheSetting::Path(cache.clone())),
            ..options(&server, Some(API_KEY))
        }
        .into_builder()
        .unwrap()
        .daily_budget("google_books", Some(budget))
        .build()
        .unwrap()
    };
    let (out, summary) = enricher(1).enrich_with_summary(&books()).await;
    assert_eq!(server.stats().api(Api::Google), 1, "never more than the budget");
    assert_eq!(server.stats().served_429, 0);
    assert!(!summary.left_out.is_empty(), "{summary:?}");
    for left in &summary.left_out {
        assert_eq!(left.source, "google_books");
        assert!(left.reason.starts_with("daily budget of 1 requests used up"), "{}", left.reason);
        assert!(left.reason.contains("midnight Pacific time"), "{}", left.reason);
        assert!(!out[left.index].has_genres());
        assert_eq!(out[left.index].title, left.title);
    }

    // A second run the same day, another enricher on the same cache file: nothing left.
    server.reset_stats();
    let (_, again) = enricher(1).enrich_with_summary(&books()).await;
    assert_eq!(server.stats().api(Api::Google), 0, "{:?}", server.stats().requests_by_target);
    assert!(!again.left_out.is_empty());
    assert!(again.sources[1].disabled.as_deref().is_some_and(|d| d.contains("daily budget")));
    // A raised budget (a quota increase) lets the next run go on where the first stopped.
    server.reset_stats();
    let (_, raised) = enricher(1_000).enrich_with_summary(&books()).await;
    assert!(server.stats().api(Api::Google) > 0);
    assert!(raised.left_out.is_empty(), "{:?}", raised.left_out);
}

/// `plan` before a run sends nothing, brackets what the run makes, and after the run knows
/// the cache answers everything.
#[cfg(feature = "sqlite")]
#[tokio::test]
async fn the_plan_brackets_the_run_and_knows_the_cache_afterwards() {
    let server = FakeCatalogue::builder().with_default_catalogue().start().await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let enricher = EnricherOptions {
        cache: Some(CacheSetting::Path(dir.path().join("cache.sqlite3"))),
        ..options(&server, Some(API_KEY))
    }
    .build()
    .unwrap();
    let plan = enricher.plan(&books());
    assert_eq!(server.stats().total, 0, "planning sends nothing");
    assert_eq!((plan.books, plan.from_cache), (books().len(), 0));
    assert_eq!(plan.sources.len(), 2);
    assert!(plan.sources[1].skipped.is_none());
    assert_eq!(plan.sources[1].daily_budget_left, Some(1_000));
    assert!(plan.duration_expected <= plan.duration_max);

    let (_, summary) = enricher.enrich_with_summary(&books()).await;
    assert!(
        plan.requests_expected <= summary.requests && summary.requests <= plan.requests_max,
        "{plan:?} vs {} requests",
        summary.requests
    );
    assert!(plan.sources[0].requests_expected <= summary.sources[0].requests);

    let again = enricher.plan(&books());
    assert_eq!(again.from_cache, books().len(), "{again:?}");
    assert_eq!((again.requests_expected, again.requests_max), (0, 0), "{again:?}");
    assert_eq!(again.sources[1].daily_budget_left, Some(1_000 - summary.sources[1].requests));
    let (_, second) = enricher.enrich_with_summary(&books()).await;
    assert_eq!(second.requests, 0);
}

/// Fewer bytes: every answer comes gzip-compressed (the client accepts it) and Google's come
/// cut to the fields the parser reads; the books are enriched the same.
#[tokio::test]
async fn answers_come_compressed_and_google_answers_cut_to_the_fields_read() {
    let server = FakeCatalogue::builder().with_default_catalogue().start().await.unwrap();
    let (out, _) = run(&server, Some(API_KEY)).await;
    let stats = server.stats();
    let ok = stats.responses_by_status.get(&200).copied().unwrap_or(0);
    assert!(ok > 0 && stats.gzip_responses == ok, "{stats:?}");
    let google: Vec<&String> =
        stats.requests_by_target.keys().filter(|t| t.starts_with("/books/v1/")).collect();
    assert!(!google.is_empty());
    assert!(google.iter().all(|t| t.contains("fields=")), "{google:?}");
    assert!(out.iter().filter(|b| b.has_genres()).count() >= out.len() - 4);
}

/// `google_daily_budget` (option, `BOOKENRICH_GOOGLE_DAILY_BUDGET`) is the budget the plan
/// and the run use; without it, Google's 1,000 a day.
#[tokio::test]
async fn the_google_daily_budget_option_sets_the_budget() {
    let server = FakeCatalogue::builder().with_default_catalogue().start().await.unwrap();
    let budget = |value: Option<usize>| {
        let enricher =
            EnricherOptions { google_daily_budget: value, ..options(&server, Some(API_KEY)) }
                .build()
                .unwrap();
        enricher.plan(&books()).sources[1].daily_budget_left
    };
    assert_eq!(budget(Some(250)), Some(250));
    assert_eq!(budget(None), Some(1_000));
}

/// The daily budget holds whatever the merge policy: `union` asks Google for every book and
/// still sends no more than the budget.
#[tokio::test]
async fn the_daily_budget_holds_under_union_too() {
    let server = FakeCatalogue::builder().with_default_catalogue().start().await.unwrap();
    let (_, summary) = EnricherOptions {
        merge_policy: Some(MergePolicy::Union),
        google_daily_budget: Some(3),
        ..options(&server, Some(API_KEY))
    }
    .build()
    .unwrap()
    .enrich_with_summary(&books())
    .await;
    assert_eq!(server.stats().api(Api::Google), 3, "{:?}", server.stats().requests_by_target);
    assert_eq!(summary.sources[1].requests, 3);
}
