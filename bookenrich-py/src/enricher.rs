//! `Enricher`: keyword arguments onto `EnricherOptions`, and `enrich` / `enrich_async` with
//! progress callbacks, Ctrl-C and asyncio cancellation.
//!
//! Each call runs `enricher.run(&books).progress(…)`, whose callback sends the events into
//! that call's channel; Python's callback is called from the channel on Python's side. The
//! whole run happens inside the awaited future, so dropping it (Ctrl-C, a cancelled task,
//! an exception in the callback) stops the run.

use std::any::Any;
use std::collections::BTreeMap;
use std::panic::AssertUnwindSafe;
use std::pin::pin;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use bookenrich_core::config::{EnricherOptions, Spelling, respelled};
use bookenrich_core::engine::{Enricher, Progress, RunSummary};
use bookenrich_core::sources::GenreSource;
use bookenrich_core::{BookInfo, EnrichedBook};
use futures::FutureExt;
use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::types::{PyList, PyString};
use serde_json::Value;
use tokio::sync::{Notify, mpsc};

use crate::convert::to_py;
use crate::error::{InternalError, guard, panic_error, to_py_err};
use crate::model::{PyBookAnalytics, PyBookInfo, PyEnrichedBook, repr};
use crate::options;
use crate::runtime::{PyRuntime, runtime};
use crate::source::PythonSource;

/// What `sources` accepts, for its error message.
const SOURCES_ACCEPT: &str =
    "a list of source names (\"openlibrary\", \"google\", \"shelves\") and GenreSource objects";
/// What `merge` accepts.
const MERGE_ACCEPTS: &str = "\"planned\", \"union\" or \"first_with_genres\"";
/// What `rate_limits` accepts.
const RATE_LIMITS_ACCEPT: &str =
    "a dict of requests per second by source, e.g. {\"openlibrary\": 3, \"google\": 1}";
/// What the base URLs accept.
const URL_ACCEPTS: &str = "a URL such as \"https://openlibrary.org\" (a str)";
/// What the counts accept.
const WHOLE_NUMBER: &str = "a whole number of at least 1";

/// How often a blocking `enrich` wakes up to let Python handle signals (Ctrl-C).
const SIGNAL_CHECK_INTERVAL: Duration = Duration::from_millis(100);

/// The run of `books`, sending its progress events to `sink` when there is one.
async fn run_with_progress(
    enricher: &Enricher,
    books: &[BookInfo],
    sink: Option<mpsc::UnboundedSender<Progress>>,
) -> bookenrich_core::Result<(Vec<EnrichedBook>, RunSummary)> {
    let run = enricher.run(books);
    let run = match sink {
        // A closed channel means the call is over: nothing to deliver any more.
        Some(tx) => run.progress(move |p| drop(tx.send(p.clone()))),
        None => run,
    };
    run.await
}

/// A core enricher and the process it was built in (its HTTP connections die with a fork).
struct Built {
    pid: u32,
    enricher: Enricher,
}

/// Enriches books with genres and covers from the configured catalogues.
#[pyclass(frozen, name = "Enricher", module = "bookenrich")]
pub struct PyEnricher {
    /// Explicit options merged with the environment at construction.
    options: EnricherOptions,
    /// Sources written in Python, with their places in the `sources` list.
    custom: Vec<(usize, Arc<dyn GenreSource>)>,
    built: Mutex<Built>,
}

fn build(
    options: &EnricherOptions,
    custom: &[(usize, Arc<dyn GenreSource>)],
) -> PyResult<Enricher> {
    let respell = |e| to_py_err(respelled(e, Spelling::Python));
    let mut builder = options.clone().into_builder().map_err(respell)?;
    // In list order, so each lands at its own place among the built-in sources.
    for (place, source) in custom {
        builder = builder.source_at(*place, Arc::clone(source));
    }
    builder.build().map_err(respell)
}

/// `sources`: built-in names (for the core to parse) and source objects, in order; the objects
/// with their places.
type SourceList = (Vec<String>, Vec<(usize, Arc<dyn GenreSource>)>);

