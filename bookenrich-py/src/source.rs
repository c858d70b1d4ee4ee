//! Genre sources written in Python, run by the engine like the built-in ones.
//!
//! A source is any object with `name`, optional `batch_size` and `rate_limit`, and
//! `lookup(books, fetch)`, plain or `async`. The engine calls [`PythonSource::lookup`] with a
//! batch; the Python method runs on a blocking thread of the runtime with the GIL taken there,
//! so other sources keep running. An `async` lookup runs in an event loop of its own on that
//! thread. `fetch` is the engine's fetcher for this source ([`PyFetch`]): its requests share the
//! rate limit, retries, cache, caps, counters and progress of the built-in sources.
//!
//! Whatever the Python code does (raise, return the wrong number of results, return something
//! else entirely), only this source's answers for this batch fail, with the exception's type and
//! message in the books' `failures`.

use std::collections::BTreeMap;
use std::fmt;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use async_trait::async_trait;
use bookenrich_core::BookInfo;
use bookenrich_core::error::Error as CoreError;
use bookenrich_core::fetch::{Fetcher, Request};
use bookenrich_core::sources::{
    BookQuery, GenreSource, SourceError, SourceErrorKind, SourceHit, SourceResult, failed_lookup,
    lookup_error, lookup_results,
};
use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList, PyString};
use serde_json::Value;
use tokio::runtime::Handle;

use crate::convert::to_py;
use crate::error::{CancelledError, SourceError as PySourceError, to_py_err};
use crate::model::PyBookInfo;

/// A Python object used as a genre source.
pub(crate) struct PythonSource {
    name: String,
    batch_size: usize,
    rate_limit: f64,
    is_async: bool,
    object: Py<PyAny>,
}

impl fmt::Debug for PythonSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PythonSource")
            .field("name", &self.name)
            .field("batch_size", &self.batch_size)
            .field("is_async", &self.is_async)
            .finish_non_exhaustive()
    }
}

impl PythonSource {
    /// Reads `name`, `batch_size`, `rate_limit` and `lookup` of `object`; errors name what is wrong.
    pub(crate) fn new(object: &Bound<'_, PyAny>) -> PyResult<Self> {
        let what = object.repr().map_or_else(|_| "a source".to_owned(), |r| r.to_string());
        let name = object
            .getattr("name")
            .and_then(|n| n.extract::<String>())
            .map_err(|_| PyTypeError::new_err(format!("source {what} needs a `name` (a str)")))?;
        if name.trim().is_empty() {
            return Err(PyValueError::new_err(format!("source {what}: `name` is empty")));
        }
        let batch_size = match optional(object, "batch_size")? {
            None => 1,
            Some(v) => match v.extract::<i64>().ok().and_then(|n| usize::try_from(n).ok()) {
                Some(n) if n >= 1 => n,
                _ => {
                    return Err(PyValueError::new_err(format!(
                        "source {name:?}: batch_size must be a whole number of at least 1, not {}",
                        v.repr()?
                    )));
                }
            },
        };
        let rate_limit = match optional(object, "rate_limit")? {
            None => 1.0,
            Some(v) => match v.extract::<f64>() {
                Ok(r) if r > 0.0 && r.is_finite() => r,
                _ => {
                    return Err(PyValueError::new_err(format!(
                        "source {name:?}: rate_limit must be a number of requests per second above 0, not {}",
                        v.repr()?
                    )));
                }
            },
        };
        let lookup =
            object.getattr("lookup").ok().filter(PyAnyMethods::is_callable).ok_or_else(|| {
                PyTypeError::new_err(format!(
                    "source {name:?} needs a `lookup(books, fetch)` method"
                ))
            })?;
        let py = object.py();
        let is_async =
            py.import("inspect")?.call_method1("iscoroutinefunction", (lookup,))?.is_truthy()?;
        Ok(Self { name, batch_size, rate_limit, is_async, object: object.clone().unbind() })
    }
}

/// `object.attr`, or `None` when it is missing or `None`.
fn optional<'py>(object: &Bound<'py, PyAny>, attr: &str) -> PyResult<Option<Bound<'py, PyAny>>> {
    if !object.hasattr(attr)? {
        return Ok(None);
    }
    Ok(Some(object.getattr(attr)?).filter(|v| !v.is_none()))
}

#[async_trait]
impl GenreSource for PythonSource {
    fn name(&self) -> &str {
        &self.name
    }

