//! The `shelves` source on the contract's edge-case export: the reader's own genre shelves
//! become genres, status and housekeeping shelves are dropped, and no request is made.
#![cfg(feature = "http")] // EnricherOptions::build makes the reqwest transport.
#![expect(clippy::unwrap_used, reason = "a test fails on the first unexpected error")]

#[path = "support/edge_cases.rs"]
mod edge_cases;

use std::collections::BTreeMap;

use bookenrich_core::config::{BuiltinSource, CacheSetting, EnricherOptions};
use bookenrich_core::sources::SHELVES;
use bookenrich_core::{BookInfo, EnrichedBook, MergePolicy, RunSummary};
use bookenrich_fake_catalogue::FakeCatalogue;

use edge_cases::books as edge_cases;

async fn enrich(options: EnricherOptions, books: &[BookInfo]) -> (Vec<EnrichedBook>, RunSummary) {
    let enricher = EnricherOptions { cache: Some(CacheSetting::Off), ..options }.build().unwrap();
    enricher.enrich_with_summary(books).await
}

fn by_title<'a>(results: &'a [EnrichedBook], title: &str) -> &'a EnrichedBook {
    results.iter().find(|r| r.title.starts_with(title)).unwrap_or_else(|| panic!("no {title}"))
}

fn from_shelves(result: &EnrichedBook) -> Option<&Vec<String>> {
    result.genres_by_source.get(SHELVES)
}

#[tokio::test]
async fn genre_shelves_become_genres_and_status_shelves_are_dropped() {
    let books = edge_cases();
    let options = EnricherOptions {
        sources: Some(vec![BuiltinSource::Shelves]),
        ..EnricherOptions::default()
    };
    let (results, summary) = enrich(options, &books).await;

    assert_eq!(summary.requests, 0, "the shelves source makes no request");
    let annihilation = by_title(&results, "Annihilation");
    assert_eq!(from_shelves(annihilation).unwrap(), &["sci-fi", "weird"]);
    assert!(annihilation.final_genres.iter().any(|g| g == "Science Fiction"), "{annihilation:?}");
    assert_eq!(annihilation.genre_sources, [SHELVES]);
    // `favorites`, `re-reads`, `dnf-later` are not genres.
    assert_eq!(from_shelves(by_title(&results, "Harry Potter")).unwrap(), &["fantasy"]);
    assert_eq!(from_shelves(by_title(&results, "The Way of Kings")).unwrap(), &["fantasy"]);
    assert!(by_title(&results, "Pride and Prejudice").final_genres.iter().any(|g| g == "Classics"));
    // Books on reading-status shelves only (to-read, currently-reading) get nothing.
    for title in ["Atomic Habits", "Project Hail Mary"] {
        let r = by_title(&results, title);
        assert!(
            from_shelves(r).is_none() && r.final_genres.is_empty() && r.error.is_none(),
            "{r:?}"
        );
    }
    // Nor do books without shelves; and nothing failed.
    assert!(by_title(&results, "Children of Time").final_genres.is_empty());
    assert!(results.iter().all(|r| r.failures.is_empty()));
    for (book, result) in books.iter().zip(&results) {
        let shelves = from_shelves(result).cloned().unwrap_or_default();
        assert!(shelves.iter().all(|s| book.bookshelves.contains(s)), "{shelves:?} of {book:?}");
    }
}

#[tokio::test]
async fn a_shelf_goes_through_the_genre_normaliser() {
    let book = BookInfo {
        bookshelves: vec![
            "non-fiction".into(),
            "to-read".into(),
            "2023-reads".into(),
            "owned".into(),
        ],
        ..BookInfo::new("A Book", "An Author")
    };
    let options = EnricherOptions {
        sources: Some(vec![BuiltinSource::Shelves]),
        ..EnricherOptions::default()
    };
    let (results, _) = enrich(options, &[book]).await;
    assert_eq!(results[0].final_genres, ["Nonfiction"]);
    assert_eq!(results[0].genres_by_source[SHELVES], ["non-fiction"]);
}

#[tokio::test(flavor = "multi_thread")]
async fn shelves_mix_with_the_catalogues_under_each_merge_policy() {
    let books = edge_cases();
    let server = FakeCatalogue::builder().with_default_catalogue().start().await.unwrap();
    for merge in [MergePolicy::Union, MergePolicy::FirstWithGenres, MergePolicy::Planned] {
        let options = EnricherOptions {
            sources: Some(vec![
                BuiltinSource::Shelves,
                BuiltinSource::OpenLibrary,
                BuiltinSource::GoogleBooks,
            ]),
            merge_policy: Some(merge),
            open_library_url: Some(server.base_url()),
            google_books_url: Some(server.base_url()),
            rate_limits: Some(BTreeMap::from([
                ("openlibrary".into(), 500.0),
                ("google".into(), 500.0),
            ])),
            ..EnricherOptions::default()
        };
        let (results, summary) = enrich(options, &books).await;
        let names: Vec<&str> = summary.sources.iter().map(|s| s.name.as_str()).collect();
        assert_eq!(names, [SHELVES, "open_library", "google_books"]);
        let shelves = &summary.sources[0];
        assert_eq!(shelves.requests, 0);
        assert_eq!(
            shelves.books_with_genres,
            results.iter().filter(|r| r.genre_sources.iter().any(|s| s == SHELVES)).count()
        );
        let annihilation = by_title(&results, "Annihilation");
        assert_eq!(annihilation.genre_sources.first().map(String::as_str), Some(SHELVES));
        match merge {
            // Every source is asked; the catalogues add their genres to the shelves'.
            MergePolicy::Union => assert!(annihilation.genre_sources.len() > 1, "{annihilation:?}"),
            // The shelves answered first with genres: the catalogues are not asked for this book.
            MergePolicy::FirstWithGenres | MergePolicy::Planned => {
                assert_eq!(annihilation.genre_sources, [SHELVES]);
            }
        }
        // A book with no genre shelf is still looked up in the catalogues.
        let fox = by_title(&results, "Sabriel");
        assert!(fox.sources_matched.iter().any(|s| s == "open_library"), "{fox:?}");
    }
}
