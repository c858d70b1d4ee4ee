//! The reqwest transport: one pooled HTTPS client with a polite User-Agent,
//! a connect timeout, a streamed and size-capped body, and `Retry-After` parsing.

use std::error::Error as _;
use std::time::{Duration, SystemTime};

use async_trait::async_trait;
use bytes::{Bytes, BytesMut};

use super::parse_retry_after;
use super::{DEFAULT_CONNECT_TIMEOUT, HttpClient, HttpRequest, HttpResponse, TransportError};
use crate::error::{Error, Result};

/// Where bookenrich can be found; part of every User-Agent.
const PROJECT_URL: &str = "https://github.com/bookenrich/bookenrich";

/// Redirects followed per request (Open Library moves merged records once or twice).
const MAX_REDIRECTS: usize = 10;

/// Settings of a [`ReqwestClient`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReqwestClientConfig {
    /// An e-mail address or URL the catalogues can reach the operator at. Open Library
    /// blocks anonymous clients and allows identified ones a higher rate.
    pub contact: Option<String>,
    /// Time allowed to open a connection.
    pub connect_timeout: Duration,
    /// Refuse plain `http://` URLs (including redirects to them). On unless the user
    /// explicitly configured an `http://` base URL (a local mirror or test server).
    pub https_only: bool,
}

impl Default for ReqwestClientConfig {
    fn default() -> Self {
        Self { contact: None, connect_timeout: DEFAULT_CONNECT_TIMEOUT, https_only: true }
    }
}

/// The [`HttpClient`] used to reach the real catalogues (feature `http`).
#[derive(Debug, Clone)]
pub struct ReqwestClient {
    client: reqwest::Client,
    user_agent: String,
}

impl ReqwestClient {
    /// A client with these settings.
    ///
    /// Fails with [`Error::Config`] (field `contact`) when the contact cannot go in
    /// a header, or when the TLS backend cannot be initialised.
    pub fn new(config: &ReqwestClientConfig) -> Result<Self> {
        let contact = config.contact.as_deref().map(str::trim).filter(|c| !c.is_empty());
        if let Some(c) = contact {
            if c.chars().any(|ch| ch.is_control() || !ch.is_ascii()) || c.contains([';', '(', ')'])
            {
                return Err(Error::config(
                    "contact",
                    "must be printable ASCII without ';', '(' or ')' (an e-mail address or URL)",
                ));
            }
        }
        let user_agent = user_agent(contact);
        let client = reqwest::Client::builder()
            .user_agent(user_agent.clone())
            .connect_timeout(config.connect_timeout)
            .https_only(config.https_only)
            .redirect(redirect_policy())
            .build()
            .map_err(|e| {
                Error::config("http", format!("cannot create the HTTP client: {}", describe(&e)))
            })?;
        Ok(Self { client, user_agent })
    }

    /// The User-Agent this client sends.
    pub fn user_agent(&self) -> &str {
        &self.user_agent
    }
}

/// `bookenrich/{VERSION} (+https://github.com/bookenrich/bookenrich; {contact})`.
pub fn user_agent(contact: Option<&str>) -> String {
    match contact {
        Some(c) => format!("bookenrich/{} (+{PROJECT_URL}; {c})", crate::VERSION),
        None => format!("bookenrich/{} (+{PROJECT_URL})", crate::VERSION),
    }
}

#[async_trait]
impl HttpClient for ReqwestClient {
    async fn get(&self, request: HttpRequest) -> Result<HttpResponse, TransportError> {
        let timeout = request.timeout;
        let limit = request.max_body_bytes;
        let mut builder = self.client.get(request.url).timeout(timeout);
        for (name, value) in &request.headers {
            builder = builder.header(name.as_str(), value.as_str());
        }
        let mut response = builder.send().await.map_err(|e| map_error(&e, timeout))?;
        let status = response.status().as_u16();
        let retry_after = response
            .headers()
            .get(reqwest::header::RETRY_AFTER)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| parse_retry_after(v, SystemTime::now()));
        if response.content_length().is_some_and(|n| n > limit as u64) {
            return Err(TransportError::TooLarge { limit });
        }
        // Streamed so a hostile or broken server cannot make us buffer more than the cap.
        let mut body = BytesMut::new();
        while let Some(chunk) = response.chunk().await.map_err(|e| map_error(&e, timeout))? {
            if body.len() + chunk.len() > limit {
                return Err(TransportError::TooLarge { limit });
            }
            body.extend_from_slice(&chunk);
        }
        Ok(HttpResponse { status, retry_after, body: Bytes::from(body) })
    }
}

