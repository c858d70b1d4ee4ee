//! `Fetcher::get_text` over real HTTP against the fake catalogue: a page that is not JSON
//! comes back as text, through the same retries, cache and counters as `get_json`.
//!
//! The page is Open Library's Books API without `format=json`, which answers JavaScript
//! (`var _OLBookInfo = {…};`), as the real API documents and the fake catalogue serves it;
//! its 503 is nginx's HTML error page, as the real one's is.
#![cfg(feature = "http")]
#![expect(clippy::unwrap_used)]

use std::sync::Arc;
use std::time::Duration;

use bookenrich_core::cache::MemoryCache;
use bookenrich_core::fetch::{Fetcher, Request, RetryPolicy};
use bookenrich_core::http::{HttpClient, ReqwestClient, ReqwestClientConfig};
use bookenrich_core::sources::SourceErrorKind;
use bookenrich_fake_catalogue::{Api, FakeCatalogue, Fault};

fn fetcher() -> Fetcher {
    let http = ReqwestClient::new(&ReqwestClientConfig {
        https_only: false,
        ..ReqwestClientConfig::default()
    })
    .unwrap();
    Fetcher::new("pages", Arc::new(http) as Arc<dyn HttpClient>).with_retry_policy(RetryPolicy {
        max_attempts: 3,
        base_delay: Duration::from_millis(1),
        max_delay: Duration::from_millis(10),
        ..RetryPolicy::default()
    })
}

#[tokio::test]
async fn a_javascript_page_comes_back_as_text_after_a_retry_and_then_from_the_cache() {
    let server = FakeCatalogue::builder()
        .with_default_catalogue()
        .fault(Fault::status(503).on(Api::OpenLibrary).first_per_url(1))
        .start()
        .await
        .unwrap();
    let url = format!("{}/api/books?bibkeys=ISBN:9780140328721&jscmd=data", server.base_url());
    let fetch = fetcher().with_cache(Arc::new(MemoryCache::new()));

    let page = fetch.get_text(Request::get(url.parse().unwrap())).await.unwrap();
    let text = page.value.unwrap();
    assert!(text.starts_with("var _OLBookInfo = {\"ISBN:9780140328721\": {"), "{text}");
    assert!(text.contains("Fantastic Mr. Fox"), "{text}");
    assert!(!page.from_cache);
    // The same page as JSON does not decode: the difference is only the decoding step.
    let json = fetcher();
    let as_json = json.get_json::<serde_json::Value>(Request::get(url.parse().unwrap())).await;
    assert_eq!(as_json.unwrap_err().kind, SourceErrorKind::MalformedResponse);

    let again = fetch.get_text(Request::get(url.parse().unwrap())).await.unwrap();
    assert!(again.from_cache);
    assert_eq!(again.value.as_deref(), Some(text.as_str()));
    let stats = fetch.stats();
    assert_eq!((stats.requests, stats.retries, stats.cache_hits), (2, 1, 1));
    // The 503, the page, and the JSON attempts (3, none retried into success).
    assert_eq!(server.stats().total, 5);
}

#[tokio::test]
async fn an_unknown_page_is_none_and_a_server_error_names_the_url() {
    let server = FakeCatalogue::builder().with_default_catalogue().start().await.unwrap();
    let fetch = fetcher();
    let missing = format!("{}/works/OL1W.json", server.base_url());
    assert_eq!(fetch.get_text(Request::get(missing.parse().unwrap())).await.unwrap().value, None);

    server.set_faults(vec![Fault::status(500).on(Api::OpenLibrary)]);
    let url = format!("{}/api/books?bibkeys=ISBN:9780140328721", server.base_url());
    let err = fetch.get_text(Request::get(url.parse().unwrap())).await.unwrap_err();
    assert_eq!(err.kind, SourceErrorKind::Server);
    assert_eq!(err.source_name, "pages");
    assert_eq!(err.url.as_deref(), Some(url.as_str()));
    assert!(err.message.contains("gave up after 3 attempts"), "{}", err.message);
}
