//! The per-source request executor that sources make their HTTP requests through.
//!
//! A [`Fetcher`] belongs to one source. For every request it checks the response
//! cache, waits for the source's rate limiter and the run's concurrency limit,
//! sends the GET with a timeout and a body-size cap, decodes the body (JSON, or
//! text for [`Fetcher::get_text`]), retries
//! what can pass (429, 5xx, timeouts, dropped connections, malformed bodies) with
//! backoff, full jitter and `Retry-After`, and counts what it did. A daily-quota
//! answer disables the source for the rest of the run. Everything is a plain
//! future: dropping it stops the work.

use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use serde::Serialize;
use serde::de::DeserializeOwned;
use tokio::sync::Semaphore;
use tokio::time::Instant;

use crate::cache::{CacheEntry, CacheKey, ResponseCache};
use crate::error::{SourceError, SourceErrorKind};
use crate::http::{HttpClient, HttpRequest, HttpResponse, TransportError};

mod budget;
pub mod ratelimit;
mod request;
pub mod retry;
mod stats;

pub use crate::http::redact_url;
pub use budget::{DailyBudget, pacific_day};
pub use ratelimit::{RateLimit, RateLimiter};
pub use request::Request;
pub use retry::RetryPolicy;
pub(crate) use stats::CallTrace;
pub use stats::FetchStats;
use stats::{Counters, bump};

/// Default cap on a response body: 8 MiB (an Open Library batch of 40 books is ~200 KiB).
pub const DEFAULT_MAX_BODY_BYTES: usize = 8 * 1024 * 1024;

/// Default time allowed for one request, from sending to the end of the body.
pub const DEFAULT_REQUEST_TIMEOUT: Duration = Duration::from_secs(30);

/// A decoded answer; `value` is `None` when the catalogue answered "not found" (HTTP 404).
#[derive(Debug, Clone, PartialEq)]
pub struct Fetched<T> {
    /// The decoded body, or `None` for not found.
    pub value: Option<T>,
    /// Whether the answer came from the cache.
    pub from_cache: bool,
}

/// State that lives for one run: counters and whether the source was stopped.
#[derive(Debug, Default)]
struct RunState {
    counters: Counters,
    disabled: Mutex<Option<String>>,
}

/// Settings of a fetcher that are plain values.
#[derive(Debug, Clone, Copy)]
struct Settings {
    retry: RetryPolicy,
    request_timeout: Duration,
    max_body_bytes: usize,
    offline: bool,
}

/// Makes one source's requests: rate-limited, retried, cached, size-capped and counted.
///
/// Cheap to clone; clones share the transport, cache, limiter and counters.
#[derive(Debug, Clone)]
pub struct Fetcher {
    source: Arc<str>,
    http: Arc<dyn HttpClient>,
    cache: Option<Arc<dyn ResponseCache>>,
    limiter: Option<Arc<RateLimiter>>,
    concurrency: Option<Arc<Semaphore>>,
    budget: Option<Arc<DailyBudget>>,
    settings: Settings,
    run: Arc<RunState>,
    trace: Option<Arc<CallTrace>>,
}

impl Fetcher {
    /// A fetcher for `source` sending through `http`, with no cache, no rate limit,
    /// the default [`RetryPolicy`], a 30 s request timeout and an 8 MiB body cap.
    ///
    /// The [`Enricher`](crate::engine::Enricher) builds its fetchers itself; this is
    /// for testing a [`GenreSource`](crate::sources::GenreSource) on its own.
    pub fn new(source: impl Into<String>, http: Arc<dyn HttpClient>) -> Self {
        Self {
            source: Arc::from(source.into()),
            http,
            cache: None,
            limiter: None,
            concurrency: None,
            budget: None,
            settings: Settings {
                retry: RetryPolicy::default(),
                request_timeout: DEFAULT_REQUEST_TIMEOUT,
                max_body_bytes: DEFAULT_MAX_BODY_BYTES,
                offline: false,
            },
            run: Arc::default(),
            trace: None,
        }
    }

    /// Reads and stores answers in `cache`.
    #[must_use]
    pub fn with_cache(mut self, cache: Arc<dyn ResponseCache>) -> Self {
        self.cache = Some(cache);
        self
    }

