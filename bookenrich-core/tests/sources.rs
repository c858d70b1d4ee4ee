//! The built-in sources against the fake catalogue server, over real HTTP: request
//! counts (batching), the search fallback, the Google ISBN check and volume fetch,
//! the daily-quota stop, and what each book of the edge-case export yields.
#![cfg(feature = "http")]
#![expect(clippy::unwrap_used)]

use std::sync::Arc;

use bookenrich_core::Isbn;
use bookenrich_core::cache::MemoryCache;
use bookenrich_core::engine::RetryPolicy;
use bookenrich_core::fetch::Fetcher;
use bookenrich_core::http::{HttpClient, ReqwestClient, ReqwestClientConfig};
use bookenrich_core::sources::google_books::GoogleBooksConfig;
use bookenrich_core::sources::open_library::{IdentifierLookup, OpenLibraryConfig};
use bookenrich_core::sources::{
    BookQuery, GenreSource, GoogleBooks, OpenLibrary, SourceErrorKind, SourceHit, SourceResult,
};
use bookenrich_fake_catalogue::{Api, FakeBook, FakeCatalogue, FakeCatalogueHandle};
use url::Url;

/// The 15 rows of `tests/fixtures/goodreads_edge_cases.csv`: title, author, ISBN-13 (if valid).
const EDGE_CASES: [(&str, &str, Option<&str>); 15] = [
    ("Annihilation (Southern Reach #1)", "Jeff VanderMeer", Some("9780374104092")),
    ("Children of Time (Children of Time #1)", "Adrian Tchaikovsky", Some("9781447273301")),
    ("Fantastic Mr. Fox", "Roald Dahl", Some("9780140328721")),
    (
        "Harry Potter and the Sorcerer's Stone (Harry Potter  #1)",
        "J.K. Rowling",
        Some("9780439064873"),
    ),
    ("This Is How You Lose the Time War", "Amal El-Mohtar", None),
    ("Sabriel (Abhorsen  #1)", "Garth Nix", Some("9780064471831")),
    ("The Hunger Games (The Hunger Games #1)", "Suzanne Collins", Some("9780439023481")),
    ("Atomic Habits", "James Clear", Some("9780735211292")),
    ("Project Hail Mary", "Andy Weir", Some("9780593135204")),
    ("The Way of Kings (The Stormlight Archive #1)", "Brandon Sanderson", Some("9780765326355")),
    ("The Alchemist", "Paulo Coelho", None),
    ("The Fault in Our Stars", "John Green", Some("9780525478812")),
    ("Pride and Prejudice", "Jane Austen", Some("9780679783268")),
    ("The Catcher in the Rye", "J.D. Salinger", Some("9780316769174")),
    ("Ready Player One (Ready Player One #1)", "Ernest Cline", Some("9780307887443")),
];

fn edge_case_books() -> Vec<BookQuery> {
    EDGE_CASES
        .iter()
        .map(|(title, author, isbn)| BookQuery {
            isbn: isbn.map(|i| Isbn::parse(i).unwrap()),
            title: (*title).to_owned(),
            author: (*author).to_owned(),
            bookshelves: Vec::new(),
            goodreads_id: None,
        })
        .collect()
}

fn index_of(title_start: &str) -> usize {
    EDGE_CASES.iter().position(|(t, _, _)| t.starts_with(title_start)).unwrap()
}

async fn server() -> FakeCatalogueHandle {
    FakeCatalogue::builder().with_default_catalogue().start().await.unwrap()
}

fn fetcher(name: &str) -> Fetcher {
    let http = ReqwestClient::new(&ReqwestClientConfig {
        contact: Some("tests@bookenrich.invalid".to_owned()),
        https_only: false,
        ..ReqwestClientConfig::default()
    })
    .unwrap();
    Fetcher::new(name, Arc::new(http) as Arc<dyn HttpClient>)
        .with_retry_policy(RetryPolicy::never())
}

fn open_library(server: &FakeCatalogueHandle) -> OpenLibrary {
    OpenLibrary::new(OpenLibraryConfig {
        base_url: Url::parse(&server.base_url()).unwrap(),
        // These exercise the Books API plan; the bulk identifier plan has its own tests.
        lookup: IdentifierLookup::BooksApi,
        ..OpenLibraryConfig::default()
    })
}

fn google(server: &FakeCatalogueHandle, key: Option<&str>) -> GoogleBooks {
    GoogleBooks::new(GoogleBooksConfig {
        base_url: Url::parse(&server.base_url()).unwrap(),
        api_key: key.map(str::to_owned),
    })
}

fn hit(result: &SourceResult) -> &SourceHit {
    result.as_ref().unwrap().as_ref().unwrap()
}

