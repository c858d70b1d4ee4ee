//! The JS shape of the dashboard JSON (`snake_case` keys, as the contract spells them), and its conversions.
//!
//! The object *is* the dashboard JSON: `JSON.stringify(dashboard, null, 2)` gives
//! the document the web dashboard reads, keys in the contract's order.

use std::borrow::Cow;

use bookenrich_core::dashboard as dash;
use chrono::NaiveDate;
use napi_derive::napi;

use crate::error::{BindingError, Code, Result};

/// One book as the dashboard reads it.
#[napi(object, use_nullable = true)]
#[derive(Debug, Clone, PartialEq)]
// Every field is documented in the dashboard contract, whose flags these bools are.
#[expect(missing_docs, clippy::struct_excessive_bools)]
pub struct DashboardBook {
    #[napi(js_name = "goodreads_id")]
    pub goodreads_id: String,
    pub title: String,
    pub author: String,
    pub isbn: Option<String>,
    pub isbn13: Option<String>,
    #[napi(js_name = "date_read")]
    pub date_read: Option<String>,
    #[napi(js_name = "reading_year")]
    pub reading_year: Option<i32>,
    #[napi(js_name = "reading_month_year")]
    pub reading_month_year: Option<String>,
    #[napi(js_name = "my_rating")]
    pub my_rating: Option<u32>,
    #[napi(js_name = "average_rating")]
    pub average_rating: Option<f64>,
    #[napi(js_name = "is_rated")]
    pub is_rated: bool,
    #[napi(js_name = "num_pages")]
    pub num_pages: Option<u32>,
    pub publisher: Option<String>,
    pub binding: Option<String>,
    #[napi(js_name = "publication_year")]
    pub publication_year: Option<i32>,
    #[napi(js_name = "page_category")]
    pub page_category: Option<String>,
    #[napi(js_name = "reading_status")]
    pub reading_status: Option<String>,
    pub bookshelves: Vec<String>,
    pub genres: Vec<String>,
    #[napi(js_name = "thumbnail_url")]
    pub thumbnail_url: Option<String>,
    #[napi(js_name = "small_thumbnail_url")]
    pub small_thumbnail_url: Option<String>,
    #[napi(js_name = "my_review")]
    pub my_review: Option<String>,
    #[napi(js_name = "private_notes")]
    pub private_notes: Option<String>,
    #[napi(js_name = "has_spoilers")]
    pub has_spoilers: bool,
    #[napi(js_name = "has_review")]
    pub has_review: bool,
    #[napi(js_name = "genre_enriched")]
    pub genre_enriched: bool,
    #[napi(js_name = "was_reread")]
    pub was_reread: bool,
    #[napi(js_name = "original_read_count")]
    pub original_read_count: u32,
}

/// Earliest and latest date read (ISO dates).
#[napi(object, use_nullable = true)]
#[derive(Debug, Clone, PartialEq, Eq)]
#[expect(missing_docs)]
pub struct DateRange {
    pub earliest: Option<String>,
    pub latest: Option<String>,
}

/// One entry of `most_common_genres`.
#[napi(object)]
#[derive(Debug, Clone, PartialEq)]
#[expect(missing_docs)]
pub struct GenreCount {
    pub genre: String,
    pub count: i64,
    pub percentage: f64,
}

/// The `summary` object.
#[napi(object, use_nullable = true)]
#[derive(Debug, Clone, PartialEq)]
#[expect(missing_docs)]
pub struct DashboardSummary {
    #[napi(js_name = "total_books")]
    pub total_books: i64,
    #[napi(js_name = "read_books")]
    pub read_books: i64,
    #[napi(js_name = "rated_books")]
    pub rated_books: i64,
    #[napi(js_name = "genre_enriched_books")]
    pub genre_enriched_books: i64,
    #[napi(js_name = "genre_enrichment_rate")]
    pub genre_enrichment_rate: f64,
    #[napi(js_name = "unique_authors")]
    pub unique_authors: i64,
    #[napi(js_name = "unique_genres")]
    pub unique_genres: i64,
    #[napi(js_name = "total_pages")]
    pub total_pages: i64,
    #[napi(js_name = "reading_date_range")]
    pub reading_date_range: DateRange,
    #[napi(js_name = "reading_years")]
    pub reading_years: Vec<i32>,
    #[napi(js_name = "average_rating")]
    pub average_rating: Option<f64>,
    #[napi(js_name = "most_common_genres")]
    pub most_common_genres: Vec<GenreCount>,
}