/// Follows a redirect only to where the first request went (same scheme, host and port),
/// or from `http` to `https` on the same host.
///
/// reqwest forwards custom headers on redirects, so following one to another host
/// would hand it the Google API key (`x-goog-api-key`); and an `https` request must
/// never continue over plain `http`. The catalogues only redirect within themselves.
fn redirect_policy() -> reqwest::redirect::Policy {
    reqwest::redirect::Policy::custom(|attempt| {
        let Some(first) = attempt.previous().first() else {
            return attempt.follow();
        };
        if attempt.previous().len() > MAX_REDIRECTS {
            return attempt.error(format!("more than {MAX_REDIRECTS} redirects"));
        }
        if redirect_allowed(first, attempt.url()) {
            attempt.follow()
        } else {
            let to = format!(
                "{}://{}",
                attempt.url().scheme(),
                attempt.url().host_str().unwrap_or_default()
            );
            attempt.error(format!(
                "redirect to {to} refused: only redirects within the catalogue are followed"
            ))
        }
    })
}

/// Whether a request first sent to `first` may follow a redirect to `next`.
fn redirect_allowed(first: &url::Url, next: &url::Url) -> bool {
    if next.origin() == first.origin() {
        return true;
    }
    first.scheme() == "http" && next.scheme() == "https" && first.host_str() == next.host_str()
}

/// Maps a reqwest error to a transport error, without the URL (it may carry secrets).
fn map_error(e: &reqwest::Error, timeout: Duration) -> TransportError {
    if e.is_timeout() {
        return TransportError::Timeout(timeout);
    }
    let message = describe(e);
    if e.is_builder() || e.is_redirect() {
        // Not a network failure: an invalid request, a refused scheme, a redirect loop.
        return TransportError::Other(message);
    }
    // Refused or reset connections, TLS failures, and bodies cut short.
    TransportError::Connection(message)
}

/// The error and its causes, one line, without the URL.
fn describe(e: &reqwest::Error) -> String {
    let mut parts = vec![strip_url(&e.to_string())];
    let mut cause = e.source();
    while let Some(c) = cause {
        let text = strip_url(&c.to_string());
        if !text.is_empty() && !parts.iter().any(|p| p.contains(&text)) {
            parts.push(text);
        }
        cause = c.source();
    }
    parts.join(": ")
}

