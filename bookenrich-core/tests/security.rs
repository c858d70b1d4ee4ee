//! Security guarantees of the library:
//! - the Google API key never appears in logs (captured at TRACE), errors, progress
//!   events, summaries, the processing log, cache keys, the cache file, the dashboard,
//!   URLs, `Debug` output or serialised options — on the happy path and on every error path;
//! - the key is never handed to another host by a redirect;
//! - HTTPS only for the real catalogues (plain http only for an explicitly set base URL),
//!   and cover URLs from a catalogue are https or nothing;
//! - private notes stay out of the dashboard unless asked for.
#![cfg(feature = "http")]
#![expect(clippy::unwrap_used)]

#[path = "support/edge_cases.rs"]
mod edge_cases;

use std::collections::{BTreeMap, HashMap};
use std::io::Write;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use async_trait::async_trait;
use bookenrich_core::config::{
    BuiltinSource, CacheSetting, DEFAULT_GOOGLE_BOOKS_URL, DEFAULT_OPEN_LIBRARY_URL,
    EnricherOptions,
};
use bookenrich_core::csv::ReadOptions;
use bookenrich_core::engine::RateLimit;
use bookenrich_core::engine::{Progress, RetryPolicy};
use bookenrich_core::fetch::Fetcher;
use bookenrich_core::http::{
    HttpClient, HttpRequest, HttpResponse, ReqwestClient, ReqwestClientConfig, TransportError,
};
use bookenrich_core::sources::google_books::GoogleBooksConfig;
use bookenrich_core::sources::open_library::OpenLibraryConfig;
use bookenrich_core::sources::{BookQuery, GenreSource, GoogleBooks, OpenLibrary, SourceErrorKind};
use bookenrich_core::{
    BookAnalytics, BookInfo, DashboardOptions, EnrichedBook, Enricher, Isbn, build_dashboard,
};
use bookenrich_fake_catalogue::{Api, FakeCatalogue, FakeCatalogueHandle, Fault};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;
use url::Url;

/// Shaped like a real key, and unlike anything else in the output.
const API_KEY: &str = "AIzaSyD-SECRET_k3y_0123456789abcdefXYZ";

use edge_cases::records as export;

fn infos(books: &[BookAnalytics]) -> Vec<BookInfo> {
    books.iter().map(BookAnalytics::book_info).collect()
}

/// Asserts `text` (named `what`) does not contain the key, nor its distinctive middle part.
fn assert_no_key(what: &str, text: &str) {
    for needle in [API_KEY, "SECRET_k3y_0123456789"] {
        assert!(!text.contains(needle), "the API key leaked into {what}:\n{text}");
    }
}

/// The memory-bound tests measure the process's peak memory: they run alone (write),
/// the other tests of this file beside each other (read).
static MEMORY: tokio::sync::RwLock<()> = tokio::sync::RwLock::const_new(());

/// Everything a `tracing` subscriber at TRACE writes, for the current thread.
#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Captured {
    fn text(&self) -> String {
        String::from_utf8_lossy(&self.0.lock().unwrap()).into_owned()
    }
}

impl Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl<'a> tracing_subscriber::fmt::MakeWriter<'a> for Captured {
    type Writer = Self;
    fn make_writer(&'a self) -> Self {
        self.clone()
    }
}

/// A TRACE subscriber for this thread; the test runtimes are single-threaded, so it sees
/// everything the run logs (our events, and any of reqwest's/hyper's that use tracing).
fn capture_logs() -> (Captured, tracing::subscriber::DefaultGuard) {
    let captured = Captured::default();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_writer(captured.clone())
        .with_ansi(false)
        .finish();
    let guard = tracing::subscriber::set_default(subscriber);
    (captured, guard)
}

fn quick_retries() -> RetryPolicy {
    RetryPolicy {
        max_attempts: 3,
        base_delay: Duration::from_millis(5),
        max_delay: Duration::from_millis(50),
        max_retry_after: Duration::from_secs(1),
        max_elapsed: Duration::from_secs(20),
    }
}

