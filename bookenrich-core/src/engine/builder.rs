//! [`EnricherBuilder`]: assembles an [`Enricher`] from sources, transport, cache and limits.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use tokio::sync::Semaphore;

use super::enricher::{Enricher, Inner, Slot};
use super::merge::MergePolicy;
use super::progress::{Progress, ProgressCallback};
use super::ratelimit::RateLimit;
use super::retry::RetryPolicy;
use crate::cache::ResponseCache;
use crate::error::{Error, Result};
use crate::fetch::{DEFAULT_MAX_BODY_BYTES, DEFAULT_REQUEST_TIMEOUT, DailyBudget, Fetcher};
use crate::genres::GenreNormalizer;
use crate::http::{HttpClient, HttpRequest, HttpResponse, TransportError};
use crate::sources::GenreSource;

/// Default number of requests in flight at once, all sources together.
pub const DEFAULT_CONCURRENCY: usize = 16;

/// Builds an [`Enricher`]. Start with [`Enricher::builder`].
///
/// ```no_run
/// # fn demo() -> bookenrich_core::Result<()> {
/// use std::sync::Arc;
/// use bookenrich_core::engine::{Enricher, MergePolicy, RateLimit};
/// use bookenrich_core::sources::{OpenLibrary, GoogleBooks};
/// let enricher = Enricher::builder()
///     .source(Arc::new(OpenLibrary::default()))
///     .source(Arc::new(GoogleBooks::default()))
///     .merge_policy(MergePolicy::Union)
///     .rate_limit("google_books", RateLimit::per_second(0.5))
///     .build()?;
/// # Ok(()) }
/// ```
#[must_use]
pub struct EnricherBuilder {
    sources: Vec<Arc<dyn GenreSource>>,
    http: Option<Arc<dyn HttpClient>>,
    cache: Option<Arc<dyn ResponseCache>>,
    merge: MergePolicy,
    concurrency: usize,
    rate_limits: BTreeMap<String, RateLimit>,
    daily_budgets: BTreeMap<String, Option<u64>>,
    retry: RetryPolicy,
    request_timeout: Duration,
    max_body_bytes: usize,
    offline: bool,
    normalizer: GenreNormalizer,
    progress: Option<ProgressCallback>,
}

impl Default for EnricherBuilder {
    fn default() -> Self {
        Self {
            sources: Vec::new(),
            http: None,
            cache: None,
            merge: MergePolicy::default(),
            concurrency: DEFAULT_CONCURRENCY,
            rate_limits: BTreeMap::new(),
            daily_budgets: BTreeMap::new(),
            retry: RetryPolicy::default(),
            request_timeout: DEFAULT_REQUEST_TIMEOUT,
            max_body_bytes: DEFAULT_MAX_BODY_BYTES,
            offline: false,
            normalizer: GenreNormalizer::default(),
            progress: None,
        }
    }
}

impl fmt::Debug for EnricherBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("EnricherBuilder")
            .field("sources", &self.sources.iter().map(|s| s.name()).collect::<Vec<_>>())
            .field("http", &self.http)
            .field("cache", &self.cache)
            .field("merge", &self.merge)
            .field("concurrency", &self.concurrency)
            .field("rate_limits", &self.rate_limits)
            .field("daily_budgets", &self.daily_budgets)
            .field("retry", &self.retry)
            .field("request_timeout", &self.request_timeout)
            .field("max_body_bytes", &self.max_body_bytes)
            .field("offline", &self.offline)
            .field("progress", &self.progress.is_some())
            .finish_non_exhaustive()
    }
}

impl EnricherBuilder {
    /// Adds a source after the ones already added (order matters for covers and
    /// for [`MergePolicy::FirstWithGenres`]).
    pub fn source(mut self, source: Arc<dyn GenreSource>) -> Self {
        self.sources.push(source);
        self
    }

    /// Inserts a source at `index` among the ones already added (at the end when `index` is
    /// past them), so a front end can place its own sources before or between built-in ones.
    pub fn source_at(mut self, index: usize, source: Arc<dyn GenreSource>) -> Self {
        self.sources.insert(index.min(self.sources.len()), source);
        self
    }

