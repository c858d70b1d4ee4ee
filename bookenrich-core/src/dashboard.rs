//! The dashboard JSON: its shape, building it from books and enrichment results, reading and writing it.
//!
//! Books and results are merged **by `goodreads_id`**, never by position: a
//! missing or failed result leaves the book in the output without genres, and
//! is counted.

use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::io::Write;
use std::path::Path;

use chrono::{DateTime, NaiveDate, SecondsFormat, Utc};
use serde::{Deserialize, Serialize};

use crate::atomic_file::write_atomically;
pub use crate::atomic_file::write_json_to_path;
use crate::error::Result;
use crate::model::{BookAnalytics, EnrichedBook};
// The names the built-in sources carry in `genre_sources` (for `metadata.validation.genre_sources_success`).
use crate::sources::google_books::NAME as GOOGLE_BOOKS;
use crate::sources::open_library::NAME as OPEN_LIBRARY;

/// Version of the dashboard JSON schema written into `metadata`.
pub const DATA_SCHEMA_VERSION: &str = "1.0.0";

/// Options for building the dashboard.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DashboardOptions {
    /// Put `private_notes` into the output (default `false`: they are private).
    pub include_private_notes: bool,
    /// Fixed export id (default: a new random UUID).
    pub export_id: Option<String>,
    /// Fixed export time (default: now).
    pub timestamp: Option<DateTime<Utc>>,
    /// Extra lines for `metadata.processing_notes`.
    pub processing_notes: Vec<String>,
}

/// One book as the dashboard reads it; keys in the contract's order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
// Each field is documented in the contract (shared/contract/README.md); its booleans are the contract's.
#[expect(missing_docs, clippy::struct_excessive_bools)]
pub struct DashboardBook<'a> {
    pub goodreads_id: Cow<'a, str>,
    pub title: Cow<'a, str>,
    pub author: Cow<'a, str>,
    pub isbn: Option<Cow<'a, str>>,
    pub isbn13: Option<Cow<'a, str>>,
    #[serde(default, deserialize_with = "read::iso_date")]
    pub date_read: Option<NaiveDate>,
    pub reading_year: Option<i32>,
    pub reading_month_year: Option<String>,
    pub my_rating: Option<u8>,
    pub average_rating: Option<f64>,
    pub is_rated: bool,
    pub num_pages: Option<u32>,
    pub publisher: Option<Cow<'a, str>>,
    pub binding: Option<Cow<'a, str>>,
    pub publication_year: Option<i32>,
    pub page_category: Option<Cow<'a, str>>,
    pub reading_status: Option<Cow<'a, str>>,
    pub bookshelves: Vec<Cow<'a, str>>,
    pub genres: Vec<Cow<'a, str>>,
    pub thumbnail_url: Option<Cow<'a, str>>,
    pub small_thumbnail_url: Option<Cow<'a, str>>,
    pub my_review: Option<Cow<'a, str>>,
    pub private_notes: Option<Cow<'a, str>>,
    pub has_spoilers: bool,
    pub has_review: bool,
    pub genre_enriched: bool,
    pub was_reread: bool,
    pub original_read_count: u32,
}

impl<'a> DashboardBook<'a> {
    /// The dashboard record of `book`, with genres and covers from `enriched` when given.
    pub fn new(
        book: &'a BookAnalytics,
        enriched: Option<&'a EnrichedBook>,
        include_private_notes: bool,
    ) -> Self {
        let b = |s: &'a Option<String>| s.as_deref().map(Cow::Borrowed);
        let genres: Vec<Cow<'a, str>> = enriched
            .map(|e| e.final_genres.iter().map(|g| Cow::Borrowed(g.as_str())).collect())
            .unwrap_or_default();
        Self {
            goodreads_id: Cow::Borrowed(&book.goodreads_id),
            title: Cow::Borrowed(&book.title),
            author: Cow::Borrowed(&book.author),
            isbn: b(&book.isbn),
            isbn13: b(&book.isbn13),
            date_read: book.date_read,
            reading_year: book.reading_year(),
            reading_month_year: book.reading_month_year(),
            my_rating: book.my_rating.filter(|r| *r > 0),
            average_rating: book.average_rating.filter(|r| *r != 0.0),
            is_rated: book.is_rated(),
            num_pages: book.num_pages,
            publisher: b(&book.publisher),
            binding: b(&book.binding),
            publication_year: book.original_publication_year,
            page_category: book.page_category().map(|c| Cow::Borrowed(c.label())),
            reading_status: b(&book.reading_status),
            bookshelves: book.bookshelves.iter().map(|s| Cow::Borrowed(s.as_str())).collect(),
            genre_enriched: !genres.is_empty(),
            genres,
            thumbnail_url: enriched.and_then(|e| b(&e.thumbnail_url)),
            small_thumbnail_url: enriched.and_then(|e| b(&e.small_thumbnail_url)),
            my_review: b(&book.my_review),
            private_notes: if include_private_notes { b(&book.private_notes) } else { None },
            has_spoilers: book.has_spoilers,
            has_review: book.has_review(),
            was_reread: book.was_reread(),
            original_read_count: book.read_count,
        }
    }
}

