//! The built-in sources driven through a real `Fetcher` over a scripted in-process
//! transport that serves the recorded catalogue responses: request plans (batching,
//! caching, fallbacks) and URL shapes, without a network stack.
#![expect(clippy::unwrap_used)]

use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use bookenrich_core::Isbn;
use bookenrich_core::cache::MemoryCache;
use bookenrich_core::engine::RetryPolicy;
use bookenrich_core::fetch::Fetcher;
use bookenrich_core::http::{HttpClient, HttpRequest, HttpResponse, TransportError};
use bookenrich_core::sources::google_books::GoogleBooksConfig;
use bookenrich_core::sources::open_library::{IdentifierLookup, OpenLibraryConfig};
use bookenrich_core::sources::{BookQuery, GenreSource, GoogleBooks, OpenLibrary, SourceErrorKind};
use bookenrich_fake_catalogue::complete_isbn13;
use url::Url;

const OL_THREE_BIBKEYS: &str = include_str!("data/openlibrary_api_books_jscmd_data_3_bibkeys.json");
const OL_NO_SUBJECTS: &str = include_str!(
    "data/openlibrary_api_books_jscmd_data_isbn_9782070427796_no_subjects_no_cover.json"
);
const OL_SEARCH_TIME_WAR: &str = include_str!("data/openlibrary_search_json_time_war.json");
const OL_WORK_MR_FOX: &str = include_str!("data/openlibrary_works_OL45804W_fantastic_mr_fox.json");
const G_SEARCH_ANNIHILATION: &str =
    include_str!("data/google_volumes_isbn_9780374104092_annihilation.json");
const G_VOLUME_ANNIHILATION: &str =
    include_str!("data/google_volume_2cl7AgAAQBAJ_annihilation.json");
const G_SEARCH_CHILDREN: &str = include_str!("data/google_volumes_search_children_of_time.json");
const G_VOLUME_CHILDREN: &str =
    include_str!("data/google_volume_49T5twEACAAJ_children_of_time.json");
const G_ZERO: &str = include_str!("data/google_volumes_zero_items.json");

const BASE: &str = "http://catalogue.test";
const FIELDS: &str =
    "fields=key,title,author_name,subject,ddc,lcc,isbn,cover_i,edition_key&limit=5";

type Handler = dyn Fn(&str) -> (u16, String) + Send + Sync;

/// Answers each request by its path and query; records what it was asked.
struct Router {
    handler: Box<Handler>,
    seen: Mutex<Vec<HttpRequest>>,
}

impl std::fmt::Debug for Router {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Router")
    }
}

impl Router {
    fn new(handler: impl Fn(&str) -> (u16, String) + Send + Sync + 'static) -> Arc<Self> {
        Arc::new(Self { handler: Box::new(handler), seen: Mutex::default() })
    }

    /// Path and query of every request, in order.
    fn paths(&self) -> Vec<String> {
        self.seen.lock().unwrap().iter().map(|r| path_and_query(&r.url)).collect()
    }

    fn count(&self, prefix: &str) -> usize {
        self.paths().iter().filter(|p| p.starts_with(prefix)).count()
    }
}

/// Google's `fields` mask is left out: the unit tests check it, and the scripted answers are
/// the full recorded records (a superset of the masked ones, read the same).
fn path_and_query(url: &Url) -> String {
    let google = url.path().starts_with("/books/v1/");
    let kept = |p: &&str| !(google && p.starts_with("fields="));
    let query = url.query().map(|q| q.split('&').filter(kept).collect::<Vec<_>>().join("&"));
    match query.filter(|q| !q.is_empty()) {
        Some(q) => format!("{}?{q}", url.path()),
        None => url.path().to_owned(),
    }
}

#[async_trait]
impl HttpClient for Router {
    async fn get(&self, request: HttpRequest) -> Result<HttpResponse, TransportError> {
        let (status, body) = (self.handler)(&path_and_query(&request.url));
        self.seen.lock().unwrap().push(request);
        Ok(HttpResponse { status, retry_after: None, body: body.into_bytes().into() })
    }
}