    /// Sends at most `limit` requests per second (a new limiter of its own).
    #[must_use]
    pub fn with_rate_limit(self, limit: RateLimit) -> Self {
        self.with_rate_limiter(Arc::new(RateLimiter::new(limit)))
    }

    /// Waits on `limiter`, which may be shared with other fetchers of the same source.
    #[must_use]
    pub fn with_rate_limiter(mut self, limiter: Arc<RateLimiter>) -> Self {
        self.limiter = Some(limiter);
        self
    }

    /// Holds a permit of `semaphore` while a request is in flight (the run's global concurrency limit).
    #[must_use]
    pub fn with_concurrency_limit(mut self, semaphore: Arc<Semaphore>) -> Self {
        self.concurrency = Some(semaphore);
        self
    }

    /// Retries by `policy`.
    #[must_use]
    pub fn with_retry_policy(mut self, policy: RetryPolicy) -> Self {
        self.settings.retry = policy;
        self
    }

    /// Allows each attempt `timeout`, from sending to the end of the body.
    #[must_use]
    pub fn with_request_timeout(mut self, timeout: Duration) -> Self {
        self.settings.request_timeout = timeout;
        self
    }

    /// Refuses bodies larger than `limit` bytes ([`SourceErrorKind::ResponseTooLarge`]).
    #[must_use]
    pub fn with_max_body_bytes(mut self, limit: usize) -> Self {
        self.settings.max_body_bytes = limit;
        self
    }

    /// Answers from the cache only; a miss fails with [`SourceErrorKind::Offline`].
    #[must_use]
    pub fn with_offline(mut self, offline: bool) -> Self {
        self.settings.offline = offline;
        self
    }

    /// Spends one request of `budget` per request sent; when it is used up the source is
    /// stopped for the rest of the run with [`SourceErrorKind::QuotaExhausted`] and no request.
    #[must_use]
    pub fn with_daily_budget(mut self, budget: Arc<DailyBudget>) -> Self {
        self.budget = Some(budget);
        self
    }

    /// The daily budget requests are counted against, if any.
    pub fn daily_budget(&self) -> Option<&DailyBudget> {
        self.budget.as_deref()
    }

    /// A fetcher sharing transport, cache and limiters with this one, but with
    /// fresh counters and not disabled: the state of a new run.
    #[must_use]
    pub fn for_new_run(&self) -> Self {
        Self { run: Arc::default(), trace: None, ..self.clone() }
    }

    /// A clone whose network and cache use is also recorded in the returned trace.
    pub(crate) fn traced(&self) -> (Self, Arc<CallTrace>) {
        let trace = Arc::new(CallTrace::default());
        (Self { trace: Some(Arc::clone(&trace)), ..self.clone() }, trace)
    }

    /// The name of the source this fetcher works for.
    pub fn source_name(&self) -> &str {
        &self.source
    }

    /// The retry policy in force.
    pub fn retry_policy(&self) -> RetryPolicy {
        self.settings.retry
    }

    /// Whether requests are answered from the cache only.
    pub fn is_offline(&self) -> bool {
        self.settings.offline
    }

    /// What this fetcher did in its run so far.
    pub fn stats(&self) -> FetchStats {
        self.run.counters.snapshot()
    }

    /// Why the source was stopped for the rest of the run, if it was.
    pub fn disabled_reason(&self) -> Option<String> {
        self.run.disabled.lock().unwrap_or_else(PoisonError::into_inner).clone()
    }

    /// Stops the source for the rest of the run: later requests fail at once with
    /// [`SourceErrorKind::Disabled`]. The first reason given is kept.
    pub fn disable(&self, reason: impl Into<String>) {
        let mut disabled = self.run.disabled.lock().unwrap_or_else(PoisonError::into_inner);
        if disabled.is_none() {
            let reason = reason.into();
            tracing::warn!(source = %self.source, %reason, "source disabled for the rest of the run");
            *disabled = Some(reason);
        }
    }

    fn error(
        &self,
        kind: SourceErrorKind,
        message: impl Into<String>,
        request: &Request,
    ) -> SourceError {
        SourceError::new(&self.source, kind, message).with_url(request.redacted_url())
    }

    fn disabled_error(&self, request: &Request) -> Option<SourceError> {
        self.disabled_reason().map(|reason| {
            self.error(
                SourceErrorKind::Disabled,
                format!("disabled for the rest of the run: {reason}"),
                request,
            )
        })
    }

