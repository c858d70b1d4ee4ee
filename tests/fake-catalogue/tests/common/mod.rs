//! A raw HTTP/1.1 client for the server's own tests: it sees exactly the bytes sent (or not sent).

#![expect(dead_code)]

use std::net::SocketAddr;
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// A parsed (possibly incomplete) response.
#[derive(Debug, Clone)]
pub(crate) struct Reply {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Reply {
    pub(crate) fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }

    pub(crate) fn content_length(&self) -> Option<usize> {
        self.header("content-length").and_then(|v| v.parse().ok())
    }

    pub(crate) fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body).unwrap_or_else(|e| {
            panic!("body is not JSON ({e}): {}", String::from_utf8_lossy(&self.body))
        })
    }

    pub(crate) fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

/// Sends raw bytes on a new connection and reads until the server closes it (bounded by 30 s).
pub(crate) async fn exchange(addr: SocketAddr, request: &[u8]) -> Vec<u8> {
    let mut stream = TcpStream::connect(addr).await.expect("connect");
    stream.write_all(request).await.expect("write");
    let mut out = Vec::new();
    tokio::time::timeout(Duration::from_secs(30), stream.read_to_end(&mut out))
        .await
        .expect("server closed the connection within 30 s")
        .ok();
    out
}

/// Splits raw response bytes; `None` if there is no complete head.
pub(crate) fn parse(raw: &[u8]) -> Option<Reply> {
    let end = raw.windows(4).position(|w| w == b"\r\n\r\n")?;
    let head = String::from_utf8_lossy(&raw[..end]).into_owned();
    let mut lines = head.split("\r\n");
    let status = lines.next()?.split(' ').nth(1)?.parse().ok()?;
    let headers = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_owned(), v.trim().to_owned()))
        .collect();
    Some(Reply { status, headers, body: raw[end + 4..].to_vec() })
}

/// `GET path` with `Connection: close` and extra header lines.
pub(crate) async fn get_with(addr: SocketAddr, path: &str, extra_headers: &str) -> Reply {
    let request = format!(
        "GET {path} HTTP/1.1\r\nHost: {addr}\r\nUser-Agent: fake-catalogue-tests\r\n{extra_headers}Connection: close\r\n\r\n"
    );
    let raw = exchange(addr, request.as_bytes()).await;
    parse(&raw)
        .unwrap_or_else(|| panic!("no response to GET {path}: {:?}", String::from_utf8_lossy(&raw)))
}

/// `GET path`.
pub(crate) async fn get(addr: SocketAddr, path: &str) -> Reply {
    get_with(addr, path, "").await
}

/// `POST path` with a JSON body.
pub(crate) async fn post(addr: SocketAddr, path: &str, body: &str) -> Reply {
    let request = format!(
        "POST {path} HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    let raw = exchange(addr, request.as_bytes()).await;
    parse(&raw).unwrap_or_else(|| panic!("no response to POST {path}"))
}

/// A recorded response's bytes (they live with the core, whose unit tests read them).
pub(crate) fn fixture(name: &str) -> Vec<u8> {
    let path = format!("{}/../../bookenrich-core/tests/data/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// A recorded fixture as JSON.
pub(crate) fn fixture_json(name: &str) -> serde_json::Value {
    serde_json::from_slice(&fixture(name)).expect("fixture is JSON")
}
