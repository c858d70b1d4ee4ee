//! `fake-catalogue`: the fake Open Library + Google Books server as a process, for Python/Node tests and benchmarks.
//!
//! Prints exactly one line, `listening on http://127.0.0.1:PORT`, then serves until killed or until
//! its stdin closes (so a test harness that dies cannot leak it).

use std::io::{Read, Write};
use std::time::Duration;

use bookenrich_fake_catalogue::{Api, FakeCatalogue, Fault, RateLimit};

const USAGE: &str = "\
usage: fake-catalogue [OPTIONS]

  --port N                 port on 127.0.0.1 (default 0: any free port)
  --latency-ms N           delay every catalogue response by N ms
  --rate-limit API=R[/B]   limit API (openlibrary|google) to R requests/s, burst B (default 1); repeatable
  --retry-after S          send Retry-After: S with rate-limit 429s
  --google-daily-quota N   after N Google requests answer the daily-quota 429
  --synthetic              also answer for synthetic books (ISBN 979000nnnnnnC, titles '… No. n')
  --catalogue FILE.json    add the books of a catalogue file; repeatable
  --no-default-catalogue   do not load the built-in catalogue (tests/fixtures/catalogue)
  --fault SPEC             inject a fault, e.g. 503,api=google or 500,first-per-url=1; repeatable
  --ignore-stdin           keep serving when stdin closes (default: exit)
  -h, --help               this text

Runtime control: GET /__stats, POST /__reset, POST /__config (see README.md).";

#[derive(Debug, Default)]
struct Args {
    port: u16,
    latency_ms: u64,
    rate_limits: Vec<(Api, f64, u32)>,
    retry_after: Option<u64>,
    google_daily_quota: Option<u64>,
    synthetic: bool,
    catalogues: Vec<String>,
    no_default_catalogue: bool,
    faults: Vec<Fault>,
    ignore_stdin: bool,
}

fn parse_args(mut it: impl Iterator<Item = String>) -> Result<Args, String> {
    let mut args = Args::default();
    while let Some(flag) = it.next() {
        let (flag, inline) = match flag.split_once('=') {
            Some((f, v)) if f.starts_with("--") => (f.to_owned(), Some(v.to_owned())),
            _ => (flag, None),
        };
        let mut value = |name: &str| -> Result<String, String> {
            inline.clone().or_else(|| it.next()).ok_or_else(|| format!("{name} needs a value"))
        };
        let number = |name: &str, v: String| -> Result<u64, String> {
            v.parse().map_err(|_| format!("{name}: {v:?} is not a number"))
        };
        match flag.as_str() {
            "--port" => {
                let v = value("--port")?;
                args.port = v.parse().map_err(|_| format!("--port: {v:?} is not a port"))?;
            }
            "--latency-ms" => args.latency_ms = number("--latency-ms", value("--latency-ms")?)?,
            "--rate-limit" => {
                let v = value("--rate-limit")?;
                let (api, rate) = v
                    .split_once('=')
                    .ok_or_else(|| format!("--rate-limit {v:?}: expected API=RATE"))?;
                let (rate, burst) = rate.split_once('/').unwrap_or((rate, "1"));
                let rate: f64 =
                    rate.parse().map_err(|_| format!("--rate-limit {v:?}: bad rate"))?;
                let burst: u32 =
                    burst.parse().map_err(|_| format!("--rate-limit {v:?}: bad burst"))?;
                if !rate.is_finite() || rate <= 0.0 {
                    return Err(format!("--rate-limit {v:?}: the rate must be positive"));
                }
                args.rate_limits.push((api.parse().map_err(|e| format!("{e}"))?, rate, burst));
            }
            "--retry-after" => {
                args.retry_after = Some(number("--retry-after", value("--retry-after")?)?);
            }
            "--google-daily-quota" => {
                args.google_daily_quota =
                    Some(number("--google-daily-quota", value("--google-daily-quota")?)?);
            }
            "--synthetic" => args.synthetic = true,
            "--catalogue" => args.catalogues.push(value("--catalogue")?),
            "--no-default-catalogue" => args.no_default_catalogue = true,
            "--fault" => args.faults.push(value("--fault")?.parse().map_err(|e| format!("{e}"))?),
            "--ignore-stdin" => args.ignore_stdin = true,
            other => return Err(format!("unknown argument {other:?}")),
        }
    }
    Ok(args)
}

#[tokio::main]
async fn main() {
    let raw: Vec<String> = std::env::args().skip(1).collect();
    if raw.iter().any(|a| a == "-h" || a == "--help") {
        println!("{USAGE}");
        return;
    }
    let args = match parse_args(raw.into_iter()) {
        Ok(a) => a,
        Err(e) => {
            eprintln!("fake-catalogue: {e}\n\n{USAGE}");
            std::process::exit(2);
        }
    };
    let mut builder = FakeCatalogue::builder()
        .port(args.port)
        .synthetic(args.synthetic)
        .latency(Duration::from_millis(args.latency_ms));
    if !args.no_default_catalogue {
        builder = builder.with_default_catalogue();
    }
    for file in &args.catalogues {
        builder = builder.catalogue_file(file);
    }
    for (api, rate, burst) in &args.rate_limits {
        let mut limit = RateLimit::per_second(*rate).burst(*burst);
        limit.retry_after = args.retry_after;
        builder = builder.rate_limit(*api, limit);
    }
    if let Some(q) = args.google_daily_quota {
        builder = builder.google_daily_quota(q);
    }
    for fault in args.faults {
        builder = builder.fault(fault);
    }
    let server = match builder.start().await {
        Ok(s) => s,
        Err(e) => {
            eprintln!("{e}");
            std::process::exit(1);
        }
    };
    {
        let mut out = std::io::stdout().lock();
        let _ = writeln!(out, "listening on {}", server.base_url());
        let _ = out.flush();
    }
    if args.ignore_stdin {
        std::future::pending::<()>().await;
    }
    // Blocking stdin reads live on their own thread; its end (EOF or error) ends the process.
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    std::thread::spawn(move || {
        let mut sink = [0u8; 256];
        let mut stdin = std::io::stdin();
        while matches!(stdin.read(&mut sink), Ok(n) if n > 0) {}
        let _ = tx.send(());
    });
    let _ = rx.await;
    drop(server);
}
