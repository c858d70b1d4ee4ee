//! `e2e-bench`: the end-to-end benchmark. Starts the fake catalogue server (in this
//! process) with a given latency and rate limits, and runs the same job through the
//! `bookenrich` CLI, the Python package and the Node package, each in a process of its
//! own, reporting wall time, books/s, requests per book and source, 429s served and
//! peak memory. A client that is not built is skipped with a message saying how to build it.
//!
//! Scenarios (`--scenarios`, default all):
//! - `curve`: `--latency-ms` (50) and no rate limit, concurrency 1..256; each point
//!   enriches `--books-per-slot` × concurrency books (at least `--curve-min-books`).
//! - `limits`: the published limits (Open Library 3 req/s with a contact, Google 1 req/s)
//!   times `--scale`, on server and client alike; wall time against the minimum those
//!   limits allow for the requests made, and the 429s provoked (zero expected).
//! - `pipeline`: export → dashboard JSON without enrichment on a generated library of
//!   `--pipeline-rows` books; each client's time against the CLI's.
//! - `offline`: the same library enriched with every lookup answered at once ("offline", no
//!   cache), then written: the enrichment path's own cost in each client, against the CLI's.
//! - `import`: `import bookenrich` time in Python (interpreter start subtracted).
//!
//! Nothing here fails on timing; a job that fails or writes a wrong dashboard is reported
//! and makes the exit status 1.

mod clients;
mod measure;
mod synthetic;

use std::ffi::OsString;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Duration;

use bookenrich_fake_catalogue::{Api, FakeCatalogue, FakeCatalogueHandle, RateLimit, Stats};
use clap::Parser;
use serde_json::{Value, json};

use clients::{Catalogue, Client, ClientKind, Job, Locations, RateLimits};
use measure::{Invocation, Measurement, measure};
use synthetic::{Library, check_dashboard, write_library};

/// Open Library's published limit for clients that send a contact, requests per second.
const OPEN_LIBRARY_PER_SECOND: f64 = 3.0;
/// Google Books' published limit without an API key, requests per second.
const GOOGLE_PER_SECOND: f64 = 1.0;
/// The largest client rate limit the engine accepts; "no limit" in the curve.
const UNLIMITED: f64 = 1_000_000.0;
/// Contact sent in the User-Agent (identified Open Library client).
const CONTACT: &str = "bench@bookenrich.invalid";

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum Scenario {
    Curve,
    Limits,
    Pipeline,
    Offline,
    Import,
}

/// End-to-end benchmark of bookenrich against the fake catalogue server.
#[derive(Debug, Parser)]
#[command(name = "e2e-bench")]
struct Args {
    /// Scenarios to run.
    #[arg(long, value_delimiter = ',', default_value = "curve,limits,pipeline,offline,import")]
    scenarios: Vec<Scenario>,
    /// Clients to run each job with (one not built is skipped).
    #[arg(long, value_delimiter = ',', default_value = "cli,python,node")]
    clients: Vec<ClientKind>,
    /// Latency of every catalogue answer, milliseconds (curve and limits).
    #[arg(long, default_value_t = 50)]
    latency_ms: u64,
    /// Concurrency values of the curve.
    #[arg(long, value_delimiter = ',', default_value = "1,2,4,8,16,32,64,128,256")]
    concurrency: Vec<usize>,
    /// Books per unit of concurrency in the curve.
    #[arg(long, default_value_t = 20)]
    books_per_slot: u64,
    /// Fewest books of a curve point.
    #[arg(long, default_value_t = 100)]
    curve_min_books: u64,
    /// Books of the limits scenario.
    #[arg(long, default_value_t = 200)]
    limit_books: u64,
    /// Factor applied to the published limits in the limits scenario.
    #[arg(long, default_value_t = 20.0)]
    scale: f64,
    /// Bucket size of the server's rate limits (requests it accepts back to back).
    #[arg(long, default_value_t = 2)]
    server_burst: u32,
    /// Rows of the generated library of the pipeline and offline scenarios.
    #[arg(long, default_value_t = 100_000)]
    pipeline_rows: u64,
    /// One synthetic book in K has no ISBN and is found by title (0: every book has one).
    #[arg(long, default_value_t = 10)]
    isbn_less_every: u64,
    /// Runs per pipeline and import measurement (the median is reported).
    #[arg(long, default_value_t = 3)]
    runs: usize,
    /// The bookenrich binary [default: next to this binary].
    #[arg(long)]
    bookenrich: Option<PathBuf>,
    /// The Python interpreter.
    #[arg(long, default_value = "python3")]
    python: String,
    /// The Node interpreter.
    #[arg(long, default_value = "node")]
    node: String,
    /// The Node package directory [default: bookenrich-node/ of this checkout].
    #[arg(long)]
    node_package: Option<PathBuf>,
    /// Also write every measurement as one JSON object per line to this file.
    #[arg(long)]
    json: Option<PathBuf>,
    /// Scratch directory for exports and dashboards [default: a new one under the temp dir, removed after].
    #[arg(long)]
    dir: Option<PathBuf>,
}

