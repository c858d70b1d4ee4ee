//! An in-memory [`HttpClient`] that answers from a fixed route table, so a source's
//! request plan and response parsing can be timed without sockets or latency.

use std::sync::atomic::{AtomicU64, Ordering};

use async_trait::async_trait;
use bookenrich_core::http::{HttpClient, HttpRequest, HttpResponse, TransportError};
use bytes::Bytes;

/// One route: requests whose path and query start with `prefix` get `status` and `body`.
#[derive(Debug, Clone)]
struct Route {
    prefix: String,
    status: u16,
    body: Bytes,
}

/// Answers each GET by the first route whose prefix matches its path and query; 404 otherwise.
///
/// Bodies are shared [`Bytes`], so answering costs a reference count, not a copy.
#[derive(Debug, Default)]
pub struct ScriptedHttp {
    routes: Vec<Route>,
    requests: AtomicU64,
    unmatched: AtomicU64,
}

impl ScriptedHttp {
    /// A transport with no routes (every request gets a 404).
    pub fn new() -> Self {
        Self::default()
    }

    /// Answers requests starting with `prefix` (path and query, e.g. `/api/books?`) with 200 and `body`.
    #[must_use]
    pub fn route(self, prefix: &str, body: impl Into<Bytes>) -> Self {
        self.route_status(prefix, 200, body)
    }

    /// Answers requests starting with `prefix` with `status` and `body`.
    #[must_use]
    pub fn route_status(mut self, prefix: &str, status: u16, body: impl Into<Bytes>) -> Self {
        self.routes.push(Route { prefix: prefix.to_owned(), status, body: body.into() });
        self
    }

    /// Requests answered so far.
    pub fn requests(&self) -> u64 {
        self.requests.load(Ordering::Relaxed)
    }

    /// Requests that matched no route (answered 404) so far.
    pub fn unmatched(&self) -> u64 {
        self.unmatched.load(Ordering::Relaxed)
    }
}

/// The path and query of `url`, as routes are written.
fn path_and_query(url: &url::Url) -> String {
    match url.query() {
        Some(q) => format!("{}?{q}", url.path()),
        None => url.path().to_owned(),
    }
}

#[async_trait]
impl HttpClient for ScriptedHttp {
    async fn get(&self, request: HttpRequest) -> Result<HttpResponse, TransportError> {
        self.requests.fetch_add(1, Ordering::Relaxed);
        let target = path_and_query(&request.url);
        let route = self.routes.iter().find(|r| target.starts_with(&r.prefix));
        let (status, body) = if let Some(route) = route {
            (route.status, route.body.clone())
        } else {
            self.unmatched.fetch_add(1, Ordering::Relaxed);
            (404, Bytes::from_static(br#"{"error": "notfound"}"#))
        };
        Ok(HttpResponse { status, retry_after: None, body })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    fn get(url: &str) -> HttpRequest {
        HttpRequest {
            url: url::Url::parse(url).unwrap(),
            headers: Vec::new(),
            timeout: Duration::from_secs(1),
            max_body_bytes: 1 << 20,
        }
    }

    #[tokio::test]
    async fn first_matching_prefix_answers_and_the_rest_is_404() {
        let http = ScriptedHttp::new()
            .route("/works/OL1W.json", "one")
            .route_status("/works/", 503, "down");
        let one = http.get(get("http://x.test/works/OL1W.json")).await.unwrap();
        assert_eq!((one.status, &one.body[..]), (200, &b"one"[..]));
        let other = http.get(get("http://x.test/works/OL2W.json")).await.unwrap();
        assert_eq!(other.status, 503);
        let none = http.get(get("http://x.test/search.json?q=a")).await.unwrap();
        assert_eq!(none.status, 404);
        assert_eq!((http.requests(), http.unmatched()), (3, 1));
    }
}