fn source_list(value: &Bound<'_, PyAny>) -> PyResult<SourceList> {
    if value.is_instance_of::<PyString>() {
        return Err(options::wrong("sources", SOURCES_ACCEPT, value));
    }
    let items = value.try_iter().map_err(|_| options::wrong("sources", SOURCES_ACCEPT, value))?;
    let (mut builtin, mut custom) = (Vec::new(), Vec::new());
    for (place, item) in items.enumerate() {
        let item = item?;
        if let Ok(name) = item.cast::<PyString>() {
            builtin.push(name.to_cow()?.into_owned());
        } else {
            custom.push((place, Arc::new(PythonSource::new(&item)?) as Arc<dyn GenreSource>));
        }
    }
    Ok((builtin, custom))
}

/// The books to enrich: `BookInfo` or `BookAnalytics` objects.
fn book_infos(books: &Bound<'_, PyAny>) -> PyResult<Vec<BookInfo>> {
    let mut out = Vec::new();
    for (i, item) in books.try_iter()?.enumerate() {
        let item = item?;
        if let Ok(info) = item.cast::<PyBookInfo>() {
            out.push(info.get().inner.clone());
        } else if let Ok(book) = item.cast::<PyBookAnalytics>() {
            out.push(book.get().inner.book_info());
        } else {
            let type_name =
                item.get_type().name().map_or_else(|_| "?".to_owned(), |n| n.to_string());
            return Err(PyTypeError::new_err(format!(
                "books[{i}]: expected BookInfo or BookAnalytics, not {type_name}"
            )));
        }
    }
    Ok(out)
}

/// `Duration` as float seconds inside a serialised summary or progress object.
fn seconds_in(value: &mut Value, elapsed: Duration) {
    if let Some(map) = value.as_object_mut() {
        map.insert("elapsed".to_owned(), Value::from(elapsed.as_secs_f64()));
    }
}

fn summary_dict<'py>(py: Python<'py>, summary: &RunSummary) -> PyResult<Bound<'py, PyAny>> {
    let mut value = serde_json::to_value(summary).map_err(|e| to_py_err(e.into()))?;
    seconds_in(&mut value, summary.elapsed);
    to_py(py, &value)
}