    /// Adds several sources, in order.
    pub fn sources(mut self, sources: impl IntoIterator<Item = Arc<dyn GenreSource>>) -> Self {
        self.sources.extend(sources);
        self
    }

    /// Sends requests through `http` (default: a [`ReqwestClient`](crate::http::ReqwestClient)
    /// without contact that refuses plain `http://`).
    pub fn http_client(mut self, http: Arc<dyn HttpClient>) -> Self {
        self.http = Some(http);
        self
    }

    /// Allows `source` at most `requests` a day (`None`: no daily budget), instead of the
    /// source's [`default_daily_budget`](GenreSource::default_daily_budget) (Google Books:
    /// 1,000). The day's use is kept in the cache when it keeps counts (the `SQLite` cache).
    pub fn daily_budget(mut self, source: impl Into<String>, requests: Option<u64>) -> Self {
        self.daily_budgets.insert(source.into(), requests);
        self
    }

    /// Reads and stores answers in `cache` (default: none).
    pub fn cache(mut self, cache: Arc<dyn ResponseCache>) -> Self {
        self.cache = Some(cache);
        self
    }

    /// Uses `cache` when it is `Some`, none otherwise.
    pub fn cache_opt(mut self, cache: Option<Arc<dyn ResponseCache>>) -> Self {
        self.cache = cache;
        self
    }

    /// How the sources' genres are combined (default [`MergePolicy::Planned`]).
    pub fn merge_policy(mut self, merge: MergePolicy) -> Self {
        self.merge = merge;
        self
    }

    /// Requests in flight at once, all sources together (default 16).
    pub fn concurrency(mut self, concurrency: usize) -> Self {
        self.concurrency = concurrency;
        self
    }

    /// The rate limit of the source named `source` (default: the source's
    /// [`default_rate_limit`](GenreSource::default_rate_limit), no burst).
    pub fn rate_limit(mut self, source: impl Into<String>, limit: RateLimit) -> Self {
        self.rate_limits.insert(source.into(), limit);
        self
    }

    /// The retry policy of every source (default [`RetryPolicy::default`]).
    pub fn retry_policy(mut self, retry: RetryPolicy) -> Self {
        self.retry = retry;
        self
    }

    /// Time allowed for one request, from sending to the end of the body (default 30 s).
    pub fn request_timeout(mut self, timeout: Duration) -> Self {
        self.request_timeout = timeout;
        self
    }

    /// Largest response body accepted (default 8 MiB).
    pub fn max_body_bytes(mut self, limit: usize) -> Self {
        self.max_body_bytes = limit;
        self
    }

    /// Answers from the cache only; books it cannot answer get an `Offline` error.
    pub fn offline(mut self, offline: bool) -> Self {
        self.offline = offline;
        self
    }

    /// Normalises genres with `normalizer` (default: the built-in rules).
    pub fn normalizer(mut self, normalizer: GenreNormalizer) -> Self {
        self.normalizer = normalizer;
        self
    }

    /// Calls `callback` as the run progresses: at the start and after every answered
    /// lookup (the last call has every book done). A panicking callback is logged and ignored.
    pub fn progress(mut self, callback: impl Fn(&Progress) + Send + Sync + 'static) -> Self {
        self.progress = Some(Arc::new(callback));
        self
    }

    /// Like [`progress`](Self::progress), with a shared callback (`None` removes it).
    pub fn progress_callback(mut self, callback: Option<ProgressCallback>) -> Self {
        self.progress = callback;
        self
    }

