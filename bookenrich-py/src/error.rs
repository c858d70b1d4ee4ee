//! The Python exception hierarchy and the one mapping from core errors (and panics) to it.
//!
//! ```text
//! BookEnrichError
//! ├── InvalidInputError        not an export, unreadable CSV, invalid dashboard JSON, bad data
//! │   └── MissingColumnsError  .file, .columns
//! ├── ConfigError              .field
//! ├── SourceError              .source_name, .kind, .url
//! ├── CacheError               .path
//! ├── CancelledError           the work was cancelled
//! └── InternalError            a bug in bookenrich (a Rust panic); please report it
//! ```
//!
//! I/O failures are not in the hierarchy: they are Python's own `OSError` subclasses
//! (`FileNotFoundError`, `PermissionError`, …) with `errno` and `filename` set, as `open()` raises them.

use std::any::Any;
use std::panic::{AssertUnwindSafe, catch_unwind};

use bookenrich_core::Error;
use pyo3::exceptions::{PyException, PyOSError};
use pyo3::prelude::*;
use pyo3::type_object::PyTypeInfo;
use pyo3::types::{PyList, PyString};

pyo3::create_exception!(
    bookenrich,
    BookEnrichError,
    PyException,
    "Base class of every error bookenrich raises (I/O errors are Python's own OSError subclasses)."
);
pyo3::create_exception!(
    bookenrich,
    InvalidInputError,
    BookEnrichError,
    "The input is not usable: not a Goodreads export, an unreadable CSV, invalid dashboard JSON, or bad data."
);
pyo3::create_exception!(
    bookenrich,
    MissingColumnsError,
    InvalidInputError,
    "The export lacks required columns; `.columns` lists them and `.file` names the input."
);
pyo3::create_exception!(
    bookenrich,
    ConfigError,
    BookEnrichError,
    "An option or BOOKENRICH_* environment variable is invalid; `.field` names it."
);
pyo3::create_exception!(
    bookenrich,
    SourceError,
    BookEnrichError,
    "A catalogue failed as a whole; `.source_name`, `.kind` and `.url` (never with an API key) say how."
);
pyo3::create_exception!(
    bookenrich,
    CacheError,
    BookEnrichError,
    "The response cache could not be opened, read or written; `.path` names it."
);
pyo3::create_exception!(
    bookenrich,
    CancelledError,
    BookEnrichError,
    "The work was cancelled before it finished."
);
pyo3::create_exception!(
    bookenrich,
    InternalError,
    BookEnrichError,
    "A bug in bookenrich (a Rust panic was caught); the message says where. Please report it."
);

/// Builds an exception of type `E` with `message` and sets `attrs` on the instance.
fn with_attrs<'py, E: PyTypeInfo>(
    py: Python<'py>,
    message: String,
    attrs: &[(&str, Bound<'py, PyAny>)],
) -> PyErr {
    let err = PyErr::new::<E, _>(message);
    let value = err.value(py);
    for (name, attr) in attrs {
        // Setting an attribute on a fresh exception instance cannot fail short of memory
        // exhaustion; the message alone still says everything if it does.
        let _ = value.setattr(*name, attr);
    }
    err
}

/// The Python `OSError` (a subclass chosen by `errno`, e.g. `FileNotFoundError`) for an I/O error on `path`.
pub fn io_error(path: &std::path::Path, err: &std::io::Error) -> PyErr {
    let filename = path.display().to_string();
    match err.raw_os_error() {
        // OSError(errno, strerror, filename) picks the subclass and reads "[Errno 2] …: 'path'".
        Some(errno) => {
            let text = err.to_string();
            let strerror = text.split(" (os error").next().unwrap_or(&text).to_owned();
            PyOSError::new_err((errno, strerror, filename))
        }
        None => PyOSError::new_err(format!("{filename}: {err}")),
    }
}

/// Converts a core error into the matching Python exception, with its attributes.
///
/// The core's errors carry their causes in their messages (file, line, field, URL); an I/O
/// error is the `OSError` itself, with `errno` and `filename`.
pub fn to_py_err(err: Error) -> PyErr {
    Python::attach(|py| convert(py, err))
}

fn text<'py>(py: Python<'py>, s: &str) -> Bound<'py, PyAny> {
    PyString::new(py, s).into_any()
}

fn convert(py: Python<'_>, err: Error) -> PyErr {
    let message = err.to_string();
    match err {
        Error::Io { path, source } => io_error(&path, &source),
        Error::MissingColumns { file, columns } => match PyList::new(py, &columns) {
            Ok(list) => with_attrs::<MissingColumnsError>(
                py,
                message,
                &[("file", text(py, &file)), ("columns", list.into_any())],
            ),
            Err(_) => MissingColumnsError::new_err(message),
        },
        Error::NotAnExport { file, .. }
        | Error::Csv { file, .. }
        | Error::Dashboard { file, .. } => {
            with_attrs::<InvalidInputError>(py, message, &[("file", text(py, &file))])
        }
        Error::Json(_) => InvalidInputError::new_err(message),
        Error::Config { field, .. } => {
            with_attrs::<ConfigError>(py, message, &[("field", text(py, &field))])
        }
        Error::Source(source) => {
            let kind = serde_json::to_value(source.kind)
                .ok()
                .and_then(|v| v.as_str().map(str::to_owned))
                .unwrap_or_else(|| format!("{:?}", source.kind));
            let url =
                source.url.as_deref().map_or_else(|| py.None().into_bound(py), |u| text(py, u));
            with_attrs::<SourceError>(
                py,
                message,
                &[
                    ("source_name", text(py, &source.source_name)),
                    ("kind", text(py, &kind)),
                    ("url", url),
                ],
            )
        }
        Error::Cache { path, .. } => with_attrs::<CacheError>(
            py,
            message,
            &[("path", text(py, &path.display().to_string()))],
        ),
        Error::Cancelled => CancelledError::new_err(message),
        // `Error` is non-exhaustive: a new variant is still a BookEnrichError with its message.
        _ => BookEnrichError::new_err(message),
    }
}

/// Runs `f`, turning a Rust panic into [`InternalError`] instead of letting it reach Python.
///
/// (`PyO3` would otherwise raise `PanicException`, a `BaseException` that `except Exception` does not catch.)
pub fn guard<T>(f: impl FnOnce() -> PyResult<T>) -> PyResult<T> {
    catch_unwind(AssertUnwindSafe(f)).unwrap_or_else(|payload| Err(panic_error(payload.as_ref())))
}

/// The [`InternalError`] for a caught panic payload.
pub fn panic_error(payload: &(dyn Any + Send)) -> PyErr {
    let what = payload
        .downcast_ref::<&str>()
        .map(|s| (*s).to_owned())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "unknown panic".to_owned());
    InternalError::new_err(format!("internal error in bookenrich (please report it): {what}"))
}

/// Panics with `message` inside [`guard`]: lets the test suite check that a Rust panic
/// reaches Python as [`InternalError`]. Not part of the public API.
#[pyfunction]
pub fn _debug_panic(message: String) -> PyResult<()> {
    guard(|| panic!("{message}"))
}