/// Options pointing at the fake server, the key given as the environment would.
fn options(server: &FakeCatalogueHandle, cache: CacheSetting) -> EnricherOptions {
    let env = HashMap::from([("GOOGLE_BOOKS_API_KEY".to_owned(), API_KEY.to_owned())]);
    EnricherOptions {
        open_library_url: Some(server.base_url()),
        google_books_url: Some(server.base_url()),
        contact: Some("security@bookenrich.invalid".into()),
        rate_limits: Some(BTreeMap::from([
            ("openlibrary".into(), 500.0),
            ("google".into(), 500.0),
        ])),
        cache: Some(cache),
        // Every source for every book, so every error path of both runs.
        merge_policy: Some(bookenrich_core::MergePolicy::Union),
        ..EnricherOptions::default()
    }
    .with_env_map(&env)
    .unwrap()
}

#[tokio::test]
async fn the_api_key_appears_nowhere_even_when_everything_goes_wrong() {
    let _memory = MEMORY.read().await;
    let (logs, _guard) = capture_logs();
    let dir = tempfile::tempdir().unwrap();
    let cache_path = dir.path().join("cache.sqlite3");
    // Retried failures, malformed bodies, a hang, and finally Google's daily quota: every
    // error path that logs, records or reports something.
    let server = FakeCatalogue::builder()
        .with_default_catalogue()
        .fault(Fault::status(503).first_per_url(1))
        .fault(Fault::truncate().on(Api::Google).every_nth(5))
        .fault(Fault::wrong_type().on_route("/search.json").every_nth(3))
        .fault(Fault::too_many_requests(Some(1)).on(Api::Google).every_nth(7))
        .google_daily_quota(12)
        .start()
        .await
        .unwrap();
    let options = options(&server, CacheSetting::Path(cache_path.clone()));
    let debug_options = format!("{options:?}");
    let serialised = serde_json::to_string(&options).unwrap();
    let events = Arc::new(Mutex::new(Vec::<Progress>::new()));
    let sink = Arc::clone(&events);
    let builder = options
        .into_builder()
        .unwrap()
        .retry_policy(quick_retries())
        .request_timeout(Duration::from_secs(5))
        .progress(move |p| sink.lock().unwrap().push(p.clone()));
    let debug_builder = format!("{builder:?}");
    let enricher = builder.build().unwrap();
    let books = export();
    let (results, summary) = enricher.enrich_with_summary(&infos(&books)).await;
    drop(enricher);

    let stats = server.stats();
    assert!(stats.api_keys_seen > 0, "the key was sent (in a header)");
    assert!(stats.quota_exhausted >= 1, "the quota path ran");
    assert!(results.iter().any(|b| b.error.is_some()), "error paths ran");
    assert!(results.iter().any(EnrichedBook::has_genres), "the happy path ran");

    let dashboard = build_dashboard(&books, &results, &DashboardOptions::default());
    assert_no_key("the logs", &logs.text());
    assert!(
        logs.text().contains("TRACE")
            || logs.text().contains("DEBUG")
            || logs.text().contains("WARN"),
        "the subscriber captured the run: {}",
        logs.text()
    );
    assert_no_key("Debug of the options", &debug_options);
    assert_no_key("serialised options", &serialised);
    assert_no_key("Debug of the builder", &debug_builder);
    assert_no_key("the results", &serde_json::to_string(&results).unwrap());
    assert_no_key("Debug of the results", &format!("{results:?}"));
    assert_no_key("the summary", &serde_json::to_string(&summary).unwrap());
    assert_no_key("the progress events", &serde_json::to_string(&*events.lock().unwrap()).unwrap());
    assert_no_key("the dashboard", &dashboard.to_json_string().unwrap());
    assert_no_key("the server's URLs", &format!("{:?}", stats.requests_by_target));
    // The cache: its keys, its rows, and every byte of its files (database, WAL, …).
    let mut files = 0;
    for entry in std::fs::read_dir(dir.path()).unwrap() {
        let path = entry.unwrap().path();
        let bytes = std::fs::read(&path).unwrap();
        assert_no_key(&path.display().to_string(), &String::from_utf8_lossy(&bytes));
        files += 1;
    }
    assert!(files > 0, "the cache was written");
    assert!(std::fs::metadata(&cache_path).unwrap().len() > 0, "the cache holds entries");
}

/// Answers a request by its path and query: status and body.
type Answer = Box<dyn Fn(&str) -> (u16, String) + Send + Sync>;

/// Records every request; answers each with `answer(path_and_query)`.
struct Recorder {
    seen: Mutex<Vec<HttpRequest>>,
    answer: Answer,
}