fn results_list(py: Python<'_>, results: Vec<EnrichedBook>) -> PyResult<Bound<'_, PyList>> {
    let list = PyList::empty(py);
    for r in results {
        list.append(Py::new(py, PyEnrichedBook::from(r))?)?;
    }
    Ok(list)
}

/// What one wake-up of a blocking `enrich` brought.
enum Step {
    Done(bookenrich_core::Result<(Vec<EnrichedBook>, RunSummary)>),
    Panicked(Box<dyn Any + Send>),
    Progress(Progress),
    Tick,
}

#[pymethods]
impl PyEnricher {
    #[new]
    #[pyo3(signature = (
        *, sources=None, merge=None, concurrency=None, rate_limits=None, cache=None,
        open_library_url=None, google_books_url=None, google_api_key=None, contact=None, offline=None,
        max_attempts=None, request_timeout=None, connect_timeout=None, max_body_bytes=None,
        open_library_batch_size=None, google_daily_budget=None
    ))]
    #[expect(
        clippy::too_many_arguments,
        reason = "One keyword argument per option, as EnricherOptions has them"
    )]
    fn new(
        sources: Option<&Bound<'_, PyAny>>,
        merge: Option<&Bound<'_, PyAny>>,
        concurrency: Option<&Bound<'_, PyAny>>,
        rate_limits: Option<&Bound<'_, PyAny>>,
        cache: Option<&Bound<'_, PyAny>>,
        open_library_url: Option<&Bound<'_, PyAny>>,
        google_books_url: Option<&Bound<'_, PyAny>>,
        google_api_key: Option<&Bound<'_, PyAny>>,
        contact: Option<&Bound<'_, PyAny>>,
        offline: Option<&Bound<'_, PyAny>>,
        max_attempts: Option<&Bound<'_, PyAny>>,
        request_timeout: Option<&Bound<'_, PyAny>>,
        connect_timeout: Option<&Bound<'_, PyAny>>,
        max_body_bytes: Option<&Bound<'_, PyAny>>,
        open_library_batch_size: Option<&Bound<'_, PyAny>>,
        google_daily_budget: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Self> {
        guard(|| {
            // Each value is checked for its Python type here (a `TypeError` naming what the
            // argument accepts), then set by its key through the core, which parses and checks
            // it the way it reads the environment and names it as Python spells it.
            let (names, custom) = match sources.filter(|s| !s.is_none()) {
                Some(list) => {
                    let (names, custom) = source_list(list)?;
                    (Some(names), custom)
                }
                None => (None, Vec::new()),
            };
            let whole = |name: &str, value| options::arg::<i64>(name, WHOLE_NUMBER, value);
            let seconds =
                |name: &str, value| options::arg::<f64>(name, "a number of seconds", value);
            let text =
                |name: &str, accepts: &str, value| options::arg::<String>(name, accepts, value);
            let number = |n: Option<i64>| n.map(Value::from);
            let given: [(&str, Option<Value>); 15] = [
                // An empty list (only sources written in Python) has nothing to parse.
                ("sources", names.clone().filter(|n| !n.is_empty()).map(Value::from)),
                ("merge", options::arg::<String>("merge", MERGE_ACCEPTS, merge)?.map(Value::from)),
                ("concurrency", number(whole("concurrency", concurrency)?)),
                (
                    "rate_limits",
                    options::arg::<BTreeMap<String, f64>>(
                        "rate_limits",
                        RATE_LIMITS_ACCEPT,
                        rate_limits,
                    )?
                    .map(Value::from_iter),
                ),
                (
                    "open_library_url",
                    text("open_library_url", URL_ACCEPTS, open_library_url)?.map(Value::from),
                ),
                (
                    "google_books_url",
                    text("google_books_url", URL_ACCEPTS, google_books_url)?.map(Value::from),
                ),
                (
                    "contact",
                    text("contact", "an e-mail address or URL (a str)", contact)?.map(Value::from),
                ),
                (
                    "google_api_key",
                    text("google_api_key", "a str", google_api_key)?.map(Value::from),
                ),
                ("offline", options::flag("offline", offline)?.map(Value::from)),
                ("max_attempts", number(whole("max_attempts", max_attempts)?)),
                ("request_timeout", seconds("request_timeout", request_timeout)?.map(Value::from)),
                ("connect_timeout", seconds("connect_timeout", connect_timeout)?.map(Value::from)),
                ("max_body_bytes", number(whole("max_body_bytes", max_body_bytes)?)),
                (
                    "open_library_batch_size",
                    number(whole("open_library_batch_size", open_library_batch_size)?),
                ),
                ("google_daily_budget", number(whole("google_daily_budget", google_daily_budget)?)),
            ];
            let mut explicit = EnricherOptions::default();
            for (key, value) in given {
                if let Some(value) = value {
                    explicit.set(key, &value, Spelling::Python).map_err(to_py_err)?;
                }
            }
            if names.is_some_and(|n| n.is_empty()) {
                explicit.sources = Some(Vec::new());
            }
            options::cache(&mut explicit, cache)?;
            let options = explicit.with_env().map_err(to_py_err)?;
            let enricher = build(&options, &custom)?;
            let built = Mutex::new(Built { pid: std::process::id(), enricher });
            Ok(Self { options, custom, built })
        })
    }

    /// The configured sources' names, in order (e.g. `["open_library", "google_books"]`).
    #[getter]
    fn sources(&self) -> PyResult<Vec<String>> {
        Ok(self.enricher()?.source_names().into_iter().map(str::to_owned).collect())
    }

    /// The merge policy: `"planned"` (default), `"union"` or `"first_with_genres"`.
    #[getter]
    fn merge(&self) -> PyResult<&'static str> {
        Ok(self.enricher()?.merge_policy().as_str())
    }

    /// Requests in flight at once, all sources.
    #[getter]
    fn concurrency(&self) -> PyResult<usize> {
        Ok(self.enricher()?.concurrency())
    }

    /// Requests per second in force for each source.
    #[getter]
    fn rate_limits(&self) -> PyResult<BTreeMap<String, f64>> {
        Ok(self
            .enricher()?
            .rate_limits()
            .into_iter()
            .map(|(n, l)| (n.to_owned(), l.per_second))
            .collect())
    }

    /// Whether answers come from the cache only.
    #[getter]
    fn offline(&self) -> PyResult<bool> {
        Ok(self.enricher()?.is_offline())
    }

    /// The options in force (explicit arguments, then BOOKENRICH_* variables); never the API key.
    fn options<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let value = serde_json::to_value(&self.options).map_err(|e| to_py_err(e.into()))?;
        to_py(py, &value)
    }

    /// Enriches `books` (`BookInfo` or `BookAnalytics`): one result per book, in order.
    ///
    /// Releases the GIL while the catalogues are queried. `progress(Progress)` is called on
    /// this thread; an exception in it stops the run and is raised here. Ctrl-C stops the run.
    #[pyo3(signature = (books, progress=None))]
    fn enrich<'py>(
        &self,
        py: Python<'py>,
        books: &Bound<'py, PyAny>,
        progress: Option<Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, PyList>> {
        let (results, _) = self.run_blocking(py, books, progress.as_ref())?;
        results_list(py, results)
    }

    /// Like `enrich`, also returning what the run did (counts per source, requests, elapsed seconds).
    #[pyo3(signature = (books, progress=None))]
    fn enrich_with_summary<'py>(
        &self,
        py: Python<'py>,
        books: &Bound<'py, PyAny>,
        progress: Option<Bound<'py, PyAny>>,
    ) -> PyResult<(Bound<'py, PyList>, Bound<'py, PyAny>)> {
        let (results, summary) = self.run_blocking(py, books, progress.as_ref())?;
        Ok((results_list(py, results)?, summary_dict(py, &summary)?))
    }

    /// What enriching `books` would take, from the cache alone (no request is sent): a dict with
    /// `books`, `from_cache` (books the cache answers), `requests_expected`, `requests_max`,
    /// `seconds_expected`, `seconds_max` (the time the rate limits impose) and `sources` (per
    /// source: `name`, `books`, `requests_expected`, `requests_max`, `per_second`,
    /// `daily_budget_left`, `skipped`).
    fn plan<'py>(&self, py: Python<'py>, books: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyAny>> {
        let books = book_infos(books)?;
        let enricher = self.enricher()?;
        let plan = py.detach(|| enricher.plan(&books));
        let mut value = serde_json::to_value(&plan).map_err(|e| to_py_err(e.into()))?;
        if let Some(map) = value.as_object_mut() {
            map.remove("duration_expected");
            map.remove("duration_max");
            map.insert(
                "seconds_expected".to_owned(),
                Value::from(plan.duration_expected.as_secs_f64()),
            );
            map.insert("seconds_max".to_owned(), Value::from(plan.duration_max.as_secs_f64()));
        }
        to_py(py, &value)
    }

    /// `await enricher.enrich_async(books)`: the same as `enrich`, for asyncio.
    ///
    /// `progress` is called on the event loop's thread; an exception in it stops the run and is
    /// raised by the await. Cancelling the task stops the run (no request is sent afterwards).
    #[pyo3(signature = (books, progress=None))]
    fn enrich_async<'py>(
        &self,
        py: Python<'py>,
        books: &Bound<'py, PyAny>,
        progress: Option<Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        self.run_async(py, books, progress, false)
    }

    /// `await enricher.enrich_with_summary_async(books)`: `enrich_with_summary` for asyncio.
    #[pyo3(signature = (books, progress=None))]
    fn enrich_with_summary_async<'py>(
        &self,
        py: Python<'py>,
        books: &Bound<'py, PyAny>,
        progress: Option<Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        self.run_async(py, books, progress, true)
    }

    fn __repr__(&self, py: Python<'_>) -> String {
        match self.enricher() {
            Ok(e) => format!(
                "Enricher(sources={}, merge={}, concurrency={}, offline={})",
                repr(py, e.source_names()),
                repr(py, e.merge_policy().as_str()),
                e.concurrency(),
                repr(py, e.is_offline())
            ),
            Err(_) => "Enricher(<unusable>)".to_owned(),
        }
    }
}

