//! The `Enricher` class: options onto the core's `EnricherOptions`, and `enrich` with
//! progress callbacks and an `AbortSignal`.

use std::collections::BTreeMap;

use bookenrich_core::config::{EnricherOptions as CoreOptions, Spelling, respelled};
use bookenrich_core::engine::{
    CancelToken, Enricher as CoreEnricher, RunSummary as CoreRunSummary,
};
use bookenrich_core::{BookInfo as CoreBookInfo, EnrichedBook};
use napi::Env;
use napi::bindgen_prelude::{Object, PromiseRaw, ToNapiValue, Unknown};
use napi_derive::napi;
use serde_json::Value;

use crate::abort::{self, AbortListener};
use crate::error::{BindingError, Result};
use crate::guard::{self, Failure};
use crate::number::js_number;
use crate::progress::{ProgressFn, ProgressSink, RunSummary};
use crate::result::EnrichmentResult;

/// Options of `new Enricher()`. Each unset option comes from its `BOOKENRICH_*`
/// environment variable, else its default (see docs/enrichment.md).
#[napi(object)]
#[derive(Debug, Clone, Default, PartialEq)]
pub struct EnricherOptions {
    /// Sources, in order: `openlibrary`, `google`, `shelves` (default the first two, Open Library
    /// first), and source objects of your own (docs/node.md, "Your own genre sources").
    #[napi(
        ts_type = "Array<string | { name: string; batchSize?: number; rateLimit?: number; lookup(books: BookInfo[], fetch: { getJson(url: string, options?: { headers?: Record<string, string> }): Promise<unknown>; getText(url: string, options?: { headers?: Record<string, string> }): Promise<string | null>; signal: AbortSignal }): unknown }>"
    )]
    pub sources: Option<Vec<String>>,
    /// How the sources' genres are combined (default `planned`).
    #[napi(ts_type = "'planned' | 'union' | 'first_with_genres'")]
    pub merge: Option<String>,
    /// Requests in flight at once, all sources (default 16).
    pub concurrency: Option<f64>,
    /// Requests per second per source, e.g. `{ openlibrary: 3, google: 1 }`.
    pub rate_limits: Option<BTreeMap<String, f64>>,
    /// Response cache: `memory` (default), `off` (or `false`), or a file path.
    #[napi(ts_type = "string | boolean")]
    pub cache: Option<String>,
    /// Open Library base URL, `scheme://host[:port]` (default `https://openlibrary.org`).
    pub open_library_url: Option<String>,
    /// Google Books base URL, `scheme://host[:port]` (default `https://www.googleapis.com`).
    pub google_books_url: Option<String>,
    /// Google Books API key (never logged, cached or returned by `options()`).
    pub google_api_key: Option<String>,
    /// E-mail address or URL sent in the User-Agent (Open Library allows 3 requests/s with one, else 1).
    pub contact: Option<String>,
    /// Answer from the cache only; no request is sent (default `false`).
    pub offline: Option<bool>,
    /// Attempts per request, the first included (default 4).
    pub max_attempts: Option<f64>,
    /// Seconds allowed per request (default 30).
    pub request_timeout: Option<f64>,
    /// Seconds allowed to connect (default 10).
    pub connect_timeout: Option<f64>,
    /// Largest response body accepted, in bytes (default 8 MiB).
    pub max_body_bytes: Option<f64>,
    /// ISBNs per Open Library Books API request (default 40).
    pub open_library_batch_size: Option<f64>,
    /// Google Books requests a run may plan for one day (default 1000, the anonymous daily quota).
    pub google_daily_budget: Option<f64>,
}

/// A book to look up: a `Book` from `readGoodreadsCsv`, or just a title and an author.
///
/// The optional fields may be absent, `undefined` or `null`, so a `Book` can be passed as it is.
// `Option<Option<_>>`: napi reads an absent or `undefined` field as the outer `None`
// and gives `null` to the inner `Option`; a plain `Option<String>` would reject `null`.
#[napi(object)]
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BookInfo {
    /// Title as written in the export (a series suffix like `(The Expanse, #1)` is fine).
    pub title: String,
    /// Primary author.
    pub author: String,
    /// ISBN-10, if any.
    #[napi(ts_type = "string | null")]
    pub isbn: Option<Option<String>>,
    /// ISBN-13, if any.
    #[napi(ts_type = "string | null")]
    pub isbn13: Option<Option<String>>,
    /// Goodreads `Book Id`: the result carries it, and `buildDashboard` joins on it.
    #[napi(ts_type = "string | null")]
    pub goodreads_id: Option<Option<String>>,
    /// The reader's shelves (a `Book`'s `bookshelves`), read by the `shelves` source.
    #[napi(ts_type = "string[] | null")]
    pub bookshelves: Option<Option<Vec<String>>>,
}

