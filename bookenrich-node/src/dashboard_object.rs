//! The TypeScript declaration of the dashboard JSON (`snake_case` keys, as the contract spells
//! them): the `Dashboard` interface and its parts in `index.d.ts`.
//!
//! These structs only declare the shape for TypeScript; no value passes through them. The
//! core's serde types (`bookenrich_core::dashboard`) are the shape itself: `buildDashboard`
//! serialises them and `writeDashboard` checks its argument with them, so the object *is* the
//! dashboard JSON and `JSON.stringify(dashboard, null, 2)` gives the document the web
//! dashboard reads, keys in the contract's order. A test (bookenrich-py/tests/test_shapes.py)
//! fails when these interfaces, the Python stub's `TypedDict`s and the core's keys disagree.

use napi_derive::napi;

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
