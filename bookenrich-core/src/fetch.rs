//! The per-source request executor that sources make their HTTP requests through.
//!
//! INTERFACE ONLY for now: the engine work fills in the bodies (rate limit,
//! retries with backoff and jitter, `Retry-After`, cache, size caps, counters,
//! cancellation, quota stop). Sources code against these signatures.

use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::sources::SourceError;

/// One request a source wants made.
#[derive(Clone, PartialEq, Eq)]
pub struct Request {
    /// The URL, without secrets (an API key goes in a header).
    pub url: url::Url,
    /// Extra headers; values are never logged nor part of a cache key.
    pub headers: Vec<(String, String)>,
    /// Whether the response may be read from and stored in the cache.
    pub cacheable: bool,
}

impl std::fmt::Debug for Request {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Request").field("url", &self.url.as_str()).field("cacheable", &self.cacheable).finish_non_exhaustive()
    }
}

impl Request {
    /// A cacheable GET of `url`.
    pub fn get(url: url::Url) -> Self {
        Self { url, headers: Vec::new(), cacheable: true }
    }

    /// Adds a header (its value stays out of logs, errors and cache keys).
    #[must_use]
    pub fn header(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.headers.push((name.into(), value.into()));
        self
    }

    /// Neither read from nor written to the cache (e.g. a batch whose items are cached one by one).
    #[must_use]
    pub fn no_cache(mut self) -> Self {
        self.cacheable = false;
        self
    }

    /// The cache key of this request: path and query, without scheme and host, so a
    /// cache filled against one base URL serves another.
    pub fn cache_key(&self) -> String {
        match self.url.query() {
            Some(q) => format!("{}?{q}", self.url.path()),
            None => self.url.path().to_owned(),
        }
    }
}

/// A decoded answer; `value` is `None` when the catalogue answered "not found" (HTTP 404).
#[derive(Debug, Clone, PartialEq)]
pub struct Fetched<T> {
    /// The decoded body, or `None` for not found.
    pub value: Option<T>,
    /// Whether the answer came from the cache.
    pub from_cache: bool,
}

/// Makes one source's requests: rate-limited, retried, cached, size-capped and counted.
#[derive(Debug, Clone)]
pub struct Fetcher {
    source: String,
}

impl Fetcher {
    /// The name of the source this fetcher works for.
    pub fn source_name(&self) -> &str {
        &self.source
    }

    /// GETs `request` and decodes its JSON body into `T`.
    ///
    /// HTTP 404 gives `value: None`. Retryable failures (429, 5xx, timeouts, dropped
    /// connections, bodies that do not decode) are retried within the policy; the
    /// error returned is the last one.
    pub async fn get_json<T: DeserializeOwned>(&self, request: Request) -> Result<Fetched<T>, SourceError> {
        let _ = request;
        todo!("engine")
    }

    /// A cached item stored by [`store`](Self::store): `Some(Some(v))` hit, `Some(None)`
    /// negative hit, `None` miss.
    pub fn cached<T: DeserializeOwned>(&self, key: &str) -> Option<Option<T>> {
        let _ = key;
        todo!("engine")
    }

    /// Stores one item under `key` (e.g. one ISBN's part of a batch answer); `None` stores "not found".
    pub fn store<T: Serialize>(&self, key: &str, value: Option<&T>) {
        let _ = (key, value);
        todo!("engine")
    }
}