fn fetcher(name: &str, router: &Arc<Router>) -> Fetcher {
    Fetcher::new(name, Arc::clone(router) as Arc<dyn HttpClient>)
        .with_retry_policy(RetryPolicy::never())
}

fn open_library() -> OpenLibrary {
    OpenLibrary::new(OpenLibraryConfig {
        base_url: Url::parse(BASE).unwrap(),
        // These exercise the Books API plan; the bulk identifier plan has its own tests.
        lookup: IdentifierLookup::BooksApi,
        ..OpenLibraryConfig::default()
    })
}

fn google(key: Option<&str>) -> GoogleBooks {
    GoogleBooks::new(GoogleBooksConfig {
        base_url: Url::parse(BASE).unwrap(),
        api_key: key.map(str::to_owned),
    })
}

fn book(isbn: Option<&str>, title: &str, author: &str) -> BookQuery {
    BookQuery {
        isbn: isbn.map(|i| Isbn::parse(i).unwrap()),
        title: title.to_owned(),
        author: author.to_owned(),
        bookshelves: Vec::new(),
        goodreads_id: None,
    }
}

/// The `n`-th synthetic ISBN-13 (`978` + 9 digits + check digit).
fn synthetic_isbn(n: u64) -> String {
    complete_isbn13(&format!("978{n:09}")).unwrap()
}

/// A Books API answer with an entry for every requested ISBN accepted by `known`.
fn books_api_answer(path: &str, known: impl Fn(&str) -> bool) -> String {
    let query = path.split_once('?').map_or("", |(_, q)| q);
    let bibkeys = query.split('&').find_map(|p| p.strip_prefix("bibkeys=")).unwrap_or_default();
    let mut out = serde_json::Map::new();
    for key in bibkeys.split(',') {
        let isbn = key.trim_start_matches("ISBN:");
        if known(isbn) {
            // The synthetic number doubles as edition and cover id.
            let n: u64 = isbn[3..12].parse().unwrap();
            out.insert(
                key.to_owned(),
                serde_json::json!({
                    "key": format!("/books/OL{n}M"),
                    "title": format!("Book {n}"),
                    "subjects": [{"name": "Fiction", "url": "https://openlibrary.org/subjects/fiction"}],
                    "cover": {"medium": format!("https://covers.openlibrary.org/b/id/{n}-M.jpg")},
                }),
            );
        }
    }
    serde_json::Value::Object(out).to_string()
}