/// reqwest appends ` for url (…)` to its messages; the URL may carry a key.
fn strip_url(message: &str) -> String {
    match message.find(" for url (") {
        Some(i) => message[..i].to_owned(),
        None => message.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    use tokio::net::TcpListener;

    use super::*;

    /// Serves each accepted connection the bytes `answer` returns for the request head.
    async fn serve(
        answer: impl Fn(&str) -> Vec<u8> + Send + Sync + 'static,
    ) -> (String, tokio::task::JoinHandle<()>) {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let handle = tokio::spawn(async move {
            let answer = std::sync::Arc::new(answer);
            loop {
                let Ok((mut socket, _)) = listener.accept().await else {
                    return;
                };
                let answer = std::sync::Arc::clone(&answer);
                tokio::spawn(async move {
                    let mut buf = vec![0u8; 8192];
                    let mut head = Vec::new();
                    while !head.windows(4).any(|w| w == b"\r\n\r\n") {
                        let Ok(n) = socket.read(&mut buf).await else {
                            return;
                        };
                        if n == 0 {
                            return;
                        }
                        head.extend_from_slice(&buf[..n]);
                    }
                    let reply = answer(&String::from_utf8_lossy(&head));
                    let _ = socket.write_all(&reply).await;
                    let _ = socket.shutdown().await;
                });
            }
        });
        (base, handle)
    }

    fn http_reply(status: &str, extra_headers: &str, body: &str) -> Vec<u8> {
        format!("HTTP/1.1 {status}\r\ncontent-length: {}\r\nconnection: close\r\n{extra_headers}\r\n{body}", body.len())
            .into_bytes()
    }

    fn client() -> ReqwestClient {
        ReqwestClient::new(&ReqwestClientConfig {
            contact: Some("ops@example.org".into()),
            https_only: false,
            ..ReqwestClientConfig::default()
        })
        .unwrap()
    }

    fn request(url: &str) -> HttpRequest {
        HttpRequest {
            url: url::Url::parse(url).unwrap(),
            headers: vec![("x-goog-api-key".into(), "SECRET".into())],
            timeout: Duration::from_secs(10),
            max_body_bytes: 1024,
        }
    }

    #[test]
    fn user_agent_names_the_project_version_and_contact() {
        assert_eq!(
            user_agent(Some("me@example.org")),
            format!(
                "bookenrich/{} (+https://github.com/bookenrich/bookenrich; me@example.org)",
                crate::VERSION
            )
        );
        assert_eq!(
            user_agent(None),
            format!("bookenrich/{} (+https://github.com/bookenrich/bookenrich)", crate::VERSION)
        );
        let bad = ReqwestClientConfig {
            contact: Some("me\r\nX-Evil: 1".into()),
            ..ReqwestClientConfig::default()
        };
        assert!(matches!(ReqwestClient::new(&bad), Err(Error::Config { .. })));
    }

    #[tokio::test]
    async fn sends_user_agent_and_headers_and_reads_status_body_retry_after() {
        let seen = std::sync::Arc::new(std::sync::Mutex::new(String::new()));
        let seen2 = std::sync::Arc::clone(&seen);
        let (base, _server) = serve(move |head| {
            *seen2.lock().unwrap() = head.to_owned();
            http_reply("429 Too Many Requests", "retry-after: 7\r\n", "{\"status\":429}")
        })
        .await;
        let response = client().get(request(&format!("{base}/search.json?q=x"))).await.unwrap();
        assert_eq!(response.status, 429);
        assert_eq!(response.retry_after, Some(Duration::from_secs(7)));
        assert_eq!(&response.body[..], b"{\"status\":429}");
        let head = seen.lock().unwrap().to_ascii_lowercase();
        assert!(head.contains("user-agent: bookenrich/"), "{head}");
        assert!(head.contains("ops@example.org"), "{head}");
        assert!(head.contains("x-goog-api-key: secret"), "{head}");
    }

    #[tokio::test]
    async fn bodies_over_the_cap_are_refused() {
        let big = "x".repeat(4096);
        let (base, _server) = serve(move |_| http_reply("200 OK", "", &big)).await;
        let err = client().get(request(&format!("{base}/a"))).await.unwrap_err();
        assert_eq!(err, TransportError::TooLarge { limit: 1024 });

        // Without a content-length the streamed body is cut at the cap too.
        let (base, _server) = serve(|_| {
            let mut reply = b"HTTP/1.1 200 OK\r\nconnection: close\r\n\r\n".to_vec();
            reply.extend(vec![b'y'; 4096]);
            reply
        })
        .await;
        let err = client().get(request(&format!("{base}/a"))).await.unwrap_err();
        assert_eq!(err, TransportError::TooLarge { limit: 1024 });
    }

    fn gzipped(body: &[u8]) -> Vec<u8> {
        use std::io::Write as _;
        let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        encoder.write_all(body).unwrap();
        encoder.finish().unwrap()
    }

    #[tokio::test]
    async fn compressed_answers_are_accepted_and_capped_after_decompression() {
        let seen = std::sync::Arc::new(std::sync::Mutex::new(String::new()));
        let seen2 = std::sync::Arc::clone(&seen);
        let (base, _server) = serve(move |head| {
            *seen2.lock().unwrap() = head.to_owned();
            let body = gzipped(br#"{"docs":[]}"#);
            let mut reply = format!(
                "HTTP/1.1 200 OK\r\ncontent-encoding: gzip\r\ncontent-length: {}\r\nconnection: close\r\n\r\n",
                body.len()
            )
            .into_bytes();
            reply.extend(body);
            reply
        })
        .await;
        let response = client().get(request(&format!("{base}/a"))).await.unwrap();
        assert_eq!(&response.body[..], br#"{"docs":[]}"#);
        let head = seen.lock().unwrap().to_ascii_lowercase();
        assert!(head.contains("accept-encoding: gzip,br"), "{head}");

        // 64 KiB of zeros compress to well under the 1 KiB cap: the cap counts what they expand to.
        let bomb = gzipped(&vec![b'0'; 64 * 1024]);
        assert!(bomb.len() < 1024);
        let (base, _server) = serve(move |_| {
            let mut reply = format!(
                "HTTP/1.1 200 OK\r\ncontent-encoding: gzip\r\ncontent-length: {}\r\nconnection: close\r\n\r\n",
                bomb.len()
            )
            .into_bytes();
            reply.extend(bomb.iter().copied());
            reply
        })
        .await;
        let err = client().get(request(&format!("{base}/a"))).await.unwrap_err();
        assert_eq!(err, TransportError::TooLarge { limit: 1024 });
    }

    #[tokio::test]
    async fn a_body_cut_short_is_a_connection_error() {
        let (base, _server) =
            serve(|_| b"HTTP/1.1 200 OK\r\ncontent-length: 500\r\n\r\n{\"docs\": [".to_vec()).await;
        let err = client().get(request(&format!("{base}/a"))).await.unwrap_err();
        assert!(matches!(err, TransportError::Connection(_)), "{err:?}");
    }

    #[tokio::test]
    async fn refused_connections_and_timeouts_are_classified_without_the_url() {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        drop(listener);
        let err = client().get(request(&format!("http://{addr}/a?key=SECRET"))).await.unwrap_err();
        assert!(matches!(err, TransportError::Connection(_)), "{err:?}");
        assert!(!err.to_string().contains("SECRET"), "{err}");

        // A server that accepts and never answers.
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let _server = tokio::spawn(async move {
            let mut held = Vec::new();
            while let Ok((socket, _)) = listener.accept().await {
                held.push(socket);
            }
        });
        let mut slow = request(&format!("{base}/a?key=SECRET"));
        slow.timeout = Duration::from_millis(300);
        let err = client().get(slow).await.unwrap_err();
        assert_eq!(err, TransportError::Timeout(Duration::from_millis(300)));
    }

    #[test]
    fn redirects_stay_on_the_catalogue_and_never_downgrade() {
        let url = |s: &str| url::Url::parse(s).unwrap();
        let first = url("https://openlibrary.org/isbn/9780140328721.json");
        assert!(redirect_allowed(&first, &url("https://openlibrary.org/books/OL7353617M.json")));
        assert!(!redirect_allowed(&first, &url("http://openlibrary.org/books/OL7353617M.json")));
        assert!(!redirect_allowed(&first, &url("https://evil.example/books/OL7353617M.json")));
        assert!(!redirect_allowed(&first, &url("https://openlibrary.org:8443/books/x.json")));
        let plain = url("http://127.0.0.1:8080/works/OL45804W.json");
        assert!(redirect_allowed(&plain, &url("http://127.0.0.1:8080/works/OL1W.json")));
        assert!(!redirect_allowed(&plain, &url("http://127.0.0.1:9090/works/OL1W.json")));
        assert!(redirect_allowed(&plain, &url("https://127.0.0.1/works/OL1W.json")));
    }

    #[tokio::test]
    async fn plain_http_is_refused_unless_allowed() {
        let (base, _server) = serve(|_| http_reply("200 OK", "", "{}")).await;
        let strict = ReqwestClient::new(&ReqwestClientConfig::default()).unwrap();
        let err = strict.get(request(&format!("{base}/a"))).await.unwrap_err();
        assert!(matches!(err, TransportError::Other(_)), "{err:?}");
        assert_eq!(client().get(request(&format!("{base}/a"))).await.unwrap().status, 200);
    }
}
