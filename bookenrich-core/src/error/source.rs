//! The error of one catalogue request or lookup, and its kind.
//!
//! It lives beside the crate's [`Error`](super::Error) rather than with the sources
//! because the fetcher, the model (a book's recorded failures) and the engine all
//! speak it, and none of them may depend on the sources.

use std::sync::Arc;
use std::time::Duration;

use serde::{Deserialize, Serialize};

/// What kind of failure a source met; decides whether retrying can help.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum SourceErrorKind {
    /// HTTP 429 or an equivalent throttle answer.
    RateLimited,
    /// The catalogue's quota is used up for a long time (e.g. Google's daily quota).
    QuotaExhausted,
    /// HTTP 5xx.
    Server,
    /// No answer within the timeout.
    Timeout,
    /// The connection failed or was dropped.
    Connection,
    /// The body was truncated, not JSON, or not the expected shape.
    MalformedResponse,
    /// The body was larger than the configured cap.
    ResponseTooLarge,
    /// HTTP 4xx other than 404/429 (e.g. 403 for an anonymous User-Agent).
    Rejected,
    /// The request was not made because the run is offline and the cache had no answer.
    Offline,
    /// The source was stopped for the rest of the run (e.g. after its quota ran out).
    Disabled,
    /// The run was cancelled.
    Cancelled,
}

impl SourceErrorKind {
    /// The stable `snake_case` name, as the dashboard JSON and the bindings spell it
    /// (e.g. `quota_exhausted`).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::RateLimited => "rate_limited",
            Self::QuotaExhausted => "quota_exhausted",
            Self::Server => "server",
            Self::Timeout => "timeout",
            Self::Connection => "connection",
            Self::MalformedResponse => "malformed_response",
            Self::ResponseTooLarge => "response_too_large",
            Self::Rejected => "rejected",
            Self::Offline => "offline",
            Self::Disabled => "disabled",
            Self::Cancelled => "cancelled",
        }
    }

    /// Whether the same request may succeed if tried again later in this run.
    pub fn is_retryable(self) -> bool {
        matches!(
            self,
            Self::RateLimited
                | Self::Server
                | Self::Timeout
                | Self::Connection
                | Self::MalformedResponse
        )
    }
}

/// A failed lookup, with the URL at fault (never containing an API key).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{source_name}: {message}{}", url.as_deref().map(|u| format!(" ({u})")).unwrap_or_default())]
pub struct SourceError {
    /// The source's name.
    pub source_name: String,
    /// What kind of failure.
    pub kind: SourceErrorKind,
    /// Human-readable reason.
    pub message: String,
    /// The request URL, with secrets removed. Shared: one failed batch request is reported on
    /// each of its books, and the clones point at one copy.
    pub url: Option<Arc<str>>,
    /// How long the catalogue asked us to wait, if it said.
    pub retry_after: Option<Duration>,
}

impl SourceError {
    /// A new error of `kind` for `source`.
    pub fn new(source: &str, kind: SourceErrorKind, message: impl Into<String>) -> Self {
        Self {
            source_name: source.to_owned(),
            kind,
            message: message.into(),
            url: None,
            retry_after: None,
        }
    }

    /// Attaches the (already redacted) URL at fault.
    #[must_use]
    pub fn with_url(mut self, url: impl Into<Arc<str>>) -> Self {
        self.url = Some(url.into());
        self
    }

    /// Whether retrying could help.
    pub fn is_retryable(&self) -> bool {
        self.kind.is_retryable()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kind_names_are_the_serialised_names() {
        use SourceErrorKind as K;
        for kind in [
            K::RateLimited,
            K::QuotaExhausted,
            K::Server,
            K::Timeout,
            K::Connection,
            K::MalformedResponse,
            K::ResponseTooLarge,
            K::Rejected,
            K::Offline,
            K::Disabled,
            K::Cancelled,
        ] {
            assert_eq!(serde_json::to_value(kind).ok(), Some(serde_json::json!(kind.as_str())));
        }
    }

    #[test]
    fn retryable_kinds() {
        assert!(SourceErrorKind::RateLimited.is_retryable());
        assert!(SourceErrorKind::MalformedResponse.is_retryable());
        assert!(!SourceErrorKind::QuotaExhausted.is_retryable());
        assert!(!SourceErrorKind::Rejected.is_retryable());
        let e = SourceError::new("google_books", SourceErrorKind::Server, "HTTP 503")
            .with_url("http://127.0.0.1:1/books/v1/volumes?q=isbn:1");
        assert_eq!(
            e.to_string(),
            "google_books: HTTP 503 (http://127.0.0.1:1/books/v1/volumes?q=isbn:1)"
        );
    }
}
