//! The `fake-catalogue` binary: its one stdout line, its flags, and exiting when stdin closes.

mod common;

use std::net::SocketAddr;
use std::process::Stdio;
use std::time::Duration;

use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, Command};

const BIN: &str = env!("CARGO_BIN_EXE_fake-catalogue");

/// Starts the binary with piped stdin/stdout and returns it with the address from its first line.
async fn start(args: &[&str]) -> (Child, SocketAddr, String) {
    let mut child = Command::new(BIN)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .expect("spawn fake-catalogue");
    let stdout = child.stdout.take().expect("stdout");
    let mut lines = BufReader::new(stdout).lines();
    let line = tokio::time::timeout(Duration::from_secs(30), lines.next_line())
        .await
        .expect("first line within 30 s")
        .expect("read stdout")
        .expect("a first line");
    let url =
        line.strip_prefix("listening on http://").unwrap_or_else(|| panic!("first line {line:?}"));
    let addr: SocketAddr = url.parse().unwrap_or_else(|_| panic!("first line {line:?}"));
    (child, addr, line)
}

#[tokio::test]
async fn prints_one_line_serves_and_exits_when_stdin_closes() {
    let (mut child, addr, line) = start(&[]).await;
    assert!(addr.ip().is_loopback());
    assert_eq!(line, format!("listening on http://{addr}"));
    let r = common::get(addr, "/works/OL45804W.json").await;
    assert_eq!(r.status, 200, "the default catalogue is loaded");
    assert_eq!(common::get(addr, "/__stats").await.json()["total"], 1);
    drop(child.stdin.take());
    let status = tokio::time::timeout(Duration::from_secs(30), child.wait())
        .await
        .expect("exits within 30 s of stdin closing")
        .expect("wait");
    assert!(status.success(), "{status:?}");
}

#[tokio::test]
async fn flags_configure_the_server() {
    let (mut child, addr, _) = start(&[
        "--synthetic",
        "--rate-limit",
        "google=0.001/2",
        "--retry-after",
        "4",
        "--fault",
        "503,api=openlibrary,first-per-url=1",
        "--google-daily-quota=100",
        "--latency-ms",
        "1",
    ])
    .await;
    assert_eq!(common::get(addr, "/works/OL45804W.json").await.status, 503);
    assert_eq!(common::get(addr, "/works/OL45804W.json").await.status, 200);
    let synthetic = bookenrich_fake_catalogue::FakeBook::synthetic(7);
    let path = format!("/books/v1/volumes?q=isbn:{}", synthetic.isbn13.clone().unwrap_or_default());
    assert_eq!(common::get(addr, &path).await.json()["totalItems"], 1);
    assert_eq!(common::get(addr, &path).await.status, 200);
    let limited = common::get(addr, &path).await;
    assert_eq!((limited.status, limited.header("retry-after")), (429, Some("4")));
    child.kill().await.expect("kill");
}

#[tokio::test]
async fn catalogue_flags() {
    let (mut child, addr, _) = start(&["--no-default-catalogue"]).await;
    assert_eq!(common::get(addr, "/works/OL45804W.json").await.status, 404);
    child.kill().await.expect("kill");
    let file =
        format!("{}/../fixtures/catalogue/goodreads_edge_cases.json", env!("CARGO_MANIFEST_DIR"));
    let (mut child, addr, _) = start(&["--no-default-catalogue", "--catalogue", &file]).await;
    let fox = common::get(addr, "/works/OL45804W.json").await;
    assert_eq!(fox.body, common::fixture("openlibrary_works_OL45804W_fantastic_mr_fox.json"));
    child.kill().await.expect("kill");
}

#[tokio::test]
async fn bad_arguments_exit_2_with_usage() {
    for args in
        [&["--bogus"][..], &["--fault", "explode"], &["--rate-limit", "google"], &["--port", "x"]]
    {
        let out = Command::new(BIN).args(args).stdin(Stdio::null()).output().await.expect("run");
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        assert!(out.stdout.is_empty(), "{args:?}: nothing on stdout");
        assert!(String::from_utf8_lossy(&out.stderr).contains("usage: fake-catalogue"));
    }
    let bad_file = Command::new(BIN)
        .args(["--catalogue", "/nonexistent/books.json"])
        .stdin(Stdio::null())
        .output()
        .await
        .expect("run");
    assert_eq!(bad_file.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&bad_file.stderr).contains("/nonexistent/books.json"));
}