impl std::fmt::Debug for Recorder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Recorder")
    }
}

#[async_trait]
impl HttpClient for Recorder {
    async fn get(&self, request: HttpRequest) -> Result<HttpResponse, TransportError> {
        let target = match request.url.query() {
            Some(q) => format!("{}?{q}", request.url.path()),
            None => request.url.path().to_owned(),
        };
        self.seen.lock().unwrap().push(request);
        let (status, body) = (self.answer)(&target);
        Ok(HttpResponse { status, retry_after: None, body: body.into() })
    }
}

fn google_fetcher(recorder: &Arc<Recorder>) -> Fetcher {
    let http: Arc<dyn HttpClient> = Arc::<Recorder>::clone(recorder);
    Fetcher::new("google_books", http).with_retry_policy(RetryPolicy::never())
}

fn google_with_key(key: &str) -> GoogleBooks {
    GoogleBooks::new(GoogleBooksConfig {
        base_url: Url::parse("https://www.googleapis.com").unwrap(),
        api_key: Some(key.to_owned()),
    })
}

fn annihilation() -> BookQuery {
    BookQuery {
        isbn: Some(Isbn::parse("9780374104092").unwrap()),
        title: "Annihilation".into(),
        author: "Jeff VanderMeer".into(),
        bookshelves: Vec::new(),
        goodreads_id: None,
    }
}

const G_SEARCH: &str = include_str!("data/google_volumes_isbn_9780374104092_annihilation.json");
const G_VOLUME: &str = include_str!("data/google_volume_2cl7AgAAQBAJ_annihilation.json");

#[tokio::test]
async fn the_key_travels_in_a_header_never_in_a_url_and_not_in_debug_output() {
    let _memory = MEMORY.read().await;
    let recorder = Arc::new(Recorder {
        seen: Mutex::default(),
        answer: Box::new(|target| {
            if target.starts_with("/books/v1/volumes?") {
                (200, G_SEARCH.to_owned())
            } else {
                (200, G_VOLUME.to_owned())
            }
        }),
    });
    let source = google_with_key(API_KEY);
    assert_no_key("Debug of the source", &format!("{source:?}"));
    let results = source.lookup(&[annihilation()], &google_fetcher(&recorder)).await;
    assert!(matches!(&results[0], Ok(Some(_))), "{results:?}");
    let seen = recorder.seen.lock().unwrap();
    assert!(seen.len() >= 2);
    for request in seen.iter() {
        assert_no_key("a URL", request.url.as_str());
        assert_no_key("Debug of a request", &format!("{request:?}"));
        assert!(
            request.headers.iter().any(
                |(name, value)| name.eq_ignore_ascii_case("x-goog-api-key") && value == API_KEY
            ),
            "the key goes in the x-goog-api-key header"
        );
    }
}

#[tokio::test]
async fn a_key_that_cannot_be_sent_fails_the_lookup_without_showing_the_key() {
    let _memory = MEMORY.read().await;
    // A key pasted with a line break cannot go in a header: the request fails, and the
    // error must not quote the header value.
    let server = FakeCatalogue::builder().with_default_catalogue().start().await.unwrap();
    let broken_key = format!("{API_KEY}\r\nX-Injected: 1");
    let enricher = EnricherOptions {
        sources: Some(vec![BuiltinSource::GoogleBooks]),
        google_api_key: Some(broken_key),
        ..options(&server, CacheSetting::Off)
    }
    .into_builder()
    .unwrap()
    .retry_policy(quick_retries())
    .build()
    .unwrap();
    let (logs, _guard) = capture_logs();
    let results = enricher.enrich(&infos(&export())).await;
    assert!(results.iter().all(|b| b.error.is_some()), "{results:?}");
    assert_eq!(server.stats().api_keys_seen, 0, "nothing was injected");
    assert_no_key("the errors", &format!("{results:?}"));
    assert_no_key("the logs", &logs.text());
}