/// Books each source really contributed genres to.
#[napi(object)]
#[derive(Debug, Clone, PartialEq, Eq)]
#[expect(missing_docs)]
pub struct GenreSourcesSuccess {
    #[napi(js_name = "google_books")]
    pub google_books: i64,
    #[napi(js_name = "open_library")]
    pub open_library: i64,
    #[napi(js_name = "both_sources")]
    pub both_sources: i64,
    #[napi(js_name = "no_genres")]
    pub no_genres: i64,
    /// Books with genres from each other source (`shelves`, sources of your own); absent when none.
    #[napi(js_name = "other_sources")]
    pub other_sources: Option<std::collections::HashMap<String, i64>>,
}

/// `metadata.validation`: data-quality counts.
#[napi(object)]
#[derive(Debug, Clone, PartialEq, Eq)]
#[expect(missing_docs)]
pub struct DashboardValidation {
    #[napi(js_name = "books_with_missing_dates")]
    pub books_with_missing_dates: i64,
    #[napi(js_name = "books_with_missing_pages")]
    pub books_with_missing_pages: i64,
    #[napi(js_name = "re_read_books_original_count")]
    pub re_read_books_original_count: i64,
    #[napi(js_name = "genre_sources_success")]
    pub genre_sources_success: GenreSourcesSuccess,
    #[napi(js_name = "books_with_failed_lookup")]
    pub books_with_failed_lookup: i64,
    #[napi(js_name = "books_without_enrichment_result")]
    pub books_without_enrichment_result: i64,
}

/// The `metadata` object.
#[napi(object)]
#[derive(Debug, Clone, PartialEq, Eq)]
#[expect(missing_docs)]
pub struct DashboardMetadata {
    #[napi(js_name = "export_id")]
    pub export_id: String,
    #[napi(js_name = "export_timestamp")]
    pub export_timestamp: String,
    #[napi(js_name = "exporter_version")]
    pub exporter_version: String,
    #[napi(js_name = "data_schema_version")]
    pub data_schema_version: String,
    #[napi(js_name = "export_source")]
    pub export_source: String,
    #[napi(js_name = "processing_notes")]
    pub processing_notes: Vec<String>,
    pub validation: DashboardValidation,
}

/// The whole dashboard JSON document.
#[napi(object)]
#[derive(Debug, Clone, PartialEq)]
#[expect(missing_docs)]
pub struct Dashboard {
    #[napi(js_name = "export_id")]
    pub export_id: String,
    pub books: Vec<DashboardBook>,
    pub summary: DashboardSummary,
    pub metadata: DashboardMetadata,
}

fn count(n: u64) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}

fn uncount(n: i64, field: &str) -> Result<u64> {
    u64::try_from(n).map_err(|_| invalid(format!("{field} must not be negative, got {n}")))
}

fn invalid(message: String) -> BindingError {
    BindingError::new(Code::InvalidDashboard, message)
}

fn iso(date: Option<NaiveDate>) -> Option<String> {
    date.map(|d| d.format("%Y-%m-%d").to_string())
}

fn parse_iso(value: Option<String>, field: &str) -> Result<Option<NaiveDate>> {
    value
        .map(|s| {
            NaiveDate::parse_from_str(&s, "%Y-%m-%d")
                .map_err(|_| invalid(format!("{field} must be a YYYY-MM-DD date, got {s:?}")))
        })
        .transpose()
}

fn owned(s: Option<Cow<'_, str>>) -> Option<String> {
    s.map(Cow::into_owned)
}

fn cow(s: Option<String>) -> Option<Cow<'static, str>> {
    s.map(Cow::Owned)
}

impl From<dash::DashboardBook<'_>> for DashboardBook {
    fn from(b: dash::DashboardBook<'_>) -> Self {
        Self {
            goodreads_id: b.goodreads_id.into_owned(),
            title: b.title.into_owned(),
            author: b.author.into_owned(),
            isbn: owned(b.isbn),
            isbn13: owned(b.isbn13),
            date_read: iso(b.date_read),
            reading_year: b.reading_year,
            reading_month_year: b.reading_month_year,
            my_rating: b.my_rating.map(u32::from),
            average_rating: b.average_rating,
            is_rated: b.is_rated,
            num_pages: b.num_pages,
            publisher: owned(b.publisher),
            binding: owned(b.binding),
            publication_year: b.publication_year,
            page_category: owned(b.page_category),
            reading_status: owned(b.reading_status),
            bookshelves: b.bookshelves.into_iter().map(Cow::into_owned).collect(),
            genres: b.genres.into_iter().map(Cow::into_owned).collect(),
            thumbnail_url: owned(b.thumbnail_url),
            small_thumbnail_url: owned(b.small_thumbnail_url),
            my_review: owned(b.my_review),
            private_notes: owned(b.private_notes),
            has_spoilers: b.has_spoilers,
            has_review: b.has_review,
            genre_enriched: b.genre_enriched,
            was_reread: b.was_reread,
            original_read_count: b.original_read_count,
        }
    }
}