/// Earliest and latest date read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct DateRange {
    /// Earliest date read among read books.
    #[serde(default, deserialize_with = "read::iso_date")]
    pub earliest: Option<NaiveDate>,
    /// Latest date read among read books.
    #[serde(default, deserialize_with = "read::iso_date")]
    pub latest: Option<NaiveDate>,
}

/// One entry of `most_common_genres`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GenreCount {
    /// The genre.
    pub genre: String,
    /// Books with the genre.
    pub count: u64,
    /// `count` as a percentage of all genre occurrences.
    pub percentage: f64,
}

/// The `summary` object.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[expect(missing_docs, reason = "Each field is documented in the contract")]
pub struct Summary {
    pub total_books: u64,
    pub read_books: u64,
    pub rated_books: u64,
    pub genre_enriched_books: u64,
    pub genre_enrichment_rate: f64,
    pub unique_authors: u64,
    pub unique_genres: u64,
    pub total_pages: u64,
    pub reading_date_range: DateRange,
    pub reading_years: Vec<i32>,
    pub average_rating: Option<f64>,
    pub most_common_genres: Vec<GenreCount>,
}

/// Books each source really contributed genres to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct GenreSourcesSuccess {
    /// Books with genres from Google Books.
    pub google_books: u64,
    /// Books with genres from Open Library.
    pub open_library: u64,
    /// Books with genres from both.
    pub both_sources: u64,
    /// Books without any genre.
    pub no_genres: u64,
    /// Books with genres from each other source (`shelves`, sources of your own), by name;
    /// left out of the JSON when there is none, as in the contract.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub other_sources: BTreeMap<String, u64>,
}

/// `metadata.validation`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct Validation {
    /// Books without a date read.
    pub books_with_missing_dates: u64,
    /// Books without a page count.
    pub books_with_missing_pages: u64,
    /// Books read more than once.
    pub re_read_books_original_count: u64,
    /// Per-source contribution counts.
    pub genre_sources_success: GenreSourcesSuccess,
    /// Books whose lookup failed (they are in `books`, without genres).
    #[serde(default)]
    pub books_with_failed_lookup: u64,
    /// Books for which no enrichment result was given (they are in `books`, without genres).
    #[serde(default)]
    pub books_without_enrichment_result: u64,
}

/// The `metadata` object.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Metadata {
    /// Same as the top-level `export_id`.
    pub export_id: String,
    /// When the dashboard was built (ISO 8601).
    pub export_timestamp: String,
    /// `bookenrich <version>`.
    pub exporter_version: String,
    /// Always [`DATA_SCHEMA_VERSION`].
    pub data_schema_version: String,
    /// Where the data came from.
    pub export_source: String,
    /// Notes about the run (row problems, failures).
    pub processing_notes: Vec<String>,
    /// Data-quality counts.
    pub validation: Validation,
}

/// The whole dashboard JSON; keys in the contract's order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Dashboard<'a> {
    /// A UUID for this export.
    pub export_id: String,
    /// The books.
    pub books: Vec<DashboardBook<'a>>,
    /// Headline numbers.
    pub summary: Summary,
    /// Provenance and data-quality counts.
    pub metadata: Metadata,
}