/// A plain HTTP/1.1 server: each request is answered by `answer(head)`; heads are recorded.
async fn raw_server(
    answer: impl Fn(&str) -> String + Send + Sync + 'static,
) -> (String, Arc<Mutex<Vec<String>>>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let heads = Arc::new(Mutex::new(Vec::new()));
    let seen = Arc::clone(&heads);
    let answer = Arc::new(answer);
    tokio::spawn(async move {
        while let Ok((mut socket, _)) = listener.accept().await {
            let seen = Arc::clone(&seen);
            let answer = Arc::clone(&answer);
            tokio::spawn(async move {
                let mut head = Vec::new();
                let mut buf = [0u8; 4096];
                while !head.windows(4).any(|w| w == b"\r\n\r\n") {
                    match socket.read(&mut buf).await {
                        Ok(0) | Err(_) => return,
                        Ok(n) => head.extend_from_slice(&buf[..n]),
                    }
                }
                let head = String::from_utf8_lossy(&head).into_owned();
                let reply = answer(&head);
                seen.lock().unwrap().push(head);
                let _ = socket.write_all(reply.as_bytes()).await;
                let _ = socket.shutdown().await;
            });
        }
    });
    (base, heads)
}

fn reply(status: &str, extra: &str, body: &str) -> String {
    format!(
        "HTTP/1.1 {status}\r\ncontent-length: {}\r\ncontent-type: application/json\r\nconnection: close\r\n{extra}\r\n{body}",
        body.len()
    )
}

#[tokio::test]
async fn a_redirect_never_takes_the_key_to_another_host() {
    let _memory = MEMORY.read().await;
    // The "other host" records what it is sent.
    let (elsewhere, elsewhere_heads) = raw_server(|_| reply("200 OK", "", G_VOLUME)).await;
    // The configured catalogue redirects its volume record there, and its search to itself.
    let target = format!("{elsewhere}/books/v1/volumes/2cl7AgAAQBAJ");
    let (catalogue, catalogue_heads) = raw_server(move |head| {
        if head.starts_with("GET /books/v1/volumes?") {
            reply("302 Found", "location: /books/v1/search-moved\r\n", "")
        } else if head.starts_with("GET /books/v1/search-moved") {
            reply("200 OK", "", G_SEARCH)
        } else {
            reply("302 Found", &format!("location: {target}\r\n"), "")
        }
    })
    .await;
    let client = ReqwestClient::new(&ReqwestClientConfig {
        https_only: false,
        ..ReqwestClientConfig::default()
    })
    .unwrap();
    let http: Arc<dyn HttpClient> = Arc::new(client);
    let fetcher = Fetcher::new("google_books", http).with_retry_policy(RetryPolicy::never());
    let source = GoogleBooks::new(GoogleBooksConfig {
        base_url: Url::parse(&catalogue).unwrap(),
        api_key: Some(API_KEY.to_owned()),
    });
    let results = source.lookup(&[annihilation()], &fetcher).await;

    // A redirect within the catalogue is followed (the search was answered)...
    let catalogue_heads = catalogue_heads.lock().unwrap();
    assert!(
        catalogue_heads.iter().any(|h| h.starts_with("GET /books/v1/search-moved")),
        "{catalogue_heads:?}"
    );
    // ...one to another host is not: the key never reaches it.
    for head in elsewhere_heads.lock().unwrap().iter() {
        assert_no_key("a request to another host", head);
    }
    assert!(
        elsewhere_heads.lock().unwrap().is_empty(),
        "the redirect to another host was followed"
    );
    assert_no_key("the result", &format!("{results:?}"));
}

#[test]
fn the_real_catalogues_are_reached_over_https_only() {
    let _memory = MEMORY.blocking_read();
    assert!(DEFAULT_OPEN_LIBRARY_URL.starts_with("https://"));
    assert!(DEFAULT_GOOGLE_BOOKS_URL.starts_with("https://"));
    assert_eq!(OpenLibraryConfig::default().base_url.scheme(), "https");
    assert_eq!(GoogleBooksConfig::default().base_url.scheme(), "https");
    assert!(ReqwestClientConfig::default().https_only);
    // Only http and https base URLs are accepted at all.
    for bad in ["ftp://openlibrary.org", "file:///etc/passwd", "javascript:alert(1)"] {
        let options = EnricherOptions {
            open_library_url: Some(bad.to_owned()),
            ..EnricherOptions::default()
        };
        assert!(options.build().is_err(), "{bad} accepted");
    }
}