    fn batch_size(&self) -> usize {
        self.batch_size
    }

    fn default_rate_limit(&self) -> f64 {
        self.rate_limit
    }

    async fn lookup(&self, books: &[BookQuery], fetch: &Fetcher) -> Vec<SourceResult> {
        let count = books.len();
        let infos: Vec<BookInfo> = books.iter().map(book_info).collect();
        let cancelled = Arc::new(AtomicBool::new(false));
        let running = Arc::new(std::sync::Mutex::new(None::<Py<PyAny>>));
        // Dropped when the engine drops this lookup (the run was cancelled): the Python side
        // is told to stop, and its later requests fail at once.
        let _stop = Stop { cancelled: Arc::clone(&cancelled), running: Arc::clone(&running) };
        let handle = Handle::current();
        let fetch = PyFetch { fetcher: fetch.clone(), handle, cancelled, is_async: self.is_async };
        let object = Python::attach(|py| self.object.clone_ref(py));
        let is_async = self.is_async;
        let name = self.name.clone();
        let call = tokio::task::spawn_blocking(move || {
            Python::attach(|py| {
                let outcome = call_lookup(py, &object, infos, fetch, is_async, &running);
                match outcome {
                    Ok(value) => results(py, &name, value.bind(py), count),
                    Err(e) => failed_lookup(count, &raised(py, &name, &e)),
                }
            })
        });
        match call.await {
            Ok(results) => results,
            Err(e) => {
                let message = format!("the lookup thread failed: {e}");
                failed_lookup(
                    count,
                    &SourceError::new(&self.name, SourceErrorKind::Rejected, message),
                )
            }
        }
    }
}

/// Tells a Python lookup to stop when the engine drops it.
struct Stop {
    cancelled: Arc<AtomicBool>,
    /// `(loop, task)` of a running `async` lookup.
    running: Arc<std::sync::Mutex<Option<Py<PyAny>>>>,
}

impl Drop for Stop {
    fn drop(&mut self) {
        self.cancelled.store(true, Ordering::SeqCst);
        let running = self.running.lock().map(|mut r| r.take()).unwrap_or_default();
        if let Some(pair) = running {
            Python::attach(|py| {
                let pair = pair.bind(py);
                if let (Ok(event_loop), Ok(task)) = (pair.get_item(0), pair.get_item(1)) {
                    if let Ok(cancel) = task.getattr("cancel") {
                        // The loop may have finished meanwhile: nothing to cancel then.
                        let _ = event_loop.call_method1("call_soon_threadsafe", (cancel,));
                    }
                }
            });
        }
    }
}

/// Calls `lookup`; an `async` one runs to completion in a new event loop on this thread.
fn call_lookup(
    py: Python<'_>,
    object: &Py<PyAny>,
    infos: Vec<BookInfo>,
    fetch: PyFetch,
    is_async: bool,
    running: &std::sync::Mutex<Option<Py<PyAny>>>,
) -> PyResult<Py<PyAny>> {
    let books = PyList::empty(py);
    for info in infos {
        books.append(Py::new(py, PyBookInfo::from(info))?)?;
    }
    let fetch = Py::new(py, fetch)?;
    let value = object.bind(py).call_method1("lookup", (books, fetch))?;
    if !is_async {
        return Ok(value.unbind());
    }
    let asyncio = py.import("asyncio")?;
    let event_loop = asyncio.call_method0("new_event_loop")?;
    let task = event_loop.call_method1("create_task", (value,))?;
    if let Ok(mut slot) = running.lock() {
        *slot = Some((event_loop.clone(), task.clone()).into_pyobject(py)?.into_any().unbind());
    }
    let outcome = event_loop.call_method1("run_until_complete", (task,));
    if let Ok(mut slot) = running.lock() {
        slot.take();
    }
    let _ = event_loop.call_method0("close");
    outcome.map(Bound::unbind)
}

/// The books a Python source sees: title, author, the validated ISBN-13 and the shelves.
fn book_info(query: &BookQuery) -> BookInfo {
    BookInfo {
        isbn13: query.isbn.as_ref().map(|i| i.as_isbn13().to_owned()),
        bookshelves: query.bookshelves.clone(),
        ..BookInfo::new(query.title.clone(), query.author.clone())
    }
}

