//! The JS shape of one book's enrichment result, and its conversions.

use std::collections::BTreeMap;

use bookenrich_core::EnrichedBook;
use napi_derive::napi;

/// What the enricher found for one book (joined to the book by `goodreadsId`).
#[napi(object, use_nullable = true)]
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct EnrichmentResult {
    /// The `goodreadsId` of the book this result belongs to.
    pub goodreads_id: Option<String>,
    /// Title that was looked up.
    pub title: String,
    /// Author that was looked up.
    pub author: String,
    /// Raw genre strings per source name, exactly as the source returned them.
    pub genres_by_source: BTreeMap<String, Vec<String>>,
    /// The clean genres for the dashboard, most relevant first.
    pub final_genres: Vec<String>,
    /// Medium-size cover URL.
    pub thumbnail_url: Option<String>,
    /// Small cover URL.
    pub small_thumbnail_url: Option<String>,
    /// Sources that found the book (whether or not they had genres).
    pub sources_matched: Vec<String>,
    /// Sources whose genres made it into `finalGenres`.
    pub genre_sources: Vec<String>,
    /// Identifiers the sources matched, e.g. `open_library` → `["/works/OL45804W"]`.
    pub identifiers: BTreeMap<String, Vec<String>>,
    /// What happened, step by step, for this book.
    pub processing_log: Vec<String>,
    /// Why the lookup failed, when it did (the book still goes into the dashboard, without genres).
    pub error: Option<String>,
    /// Every answer came from the cache.
    pub from_cache: bool,
}

impl From<EnrichedBook> for EnrichmentResult {
    fn from(e: EnrichedBook) -> Self {
        Self {
            goodreads_id: e.goodreads_id,
            title: e.title,
            author: e.author,
            genres_by_source: e.genres_by_source,
            final_genres: e.final_genres,
            thumbnail_url: e.thumbnail_url,
            small_thumbnail_url: e.small_thumbnail_url,
            sources_matched: e.sources_matched,
            genre_sources: e.genre_sources,
            identifiers: e.identifiers,
            processing_log: e.processing_log,
            error: e.error,
            from_cache: e.from_cache,
        }
    }
}

impl From<EnrichmentResult> for EnrichedBook {
    fn from(e: EnrichmentResult) -> Self {
        Self {
            goodreads_id: e.goodreads_id,
            title: e.title,
            author: e.author,
            genres_by_source: e.genres_by_source,
            final_genres: e.final_genres,
            thumbnail_url: e.thumbnail_url,
            small_thumbnail_url: e.small_thumbnail_url,
            sources_matched: e.sources_matched,
            genre_sources: e.genre_sources,
            identifiers: e.identifiers,
            processing_log: e.processing_log,
            error: e.error,
            from_cache: e.from_cache,
        }
    }
}
