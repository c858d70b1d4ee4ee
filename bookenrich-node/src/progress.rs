//! Progress of an enrichment: the JS shapes, and delivery to the caller's `onProgress`.
//!
//! Each `enrich` call gives its run (`enricher.run(&books).progress(…)`) a callback
//! that hands the events to the call's [`ProgressSink`].
//!
//! Events reach JavaScript through a `ThreadsafeFunction` called in non-blocking
//! mode: the Rust side never waits for the JS thread. The sink counts the calls
//! still queued so the run can let them all happen before its Promise settles,
//! and it keeps the first exception `onProgress` threw, which stops the run.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, PoisonError};

use crate::number::js_number;
use bookenrich_core::engine::{
    Progress as CoreProgress, RunSummary as CoreRunSummary, SourceProgress as CoreSource,
};
use napi::Status;
use napi::bindgen_prelude::Unknown;
use napi::threadsafe_function::{ThreadsafeFunction, ThreadsafeFunctionCallMode};
use napi_derive::napi;
use tokio::sync::Notify;

/// Counts per source in a progress event.
#[napi(object)]
#[derive(Debug, Clone, PartialEq)]
pub struct SourceProgress {
    /// The source's name, e.g. `open_library`.
    pub name: String,
    /// HTTP requests sent.
    pub requests: f64,
    /// Retries.
    pub retries: f64,
    /// HTTP 429 answers.
    pub rate_limited: f64,
    /// Answers served from the cache.
    pub cache_hits: f64,
    /// Requests that failed for good.
    pub failures: f64,
    /// The source was stopped for the rest of the run (e.g. its quota ran out).
    pub disabled: bool,
}

/// Where an enrichment stands; passed to `onProgress`.
#[napi(object)]
#[derive(Debug, Clone, PartialEq)]
pub struct Progress {
    /// Books in the run.
    pub books_total: f64,
    /// Books every consulted source has answered for.
    pub books_done: f64,
    /// Share of books done, from 0 to 1 (1 for an empty run).
    pub fraction_done: f64,
    /// HTTP requests sent so far, all sources.
    pub requests: f64,
    /// Retries so far, all sources.
    pub retries: f64,
    /// HTTP 429 answers so far, all sources.
    pub rate_limited: f64,
    /// Answers served from the cache so far.
    pub cache_hits: f64,
    /// The same counts per source, in the configured order.
    pub sources: Vec<SourceProgress>,
    /// Seconds since the run started.
    pub elapsed: f64,
}

/// One source's part of a run summary.
#[napi(object, use_nullable = true)]
#[derive(Debug, Clone, PartialEq)]
pub struct SourceSummary {
    /// The source's name.
    pub name: String,
    /// HTTP requests sent.
    pub requests: f64,
    /// Retries.
    pub retries: f64,
    /// HTTP 429 answers.
    pub rate_limited: f64,
    /// Answers served from the cache.
    pub cache_hits: f64,
    /// Requests that failed for good.
    pub failures: f64,
    /// Books the source found.
    pub books_matched: f64,
    /// Books whose final genres include some of this source's.
    pub books_with_genres: f64,
    /// Books the source failed for.
    pub books_failed: f64,
    /// Why the source was stopped during the run, if it was.
    pub disabled: Option<String>,
}

/// What a whole run did.
#[napi(object)]
#[derive(Debug, Clone, PartialEq)]
pub struct RunSummary {
    /// Books in the run.
    pub books: f64,
    /// Books that ended with at least one genre.
    pub with_genres: f64,
    /// Books that ended with a cover URL.
    pub with_cover: f64,
    /// Books answered entirely from the cache.
    pub from_cache: f64,
    /// Books at least one source failed for (see each result's `error`).
    pub with_errors: f64,
    /// Books with an error and no genres: the ones the run could not enrich.
    pub failed: f64,
    /// HTTP requests sent, all sources.
    pub requests: f64,
    /// Retries, all sources.
    pub retries: f64,
    /// HTTP 429 answers, all sources.
    pub rate_limited: f64,
    /// Answers served from the cache, all sources.
    pub cache_hits: f64,
    /// Per source, in the configured order.
    pub sources: Vec<SourceSummary>,
    /// Wall-clock seconds of the run.
    pub elapsed: f64,
}

impl From<&CoreSource> for SourceProgress {
    fn from(s: &CoreSource) -> Self {
        Self {
            name: s.name.clone(),
            requests: js_number(s.requests),
            retries: js_number(s.retries),
            rate_limited: js_number(s.rate_limited),
            cache_hits: js_number(s.cache_hits),
            failures: js_number(s.failures),
            disabled: s.disabled,
        }
    }
}