/// The checkout this binary was built from.
fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map_or_else(|| PathBuf::from("."), Path::to_path_buf)
}

fn main() -> ExitCode {
    let raw: Vec<OsString> = std::env::args_os().collect();
    if raw.get(1).is_some_and(|a| a == "__measure") {
        return measure::runner_main(&raw[2..]);
    }
    let args = Args::parse();
    match Driver::new(&args).and_then(|mut d| d.run_all()) {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => {
            eprintln!("e2e-bench: some jobs failed (see above)");
            ExitCode::FAILURE
        }
        Err(e) => {
            eprintln!("e2e-bench: {e}");
            ExitCode::FAILURE
        }
    }
}

/// The medians of one job run `--runs` times.
#[derive(Debug, Clone)]
struct Repeated {
    /// Wall time of the process.
    seconds: f64,
    /// The job's own time, as the client reports it (the CLI's: its wall time).
    job_seconds: f64,
    /// CPU time of the process.
    cpu_seconds: f64,
    /// The largest peak resident memory of the runs.
    peak_bytes: u64,
    /// Runs made.
    runs: usize,
}

struct Driver<'a> {
    args: &'a Args,
    scratch: PathBuf,
    remove_scratch: bool,
    clients: Vec<Client>,
    runtime: tokio::runtime::Runtime,
    server: Option<FakeCatalogueHandle>,
    json: Option<std::fs::File>,
    all_ok: bool,
}

impl<'a> Driver<'a> {
    fn new(args: &'a Args) -> Result<Self, String> {
        let (scratch, remove_scratch) = match &args.dir {
            Some(d) => (d.clone(), false),
            None => (std::env::temp_dir().join(format!("e2e-bench-{}", std::process::id())), true),
        };
        std::fs::create_dir_all(&scratch).map_err(|e| format!("{}: {e}", scratch.display()))?;
        let here = std::env::current_exe().map_err(|e| format!("own path: {e}"))?;
        let root = repo_root();
        let locations = Locations {
            bookenrich: args.bookenrich.clone().unwrap_or_else(|| {
                here.parent().map_or_else(|| PathBuf::from("bookenrich"), |d| d.join("bookenrich"))
            }),
            python: args.python.clone(),
            python_source: root.join("bookenrich-py").join("python"),
            node: args.node.clone(),
            node_package: args.node_package.clone().unwrap_or_else(|| root.join("bookenrich-node")),
        };
        let mut clients = Vec::new();
        for &kind in &args.clients {
            match Client::find(kind, &locations, &scratch) {
                Ok(c) => {
                    println!("client {kind}: {}", c.description);
                    clients.push(c);
                }
                Err(why) => println!("client {kind}: SKIPPED: {why}"),
            }
        }
        let json = args
            .json
            .as_ref()
            .map(|p| std::fs::File::create(p).map_err(|e| format!("{}: {e}", p.display())))
            .transpose()?;
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .enable_all()
            .build()
            .map_err(|e| format!("tokio runtime: {e}"))?;
        Ok(Self {
            args,
            scratch,
            remove_scratch,
            clients,
            runtime,
            server: None,
            json,
            all_ok: true,
        })
    }

    fn run_all(&mut self) -> Result<bool, String> {
        if self.clients.is_empty() {
            println!("no client to run");
        }
        for &scenario in &self.args.scenarios {
            match scenario {
                Scenario::Curve => self.curve()?,
                Scenario::Limits => self.limits()?,
                Scenario::Pipeline => self.pipeline(false)?,
                Scenario::Offline => self.pipeline(true)?,
                Scenario::Import => self.import()?,
            }
        }
        if self.remove_scratch {
            std::fs::remove_dir_all(&self.scratch)
                .map_err(|e| format!("{}: {e}", self.scratch.display()))?;
        }
        Ok(self.all_ok)
    }