#[tokio::test]
async fn plain_http_is_used_only_for_an_explicitly_configured_base_url() {
    let _memory = MEMORY.read().await;
    let server = FakeCatalogue::builder().with_default_catalogue().start().await.unwrap();
    // Sources pointed at an http:// server, but the default (https-only) transport: refused
    // before anything is sent.
    let enricher = Enricher::builder()
        .source(Arc::new(OpenLibrary::new(OpenLibraryConfig {
            base_url: Url::parse(&server.base_url()).unwrap(),
            ..OpenLibraryConfig::default()
        })))
        .rate_limit("open_library", RateLimit::per_second(100.0))
        .retry_policy(quick_retries())
        .build()
        .unwrap();
    let results = enricher.enrich(&infos(&export())).await;
    assert_eq!(server.stats().total, 0, "nothing went out over plain http");
    for book in &results {
        let error = book.error.as_deref().unwrap();
        assert!(error.starts_with("open_library: "), "{error}");
    }
    // The same through the options, where the http:// URL is the user's explicit choice.
    let explicit = EnricherOptions {
        sources: Some(vec![BuiltinSource::OpenLibrary]),
        ..options(&server, CacheSetting::Off)
    }
    .build()
    .unwrap();
    let results = explicit.enrich(&infos(&export())).await;
    assert!(results.iter().all(|b| b.error.is_none()));
    assert!(server.stats().total > 0);
}

#[tokio::test]
async fn cover_urls_from_a_catalogue_are_https_or_nothing() {
    let _memory = MEMORY.read().await;
    let hostile = [
        ("javascript:alert(document.domain)", None),
        ("data:image/svg+xml;base64,PHN2Zz48L3N2Zz4=", None),
        ("//evil.example/cover.png", None),
        ("ftp://books.example/cover.jpg", None),
        ("file:///etc/passwd", None),
        (" https://books.google.com/x?id=1 ", Some("https://books.google.com/x?id=1")),
        (
            "http://books.google.com/books/content?id=2cl7AgAAQBAJ&printsec=frontcover&img=1&zoom=1&edge=curl",
            Some(
                "https://books.google.com/books/content?id=2cl7AgAAQBAJ&printsec=frontcover&img=1&zoom=1",
            ),
        ),
    ];
    for (thumbnail, want) in hostile {
        let volume: serde_json::Value = {
            let mut v: serde_json::Value = serde_json::from_str(G_VOLUME).unwrap();
            v["volumeInfo"]["imageLinks"] =
                serde_json::json!({"thumbnail": thumbnail, "smallThumbnail": thumbnail});
            v
        };
        let search: serde_json::Value = {
            let mut v: serde_json::Value = serde_json::from_str(G_SEARCH).unwrap();
            for item in v["items"].as_array_mut().unwrap() {
                item["volumeInfo"]["imageLinks"] =
                    serde_json::json!({"thumbnail": thumbnail, "smallThumbnail": thumbnail});
            }
            v
        };
        let (search, volume) = (search.to_string(), volume.to_string());
        let recorder = Arc::new(Recorder {
            seen: Mutex::default(),
            answer: Box::new(move |target| {
                if target.starts_with("/books/v1/volumes?") {
                    (200, search.clone())
                } else {
                    (200, volume.clone())
                }
            }),
        });
        let results =
            google_with_key(API_KEY).lookup(&[annihilation()], &google_fetcher(&recorder)).await;
        let hit = results[0].as_ref().unwrap().as_ref().unwrap();
        assert_eq!(hit.thumbnail_url.as_deref(), want, "{thumbnail}");
        assert_eq!(hit.small_thumbnail_url.as_deref(), want, "{thumbnail}");
        assert!(!hit.genres.is_empty(), "the rest of the record is used");
    }
}

#[test]
fn private_notes_stay_out_of_the_dashboard_unless_asked_for() {
    let _memory = MEMORY.blocking_read();
    let books = export();
    let notes: Vec<&str> = books.iter().filter_map(|b| b.private_notes.as_deref()).collect();
    assert!(!notes.is_empty(), "the fixture has private notes");
    let default =
        build_dashboard(&books, &[], &DashboardOptions::default()).to_json_string().unwrap();
    for note in &notes {
        assert!(!default.contains(note), "private note {note:?} in the dashboard");
    }
    let value: serde_json::Value = serde_json::from_str(&default).unwrap();
    for book in value["books"].as_array().unwrap() {
        assert!(book["private_notes"].is_null(), "{book}");
    }
    let asked = build_dashboard(
        &books,
        &[],
        &DashboardOptions { include_private_notes: true, ..DashboardOptions::default() },
    )
    .to_json_string()
    .unwrap();
    let value: serde_json::Value = serde_json::from_str(&asked).unwrap();
    let included: Vec<&str> = value["books"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|b| b["private_notes"].as_str())
        .collect();
    assert_eq!(included, notes, "included when asked for");
}