impl TryFrom<DashboardBook> for dash::DashboardBook<'static> {
    type Error = BindingError;

    fn try_from(b: DashboardBook) -> Result<Self> {
        let at = |field: &str| format!("book {:?}: {field}", b.goodreads_id);
        let my_rating = b
            .my_rating
            .map(|r| {
                u8::try_from(r)
                    .map_err(|_| invalid(format!("{} must be 0 to 5, got {r}", at("my_rating"))))
            })
            .transpose()?;
        let date_read = parse_iso(b.date_read.clone(), &at("date_read"))?;
        Ok(Self {
            goodreads_id: Cow::Owned(b.goodreads_id),
            title: Cow::Owned(b.title),
            author: Cow::Owned(b.author),
            isbn: cow(b.isbn),
            isbn13: cow(b.isbn13),
            date_read,
            reading_year: b.reading_year,
            reading_month_year: b.reading_month_year,
            my_rating,
            average_rating: b.average_rating,
            is_rated: b.is_rated,
            num_pages: b.num_pages,
            publisher: cow(b.publisher),
            binding: cow(b.binding),
            publication_year: b.publication_year,
            page_category: cow(b.page_category),
            reading_status: cow(b.reading_status),
            bookshelves: b.bookshelves.into_iter().map(Cow::Owned).collect(),
            genres: b.genres.into_iter().map(Cow::Owned).collect(),
            thumbnail_url: cow(b.thumbnail_url),
            small_thumbnail_url: cow(b.small_thumbnail_url),
            my_review: cow(b.my_review),
            private_notes: cow(b.private_notes),
            has_spoilers: b.has_spoilers,
            has_review: b.has_review,
            genre_enriched: b.genre_enriched,
            was_reread: b.was_reread,
            original_read_count: b.original_read_count,
        })
    }
}

impl From<dash::Summary> for DashboardSummary {
    fn from(s: dash::Summary) -> Self {
        Self {
            total_books: count(s.total_books),
            read_books: count(s.read_books),
            rated_books: count(s.rated_books),
            genre_enriched_books: count(s.genre_enriched_books),
            genre_enrichment_rate: s.genre_enrichment_rate,
            unique_authors: count(s.unique_authors),
            unique_genres: count(s.unique_genres),
            total_pages: count(s.total_pages),
            reading_date_range: DateRange {
                earliest: iso(s.reading_date_range.earliest),
                latest: iso(s.reading_date_range.latest),
            },
            reading_years: s.reading_years,
            average_rating: s.average_rating,
            most_common_genres: s
                .most_common_genres
                .into_iter()
                .map(|g| GenreCount {
                    genre: g.genre,
                    count: count(g.count),
                    percentage: g.percentage,
                })
                .collect(),
        }
    }
}

impl TryFrom<DashboardSummary> for dash::Summary {
    type Error = BindingError;

    fn try_from(s: DashboardSummary) -> Result<Self> {
        Ok(Self {
            total_books: uncount(s.total_books, "summary.total_books")?,
            read_books: uncount(s.read_books, "summary.read_books")?,
            rated_books: uncount(s.rated_books, "summary.rated_books")?,
            genre_enriched_books: uncount(s.genre_enriched_books, "summary.genre_enriched_books")?,
            genre_enrichment_rate: s.genre_enrichment_rate,
            unique_authors: uncount(s.unique_authors, "summary.unique_authors")?,
            unique_genres: uncount(s.unique_genres, "summary.unique_genres")?,
            total_pages: uncount(s.total_pages, "summary.total_pages")?,
            reading_date_range: dash::DateRange {
                earliest: parse_iso(
                    s.reading_date_range.earliest,
                    "summary.reading_date_range.earliest",
                )?,
                latest: parse_iso(
                    s.reading_date_range.latest,
                    "summary.reading_date_range.latest",
                )?,
            },
            reading_years: s.reading_years,
            average_rating: s.average_rating,
            most_common_genres: s
                .most_common_genres
                .into_iter()
                .map(|g| {
                    Ok(dash::GenreCount {
                        count: uncount(g.count, "summary.most_common_genres[].count")?,
                        genre: g.genre,
                        percentage: g.percentage,
                    })
                })
                .collect::<Result<_>>()?,
        })
    }
}