impl PyEnricher {
    /// The core enricher for this process (rebuilt in a forked child).
    fn enricher(&self) -> PyResult<Enricher> {
        let pid = std::process::id();
        let mut built = self.built.lock().unwrap_or_else(PoisonError::into_inner);
        if built.pid != pid {
            *built = Built { pid, enricher: build(&self.options, &self.custom)? };
        }
        Ok(built.enricher.clone())
    }

    fn run_blocking(
        &self,
        py: Python<'_>,
        books: &Bound<'_, PyAny>,
        progress: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<(Vec<EnrichedBook>, RunSummary)> {
        if progress.is_some_and(|p| !p.is_callable()) {
            return Err(PyTypeError::new_err("progress must be callable"));
        }
        let books = book_infos(books)?;
        let enricher = self.enricher()?;
        let rt = runtime()?;
        let (tx, mut rx) = mpsc::unbounded_channel::<Progress>();
        // Kept so `recv` never reports a closed channel while the run is still going.
        let _keep_open = tx.clone();
        let sink = progress.is_some().then_some(tx);
        let run = AssertUnwindSafe(run_with_progress(&enricher, &books, sink)).catch_unwind();
        let mut run = pin!(run);
        loop {
            // Each wake-up returns to Python with the GIL: a progress event, a tick to check
            // signals, or the result. Returning early (an exception) drops `run`: the run stops.
            let step = py.detach(|| {
                rt.block_on(async {
                    tokio::select! {
                        biased;
                        Some(p) = rx.recv() => Step::Progress(p),
                        out = run.as_mut() => match out {
                            Ok(out) => Step::Done(out),
                            Err(payload) => Step::Panicked(payload),
                        },
                        () = tokio::time::sleep(SIGNAL_CHECK_INTERVAL) => Step::Tick,
                    }
                })
            });
            match step {
                Step::Done(out) => {
                    while let Ok(p) = rx.try_recv() {
                        call_progress(py, progress, p)?;
                    }
                    return out.map_err(to_py_err);
                }
                Step::Panicked(payload) => return Err(panic_error(payload.as_ref())),
                Step::Progress(p) => call_progress(py, progress, p)?,
                Step::Tick => {}
            }
            py.check_signals()?;
        }
    }

    /// A coroutine running the enrichment: `bookenrich._aio.run(StartEnrich)`.
    ///
    /// pyo3-async-runtimes needs the running event loop when the future is created, so the
    /// future is created inside a real coroutine: `asyncio.run(enricher.enrich_async(books))`
    /// and `asyncio.create_task(...)` both work, and a `TypeError` still raises at the call.
    fn run_async<'py>(
        &self,
        py: Python<'py>,
        books: &Bound<'py, PyAny>,
        progress: Option<Bound<'py, PyAny>>,
        with_summary: bool,
    ) -> PyResult<Bound<'py, PyAny>> {
        if let Some(p) = &progress {
            if !p.is_callable() {
                return Err(PyTypeError::new_err("progress must be callable"));
            }
        }
        let start = StartEnrich {
            enricher: self.enricher()?,
            books: book_infos(books)?,
            progress: progress.map(Bound::unbind),
            with_summary,
        };
        py.import("bookenrich._aio")?.getattr("run")?.call1((start,))
    }
}