/// Builds the dashboard from books and their enrichment results (matched by `goodreads_id`).
///
/// Results for unknown ids are ignored (and noted); of several results for one id the first
/// without an error wins.
pub fn build_dashboard<'a>(
    books: &'a [BookAnalytics],
    results: &'a [EnrichedBook],
    options: &DashboardOptions,
) -> Dashboard<'a> {
    let Parts { by_id, summary, metadata } = parts(books, results, options);
    let records = books
        .iter()
        .map(|book| {
            let enriched = by_id.get(book.goodreads_id.as_str()).copied();
            DashboardBook::new(book, enriched, options.include_private_notes)
        })
        .collect();
    Dashboard { export_id: metadata.export_id.clone(), books: records, summary, metadata }
}

/// Writes the dashboard of `books` and `results` as JSON to `writer`: the same bytes as
/// [`build_dashboard`] then [`Dashboard::write_json`], but each book's record is made only
/// while it is written, so a large library's records (as big as its books) are never all
/// held at once.
pub fn write_dashboard_json<W: Write>(
    books: &[BookAnalytics],
    results: &[EnrichedBook],
    options: &DashboardOptions,
    writer: W,
) -> Result<()> {
    let parts = parts(books, results, options);
    let streamed = Streamed {
        export_id: &parts.metadata.export_id,
        books: Records {
            books,
            by_id: &parts.by_id,
            include_private_notes: options.include_private_notes,
        },
        summary: &parts.summary,
        metadata: &parts.metadata,
    };
    serde_json::to_writer_pretty(writer, &streamed)?;
    Ok(())
}

/// [`write_dashboard_json`] into the file at `path`, replaced atomically as
/// [`Dashboard::write_to_path`] does.
pub fn write_dashboard_to_path(
    books: &[BookAnalytics],
    results: &[EnrichedBook],
    options: &DashboardOptions,
    path: impl AsRef<Path>,
) -> Result<()> {
    write_atomically(path.as_ref(), |w| write_dashboard_json(books, results, options, w))
}

/// Everything of a dashboard but its book records, and the results by id that make them.
struct Parts<'a> {
    by_id: HashMap<&'a str, &'a EnrichedBook>,
    summary: Summary,
    metadata: Metadata,
}

/// The dashboard in the contract's key order, its book records made while serialising.
#[derive(Serialize)]
struct Streamed<'p, 'a> {
    export_id: &'p str,
    books: Records<'p, 'a>,
    summary: &'p Summary,
    metadata: &'p Metadata,
}

/// The book records of a dashboard, made one at a time.
struct Records<'p, 'a> {
    books: &'a [BookAnalytics],
    by_id: &'p HashMap<&'a str, &'a EnrichedBook>,
    include_private_notes: bool,
}

impl Serialize for Records<'_, '_> {
    fn serialize<S: serde::Serializer>(
        &self,
        serializer: S,
    ) -> std::result::Result<S::Ok, S::Error> {
        serializer.collect_seq(self.books.iter().map(|book| {
            let enriched = self.by_id.get(book.goodreads_id.as_str()).copied();
            DashboardBook::new(book, enriched, self.include_private_notes)
        }))
    }
}