// Resource bounds: a hostile file or server cannot exhaust memory or the stack.

/// The process's peak resident memory so far, in bytes (Linux; `None` elsewhere).
fn peak_rss() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb * 1024)
}

/// An export whose second row has a `My Review` cell of `huge` bytes, generated as it
/// is read (never held in memory by the test).
struct HugeCellExport {
    head: Vec<u8>,
    huge: u64,
    tail: Vec<u8>,
    pos: u64,
}

impl HugeCellExport {
    fn new(huge: u64) -> Self {
        let header = bookenrich_core::csv::KNOWN_COLUMNS.join(",");
        let row = |id: &str, review: &str| {
            format!("{id},Title {id},Author,,,,,,,,,,,,2020/01/02,,,,read,{review},,,1,0\n")
        };
        let first = row("1", "short");
        let second = row("2", "\u{1}");
        let (before, after) = second.split_once('\u{1}').unwrap();
        Self {
            head: format!("{header}\n{first}{before}").into_bytes(),
            huge,
            tail: format!("{after}{}", row("3", "also short")).into_bytes(),
            pos: 0,
        }
    }
}

impl std::io::Read for HugeCellExport {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let head = self.head.len() as u64;
        let (pos, mut n) = (self.pos, 0usize);
        while n < buf.len() {
            let at = pos + n as u64;
            let byte = if at < head {
                self.head[usize::try_from(at).unwrap()]
            } else if at < head + self.huge {
                b'x'
            } else if let Some(b) = self.tail.get(usize::try_from(at - head - self.huge).unwrap()) {
                *b
            } else {
                break;
            };
            buf[n] = byte;
            n += 1;
        }
        self.pos += n as u64;
        Ok(n)
    }
}

#[test]
fn a_huge_csv_cell_is_reported_not_loaded() {
    const HUGE: u64 = 96 * 1024 * 1024;
    let _memory = MEMORY.blocking_write();
    let before = peak_rss();
    let export = bookenrich_core::csv::read_export(
        HugeCellExport::new(HUGE),
        "<generated>",
        &ReadOptions::default(),
    )
    .unwrap();
    let ids: Vec<&str> = export.books.iter().map(|b| b.goodreads_id.as_str()).collect();
    assert_eq!(ids, ["1", "3"], "the rows around it are read");
    assert_eq!(export.problems.len(), 1);
    let problem = &export.problems[0];
    assert_eq!(problem.line, 3);
    assert_eq!(problem.kind, bookenrich_core::csv::RowProblemKind::FieldTooLarge);
    assert_eq!(
        problem.message,
        format!("column \"My Review\" has {HUGE} bytes, more than the limit of 1048576")
    );
    if let (Some(before), Some(after)) = (before, peak_rss()) {
        assert!(
            after.saturating_sub(before) < 32 * 1024 * 1024,
            "reading a {HUGE}-byte cell raised peak memory by {} bytes",
            after - before
        );
    }
}

