//! The Python exception hierarchy and the one mapping from core errors (and panics) to it.
//!
//! ```text
//! BookEnrichError
//! ├── InvalidInputError        not an export (.file), unreadable CSV (.file, .line), invalid dashboard JSON (.file, .field), bad data
//! │   └── MissingColumnsError  .file, .columns
//! ├── ConfigError              .field
//! ├── SourceError              .source (also .source_name), .kind, .url
//! ├── CacheError               .path
//! ├── CancelledError           the work was cancelled
//! └── InternalError            a bug in bookenrich (a Rust panic, or a value that would not serialise); please report it
//! ```
//!
//! Which class a core error becomes is the table in [`convert`], by the error's
//! [`ErrorKind`]; the attributes are the core's [`Error::details`], under the same names.
//!
//! I/O failures are not in the hierarchy: they are Python's own `OSError` subclasses
//! (`FileNotFoundError`, `PermissionError`, …) with `errno` and `filename` set, as `open()` raises them.

use std::any::Any;
use std::panic::{AssertUnwindSafe, catch_unwind};

use bookenrich_core::Error;
use bookenrich_core::error::{Detail, ErrorKind, message_with_causes, panic_message};
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
    "A catalogue failed as a whole; `.source` (also `.source_name`), `.kind` and `.url` (never with an API key) say how."
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

/// Builds an exception of type `E` with `message` and sets the error's details as
/// attributes, under the core's names (`file`, `line`, `columns`, `field`, `source`, `kind`, `url`, `path`).
fn with_details<E: PyTypeInfo>(
    py: Python<'_>,
    message: String,
    details: &[(&str, Detail)],
) -> PyErr {
    let err = PyErr::new::<E, _>(message);
    let value = err.value(py);
    for (name, detail) in details {
        let attr = match detail {
            Detail::Text(s) => Ok(PyString::new(py, s).into_any()),
            Detail::Number(n) => {
                Ok(n.into_pyobject(py).map_or_else(|e| match e {}, Bound::into_any))
            }
            Detail::List(items) => PyList::new(py, items).map(Bound::into_any),
            // `Detail` is non-exhaustive: a new shape is shown as its debug text.
            other => Ok(PyString::new(py, &format!("{other:?}")).into_any()),
        };
        // Setting an attribute on a fresh exception instance cannot fail short of memory
        // exhaustion; the message alone still says everything if it does.
        if let Ok(attr) = attr {
            let _ = value.setattr(*name, &attr);
            if *name == "source" {
                // The name this attribute had before it was `source` in every front end.
                let _ = value.setattr("source_name", attr);
            }
        }
    }
    err
}

/// The Python `OSError` (a subclass chosen by `errno`, e.g. `FileNotFoundError`) for an I/O error on `path`.
pub(crate) fn io_error(path: &std::path::Path, err: &std::io::Error) -> PyErr {
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
pub(crate) fn to_py_err(err: Error) -> PyErr {
    Python::attach(|py| convert(py, err))
}

/// The exception class of each kind of core error: the binding's one table.
fn convert(py: Python<'_>, err: Error) -> PyErr {
    if let Error::Io { path, source } = &err {
        return io_error(path, source);
    }
    let message = message_with_causes(&err);
    let details = err.details();
    let raise: fn(Python<'_>, String, &[(&str, Detail)]) -> PyErr = match err.kind() {
        ErrorKind::MissingColumns => with_details::<MissingColumnsError>,
        ErrorKind::NotAnExport | ErrorKind::InvalidCsv | ErrorKind::InvalidDashboard => {
            with_details::<InvalidInputError>
        }
        ErrorKind::Config => with_details::<ConfigError>,
        ErrorKind::SourceFailed => with_details::<SourceError>,
        ErrorKind::Cache => with_details::<CacheError>,
        ErrorKind::Cancelled => with_details::<CancelledError>,
        // Serialising bookenrich's own values failed: a bug, as in Node and the CLI.
        ErrorKind::Json => with_details::<InternalError>,
        // `ErrorKind` is non-exhaustive: a new kind is still a BookEnrichError with its message.
        _ => with_details::<BookEnrichError>,
    };
    raise(py, message, &details)
}

/// Runs `f`, turning a Rust panic into [`InternalError`] instead of letting it reach Python.
///
/// (`PyO3` would otherwise raise `PanicException`, a `BaseException` that `except Exception` does not catch.)
pub(crate) fn guard<T>(f: impl FnOnce() -> PyResult<T>) -> PyResult<T> {
    catch_unwind(AssertUnwindSafe(f)).unwrap_or_else(|payload| Err(panic_error(payload.as_ref())))
}

/// The [`InternalError`] for a caught panic payload.
pub(crate) fn panic_error(payload: &(dyn Any + Send)) -> PyErr {
    let what = panic_message(payload);
    InternalError::new_err(format!("internal error in bookenrich (please report it): {what}"))
}

/// Panics with `message` inside [`guard`]: lets the test suite check that a Rust panic
/// reaches Python as [`InternalError`]. Not part of the public API.
#[pyfunction]
pub(crate) fn _debug_panic(message: String) -> PyResult<()> {
    guard(|| panic!("{message}"))
}
