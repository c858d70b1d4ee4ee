//! A minimal HTTP/1.1 server side: request heads, bodies by Content-Length, keep-alive, and byte-exact writes.

use std::fmt::Write as _;
use std::io::Write as _;

use flate2::Compression;
use flate2::write::GzEncoder;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};

/// Largest request head accepted (request line plus headers).
const MAX_HEAD: usize = 64 * 1024;
/// Largest request body accepted (only `/__config` has one).
const MAX_BODY: usize = 1024 * 1024;

/// One parsed request.
#[derive(Debug, Clone)]
pub(crate) struct Request {
    pub method: String,
    /// Path without the query string, percent-decoded.
    pub path: String,
    /// Raw query string (after `?`), empty if none.
    pub raw_query: String,
    /// Decoded query parameters in order.
    pub query: Vec<(String, String)>,
    /// Headers with lower-cased names.
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
    /// Whether the connection stays open after the response.
    pub keep_alive: bool,
}

impl Request {
    /// The first value of a query parameter.
    pub(crate) fn param(&self, name: &str) -> Option<&str> {
        self.query.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
    }

    /// The first value of a header (name in lower case).
    pub(crate) fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
    }

    /// Path and query with any API key removed: safe to count and show.
    pub(crate) fn target_without_key(&self) -> String {
        let kept: Vec<&str> =
            self.raw_query.split('&').filter(|p| !p.is_empty() && !p.starts_with("key=")).collect();
        if kept.is_empty() {
            self.path.clone()
        } else {
            format!("{}?{}", self.path, kept.join("&"))
        }
    }
}

/// Why reading a request stopped.
#[derive(Debug)]
pub(crate) enum ReadError {
    /// The client closed the connection between requests.
    Closed,
    /// The request is malformed; answer 400 and close.
    Bad(String),
    Io,
}

/// Reads one request from `stream`, keeping bytes of a following pipelined request in `buf`.
pub(crate) async fn read_request<S: AsyncRead + Unpin>(
    stream: &mut S,
    buf: &mut Vec<u8>,
) -> Result<Request, ReadError> {
    let head_end = loop {
        if let Some(pos) = find(buf, b"\r\n\r\n") {
            break pos;
        }
        if buf.len() > MAX_HEAD {
            return Err(ReadError::Bad("request head too large".into()));
        }
        let mut chunk = [0u8; 8192];
        let n = stream.read(&mut chunk).await.map_err(|_| ReadError::Io)?;
        if n == 0 {
            return Err(if buf.is_empty() {
                ReadError::Closed
            } else {
                ReadError::Bad("truncated head".into())
            });
        }
        buf.extend_from_slice(&chunk[..n]);
    };
    let head = String::from_utf8_lossy(&buf[..head_end]).into_owned();
    let mut lines = head.split("\r\n");
    let request_line = lines.next().unwrap_or_default();
    let mut parts = request_line.split(' ');
    let (Some(method), Some(target), Some(version)) = (parts.next(), parts.next(), parts.next())
    else {
        return Err(ReadError::Bad(format!("bad request line {request_line:?}")));
    };
    let mut headers = Vec::new();
    for line in lines {
        let Some((name, value)) = line.split_once(':') else {
            return Err(ReadError::Bad(format!("bad header line {line:?}")));
        };
        headers.push((name.trim().to_ascii_lowercase(), value.trim().to_owned()));
    }
    let header =
        |n: &str| headers.iter().find(|(k, _)| k == n).map(|(_, v)| v.to_ascii_lowercase());
    if header("transfer-encoding").is_some_and(|v| v.contains("chunked")) {
        return Err(ReadError::Bad("chunked request bodies are not supported".into()));
    }
    let length: usize = match header("content-length") {
        None => 0,
        Some(v) => v.parse().map_err(|_| ReadError::Bad(format!("bad Content-Length {v:?}")))?,
    };
    if length > MAX_BODY {
        return Err(ReadError::Bad("request body too large".into()));
    }
    let connection = header("connection").unwrap_or_default();
    let keep_alive = if version == "HTTP/1.0" {
        connection.contains("keep-alive")
    } else {
        !connection.contains("close")
    };
    buf.drain(..head_end + 4);
    while buf.len() < length {
        let mut chunk = [0u8; 8192];
        let n = stream.read(&mut chunk).await.map_err(|_| ReadError::Io)?;
        if n == 0 {
            return Err(ReadError::Bad("truncated body".into()));
        }
        buf.extend_from_slice(&chunk[..n]);
    }
    let body: Vec<u8> = buf.drain(..length).collect();
    let (raw_path, raw_query) = target.split_once('?').unwrap_or((target, ""));
    let path = percent_decode(raw_path);
    let query = url::form_urlencoded::parse(raw_query.as_bytes())
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    Ok(Request {
        method: method.to_owned(),
        path,
        raw_query: raw_query.to_owned(),
        query,
        headers,
        body,
        keep_alive,
    })
}

