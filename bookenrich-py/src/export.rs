//! `read_export`: a Goodreads export (path, bytes or CSV text) into `Export`.

use std::io::Cursor;
use std::path::PathBuf;

use bookenrich_core::csv::{self, Export, ReadOptions, RowProblem};
use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::types::{PyByteArray, PyBytes, PyList, PyString};

use crate::error::{guard, to_py_err};
use crate::model::{PyBookAnalytics, repr};

/// A row of the export that could not be used, with its line and the reason. Immutable.
#[pyclass(frozen, eq, name = "RowProblem", module = "bookenrich")]
#[derive(Debug, Clone, PartialEq)]
pub struct PyRowProblem {
    inner: RowProblem,
}

impl From<RowProblem> for PyRowProblem {
    fn from(inner: RowProblem) -> Self {
        Self { inner }
    }
}

#[pymethods]
impl PyRowProblem {
    /// 1-based line where the row starts in the file.
    #[getter]
    fn line(&self) -> u64 {
        self.inner.line
    }
    /// The row's `Book Id`, when it has one.
    #[getter]
    fn goodreads_id(&self) -> Option<&str> {
        self.inner.goodreads_id.as_deref()
    }
    /// What is wrong, as a stable `snake_case` code, e.g. `"blank_title"`, `"duplicate_book_id"`.
    #[getter]
    fn kind(&self) -> String {
        self.inner.kind.as_str().to_owned()
    }
    /// A sentence saying what is wrong, naming the column.
    #[getter]
    fn message(&self) -> &str {
        &self.inner.message
    }

    fn __str__(&self) -> String {
        self.inner.to_string()
    }

    fn __repr__(&self, py: Python<'_>) -> String {
        format!(
            "RowProblem(line={}, kind={}, message={})",
            self.inner.line,
            repr(py, self.kind()),
            repr(py, &self.inner.message)
        )
    }
}

/// A whole export: the usable books and the rows that could not be used. Immutable.
#[pyclass(frozen, name = "Export", module = "bookenrich")]
pub struct PyExport {
    books: Py<PyList>,
    problems: Py<PyList>,
    rows_read: u64,
    unread_skipped: u64,
}

#[pymethods]
impl PyExport {
    /// The usable books, in file order (a new list each time; the books are shared).
    #[getter]
    fn books<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyList>> {
        // A copy, so changing the returned list never changes the export.
        self.books.bind(py).get_slice(0, usize::MAX).cast_into::<PyList>().map_err(Into::into)
    }
    /// Rows that could not be used, in file order.
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

    fn __len__(&self, py: Python<'_>) -> usize {
        self.books.bind(py).len()
    }

    fn __repr__(&self, py: Python<'_>) -> String {
        format!(
            "Export(books={}, problems={}, rows_read={}, unread_skipped={})",
            self.books.bind(py).len(),
            self.problems.bind(py).len(),
            self.rows_read,
            self.unread_skipped
        )
    }
}

impl PyExport {
    fn new(py: Python<'_>, export: Export) -> PyResult<Self> {
        let books = PyList::empty(py);
        for book in export.books {
            books.append(Py::new(py, PyBookAnalytics::from(book))?)?;
        }
        Ok(Self {
            books: books.unbind(),
            problems: problem_list(py, export.problems)?,
            rows_read: export.rows_read,
            unread_skipped: export.unread_skipped,
        })
    }
}

/// Where the export comes from.
enum Source {
    Path(PathBuf),
    Text(String),
    Bytes(Vec<u8>),
}

/// Decides what `source` is; see `read_export`'s documentation for the rule on `str`.
fn classify(source: &Bound<'_, PyAny>, caller: &str) -> PyResult<Source> {
    if let Ok(s) = source.cast::<PyString>() {
        let text = s.to_cow()?;
        let text: &str = &text;
        // A newline can only be CSV text; otherwise an existing file wins; a comma means a
        // one-line export (a header); anything else is a path that will report "not found".
        if text.contains('\n') || text.contains('\r') {
            return Ok(Source::Text(text.to_owned()));
        }
        let path = PathBuf::from(text);
        if path.exists() || !text.contains(',') {
            return Ok(Source::Path(path));
        }
        return Ok(Source::Text(text.to_owned()));
    }
    if let Ok(b) = source.cast::<PyBytes>() {
        return Ok(Source::Bytes(b.as_bytes().to_vec()));
    }
    if let Ok(b) = source.cast::<PyByteArray>() {
        return Ok(Source::Bytes(b.to_vec()));
    }
    if source.hasattr("__fspath__")? {
        return Ok(Source::Path(source.extract::<PathBuf>()?));
    }
    if let Ok(b) = source.call_method0("tobytes") {
        // memoryview and other buffer objects that can hand over their bytes.
        if let Ok(b) = b.cast::<PyBytes>() {
            return Ok(Source::Bytes(b.as_bytes().to_vec()));
        }
    }
    let type_name = source.get_type().name().map_or_else(|_| "?".to_owned(), |n| n.to_string());
    Err(PyTypeError::new_err(format!(
        "{caller}() expects a path (str or os.PathLike), CSV text (str) or bytes, not {type_name}"
    )))
}

/// Reads `source` (anything `read_export` accepts) into the core's `Export`, the GIL released;
/// `caller` names the Python function in a type error.
pub(crate) fn read_source(
    py: Python<'_>,
    source: &Bound<'_, PyAny>,
    options: &ReadOptions,
    caller: &str,
) -> PyResult<Export> {
    let source = classify(source, caller)?;
    guard(|| {
        // Parsing a large export takes a while: let other Python threads run meanwhile.
        py.detach(|| match &source {
            Source::Path(path) => csv::read_export_path(path, options),
            Source::Text(text) => {
                csv::read_export(Cursor::new(text.as_bytes()), "<string>", options)
            }
            Source::Bytes(bytes) => csv::read_export(Cursor::new(bytes), "<bytes>", options),
        })
        .map_err(to_py_err)
    })
}

/// `problems` as a new list of `RowProblem`.
pub(crate) fn problem_list(py: Python<'_>, problems: Vec<RowProblem>) -> PyResult<Py<PyList>> {
    let list = PyList::empty(py);
    for problem in problems {
        list.append(Py::new(py, PyRowProblem::from(problem))?)?;
    }
    Ok(list.unbind())
}

/// Reads a Goodreads library export from a path, bytes, or CSV text.
#[pyfunction]
#[pyo3(signature = (source, *, include_unread=false, limit=None))]
pub(crate) fn read_export(
    py: Python<'_>,
    source: &Bound<'_, PyAny>,
    include_unread: bool,
    limit: Option<usize>,
) -> PyResult<PyExport> {
    let options = ReadOptions { include_unread, limit, ..ReadOptions::default() };
    let export = read_source(py, source, &options, "read_export")?;
    PyExport::new(py, export)
}
