//! `buildDashboard` and `writeDashboard`; `exportToDashboard`: export file to dashboard file
//! without JS objects in between.

use bookenrich_core::BookAnalytics;
use bookenrich_core::Error as CoreError;
use bookenrich_core::csv::ReadOptions;
use bookenrich_core::dashboard::{
    self as dash, DashboardOptions, build_dashboard as core_build, write_dashboard_to_path,
};
use chrono::{DateTime, Utc};
use napi::Env;
use napi::JsString;
use napi::bindgen_prelude::{Either, PromiseRaw, Uint8Array};
use napi_derive::napi;

use crate::book::{Book, RowProblem, books_from_js, count};
use crate::error::{BindingError, Code, Result};
use crate::guard;
use crate::read::Input;
use crate::result::{EnrichmentResult, results_from_js};

/// How errors name a dashboard given as data, as Python's `write_dashboard` does.
const INPUT: &str = "<input>";

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
// The dashboard crosses into JS as JSON text, which the wrapper (bookenrich.cjs, and so
// bookenrich.mjs) gives to `JSON.parse`: napi's serde conversion of a value caps it at a million
// values and, without napi6, fails on any count above u32::MAX. The text is the core's serde
// types serialised, so keys keep the contract's order; the `Dashboard` interface
// (dashboard_object.rs) only declares the shape.
#[napi(ts_return_type = "Dashboard")]
pub fn build_dashboard(
    env: &Env,
    books: Vec<Book>,
    results: Option<Vec<EnrichmentResult>>,
    options: Option<BuildDashboardOptions>,
) -> napi::Result<JsString<'_>> {
    let text = guard::sync(*env, || {
        let options = DashboardOptions::try_from(options.unwrap_or_default())?;
        let books: Vec<BookAnalytics> = books_from_js(books)?;
        let results = results_from_js(results)?;
        serde_json::to_string(&core_build(&books, &results, &options)).map_err(|e| {
            BindingError::new(Code::Internal, format!("cannot make the dashboard JSON: {e}"))
        })
    })?;
    let bytes = text.len();
    // V8 caps a string at about 2^29 characters (some 700,000 books of JSON).
    env.create_string_from_std(text).map_err(|_| {
        BindingError::invalid_input(format!(
            "the dashboard is too large for one JavaScript string ({bytes} bytes of JSON); \
             exportToDashboard writes it without JS objects"
        ))
        .into_napi(*env)
    })
}

/// Writes a dashboard object to `path` as the UTF-8 JSON the web dashboard reads (indented by 2).
///
/// The file is replaced atomically (written beside it, then renamed). Rejects with
/// `INVALID_DASHBOARD` for an object that is not a dashboard (`error.field` names the value at
/// fault, as `books[3].date_read`; a key the dashboard does not have is one, and so is a value
/// JSON cannot hold: `NaN`, a `BigInt`, `undefined` in an array, a cycle), `IO` when the file
/// cannot be written.
// The native function takes the dashboard as JSON text: the wrapper (bookenrich.cjs) makes it
// with `JSON.stringify`, rejecting what JSON cannot hold (NaN, BigInt, a cycle...) by the
// path of the value. napi's serde conversion of an object caps it at a million values (some
// 30,000 books) and names Rust types in its errors.
#[napi(ts_return_type = "Promise<void>")]
pub fn write_dashboard(
    env: &Env,
    #[napi(ts_arg_type = "Dashboard")] dashboard: String,
    path: String,
) -> napi::Result<PromiseRaw<'_, ()>> {
    // Every failure, a malformed dashboard included, rejects the Promise. The core checks the
    // shape, so Python's `write_dashboard` rejects the same data with the same message.
    guard::promise(env, async move {
        guard::blocking(move || {
            if path.is_empty() {
                return Err(BindingError::invalid_input("the path is empty"));
            }
            let value = serde_json::from_str(&dashboard).map_err(|e| CoreError::Dashboard {
                file: INPUT.to_owned(),
                field: None,
                message: e.to_string(),
            })?;
            drop(dashboard);
            let dashboard = dash::Dashboard::from_json_value(&value, INPUT)?;
            dashboard.write_to_path(&path).map_err(BindingError::from)
        })
        .await
    })
}

/// Options of `exportToDashboard`: which rows to keep, and those of `buildDashboard`.
#[napi(object)]
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ExportToDashboardOptions {
    /// Keep every row, not only read books (default `false`).
    pub include_unread: Option<bool>,
    /// Put each book's private notes into the output (default `false`: they are private).
    pub include_private_notes: Option<bool>,
    /// Fixed export id (default: a new random UUID).
    pub export_id: Option<String>,
    /// Fixed export time as an ISO 8601 / RFC 3339 string (default: now).
    pub timestamp: Option<String>,
    /// Extra lines for `metadata.processing_notes`.
    pub processing_notes: Option<Vec<String>>,
}

/// What `exportToDashboard` wrote, and the rows of the export it could not use.
#[napi(object)]
#[derive(Debug, Clone, PartialEq)]
pub struct DashboardReport {
    /// The dashboard file written.
    pub path: String,
    /// Book records in the dashboard.
    pub books: i64,
    /// Rows of the export that could not be used, in file order.
    pub problems: Vec<RowProblem>,
    /// Data rows read (the header excluded).
    pub rows_read: i64,
    /// Usable rows left out because they are not read books (see `includeUnread`).
    pub unread_skipped: i64,
}

/// Reads a Goodreads export (a path or its bytes) and writes its dashboard JSON to `output`, all in Rust.
///
/// The same file as `readGoodreadsCsv` + `buildDashboard` + `writeDashboard`, without a JS
/// object per book: the fast path for large libraries. `results` are joined by `goodreadsId`.
/// Like the CLI, the dashboard notes how many rows could not be used. Rejects with the codes of
/// `readGoodreadsCsv`, `INVALID_INPUT` for a bad option, `IO` when the file cannot be written.
#[napi(ts_return_type = "Promise<DashboardReport>")]
pub fn export_to_dashboard(
    env: &Env,
    path_or_bytes: Either<String, Uint8Array>,
    output: String,
    results: Option<Vec<EnrichmentResult>>,
    options: Option<ExportToDashboardOptions>,
) -> napi::Result<PromiseRaw<'_, DashboardReport>> {
    let input = Input::from_js(path_or_bytes);
    let options = options.unwrap_or_default();
    let read = ReadOptions {
        include_unread: options.include_unread.unwrap_or(false),
        ..ReadOptions::default()
    };
    let dashboard = BuildDashboardOptions {
        include_private_notes: options.include_private_notes,
        export_id: options.export_id,
        timestamp: options.timestamp,
        processing_notes: options.processing_notes,
    };
    // Every failure, a bad option or result included, rejects the Promise.
    let results = results_from_js(results);
    guard::promise(env, async move {
        guard::blocking(move || {
            let results = results?;
            if output.is_empty() {
                return Err(BindingError::invalid_input("the output path is empty"));
            }
            let mut dashboard = DashboardOptions::try_from(dashboard)?;
            let export = input.read(&read)?;
            dashboard.processing_notes.splice(0..0, export.processing_notes());
            write_dashboard_to_path(&export.books, &results, &dashboard, &output)?;
            Ok(DashboardReport {
                path: output,
                books: count(export.books.len() as u64),
                problems: export.problems.into_iter().map(RowProblem::from).collect(),
                rows_read: count(export.rows_read),
                unread_skipped: count(export.unread_skipped),
            })
        })
        .await
    })
}