    fn count_cache_hit(&self) {
        bump(&self.run.counters.cache_hits);
        if let Some(trace) = &self.trace {
            bump(&trace.cache_hits);
        }
    }

    fn cache_get(&self, key: &CacheKey) -> Option<CacheEntry> {
        let cache = self.cache.as_ref()?;
        match cache.get(key) {
            Ok(entry) => entry,
            Err(e) => {
                // A broken cache slows the run down; it must not fail it.
                tracing::warn!(source = %self.source, error = %e, "cache read failed; asking the catalogue");
                None
            }
        }
    }

    fn cache_put(&self, key: &CacheKey, entry: &CacheEntry) {
        if let Some(cache) = &self.cache {
            if let Err(e) = cache.put(key, entry) {
                tracing::warn!(source = %self.source, error = %e, "cache write failed");
            }
        }
    }

    /// GETs `request` and decodes its JSON body into `T`.
    ///
    /// HTTP 404 gives `value: None`. Retryable failures (429, 5xx, timeouts, dropped
    /// connections, bodies that do not decode) are retried within the policy; the
    /// error returned is the last one.
    pub async fn get_json<T: DeserializeOwned>(
        &self,
        request: Request,
    ) -> Result<Fetched<T>, SourceError> {
        self.get_decoded(request, decode_json::<T>).await
    }

    /// GETs `request` and gives its body as text (an HTML page, a plain-text or XML record).
    ///
    /// The same path as [`get_json`](Self::get_json): cache, rate limit, daily budget, retries,
    /// size cap and counters. The body is read as UTF-8; bytes that are not UTF-8 become
    /// U+FFFD, so a page in another encoding still gives its ASCII text rather than failing
    /// every attempt. HTTP 404 gives `value: None`.
    pub async fn get_text(&self, request: Request) -> Result<Fetched<String>, SourceError> {
        self.get_decoded(request, decode_text).await
    }

    /// The request path of every `get_*`: only how a body becomes a value differs.
    async fn get_decoded<T>(
        &self,
        request: Request,
        decode: Decode<T>,
    ) -> Result<Fetched<T>, SourceError> {
        if let Some(e) = self.disabled_error(&request) {
            return Err(e);
        }
        let key = CacheKey::new(&*self.source, request.cache_key());
        if request.cacheable && self.cache.is_some() {
            match self.cache_get(&key) {
                Some(CacheEntry { body: None, .. }) => {
                    self.count_cache_hit();
                    return Ok(Fetched { value: None, from_cache: true });
                }
                Some(CacheEntry { body: Some(body), .. }) => match decode(&body) {
                    Ok(value) => {
                        self.count_cache_hit();
                        return Ok(Fetched { value: Some(value), from_cache: true });
                    }
                    Err(e) => {
                        tracing::warn!(source = %self.source, url = %request.redacted_url(), error = %e,
                            "cached answer does not decode; fetching it again");
                        bump(&self.run.counters.cache_misses);
                    }
                },
                None => bump(&self.run.counters.cache_misses),
            }
        }
        if self.settings.offline {
            bump(&self.run.counters.failures);
            return Err(self.error(
                SourceErrorKind::Offline,
                "not in the cache, and the run is offline",
                &request,
            ));
        }

        let result = self.get_with_retries(&request, decode).await;
        match result {
            Ok(Some((value, body))) => {
                if request.cacheable {
                    self.cache_put(&key, &CacheEntry::found(body));
                }
                Ok(Fetched { value: Some(value), from_cache: false })
            }
            Ok(None) => {
                if request.cacheable {
                    self.cache_put(&key, &CacheEntry::not_found());
                }
                Ok(Fetched { value: None, from_cache: false })
            }
            Err(e) => {
                bump(&self.run.counters.failures);
                Err(e)
            }
        }
    }

    /// A cached item stored by [`store`](Self::store): `Some(Some(v))` hit, `Some(None)`
    /// negative hit, `None` miss (also when no cache is configured, or the stored
    /// item does not decode as `T`).
    ///
    /// Item keys are the source's own (e.g. `isbn:9780140328721`); they must not
    /// start with `/`, which request keys ([`Request::cache_key`]) do.
    pub fn cached<T: DeserializeOwned>(&self, key: &str) -> Option<Option<T>> {
        self.cache.as_ref()?;
        let found = match self.cache_get(&CacheKey::new(&*self.source, key)) {
            Some(CacheEntry { body: None, .. }) => Some(None),
            Some(CacheEntry { body: Some(body), .. }) => {
                serde_json::from_slice(&body).ok().map(Some)
            }
            None => None,
        };
        if found.is_some() {
            self.count_cache_hit();
        } else {
            bump(&self.run.counters.cache_misses);
        }
        found
    }