    fn record(&mut self, value: &Value) -> Result<(), String> {
        if let Some(f) = &mut self.json {
            writeln!(f, "{value}").map_err(|e| format!("--json: {e}"))?;
        }
        Ok(())
    }

    fn server(&mut self) -> Result<&FakeCatalogueHandle, String> {
        if self.server.is_none() {
            let handle = self
                .runtime
                .block_on(FakeCatalogue::builder().synthetic(true).start())
                .map_err(|e| format!("fake catalogue: {e}"))?;
            println!("fake catalogue at {}", handle.base_url());
            self.server = Some(handle);
        }
        self.server.as_ref().ok_or_else(|| "no server".to_owned())
    }

    /// Runs one enrichment job against the server as it is configured now; prints and records a row.
    fn enrich_job(
        &mut self,
        scenario: &str,
        client: &Client,
        library: Library,
        export: &Path,
        catalogue: &Catalogue,
    ) -> Result<Option<(Measurement, Stats)>, String> {
        let output = self.scratch.join(format!("dashboard-{}.json", client.kind));
        let _ = std::fs::remove_file(&output);
        let job = Job {
            export: export.to_path_buf(),
            output: output.clone(),
            include_unread: false,
            catalogue: Some(catalogue.clone()),
            offline: false,
            objects: false,
        };
        self.server()?.reset_stats();
        let (m, _stdout, stderr) = measure(&client.invocation(&job)?, &self.scratch)?;
        let stats = self.server()?.stats();
        let check = if m.success { check_dashboard(&output).ok() } else { None };
        let ok = m.success && check.is_some_and(|c| c.books == library.books);
        if !ok {
            self.all_ok = false;
            println!("  {} FAILED ({}): {}", client.kind, m.status, tail(&stderr, 12));
        }
        let per_book = |n: u64| n as f64 / library.books.max(1) as f64;
        let ol = stats.api(Api::OpenLibrary);
        let google = stats.api(Api::Google);
        let served_429 = stats.rate_limited_by_api.values().sum::<u64>();
        let books_api = stats.route("/api/books");
        let searches = stats.route("/search.json");
        let value = json!({
            "scenario": scenario,
            "client": client.kind.to_string(),
            "ok": ok,
            "books": library.books,
            "books_with_isbn": library.with_isbn,
            "concurrency": catalogue.concurrency,
            "latency_ms": self.args.latency_ms,
            "client_rate_limits": catalogue.rate_limits,
            "seconds": m.seconds,
            "cpu_seconds": m.cpu_seconds,
            "books_per_second": library.books as f64 / m.seconds,
            "peak_bytes": m.peak_bytes,
            "requests": {"open_library": ol, "google_books": google},
            "requests_per_book": {"open_library": per_book(ol), "google_books": per_book(google)},
            "open_library_books_api_requests_per_isbn_book": books_api as f64 / library.with_isbn.max(1) as f64,
            "open_library_searches_per_isbn_less_book": searches as f64 / library.without_isbn().max(1) as f64,
            "requests_by_route": stats.requests_by_route,
            "served_429": served_429,
            "server_peak_in_flight": stats.peak_concurrency,
            "with_genres": check.map(|c| c.with_genres),
            "with_cover": check.map(|c| c.with_cover),
        });
        println!(
            "  {:<7} {:>6} {:>6} {:>8.2} {:>9.0} {:>8.3} {:>8.3} {:>9.4} {:>5} {:>6} {:>8.1} {:>7}",
            client.kind,
            library.books,
            catalogue.concurrency.map_or_else(|| "dflt".to_owned(), |c| c.to_string()),
            m.seconds,
            library.books as f64 / m.seconds,
            per_book(ol),
            per_book(google),
            books_api as f64 / library.with_isbn.max(1) as f64,
            served_429,
            stats.peak_concurrency,
            m.peak_bytes as f64 / 1e6,
            check.map_or_else(|| "-".to_owned(), |c| format!("{}/{}", c.with_genres, c.books)),
        );
        self.record(&value)?;
        Ok(ok.then_some((m, stats)))
    }

