//! The HTTP transport behind a small trait, so tests and embedders can swap it.
//!
//! The [`Fetcher`](crate::fetch::Fetcher) does rate limiting, retries,
//! caching and size caps; a transport only sends one GET and reads the body.

use std::fmt;
use std::time::Duration;

use async_trait::async_trait;
use bytes::Bytes;

pub(crate) mod redact;
#[cfg(feature = "http")]
mod reqwest_client;
mod retry_after;

pub use redact::redact_url;
#[cfg(feature = "http")]
pub use reqwest_client::{ReqwestClient, ReqwestClientConfig, user_agent};

/// Default time allowed to open a connection (TCP + TLS).
pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
pub use retry_after::parse_retry_after;

/// One GET request.
#[derive(Clone, PartialEq, Eq)]
pub struct HttpRequest {
    /// Full URL (may contain an API key only in headers, never in the URL).
    pub url: url::Url,
    /// Request headers; values may be secret and are never logged.
    pub headers: Vec<(String, String)>,
    /// Time allowed for the whole exchange.
    pub timeout: Duration,
    /// Largest body accepted, in bytes.
    pub max_body_bytes: usize,
}

impl fmt::Debug for HttpRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Header values may carry an API key.
        f.debug_struct("HttpRequest")
            .field("url", &redact_url(&self.url))
            .field("headers", &self.headers.iter().map(|(k, _)| k).collect::<Vec<_>>())
            .field("timeout", &self.timeout)
            .field("max_body_bytes", &self.max_body_bytes)
            .finish()
    }
}

/// The answer to one GET.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HttpResponse {
    /// HTTP status code.
    pub status: u16,
    /// `Retry-After`, when the server sent one (seconds or HTTP date, already converted).
    pub retry_after: Option<Duration>,
    /// The body (complete, at most `max_body_bytes`).
    pub body: Bytes,
}

/// Why a request got no HTTP answer.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum TransportError {
    /// No answer in time.
    #[error("timed out after {0:?}")]
    Timeout(Duration),
    /// Could not connect, or the connection broke (including a truncated body).
    #[error("connection failed: {0}")]
    Connection(String),
    /// The body exceeded the cap.
    #[error("response larger than {limit} bytes")]
    TooLarge {
        /// The cap that was exceeded.
        limit: usize,
    },
    /// Anything else the transport reports.
    #[error("{0}")]
    Other(String),
}

/// Sends GET requests. Implemented with reqwest behind the `http` feature.
#[async_trait]
pub trait HttpClient: Send + Sync + fmt::Debug {
    /// Sends `request` and reads the whole body (at most `request.max_body_bytes`).
    async fn get(&self, request: HttpRequest) -> Result<HttpResponse, TransportError>;
}