    /// Checks the settings and builds the enricher.
    ///
    /// Errors are [`Error::Config`] naming the setting at fault: no sources, two
    /// sources with one name, a zero concurrency, timeout or body cap, an invalid
    /// retry policy or rate limit, or a rate limit for a source that is not configured.
    pub fn build(self) -> Result<Enricher> {
        if self.sources.is_empty() {
            return Err(Error::config("sources", "no sources configured; add at least one"));
        }
        let mut names = BTreeSet::new();
        for source in &self.sources {
            let name = source.name();
            if name.trim().is_empty() {
                return Err(Error::config("sources", "a source has an empty name"));
            }
            if !names.insert(name.to_owned()) {
                return Err(Error::config(
                    "sources",
                    format!("source {name:?} is configured twice"),
                ));
            }
        }
        if let Some(unknown) = self.rate_limits.keys().find(|k| !names.contains(k.as_str())) {
            let known: Vec<_> = names.iter().map(String::as_str).collect();
            return Err(Error::config(
                "rate_limits",
                format!(
                    "rate limit for {unknown:?}, which is not a configured source ({})",
                    known.join(", ")
                ),
            ));
        }
        if let Some(unknown) = self.daily_budgets.keys().find(|k| !names.contains(k.as_str())) {
            return Err(Error::config(
                "daily_budgets",
                format!("daily budget for {unknown:?}, which is not a configured source"),
            ));
        }
        if self.concurrency == 0 {
            return Err(Error::config("concurrency", "must be at least 1"));
        }
        if self.request_timeout.is_zero() {
            return Err(Error::config("request_timeout", "must be longer than zero"));
        }
        if self.max_body_bytes == 0 {
            return Err(Error::config("max_body_bytes", "must be at least 1"));
        }
        self.retry.validate().map_err(|m| Error::config("retry_policy", m))?;

        let http = match self.http {
            Some(http) => http,
            None => default_http(self.offline)?,
        };
        let semaphore = Arc::new(Semaphore::new(self.concurrency));
        let mut slots = Vec::with_capacity(self.sources.len());
        for source in self.sources {
            let name = source.name().to_owned();
            let limit = match self.rate_limits.get(&name) {
                Some(limit) => *limit,
                None => RateLimit::per_second(source.default_rate_limit()),
            };
            limit.validate().map_err(|m| Error::config("rate_limits", format!("{name}: {m}")))?;
            let mut fetcher = Fetcher::new(name.clone(), Arc::clone(&http))
                .with_rate_limit(limit)
                .with_concurrency_limit(Arc::clone(&semaphore))
                .with_retry_policy(self.retry)
                .with_request_timeout(self.request_timeout)
                .with_max_body_bytes(self.max_body_bytes)
                .with_offline(self.offline);
            if let Some(cache) = &self.cache {
                fetcher = fetcher.with_cache(Arc::clone(cache));
            }
            let budget = match self.daily_budgets.get(&name) {
                Some(budget) => *budget,
                None => source.default_daily_budget(),
            };
            if let Some(limit) = budget {
                let mut budget = DailyBudget::new(name.clone(), limit);
                if let Some(cache) = &self.cache {
                    budget = budget.with_store(Arc::clone(cache));
                }
                fetcher = fetcher.with_daily_budget(Arc::new(budget));
            }
            slots.push(Slot { name, source, fetcher, rate_limit: limit });
        }
        Ok(Enricher::from_inner(Inner {
            slots,
            merge: self.merge,
            concurrency: self.concurrency,
            offline: self.offline,
            normalizer: self.normalizer,
            progress: self.progress,
        }))
    }
}

#[cfg(feature = "http")]
fn default_http(_offline: bool) -> Result<Arc<dyn HttpClient>> {
    let client = crate::http::ReqwestClient::new(&crate::http::ReqwestClientConfig::default())?;
    Ok(Arc::new(client))
}

#[cfg(not(feature = "http"))]
fn default_http(offline: bool) -> Result<Arc<dyn HttpClient>> {
    if offline {
        Ok(Arc::new(NoNetwork))
    } else {
        Err(Error::config(
            "http",
            "no HTTP client: build bookenrich-core with the `http` feature or pass one with `http_client`",
        ))
    }
}

/// The transport of an offline run without a network stack: it is never asked.
#[derive(Debug)]
#[cfg_attr(feature = "http", allow(dead_code))]
struct NoNetwork;

#[async_trait]
impl HttpClient for NoNetwork {
    async fn get(&self, _request: HttpRequest) -> Result<HttpResponse, TransportError> {
        Err(TransportError::Other("no HTTP client configured".to_owned()))
    }
}
