//! Fetcher behaviour against a scripted transport, in paused (virtual) time.

use std::collections::{BTreeMap, VecDeque};
use std::sync::atomic::{AtomicUsize, Ordering};

use async_trait::async_trait;
use bytes::Bytes;
use serde_json::Value;

use super::*;
use crate::cache::MemoryCache;
use crate::error::Result as CrateResult;

/// What the scripted transport does for one call.
#[derive(Debug, Clone)]
enum Step {
    Status(u16, &'static str),
    RetryAfter(u16, u64, &'static str),
    Body(u16, Vec<u8>),
    Fail(TransportError),
    /// Answers 200 `{}` after this long.
    Slow(Duration),
    Hang,
}

/// Plays its steps in order; the last one repeats.
#[derive(Debug, Default)]
struct Scripted {
    steps: Mutex<VecDeque<Step>>,
    seen: Mutex<Vec<HttpRequest>>,
    sent_at: Mutex<Vec<Instant>>,
    in_flight: AtomicUsize,
    peak: AtomicUsize,
}

impl Scripted {
    fn new(steps: impl IntoIterator<Item = Step>) -> Arc<Self> {
        Arc::new(Self { steps: Mutex::new(steps.into_iter().collect()), ..Self::default() })
    }

    fn calls(&self) -> usize {
        self.seen.lock().unwrap().len()
    }

    fn next_step(&self) -> Step {
        let mut steps = self.steps.lock().unwrap();
        if steps.len() > 1 { steps.pop_front().unwrap() } else { steps.front().cloned().unwrap() }
    }
}

#[async_trait]
impl HttpClient for Scripted {
    async fn get(&self, request: HttpRequest) -> Result<HttpResponse, TransportError> {
        self.seen.lock().unwrap().push(request);
        self.sent_at.lock().unwrap().push(Instant::now());
        let now = self.in_flight.fetch_add(1, Ordering::SeqCst) + 1;
        self.peak.fetch_max(now, Ordering::SeqCst);
        let step = self.next_step();
        let answer = match step {
            Step::Status(status, body) => Ok(response(status, None, body.as_bytes().to_vec())),
            Step::RetryAfter(status, secs, body) => {
                Ok(response(status, Some(Duration::from_secs(secs)), body.as_bytes().to_vec()))
            }
            Step::Body(status, body) => Ok(response(status, None, body)),
            Step::Fail(e) => Err(e),
            Step::Slow(d) => {
                tokio::time::sleep(d).await;
                Ok(response(200, None, b"{}".to_vec()))
            }
            Step::Hang => {
                tokio::time::sleep(Duration::from_secs(100_000)).await;
                Err(TransportError::Other("woke up".into()))
            }
        };
        self.in_flight.fetch_sub(1, Ordering::SeqCst);
        answer
    }
}

fn response(status: u16, retry_after: Option<Duration>, body: Vec<u8>) -> HttpResponse {
    HttpResponse { status, retry_after, body: Bytes::from(body) }
}

fn url(s: &str) -> url::Url {
    url::Url::parse(s).unwrap()
}

fn fast_policy() -> RetryPolicy {
    RetryPolicy {
        max_attempts: 4,
        base_delay: Duration::from_millis(100),
        max_delay: Duration::from_secs(1),
        max_retry_after: Duration::from_secs(60),
        max_elapsed: Duration::from_secs(120),
    }
}

fn fetcher(http: &Arc<Scripted>) -> Fetcher {
    Fetcher::new("test_source", Arc::clone(http) as Arc<dyn HttpClient>)
        .with_retry_policy(fast_policy())
}

const GOOGLE_DAILY_QUOTA: &str = r#"{"error":{"code":429,"message":"Quota exceeded for quota metric 'Queries' and limit 'Queries per day' of service 'books.googleapis.com' for consumer 'project_number:1'.","errors":[{"domain":"global","reason":"rateLimitExceeded"}]}}"#;
const GOOGLE_MINUTE_QUOTA: &str = r#"{"error":{"code":429,"message":"Quota exceeded for quota metric 'Queries' and limit 'Queries per minute per user' of service 'books.googleapis.com'."}}"#;
const OL_TOO_MANY: &str = r#"{"status":429,"message":"Too Many Requests. Consider using https://openlibrary.org/developers/dumps."}"#;

#[tokio::test(start_paused = true)]
async fn retryable_failures_recover() {
    let http = Scripted::new([
        Step::Status(503, "busy"),
        Step::Fail(TransportError::Connection("reset".into())),
        Step::Fail(TransportError::Timeout(Duration::from_secs(1))),
        Step::Status(200, r#"{"a":1}"#),
    ]);
    let f = fetcher(&http);
    let got: Fetched<Value> = f.get_json(Request::get(url("https://x.test/a"))).await.unwrap();
    assert_eq!(got.value, Some(serde_json::json!({"a": 1})));
    assert!(!got.from_cache);
    let stats = f.stats();
    assert_eq!((stats.requests, stats.retries, stats.failures), (4, 3, 0));
}

#[tokio::test(start_paused = true)]
async fn gives_up_after_max_attempts_with_the_last_error() {
    let http = Scripted::new([Step::Status(500, "boom")]);
    let f = fetcher(&http);
    let err = f.get_json::<Value>(Request::get(url("https://x.test/a?q=1"))).await.unwrap_err();
    assert_eq!(err.kind, SourceErrorKind::Server);
    assert_eq!(err.url.as_deref(), Some("https://x.test/a?q=1"));
    assert!(err.message.contains("gave up after 4 attempts"), "{}", err.message);
    assert_eq!(http.calls(), 4);
    assert_eq!(f.stats().failures, 1);
}

#[tokio::test(start_paused = true)]
async fn permanent_client_errors_are_not_retried() {
    for status in [400, 401, 403, 410] {
        let http = Scripted::new([Step::Status(status, "{}")]);
        let err = fetcher(&http)
            .get_json::<Value>(Request::get(url("https://x.test/a")))
            .await
            .unwrap_err();
        assert_eq!(err.kind, SourceErrorKind::Rejected, "HTTP {status}");
        assert_eq!(http.calls(), 1, "HTTP {status}");
    }
}

#[tokio::test(start_paused = true)]
async fn not_found_is_none_and_cached_as_negative() {
    let http = Scripted::new([Step::Status(404, "not found")]);
    let cache = Arc::new(MemoryCache::new());
    let f = fetcher(&http).with_cache(cache.clone());
    let req = Request::get(url("https://x.test/isbn/1.json"));
    let first: Fetched<Value> = f.get_json(req.clone()).await.unwrap();
    assert_eq!(first, Fetched { value: None, from_cache: false });
    let second: Fetched<Value> = f.get_json(req).await.unwrap();
    assert_eq!(second, Fetched { value: None, from_cache: true });
    assert_eq!(http.calls(), 1);
    let entry = cache.get(&CacheKey::new("test_source", "/isbn/1.json")).unwrap().unwrap();
    assert_eq!(entry.body, None);
    assert_eq!(f.stats().cache_hits, 1);
}

#[tokio::test(start_paused = true)]
async fn answers_are_cached_only_after_they_decode() {
    #[derive(serde::Deserialize, Debug, PartialEq)]
    struct Shape {
        a: u32,
    }
    let http = Scripted::new([Step::Status(200, r#"{"b":1}"#), Step::Status(200, r#"{"a":2}"#)]);
    let cache = Arc::new(MemoryCache::new());
    let f = fetcher(&http).with_cache(cache.clone());
    let req = Request::get(url("https://x.test/a"));
    let got: Fetched<Shape> = f.get_json(req.clone()).await.unwrap();
    assert_eq!(got.value, Some(Shape { a: 2 }));
    assert_eq!(cache.len(), 1);
    let again: Fetched<Shape> = f.get_json(req).await.unwrap();
    assert!(again.from_cache);
    assert_eq!(http.calls(), 2, "one malformed, one good; the cached answer needs none");
    assert_eq!(f.stats().retries, 1);
}

#[tokio::test(start_paused = true)]
async fn uncacheable_requests_skip_the_cache() {
    let http = Scripted::new([Step::Status(200, "{}")]);
    let cache = Arc::new(MemoryCache::new());
    let f = fetcher(&http).with_cache(cache.clone());
    let req = Request::get(url("https://x.test/batch")).no_cache();
    f.get_json::<Value>(req.clone()).await.unwrap();
    f.get_json::<Value>(req).await.unwrap();
    assert_eq!(http.calls(), 2);
    assert!(cache.is_empty());
}

#[tokio::test(start_paused = true)]
async fn a_corrupt_cache_entry_is_fetched_again() {
    let http = Scripted::new([Step::Status(200, r#"{"fresh":true}"#)]);
    let cache = Arc::new(MemoryCache::new());
    cache
        .put(&CacheKey::new("test_source", "/a"), &CacheEntry::found(b"{not json".to_vec()))
        .unwrap();
    let f = fetcher(&http).with_cache(cache.clone());
    let got: Fetched<Value> = f.get_json(Request::get(url("https://x.test/a"))).await.unwrap();
    assert_eq!(got, Fetched { value: Some(serde_json::json!({"fresh": true})), from_cache: false });
    assert_eq!(
        cache.get(&CacheKey::new("test_source", "/a")).unwrap().unwrap().body.unwrap(),
        br#"{"fresh":true}"#
    );
}

#[tokio::test(start_paused = true)]
async fn a_failing_cache_does_not_fail_the_request() {
    #[derive(Debug)]
    struct Broken;
    impl ResponseCache for Broken {
        fn get(&self, _: &CacheKey) -> CrateResult<Option<CacheEntry>> {
            Err(crate::error::Error::Cache {
                path: "broken.db".into(),
                message: "disk I/O error".into(),
            })
        }
        fn put(&self, _: &CacheKey, _: &CacheEntry) -> CrateResult<()> {
            Err(crate::error::Error::Cache {
                path: "broken.db".into(),
                message: "disk I/O error".into(),
            })
        }
    }
    let http = Scripted::new([Step::Status(200, "[1]")]);
    let f = fetcher(&http).with_cache(Arc::new(Broken));
    let got: Fetched<Value> = f.get_json(Request::get(url("https://x.test/a"))).await.unwrap();
    assert_eq!(got.value, Some(serde_json::json!([1])));
}

#[tokio::test(start_paused = true)]
async fn daily_quota_disables_the_source_without_retrying() {
    let http = Scripted::new([Step::Status(429, GOOGLE_DAILY_QUOTA)]);
    let f = fetcher(&http);
    let err =
        f.get_json::<Value>(Request::get(url("https://x.test/v?q=isbn:1"))).await.unwrap_err();
    assert_eq!(err.kind, SourceErrorKind::QuotaExhausted);
    assert_eq!(http.calls(), 1);
    assert!(f.disabled_reason().unwrap().contains("daily quota"));

    let start = Instant::now();
    let later =
        f.get_json::<Value>(Request::get(url("https://x.test/v?q=isbn:2"))).await.unwrap_err();
    assert_eq!(later.kind, SourceErrorKind::Disabled);
    assert_eq!(later.url.as_deref(), Some("https://x.test/v?q=isbn:2"));
    assert_eq!(http.calls(), 1, "no request once disabled");
    assert_eq!(start.elapsed(), Duration::ZERO, "fails fast");

    // Clones share the run; a new run starts enabled.
    assert!(f.clone().disabled_reason().is_some());
    assert!(f.for_new_run().disabled_reason().is_none());
}

#[tokio::test(start_paused = true)]
async fn quota_answers_in_older_shapes_also_stop_the_source() {
    for (status, body) in [
        (
            403,
            r#"{"error":{"code":403,"message":"Daily Limit Exceeded","errors":[{"reason":"dailyLimitExceeded"}]}}"#,
        ),
        (400, r#"{"error":{"code":400,"message":"Quota Exceeded"}}"#),
    ] {
        let http = Scripted::new([Step::Status(status, body)]);
        let err = fetcher(&http)
            .get_json::<Value>(Request::get(url("https://x.test/v")))
            .await
            .unwrap_err();
        assert_eq!(err.kind, SourceErrorKind::QuotaExhausted, "HTTP {status}");
    }
}

#[tokio::test(start_paused = true)]
async fn short_throttles_are_retried_not_treated_as_quota() {
    for body in [GOOGLE_MINUTE_QUOTA, OL_TOO_MANY, ""] {
        let http = Scripted::new([Step::Status(429, body), Step::Status(200, "{}")]);
        let f = fetcher(&http);
        f.get_json::<Value>(Request::get(url("https://x.test/a"))).await.unwrap();
        assert_eq!(http.calls(), 2, "{body}");
        assert_eq!(f.stats().rate_limited, 1);
        assert!(f.disabled_reason().is_none());
    }
}

#[tokio::test(start_paused = true)]
async fn retry_after_is_honoured_and_pauses_the_source() {
    let http = Scripted::new([Step::RetryAfter(429, 7, OL_TOO_MANY), Step::Status(200, "{}")]);
    let f = fetcher(&http).with_rate_limit(RateLimit::per_second(100.0));
    let start = Instant::now();
    f.get_json::<Value>(Request::get(url("https://x.test/a"))).await.unwrap();
    assert!(start.elapsed() >= Duration::from_secs(7), "waited {:?}", start.elapsed());
    assert!(start.elapsed() < Duration::from_secs(8), "waited {:?}", start.elapsed());

    // Another request of the same source made during the pause waits for it too.
    let http = Scripted::new([Step::RetryAfter(429, 7, OL_TOO_MANY), Step::Status(200, "{}")]);
    let f = fetcher(&http).with_rate_limit(RateLimit::per_second(100.0));
    let start = Instant::now();
    let first = f.get_json::<Value>(Request::get(url("https://x.test/a")));
    let second = async {
        tokio::time::sleep(Duration::from_millis(500)).await;
        f.get_json::<Value>(Request::get(url("https://x.test/b"))).await.unwrap();
        start.elapsed()
    };
    let (first, second_at) = tokio::join!(first, second);
    first.unwrap();
    assert!(second_at >= Duration::from_secs(7), "second request went at {second_at:?}");
}

#[tokio::test(start_paused = true)]
async fn a_throttle_without_retry_after_also_holds_the_whole_source() {
    let http = Scripted::new([Step::Status(429, OL_TOO_MANY), Step::Status(200, "{}")]);
    let policy = RetryPolicy {
        base_delay: Duration::from_secs(4),
        max_delay: Duration::from_secs(4),
        ..fast_policy()
    };
    let f = fetcher(&http).with_retry_policy(policy).with_rate_limit(RateLimit::per_second(100.0));
    let start = Instant::now();
    let first = f.get_json::<Value>(Request::get(url("https://x.test/a")));
    let second = async {
        tokio::time::sleep(Duration::from_millis(1)).await;
        f.get_json::<Value>(Request::get(url("https://x.test/b"))).await.unwrap();
        start.elapsed()
    };
    let (first, second_at) = tokio::join!(first, second);
    first.unwrap();
    let first_retry_at = http.sent_at.lock().unwrap()[1] - start;
    assert!(second_at >= first_retry_at, "the second request waited for the first one's backoff");
    assert_eq!(http.calls(), 3);
}

#[tokio::test(start_paused = true)]
async fn retry_after_is_capped() {
    let http = Scripted::new([Step::RetryAfter(503, 86_400, ""), Step::Status(200, "{}")]);
    let policy = RetryPolicy { max_retry_after: Duration::from_secs(5), ..fast_policy() };
    let f = fetcher(&http).with_retry_policy(policy);
    let start = Instant::now();
    f.get_json::<Value>(Request::get(url("https://x.test/a"))).await.unwrap();
    assert!(start.elapsed() < Duration::from_secs(6), "waited {:?}", start.elapsed());
}

#[tokio::test(start_paused = true)]
async fn total_time_per_request_is_bounded() {
    let http = Scripted::new([Step::RetryAfter(503, 50, "")]);
    let policy =
        RetryPolicy { max_attempts: 10, max_elapsed: Duration::from_secs(120), ..fast_policy() };
    let f = fetcher(&http).with_retry_policy(policy);
    let start = Instant::now();
    let err = f.get_json::<Value>(Request::get(url("https://x.test/a"))).await.unwrap_err();
    // Attempts at 0 s, 50 s and 100 s; a fourth would start after 120 s.
    assert_eq!(http.calls(), 3);
    assert!(err.message.contains("gave up after 3 attempts"), "{}", err.message);
    assert!(start.elapsed() <= Duration::from_secs(120));
}

#[tokio::test(start_paused = true)]
async fn hung_requests_time_out_and_are_retried() {
    let http = Scripted::new([Step::Hang, Step::Status(200, "{}")]);
    let f = fetcher(&http).with_request_timeout(Duration::from_secs(3));
    let start = Instant::now();
    f.get_json::<Value>(Request::get(url("https://x.test/a"))).await.unwrap();
    assert_eq!(http.calls(), 2);
    assert!(start.elapsed() >= Duration::from_secs(3));

    let http = Scripted::new([Step::Hang]);
    let err = fetcher(&http)
        .with_request_timeout(Duration::from_secs(3))
        .get_json::<Value>(Request::get(url("https://x.test/a")))
        .await
        .unwrap_err();
    assert_eq!(err.kind, SourceErrorKind::Timeout);
    assert_eq!(http.calls(), 4);
    assert_eq!(
        http.seen.lock().unwrap()[0].timeout,
        Duration::from_secs(3),
        "the transport is told the timeout"
    );
}

#[tokio::test(start_paused = true)]
async fn oversized_bodies_are_refused_without_retry() {
    let http = Scripted::new([Step::Body(200, vec![b' '; 2048])]);
    let f = fetcher(&http).with_max_body_bytes(1024);
    let err = f.get_json::<Value>(Request::get(url("https://x.test/a"))).await.unwrap_err();
    assert_eq!(err.kind, SourceErrorKind::ResponseTooLarge);
    assert_eq!(http.calls(), 1);
    assert_eq!(http.seen.lock().unwrap()[0].max_body_bytes, 1024, "the transport is told the cap");

    let http = Scripted::new([Step::Fail(TransportError::TooLarge { limit: 1024 })]);
    let err =
        fetcher(&http).get_json::<Value>(Request::get(url("https://x.test/a"))).await.unwrap_err();
    assert_eq!(err.kind, SourceErrorKind::ResponseTooLarge);
    assert_eq!(http.calls(), 1);
}

#[tokio::test(start_paused = true)]
async fn malformed_bodies_are_retried_then_reported() {
    let http = Scripted::new([Step::Status(200, r#"{"docs": [{"title": "Sab"#)]);
    let f = fetcher(&http);
    let err = f.get_json::<Value>(Request::get(url("https://x.test/a"))).await.unwrap_err();
    assert_eq!(err.kind, SourceErrorKind::MalformedResponse);
    assert!(err.message.contains("EOF"), "{}", err.message);
    assert_eq!(http.calls(), 4);
}

#[tokio::test(start_paused = true)]
async fn deeply_nested_json_is_an_error_not_a_stack_overflow() {
    let mut body = vec![b'['; 100_000];
    body.extend(vec![b']'; 100_000]);
    let http = Scripted::new([Step::Body(200, body)]);
    let f = fetcher(&http).with_retry_policy(RetryPolicy::never());
    let err = f.get_json::<Value>(Request::get(url("https://x.test/a"))).await.unwrap_err();
    assert_eq!(err.kind, SourceErrorKind::MalformedResponse);
    assert!(err.message.contains("recursion limit"), "{}", err.message);
}

#[tokio::test(start_paused = true)]
async fn offline_answers_from_the_cache_only() {
    let http = Scripted::new([Step::Status(200, "{}")]);
    let cache = Arc::new(MemoryCache::new());
    cache
        .put(&CacheKey::new("test_source", "/known"), &CacheEntry::found(b"[true]".to_vec()))
        .unwrap();
    let f = fetcher(&http).with_cache(cache).with_offline(true);
    let hit: Fetched<Value> = f.get_json(Request::get(url("https://x.test/known"))).await.unwrap();
    assert_eq!(hit, Fetched { value: Some(serde_json::json!([true])), from_cache: true });
    let miss = f.get_json::<Value>(Request::get(url("https://x.test/unknown"))).await.unwrap_err();
    assert_eq!(miss.kind, SourceErrorKind::Offline);
    assert_eq!(miss.url.as_deref(), Some("https://x.test/unknown"));
    assert_eq!(http.calls(), 0);
}

#[tokio::test(start_paused = true)]
async fn an_api_key_never_reaches_errors_logs_or_cache_keys() {
    #[derive(Debug, Default)]
    struct Recording(Mutex<BTreeMap<CacheKey, CacheEntry>>);
    impl ResponseCache for Recording {
        fn get(&self, key: &CacheKey) -> CrateResult<Option<CacheEntry>> {
            Ok(self.0.lock().unwrap().get(key).cloned())
        }
        fn put(&self, key: &CacheKey, entry: &CacheEntry) -> CrateResult<()> {
            self.0.lock().unwrap().insert(key.clone(), entry.clone());
            Ok(())
        }
    }
    const KEY: &str = "AIzaSECRETSECRET";
    let cache = Arc::new(Recording::default());
    let http = Scripted::new([Step::Status(200, "{}"), Step::Status(500, "")]);
    let f = fetcher(&http).with_cache(cache.clone());
    let with_key = |path: &str| {
        Request::get(url(&format!("https://user:pw@x.test{path}?q=isbn:1&key={KEY}")))
            .header("x-goog-api-key", KEY)
    };
    f.get_json::<Value>(with_key("/ok")).await.unwrap();
    let err = f.get_json::<Value>(with_key("/fails")).await.unwrap_err();
    for text in [
        err.to_string(),
        format!("{err:?}"),
        format!("{:?}", with_key("/x")),
        format!("{:?}", http.seen.lock().unwrap()[0]),
    ] {
        assert!(!text.contains(KEY), "{text}");
        assert!(!text.contains("pw"), "{text}");
    }
    assert!(err.url.unwrap().contains("key=REDACTED"));
    let keys: Vec<_> = cache.0.lock().unwrap().keys().cloned().collect();
    // The same key as without the secret: the other parameters are kept as written.
    assert_eq!(keys, vec![CacheKey::new("test_source", "/ok?q=isbn:1")]);
    // The key still reached the catalogue, in the header.
    assert!(
        http.seen.lock().unwrap()[0].headers.iter().any(|(k, v)| k == "x-goog-api-key" && v == KEY)
    );
}

#[test]
fn cache_keys_and_redaction() {
    let r =
        Request::get(url("https://openlibrary.org/api/books?bibkeys=ISBN:1,ISBN:2&format=json"));
    assert_eq!(
        r.cache_key(),
        "/api/books?bibkeys=ISBN:1,ISBN:2&format=json",
        "unchanged without secrets"
    );
    let other_host =
        Request::get(url("http://127.0.0.1:8080/api/books?bibkeys=ISBN:1,ISBN:2&format=json"));
    assert_eq!(other_host.cache_key(), r.cache_key());
    assert_eq!(Request::get(url("https://x.test/w/OL1W.json")).cache_key(), "/w/OL1W.json");
    assert_eq!(Request::get(url("https://x.test/v?KEY=s")).cache_key(), "/v");
    assert_eq!(
        redact_url(&url("https://x.test/v?q=a+b&api_key=s")),
        "https://x.test/v?q=a+b&api_key=REDACTED"
    );
    assert_eq!(
        redact_url(&url("https://x.test/v?q=a%20b")),
        "https://x.test/v?q=a%20b",
        "untouched"
    );
}

#[tokio::test(start_paused = true)]
async fn item_cache_round_trip() {
    let http = Scripted::new([Step::Status(200, "{}")]);
    let f = fetcher(&http);
    assert_eq!(f.cached::<Value>("isbn:1"), None, "no cache configured");
    f.store("isbn:1", Some(&1));

    let f = fetcher(&http).with_cache(Arc::new(MemoryCache::new()));
    assert_eq!(f.cached::<Vec<String>>("isbn:1"), None);
    f.store("isbn:1", Some(&vec!["Fantasy".to_owned()]));
    f.store::<Vec<String>>("isbn:2", None);
    assert_eq!(f.cached::<Vec<String>>("isbn:1"), Some(Some(vec!["Fantasy".to_owned()])));
    assert_eq!(f.cached::<Vec<String>>("isbn:2"), Some(None));
    assert_eq!(f.cached::<u32>("isbn:1"), None, "a stored item of another shape is a miss");
    let stats = f.stats();
    assert_eq!((stats.cache_hits, stats.cache_misses), (2, 2));
}

#[tokio::test(start_paused = true)]
async fn the_global_concurrency_limit_bounds_requests_in_flight() {
    let http = Scripted::new([Step::Slow(Duration::from_secs(1))]);
    let semaphore = Arc::new(Semaphore::new(2));
    let a = fetcher(&http).with_concurrency_limit(Arc::clone(&semaphore));
    let b = Fetcher::new("other", Arc::clone(&http) as Arc<dyn HttpClient>)
        .with_concurrency_limit(semaphore);
    let requests = (0..6).map(|i| {
        let f = if i % 2 == 0 { a.clone() } else { b.clone() };
        async move {
            f.get_json::<Value>(Request::get(url(&format!("https://x.test/{i}")))).await.unwrap()
        }
    });
    futures::future::join_all(requests).await;
    assert_eq!(http.calls(), 6);
    assert_eq!(http.peak.load(Ordering::SeqCst), 2);
}

#[tokio::test(start_paused = true)]
async fn requests_keep_the_rate_when_released_by_the_semaphore() {
    let http = Scripted::new([Step::Slow(Duration::from_secs(2))]);
    let f = fetcher(&http)
        .with_rate_limit(RateLimit::per_second(10.0))
        .with_concurrency_limit(Arc::new(Semaphore::new(3)));
    let start = Instant::now();
    let requests = (0..9).map(|i| {
        let f = f.clone();
        async move {
            f.get_json::<Value>(Request::get(url(&format!("https://x.test/{i}")))).await.unwrap()
        }
    });
    futures::future::join_all(requests).await;
    let sent = http.sent_at.lock().unwrap().clone();
    assert_eq!(sent.len(), 9);
    for pair in sent.windows(2) {
        assert!(pair[1] - pair[0] >= Duration::from_millis(100), "{:?}", pair[1] - pair[0]);
    }
    // The semaphore (3 in flight, 2 s each) is what paces the later requests.
    assert!(start.elapsed() >= Duration::from_secs(6));
}

#[tokio::test(start_paused = true)]
async fn dropping_the_future_stops_the_work() {
    let http = Scripted::new([Step::RetryAfter(503, 10, "")]);
    let f = fetcher(&http);
    let fut = f.get_json::<Value>(Request::get(url("https://x.test/a")));
    // Cancel while the request waits 10 s to retry.
    assert!(tokio::time::timeout(Duration::from_secs(1), fut).await.is_err());
    assert_eq!(http.calls(), 1);
    tokio::time::sleep(Duration::from_secs(600)).await;
    assert_eq!(http.calls(), 1, "no request after the future was dropped");
}

// `get_text` shares `get_json`'s path; these check that each step of it applies to text too.

#[tokio::test(start_paused = true)]
async fn text_is_retried_cached_and_not_found_like_json() {
    let page = "<html><body><a class=\"genre\">Fantasy</a></body></html>";
    let http = Scripted::new([Step::Status(503, "<html>busy</html>"), Step::Status(200, page)]);
    let cache = Arc::new(MemoryCache::new());
    let f = fetcher(&http).with_cache(cache.clone());
    let req = Request::get(url("https://x.test/book/show/1"));
    let first = f.get_text(req.clone()).await.unwrap();
    assert_eq!(first, Fetched { value: Some(page.to_owned()), from_cache: false });
    let again = f.get_text(req).await.unwrap();
    assert_eq!(again, Fetched { value: Some(page.to_owned()), from_cache: true });
    assert_eq!(http.calls(), 2, "one 503, one page; the second answer is the cache's");
    let stats = f.stats();
    assert_eq!((stats.requests, stats.retries, stats.cache_hits), (2, 1, 1));

    let http = Scripted::new([Step::Status(404, "<html>no such page</html>")]);
    let f = fetcher(&http).with_cache(cache);
    let missing = f.get_text(Request::get(url("https://x.test/book/show/2"))).await.unwrap();
    assert_eq!(missing, Fetched { value: None, from_cache: false });
}

#[tokio::test(start_paused = true)]
async fn text_that_is_not_json_is_no_malformed_answer_and_bad_utf8_is_replaced() {
    let mut body = b"caf".to_vec();
    body.push(0xE9); // Latin-1 "é": not UTF-8
    let http = Scripted::new([Step::Body(200, body)]);
    let f = fetcher(&http);
    let got = f.get_text(Request::get(url("https://x.test/latin1"))).await.unwrap();
    assert_eq!(got.value.as_deref(), Some("caf\u{FFFD}"));
    assert_eq!(http.calls(), 1, "no retry: text always decodes");
}

#[tokio::test(start_paused = true)]
async fn text_requests_are_capped_redacted_and_stopped_like_json() {
    let http = Scripted::new([Step::Body(200, vec![b'a'; 2048])]);
    let f = fetcher(&http).with_max_body_bytes(1024);
    let err = f.get_text(Request::get(url("https://x.test/a?key=SECRET"))).await.unwrap_err();
    assert_eq!(err.kind, SourceErrorKind::ResponseTooLarge);
    assert!(!err.url.as_deref().unwrap_or_default().contains("SECRET"), "{err:?}");
    assert_eq!(http.calls(), 1);

    let http = Scripted::new([Step::Status(429, GOOGLE_DAILY_QUOTA)]);
    let f = fetcher(&http);
    let err = f.get_text(Request::get(url("https://x.test/a"))).await.unwrap_err();
    assert_eq!(err.kind, SourceErrorKind::QuotaExhausted);
    let err = f.get_text(Request::get(url("https://x.test/b"))).await.unwrap_err();
    assert_eq!(err.kind, SourceErrorKind::Disabled);
    assert_eq!(http.calls(), 1, "the source is stopped for the rest of the run");

    let budget = Arc::new(DailyBudget::new("test_source", 1));
    let http = Scripted::new([Step::Status(200, "ok")]);
    let f = fetcher(&http).with_daily_budget(budget);
    assert_eq!(
        f.get_text(Request::get(url("https://x.test/a"))).await.unwrap().value.as_deref(),
        Some("ok")
    );
    let err = f.get_text(Request::get(url("https://x.test/b"))).await.unwrap_err();
    assert_eq!(err.kind, SourceErrorKind::QuotaExhausted);
    assert_eq!(http.calls(), 1);

    let f = fetcher(&Scripted::new([Step::Status(200, "ok")])).with_offline(true);
    let err = f.get_text(Request::get(url("https://x.test/a"))).await.unwrap_err();
    assert_eq!(err.kind, SourceErrorKind::Offline);
}

#[test]
fn a_request_from_a_users_text_keeps_its_headers_or_says_why_it_is_no_url() {
    let headers = [("Accept".to_owned(), "text/html".to_owned())];
    let request = Request::from_text("https://x.test/isbn/1?lang=en", headers.clone()).unwrap();
    assert_eq!(
        request,
        Request::get(url("https://x.test/isbn/1?lang=en")).header("Accept", "text/html")
    );
    assert_eq!(
        Request::from_text("no url", headers).unwrap_err(),
        "\"no url\" is not a URL: relative URL without a base"
    );
}
