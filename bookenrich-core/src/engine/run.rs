//! One run of an enricher, set up per call: `enricher.run(&books).progress(cb).cancel(token).await`.
//!
//! The progress callback and the cancellation belong to the call, not to the enricher,
//! so one enricher can serve calls that report to different places and are cancelled
//! separately (each binding call brings its own).

use std::future::{Future, IntoFuture};
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use tokio::sync::Notify;

use super::enricher::Enricher;
use super::progress::{Progress, ProgressCallback, RunSummary};
use crate::error::{Error, Result};
use crate::model::{BookInfo, EnrichedBook};

/// Cancels the runs it is given to; clones share one state, and cancelling is for good.
#[derive(Debug, Clone, Default)]
pub struct CancelToken {
    state: Arc<CancelState>,
}

#[derive(Debug, Default)]
struct CancelState {
    cancelled: AtomicBool,
    notify: Notify,
}

impl CancelToken {
    /// A token not cancelled yet.
    pub fn new() -> Self {
        Self::default()
    }

    /// Cancels every run holding this token (and every later one): no request is sent afterwards.
    pub fn cancel(&self) {
        self.state.cancelled.store(true, Ordering::SeqCst);
        self.state.notify.notify_waiters();
    }

    /// Whether [`cancel`](Self::cancel) was called.
    pub fn is_cancelled(&self) -> bool {
        self.state.cancelled.load(Ordering::SeqCst)
    }

    /// Resolves once the token is cancelled.
    pub async fn cancelled(&self) {
        loop {
            // Registered before the check, so a cancel between the two is not missed.
            let notified = self.state.notify.notified();
            if self.is_cancelled() {
                return;
            }
            notified.await;
        }
    }
}

/// A run being set up; await it to enrich. Built by [`Enricher::run`].
#[must_use = "a run does nothing until it is awaited"]
pub struct Run<'a> {
    enricher: &'a Enricher,
    books: &'a [BookInfo],
    progress: Option<ProgressCallback>,
    cancel: Option<CancelToken>,
}

impl<'a> Run<'a> {
    pub(super) fn new(enricher: &'a Enricher, books: &'a [BookInfo]) -> Self {
        Self { enricher, books, progress: None, cancel: None }
    }

    /// Calls `callback` as this run progresses (at the start, after each answered
    /// batch, at the end), besides any callback the enricher was built with.
    pub fn progress(mut self, callback: impl Fn(&Progress) + Send + Sync + 'static) -> Self {
        self.progress = Some(Arc::new(callback));
        self
    }

    /// Stops the run when `token` is cancelled: it then ends with [`Error::Cancelled`].
    pub fn cancel(mut self, token: CancelToken) -> Self {
        self.cancel = Some(token);
        self
    }
}

impl<'a> IntoFuture for Run<'a> {
    /// One result per book, in input order, and what the run did; [`Error::Cancelled`]
    /// only when the run's token was cancelled.
    type Output = Result<(Vec<EnrichedBook>, RunSummary)>;
    type IntoFuture = Pin<Box<dyn Future<Output = Self::Output> + Send + 'a>>;

    fn into_future(self) -> Self::IntoFuture {
        Box::pin(async move {
            let work = self.enricher.enrich_reporting(self.books, self.progress.as_ref());
            match self.cancel {
                None => Ok(work.await),
                Some(token) => {
                    // Whichever comes first wins; dropping the work stops it.
                    tokio::select! {
                        biased;
                        () = token.cancelled() => Err(Error::Cancelled),
                        out = work => Ok(out),
                    }
                }
            }
        })
    }
}
