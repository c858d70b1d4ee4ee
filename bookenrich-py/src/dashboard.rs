//! `build_dashboard` and `write_dashboard`: the dashboard JSON as Python data, and writing it;
//! `export_to_dashboard`: export file to dashboard file without Python objects in between.

use std::path::{Path, PathBuf};

use bookenrich_core::csv::ReadOptions;
use bookenrich_core::dashboard::{
    Dashboard, DashboardOptions, build_dashboard as core_build, write_dashboard_to_path,
};
use chrono::{DateTime, FixedOffset, Utc};
use pyo3::prelude::*;
use pyo3::types::{PyAny, PyList};

use crate::convert::{from_py, to_py};
use crate::error::{InvalidInputError, guard, to_py_err};
use crate::export::{problem_list, read_source};
use crate::model::{PyBookAnalytics, PyEnrichedBook, repr};

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
pub(crate) fn build_dashboard<'py>(
    py: Python<'py>,
    books: Vec<PyRef<'py, PyBookAnalytics>>,
    results: Option<Vec<PyRef<'py, PyEnrichedBook>>>,
    include_private_notes: bool,
    export_id: Option<String>,
    timestamp: Option<DateTime<FixedOffset>>,
    processing_notes: Vec<String>,
) -> PyResult<Bound<'py, PyAny>> {
    let books: Vec<_> = books.iter().map(|b| b.inner.clone()).collect();
    let results = core_results(results);
    let options = dashboard_options(include_private_notes, export_id, timestamp, processing_notes);
    let json = guard(|| {
        py.detach(|| serde_json::to_value(core_build(&books, &results, &options)))
            .map_err(|e| InvalidInputError::new_err(format!("dashboard: {e}")))
    })?;
    to_py(py, &json)
}

/// Writes a dashboard (a dict from `build_dashboard`, possibly edited) to `path` as the dashboard
/// reads it: UTF-8 JSON indented by 2, non-ASCII kept, written atomically. Parent folders are created.
///
/// The dict is checked first, by the core as Node's `writeDashboard` checks its object: a value
/// of the wrong type, a missing or unknown key raises `InvalidInputError` whose `.field` names it
/// (`books[3].date_read`), and nothing is written.
#[pyfunction]
pub(crate) fn write_dashboard(
    py: Python<'_>,
    dashboard: &Bound<'_, PyAny>,
    path: PathBuf,
) -> PyResult<()> {
    let value = from_py(dashboard, "dashboard")?;
    guard(|| {
        py.detach(|| Dashboard::from_json_value(&value, "<input>")?.write_to_path(&path))
            .map_err(to_py_err)
    })
}

/// What `export_to_dashboard` wrote, and the rows of the export it could not use. Immutable.
#[pyclass(frozen, name = "DashboardReport", module = "bookenrich")]
pub struct PyDashboardReport {
    path: PathBuf,
    books: usize,
    problems: Py<PyList>,
    rows_read: u64,
    unread_skipped: u64,
}

#[pymethods]
impl PyDashboardReport {
    /// The dashboard file written.
    #[getter]
    fn path(&self) -> &Path {
        &self.path
    }
    /// Book records in the dashboard.
    #[getter]
    fn books(&self) -> usize {
        self.books
    }
    /// Rows of the export that could not be used, in file order (a new list each time).
    #[getter]
    fn problems<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyList>> {
        self.problems.bind(py).get_slice(0, usize::MAX).cast_into::<PyList>().map_err(Into::into)
    }
    /// Data rows read (the header excluded).
    #[getter]
    fn rows_read(&self) -> u64 {
        self.rows_read
    }
    /// Usable rows left out because the book is not read (without `include_unread`).
    #[getter]
    fn unread_skipped(&self) -> u64 {
        self.unread_skipped
    }

    fn __repr__(&self, py: Python<'_>) -> String {
        format!(
            "DashboardReport(path={}, books={}, problems={}, rows_read={}, unread_skipped={})",
            repr(py, self.path.display().to_string()),
            self.books,
            self.problems.bind(py).len(),
            self.rows_read,
            self.unread_skipped
        )
    }
}

/// Reads a Goodreads export and writes its dashboard JSON to `output`, all in Rust.
///
/// The same file as `build_dashboard(read_export(source).books, results)` then `write_dashboard`,
/// without making a Python object per book: the fast path for large libraries. `source` is
/// anything `read_export` accepts; `results` are matched by `goodreads_id`.
#[pyfunction]
#[pyo3(signature = (
    source, output, results=None, *, include_unread=false, include_private_notes=false,
    export_id=None, timestamp=None, processing_notes=Vec::new()
))]
#[expect(clippy::too_many_arguments, reason = "Python keyword arguments, not a Rust call site")]
pub(crate) fn export_to_dashboard(
    py: Python<'_>,
    source: &Bound<'_, PyAny>,
    output: PathBuf,
    results: Option<Vec<PyRef<'_, PyEnrichedBook>>>,
    include_unread: bool,
    include_private_notes: bool,
    export_id: Option<String>,
    timestamp: Option<DateTime<FixedOffset>>,
    processing_notes: Vec<String>,
) -> PyResult<PyDashboardReport> {
    let read = ReadOptions { include_unread, ..ReadOptions::default() };
    let export = read_source(py, source, &read, "export_to_dashboard")?;
    let results = core_results(results);
    let mut notes = export.processing_notes();
    notes.extend(processing_notes);
    let options = dashboard_options(include_private_notes, export_id, timestamp, notes);
    guard(|| {
        py.detach(|| write_dashboard_to_path(&export.books, &results, &options, &output))
            .map_err(to_py_err)
    })?;
    Ok(PyDashboardReport {
        books: export.books.len(),
        problems: problem_list(py, export.problems)?,
        rows_read: export.rows_read,
        unread_skipped: export.unread_skipped,
        path: output,
    })
}

fn core_results(
    results: Option<Vec<PyRef<'_, PyEnrichedBook>>>,
) -> Vec<bookenrich_core::EnrichedBook> {
    results.unwrap_or_default().iter().map(|r| r.inner.clone()).collect()
}

fn dashboard_options(
    include_private_notes: bool,
    export_id: Option<String>,
    timestamp: Option<DateTime<FixedOffset>>,
    processing_notes: Vec<String>,
) -> DashboardOptions {
    DashboardOptions {
        include_private_notes,
        export_id,
        timestamp: timestamp.map(|t| t.with_timezone(&Utc)),
        processing_notes,
    }
}