    /// Stores one item under `key` (e.g. one ISBN's part of a batch answer); `None` stores "not found".
    ///
    /// Does nothing without a cache; a failed write is logged, never fatal.
    pub fn store<T: Serialize>(&self, key: &str, value: Option<&T>) {
        if self.cache.is_none() {
            return;
        }
        let entry = match value.map(serde_json::to_vec).transpose() {
            Ok(Some(body)) => CacheEntry::found(body),
            Ok(None) => CacheEntry::not_found(),
            Err(e) => {
                tracing::warn!(source = %self.source, key, error = %e, "item not cached: it does not serialise");
                return;
            }
        };
        self.cache_put(&CacheKey::new(&*self.source, key), &entry);
    }

    async fn get_with_retries<T>(
        &self,
        request: &Request,
        decode: Decode<T>,
    ) -> Result<Option<(T, bytes::Bytes)>, SourceError> {
        let policy = self.settings.retry;
        let started = Instant::now();
        let mut rng = fastrand::Rng::new();
        let mut attempt: u32 = 1;
        loop {
            let error = match self.attempt(request, decode).await {
                Ok(answer) => return Ok(answer),
                Err(e) => e,
            };
            if !error.is_retryable() {
                return Err(error);
            }
            if attempt >= policy.max_attempts.max(1) {
                return Err(gave_up(error, attempt));
            }
            let delay = policy.delay(attempt - 1, error.retry_after, &mut rng);
            if started.elapsed() + delay > policy.max_elapsed {
                return Err(gave_up(error, attempt));
            }
            if let (SourceErrorKind::RateLimited, Some(limiter)) = (error.kind, &self.limiter) {
                // A throttle is about the whole client, not this request: every request of
                // the source waits, for what the server asked or else for this backoff.
                limiter.pause_until(Instant::now() + delay);
            }
            tracing::debug!(source = %self.source, url = %request.redacted_url(), error = %error,
                ?delay, attempt, "retrying");
            tokio::time::sleep(delay).await;
            if let Some(e) = self.disabled_error(request) {
                return Err(e);
            }
            bump(&self.run.counters.retries);
            attempt += 1;
        }
    }

    /// One attempt: wait for the limits, send, classify the answer, decode.
    async fn attempt<T>(
        &self,
        request: &Request,
        decode: Decode<T>,
    ) -> Result<Option<(T, bytes::Bytes)>, SourceError> {
        let permit = self.wait_for_turn().await;
        if let Some(e) = self.disabled_error(request) {
            return Err(e);
        }
        if let Some(budget) = &self.budget {
            if let Err(reason) = budget.try_spend() {
                self.disable(reason.clone());
                return Err(self.error(SourceErrorKind::QuotaExhausted, reason, request));
            }
        }
        bump(&self.run.counters.requests);
        if let Some(trace) = &self.trace {
            bump(&trace.requests);
        }
        let timeout = self.settings.request_timeout;
        let http_request = HttpRequest {
            url: request.url.clone(),
            headers: request.headers.clone(),
            timeout,
            max_body_bytes: self.settings.max_body_bytes,
        };
        // The transport is asked to honour the timeout too; this covers any that do not.
        let response = match tokio::time::timeout(timeout, self.http.get(http_request)).await {
            Ok(Ok(response)) => response,
            Ok(Err(e)) => return Err(self.transport_error(&e, request)),
            Err(_) => return Err(self.transport_error(&TransportError::Timeout(timeout), request)),
        };
        drop(permit);
        self.classify(response, request, decode)
    }

