//! `build_dashboard` and `write_dashboard`: the dashboard JSON as Python data, and writing it.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use bookenrich_core::dashboard::{DashboardOptions, build_dashboard as core_build};
use chrono::{DateTime, FixedOffset, Utc};
use pyo3::prelude::*;
use pyo3::types::PyAny;

use crate::convert::{from_py, to_py};
use crate::error::{InvalidInputError, guard, io_error};
use crate::model::{PyBookAnalytics, PyEnrichedBook};

/// Builds the dashboard JSON (as a dict, keys in the contract's order) from books and their results.
///
/// Results are matched to books by `goodreads_id`, never by position. `timestamp` (an aware
/// `datetime`) fixes `metadata.export_timestamp` (default: now); `processing_notes` are added to
/// `metadata.processing_notes`.
#[pyfunction]
#[pyo3(signature = (
    books, results=None, *, include_private_notes=false, export_id=None, timestamp=None,
    processing_notes=Vec::new()
))]
pub fn build_dashboard<'py>(
    py: Python<'py>,
    books: Vec<PyRef<'py, PyBookAnalytics>>,
    results: Option<Vec<PyRef<'py, PyEnrichedBook>>>,
    include_private_notes: bool,
    export_id: Option<String>,
    timestamp: Option<DateTime<FixedOffset>>,
    processing_notes: Vec<String>,
) -> PyResult<Bound<'py, PyAny>> {
    let books: Vec<_> = books.iter().map(|b| b.inner.clone()).collect();
    let results: Vec<_> = results.unwrap_or_default().iter().map(|r| r.inner.clone()).collect();
    let options = DashboardOptions {
        include_private_notes,
        export_id,
        timestamp: timestamp.map(|t| t.with_timezone(&Utc)),
        processing_notes,
    };
    let json = guard(|| {
        py.detach(|| serde_json::to_value(core_build(&books, &results, &options)))
            .map_err(|e| InvalidInputError::new_err(format!("dashboard: {e}")))
    })?;
    to_py(py, &json)
}

/// Writes a dashboard (a dict from `build_dashboard`, possibly edited) to `path` as the dashboard
/// reads it: UTF-8 JSON indented by 2, non-ASCII kept, written atomically. Parent folders are created.
#[pyfunction]
pub fn write_dashboard(
    py: Python<'_>,
    dashboard: &Bound<'_, PyAny>,
    path: PathBuf,
) -> PyResult<()> {
    let value = from_py(dashboard, "dashboard")?;
    guard(|| py.detach(|| write_json(&value, &path)))
}

fn write_json(value: &serde_json::Value, path: &Path) -> PyResult<()> {
    if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent).map_err(|e| io_error(parent, &e))?;
    }
    let mut tmp_name = path.file_name().map(std::ffi::OsStr::to_os_string).unwrap_or_default();
    tmp_name.push(format!(".{}.tmp", std::process::id()));
    let tmp = path.with_file_name(tmp_name);
    let result = (|| {
        let file = File::create(&tmp).map_err(|e| io_error(&tmp, &e))?;
        let mut writer = BufWriter::with_capacity(1 << 16, file);
        serde_json::to_writer_pretty(&mut writer, value)
            .map_err(|e| InvalidInputError::new_err(format!("{}: {e}", path.display())))?;
        writer.flush().map_err(|e| io_error(&tmp, &e))?;
        drop(writer);
        std::fs::rename(&tmp, path).map_err(|e| io_error(path, &e))
    })();
    if result.is_err() {
        // Best effort: a half-written temporary file must not be left behind.
        let _ = std::fs::remove_file(&tmp);
    }
    result
}
