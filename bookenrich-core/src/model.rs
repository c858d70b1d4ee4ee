//! The public data model: one export row, what a lookup needs, and what a lookup found.

use std::collections::BTreeMap;
use std::sync::Arc;

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};

use crate::error::{SourceError, SourceErrorKind};
use crate::isbn::{Isbn, IsbnError};

/// What a set of raw strings describes: the reader's own edition, or a whole work.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Level {
    /// The reader's edition: its ISBN's record, a volume's own categories.
    #[default]
    Edition,
    /// A work's subjects, pooled over every edition (adaptations and study guides included).
    Work,
}

/// What a catalogue lookup needs to know about a book.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct BookInfo {
    /// Title as written in the export, series suffix included.
    pub title: String,
    /// Primary author.
    pub author: String,
    /// ISBN-10 as written in the export (digits and `X`), if any.
    #[serde(default)]
    pub isbn: Option<String>,
    /// ISBN-13 as written in the export, if any.
    #[serde(default)]
    pub isbn13: Option<String>,
    /// Goodreads `Book Id`; results are merged back to books by this key.
    #[serde(default)]
    pub goodreads_id: Option<String>,
    /// The reader's shelves (the export's `Bookshelves`), read by the `shelves` source.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub bookshelves: Vec<String>,
}

impl BookInfo {
    /// Creates a lookup record from a title and an author.
    pub fn new(title: impl Into<String>, author: impl Into<String>) -> Self {
        Self { title: title.into(), author: author.into(), ..Self::default() }
    }

    /// The ISBN to look the book up by: the ISBN-13 if it is valid, else the ISBN-10.
    ///
    /// `Ok(None)` means the book has no ISBN at all. `Err` carries the check-digit
    /// (or other) problem of the first present value when no value is valid, so the
    /// caller can report it instead of looking the book up by a wrong number.
    pub fn lookup_isbn(&self) -> Result<Option<Isbn>, IsbnError> {
        let mut first_error = None;
        for value in [&self.isbn13, &self.isbn].into_iter().flatten() {
            if value.trim().is_empty() {
                continue;
            }
            match Isbn::parse(value) {
                Ok(isbn) => return Ok(Some(isbn)),
                Err(e) => {
                    first_error.get_or_insert(e);
                }
            }
        }
        first_error.map_or(Ok(None), Err)
    }
}

/// Length class of a book, as the dashboard shows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum PageCategory {
    /// Fewer than 200 pages.
    #[serde(rename = "Short (<200)")]
    Short,
    /// 200 to 349 pages.
    #[serde(rename = "Medium (200-350)")]
    Medium,
    /// 350 to 499 pages.
    #[serde(rename = "Long (350-500)")]
    Long,
    /// 500 pages or more.
    #[serde(rename = "Very Long (500+)")]
    VeryLong,
}

impl PageCategory {
    /// The category of a book with this many pages.
    pub fn from_pages(pages: u32) -> Self {
        match pages {
            0..200 => Self::Short,
            200..350 => Self::Medium,
            350..500 => Self::Long,
            _ => Self::VeryLong,
        }
    }

    /// The label the dashboard shows, e.g. `"Short (<200)"`.
    pub fn label(self) -> &'static str {
        match self {
            Self::Short => "Short (<200)",
            Self::Medium => "Medium (200-350)",
            Self::Long => "Long (350-500)",
            Self::VeryLong => "Very Long (500+)",
        }
    }
}