/// `TypeName: message` of a Python exception, as it goes into `failures`.
fn describe(py: Python<'_>, error: &PyErr) -> String {
    let type_name =
        error.get_type(py).name().map_or_else(|_| "Exception".to_owned(), |n| n.to_string());
    let message = error.value(py).str().map_or_else(|_| String::new(), |s| s.to_string());
    if message.is_empty() { type_name } else { format!("{type_name}: {message}") }
}

/// The failure of a lookup that raised: a request's own `SourceError` (raised by `fetch` and
/// not caught) keeps its kind, so a rate limit stays retryable; anything else is `rejected`.
fn raised(py: Python<'_>, source: &str, error: &PyErr) -> SourceError {
    let value = error.value(py);
    if value.is_instance_of::<PySourceError>() {
        let kind = value.getattr("kind").and_then(|k| k.extract::<String>()).ok();
        let text = value.str().map_or_else(|_| String::new(), |s| s.to_string());
        return lookup_error(source, kind.as_deref(), &text);
    }
    lookup_error(source, None, &describe(py, error))
}

/// One result per book from what `lookup` returned (the core's rules for foreign lookups).
fn results(
    py: Python<'_>,
    source: &str,
    value: &Bound<'_, PyAny>,
    count: usize,
) -> Vec<SourceResult> {
    if value.is_none() {
        return vec![Ok(None); count];
    }
    let items = match value.try_iter() {
        Ok(iter) if !value.is_instance_of::<PyString>() && !value.is_instance_of::<PyDict>() => {
            iter.collect::<PyResult<Vec<_>>>().map_err(|e| describe(py, &e))
        }
        _ => Err(format!(
            "lookup must return a list with one result per book, or None; it returned {}",
            type_name(value)
        )),
    };
    lookup_results(source, count, items, |item| hit(py, &item))
}

/// `None` (not found), an exception (this book failed), a list of genre strings, or a mapping
/// or object with `genres` and optionally `thumbnail_url`, `small_thumbnail_url`, `identifiers`.
fn hit(py: Python<'_>, item: &Bound<'_, PyAny>) -> Result<Option<SourceHit>, String> {
    if item.is_none() {
        return Ok(None);
    }
    if let Ok(exception) = item.cast::<pyo3::exceptions::PyBaseException>() {
        return Err(describe(py, &PyErr::from_value(exception.clone().into_any())));
    }
    let expected = || {
        format!(
            "expected None, an exception, a list of genre strings or a dict with \"genres\", not {}",
            type_name(item)
        )
    };
    if item.is_instance_of::<PyString>() {
        return Err(expected());
    }
    let field = |name: &str| -> Option<Bound<'_, PyAny>> {
        let value = match item.cast::<PyDict>() {
            Ok(dict) => dict.get_item(name).ok().flatten(),
            Err(_) => item.getattr(name).ok(),
        };
        value.filter(|v| !v.is_none())
    };
    let strings = |name: &str, value: Bound<'_, PyAny>| -> Result<Vec<String>, String> {
        if value.is_instance_of::<PyString>() {
            return Err(format!("{name} must be a list of str, not a str"));
        }
        value
            .extract::<Vec<String>>()
            .map_err(|_| format!("{name} must be a list of str, not {}", type_name(&value)))
    };
    let text = |name: &str| -> Result<Option<String>, String> {
        field(name)
            .map(|v| {
                v.extract::<String>()
                    .map_err(|_| format!("{name} must be a str, not {}", type_name(&v)))
            })
            .transpose()
    };
    let is_record = item.is_instance_of::<PyDict>() || item.hasattr("genres").unwrap_or(false);
    if !is_record {
        return match item.extract::<Vec<String>>() {
            Ok(genres) => Ok(Some(SourceHit { genres, ..SourceHit::default() })),
            Err(_) => Err(expected()),
        };
    }
    let genres = field("genres").map(|g| strings("genres", g)).transpose()?.unwrap_or_default();
    let identifiers =
        field("identifiers").map(|g| strings("identifiers", g)).transpose()?.unwrap_or_default();
    Ok(Some(SourceHit {
        genres,
        thumbnail_url: text("thumbnail_url")?,
        small_thumbnail_url: text("small_thumbnail_url")?,
        identifiers,
        ..SourceHit::default()
    }))
}

fn type_name(value: &Bound<'_, PyAny>) -> String {
    value.get_type().name().map_or_else(|_| "?".to_owned(), |n| n.to_string())
}