    /// Waits for the source's rate limit and a global concurrency permit.
    async fn wait_for_turn(&self) -> Option<tokio::sync::OwnedSemaphorePermit> {
        if let Some(limiter) = &self.limiter {
            limiter.acquire().await;
        }
        let semaphore = self.concurrency.as_ref()?;
        if let Ok(permit) = Arc::clone(semaphore).try_acquire_owned() {
            return Some(permit);
        }
        // We waited for a permit after taking our rate slot; take a fresh slot so
        // requests released together by the semaphore still keep the rate.
        let permit = Arc::clone(semaphore).acquire_owned().await.ok();
        if let Some(limiter) = &self.limiter {
            limiter.acquire().await;
        }
        permit
    }

    fn transport_error(&self, e: &TransportError, request: &Request) -> SourceError {
        let kind = match e {
            TransportError::Timeout(_) => SourceErrorKind::Timeout,
            TransportError::Connection(_) => SourceErrorKind::Connection,
            TransportError::TooLarge { .. } => SourceErrorKind::ResponseTooLarge,
            // Invalid requests and refused schemes do not get better by retrying.
            _ => SourceErrorKind::Rejected,
        };
        self.error(kind, e.to_string(), request)
    }

    fn classify<T>(
        &self,
        response: HttpResponse,
        request: &Request,
        decode: Decode<T>,
    ) -> Result<Option<(T, bytes::Bytes)>, SourceError> {
        let HttpResponse { status, retry_after, body } = response;
        if body.len() > self.settings.max_body_bytes {
            return Err(self.error(
                SourceErrorKind::ResponseTooLarge,
                format!("response larger than {} bytes", self.settings.max_body_bytes),
                request,
            ));
        }
        match status {
            200..=299 => match decode(&body) {
                Ok(value) => Ok(Some((value, body))),
                Err(e) => Err(self.error(
                    SourceErrorKind::MalformedResponse,
                    format!("HTTP {status} with a body that is {e}"),
                    request,
                )),
            },
            404 => Ok(None),
            400 | 403 | 429 if says_quota_exhausted(status, &body) => {
                if status == 429 {
                    bump(&self.run.counters.rate_limited);
                }
                let reason = format!("daily quota exhausted (HTTP {status})");
                self.disable(reason.clone());
                Err(self.error(SourceErrorKind::QuotaExhausted, reason, request))
            }
            429 => {
                bump(&self.run.counters.rate_limited);
                let mut e =
                    self.error(SourceErrorKind::RateLimited, "HTTP 429 Too Many Requests", request);
                e.retry_after = retry_after;
                Err(e)
            }
            500..=599 => {
                let mut e = self.error(SourceErrorKind::Server, format!("HTTP {status}"), request);
                e.retry_after = retry_after;
                Err(e)
            }
            _ => Err(self.error(SourceErrorKind::Rejected, format!("HTTP {status}"), request)),
        }
    }
}

/// How a successful body becomes a value; `Err` says what the body is not ("not the expected JSON: …").
type Decode<T> = fn(&[u8]) -> Result<T, String>;

fn decode_json<T: DeserializeOwned>(body: &[u8]) -> Result<T, String> {
    serde_json::from_slice(body).map_err(|e| format!("not the expected JSON: {e}"))
}

#[expect(clippy::unnecessary_wraps, reason = "every `Decode` may fail; text never does")]
fn decode_text(body: &[u8]) -> Result<String, String> {
    Ok(String::from_utf8_lossy(body).into_owned())
}

/// Whether an error answer says a long-lived quota (not a short throttle) is used up.
///
/// Google answers `"Quota exceeded for quota metric 'Queries' and limit 'Queries per
/// day' …"` (429, formerly 403), and keyed projects sometimes get 400/403 "Quota
/// Exceeded". A 429 about a per-minute quota is an ordinary throttle and is retried.
fn says_quota_exhausted(status: u16, body: &[u8]) -> bool {
    let text = String::from_utf8_lossy(&body[..body.len().min(64 * 1024)]).to_ascii_lowercase();
    if ["per day", "daily limit", "dailylimitexceeded"].iter().any(|w| text.contains(w)) {
        return true;
    }
    let short_window = ["per minute", "per 100 seconds", "per second", "userratelimitexceeded"]
        .iter()
        .any(|w| text.contains(w));
    status != 429
        && !short_window
        && (text.contains("quota exceeded") || text.contains("quotaexceeded"))
}

fn gave_up(mut error: SourceError, attempts: u32) -> SourceError {
    if attempts > 1 {
        error.message = format!("{} (gave up after {attempts} attempts)", error.message);
    }
    error
}

#[cfg(test)]
mod tests;