/// Options of one `enrich` call.
#[napi(object, object_to_js = false)]
pub struct EnrichOptions<'a> {
    /// Called as the run progresses (at the start, after each answered batch, at the end),
    /// on the JS thread; the Rust side never waits for it. If it throws, the run stops
    /// and the Promise rejects with that exception. Every call happens before the Promise settles.
    #[napi(ts_type = "(progress: Progress) => unknown")]
    pub on_progress: Option<ProgressFn>,
    /// Cancels the run: no request is sent afterwards and the Promise rejects with code `ABORTED`.
    #[napi(ts_type = "AbortSignal")]
    pub signal: Option<Object<'a>>,
}

/// The results of a run and what the run did.
#[napi(object)]
#[derive(Debug, Clone, PartialEq)]
pub struct EnrichmentRun {
    /// One result per book, in input order.
    pub results: Vec<EnrichmentResult>,
    /// Counts per source, requests, retries, elapsed seconds.
    pub summary: RunSummary,
}

/// Enriches books with genres and covers from Open Library and Google Books.
///
/// Cheap to keep: runs share its cache, rate limiters and connections.
#[napi]
pub struct Enricher {
    /// Explicit options merged with the environment.
    options: CoreOptions,
    inner: CoreEnricher,
}

impl TryFrom<EnricherOptions> for CoreOptions {
    type Error = BindingError;

    /// Each option is set by its key through the core, which parses and checks it the way
    /// it reads the environment, and names it as JavaScript spells it (`requestTimeout`).
    fn try_from(o: EnricherOptions) -> Result<Self> {
        let given: [(&str, Option<Value>); 16] = [
            // An empty list (only sources written in JavaScript) has nothing to parse.
            ("sources", o.sources.clone().filter(|s| !s.is_empty()).map(Value::from)),
            ("merge", o.merge.map(Value::from)),
            ("concurrency", o.concurrency.map(Value::from)),
            ("rateLimits", o.rate_limits.map(Value::from_iter)),
            ("cache", o.cache.map(Value::from)),
            ("openLibraryUrl", o.open_library_url.map(Value::from)),
            ("googleBooksUrl", o.google_books_url.map(Value::from)),
            ("googleApiKey", o.google_api_key.map(Value::from)),
            ("contact", o.contact.map(Value::from)),
            ("offline", o.offline.map(Value::from)),
            ("maxAttempts", o.max_attempts.map(Value::from)),
            ("requestTimeout", o.request_timeout.map(Value::from)),
            ("connectTimeout", o.connect_timeout.map(Value::from)),
            ("maxBodyBytes", o.max_body_bytes.map(Value::from)),
            ("openLibraryBatchSize", o.open_library_batch_size.map(Value::from)),
            ("googleDailyBudget", o.google_daily_budget.map(Value::from)),
        ];
        let mut options = Self::default();
        for (name, value) in given {
            if let Some(value) = value {
                options.set(name, &value, Spelling::Node)?;
            }
        }
        if o.sources.is_some_and(|s| s.is_empty()) {
            options.sources = Some(Vec::new());
        }
        Ok(options)
    }
}

/// The options in force, for `options()`: never the API key.
impl From<&CoreOptions> for EnricherOptions {
    fn from(o: &CoreOptions) -> Self {
        Self {
            sources: o.sources.as_ref().map(|s| s.iter().map(|s| s.name().to_owned()).collect()),
            merge: o.merge_policy.map(|m| m.as_str().to_owned()),
            concurrency: o.concurrency.map(js_number),
            rate_limits: o.rate_limits.clone(),
            cache: o.cache.clone().map(String::from),
            open_library_url: o.open_library_url.clone(),
            google_books_url: o.google_books_url.clone(),
            google_api_key: None,
            contact: o.contact.clone(),
            offline: o.offline,
            max_attempts: o.max_attempts.map(f64::from),
            request_timeout: o.request_timeout_secs,
            connect_timeout: o.connect_timeout_secs,
            max_body_bytes: o.max_body_bytes.map(js_number),
            open_library_batch_size: o.open_library_batch_size.map(js_number),
            google_daily_budget: o.google_daily_budget.map(js_number),
        }
    }
}