impl From<dash::Metadata> for DashboardMetadata {
    fn from(m: dash::Metadata) -> Self {
        let v = m.validation;
        let g = v.genre_sources_success;
        Self {
            export_id: m.export_id,
            export_timestamp: m.export_timestamp,
            exporter_version: m.exporter_version,
            data_schema_version: m.data_schema_version,
            export_source: m.export_source,
            processing_notes: m.processing_notes,
            validation: DashboardValidation {
                books_with_missing_dates: count(v.books_with_missing_dates),
                books_with_missing_pages: count(v.books_with_missing_pages),
                re_read_books_original_count: count(v.re_read_books_original_count),
                genre_sources_success: GenreSourcesSuccess {
                    google_books: count(g.google_books),
                    open_library: count(g.open_library),
                    both_sources: count(g.both_sources),
                    no_genres: count(g.no_genres),
                    other_sources: (!g.other_sources.is_empty()).then(|| {
                        g.other_sources.iter().map(|(k, v)| (k.clone(), count(*v))).collect()
                    }),
                },
                books_with_failed_lookup: count(v.books_with_failed_lookup),
                books_without_enrichment_result: count(v.books_without_enrichment_result),
            },
        }
    }
}

impl TryFrom<DashboardMetadata> for dash::Metadata {
    type Error = BindingError;

    fn try_from(m: DashboardMetadata) -> Result<Self> {
        let v = m.validation;
        let g = v.genre_sources_success;
        let f = "metadata.validation";
        Ok(Self {
            export_id: m.export_id,
            export_timestamp: m.export_timestamp,
            exporter_version: m.exporter_version,
            data_schema_version: m.data_schema_version,
            export_source: m.export_source,
            processing_notes: m.processing_notes,
            validation: dash::Validation {
                books_with_missing_dates: uncount(
                    v.books_with_missing_dates,
                    &format!("{f}.books_with_missing_dates"),
                )?,
                books_with_missing_pages: uncount(
                    v.books_with_missing_pages,
                    &format!("{f}.books_with_missing_pages"),
                )?,
                re_read_books_original_count: uncount(
                    v.re_read_books_original_count,
                    &format!("{f}.re_read_books_original_count"),
                )?,
                genre_sources_success: dash::GenreSourcesSuccess {
                    google_books: uncount(g.google_books, "genre_sources_success.google_books")?,
                    open_library: uncount(g.open_library, "genre_sources_success.open_library")?,
                    both_sources: uncount(g.both_sources, "genre_sources_success.both_sources")?,
                    no_genres: uncount(g.no_genres, "genre_sources_success.no_genres")?,
                    other_sources: g
                        .other_sources
                        .unwrap_or_default()
                        .into_iter()
                        .map(|(k, v)| {
                            let field = format!("genre_sources_success.other_sources.{k}");
                            uncount(v, &field).map(|n| (k, n))
                        })
                        .collect::<Result<_>>()?,
                },
                books_with_failed_lookup: uncount(
                    v.books_with_failed_lookup,
                    &format!("{f}.books_with_failed_lookup"),
                )?,
                books_without_enrichment_result: uncount(
                    v.books_without_enrichment_result,
                    &format!("{f}.books_without_enrichment_result"),
                )?,
            },
        })
    }
}

impl From<dash::Dashboard<'_>> for Dashboard {
    fn from(d: dash::Dashboard<'_>) -> Self {
        Self {
            export_id: d.export_id,
            books: d.books.into_iter().map(DashboardBook::from).collect(),
            summary: d.summary.into(),
            metadata: d.metadata.into(),
        }
    }
}

impl TryFrom<Dashboard> for dash::Dashboard<'static> {
    type Error = BindingError;

    fn try_from(d: Dashboard) -> Result<Self> {
        Ok(Self {
            export_id: d.export_id,
            books: d.books.into_iter().map(dash::DashboardBook::try_from).collect::<Result<_>>()?,
            summary: d.summary.try_into()?,
            metadata: d.metadata.try_into()?,
        })
    }
}
