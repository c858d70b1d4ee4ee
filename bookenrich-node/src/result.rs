//! The JS shape of one book's enrichment result, and its conversions.

use std::collections::BTreeMap;

use bookenrich_core::sources::SourceErrorKind;
use bookenrich_core::{EnrichedBook, SourceFailure as CoreSourceFailure};
use napi_derive::napi;

use crate::error::{BindingError, Result};
use crate::fields::move_fields;

/// One source's failure for one book, in a form code can act on.
#[napi(object)]
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceFailure {
    /// The source's name, e.g. `open_library`.
    pub source: String,
    /// What kind of failure.
    #[napi(
        ts_type = "'rate_limited' | 'quota_exhausted' | 'server' | 'timeout' | 'connection' | 'malformed_response' | 'response_too_large' | 'rejected' | 'offline' | 'disabled' | 'cancelled'"
    )]
    pub kind: String,
    /// Whether looking the book up again later may succeed (throttles, 5xx, timeouts, dropped
    /// connections, malformed answers).
    pub retryable: bool,
    /// The failure as `error` writes it: `SOURCE: MESSAGE[ (URL)]`.
    pub message: String,
}

impl From<CoreSourceFailure> for SourceFailure {
    fn from(f: CoreSourceFailure) -> Self {
        Self {
            source: f.source,
            kind: f.kind.as_str().to_owned(),
            retryable: f.retryable,
            message: f.message.to_string(),
        }
    }
}

impl TryFrom<SourceFailure> for CoreSourceFailure {
    type Error = BindingError;

    fn try_from(f: SourceFailure) -> Result<Self> {
        let kind: SourceErrorKind = serde_json::from_value(serde_json::Value::String(f.kind))
            .map_err(|e| BindingError::invalid_input(format!("failures[].kind: {e}")))?;
        Ok(Self { source: f.source, kind, retryable: f.retryable, message: f.message.into() })
    }
}

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
    /// Why the lookup failed, when it did (the book still goes into the dashboard, without genres):
    /// every message of `failures`, joined by `"; "`.
    pub error: Option<String>,
    /// Each source that failed for this book; empty when none did.
    pub failures: Vec<SourceFailure>,
    /// Every answer came from the cache.
    pub from_cache: bool,
}

/// `result_fields!(Target from value { rest })`: the fields `EnrichmentResult` and the core's
/// `EnrichedBook` share unchanged, listed once for the conversions both ways.
macro_rules! result_fields {
    ($($head:tt)*) => {
        move_fields!($($head)* [
            goodreads_id, title, author, genres_by_source, final_genres, thumbnail_url,
            small_thumbnail_url, sources_matched, genre_sources, identifiers, processing_log,
            from_cache,
        ])
    };
}

impl From<EnrichedBook> for EnrichmentResult {
    fn from(e: EnrichedBook) -> Self {
        result_fields!(Self from e {
            error: e.error.map(|e| e.to_string()),
            failures: e.failures.into_iter().map(SourceFailure::from).collect(),
        })
    }
}

impl TryFrom<EnrichmentResult> for EnrichedBook {
    type Error = BindingError;

    fn try_from(e: EnrichmentResult) -> Result<Self> {
        let failures =
            e.failures.into_iter().map(CoreSourceFailure::try_from).collect::<Result<_>>()?;
        Ok(result_fields!(Self from e {
            // Not a field of the JS object: a result built in JavaScript has no classification numbers.
            classifications: BTreeMap::new(),
            error: e.error.map(Into::into),
            failures,
        }))
    }
}

/// Results from JS into the core's type; the first malformed one is the error.
pub(crate) fn results_from_js(results: Option<Vec<EnrichmentResult>>) -> Result<Vec<EnrichedBook>> {
    results.unwrap_or_default().into_iter().map(EnrichedBook::try_from).collect()
}