/// What `enrich_async` will run, started by its coroutine once the event loop is running.
#[pyclass(frozen, module = "bookenrich")]
struct StartEnrich {
    enricher: Enricher,
    books: Vec<BookInfo>,
    progress: Option<Py<PyAny>>,
    with_summary: bool,
}

#[pymethods]
impl StartEnrich {
    /// Returns the asyncio future of the run (called from within the running event loop).
    fn __call__<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let enricher = self.enricher.clone();
        let books = self.books.clone();
        let with_summary = self.with_summary;
        // Build (or rebuild after fork) the runtime now, while errors can still be raised.
        runtime()?;
        let locals = pyo3_async_runtimes::generic::get_current_locals::<PyRuntime>(py)?;
        let dispatch = match &self.progress {
            Some(callback) => {
                Some(Dispatch::new(callback.bind(py).clone(), locals.event_loop(py))?)
            }
            None => None,
        };
        pyo3_async_runtimes::generic::future_into_py_with_locals::<PyRuntime, _, _>(
            py,
            locals,
            async move {
                let (tx, mut rx) = mpsc::unbounded_channel::<Progress>();
                let _keep_open = tx.clone();
                let sink = dispatch.is_some().then_some(tx);
                let run =
                    AssertUnwindSafe(run_with_progress(&enricher, &books, sink)).catch_unwind();
                let mut run = pin!(run);
                let out = loop {
                    tokio::select! {
                        biased;
                        Some(p) = rx.recv() => {
                            if let Some(d) = &dispatch {
                                d.schedule(p)?;
                            }
                        }
                        () = wait_failed(dispatch.as_ref()) => {
                            return Err(dispatch.as_ref().and_then(Dispatch::take_error).unwrap_or_else(|| {
                                InternalError::new_err("a progress callback failed without an exception")
                            }));
                        }
                        out = run.as_mut() => break out.map_err(|payload| panic_error(payload.as_ref()))?.map_err(to_py_err)?,
                    }
                };
                if let Some(d) = &dispatch {
                    while let Ok(p) = rx.try_recv() {
                        d.schedule(p)?;
                    }
                    // Every callback has run when the await returns, and its exception is raised.
                    d.wait_all().await?;
                }
                let (results, summary) = out;
                Python::attach(|py| {
                    let list = results_list(py, results)?;
                    if with_summary {
                        Ok((list, summary_dict(py, &summary)?)
                            .into_pyobject(py)?
                            .into_any()
                            .unbind())
                    } else {
                        Ok(list.into_any().unbind())
                    }
                })
            },
        )
    }
}