#[tokio::test]
async fn open_library_batches_isbn_books_forty_to_a_request() {
    let server = FakeCatalogue::builder().synthetic(true).start().await.unwrap();
    let ol = open_library(&server);
    let fetch = fetcher("open_library");
    let books: Vec<BookQuery> = (0..85)
        .map(|n| {
            let fake = FakeBook::synthetic(n);
            BookQuery {
                isbn: Some(Isbn::parse(fake.isbn13.as_deref().unwrap()).unwrap()),
                title: fake.title.clone(),
                author: fake.author.clone(),
                bookshelves: Vec::new(),
                goodreads_id: None,
            }
        })
        .collect();
    let mut results = Vec::new();
    for chunk in books.chunks(ol.batch_size()) {
        results.extend(ol.lookup(chunk, &fetch).await);
    }
    let stats = server.stats();
    assert_eq!(stats.route("/api/books"), 3, "ceil(85 / 40): {stats:?}");
    assert_eq!(stats.total, 3, "no searches when the records have subjects: {stats:?}");
    for (n, result) in (0u64..).zip(&results) {
        let fake = FakeBook::synthetic(n);
        let hit = hit(result);
        assert!(!hit.genres.is_empty(), "book {n}");
        assert!(
            hit.identifiers.contains(&format!("isbn:{}", fake.isbn13.as_deref().unwrap())),
            "order kept at {n}"
        );
        assert_eq!(hit.thumbnail_url.is_some(), n % 11 != 0, "book {n}: cover by id, or none");
    }
}

#[tokio::test]
async fn open_library_on_the_edge_case_export() {
    let server = server().await;
    let ol = open_library(&server);
    let fetch = fetcher("open_library");
    let books = edge_case_books();
    let results = ol.lookup(&books, &fetch).await;
    let stats = server.stats();

    assert_eq!(stats.route("/api/books"), 1, "13 ISBN books, one batch: {stats:?}");
    // Searches: the two ISBN-less books, Ready Player One (unknown ISBN) and Fantastic Mr. Fox
    // (record without subjects, looking for its work).
    assert_eq!(stats.route("/search.json"), 4, "{stats:?}");
    assert_eq!(stats.route("/works/{id}.json"), 1, "{stats:?}");
    assert_eq!(stats.target("/works/OL45804W.json"), 1, "{stats:?}");
    assert!(stats.requests_by_target.keys().all(|t| !t.contains("/works//works/")));
    assert_eq!(
        stats.route("/isbn/{isbn}.json"),
        0,
        "the Books API batch replaces per-ISBN requests"
    );
    assert_eq!(stats.served_429 + stats.served_5xx, 0);

    let hp = hit(&results[index_of("Harry Potter")]);
    assert_eq!(hp.genres.len(), 94);
    assert_eq!(
        hp.thumbnail_url.as_deref(),
        Some("https://covers.openlibrary.org/b/id/11416356-M.jpg")
    );
    assert!(hp.identifiers.contains(&"isbn:9780439064873".to_owned()));

    let fox = hit(&results[index_of("Fantastic")]);
    assert_eq!(fox.genres.len(), 31, "work subjects: {:?}", fox.notes);
    assert_eq!(
        fox.identifiers,
        ["/books/OL7353617M", "isbn:9780140328721", "/works/OL45804W"],
        "the work of this ISBN, not the Companion listed first"
    );
    assert!(
        fox.thumbnail_url
            .as_deref()
            .is_some_and(|u| u.starts_with("https://covers.openlibrary.org/b/id/"))
    );

    assert_eq!(hit(&results[index_of("Sabriel")]).genres, ["Fantasy."]);

    let time_war = hit(&results[index_of("This Is How")]);
    assert_eq!(time_war.identifiers, ["/works/OL20639540W"], "not the decoy listed first");
    assert_eq!(time_war.genres, ["epistolary", "science fiction", "time-traveling", "LGBT"]);

    assert_eq!(
        results[index_of("The Alchemist")],
        Ok(None),
        "Ben Jonson's The Alchemist is rejected"
    );
    assert_eq!(results[index_of("Ready Player")], Ok(None));

    for (i, result) in results.iter().enumerate() {
        let Ok(Some(hit)) = result else { continue };
        for url in hit.thumbnail_url.iter().chain(&hit.small_thumbnail_url) {
            assert!(url.starts_with("https://covers.openlibrary.org/b/id/"), "row {i}: {url}");
        }
    }
    let found = results.iter().filter(|r| matches!(r, Ok(Some(_)))).count();
    assert_eq!(found, 13, "all but The Alchemist and Ready Player One");
}

#[tokio::test]
async fn open_library_second_run_is_answered_from_the_cache() {
    let server = server().await;
    let ol = open_library(&server);
    let fetch = fetcher("open_library").with_cache(Arc::new(MemoryCache::new()));
    let books = edge_case_books();
    let first = ol.lookup(&books, &fetch).await;
    let asked = server.stats().total;
    let second = ol.lookup(&books, &fetch).await;
    assert_eq!(server.stats().total, asked, "nothing asked twice");
    let strip = |rs: &[SourceResult]| {
        rs.iter()
            .map(|r| r.clone().map(|h| h.map(|h| (h.genres, h.thumbnail_url, h.identifiers))))
            .collect::<Vec<_>>()
    };
    assert_eq!(strip(&first), strip(&second));
}