impl From<&CoreProgress> for Progress {
    fn from(p: &CoreProgress) -> Self {
        Self {
            books_total: js_number(p.books_total),
            books_done: js_number(p.books_done),
            fraction_done: p.fraction_done(),
            requests: js_number(p.requests),
            retries: js_number(p.retries),
            rate_limited: js_number(p.rate_limited),
            cache_hits: js_number(p.cache_hits),
            sources: p.sources.iter().map(SourceProgress::from).collect(),
            elapsed: p.elapsed.as_secs_f64(),
        }
    }
}

impl From<CoreRunSummary> for RunSummary {
    fn from(s: CoreRunSummary) -> Self {
        Self {
            books: js_number(s.books),
            with_genres: js_number(s.with_genres),
            with_cover: js_number(s.with_cover),
            from_cache: js_number(s.from_cache),
            with_errors: js_number(s.with_errors),
            failed: js_number(s.failed),
            requests: js_number(s.requests),
            retries: js_number(s.retries),
            rate_limited: js_number(s.rate_limited),
            cache_hits: js_number(s.cache_hits),
            sources: s
                .sources
                .into_iter()
                .map(|s| SourceSummary {
                    requests: js_number(s.requests),
                    retries: js_number(s.retries),
                    rate_limited: js_number(s.rate_limited),
                    cache_hits: js_number(s.cache_hits),
                    failures: js_number(s.failures),
                    books_matched: js_number(s.books_matched),
                    books_with_genres: js_number(s.books_with_genres),
                    books_failed: js_number(s.books_failed),
                    disabled: s.disabled,
                    name: s.name,
                })
                .collect(),
            elapsed: s.elapsed.as_secs_f64(),
        }
    }
}

/// The caller's `onProgress`, callable from any thread (no error-first argument).
pub(crate) type ProgressFn =
    ThreadsafeFunction<Progress, Unknown<'static>, Progress, Status, false>;

/// What the run and the queued JS calls share.
#[derive(Default)]
struct SinkState {
    /// Calls queued for the JS thread and not yet made.
    pending: AtomicUsize,
    /// The first exception `onProgress` threw.
    error: Mutex<Option<napi::Error>>,
    /// Woken after each call.
    notify: Notify,
}

/// Delivers one run's progress events to its `onProgress`.
#[derive(Clone)]
pub(crate) struct ProgressSink {
    callback: Arc<ProgressFn>,
    state: Arc<SinkState>,
}

impl ProgressSink {
    /// A sink calling `callback`.
    pub(crate) fn new(callback: ProgressFn) -> Self {
        Self { callback: Arc::new(callback), state: Arc::default() }
    }

    /// Queues one call; never blocks.
    pub(crate) fn send(&self, progress: &CoreProgress) {
        if self.failed() {
            return;
        }
        let state = Arc::clone(&self.state);
        state.pending.fetch_add(1, Ordering::SeqCst);
        let status = self.callback.call_with_return_value(
            Progress::from(progress),
            ThreadsafeFunctionCallMode::NonBlocking,
            move |returned, _env| {
                if let Err(e) = returned {
                    let mut slot = state.error.lock().unwrap_or_else(PoisonError::into_inner);
                    // The first exception is the one reported; later ones repeat the problem.
                    slot.get_or_insert(e);
                }
                state.pending.fetch_sub(1, Ordering::SeqCst);
                state.notify.notify_waiters();
                Ok(())
            },
        );
        if status != Status::Ok {
            // The queue is closing (Node is shutting down): the call will never be made.
            self.state.pending.fetch_sub(1, Ordering::SeqCst);
            self.state.notify.notify_waiters();
        }
    }

    fn failed(&self) -> bool {
        self.state.error.lock().unwrap_or_else(PoisonError::into_inner).is_some()
    }

    fn take_error(&self) -> Option<napi::Error> {
        self.state.error.lock().unwrap_or_else(PoisonError::into_inner).take()
    }

    /// Resolves with the exception once `onProgress` has thrown (never otherwise).
    pub(crate) async fn failure(&self) -> napi::Error {
        loop {
            let notified = self.state.notify.notified();
            if let Some(e) = self.take_error() {
                return e;
            }
            notified.await;
        }
    }

    /// Waits until every queued call has been made; the first exception one threw, if any.
    pub(crate) async fn drain(&self) -> Option<napi::Error> {
        loop {
            let notified = self.state.notify.notified();
            if let Some(e) = self.take_error() {
                return Some(e);
            }
            if self.state.pending.load(Ordering::SeqCst) == 0 {
                return None;
            }
            notified.await;
        }
    }
}