    fn enrich_header() {
        println!(
            "  {:<7} {:>6} {:>6} {:>8} {:>9} {:>8} {:>8} {:>9} {:>5} {:>6} {:>8} {:>7}",
            "client",
            "books",
            "conc",
            "wall s",
            "books/s",
            "OL/book",
            "G/book",
            "OLbatch/I",
            "429s",
            "flight",
            "peak MB",
            "genres"
        );
    }

    fn curve(&mut self) -> Result<(), String> {
        println!(
            "\n== curve: {} ms latency, no rate limit, concurrency {:?}",
            self.args.latency_ms, self.args.concurrency
        );
        let latency = Duration::from_millis(self.args.latency_ms);
        let server = self.server()?;
        server.set_latency(latency);
        server.set_rate_limit(Api::OpenLibrary, None);
        server.set_rate_limit(Api::Google, None);
        let base_url = server.base_url();
        Self::enrich_header();
        let clients = self.clients.clone();
        for &c in &self.args.concurrency.clone() {
            let books = (self.args.books_per_slot * c as u64).max(self.args.curve_min_books);
            let export = self.scratch.join(format!("synthetic-{books}.csv"));
            let library = write_library(&export, books, self.args.isbn_less_every)?;
            for client in &clients {
                let catalogue = Catalogue {
                    base_url: base_url.clone(),
                    concurrency: Some(c),
                    rate_limits: RateLimits { open_library: UNLIMITED, google_books: UNLIMITED },
                    contact: CONTACT.to_owned(),
                };
                self.enrich_job("curve", client, library, &export, &catalogue)?;
            }
        }
        Ok(())
    }

    fn limits(&mut self) -> Result<(), String> {
        let scale = self.args.scale;
        let ol_rate = OPEN_LIBRARY_PER_SECOND * scale;
        let google_rate = GOOGLE_PER_SECOND * scale;
        let burst = self.args.server_burst.max(1);
        println!(
            "\n== limits: published limits ×{scale}: Open Library {ol_rate} req/s, Google {google_rate} req/s (server burst {burst}), {} ms latency",
            self.args.latency_ms
        );
        let latency = Duration::from_millis(self.args.latency_ms);
        let server = self.server()?;
        server.set_latency(latency);
        let base_url = server.base_url();
        let export = self.scratch.join(format!("synthetic-{}.csv", self.args.limit_books));
        let library = write_library(&export, self.args.limit_books, self.args.isbn_less_every)?;
        Self::enrich_header();
        for client in &self.clients.clone() {
            // A fresh bucket per run: every run starts from an idle API.
            let server = self.server()?;
            server.set_rate_limit(
                Api::OpenLibrary,
                Some(RateLimit::per_second(ol_rate).burst(burst)),
            );
            server
                .set_rate_limit(Api::Google, Some(RateLimit::per_second(google_rate).burst(burst)));
            let catalogue = Catalogue {
                base_url: base_url.clone(),
                concurrency: None,
                rate_limits: RateLimits { open_library: ol_rate, google_books: google_rate },
                contact: CONTACT.to_owned(),
            };
            let Some((m, stats)) =
                self.enrich_job("limits", client, library, &export, &catalogue)?
            else {
                continue;
            };
            // The fastest any client could go: each API's answered requests at its rate,
            // less the burst the bucket allows at the start.
            let floor = |api: Api, rate: f64| {
                let answered =
                    stats.api(api) - stats.rate_limited_by_api.get(&api).copied().unwrap_or(0);
                answered.saturating_sub(u64::from(burst)) as f64 / rate
            };
            let minimum = floor(Api::OpenLibrary, ol_rate).max(floor(Api::Google, google_rate));
            let over = m.seconds / minimum;
            println!(
                "    {}: minimum {minimum:.2} s for the requests made at these limits; wall time is {:.1}% over it",
                client.kind,
                (over - 1.0) * 100.0
            );
            self.record(&json!({
                "scenario": "limits_minimum",
                "client": client.kind.to_string(),
                "scale": scale,
                "server_burst": burst,
                "minimum_seconds": minimum,
                "seconds": m.seconds,
                "wall_over_minimum": over,
            }))?;
        }
        if let Some(server) = &self.server {
            server.set_rate_limit(Api::OpenLibrary, None);
            server.set_rate_limit(Api::Google, None);
        }
        Ok(())
    }