/// Calls the sync `progress` callback, if any, on the calling thread.
fn call_progress(py: Python<'_>, progress: Option<&Bound<'_, PyAny>>, p: Progress) -> PyResult<()> {
    if let Some(callback) = progress {
        callback.call1((Py::new(py, PyProgress::from(p))?,))?;
    }
    Ok(())
}

/// Resolves when a scheduled progress callback has failed (never, without callbacks).
async fn wait_failed(dispatch: Option<&Dispatch>) {
    match dispatch {
        Some(d) => loop {
            if d.state.failed() {
                return;
            }
            d.state.notify.notified().await;
        },
        None => std::future::pending().await,
    }
}

/// What the async run and its scheduled callbacks share.
#[derive(Default)]
struct DispatchState {
    /// Callbacks scheduled on the loop and not yet run.
    pending: AtomicUsize,
    /// The first exception a callback raised.
    error: Mutex<Option<PyErr>>,
    /// Woken after each callback.
    notify: Notify,
}

impl DispatchState {
    fn failed(&self) -> bool {
        self.error.lock().unwrap_or_else(PoisonError::into_inner).is_some()
    }
}

/// Delivers progress events to an async caller's callback on its event loop's thread.
struct Dispatch {
    callback: Py<PyAny>,
    event_loop: Py<PyAny>,
    state: Arc<DispatchState>,
}

impl Dispatch {
    fn new(callback: Bound<'_, PyAny>, event_loop: Bound<'_, PyAny>) -> PyResult<Self> {
        if !callback.is_callable() {
            return Err(PyTypeError::new_err("progress must be callable"));
        }
        Ok(Self {
            callback: callback.unbind(),
            event_loop: event_loop.unbind(),
            state: Arc::default(),
        })
    }

