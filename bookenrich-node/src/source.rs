//! Genre sources written in JavaScript, run by the engine like the built-in ones.
//!
//! The package entry (bookenrich.cjs) turns each source object of `new Enricher({ sources })`
//! into `{ name, batchSize, rateLimit, lookup }`, where `lookup(books, fetch)` always returns a
//! Promise of one normalised [`LookupItem`] per book (a throw becomes a rejection). The engine
//! calls it through a thread-safe function from its own threads and awaits the Promise; `fetch`
//! is the engine's fetcher for the source ([`Fetch`]), so its requests share the rate limit,
//! retries, cache, caps, counters and progress of the built-in sources. A rejection, or the
//! wrong number of results, fails only this source's answers for those books (the core's
//! [`lookup_results`] rules). When the run is cancelled the engine drops the lookup; the
//! package entry's `AbortController` for it is then aborted, so `fetch.signal` reaches the
//! source's own work.

use std::collections::BTreeMap;
use std::fmt;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, PoisonError};

use async_trait::async_trait;
use bookenrich_core::Error as CoreError;
use bookenrich_core::fetch::{Fetcher, Request};
use bookenrich_core::sources::{
    BookQuery, GenreSource, SourceError, SourceHit, SourceResult, failed_lookup, lookup_error,
    lookup_results,
};
use napi::Env;
use napi::Status;
use napi::bindgen_prelude::{
    FnArgs, Function, JsObjectValue, Object, Promise, PromiseRaw, Unknown,
};
use napi::threadsafe_function::{ThreadsafeFunction, ThreadsafeFunctionCallMode};
use napi_derive::napi;

use crate::enricher::BookInfo;
use crate::error::{BindingError, Result};
use crate::guard;

type Args = FnArgs<(Vec<BookInfo>, Fetch)>;
/// `lookup(books, fetch) → Promise<LookupItem[]>`, callable from any thread.
type LookupFn = ThreadsafeFunction<Args, Promise<Vec<LookupItem>>, Args, Status, false>;
/// The lookup's `abort()`, callable from any thread; weak, so it never keeps Node running.
type AbortFn = ThreadsafeFunction<(), Unknown<'static>, (), Status, false, true>;

/// One book's answer, as the package entry normalises what a JS `lookup` returned.
#[napi(object)]
#[derive(Debug, Clone, Default)]
pub struct LookupItem {
    /// Whether the source found the book.
    pub found: bool,
    /// Why this book failed (`TypeError: ...`), if it did.
    pub error: Option<String>,
    /// Raw genre strings.
    pub genres: Option<Vec<String>>,
    /// Medium cover URL.
    pub thumbnail_url: Option<String>,
    /// Small cover URL.
    pub small_thumbnail_url: Option<String>,
    /// Identifiers the source matched.
    pub identifiers: Option<Vec<String>>,
}

/// A JavaScript object used as a genre source.
pub(crate) struct JsSource {
    name: String,
    batch_size: usize,
    rate_limit: f64,
    lookup: LookupFn,
}

impl fmt::Debug for JsSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("JsSource").field("name", &self.name).finish_non_exhaustive()
    }
}

impl JsSource {
    /// Reads the prepared `{ name, batchSize, rateLimit, lookup }` object.
    pub(crate) fn new(object: &Object<'_>) -> Result<Self> {
        let invalid = |m: &str| BindingError::from(CoreError::config("sources", m.to_owned()));
        let name: String = object
            .get_named_property("name")
            .map_err(|_| invalid("a source object needs a `name` (a string)"))?;
        if name.trim().is_empty() {
            return Err(invalid("a source object's `name` is empty"));
        }
        let batch_size: f64 = object.get_named_property("batchSize").unwrap_or(1.0);
        if batch_size < 1.0 || batch_size.fract() != 0.0 || batch_size > 1e6 {
            return Err(invalid(&format!(
                "source {name:?}: batchSize must be a whole number of at least 1, got {batch_size}"
            )));
        }
        let rate_limit: f64 = object.get_named_property("rateLimit").unwrap_or(1.0);
        if !(rate_limit > 0.0 && rate_limit.is_finite()) {
            return Err(invalid(&format!(
                "source {name:?}: rateLimit must be a number of requests per second above 0, got {rate_limit}"
            )));
        }
        let function: Function<'_, Args, Promise<Vec<LookupItem>>> =
            object.get_named_property("lookup").map_err(|_| {
                invalid(&format!("source {name:?} needs a `lookup(books, fetch)` method"))
            })?;
        let lookup = function
            .build_threadsafe_function::<Args>()
            .callee_handled::<false>()
            .build()
            .map_err(|e| invalid(&format!("source {name:?}: {}", e.reason)))?;
        // The batch size was checked to be a small whole number above.
        #[expect(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
        let batch_size = batch_size as usize;
        Ok(Self { name, batch_size, rate_limit, lookup })
    }
}

#[async_trait]
impl GenreSource for JsSource {
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
        let cancel = Arc::new(Cancellation::default());
        // Dropped when the engine drops this lookup (the run was aborted): the source's signal
        // is aborted, and its later requests reject with ABORTED instead of being sent.
        let stop = Stop(Arc::clone(&cancel));
        let args = FnArgs::from((infos, Fetch { fetcher: fetch.clone(), cancel }));
        let answer = match self.lookup.call_async_catch(args).await {
            Ok(promise) => promise.await,
            Err(e) => Err(e),
        };
        // Settled: there is nothing left to abort.
        stop.0.forget_listener();
        let items = match answer {
            Ok(items) => items,
            Err(e) => {
                let kind = stop.0.failed_kind();
                return failed_lookup(count, &lookup_error(&self.name, kind.as_deref(), &e.reason));
            }
        };
        lookup_results(&self.name, count, Ok(items), |item| match item {
            LookupItem { error: Some(message), .. } => Err(message),
            LookupItem { found: false, .. } => Ok(None),
            item => Ok(Some(SourceHit {
                genres: item.genres.unwrap_or_default(),
                thumbnail_url: item.thumbnail_url,
                small_thumbnail_url: item.small_thumbnail_url,
                identifiers: item.identifiers.unwrap_or_default(),
                ..SourceHit::default()
            })),
        })
    }
}