/// The engine's fetcher for one source, handed to its `lookup`.
///
/// In a plain `lookup`, `get_json` returns the decoded JSON and `get_text` the body as a str
/// (the GIL is released while the request runs); in an `async` one, each returns an awaitable.
/// `None` means HTTP 404. A failed request raises `bookenrich.SourceError` (after the retries
/// the engine allows).
#[pyclass(frozen, name = "Fetch", module = "bookenrich")]
pub(crate) struct PyFetch {
    fetcher: Fetcher,
    handle: Handle,
    cancelled: Arc<AtomicBool>,
    is_async: bool,
}

/// A request's answer as a Python value: `None` is HTTP 404.
type ToPython<T> = for<'py> fn(Python<'py>, Option<T>) -> PyResult<Bound<'py, PyAny>>;

#[pymethods]
impl PyFetch {
    /// GETs `url` with `headers` and decodes its JSON body.
    #[pyo3(signature = (url, *, headers=None))]
    fn get_json<'py>(
        &self,
        py: Python<'py>,
        url: &str,
        headers: Option<BTreeMap<String, String>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let request = self.request("get_json", url, headers)?;
        let fetcher = self.fetcher.clone();
        let future = async move { fetcher.get_json::<Value>(request).await.map(|f| f.value) };
        self.answer(py, future, |py, value| to_py(py, &value.unwrap_or(Value::Null)))
    }

    /// GETs `url` with `headers` and gives its body as text (an HTML page, a plain-text record).
    #[pyo3(signature = (url, *, headers=None))]
    fn get_text<'py>(
        &self,
        py: Python<'py>,
        url: &str,
        headers: Option<BTreeMap<String, String>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let request = self.request("get_text", url, headers)?;
        let fetcher = self.fetcher.clone();
        let future = async move { fetcher.get_text(request).await.map(|f| f.value) };
        self.answer(py, future, |py, text| {
            Ok(text.map_or_else(|| py.None().into_bound(py), |t| PyString::new(py, &t).into_any()))
        })
    }

    fn __repr__(&self) -> String {
        format!("<bookenrich.Fetch for {:?}>", self.fetcher.source_name())
    }
}

impl PyFetch {
    /// The GET of `url` with `headers`; `method` names the caller in the error of a bad URL.
    fn request(
        &self,
        method: &str,
        url: &str,
        headers: Option<BTreeMap<String, String>>,
    ) -> PyResult<Request> {
        if self.cancelled.load(Ordering::SeqCst) {
            return Err(CancelledError::new_err("the run was cancelled"));
        }
        Request::from_text(url, headers.unwrap_or_default())
            .map_err(|m| PyValueError::new_err(format!("{method}: {m}")))
    }

    /// Runs `future`: to the end for a plain lookup, or as an awaitable of the lookup's event
    /// loop for an `async` one; its answer becomes a Python value through `to_python`.
    fn answer<'py, T: Send + 'static>(
        &self,
        py: Python<'py>,
        future: impl Future<Output = Result<Option<T>, SourceError>> + Send + 'static,
        to_python: ToPython<T>,
    ) -> PyResult<Bound<'py, PyAny>> {
        if !self.is_async {
            let answer = py.detach(|| self.handle.block_on(future));
            return match answer {
                Ok(value) => to_python(py, value),
                Err(e) => Err(to_py_err(CoreError::Source(e))),
            };
        }
        let event_loop = py.import("asyncio")?.call_method0("get_running_loop")?;
        let waiter = event_loop.call_method0("create_future")?;
        let settle = py.import("bookenrich._source")?.getattr("_settle")?.unbind();
        let (loop_ref, waiter_ref) = (event_loop.unbind(), waiter.clone().unbind());
        self.handle.spawn(async move {
            let answer = future.await;
            Python::attach(|py| {
                let (ok, value) = match answer {
                    Ok(value) => match to_python(py, value) {
                        Ok(v) => (true, v.unbind()),
                        Err(e) => (false, e.into_value(py).into_any()),
                    },
                    Err(e) => (false, to_py_err(CoreError::Source(e)).into_value(py).into_any()),
                };
                // A closed loop means the lookup was cancelled: nobody waits for the answer.
                let _ = loop_ref.bind(py).call_method1(
                    "call_soon_threadsafe",
                    (settle.bind(py), waiter_ref.bind(py), ok, value),
                );
            });
        });
        Ok(waiter)
    }
}