    /// Schedules one call with `loop.call_soon_threadsafe`.
    fn schedule(&self, progress: Progress) -> PyResult<()> {
        Python::attach(|py| {
            let call = ProgressCall {
                callback: self.callback.clone_ref(py),
                progress: Py::new(py, PyProgress::from(progress))?,
                state: Arc::clone(&self.state),
            };
            self.state.pending.fetch_add(1, Ordering::SeqCst);
            if let Err(e) = self.event_loop.bind(py).call_method1("call_soon_threadsafe", (call,)) {
                self.state.pending.fetch_sub(1, Ordering::SeqCst);
                return Err(e);
            }
            Ok(())
        })
    }

    fn take_error(&self) -> Option<PyErr> {
        self.state.error.lock().unwrap_or_else(PoisonError::into_inner).take()
    }

    /// Waits until every scheduled callback has run; raises the first exception one raised.
    async fn wait_all(&self) -> PyResult<()> {
        loop {
            if let Some(e) = self.take_error() {
                return Err(e);
            }
            if self.state.pending.load(Ordering::SeqCst) == 0 {
                return Ok(());
            }
            self.state.notify.notified().await;
        }
    }
}

/// One scheduled progress call: run by the event loop, records an exception instead of losing it.
#[pyclass(frozen)]
struct ProgressCall {
    callback: Py<PyAny>,
    progress: Py<PyProgress>,
    state: Arc<DispatchState>,
}

#[pymethods]
impl ProgressCall {
    fn __call__(&self, py: Python<'_>) {
        if let Err(e) = self.callback.call1(py, (self.progress.clone_ref(py),)) {
            let mut slot = self.state.error.lock().unwrap_or_else(PoisonError::into_inner);
            // The first exception is the one raised; later ones would only repeat the problem.
            slot.get_or_insert(e);
        }
        self.state.pending.fetch_sub(1, Ordering::SeqCst);
        self.state.notify.notify_one();
    }
}

/// Where an enrichment stands; passed to `progress` callbacks. Immutable.
#[pyclass(frozen, name = "Progress", module = "bookenrich")]
pub struct PyProgress {
    inner: Progress,
}

impl From<Progress> for PyProgress {
    fn from(inner: Progress) -> Self {
        Self { inner }
    }
}

#[pymethods]
impl PyProgress {
    /// Books in the run.
    #[getter]
    fn books_total(&self) -> usize {
        self.inner.books_total
    }
    /// Books every consulted source has answered for.
    #[getter]
    fn books_done(&self) -> usize {
        self.inner.books_done
    }
    /// HTTP requests sent so far, all sources.
    #[getter]
    fn requests(&self) -> u64 {
        self.inner.requests
    }
    /// Retries so far, all sources.
    #[getter]
    fn retries(&self) -> u64 {
        self.inner.retries
    }
    /// HTTP 429 answers so far, all sources.
    #[getter]
    fn rate_limited(&self) -> u64 {
        self.inner.rate_limited
    }
    /// Answers served from the cache so far.
    #[getter]
    fn cache_hits(&self) -> u64 {
        self.inner.cache_hits
    }
    /// Seconds since the run started.
    #[getter]
    fn elapsed(&self) -> f64 {
        self.inner.elapsed.as_secs_f64()
    }
    /// Share of books done, 0.0 to 1.0.
    #[getter]
    fn fraction_done(&self) -> f64 {
        self.inner.fraction_done()
    }
    /// The same counts per source, as dicts (`name`, `requests`, `retries`, `rate_limited`,
    /// `cache_hits`, `failures`, `disabled`).
    #[getter]
    fn sources<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let value = serde_json::to_value(&self.inner.sources).map_err(|e| to_py_err(e.into()))?;
        to_py(py, &value)
    }

    /// Every field as a dict (`elapsed` in seconds).
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let mut value = serde_json::to_value(&self.inner).map_err(|e| to_py_err(e.into()))?;
        seconds_in(&mut value, self.inner.elapsed);
        to_py(py, &value)
    }

    fn __repr__(&self) -> String {
        format!(
            "Progress(books_done={}, books_total={}, requests={})",
            self.inner.books_done, self.inner.books_total, self.inner.requests
        )
    }
}