    /// Writes a generated export of `rows` rows into the scratch folder: its path and size.
    fn generated_export(&self, rows: u64) -> Result<(PathBuf, u64), String> {
        let export = self.scratch.join(format!("library-{rows}.csv"));
        let file =
            std::fs::File::create(&export).map_err(|e| format!("{}: {e}", export.display()))?;
        let mut w = std::io::BufWriter::with_capacity(1 << 16, file);
        bookenrich_benches::generate::write_export(&mut w, rows, 42)
            .and_then(|()| w.flush())
            .map_err(|e| format!("{}: {e}", export.display()))?;
        drop(w);
        let bytes =
            std::fs::metadata(&export).map_err(|e| format!("{}: {e}", export.display()))?.len();
        Ok((export, bytes))
    }

    /// Runs `invocation` `--runs` times; the medians, or why a run failed.
    fn repeat(&self, invocation: &Invocation) -> Result<Result<Repeated, String>, String> {
        let mut runs: Vec<Measurement> = Vec::new();
        let mut job_seconds = Vec::new();
        for _ in 0..self.args.runs.max(1) {
            let (m, stdout, stderr) = measure(invocation, &self.scratch)?;
            if !m.success {
                return Ok(Err(format!("{}: {}", m.status, tail(&stderr, 12))));
            }
            // The bindings' scripts time their own job (from loading bookenrich on); the CLI
            // starts in a millisecond, so its wall time is its job's.
            let reported = stdout
                .lines()
                .rev()
                .find_map(|l| serde_json::from_str::<Value>(l).ok())
                .and_then(|v| v.get("job_seconds").and_then(Value::as_f64));
            job_seconds.push(reported.unwrap_or(m.seconds));
            runs.push(m);
        }
        Ok(Ok(Repeated {
            seconds: median(runs.iter().map(|m| m.seconds).collect()),
            job_seconds: median(job_seconds),
            cpu_seconds: median(runs.iter().map(|m| m.cpu_seconds).collect()),
            peak_bytes: runs.iter().map(|m| m.peak_bytes).max().unwrap_or(0),
            runs: runs.len(),
        }))
    }

