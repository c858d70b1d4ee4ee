//! Shared pieces of the fuzz targets: a scripted transport that answers every request
//! with bytes taken from the fuzz input, and a runtime to drive the async sources.
//!
//! A fuzz input for a source target is a sequence of responses separated by NUL bytes
//! (JSON text never contains a raw NUL). Each response is served to the next request;
//! the last one answers every request after it. A response may start with `#NNN` to be
//! served with HTTP status NNN instead of 200, so 404/429/5xx paths are reached too.

use std::sync::{Arc, Mutex, OnceLock, PoisonError};

use async_trait::async_trait;
use bookenrich_core::Isbn;
use bookenrich_core::engine::RetryPolicy;
use bookenrich_core::fetch::Fetcher;
use bookenrich_core::http::{HttpClient, HttpRequest, HttpResponse, TransportError};
use bookenrich_core::sources::{BookQuery, GenreSource, SourceResult};
use bytes::Bytes;

/// Largest response body the fuzzed fetcher accepts (small, so the cap is exercised too).
pub const MAX_BODY_BYTES: usize = 256 * 1024;

/// Answers requests with the responses of one fuzz input, in order.
#[derive(Debug)]
pub struct Scripted {
    responses: Vec<(u16, Bytes)>,
    next: Mutex<usize>,
}

impl Scripted {
    /// The responses of `data` (NUL-separated, optional `#NNN` status prefix).
    pub fn new(data: &[u8]) -> Self {
        let responses = data
            .split(|&b| b == 0)
            .map(|segment| match segment {
                [b'#', a, b, c, rest @ ..] if [a, b, c].iter().all(|d| d.is_ascii_digit()) => {
                    let status =
                        u16::from(a - b'0') * 100 + u16::from(b - b'0') * 10 + u16::from(c - b'0');
                    (status, Bytes::copy_from_slice(rest))
                }
                body => (200, Bytes::copy_from_slice(body)),
            })
            .collect();
        Self { responses, next: Mutex::new(0) }
    }
}

#[async_trait]
impl HttpClient for Scripted {
    async fn get(&self, request: HttpRequest) -> Result<HttpResponse, TransportError> {
        let mut next = self.next.lock().unwrap_or_else(PoisonError::into_inner);
        let index = (*next).min(self.responses.len().saturating_sub(1));
        *next += 1;
        let Some((status, body)) = self.responses.get(index).cloned() else {
            return Err(TransportError::Connection("no response scripted".to_owned()));
        };
        // The real transport refuses bodies over the cap; so does this one.
        if body.len() > request.max_body_bytes {
            return Err(TransportError::TooLarge { limit: request.max_body_bytes });
        }
        Ok(HttpResponse { status, retry_after: None, body })
    }
}

/// The books each source target looks up: ISBN books whose answers are in the seed
/// corpus, and a book without ISBN (searched by title).
pub fn books() -> Vec<BookQuery> {
    let book = |isbn: Option<&str>, title: &str, author: &str| BookQuery {
        isbn: isbn.and_then(|i| Isbn::parse(i).ok()),
        title: title.to_owned(),
        author: author.to_owned(),
        bookshelves: Vec::new(),
        goodreads_id: None,
    };
    vec![
        book(Some("9780374104092"), "Annihilation (Southern Reach #1)", "Jeff VanderMeer"),
        book(Some("0439064872"), "Harry Potter and the Chamber of Secrets", "J.K. Rowling"),
        book(Some("9780140328721"), "Fantastic Mr. Fox", "Roald Dahl"),
        book(None, "This Is How You Lose the Time War", "Amal El-Mohtar"),
        book(Some("9781447273301"), "Children of Time (Children of Time #1)", "Adrian Tchaikovsky"),
    ]
}

fn runtime() -> &'static tokio::runtime::Runtime {
    static RUNTIME: OnceLock<tokio::runtime::Runtime> = OnceLock::new();
    RUNTIME.get_or_init(|| {
        tokio::runtime::Builder::new_current_thread()
            .enable_time()
            .build()
            .unwrap_or_else(|e| panic!("cannot start the fuzz runtime: {e}"))
    })
}

/// Looks `books()` up with `source`, every request answered from `data`, and checks
/// what any caller relies on: one result per book, errors that name the source.
pub fn run_source(source: &dyn GenreSource, data: &[u8]) {
    let transport: Arc<dyn HttpClient> = Arc::new(Scripted::new(data));
    // One attempt: retries only repeat the same scripted answers, and sleep.
    let fetcher = Fetcher::new(source.name(), transport)
        .with_retry_policy(RetryPolicy::never())
        .with_max_body_bytes(MAX_BODY_BYTES);
    let books = books();
    for chunk in books.chunks(source.batch_size().max(1)) {
        let results: Vec<SourceResult> = runtime().block_on(source.lookup(chunk, &fetcher));
        assert_eq!(results.len(), chunk.len(), "one result per book");
        for result in results {
            match result {
                Ok(Some(hit)) => {
                    for url in hit.thumbnail_url.iter().chain(&hit.small_thumbnail_url) {
                        assert!(url.starts_with("https://"), "cover URLs are https only: {url}");
                    }
                }
                Ok(None) => {}
                Err(e) => assert_eq!(e.source_name, source.name()),
            }
        }
    }
}
