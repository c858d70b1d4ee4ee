//! Open Library's bulk identifier plan against the fake catalogue, over real HTTP: ISBNs and
//! Goodreads ids asked in OR-batches, docs matched back to books by identifier (an ISBN in two
//! works, a Goodreads id Open Library does not know), the title-search fallback, a failing batch
//! retried without losing its books, and a second run answered from the cache.
#![cfg(feature = "http")]
#![allow(clippy::unwrap_used)]

use std::sync::Arc;
use std::time::Duration;

use bookenrich_core::Isbn;
use bookenrich_core::cache::MemoryCache;
use bookenrich_core::engine::RetryPolicy;
use bookenrich_core::fetch::Fetcher;
use bookenrich_core::http::{HttpClient, ReqwestClient, ReqwestClientConfig};
use bookenrich_core::sources::open_library::OpenLibraryConfig;
use bookenrich_core::sources::{BookQuery, GenreSource, OpenLibrary, SourceHit, SourceResult};
use bookenrich_fake_catalogue::{Api, FakeBook, FakeCatalogue, FakeCatalogueHandle, Fault, Stats};
use url::Url;

fn book(isbn: Option<&str>, goodreads: Option<&str>, title: &str, author: &str) -> BookQuery {
    BookQuery {
        isbn: isbn.map(|i| Isbn::parse(i).unwrap()),
        title: title.to_owned(),
        author: author.to_owned(),
        bookshelves: Vec::new(),
        goodreads_id: goodreads.map(str::to_owned),
    }
}

/// Part of the edge-case export, with the export's Goodreads ids.
fn books() -> Vec<BookQuery> {
    vec![
        book(
            Some("9780374104092"),
            Some("17470674"),
            "Annihilation (Southern Reach #1)",
            "Jeff VanderMeer",
        ),
        book(
            Some("9780439023481"),
            Some("2767052"),
            "The Hunger Games (The Hunger Games #1)",
            "Suzanne Collins",
        ),
        book(None, Some("36373481"), "This Is How You Lose the Time War", "Amal El-Mohtar"),
        book(None, Some("18144590"), "The Alchemist", "Paulo Coelho"),
        book(Some("9780140328721"), Some("6310"), "Fantastic Mr. Fox", "Roald Dahl"),
        book(
            Some("9780307887443"),
            Some("9969571"),
            "Ready Player One (Ready Player One #1)",
            "Ernest Cline",
        ),
        book(Some("9780593135204"), Some("54493401"), "Project Hail Mary", "Andy Weir"),
    ]
}

async fn server(faults: Vec<Fault>) -> FakeCatalogueHandle {
    let mut b = FakeCatalogue::builder().with_default_catalogue();
    for f in faults {
        b = b.fault(f);
    }
    b.start().await.unwrap()
}

fn fetcher(retry: RetryPolicy) -> Fetcher {
    let http = ReqwestClient::new(&ReqwestClientConfig {
        contact: Some("tests@bookenrich.invalid".to_owned()),
        https_only: false,
        ..ReqwestClientConfig::default()
    })
    .unwrap();
    Fetcher::new("open_library", Arc::new(http) as Arc<dyn HttpClient>).with_retry_policy(retry)
}

fn source(server: &FakeCatalogueHandle) -> OpenLibrary {
    OpenLibrary::new(OpenLibraryConfig {
        base_url: Url::parse(&server.base_url()).unwrap(),
        ..OpenLibraryConfig::default()
    })
}

fn hit(result: &SourceResult) -> &SourceHit {
    result.as_ref().unwrap().as_ref().unwrap()
}

fn targets(stats: &Stats, prefix: &str) -> u64 {
    stats.requests_by_target.iter().filter(|(t, _)| t.starts_with(prefix)).map(|(_, n)| n).sum()
}

fn quick_retries() -> RetryPolicy {
    RetryPolicy {
        base_delay: Duration::from_millis(5),
        max_delay: Duration::from_millis(20),
        ..RetryPolicy::default()
    }
}

#[tokio::test]
async fn identifiers_are_asked_in_or_batches_and_matched_back_by_identifier() {
    let server = server(Vec::new()).await;
    let input = books();
    let results = source(&server).lookup(&input, &fetcher(RetryPolicy::never())).await;
    assert_eq!(results.len(), input.len());

    let stats = server.stats();
    assert_eq!(targets(&stats, "/search.json?q=isbn"), 1, "{:?}", stats.requests_by_target);
    assert_eq!(targets(&stats, "/search.json?q=id_goodreads"), 1, "{:?}", stats.requests_by_target);
    assert_eq!(stats.route("/api/books"), 0);
    // One OR-list per field, all the batch's ids in it.
    let isbn_target =
        stats.requests_by_target.keys().find(|t| t.starts_with("/search.json?q=isbn")).unwrap();
    let url = Url::parse(&format!("http://x{isbn_target}")).unwrap();
    let q = url.query_pairs().find(|(k, _)| k == "q").unwrap().1.into_owned();
    assert_eq!(
        q,
        "isbn:(9780374104092 OR 9780439023481 OR 9780140328721 OR 9780307887443 OR 9780593135204)"
    );
    let fields = url.query_pairs().find(|(k, _)| k == "fields").unwrap().1.into_owned();
    assert!(fields.contains("subject") && fields.contains("editions.isbn"), "{fields}");

    // The Hunger Games' ISBN is also listed by the trilogy box set: the book is the single volume.
    let hunger = hit(&results[1]);
    assert_eq!(hunger.identifiers[0], "/works/OL5735363W", "{:?}", hunger.identifiers);
    assert!(hunger.identifiers.contains(&"isbn:9780439023481".to_owned()));
    assert!(hunger.identifiers.contains(&"goodreads:2767052".to_owned()));
    // Work-level subjects come with the doc: no work lookup for these.
    assert!(!hunger.genres.is_empty());
    assert!(hit(&results[0]).genres.iter().any(|g| g == "Science fiction"));
    assert!(hit(&results[6]).identifiers.contains(&"/works/OL21745884W".to_owned()));

    // No ISBN, but Open Library knows the Goodreads id.
    let time_war = hit(&results[2]);
    assert_eq!(time_war.identifiers, ["/works/OL20639540W", "goodreads:36373481"]);
    // A Goodreads id Open Library does not know: the title search runs and rejects Jonson's Alchemist.
    assert!(results[3].as_ref().unwrap().is_none());
    let alchemist_search =
        stats.requests_by_target.keys().any(|t| t.starts_with("/search.json?title=The+Alchemist"));
    assert!(alchemist_search, "{:?}", stats.requests_by_target);
    // Mr. Fox's search doc has no subjects: its work record supplies them (one work lookup).
    assert_eq!(stats.route("/works/{id}.json"), 1);
    assert!(hit(&results[4]).genres.len() > 10);
    // Ready Player One is unknown to Open Library by both ids; its title search finds nothing.
    assert!(results[5].as_ref().unwrap().is_none());
}