/// One row of a Goodreads library export, with every column, cleaned by the contract's rules.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BookAnalytics {
    /// `Book Id`, as written.
    pub goodreads_id: String,
    /// `Title`, as written.
    pub title: String,
    /// `Author`, as written.
    pub author: String,
    /// `Author l-f`.
    pub author_lf: Option<String>,
    /// `Additional Authors`.
    pub additional_authors: Option<String>,
    /// `ISBN` without the Excel wrapper; only a 10-character value is kept.
    pub isbn: Option<String>,
    /// `ISBN13` without the Excel wrapper; only a 13-character value is kept.
    pub isbn13: Option<String>,
    /// `My Rating`; 0 (not rated) is `None`.
    pub my_rating: Option<u8>,
    /// `Average Rating` on Goodreads.
    pub average_rating: Option<f64>,
    /// `Publisher`.
    pub publisher: Option<String>,
    /// `Binding`, e.g. `Paperback`.
    pub binding: Option<String>,
    /// `Number of Pages`; 0 is `None`.
    pub num_pages: Option<u32>,
    /// `Year Published` (of this edition).
    pub year_published: Option<i32>,
    /// `Original Publication Year`.
    pub original_publication_year: Option<i32>,
    /// `Date Read` (the latest read).
    pub date_read: Option<NaiveDate>,
    /// `Date Added`.
    pub date_added: Option<NaiveDate>,
    /// `Bookshelves`, split on commas.
    pub bookshelves: Vec<String>,
    /// `Bookshelves with positions`, as written.
    pub bookshelves_with_positions: Option<String>,
    /// `Exclusive Shelf`: `read`, `to-read`, `currently-reading` or a custom shelf.
    pub reading_status: Option<String>,
    /// `My Review`.
    pub my_review: Option<String>,
    /// `Spoiler`.
    pub has_spoilers: bool,
    /// `Private Notes`. Private: left out of the dashboard unless asked for.
    pub private_notes: Option<String>,
    /// `Read Count`, at least 1.
    pub read_count: u32,
    /// `Owned Copies`.
    pub owned_copies: u32,
}

/// A field of a book that breaks one of the export's rules, e.g. a rating above 5.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{field} {message}")]
pub struct InvalidField {
    /// The field of [`BookAnalytics`] at fault, as Rust and Python spell it (`read_count`).
    pub field: &'static str,
    /// What is wrong, e.g. `must be at least 1, got 0`.
    pub message: String,
}

impl BookAnalytics {
    /// The highest `My Rating` (0 means "not rated").
    pub const MAX_RATING: u8 = 5;

    /// `value` as a `My Rating`: 0 to [`MAX_RATING`](Self::MAX_RATING).
    pub fn rating(value: u32) -> Result<u8, InvalidField> {
        u8::try_from(value).ok().filter(|r| *r <= Self::MAX_RATING).ok_or_else(|| InvalidField {
            field: "my_rating",
            message: format!("must be between 0 and {}, got {value}", Self::MAX_RATING),
        })
    }

    /// Checks the rules a book built by hand (not read from an export) must keep:
    /// a rating of 0 to 5 and a read count of at least 1.
    pub fn validate(&self) -> Result<(), InvalidField> {
        if let Some(rating) = self.my_rating {
            Self::rating(u32::from(rating))?;
        }
        if self.read_count == 0 {
            return Err(InvalidField {
                field: "read_count",
                message: format!("must be at least 1, got {}", self.read_count),
            });
        }
        Ok(())
    }

    /// Read: on the `read` shelf and with a date read.
    pub fn is_read(&self) -> bool {
        self.reading_status.as_deref() == Some("read") && self.date_read.is_some()
    }

    /// Rated: a rating above zero.
    pub fn is_rated(&self) -> bool {
        self.my_rating.is_some_and(|r| r > 0)
    }

    /// Year of the date read.
    pub fn reading_year(&self) -> Option<i32> {
        self.date_read.map(|d| d.year())
    }

    /// `YYYY-MM` of the date read.
    pub fn reading_month_year(&self) -> Option<String> {
        self.date_read.map(|d| format!("{:04}-{:02}", d.year(), d.month()))
    }

    /// Length class from the page count.
    pub fn page_category(&self) -> Option<PageCategory> {
        self.num_pages.map(PageCategory::from_pages)
    }

    /// Read more than once.
    pub fn was_reread(&self) -> bool {
        self.read_count > 1
    }

    /// A review that is not blank.
    pub fn has_review(&self) -> bool {
        self.my_review.as_deref().is_some_and(|r| !r.trim().is_empty())
    }