#[tokio::test]
async fn a_response_over_the_cap_is_refused_while_streaming() {
    let _memory = MEMORY.write().await;
    // A server that streams 512 MiB (no Content-Length) for every request.
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let sent = Arc::new(std::sync::atomic::AtomicU64::new(0));
    let counter = Arc::clone(&sent);
    tokio::spawn(async move {
        while let Ok((mut socket, _)) = listener.accept().await {
            let counter = Arc::clone(&counter);
            tokio::spawn(async move {
                let mut buf = [0u8; 4096];
                let _ = socket.read(&mut buf).await;
                let head = b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\nconnection: close\r\n\r\n{\"docs\":\"";
                if socket.write_all(head).await.is_err() {
                    return;
                }
                let chunk = vec![b'a'; 64 * 1024];
                for _ in 0..(512 * 16) {
                    if socket.write_all(&chunk).await.is_err() {
                        return;
                    }
                    counter.fetch_add(chunk.len() as u64, std::sync::atomic::Ordering::Relaxed);
                }
            });
        }
    });
    let before = peak_rss();
    let enricher = EnricherOptions {
        sources: Some(vec![BuiltinSource::OpenLibrary]),
        open_library_url: Some(base),
        max_body_bytes: Some(1024 * 1024),
        rate_limits: Some(BTreeMap::from([("openlibrary".into(), 500.0)])),
        cache: Some(CacheSetting::Off),
        ..EnricherOptions::default()
    }
    .into_builder()
    .unwrap()
    .retry_policy(quick_retries())
    .build()
    .unwrap();
    let books = vec![BookInfo::new("Some Title", "Some Author")];
    let (results, summary) = enricher.enrich_with_summary(&books).await;
    let error = results[0].error.as_deref().unwrap();
    assert!(error.contains("response larger than 1048576 bytes"), "{error}");
    assert_eq!(summary.requests, 1, "a body over the cap is not asked for again");
    assert!(
        sent.load(std::sync::atomic::Ordering::Relaxed) < 64 * 1024 * 1024,
        "the client stopped reading at the cap"
    );
    if let (Some(before), Some(after)) = (before, peak_rss()) {
        assert!(after.saturating_sub(before) < 32 * 1024 * 1024, "{}", after - before);
    }
}

/// JSON nested `depth` deep inside `{"docs": …}`.
fn deeply_nested(depth: usize) -> String {
    format!("{{\"docs\":{}{}}}", "[".repeat(depth), "]".repeat(depth))
}

#[tokio::test]
async fn deeply_nested_json_cannot_overflow_the_stack() {
    let _memory = MEMORY.read().await;
    let deep = deeply_nested(100_000);
    // The dashboard reader (`bookenrich report`): nesting where the shape allows none, and
    // where it is skipped (an unknown field), is an error or ignored, never a crash.
    for nested in [
        deep.clone(),
        format!("{{\"books\":[{}", "{\"genres\":[".repeat(50_000)),
        format!("{{\"export_id\":{}", "{\"a\":".repeat(100_000)),
    ] {
        let err = bookenrich_core::Dashboard::from_json_slice(nested.as_bytes(), "deep.json")
            .unwrap_err();
        assert!(err.to_string().starts_with("deep.json: invalid dashboard JSON"), "{err}");
    }

    // Both sources, on every route: each book fails with a malformed-response error.
    let answer = deep.clone();
    let recorder = Arc::new(Recorder {
        seen: Mutex::default(),
        answer: Box::new(move |_| (200, answer.clone())),
    });
    let http: Arc<dyn HttpClient> = Arc::<Recorder>::clone(&recorder);
    let books = [annihilation(), BookQuery::new("No ISBN", "Someone")];
    let sources: [Arc<dyn GenreSource>; 2] =
        [Arc::new(OpenLibrary::default()), Arc::new(GoogleBooks::default())];
    for source in sources {
        let fetcher =
            Fetcher::new(source.name(), Arc::clone(&http)).with_retry_policy(RetryPolicy::never());
        // An error, or "no result" where the shape allows it (an object without `items` is
        // Google's zero-hit answer); never a hit, never a crash.
        for result in source.lookup(&books, &fetcher).await {
            match result {
                Ok(None) => {}
                Err(e) => assert_eq!(e.kind, SourceErrorKind::MalformedResponse, "{e}"),
                Ok(Some(hit)) => panic!("{}: a hit from nested brackets: {hit:?}", source.name()),
            }
        }
    }

    // And end to end through the fake server, on every route of both catalogues.
    let server = FakeCatalogue::builder()
        .with_default_catalogue()
        .fault(Fault::deep_nesting(100_000))
        .start()
        .await
        .unwrap();
    let results = options(&server, CacheSetting::Off)
        .into_builder()
        .unwrap()
        .retry_policy(quick_retries())
        .build()
        .unwrap()
        .enrich(&infos(&export()))
        .await;
    assert_eq!(results.len(), export().len());
    for book in &results {
        assert!(!book.has_genres());
        assert!(
            book.error.as_deref().unwrap().contains("not the expected JSON"),
            "{:?}",
            book.error
        );
    }
}