impl From<BookInfo> for CoreBookInfo {
    fn from(b: BookInfo) -> Self {
        Self {
            title: b.title,
            author: b.author,
            isbn: b.isbn.flatten(),
            isbn13: b.isbn13.flatten(),
            goodreads_id: b.goodreads_id.flatten(),
            bookshelves: b.bookshelves.flatten().unwrap_or_default(),
        }
    }
}

/// Why a run failed: a coded error, or the exception `onProgress` threw (rejected as is).
enum RunFailure {
    Binding(BindingError),
    Callback(napi::Error),
}

impl Failure for RunFailure {
    fn from_panic(payload: &(dyn std::any::Any + Send)) -> Self {
        Self::Binding(BindingError::from_panic(payload))
    }

    fn into_napi(self, env: Env) -> napi::Error {
        match self {
            Self::Binding(e) => e.into_napi(env),
            Self::Callback(e) => e,
        }
    }
}

/// What a call prepared on the JS thread.
struct Prepared {
    books: Vec<CoreBookInfo>,
    sink: Option<ProgressSink>,
    abort: Option<(CancelToken, AbortListener)>,
}

#[napi]
impl Enricher {
    /// Checks the options (explicit, then `BOOKENRICH_*` variables, then defaults) and builds
    /// the enricher. Throws `CONFIG` naming the option or variable at fault.
    #[napi(constructor)]
    pub fn new(
        env: Env,
        #[napi(ts_arg_type = "EnricherOptions")] options: Option<Unknown<'_>>,
    ) -> napi::Result<Self> {
        guard::sync(env, || {
            let (explicit, custom) = crate::options::read(options)?;
            let options = CoreOptions::try_from(explicit)?.with_env()?;
            let inner = options
                .clone()
                .into_builder()
                .map(|mut builder| {
                    // In list order, so each lands at its own place among the built-in sources.
                    for (place, source) in custom {
                        builder = builder.source_at(place, source);
                    }
                    builder
                })
                .and_then(bookenrich_core::EnricherBuilder::build)
                .map_err(|e| respelled(e, Spelling::Node))?;
            Ok(Self { options, inner })
        })
    }

    /// The configured sources' names, in order (e.g. `["open_library", "google_books"]`).
    #[napi(getter)]
    pub fn sources(&self) -> Vec<String> {
        self.inner.source_names().into_iter().map(str::to_owned).collect()
    }

    /// The merge policy.
    #[napi(getter, ts_return_type = "'planned' | 'union' | 'first_with_genres'")]
    pub fn merge(&self) -> String {
        self.inner.merge_policy().as_str().to_owned()
    }

    /// Requests in flight at once, all sources.
    #[napi(getter)]
    pub fn concurrency(&self) -> f64 {
        js_number(self.inner.concurrency())
    }

    /// Requests per second in force for each source.
    #[napi(getter)]
    pub fn rate_limits(&self) -> BTreeMap<String, f64> {
        self.inner
            .rate_limits()
            .into_iter()
            .map(|(name, limit)| (name.to_owned(), limit.per_second))
            .collect()
    }

    /// Whether answers come from the cache only.
    #[napi(getter)]
    pub fn offline(&self) -> bool {
        self.inner.is_offline()
    }

    /// The options in force (explicit ones, then `BOOKENRICH_*` variables); never the API key.
    #[napi]
    pub fn options(&self) -> EnricherOptions {
        EnricherOptions::from(&self.options)
    }

    /// What enriching `books` would take, from the cache alone (no request is sent): books the
    /// cache answers, the requests each source should take and may take at most, and the seconds
    /// the rate limits impose.
    #[napi]
    pub fn plan(&self, books: Vec<BookInfo>) -> crate::plan::RunPlan {
        let books: Vec<CoreBookInfo> = books.into_iter().map(CoreBookInfo::from).collect();
        self.inner.plan(&books).into()
    }