    /// The `pipeline` scenario, or with `offline` the `offline` one: the same job and table.
    fn pipeline(&mut self, offline: bool) -> Result<(), String> {
        let rows = self.args.pipeline_rows;
        let (export, export_bytes) = self.generated_export(rows)?;
        let (scenario, what) = if offline {
            ("offline", "enriched offline (every lookup answered at once), no cache")
        } else {
            ("pipeline", "no enrichment")
        };
        println!(
            "\n== {scenario}: export → dashboard JSON, {what}, {rows} rows ({:.1} MB), median of {} runs",
            export_bytes as f64 / 1e6,
            self.args.runs
        );
        println!(
            "  {:<10} {:>6} {:>7} {:>7} {:>9} {:>6} {:>7} {:>6} {:>8} {:>8} {:>8}",
            "client",
            "books",
            "wall s",
            "job s",
            "rows/s",
            "CPU s",
            "peak MB",
            "×exp",
            "wall vs",
            "job vs",
            "CPU vs"
        );
        let mut cli: Option<Repeated> = None;
        // Python and Node twice: writing from Rust (`export_to_dashboard`, the same job as the
        // CLI's) and through a dashboard of Python/JS objects (`-obj`). Offline, the enrichment
        // is what is measured, so only the first.
        let variants: Vec<(Client, bool)> = self
            .clients
            .iter()
            .flat_map(|c| {
                let both = c.kind != ClientKind::Cli && !offline;
                [(c.clone(), false)].into_iter().chain(both.then(|| (c.clone(), true)))
            })
            .collect();
        for (client, objects) in &variants {
            let label = format!("{}{}", client.kind, if *objects { "-obj" } else { "" });
            let output = self.scratch.join(format!("{scenario}-{label}.json"));
            let job = Job {
                export: export.clone(),
                output: output.clone(),
                include_unread: false,
                catalogue: None,
                offline,
                objects: *objects,
            };
            let repeated = self.repeat(&client.invocation(&job)?)?;
            let books = check_dashboard(&output).ok().map(|c| c.books);
            let r = match (repeated, books) {
                (Ok(r), Some(_)) => r,
                (failed, _) => {
                    let why = failed.err().unwrap_or_else(|| "no dashboard".to_owned());
                    self.all_ok = false;
                    println!("  {label} FAILED: {why}");
                    continue;
                }
            };
            if client.kind == ClientKind::Cli {
                cli = Some(r.clone());
            }
            let ratio = |f: fn(&Repeated) -> f64| cli.as_ref().map(|c| f(&r) / f(c));
            let pct = |r: Option<f64>| {
                r.map_or_else(|| "-".to_owned(), |r| format!("{:+.1}%", (r - 1.0) * 100.0))
            };
            let (wall_vs, job_vs, cpu_vs) =
                (ratio(|r| r.seconds), ratio(|r| r.job_seconds), ratio(|r| r.cpu_seconds));
            println!(
                "  {:<10} {:>6} {:>7.3} {:>7.3} {:>9.0} {:>6.3} {:>7.1} {:>6.2} {:>8} {:>8} {:>8}",
                label,
                books.unwrap_or(0),
                r.seconds,
                r.job_seconds,
                rows as f64 / r.job_seconds,
                r.cpu_seconds,
                r.peak_bytes as f64 / 1e6,
                r.peak_bytes as f64 / export_bytes as f64,
                pct(wall_vs),
                pct(job_vs),
                pct(cpu_vs),
            );
            self.record(&json!({
                "scenario": scenario,
                "client": client.kind.to_string(),
                "dashboard_objects": objects,
                "rows": rows,
                "books": books,
                "export_bytes": export_bytes,
                "runs": r.runs,
                "median_seconds": r.seconds,
                "median_job_seconds": r.job_seconds,
                "rows_per_second": rows as f64 / r.job_seconds,
                "peak_bytes": r.peak_bytes,
                "peak_over_export": r.peak_bytes as f64 / export_bytes as f64,
                "time_over_cli": wall_vs,
                "job_time_over_cli": job_vs,
                "median_cpu_seconds": r.cpu_seconds,
                "cpu_over_cli": cpu_vs,
            }))?;
        }
        Ok(())
    }

    fn import(&mut self) -> Result<(), String> {
        let Some(python) = self.clients.iter().find(|c| c.kind == ClientKind::Python).cloned()
        else {
            println!("\n== import: skipped (no Python client)");
            return Ok(());
        };
        println!("\n== import: `import bookenrich` in {}", python.description);
        let runs = self.args.runs.max(5);
        let time = |code: &str, driver: &mut Self| -> Result<f64, String> {
            let base = python.invocation(&Job {
                export: PathBuf::new(),
                output: PathBuf::new(),
                include_unread: false,
                catalogue: None,
                offline: false,
                objects: false,
            })?;
            let invocation = Invocation {
                program: base.program,
                args: vec!["-c".into(), code.into()],
                env: base.env,
            };
            let mut seconds = Vec::new();
            for _ in 0..runs {
                let (m, _, stderr) = measure(&invocation, &driver.scratch)?;
                if !m.success {
                    return Err(format!("python -c {code:?}: {}", tail(&stderr, 6)));
                }
                seconds.push(m.seconds);
            }
            Ok(median(seconds))
        };
        let bare = time("pass", self)?;
        let with_import = time("import bookenrich", self)?;
        let import_ms = (with_import - bare) * 1e3;
        println!(
            "  interpreter start {:.1} ms; with `import bookenrich` {:.1} ms; import {import_ms:.1} ms (median of {runs})",
            bare * 1e3,
            with_import * 1e3
        );
        self.record(&json!({
            "scenario": "import",
            "interpreter_start_ms": bare * 1e3,
            "with_import_ms": with_import * 1e3,
            "import_ms": import_ms,
            "runs": runs,
        }))
    }
}

fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(f64::total_cmp);
    match values.len() {
        0 => f64::NAN,
        n if n % 2 == 1 => values[n / 2],
        n => f64::midpoint(values[n / 2 - 1], values[n / 2]),
    }
}

/// The last `lines` lines of `text`, on one line.
fn tail(text: &str, lines: usize) -> String {
    let all: Vec<&str> = text.lines().collect();
    all[all.len().saturating_sub(lines)..].join(" | ")
}
