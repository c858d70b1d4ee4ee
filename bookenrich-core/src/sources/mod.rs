//! Genre sources: the [`GenreSource`] trait and the built-in catalogues.
//!
//! A source looks books up and returns raw genre strings, cover URLs and the
//! identifiers it matched. It makes its HTTP requests through the [`Fetcher`]
//! the engine hands it, which applies the rate limit, retries, the response
//! cache, size caps and cancellation, so a source only describes *what* to ask
//! and how to read the answer.

use std::fmt;

use async_trait::async_trait;

use crate::model::Level;
use serde::{Deserialize, Serialize};

pub use crate::error::{SourceError, SourceErrorKind};
use crate::fetch::Fetcher;
use crate::isbn::Isbn;

pub mod foreign;
pub mod google_books;
pub mod matching;
pub mod open_library;
pub mod shelves;

pub use foreign::{failed_lookup, lookup_error, lookup_results};
pub use google_books::GoogleBooks;
pub use open_library::OpenLibrary;
pub use shelves::{SHELVES, Shelves};

/// A book as a source sees it: the validated ISBN (if any), title, author and the reader's shelves.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BookQuery {
    /// Validated ISBN; `None` when the book has no usable ISBN (search by title instead).
    pub isbn: Option<Isbn>,
    /// Title as written in the export (use [`search_title`] for searches).
    pub title: String,
    /// Primary author.
    pub author: String,
    /// The reader's shelves for the book (the export's `Bookshelves`), empty when unknown.
    pub bookshelves: Vec<String>,
    /// The export's Goodreads book id, when it has one (Open Library indexes many as `id_goodreads`).
    pub goodreads_id: Option<String>,
}

impl BookQuery {
    /// A query by title and author only (no ISBN, no shelves, no Goodreads id).
    pub fn new(title: impl Into<String>, author: impl Into<String>) -> Self {
        Self {
            isbn: None,
            title: title.into(),
            author: author.into(),
            bookshelves: Vec::new(),
            goodreads_id: None,
        }
    }
}

/// What a source found for one book.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SourceHit {
    /// Raw genre/subject strings, as the catalogue wrote them.
    pub genres: Vec<String>,
    /// What `genres` describe: the reader's edition (an ISBN's record, a volume's categories),
    /// or a work's subjects pooled over all its editions, which weigh less (docs/genres.md).
    #[serde(default)]
    pub genres_level: Level,
    /// Library classification numbers of the record, tagged by scheme: `ddc:823.914` (Dewey),
    /// `lcc:PZ7.R79835 Haj 1999` (Library of Congress), as the catalogue wrote the number.
    /// The genre normaliser reads them as Fiction/Nonfiction evidence and as the genre of
    /// last resort (docs/genres.md); they describe the same level as `genres`.
    #[serde(default)]
    pub classifications: Vec<String>,
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

/// What a source expects a lookup to take ([`GenreSource::plan`]).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct LookupPlan {
    /// Per book: `Some(true)` the cache answers it with genres, `Some(false)` the cache
    /// answers it without genres, `None` it needs requests.
    pub cached: Vec<Option<bool>>,
    /// Requests the lookup should take.
    pub expected: u64,
    /// Requests the lookup takes at most (every identifier unknown, every fallback taken).
    pub max: u64,
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

    /// Requests allowed per day by default (the catalogue's published daily quota), if it has one.
    fn default_daily_budget(&self) -> Option<u64> {
        None
    }

    /// Why asking this source now would be wasted, if it would (e.g. Google Books without an API
    /// key, whose keyless quota is 0 a day). The default `planned` merge policy then
    /// leaves the source out of the run with this notice; `union` asks it anyway.
    fn unusable(&self) -> Option<String> {
        None
    }

    /// What looking up `books` would take, without sending anything: which books the cache
    /// answers, and how many requests the rest should take (expected) and may take (at most).
    /// The default assumes one request per book the cache cannot vouch for.
    fn plan(&self, books: &[BookQuery], fetch: &Fetcher) -> LookupPlan {
        let _ = fetch;
        let n = books.len() as u64;
        LookupPlan { cached: vec![None; books.len()], expected: n, max: n }
    }

    /// Looks up a batch of at most [`batch_size`](Self::batch_size) books.
    ///
    /// Returns exactly one result per input book, in input order.
    async fn lookup(&self, books: &[BookQuery], fetch: &Fetcher) -> Vec<SourceResult>;
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
}