    /// What a catalogue lookup needs.
    pub fn book_info(&self) -> BookInfo {
        BookInfo {
            title: self.title.clone(),
            author: self.author.clone(),
            isbn: self.isbn.clone(),
            isbn13: self.isbn13.clone(),
            goodreads_id: Some(self.goodreads_id.clone()),
            bookshelves: self.bookshelves.clone(),
        }
    }
}

/// The result of enriching one book.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct EnrichedBook {
    /// The `goodreads_id` of the book this result belongs to (the merge key).
    pub goodreads_id: Option<String>,
    /// Title that was looked up.
    pub title: String,
    /// Author that was looked up.
    pub author: String,
    /// Raw genre strings per source name, exactly as the source returned them.
    pub genres_by_source: BTreeMap<String, Vec<String>>,
    /// Library classification numbers per source name, tagged `ddc:` / `lcc:` (see
    /// `SourceHit::classifications`); the genre normaliser reads them with the subjects.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub classifications: BTreeMap<String, Vec<String>>,
    /// The clean genres for the dashboard, most relevant first.
    pub final_genres: Vec<String>,
    /// Medium-size cover URL.
    pub thumbnail_url: Option<String>,
    /// Small cover URL.
    pub small_thumbnail_url: Option<String>,
    /// Sources that found the book (whether or not they had genres).
    pub sources_matched: Vec<String>,
    /// Sources whose genres made it into `final_genres`.
    pub genre_sources: Vec<String>,
    /// Identifiers the sources matched, e.g. `open_library` → `/works/OL45804W`.
    pub identifiers: BTreeMap<String, Vec<String>>,
    /// What happened, step by step, for this book.
    pub processing_log: Vec<String>,
    /// Why the lookup failed, when it did (the book still appears in the dashboard): every
    /// failure of `failures`, joined by `"; "`. Shared with the failure's `message` when
    /// there is one failure.
    #[serde(default, with = "shared_text::optional")]
    pub error: Option<Arc<str>>,
    /// Each source that failed for this book, in a form code can act on (retry the book later,
    /// or not); empty when no source failed.
    #[serde(default)]
    pub failures: Vec<SourceFailure>,
    /// Every answer came from the cache.
    pub from_cache: bool,
}

/// One source's failure for one book.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SourceFailure {
    /// The source's name, e.g. `open_library`.
    pub source: String,
    /// What kind of failure.
    pub kind: SourceErrorKind,
    /// Whether looking the book up again later may succeed (throttles, 5xx, timeouts, dropped
    /// connections, malformed answers), as [`SourceErrorKind::is_retryable`] says.
    pub retryable: bool,
    /// The failure as `error` writes it: `SOURCE: MESSAGE[ (URL)]`, the URL without secrets.
    /// Shared: the books of one failed batch request hold one copy of it (an Open Library
    /// batch URL names 40 books, about 900 bytes).
    #[serde(with = "shared_text")]
    pub message: Arc<str>,
}

/// Shared text (`Arc<str>`) as a plain JSON string, without serde's `rc` feature.
mod shared_text {
    use std::sync::Arc;

    use serde::{Deserialize, Deserializer, Serializer};

    pub(super) fn serialize<S: Serializer>(text: &Arc<str>, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(text)
    }

    pub(super) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Arc<str>, D::Error> {
        String::deserialize(d).map(Arc::from)
    }

    /// The same for an optional text.
    pub(super) mod optional {
        use std::sync::Arc;

        use serde::{Deserialize, Deserializer, Serializer};

        #[expect(clippy::ref_option, reason = "the signature serde's `with` calls")]
        pub(in super::super) fn serialize<S: Serializer>(
            text: &Option<Arc<str>>,
            s: S,
        ) -> Result<S::Ok, S::Error> {
            match text {
                Some(text) => s.serialize_some(&**text),
                None => s.serialize_none(),
            }
        }

