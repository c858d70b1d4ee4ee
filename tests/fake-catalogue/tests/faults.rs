//! Each injected fault on the wire, their composition, and runtime control over HTTP.

mod common;

use std::time::Duration;

use bookenrich_fake_catalogue::{
    Api, FakeCatalogue, FakeCatalogueHandle, Fault, RuntimeConfig, Stats,
};
use common::{exchange, get, parse, post};
use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

async fn server(faults: Vec<Fault>) -> FakeCatalogueHandle {
    let mut b = FakeCatalogue::builder().with_default_catalogue();
    for f in faults {
        b = b.fault(f);
    }
    b.start().await.expect("server starts")
}

/// Polls the stats until `done` holds (bounded by 30 s): requests on other connections arrive asynchronously.
async fn wait_for(s: &FakeCatalogueHandle, done: impl Fn(&Stats) -> bool) {
    tokio::time::timeout(Duration::from_secs(30), async {
        while !done(&s.stats()) {
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
    })
    .await
    .expect("the server saw the requests within 30 s");
}

const WORK: &str = "/works/OL45804W.json";
const VOLUME: &str = "/books/v1/volumes/2cl7AgAAQBAJ";

#[tokio::test]
async fn fail_each_url_once_then_succeed() {
    let s = server(vec![Fault::status(503).first_per_url(1)]).await;
    let first = get(s.addr(), WORK).await;
    assert_eq!(first.status, 503);
    assert!(
        first.header("content-type").is_some_and(|c| c.starts_with("text/html")),
        "Open Library 5xx is HTML"
    );
    assert_eq!(get(s.addr(), WORK).await.status, 200);
    assert_eq!(get(s.addr(), WORK).await.status, 200);
    let g = get(s.addr(), VOLUME).await;
    assert_eq!(g.status, 503);
    assert_eq!(g.json()["error"]["errors"][0]["reason"], "backendFailed");
    assert_eq!(get(s.addr(), VOLUME).await.status, 200);
    // The API key is not part of the URL identity.
    assert_eq!(get(s.addr(), &format!("{VOLUME}?key=abc")).await.status, 200);
    let stats = s.stats();
    assert_eq!(stats.served_5xx, 2);
    assert_eq!(stats.faults_injected.get("status-503"), Some(&2));
    assert_eq!(stats.target(WORK), 3);
}

#[tokio::test]
async fn status_faults_with_and_without_retry_after() {
    let s = server(vec![
        Fault::too_many_requests(Some(2)).on(Api::OpenLibrary),
        Fault::too_many_requests(None).on(Api::Google),
    ])
    .await;
    let ol = get(s.addr(), WORK).await;
    assert_eq!((ol.status, ol.header("retry-after")), (429, Some("2")));
    assert_eq!(ol.json()["status"], 429);
    let g = get(s.addr(), VOLUME).await;
    assert_eq!((g.status, g.header("retry-after")), (429, None));
    assert_eq!(g.json()["error"]["code"], 429);
    assert_eq!(s.stats().served_429, 2);

    let s = server(vec![Fault::status(500).on(Api::Google)]).await;
    let g = get(s.addr(), VOLUME).await;
    assert_eq!(g.status, 500);
    assert_eq!(g.json()["error"]["errors"][0]["reason"], "backendError");
}

#[tokio::test]
async fn bursts_and_every_nth_compose_in_order() {
    let s = server(vec![
        Fault::status(503).on(Api::OpenLibrary).requests(1, 2),
        Fault::status(500).every_nth(3),
    ])
    .await;
    let mut statuses = Vec::new();
    for _ in 0..6 {
        statuses.push(get(s.addr(), WORK).await.status);
    }
    assert_eq!(statuses, vec![503, 503, 500, 200, 200, 500]);
    // The burst is scoped to Open Library: Google only meets the every-3rd fault (its 7th and 8th match).
    assert_eq!(get(s.addr(), VOLUME).await.status, 200);
    assert_eq!(get(s.addr(), VOLUME).await.status, 200);
    assert_eq!(get(s.addr(), VOLUME).await.status, 500);
}

#[tokio::test]
async fn route_scoped_fault() {
    let s = server(vec![Fault::wrong_type().on_route("/search.json")]).await;
    let search = get(s.addr(), "/search.json?title=Sabriel").await;
    assert_eq!(search.status, 200);
    assert_eq!(search.json()["docs"], "x");
    assert_eq!(get(s.addr(), WORK).await.json()["key"], "/works/OL45804W");
}

#[tokio::test]
async fn hang_never_answers_until_the_client_gives_up_or_the_server_stops() {
    let s = server(vec![Fault::hang().on(Api::Google)]).await;
    let mut stream = tokio::net::TcpStream::connect(s.addr()).await.expect("connect");
    stream
        .write_all(format!("GET {VOLUME} HTTP/1.1\r\nHost: x\r\n\r\n").as_bytes())
        .await
        .expect("write");
    wait_for(&s, |st| st.faults_injected.get("hang") == Some(&1)).await;
    let mut buf = [0u8; 64];
    let waited = tokio::time::timeout(Duration::from_millis(500), stream.read(&mut buf)).await;
    assert!(waited.is_err(), "no byte arrives from a hung request");
    // Other requests are unaffected while one hangs.
    assert_eq!(get(s.addr(), WORK).await.status, 200);
    let stats = s.stats();
    assert_eq!(stats.faults_injected.get("hang"), Some(&1));
    assert_eq!(stats.peak_concurrency, 2, "the hung request is still in flight");
    drop(s);
    let closed = tokio::time::timeout(Duration::from_secs(30), stream.read(&mut buf)).await;
    assert!(
        matches!(closed, Ok(Ok(0) | Err(_))),
        "stopping the server closes hung connections: {closed:?}"
    );
}

#[tokio::test]
async fn peak_concurrency_counts_overlapping_requests() {
    let s = server(vec![Fault::hang().requests(1, 3)]).await;
    let mut hung = Vec::new();
    for _ in 0..3 {
        let mut stream = tokio::net::TcpStream::connect(s.addr()).await.expect("connect");
        stream
            .write_all(format!("GET {WORK} HTTP/1.1\r\nHost: x\r\n\r\n").as_bytes())
            .await
            .expect("write");
        hung.push(stream);
    }
    wait_for(&s, |st| st.total == 3).await;
    assert_eq!(get(s.addr(), WORK).await.status, 200);
    assert_eq!(s.stats().peak_concurrency, 4);
    drop(hung);
    s.reset_stats();
    assert_eq!(s.stats().peak_concurrency, 0);
}

#[tokio::test]
async fn drop_closes_without_a_response() {
    let s = server(vec![Fault::drop_connection().requests(1, 1)]).await;
    let raw =
        exchange(s.addr(), format!("GET {WORK} HTTP/1.1\r\nHost: x\r\n\r\n").as_bytes()).await;
    assert!(raw.is_empty(), "{:?}", String::from_utf8_lossy(&raw));
    assert_eq!(get(s.addr(), WORK).await.status, 200);
    let stats = s.stats();
    assert_eq!(stats.faults_injected.get("drop"), Some(&1));
    assert_eq!(stats.total, 2);
    assert_eq!(stats.responses_by_status.values().sum::<u64>(), 1, "a drop has no status");
}

#[tokio::test]
async fn truncate_announces_the_full_length_and_sends_half() {
    let s = server(vec![Fault::truncate().first_per_url(1)]).await;
    let cut = get(s.addr(), WORK).await;
    let full = get(s.addr(), WORK).await;
    assert_eq!(cut.status, 200);
    assert_eq!(cut.content_length(), Some(full.body.len()));
    assert!(cut.body.len() < full.body.len() && !cut.body.is_empty());
    assert!(full.body.starts_with(&cut.body));
    assert!(serde_json::from_slice::<Value>(&cut.body).is_err());
    assert_eq!(cut.header("connection"), Some("close"));
}

#[tokio::test]
async fn wrong_type_json_per_route() {
    let s = server(vec![Fault::wrong_type()]).await;
    let books = get(s.addr(), "/api/books?bibkeys=ISBN:0140328726&format=json&jscmd=data").await;
    assert_eq!(books.json(), json!([]));
    let g = get(s.addr(), "/books/v1/volumes?q=isbn:9780374104092").await.json();
    assert!(g["items"].is_object() && g["totalItems"].is_string());
    let v = get(s.addr(), VOLUME).await.json();
    assert!(v["volumeInfo"].is_array());
    let w = get(s.addr(), WORK).await.json();
    assert!(w["subjects"].is_string());
}

#[tokio::test]
async fn oversized_body_is_valid_json_of_at_least_n_bytes() {
    let s = server(vec![Fault::oversized(3 * 1024 * 1024).on_route("/search.json")]).await;
    let r = get(s.addr(), "/search.json?title=The+Way+of+Kings&fields=title").await;
    assert!(r.body.len() >= 3 * 1024 * 1024);
    assert_eq!(r.content_length(), Some(r.body.len()));
    let v = r.json();
    assert_eq!(v["numFound"], 3, "the real answer is still inside");
    assert_eq!(s.stats().faults_injected.get("oversized"), Some(&1));
}

#[tokio::test]
async fn deep_nesting() {
    let s = server(vec![Fault::deep_nesting(100_000)]).await;
    let r = get(s.addr(), "/search.json?title=Sabriel").await;
    assert_eq!(r.status, 200);
    assert!(r.text().starts_with("{\"docs\":[[[["));
    let depth = r.body.iter().skip_while(|b| **b != b'[').take_while(|b| **b == b'[').count();
    assert_eq!(depth, 100_000);
    assert!(r.text().ends_with("]]]}"));
    assert_eq!(r.body.len(), "{\"docs\":}".len() + 200_000);
}

#[tokio::test]
async fn an_api_down_for_the_run() {
    let s = server(vec![Fault::api_down(Api::Google)]).await;
    for _ in 0..3 {
        assert_eq!(get(s.addr(), VOLUME).await.status, 503);
    }
    assert_eq!(get(s.addr(), WORK).await.status, 200);
    let s = server(vec![Fault::api_unreachable(Api::OpenLibrary)]).await;
    let raw =
        exchange(s.addr(), format!("GET {WORK} HTTP/1.1\r\nHost: x\r\n\r\n").as_bytes()).await;
    assert!(raw.is_empty());
    assert_eq!(get(s.addr(), VOLUME).await.status, 200);
}

#[tokio::test]
async fn runtime_control_over_http() {
    let s = server(Vec::new()).await;
    let addr = s.addr();
    let ok = post(
        addr,
        "/__config",
        r#"{"faults": ["503,api=openlibrary,first-per-url=1"], "rate_limits": {"google": {"per_second": 0.001, "burst": 1, "retry_after": 7}}, "google_daily_quota": 10}"#,
    )
    .await;
    assert_eq!(ok.status, 200, "{}", ok.text());
    assert_eq!(get(addr, WORK).await.status, 503);
    assert_eq!(get(addr, WORK).await.status, 200);
    assert_eq!(get(addr, VOLUME).await.status, 200);
    let limited = get(addr, VOLUME).await;
    assert_eq!((limited.status, limited.header("retry-after")), (429, Some("7")));

    let stats = get(addr, "/__stats").await.json();
    assert_eq!(stats["total"], 4);
    assert_eq!(stats["requests_by_api"], json!({"openlibrary": 2, "google": 2}));
    assert_eq!(stats["served_429"], 1);
    assert_eq!(stats["served_5xx"], 1);

    let bad = post(addr, "/__config", r#"{"faults": ["explode"], "latency_ms": 5000}"#).await;
    assert_eq!(bad.status, 400);
    assert!(bad.text().contains("explode"));
    let unknown = post(addr, "/__config", r#"{"latency": 5}"#).await;
    assert_eq!(unknown.status, 400);

    let reset = post(addr, "/__reset", "").await;
    assert_eq!(reset.status, 200);
    assert_eq!(get(addr, "/__stats").await.json()["total"], 0);
    assert_eq!(
        get(addr, WORK).await.status,
        503,
        "reset forgets URL attempts; the fault list stays"
    );
    let cleared = post(
        addr,
        "/__config",
        r#"{"faults": [], "rate_limits": {"google": null}, "google_daily_quota": null}"#,
    )
    .await;
    assert_eq!(cleared.status, 200);
    assert_eq!(get(addr, WORK).await.status, 200);
    assert_eq!(get(addr, VOLUME).await.status, 200);
    assert_eq!(get(addr, VOLUME).await.status, 200);

    // The same change through the handle.
    let config: RuntimeConfig =
        serde_json::from_str(r#"{"faults": [{"action": {"kind": "status", "status": 502}}]}"#)
            .expect("config parses");
    s.configure(&config).expect("valid config");
    assert_eq!(get(addr, WORK).await.status, 502);
    s.set_faults(Vec::new());
    assert_eq!(get(addr, WORK).await.status, 200);
    assert!(parse(b"garbage").is_none());
}
