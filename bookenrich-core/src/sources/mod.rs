//! Genre sources: the [`GenreSource`] trait and the built-in catalogues.
//!
//! A source looks books up and returns raw genre strings, cover URLs and the
//! identifiers it matched. It makes its HTTP requests through the [`Fetcher`]
//! the engine hands it, which applies the rate limit, retries, the response
//! cache, size caps and cancellation, so a source only describes *what* to ask
//! and how to read the answer.

use std::fmt;
use std::time::Duration;

use async_trait::async_trait;
use serde::{Deserialize, Serialize};

use crate::fetch::Fetcher;
use crate::isbn::Isbn;

pub mod google_books;
pub mod matching;
pub mod open_library;

pub use google_books::GoogleBooks;
pub use open_library::OpenLibrary;

/// A book as a source sees it: the validated ISBN (if any), title and author.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BookQuery {
    /// Validated ISBN; `None` when the book has no usable ISBN (search by title instead).
    pub isbn: Option<Isbn>,
    /// Title as written in the export (use [`search_title`] for searches).
    pub title: String,
    /// Primary author.
    pub author: String,
}

/// What a source found for one book.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SourceHit {
    /// Raw genre/subject strings, as the catalogue wrote them.
    pub genres: Vec<String>,
    /// Medium cover URL.
    pub thumbnail_url: Option<String>,
    /// Small cover URL.
    pub small_thumbnail_url: Option<String>,
    /// Identifiers the catalogue matched, e.g. `/works/OL45804W`, `isbn:9780140328721`, `google:2cl7AgAAQBAJ`.
    pub identifiers: Vec<String>,
    /// Short notes for the book's processing log (what was fetched, what was chosen).
    pub notes: Vec<String>,
    /// A request for part of the answer failed (e.g. Open Library's work subjects): the
    /// hit holds what was found, and the engine reports this error on the book.
    #[serde(skip)]
    pub incomplete: Option<SourceError>,
}

/// The answer of a source for one book: found, not found, or failed.
pub type SourceResult = Result<Option<SourceHit>, SourceError>;

/// A catalogue that can look books up.
///
/// Implement it to plug in your own catalogue; hold it as `Arc<dyn GenreSource>`.
#[async_trait]
pub trait GenreSource: Send + Sync + fmt::Debug {
    /// Stable machine name, e.g. `open_library`; used in config, logs, rate limits and the cache.
    fn name(&self) -> &str;

    /// How many books one [`lookup`](Self::lookup) call may take (1 for sources without batch requests).
    fn batch_size(&self) -> usize {
        1
    }

    /// Requests per second allowed by default (the catalogue's published limit).
    fn default_rate_limit(&self) -> f64 {
        1.0
    }

    /// Looks up a batch of at most [`batch_size`](Self::batch_size) books.
    ///
    /// Returns exactly one result per input book, in input order.
    async fn lookup(&self, books: &[BookQuery], fetch: &Fetcher) -> Vec<SourceResult>;
}

/// What kind of failure a source met; decides whether retrying can help.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum SourceErrorKind {
    /// HTTP 429 or an equivalent throttle answer.
    RateLimited,
    /// The catalogue's quota is used up for a long time (e.g. Google's daily quota).
    QuotaExhausted,
    /// HTTP 5xx.
    Server,
    /// No answer within the timeout.
    Timeout,
    /// The connection failed or was dropped.
    Connection,
    /// The body was truncated, not JSON, or not the expected shape.
    MalformedResponse,
    /// The body was larger than the configured cap.
    ResponseTooLarge,
    /// HTTP 4xx other than 404/429 (e.g. 403 for an anonymous User-Agent).
    Rejected,
    /// The request was not made because the run is offline and the cache had no answer.
    Offline,
    /// The source was stopped for the rest of the run (e.g. after its quota ran out).
    Disabled,
    /// The run was cancelled.
    Cancelled,
}

impl SourceErrorKind {
    /// Whether the same request may succeed if tried again later in this run.
    pub fn is_retryable(self) -> bool {
        matches!(
            self,
            Self::RateLimited
                | Self::Server
                | Self::Timeout
                | Self::Connection
                | Self::MalformedResponse
        )
    }
}

/// A failed lookup, with the URL at fault (never containing an API key).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{source_name}: {message}{}", url.as_deref().map(|u| format!(" ({u})")).unwrap_or_default())]
pub struct SourceError {
    /// The source's name.
    pub source_name: String,
    /// What kind of failure.
    pub kind: SourceErrorKind,
    /// Human-readable reason.
    pub message: String,
    /// The request URL, with secrets removed.
    pub url: Option<String>,
    /// How long the catalogue asked us to wait, if it said.
    pub retry_after: Option<Duration>,
}

impl SourceError {
    /// A new error of `kind` for `source`.
    pub fn new(source: &str, kind: SourceErrorKind, message: impl Into<String>) -> Self {
        Self {
            source_name: source.to_owned(),
            kind,
            message: message.into(),
            url: None,
            retry_after: None,
        }
    }

    /// Attaches the (already redacted) URL at fault.
    #[must_use]
    pub fn with_url(mut self, url: impl Into<String>) -> Self {
        self.url = Some(url.into());
        self
    }

    /// Whether retrying could help.
    pub fn is_retryable(&self) -> bool {
        self.kind.is_retryable()
    }
}

/// A title fit for a catalogue search: the Goodreads series suffix removed.
///
/// `"Leviathan Wakes (The Expanse, #1)"` → `"Leviathan Wakes"`;
/// `"Harry Potter and the Sorcerer's Stone (Harry Potter  #1)"` → `"Harry Potter and the Sorcerer's Stone"`.
pub fn search_title(title: &str) -> &str {
    let trimmed = title.trim_end();
    if trimmed.ends_with(')') {
        if let Some(open) = trimmed.rfind('(') {
            let inner = &trimmed[open + 1..trimmed.len() - 1];
            if inner.contains('#') {
                let head = trimmed[..open].trim_end();
                if !head.is_empty() {
                    return head;
                }
            }
        }
    }
    trimmed.trim_start()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn series_suffix_is_stripped_for_search() {
        assert_eq!(search_title("Leviathan Wakes (The Expanse, #1)"), "Leviathan Wakes");
        assert_eq!(
            search_title("Harry Potter and the Sorcerer's Stone (Harry Potter  #1)"),
            "Harry Potter and the Sorcerer's Stone"
        );
        assert_eq!(
            search_title("The Way of Kings (The Stormlight Archive #1)"),
            "The Way of Kings"
        );
        assert_eq!(search_title("Fantastic Mr. Fox"), "Fantastic Mr. Fox");
        // A parenthesis that is not a series marker stays.
        assert_eq!(search_title("Dune (Deluxe Edition)"), "Dune (Deluxe Edition)");
        assert_eq!(search_title("(#1)"), "(#1)");
    }

    #[test]
    fn retryable_kinds() {
        assert!(SourceErrorKind::RateLimited.is_retryable());
        assert!(SourceErrorKind::MalformedResponse.is_retryable());
        assert!(!SourceErrorKind::QuotaExhausted.is_retryable());
        assert!(!SourceErrorKind::Rejected.is_retryable());
        let e = SourceError::new("google_books", SourceErrorKind::Server, "HTTP 503")
            .with_url("http://127.0.0.1:1/books/v1/volumes?q=isbn:1");
        assert_eq!(
            e.to_string(),
            "google_books: HTTP 503 (http://127.0.0.1:1/books/v1/volumes?q=isbn:1)"
        );
    }
}