#[tokio::test]
async fn google_checks_the_isbn_and_reads_the_volume_record() {
    let server = server().await;
    let g = google(&server, Some("TEST-KEY-42"));
    let fetch = fetcher("google_books");
    let books = edge_case_books();
    let mut results = Vec::new();
    for book in &books {
        results.extend(g.lookup(std::slice::from_ref(book), &fetch).await);
    }
    let stats = server.stats();
    assert_eq!(stats.api_keys_seen, stats.api(Api::Google), "every request carried the key header");
    assert!(stats.requests_by_target.keys().all(|t| !t.contains("TEST-KEY")));
    assert_eq!(stats.served_429 + stats.served_5xx, 0);

    let annihilation = hit(&results[index_of("Annihilation")]);
    assert_eq!(annihilation.genres.len(), 8, "full categories of the volume record");
    assert_eq!(annihilation.identifiers[0], "google:2cl7AgAAQBAJ");
    assert_eq!(masked(&stats, "/books/v1/volumes?q=isbn:9780374104092"), 1);
    assert_eq!(masked(&stats, "/books/v1/volumes/2cl7AgAAQBAJ"), 1);

    // ISBN-13 and ISBN-10 find nothing; the title search finds the Orbit edition, not the French decoy.
    let children = hit(&results[index_of("Children of Time")]);
    assert_eq!(children.identifiers[0], "google:49T5twEACAAJ");
    assert!(children.genres.iter().any(|g| g == "Fiction / Science Fiction / Space Opera"));
    assert_eq!(masked(&stats, "/books/v1/volumes?q=isbn:9781447273301"), 1);
    assert_eq!(masked(&stats, "/books/v1/volumes?q=isbn:1447273303"), 1);

    // A decoy volume with another ISBN comes first; the ISBN check skips it.
    let hail_mary = hit(&results[index_of("Project Hail Mary")]);
    assert_eq!(hail_mary.identifiers, ["google:WRDyDwAAQBAJ", "isbn:9780593135204"]);

    let hunger = hit(&results[index_of("The Hunger Games")]);
    assert!(!hunger.genres.is_empty());
    assert_eq!(hunger.thumbnail_url, None, "this volume has no imageLinks");

    assert_eq!(results[index_of("The Fault")], Ok(None), "only a Companion decoy: rejected");
    assert_eq!(results[index_of("The Alchemist")], Ok(None), "only Ben Jonson's: rejected");

    for result in &results {
        let Ok(Some(hit)) = result else { continue };
        assert!(hit.genres.iter().all(|g| !g.is_empty()));
        for url in hit.thumbnail_url.iter().chain(&hit.small_thumbnail_url) {
            assert!(url.starts_with("https://") && !url.contains("edge=curl"), "{url}");
        }
    }
    // Found books cost one volume fetch each, unless the search record's category already
    // names a genre (Atomic Habits: "Self-Help"); nothing is fetched for books not found.
    let atomic = hit(&results[index_of("Atomic Habits")]);
    assert_eq!(atomic.genres, ["Self-Help"]);
    assert!(atomic.notes.iter().any(|n| n.contains("not fetched")), "{:?}", atomic.notes);
    let found = results.iter().filter(|r| matches!(r, Ok(Some(_)))).count() as u64;
    assert_eq!(stats.route("/books/v1/volumes/{id}"), found - 1, "{stats:?}");
}

#[tokio::test]
async fn google_stops_for_the_run_when_the_daily_quota_is_used_up() {
    let server = FakeCatalogue::builder()
        .with_default_catalogue()
        .google_daily_quota(2)
        .start()
        .await
        .unwrap();
    let g = google(&server, None);
    let fetch = fetcher("google_books");
    let books = edge_case_books();
    let mut results = Vec::new();
    for book in &books {
        results.extend(g.lookup(std::slice::from_ref(book), &fetch).await);
    }
    // Annihilation uses the two allowed requests; the next request meets the quota.
    assert_eq!(hit(&results[0]).identifiers[0], "google:2cl7AgAAQBAJ");
    assert_eq!(results[1].as_ref().unwrap_err().kind, SourceErrorKind::QuotaExhausted);
    for result in &results[2..] {
        assert_eq!(result.as_ref().unwrap_err().kind, SourceErrorKind::Disabled);
    }
    let stats = server.stats();
    assert_eq!(stats.api(Api::Google), 3, "nothing sent after the quota answer: {stats:?}");
    assert_eq!(stats.quota_exhausted, 1);
    assert!(fetch.disabled_reason().is_some());
}

/// Requests for a Google target asked with a `fields` mask (every Google request has one).
fn masked(stats: &bookenrich_fake_catalogue::Stats, target: &str) -> u64 {
    let sep = if target.contains('?') { '&' } else { '?' };
    stats
        .requests_by_target
        .iter()
        .filter(|(t, _)| {
            t.strip_prefix(target).is_some_and(|rest| rest.starts_with(&format!("{sep}fields=")))
        })
        .map(|(_, n)| n)
        .sum()
}
