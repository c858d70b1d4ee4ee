//! `buildDashboard` and `writeDashboard`.

use bookenrich_core::dashboard::{self as dash, DashboardOptions, build_dashboard as core_build};
use bookenrich_core::{BookAnalytics, EnrichedBook};
use chrono::{DateTime, Utc};
use napi::Env;
use napi::bindgen_prelude::PromiseRaw;
use napi_derive::napi;

use crate::book::{Book, books_from_js};
use crate::dashboard_object::Dashboard;
use crate::error::{BindingError, Result};
use crate::guard;
use crate::result::EnrichmentResult;

/// Options of `buildDashboard`.
#[napi(object)]
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BuildDashboardOptions {
    /// Put each book's private notes into the output (default `false`: they are private).
    pub include_private_notes: Option<bool>,
    /// Fixed export id (default: a new random UUID).
    pub export_id: Option<String>,
    /// Fixed export time as an ISO 8601 / RFC 3339 string (default: now).
    pub timestamp: Option<String>,
    /// Extra lines for `metadata.processing_notes`.
    pub processing_notes: Option<Vec<String>>,
}

impl TryFrom<BuildDashboardOptions> for DashboardOptions {
    type Error = BindingError;

    fn try_from(o: BuildDashboardOptions) -> Result<Self> {
        let timestamp = o
            .timestamp
            .map(|t| {
                DateTime::parse_from_rfc3339(&t).map(|t| t.with_timezone(&Utc)).map_err(|e| {
                    BindingError::invalid_input(format!(
                        "timestamp must be an RFC 3339 date-time, got {t:?}: {e}"
                    ))
                })
            })
            .transpose()?;
        Ok(Self {
            include_private_notes: o.include_private_notes.unwrap_or(false),
            export_id: o.export_id,
            timestamp,
            processing_notes: o.processing_notes.unwrap_or_default(),
        })
    }
}

/// Builds the dashboard JSON object from books and their enrichment results (joined by `goodreadsId`).
///
/// A book without a result is kept, without genres, and counted in
/// `metadata.validation`. Throws `INVALID_INPUT` for a malformed book or option.
#[napi]
pub fn build_dashboard(
    env: &Env,
    books: Vec<Book>,
    results: Option<Vec<EnrichmentResult>>,
    options: Option<BuildDashboardOptions>,
) -> napi::Result<Dashboard> {
    guard::sync(env, || {
        let options = DashboardOptions::try_from(options.unwrap_or_default())?;
        let books: Vec<BookAnalytics> = books_from_js(books)?;
        let results: Vec<EnrichedBook> =
            results.unwrap_or_default().into_iter().map(EnrichedBook::from).collect();
        Ok(core_build(&books, &results, &options).into())
    })
}

/// Writes a dashboard object to `path` as the UTF-8 JSON the web dashboard reads (indented by 2).
///
/// The file is replaced atomically (written beside it, then renamed). Rejects with
/// `INVALID_DASHBOARD` for an object that is not a dashboard, `IO` when the file cannot be written.
#[napi(ts_return_type = "Promise<void>")]
pub fn write_dashboard(
    env: &Env,
    dashboard: Dashboard,
    path: String,
) -> napi::Result<PromiseRaw<'_, ()>> {
    // Every failure, a malformed dashboard included, rejects the Promise.
    guard::promise(env, async move {
        guard::blocking(move || {
            if path.is_empty() {
                return Err(BindingError::invalid_input("the path is empty"));
            }
            let dashboard = dash::Dashboard::try_from(dashboard)?;
            dashboard.write_to_path(&path).map_err(BindingError::from)
        })
        .await
    })
}