fn parts<'a>(
    books: &'a [BookAnalytics],
    results: &'a [EnrichedBook],
    options: &DashboardOptions,
) -> Parts<'a> {
    let mut by_id: HashMap<&str, &EnrichedBook> = HashMap::with_capacity(results.len());
    let mut duplicates = 0u64;
    for r in results {
        let Some(id) = r.goodreads_id.as_deref() else {
            continue;
        };
        match by_id.get(id) {
            None => {
                by_id.insert(id, r);
            }
            Some(existing) => {
                duplicates += 1;
                if existing.error.is_some() && r.error.is_none() {
                    by_id.insert(id, r);
                }
            }
        }
    }
    let mut validation = Validation::default();
    let mut per_book = Vec::with_capacity(books.len());
    let mut matched = 0u64;
    for book in books {
        let enriched = by_id.get(book.goodreads_id.as_str()).copied();
        match enriched {
            None => validation.books_without_enrichment_result += 1,
            Some(e) => {
                matched += 1;
                if e.error.is_some() {
                    validation.books_with_failed_lookup += 1;
                }
            }
        }
        count_sources(&mut validation.genre_sources_success, enriched);
        per_book.push(enriched);
    }
    // Without results there is nothing to look up (and a set of 100k ids to spare).
    let extra = if by_id.is_empty() {
        0
    } else {
        let book_ids: HashSet<&str> = books.iter().map(|b| b.goodreads_id.as_str()).collect();
        by_id.keys().filter(|id| !book_ids.contains(*id)).count()
    };

    validation.books_with_missing_dates =
        books.iter().filter(|b| b.date_read.is_none()).count() as u64;
    validation.books_with_missing_pages =
        books.iter().filter(|b| b.num_pages.is_none()).count() as u64;
    validation.re_read_books_original_count =
        books.iter().filter(|b| b.was_reread()).count() as u64;

    let mut notes = options.processing_notes.clone();
    if !results.is_empty() || validation.books_without_enrichment_result > 0 {
        notes.push(format!("{matched} of {} books have an enrichment result", books.len()));
    }
    if validation.books_with_failed_lookup > 0 {
        notes.push(format!("{} books could not be looked up", validation.books_with_failed_lookup));
    }
    if extra > 0 {
        notes.push(format!("{extra} enrichment results matched no book and were ignored"));
    }
    if duplicates > 0 {
        notes.push(format!("{duplicates} duplicate enrichment results were ignored"));
    }
    if !options.include_private_notes {
        notes.push("private notes omitted".to_owned());
    }

    let export_id = options.export_id.clone().unwrap_or_else(|| uuid::Uuid::new_v4().to_string());
    let timestamp = options.timestamp.unwrap_or_else(Utc::now);
    let summary = summarize(books, &per_book);
    Parts {
        by_id,
        summary,
        metadata: Metadata {
            export_id,
            export_timestamp: timestamp.to_rfc3339_opts(SecondsFormat::Micros, true),
            exporter_version: format!("bookenrich {}", crate::VERSION),
            data_schema_version: DATA_SCHEMA_VERSION.to_owned(),
            export_source: "goodreads_library_export".to_owned(),
            processing_notes: notes,
            validation,
        },
    }
}

fn count_sources(success: &mut GenreSourcesSuccess, enriched: Option<&EnrichedBook>) {
    let Some(e) = enriched.filter(|e| e.has_genres()) else {
        success.no_genres += 1;
        return;
    };
    let ol = e.genre_sources.iter().any(|s| s == OPEN_LIBRARY);
    let google = e.genre_sources.iter().any(|s| s == GOOGLE_BOOKS);
    success.open_library += u64::from(ol);
    success.google_books += u64::from(google);
    success.both_sources += u64::from(ol && google);
    for other in e.genre_sources.iter().filter(|s| *s != OPEN_LIBRARY && *s != GOOGLE_BOOKS) {
        *success.other_sources.entry(other.clone()).or_default() += 1;
    }
}

/// The summary of `books`, given each book's enrichment result (`None`: none); a book's
/// dashboard genres are its result's `final_genres`.
fn summarize(books: &[BookAnalytics], enriched: &[Option<&EnrichedBook>]) -> Summary {
    let total = books.len() as u64;
    let read: Vec<&BookAnalytics> = books.iter().filter(|b| b.is_read()).collect();
    let rated: Vec<u8> = books.iter().filter_map(|b| b.my_rating.filter(|r| *r > 0)).collect();
    let with_genres =
        enriched.iter().flatten().filter(|e| !e.final_genres.is_empty()).count() as u64;

    let mut genre_counts: Vec<(&str, u64)> = Vec::new();
    let mut genre_index: HashMap<&str, usize> = HashMap::new();
    let mut occurrences = 0u64;
    for e in enriched.iter().flatten() {
        for g in &e.final_genres {
            occurrences += 1;
            if let Some(&i) = genre_index.get(g.as_str()) {
                genre_counts[i].1 += 1;
            } else {
                genre_index.insert(g.as_str(), genre_counts.len());
                genre_counts.push((g.as_str(), 1));
            }
        }
    }
    let unique_genres = genre_counts.len() as u64;
    // A stable sort keeps first-seen order among equal counts, as the contract asks.
    genre_counts.sort_by_key(|(_, count)| std::cmp::Reverse(*count));
    let most_common_genres = genre_counts
        .iter()
        .take(10)
        .map(|(g, c)| GenreCount {
            genre: (*g).to_owned(),
            count: *c,
            percentage: *c as f64 / occurrences as f64 * 100.0,
        })
        .collect();

    let mut years: Vec<i32> = read.iter().filter_map(|b| b.reading_year()).collect();
    years.sort_unstable();
    years.dedup();
    let authors: HashSet<&str> = books.iter().map(|b| b.author.as_str()).collect();
    Summary {
        total_books: total,
        read_books: read.len() as u64,
        rated_books: rated.len() as u64,
        genre_enriched_books: with_genres,
        genre_enrichment_rate: if total == 0 {
            0.0
        } else {
            with_genres as f64 / total as f64 * 100.0
        },
        unique_authors: authors.len() as u64,
        unique_genres,
        total_pages: read.iter().filter_map(|b| b.num_pages).map(u64::from).sum(),
        reading_date_range: DateRange {
            earliest: read.iter().filter_map(|b| b.date_read).min(),
            latest: read.iter().filter_map(|b| b.date_read).max(),
        },
        reading_years: years,
        // The plain mean, as the Python pipeline wrote it (37/11 is 3.3636363636363638).
        average_rating: (!rated.is_empty())
            .then(|| rated.iter().map(|r| f64::from(*r)).sum::<f64>() / rated.len() as f64),
        most_common_genres,
    }
}