#[tokio::test]
async fn a_failing_batch_is_retried_without_losing_its_books() {
    let clean = server(Vec::new()).await;
    let want = source(&clean).lookup(&books(), &fetcher(RetryPolicy::never())).await;
    // Each identifier request fails once with a 503, then succeeds.
    let faulty = server(vec![Fault::status(503).on(Api::OpenLibrary).first_per_url(1)]).await;
    let got = source(&faulty).lookup(&books(), &fetcher(quick_retries())).await;
    assert_eq!(got.len(), want.len());
    for (g, w) in got.iter().zip(&want) {
        let strip =
            |r: &SourceResult| r.clone().map(|h| h.map(|h| SourceHit { notes: Vec::new(), ..h }));
        assert_eq!(strip(g), strip(w));
    }
    let stats = faulty.stats();
    assert_eq!(targets(&stats, "/search.json?q=isbn"), 2, "the batch was sent again");
    assert!(stats.served_5xx >= 2);

    // A batch that fails for good fails its books with the reason, naming the URL; it is not
    // replaced by one title search per book.
    let down = server(vec![Fault::status(503).on_route("/search.json")]).await;
    let got = source(&down).lookup(&books(), &fetcher(RetryPolicy::never())).await;
    for result in &got {
        let e = result.as_ref().unwrap_err();
        assert!(e.message.contains("503"), "{e}");
        assert!(e.url.as_deref().is_some_and(|u| u.contains("/search.json?q=")), "{e}");
    }
    assert_eq!(targets(&down.stats(), "/search.json?title"), 0);
}

#[tokio::test]
async fn a_second_run_is_answered_from_the_cache_per_identifier() {
    let server = server(Vec::new()).await;
    let cache = Arc::new(MemoryCache::new());
    let first_fetcher = fetcher(RetryPolicy::never()).with_cache(cache.clone());
    let first = source(&server).lookup(&books(), &first_fetcher).await;
    let before = server.stats().total;
    assert!(before > 0);
    // Another grouping of the same books: items are cached per identifier, not per batch.
    let mut reordered = books();
    reordered.reverse();
    let second_fetcher = fetcher(RetryPolicy::never()).with_cache(cache);
    let second = source(&server).lookup(&reordered, &second_fetcher).await;
    assert_eq!(server.stats().total, before, "no request the second time");
    let mut again: Vec<SourceResult> = second;
    again.reverse();
    for (a, b) in first.iter().zip(&again) {
        let genres =
            |r: &SourceResult| r.as_ref().ok().and_then(|h| h.as_ref()).map(|h| h.genres.clone());
        assert_eq!(genres(a), genres(b));
    }
}

#[tokio::test]
async fn synthetic_libraries_take_a_few_requests_per_forty_books() {
    let server = FakeCatalogue::builder().synthetic(true).start().await.unwrap();
    // 40 books with ISBN, 40 with only a Goodreads id (4 of which Open Library does not know).
    let with_isbn: Vec<BookQuery> = (0..40)
        .map(|n| {
            let b = FakeBook::synthetic(n);
            book(b.isbn13.as_deref(), None, &b.title, &b.author)
        })
        .collect();
    let goodreads_only: Vec<BookQuery> = (40..80)
        .map(|n| {
            let b = FakeBook::synthetic(n);
            book(None, Some(&FakeBook::synthetic_goodreads_id(n)), &b.title, &b.author)
        })
        .collect();
    let ol = source(&server);
    let f = fetcher(RetryPolicy::never());
    let a = ol.lookup(&with_isbn, &f).await;
    let b = ol.lookup(&goodreads_only, &f).await;
    assert!(
        a.iter()
            .chain(&b)
            .all(|r| r.as_ref().is_ok_and(|h| h.as_ref().is_some_and(|h| !h.genres.is_empty())))
    );
    let stats = server.stats();
    assert_eq!(targets(&stats, "/search.json?q=isbn"), 1);
    assert_eq!(targets(&stats, "/search.json?q=id_goodreads"), 1);
    let unknown = (40..80).filter(|&n| !FakeBook::synthetic_goodreads_known(n)).count() as u64;
    assert_eq!(targets(&stats, "/search.json?title"), unknown, "only unknown ids fall back");
    assert_eq!(stats.total, 2 + unknown);
}