    /// Enriches `books`: one result per book, in input order.
    ///
    /// Never rejects because of a single book: a lookup that failed is in that
    /// result's `error`. Rejects with `ABORTED` when `signal` fires, with the
    /// exception `onProgress` threw, or `INVALID_INPUT` for bad arguments.
    #[napi(ts_return_type = "Promise<Array<EnrichmentResult>>")]
    pub fn enrich<'env>(
        &self,
        env: &'env Env,
        books: Vec<BookInfo>,
        options: Option<EnrichOptions<'env>>,
    ) -> napi::Result<PromiseRaw<'env, Vec<EnrichmentResult>>> {
        self.run(env, books, options, |(results, _)| {
            results.into_iter().map(EnrichmentResult::from).collect()
        })
    }

    /// Like `enrich`, also resolving to what the run did (requests, retries, counts per source).
    #[napi(ts_return_type = "Promise<EnrichmentRun>")]
    pub fn enrich_with_summary<'env>(
        &self,
        env: &'env Env,
        books: Vec<BookInfo>,
        options: Option<EnrichOptions<'env>>,
    ) -> napi::Result<PromiseRaw<'env, EnrichmentRun>> {
        self.run(env, books, options, |(results, summary)| EnrichmentRun {
            results: results.into_iter().map(EnrichmentResult::from).collect(),
            summary: summary.into(),
        })
    }
}

impl Enricher {
    fn prepare(
        env: Env,
        books: Vec<BookInfo>,
        options: Option<EnrichOptions<'_>>,
    ) -> Result<Prepared> {
        let books = books.into_iter().map(CoreBookInfo::from).collect();
        let (on_progress, signal) = options.map_or((None, None), |o| (o.on_progress, o.signal));
        let abort = signal.map(|s| abort::listen(env, &s)).transpose()?;
        Ok(Prepared { books, sink: on_progress.map(ProgressSink::new), abort })
    }

    fn run<'env, T>(
        &self,
        env: &'env Env,
        books: Vec<BookInfo>,
        options: Option<EnrichOptions<'env>>,
        finish: impl FnOnce((Vec<EnrichedBook>, CoreRunSummary)) -> T + Send + 'static,
    ) -> napi::Result<PromiseRaw<'env, T>>
    where
        T: ToNapiValue + Send + 'static,
    {
        let prepared = match std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            Self::prepare(*env, books, options)
        })) {
            Ok(Ok(p)) => p,
            // An async method reports every failure through its Promise, even one found up front.
            Ok(Err(e)) => return guard::promise(env, async move { Err::<T, _>(e) }),
            Err(payload) => {
                let e = BindingError::from_panic(payload.as_ref());
                return guard::promise(env, async move { Err::<T, _>(e) });
            }
        };
        let Prepared { books, sink, abort } = prepared;
        let (token, listener) = abort.map_or((None, None), |(t, l)| (Some(t), Some(l)));
        let enricher = self.inner.clone();
        let work = async move {
            let mut run = enricher.run(&books);
            if let Some(sink) = sink.clone() {
                run = run.progress(move |p| sink.send(p));
            }
            if let Some(token) = token {
                run = run.cancel(token);
            }
            let thrown = async {
                match &sink {
                    Some(s) => s.failure().await,
                    None => std::future::pending().await,
                }
            };
            // Whichever comes first wins; the others are dropped, which stops the run.
            let outcome = tokio::select! {
                biased;
                e = thrown => Err(RunFailure::Callback(e)),
                // An abort ends the run with `Cancelled`, which is `ABORTED`.
                out = run => out.map_err(|e| RunFailure::Binding(e.into())),
            };
            // Let every queued progress call happen before the Promise settles.
            let late_error = match &sink {
                Some(s) => s.drain().await,
                None => None,
            };
            match (outcome, late_error) {
                (Err(e), _) => Err(e),
                (Ok(_), Some(e)) => Err(RunFailure::Callback(e)),
                (Ok(out), None) => Ok(finish(out)),
            }
        };
        guard::promise_then(env, work, move |env| {
            if let Some(listener) = listener {
                listener.remove(*env);
            }
        })
    }
}