impl Dashboard<'_> {
    /// Writes the dashboard as UTF-8 JSON indented by 2 (non-ASCII kept), as the dashboard reads it.
    pub fn write_json<W: Write>(&self, writer: W) -> Result<()> {
        serde_json::to_writer_pretty(writer, self)?;
        Ok(())
    }

    /// The dashboard as a JSON string.
    pub fn to_json_string(&self) -> Result<String> {
        Ok(serde_json::to_string_pretty(self)?)
    }

    /// Writes the dashboard JSON to `path`.
    ///
    /// A regular file is replaced atomically (written beside it, then renamed into
    /// place), so a reader never sees half a dashboard; anything else that exists
    /// there (`/dev/stdout`, a named pipe) is written to directly. Missing parent
    /// folders are made.
    pub fn write_to_path(&self, path: impl AsRef<Path>) -> Result<()> {
        write_atomically(path.as_ref(), |w| self.write_json(w))
    }
}

impl Dashboard<'_> {
    /// A copy that owns all its strings.
    pub fn into_owned(self) -> Dashboard<'static> {
        Dashboard {
            export_id: self.export_id,
            books: self.books.into_iter().map(DashboardBook::into_owned).collect(),
            summary: self.summary,
            metadata: self.metadata,
        }
    }
}

impl DashboardBook<'_> {
    /// A copy that owns all its strings.
    pub fn into_owned(self) -> DashboardBook<'static> {
        fn o(c: Cow<'_, str>) -> Cow<'static, str> {
            Cow::Owned(c.into_owned())
        }
        fn oo(c: Option<Cow<'_, str>>) -> Option<Cow<'static, str>> {
            c.map(o)
        }
        DashboardBook {
            goodreads_id: o(self.goodreads_id),
            title: o(self.title),
            author: o(self.author),
            isbn: oo(self.isbn),
            isbn13: oo(self.isbn13),
            date_read: self.date_read,
            reading_year: self.reading_year,
            reading_month_year: self.reading_month_year,
            my_rating: self.my_rating,
            average_rating: self.average_rating,
            is_rated: self.is_rated,
            num_pages: self.num_pages,
            publisher: oo(self.publisher),
            binding: oo(self.binding),
            publication_year: self.publication_year,
            page_category: oo(self.page_category),
            reading_status: oo(self.reading_status),
            bookshelves: self.bookshelves.into_iter().map(o).collect(),
            genres: self.genres.into_iter().map(o).collect(),
            thumbnail_url: oo(self.thumbnail_url),
            small_thumbnail_url: oo(self.small_thumbnail_url),
            my_review: oo(self.my_review),
            private_notes: oo(self.private_notes),
            has_spoilers: self.has_spoilers,
            has_review: self.has_review,
            genre_enriched: self.genre_enriched,
            was_reread: self.was_reread,
            original_read_count: self.original_read_count,
        }
    }
}

mod read;

#[cfg(test)]
mod tests;