/// What a lookup and its fetcher share: the run's cancellation, and how the lookup failed.
#[derive(Default)]
struct Cancellation {
    cancelled: AtomicBool,
    /// The package entry's `abort()` of the lookup's `AbortController`, once it gave one.
    listener: Mutex<Option<AbortFn>>,
    /// The kind of a request's own error the lookup rejected with, as the package entry saw it.
    failed_kind: Mutex<Option<String>>,
}

impl Cancellation {
    fn failed_kind(&self) -> Option<String> {
        self.failed_kind.lock().unwrap_or_else(PoisonError::into_inner).clone()
    }

    fn is_cancelled(&self) -> bool {
        self.cancelled.load(Ordering::SeqCst)
    }

    fn cancel(&self) {
        self.cancelled.store(true, Ordering::SeqCst);
        if let Some(abort) = self.forget_listener() {
            // Queued for the JS thread; if Node is shutting down there is nobody to tell.
            let _ = abort.call((), ThreadsafeFunctionCallMode::NonBlocking);
        }
    }

    fn listen(&self, abort: AbortFn) {
        *self.listener.lock().unwrap_or_else(PoisonError::into_inner) = Some(abort);
        // Cancelled before the listener was set: `cancel` found no listener, so call it here.
        if self.is_cancelled() {
            self.cancel();
        }
    }

    fn forget_listener(&self) -> Option<AbortFn> {
        self.listener.lock().unwrap_or_else(PoisonError::into_inner).take()
    }
}

/// Cancels a lookup when dropped before [`Cancellation::forget_listener`] (the engine dropped it).
struct Stop(Arc<Cancellation>);

impl Drop for Stop {
    fn drop(&mut self) {
        self.0.cancel();
    }
}

/// The books a JS source sees: title, author, the validated ISBN-13 and the shelves.
fn book_info(query: &BookQuery) -> BookInfo {
    BookInfo {
        title: query.title.clone(),
        author: query.author.clone(),
        isbn13: Some(query.isbn.as_ref().map(|i| i.as_isbn13().to_owned())),
        bookshelves: Some(Some(query.bookshelves.clone())),
        ..BookInfo::default()
    }
}

/// The engine's fetcher for one source, handed to its `lookup` (wrapped by the package entry
/// as `fetch.getJson(url, { headers })`, `fetch.getText(url, { headers })` and `fetch.signal`).
#[napi]
pub struct Fetch {
    fetcher: Fetcher,
    cancel: Arc<Cancellation>,
}

#[napi]
impl Fetch {
    /// GETs `url` through the engine; resolves to the JSON body as text, or `null` for HTTP 404.
    #[napi]
    pub fn get_json_text<'env>(
        &self,
        env: &'env Env,
        url: String,
        headers: Option<BTreeMap<String, String>>,
    ) -> napi::Result<PromiseRaw<'env, Option<String>>> {
        self.send(env, "getJson", url, headers, |fetcher, request| async move {
            let answer = fetcher.get_json::<serde_json::Value>(request).await?;
            Ok(answer.value.map(|v| v.to_string()))
        })
    }

    /// GETs `url` through the engine; resolves to the body as text (an HTML page, a plain-text
    /// record), or `null` for HTTP 404.
    #[napi]
    pub fn get_text<'env>(
        &self,
        env: &'env Env,
        url: String,
        headers: Option<BTreeMap<String, String>>,
    ) -> napi::Result<PromiseRaw<'env, Option<String>>> {
        self.send(env, "getText", url, headers, |fetcher, request| async move {
            Ok(fetcher.get_text(request).await?.value)
        })
    }

    /// Says that the lookup is rejecting with a request's own error of `kind` (`SOURCE_FAILED`
    /// from `getJson`/`getText`, let through), so its books fail with that kind.
    #[napi]
    pub fn failed_as(&self, kind: String) {
        *self.cancel.failed_kind.lock().unwrap_or_else(PoisonError::into_inner) = Some(kind);
    }

    /// Calls `abort` (once, from the JS thread) when the run is cancelled during this lookup.
    #[napi(ts_args_type = "abort: () => void")]
    pub fn on_abort(&self, abort: AbortFn) {
        self.cancel.listen(abort);
    }
}

impl Fetch {
    /// The promise of `get` for the GET of `url` with `headers`; `method` names the caller in
    /// the error of a bad URL, and a cancelled lookup's request is not sent.
    fn send<'env, Get, Answer>(
        &self,
        env: &'env Env,
        method: &'static str,
        url: String,
        headers: Option<BTreeMap<String, String>>,
        get: Get,
    ) -> napi::Result<PromiseRaw<'env, Option<String>>>
    where
        Get: FnOnce(Fetcher, Request) -> Answer + Send + 'static,
        Answer: Future<Output = std::result::Result<Option<String>, SourceError>> + Send + 'static,
    {
        let (fetcher, cancelled) = (self.fetcher.clone(), self.cancel.is_cancelled());
        guard::promise(env, async move {
            if cancelled {
                return Err(BindingError::aborted());
            }
            let request = Request::from_text(&url, headers.unwrap_or_default())
                .map_err(|m| BindingError::invalid_input(format!("{method}: {m}")))?;
            get(fetcher, request).await.map_err(|e| BindingError::from(CoreError::Source(e)))
        })
    }
}
