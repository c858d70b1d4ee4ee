//! What a source asks the fetcher for: one GET, its headers and whether it may be cached.

use crate::http::redact::{has_secret_params, is_secret_param};
use crate::http::redact_url;

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
        f.debug_struct("Request")
            .field("url", &redact_url(&self.url))
            .field("cacheable", &self.cacheable)
            .finish_non_exhaustive()
    }
}

impl Request {
    /// A cacheable GET of `url`.
    pub fn get(url: url::Url) -> Self {
        Self { url, headers: Vec::new(), cacheable: true }
    }

    /// A cacheable GET of `url` as a user wrote it (in a source written in Python or JavaScript),
    /// with `headers`; `Err` says why `url` is not a URL, in words fit for that user
    /// (`"no url" is not a URL: relative URL without a base`).
    pub fn from_text(
        url: &str,
        headers: impl IntoIterator<Item = (String, String)>,
    ) -> Result<Self, String> {
        let parsed = url::Url::parse(url).map_err(|e| format!("{url:?} is not a URL: {e}"))?;
        Ok(Self { url: parsed, headers: headers.into_iter().collect(), cacheable: true })
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
    /// cache filled against one base URL serves another. Secret query parameters
    /// (e.g. `key=`) are left out, so a key never reaches the cache.
    pub fn cache_key(&self) -> String {
        let path = self.url.path();
        if has_secret_params(&self.url) {
            // The other parameters stay as written (not re-encoded), so the key equals
            // that of the same request made without the secret.
            let kept: Vec<&str> = self
                .url
                .query()
                .unwrap_or_default()
                .split('&')
                .filter(|segment| {
                    url::form_urlencoded::parse(segment.as_bytes())
                        .next()
                        .is_none_or(|(k, _)| !is_secret_param(&k))
                })
                .collect();
            if kept.is_empty() {
                return path.to_owned();
            }
            return format!("{path}?{}", kept.join("&"));
        }
        match self.url.query() {
            Some(q) => format!("{path}?{q}"),
            None => path.to_owned(),
        }
    }

    /// The URL as it may appear in errors and logs.
    pub fn redacted_url(&self) -> String {
        redact_url(&self.url)
    }
}