/// Decodes `%XX` escapes in a path (`+` stays a plus there); invalid escapes are kept as written.
fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = bytes.get(i + 1..i + 3).and_then(|h| std::str::from_utf8(h).ok());
        match (bytes[i], hex.and_then(|h| u8::from_str_radix(h, 16).ok())) {
            (b'%', Some(b)) => {
                out.push(b);
                i += 3;
            }
            (b, _) => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

/// A complete response.
#[derive(Debug, Clone)]
pub(crate) struct Response {
    pub status: u16,
    pub content_type: &'static str,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Response {
    /// A JSON response.
    pub(crate) fn json(status: u16, body: impl Into<Vec<u8>>) -> Response {
        Response {
            status,
            content_type: "application/json; charset=UTF-8",
            headers: Vec::new(),
            body: body.into(),
        }
    }

    /// A JSON response from a value.
    pub(crate) fn value(status: u16, value: &serde_json::Value) -> Response {
        Response::json(status, value.to_string())
    }

    /// This response gzip-compressed when `req` accepts gzip, as both catalogues answer over
    /// HTTP content negotiation (Google documents it in its performance tips); otherwise as is.
    pub(crate) fn compressed_for(self, req: &Request) -> Response {
        let accepts = req.header("accept-encoding").is_some_and(|v| {
            v.split(',').any(|c| c.split(';').next().is_some_and(|c| c.trim() == "gzip"))
        });
        if !accepts || self.body.is_empty() {
            return self;
        }
        let mut encoder = GzEncoder::new(Vec::new(), Compression::fast());
        match encoder.write_all(&self.body).and_then(|()| encoder.finish()) {
            Ok(body) => Response { body, ..self }.with_header("Content-Encoding", "gzip"),
            Err(_) => self,
        }
    }

    /// Whether the body is gzip-compressed.
    pub(crate) fn is_gzip(&self) -> bool {
        self.headers.iter().any(|(k, v)| k.eq_ignore_ascii_case("content-encoding") && v == "gzip")
    }

    /// Adds a header.
    pub(crate) fn with_header(mut self, name: &str, value: impl Into<String>) -> Response {
        self.headers.push((name.to_owned(), value.into()));
        self
    }

    /// The status line, headers and blank line; `Content-Length` is the full body length.
    pub(crate) fn head(&self, keep_alive: bool) -> Vec<u8> {
        let mut head = format!(
            "HTTP/1.1 {} {}\r\nServer: fake-catalogue\r\nContent-Type: {}\r\nContent-Length: {}\r\n",
            self.status,
            reason(self.status),
            self.content_type,
            self.body.len()
        );
        for (k, v) in &self.headers {
            let _ = write!(head, "{k}: {v}\r\n");
        }
        head.push_str(if keep_alive {
            "Connection: keep-alive\r\n\r\n"
        } else {
            "Connection: close\r\n\r\n"
        });
        head.into_bytes()
    }

    /// Writes the whole response.
    pub(crate) async fn write<S: AsyncWrite + Unpin>(
        &self,
        stream: &mut S,
        keep_alive: bool,
    ) -> std::io::Result<()> {
        stream.write_all(&self.head(keep_alive)).await?;
        stream.write_all(&self.body).await?;
        stream.flush().await
    }

    /// Writes the head (announcing the full length) and only the first `keep` bytes of the body.
    pub(crate) async fn write_truncated<S: AsyncWrite + Unpin>(
        &self,
        stream: &mut S,
        keep: usize,
    ) -> std::io::Result<()> {
        stream.write_all(&self.head(false)).await?;
        stream.write_all(&self.body[..keep.min(self.body.len())]).await?;
        stream.flush().await
    }
}

fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        400 => "Bad Request",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        429 => "Too Many Requests",
        500 => "Internal Server Error",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        504 => "Gateway Timeout",
        _ => "Status",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn parses_pipelined_requests_and_decodes_query() {
        let raw = b"GET /search.json?title=the+way%20of&author=Sanderson&key=SECRET HTTP/1.1\r\nHost: x\r\nUser-Agent: t\r\n\r\nPOST /__config HTTP/1.1\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}";
        let mut stream: &[u8] = raw;
        let mut buf = Vec::new();
        let first = read_request(&mut stream, &mut buf).await.ok();
        let first = first.as_ref();
        assert_eq!(first.map(|r| r.path.as_str()), Some("/search.json"));
        assert_eq!(first.and_then(|r| r.param("title")), Some("the way of"));
        assert_eq!(first.and_then(|r| r.header("user-agent")), Some("t"));
        assert_eq!(first.map(|r| r.keep_alive), Some(true));
        assert_eq!(
            first.map(Request::target_without_key).as_deref(),
            Some("/search.json?title=the+way%20of&author=Sanderson")
        );
        let second = read_request(&mut stream, &mut buf).await.ok();
        assert_eq!(second.as_ref().map(|r| r.body.as_slice()), Some(&b"{}"[..]));
        assert_eq!(second.as_ref().map(|r| r.keep_alive), Some(false));
        assert!(matches!(read_request(&mut stream, &mut buf).await, Err(ReadError::Closed)));
    }

    #[test]
    fn decodes_paths() {
        assert_eq!(percent_decode("/isbn/978%2D0+x%zz%4"), "/isbn/978-0+x%zz%4");
        assert_eq!(percent_decode("/a&b=c"), "/a&b=c");
    }

    #[tokio::test]
    async fn rejects_garbage() {
        let mut stream: &[u8] = b"HELLO\r\n\r\n";
        let mut buf = Vec::new();
        assert!(matches!(read_request(&mut stream, &mut buf).await, Err(ReadError::Bad(_))));
    }
}