fn not_found() -> (u16, String) {
    (404, r#"{"error": "notfound"}"#.to_owned())
}

#[tokio::test]
async fn isbn_books_cost_one_books_api_request_per_forty() {
    let router = Router::new(|path| {
        if path.starts_with("/api/books?") {
            (200, books_api_answer(path, |_| true))
        } else {
            not_found()
        }
    });
    let ol = open_library();
    let fetch = fetcher("open_library", &router);
    let books: Vec<BookQuery> =
        (1..=85).map(|n| book(Some(&synthetic_isbn(n)), &format!("Book {n}"), "Author")).collect();

    // Called in batches as the engine does, and with everything at once: the same plan.
    let mut results = Vec::new();
    for chunk in books.chunks(ol.batch_size()) {
        results.extend(ol.lookup(chunk, &fetch).await);
    }
    assert_eq!(router.count("/api/books?"), 3, "ceil(85 / 40) requests");
    assert_eq!(router.paths().len(), 3, "nothing but the batches: {:?}", router.paths());
    let all_at_once = Router::new(|path| {
        if path.starts_with("/api/books?") {
            (200, books_api_answer(path, |_| true))
        } else {
            not_found()
        }
    });
    let results_2 = ol.lookup(&books, &fetcher("open_library", &all_at_once)).await;
    assert_eq!(all_at_once.paths().len(), 3);
    assert_eq!(results, results_2);

    assert_eq!(results.len(), 85);
    for (n, result) in (1..=85u64).zip(&results) {
        let hit = result.as_ref().unwrap().as_ref().unwrap();
        let isbn = synthetic_isbn(n);
        assert_eq!(hit.genres, ["Fiction"]);
        assert!(hit.identifiers.contains(&format!("isbn:{isbn}")), "results in input order");
        assert_eq!(
            hit.thumbnail_url,
            Some(format!("https://covers.openlibrary.org/b/id/{n}-M.jpg"))
        );
    }
    let first = &router.paths()[0];
    assert!(
        first.starts_with(&format!(
            "/api/books?bibkeys=ISBN:{},ISBN:{}",
            synthetic_isbn(1),
            synthetic_isbn(2)
        )),
        "{first}"
    );
    assert!(first.ends_with("&format=json&jscmd=data"), "{first}");
}

#[tokio::test]
async fn books_api_entries_are_cached_per_isbn() {
    let router = Router::new(|path| {
        if path.starts_with("/api/books?") {
            // Odd ISBNs are unknown to the Books API.
            (200, books_api_answer(path, |isbn| isbn.as_bytes()[11] % 2 == 0))
        } else if path.starts_with("/search.json?") {
            (200, r#"{"numFound": 0, "docs": []}"#.to_owned())
        } else {
            not_found()
        }
    });
    let cache = Arc::new(MemoryCache::new());
    let ol = open_library();
    let fetch = fetcher("open_library", &router).with_cache(cache.clone());
    let books: Vec<BookQuery> =
        (1..=6).map(|n| book(Some(&synthetic_isbn(n)), &format!("Book {n}"), "Author")).collect();
    let known = |b: &BookQuery| b.isbn.unwrap().as_isbn13().as_bytes()[11] % 2 == 0;

    let first = ol.lookup(&books, &fetch).await;
    let expected_searches = books.iter().filter(|b| !known(b)).count();
    assert_eq!(router.count("/api/books?"), 1);
    assert_eq!(
        router.count("/search.json?"),
        expected_searches,
        "unknown ISBNs fall back to search"
    );
    for (b, r) in books.iter().zip(&first) {
        assert_eq!(r.as_ref().unwrap().is_some(), known(b), "{b:?}");
    }

    // A second run asks nothing: entries, negative entries and searches are cached.
    let before = router.paths().len();
    let second = ol.lookup(&books, &fetch).await;
    assert_eq!(router.paths().len(), before, "{:?}", &router.paths()[before..]);
    let strip_notes = |rs: &[bookenrich_core::sources::SourceResult]| {
        rs.iter()
            .map(|r| r.clone().map(|h| h.map(|h| (h.genres, h.identifiers, h.thumbnail_url))))
            .collect::<Vec<_>>()
    };
    assert_eq!(strip_notes(&first), strip_notes(&second));

    // New books beside cached ones: only the new ISBNs go in the batch.
    let mut more = books.clone();
    more.push(book(Some(&synthetic_isbn(8)), "Book 8", "Author"));
    more.push(book(Some(&synthetic_isbn(10)), "Book 10", "Author"));
    let before = router.paths().len();
    let third = ol.lookup(&more, &fetch).await;
    let asked = &router.paths()[before..];
    assert_eq!(
        asked,
        [format!(
            "/api/books?bibkeys=ISBN:{},ISBN:{}&format=json&jscmd=data",
            synthetic_isbn(8),
            synthetic_isbn(10)
        )]
    );
    assert!(third[6].as_ref().unwrap().is_some() && third[7].as_ref().unwrap().is_some());
}

#[tokio::test]
async fn duplicate_isbns_are_asked_once_and_answered_for_each_book() {
    let router = Router::new(|path| (200, books_api_answer(path, |_| true)));
    let isbn = synthetic_isbn(7);
    let books = [book(Some(&isbn), "A", "X"), book(Some(&isbn), "A (copy)", "X")];
    let results = open_library().lookup(&books, &fetcher("open_library", &router)).await;
    assert_eq!(router.paths(), [format!("/api/books?bibkeys=ISBN:{isbn}&format=json&jscmd=data")]);
    assert!(results.iter().all(|r| r.as_ref().unwrap().is_some()));
}

#[tokio::test]
async fn recorded_batch_entry_is_read_for_the_requested_bibkey() {
    // The recorded answer is keyed `ISBN:0439064872`; asked by ISBN-13 the server keys it by the ISBN-13.
    let router = Router::new(|path| {
        if path == "/api/books?bibkeys=ISBN:9780439064873&format=json&jscmd=data" {
            let recorded: serde_json::Value = serde_json::from_str(OL_THREE_BIBKEYS).unwrap();
            (
                200,
                serde_json::json!({"ISBN:9780439064873": recorded["ISBN:0439064872"]}).to_string(),
            )
        } else {
            not_found()
        }
    });
    let results = open_library()
        .lookup(
            &[book(
                Some("0439064872"),
                "Harry Potter and the Chamber of Secrets (Harry Potter, #2)",
                "J.K. Rowling",
            )],
            &fetcher("open_library", &router),
        )
        .await;
    let hit = results[0].as_ref().unwrap().as_ref().unwrap();
    assert_eq!(hit.genres.len(), 94);
    assert_eq!(
        hit.thumbnail_url.as_deref(),
        Some("https://covers.openlibrary.org/b/id/11416356-M.jpg")
    );
    assert_eq!(hit.identifiers, ["/books/OL32784120M", "isbn:9780439064873", "goodreads:50968"]);
    assert_eq!(router.paths().len(), 1, "subjects were in the record: no search, no work");
}

#[tokio::test]
async fn isbn_less_book_is_found_by_search_with_the_series_suffix_stripped() {
    let router = Router::new(|path| {
        if path
            == format!(
                "/search.json?title=This+Is+How+You+Lose+the+Time+War&author=Amal+El-Mohtar&{FIELDS}"
            )
        {
            (200, OL_SEARCH_TIME_WAR.to_owned())
        } else {
            not_found()
        }
    });
    let results = open_library()
        .lookup(
            &[book(None, "This Is How You Lose the Time War (Time War, #1)", "Amal El-Mohtar")],
            &fetcher("open_library", &router),
        )
        .await;
    let hit = results[0].as_ref().unwrap().as_ref().unwrap();
    assert_eq!(hit.genres, ["epistolary", "science fiction", "time-traveling", "LGBT"]);
    assert_eq!(hit.identifiers, ["/works/OL20639540W"]);
    assert_eq!(router.paths().len(), 1, "{:?}", router.paths());
}

#[tokio::test]
async fn a_search_doc_without_subjects_gets_its_work_subjects_by_one_works_url() {
    let search = serde_json::json!({
        "numFound": 2,
        "docs": [
            {"key": "/works/OL999W", "title": "Fantastic Mr. Fox: A Study Guide", "author_name": ["Course Hero"], "subject": ["Study guides"]},
            {"key": "/works/OL45804W", "title": "Fantastic Mr Fox", "author_name": ["Roald Dahl"], "cover_i": 6_498_519, "isbn": ["9780140328721"]}
        ]
    })
    .to_string();
    let router = Router::new(move |path| {
        if path.starts_with("/api/books?") {
            (200, "{}".to_owned())
        } else if path.starts_with("/search.json?title=Fantastic+Mr.+Fox&author=Roald+Dahl&") {
            (200, search.clone())
        } else if path == "/works/OL45804W.json" {
            (200, OL_WORK_MR_FOX.to_owned())
        } else {
            not_found()
        }
    });
    let results = open_library()
        .lookup(
            &[book(Some("9780140328721"), "Fantastic Mr. Fox", "Roald Dahl")],
            &fetcher("open_library", &router),
        )
        .await;
    let hit = results[0].as_ref().unwrap().as_ref().unwrap();
    assert_eq!(hit.genres.len(), 31);
    assert_eq!(hit.identifiers, ["/works/OL45804W", "isbn:9780140328721"]);
    assert_eq!(
        hit.thumbnail_url.as_deref(),
        Some("https://covers.openlibrary.org/b/id/6498519-M.jpg")
    );
    let paths = router.paths();
    assert_eq!(paths.len(), 3, "batch, search, work: {paths:?}");
    assert_eq!(paths[2], "/works/OL45804W.json");
    assert!(paths.iter().all(|p| !p.contains("/works//works/")));
}

#[tokio::test]
async fn a_batch_record_without_subjects_finds_its_work_by_search() {
    let search = serde_json::json!({
        "docs": [{"key": "/works/OL2631089W", "title": "Les ombres errantes", "author_name": ["Pascal Quignard"], "isbn": ["9782070427796", "207042779X"]}]
    })
    .to_string();
    let work = serde_json::json!({"key": "/works/OL2631089W", "subjects": ["Roman", "Prix Goncourt"], "covers": [-1, 5_555_555]}).to_string();
    let router = Router::new(move |path| {
        if path == "/api/books?bibkeys=ISBN:9782070427796&format=json&jscmd=data" {
            (200, OL_NO_SUBJECTS.to_owned())
        } else if path.starts_with("/search.json?title=Les+ombres+errantes&author=Pascal+Quignard&")
        {
            (200, search.clone())
        } else if path == "/works/OL2631089W.json" {
            (200, work.clone())
        } else {
            not_found()
        }
    });
    let results = open_library()
        .lookup(
            &[book(Some("9782070427796"), "Les ombres errantes", "Pascal Quignard")],
            &fetcher("open_library", &router),
        )
        .await;
    let hit = results[0].as_ref().unwrap().as_ref().unwrap();
    assert_eq!(hit.genres, ["Roman", "Prix Goncourt"]);
    assert_eq!(
        hit.identifiers,
        ["/books/OL16262504M", "isbn:9782070427796", "goodreads:1835483", "/works/OL2631089W"]
    );
    assert_eq!(
        hit.thumbnail_url.as_deref(),
        Some("https://covers.openlibrary.org/b/id/5555555-M.jpg")
    );
    assert_eq!(router.paths().len(), 3);

    // Without work subjects configured, the record alone is the answer.
    let quiet = Router::new(|path| {
        (
            200,
            if path.starts_with("/api/books?") {
                OL_NO_SUBJECTS.to_owned()
            } else {
                "{}".to_owned()
            },
        )
    });
    let ol = OpenLibrary::new(OpenLibraryConfig {
        fetch_work_subjects: false,
        ..open_library().config().clone()
    });
    let results = ol
        .lookup(
            &[book(Some("9782070427796"), "Les ombres errantes", "Pascal Quignard")],
            &fetcher("open_library", &quiet),
        )
        .await;
    assert!(results[0].as_ref().unwrap().as_ref().unwrap().genres.is_empty());
    assert_eq!(quiet.paths().len(), 1);
}

#[tokio::test]
async fn a_poorly_matching_search_finds_nothing() {
    let router = Router::new(|path| {
        if path.starts_with("/search.json?") {
            (200, OL_SEARCH_TIME_WAR.to_owned())
        } else {
            not_found()
        }
    });
    let results = open_library()
        .lookup(&[book(None, "The Alchemist", "Paulo Coelho")], &fetcher("open_library", &router))
        .await;
    assert_eq!(results[0], Ok(None));
    let results =
        open_library().lookup(&[book(None, "   ", "")], &fetcher("open_library", &router)).await;
    assert_eq!(results[0], Ok(None), "nothing to search by");
    assert_eq!(router.paths().len(), 1);
}

#[tokio::test]
async fn a_failed_batch_fails_its_isbn_books_only() {
    let router = Router::new(|path| {
        if path.starts_with("/api/books?") {
            (503, "Service Unavailable".to_owned())
        } else if path.starts_with("/search.json?title=This+Is+How") {
            (200, OL_SEARCH_TIME_WAR.to_owned())
        } else {
            not_found()
        }
    });
    let books = [
        book(Some(&synthetic_isbn(1)), "Book 1", "A"),
        book(None, "This Is How You Lose the Time War", "Amal El-Mohtar"),
        book(Some(&synthetic_isbn(2)), "Book 2", "A"),
    ];
    let results = open_library().lookup(&books, &fetcher("open_library", &router)).await;
    for i in [0, 2] {
        let e = results[i].as_ref().unwrap_err();
        assert_eq!(e.kind, SourceErrorKind::Server);
        assert!(e.url.as_deref().is_some_and(|u| u.contains("/api/books?bibkeys=")), "{e}");
    }
    assert!(results[1].as_ref().unwrap().is_some());
}

#[tokio::test]
async fn a_malformed_entry_fails_its_book_only() {
    let (good, bad) = (synthetic_isbn(1), synthetic_isbn(2));
    let body = serde_json::json!({
        format!("ISBN:{good}"): {"key": "/books/OL1M", "subjects": [{"name": "Fiction"}]},
        format!("ISBN:{bad}"): {"key": "/books/OL2M", "subjects": "Fiction"}
    })
    .to_string();
    let router = Router::new(move |_| (200, body.clone()));
    let cache = Arc::new(MemoryCache::new());
    let results = open_library()
        .lookup(
            &[book(Some(&good), "G", "A"), book(Some(&bad), "B", "A")],
            &fetcher("open_library", &router).with_cache(cache.clone()),
        )
        .await;
    assert_eq!(results[0].as_ref().unwrap().as_ref().unwrap().genres, ["Fiction"]);
    let e = results[1].as_ref().unwrap_err();
    assert_eq!(e.kind, SourceErrorKind::MalformedResponse);
    assert!(e.message.contains(&format!("ISBN:{bad}")), "{e}");
    assert!(e.url.as_deref().is_some_and(|u| u.starts_with(BASE)), "{e}");
    assert_eq!(cache.len(), 1, "only the good entry is cached");
}

#[tokio::test]
async fn google_isbn_search_then_volume_record_with_key_in_header_only() {
    let router = Router::new(|path| match path {
        "/books/v1/volumes?q=isbn:9780374104092" => (200, G_SEARCH_ANNIHILATION.to_owned()),
        "/books/v1/volumes/2cl7AgAAQBAJ" => (200, G_VOLUME_ANNIHILATION.to_owned()),
        _ => not_found(),
    });
    let g = google(Some("SECRET-KEY"));
    let results = g
        .lookup(
            &[book(Some("0374104093"), "Annihilation (Southern Reach #1)", "Jeff VanderMeer")],
            &fetcher("google_books", &router),
        )
        .await;
    let hit = results[0].as_ref().unwrap().as_ref().unwrap();
    assert_eq!(hit.genres.len(), 8, "full categories from the volume record");
    assert_eq!(hit.genres[0], "Fiction / General");
    assert!(
        hit.thumbnail_url
            .as_deref()
            .is_some_and(|u| u.starts_with("https://") && !u.contains("edge=curl"))
    );
    assert_eq!(hit.identifiers, ["google:2cl7AgAAQBAJ", "isbn:9780374104092"]);
    assert_eq!(
        router.paths(),
        ["/books/v1/volumes?q=isbn:9780374104092", "/books/v1/volumes/2cl7AgAAQBAJ"]
    );
    for request in router.seen.lock().unwrap().iter() {
        assert!(!request.url.as_str().contains("SECRET"), "{}", request.url);
        assert_eq!(request.headers, [("x-goog-api-key".to_owned(), "SECRET-KEY".to_owned())]);
    }
}

#[tokio::test]
async fn google_skips_decoys_then_tries_isbn10_then_title() {
    let router = Router::new(|path| match path {
        // The ISBN search answers other editions only.
        "/books/v1/volumes?q=isbn:9781447273301" => (200, G_SEARCH_CHILDREN.to_owned()),
        "/books/v1/volumes?q=isbn:1447273303" => (200, G_ZERO.to_owned()),
        "/books/v1/volumes?q=intitle:%22Children+of+Time%22+inauthor:%22Adrian+Tchaikovsky%22" => {
            (200, G_SEARCH_CHILDREN.to_owned())
        }
        "/books/v1/volumes/49T5twEACAAJ" => (200, G_VOLUME_CHILDREN.to_owned()),
        _ => not_found(),
    });
    let results = google(None)
        .lookup(
            &[book(
                Some("9781447273301"),
                "Children of Time (Children of Time #1)",
                "Adrian Tchaikovsky",
            )],
            &fetcher("google_books", &router),
        )
        .await;
    let hit = results[0].as_ref().unwrap().as_ref().unwrap();
    assert_eq!(hit.genres.len(), 5);
    assert!(hit.genres.iter().any(|g| g == "Fiction / Science Fiction / Space Opera"));
    assert_eq!(hit.identifiers[0], "google:49T5twEACAAJ");
    assert!(hit.notes.iter().any(|n| n.contains("lack that ISBN")), "{:?}", hit.notes);
    assert_eq!(router.paths().len(), 4, "{:?}", router.paths());
    assert!(router.seen.lock().unwrap().iter().all(|r| r.headers.is_empty()), "no key, no header");
}

#[tokio::test]
async fn google_without_a_matching_volume_finds_nothing() {
    let router = Router::new(|path| {
        if path.starts_with("/books/v1/volumes?q=intitle:") {
            (200, G_SEARCH_CHILDREN.to_owned())
        } else {
            (200, G_ZERO.to_owned())
        }
    });
    let results = google(None)
        .lookup(
            &[book(Some("9780140328721"), "Fantastic Mr. Fox", "Roald Dahl")],
            &fetcher("google_books", &router),
        )
        .await;
    assert_eq!(results[0], Ok(None));
    assert_eq!(router.count("/books/v1/volumes/"), 0, "no volume fetched for a rejected item");
    assert_eq!(router.paths().len(), 3, "isbn-13, isbn-10, title: {:?}", router.paths());
}

#[tokio::test]
async fn google_volume_404_falls_back_to_the_search_record() {
    let router = Router::new(|path| {
        if path == "/books/v1/volumes?q=isbn:9780374104092" {
            (200, G_SEARCH_ANNIHILATION.to_owned())
        } else {
            not_found()
        }
    });
    let results = google(None)
        .lookup(
            &[book(Some("9780374104092"), "Annihilation", "Jeff VanderMeer")],
            &fetcher("google_books", &router),
        )
        .await;
    let hit = results[0].as_ref().unwrap().as_ref().unwrap();
    assert_eq!(hit.genres, ["Fiction"]);
    assert!(hit.notes.iter().any(|n| n.contains("not found")), "{:?}", hit.notes);
}

#[tokio::test]
async fn google_daily_quota_stops_the_source_for_the_rest_of_the_batch() {
    let body = r#"{"error":{"code":429,"message":"Quota exceeded for quota metric 'Queries' and limit 'Queries per day' of service 'books.googleapis.com' for consumer 'project_number:1'.","errors":[{"domain":"global","reason":"rateLimitExceeded"}]}}"#;
    let router = Router::new(move |_| (429, body.to_owned()));
    let fetch = fetcher("google_books", &router);
    let books = [
        book(Some("9780374104092"), "Annihilation", "Jeff VanderMeer"),
        book(None, "Children of Time", "Adrian Tchaikovsky"),
    ];
    let results = google(None).lookup(&books, &fetch).await;
    assert_eq!(results[0].as_ref().unwrap_err().kind, SourceErrorKind::QuotaExhausted);
    assert_eq!(results[1].as_ref().unwrap_err().kind, SourceErrorKind::QuotaExhausted);
    assert_eq!(router.paths().len(), 1, "no request after the quota answer");
    assert!(fetch.disabled_reason().is_some());

    // A later call on the same run is refused without requests.
    let later = google(None).lookup(&books[1..], &fetch).await;
    assert_eq!(later[0].as_ref().unwrap_err().kind, SourceErrorKind::Disabled);
    assert_eq!(router.paths().len(), 1);
}