        pub(in super::super) fn deserialize<'de, D: Deserializer<'de>>(
            d: D,
        ) -> Result<Option<Arc<str>>, D::Error> {
            Option::<String>::deserialize(d).map(|t| t.map(Arc::from))
        }
    }
}

impl From<&SourceError> for SourceFailure {
    fn from(e: &SourceError) -> Self {
        Self {
            source: e.source_name.clone(),
            kind: e.kind,
            retryable: e.is_retryable(),
            message: e.to_string().into(),
        }
    }
}

impl EnrichedBook {
    /// An empty result for a book, to be filled in by the engine.
    pub fn for_book(book: &BookInfo) -> Self {
        Self {
            goodreads_id: book.goodreads_id.clone(),
            title: book.title.clone(),
            author: book.author.clone(),
            ..Self::default()
        }
    }

    /// At least one genre was found.
    pub fn has_genres(&self) -> bool {
        !self.final_genres.is_empty()
    }

    /// Some source failed in a way that looking the book up again later may fix.
    pub fn is_retryable(&self) -> bool {
        self.failures.iter().any(|f| f.retryable)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn page_categories_follow_the_contract_bounds() {
        assert_eq!(PageCategory::from_pages(1), PageCategory::Short);
        assert_eq!(PageCategory::from_pages(199), PageCategory::Short);
        assert_eq!(PageCategory::from_pages(200), PageCategory::Medium);
        assert_eq!(PageCategory::from_pages(349), PageCategory::Medium);
        assert_eq!(PageCategory::from_pages(350), PageCategory::Long);
        assert_eq!(PageCategory::from_pages(499), PageCategory::Long);
        assert_eq!(PageCategory::from_pages(500), PageCategory::VeryLong);
        assert_eq!(serde_json::to_string(&PageCategory::VeryLong).unwrap(), "\"Very Long (500+)\"");
    }

    #[test]
    fn source_failures_serialise_by_kind_and_are_optional_in_older_json() {
        let error = SourceError::new("google_books", SourceErrorKind::RateLimited, "HTTP 429")
            .with_url("https://www.googleapis.com/books/v1/volumes?q=isbn:1");
        let book = EnrichedBook {
            error: Some(error.to_string().into()),
            failures: vec![SourceFailure::from(&error)],
            ..EnrichedBook::default()
        };
        assert!(book.is_retryable());
        let json = serde_json::to_value(&book).unwrap();
        assert_eq!(
            json["failures"],
            serde_json::json!([{
                "source": "google_books",
                "kind": "rate_limited",
                "retryable": true,
                "message": "google_books: HTTP 429 (https://www.googleapis.com/books/v1/volumes?q=isbn:1)"
            }])
        );
        assert_eq!(serde_json::from_value::<EnrichedBook>(json).unwrap(), book);

        // Results written before `failures` existed read back, without failures.
        let mut older = serde_json::to_value(EnrichedBook::default()).unwrap();
        assert_eq!(older.as_object_mut().unwrap().remove("failures"), Some(serde_json::json!([])));
        older["error"] = "open_library: HTTP 503".into();
        let read: EnrichedBook = serde_json::from_value(older).unwrap();
        assert!(read.failures.is_empty() && !read.is_retryable());
    }

    #[test]
    fn lookup_isbn_prefers_a_valid_isbn13_and_reports_bad_check_digits() {
        let mut b = BookInfo::new("t", "a");
        assert_eq!(b.lookup_isbn(), Ok(None));
        b.isbn = Some("0140328726".into());
        assert_eq!(b.lookup_isbn().unwrap().unwrap().as_isbn13(), "9780140328721");
        b.isbn13 = Some("9780140328722".into());
        // The ISBN-13 is wrong but the ISBN-10 is fine: use the valid one.
        assert_eq!(b.lookup_isbn().unwrap().unwrap().as_isbn13(), "9780140328721");
        b.isbn = None;
        assert!(matches!(b.lookup_isbn(), Err(IsbnError::CheckDigit { .. })));
    }
}
