//! `bookenrich enrich`: export → catalogue lookups → dashboard JSON.

use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant};

use bookenrich_core::cache::{CACHE_FILE_NAME, ResponseCache, SqliteCache, default_cache_path};
use bookenrich_core::config::{CacheSetting, EnricherOptions, Spelling, respelled};
use bookenrich_core::csv::{Export, ReadOptions, read_export_path};
use bookenrich_core::engine::{Progress, RunPlan, RunSummary};
use bookenrich_core::sources::SourceErrorKind;
use bookenrich_core::{
    BookAnalytics, BookInfo, DashboardOptions, EnrichedBook, Error, write_dashboard_to_path,
};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use serde_json::{Value, json};

use crate::cache_writes::ReportingCache;
use crate::exit::{Code, Failure};

/// Arguments of `enrich`.
#[derive(Debug, clap::Args)]
// Each bool is an independent command-line switch; the doc comments are the `--help` text,
// where backticks around environment variable names would show.
#[expect(clippy::struct_excessive_bools, clippy::doc_markdown)]
pub(crate) struct EnrichArgs {
    /// The Goodreads library export (CSV).
    pub export: PathBuf,
    /// Where to write the dashboard JSON.
    #[arg(short, long, default_value = "dashboard.json")]
    pub output: PathBuf,
    /// Keep every book, not only read ones.
    #[arg(long)]
    pub include_unread: bool,
    /// Put private notes into the dashboard (they are left out by default).
    #[arg(long)]
    pub include_private_notes: bool,
    /// Only the first N books [default: all].
    #[arg(long, value_name = "N")]
    pub limit: Option<usize>,
    /// Skip the catalogue lookups: write the dashboard without genres and covers.
    #[arg(long)]
    pub no_enrich: bool,
    /// Fixed export id [default: a random UUID].
    #[arg(long, value_name = "UUID")]
    pub export_id: Option<String>,

    /// Sources in order, comma-separated: openlibrary, google, and shelves (the export's own
    /// `Bookshelves` as genres; opt-in) [env: BOOKENRICH_SOURCES] [default: openlibrary,google].
    #[arg(long, value_name = "LIST")]
    pub sources: Option<String>,
    /// How sources combine: planned (Google only for books Open Library left without genres, and only with a key), union or first_with_genres [env: BOOKENRICH_MERGE_POLICY] [default: planned].
    #[arg(long, value_name = "POLICY")]
    pub merge: Option<String>,
    /// Requests in flight at once, all sources [env: BOOKENRICH_CONCURRENCY] [default: 16].
    #[arg(long, value_name = "N")]
    pub concurrency: Option<usize>,
    /// Requests per second for a source, e.g. `openlibrary=3`; repeatable [env: BOOKENRICH_RATE_LIMITS] [default: openlibrary=3 with --contact, else 1; google=1].
    #[arg(long = "rate-limit", value_name = "SOURCE=N")]
    pub rate_limits: Vec<String>,
    /// Open Library scheme+host[:port] [env: BOOKENRICH_OPEN_LIBRARY_URL] [default: https://openlibrary.org].
    #[arg(long, value_name = "URL")]
    pub open_library_url: Option<String>,
    /// Google Books scheme+host[:port] [env: BOOKENRICH_GOOGLE_BOOKS_URL] [default: https://www.googleapis.com].
    #[arg(long, value_name = "URL")]
    pub google_books_url: Option<String>,
    /// Your e-mail or URL, sent in the User-Agent (Open Library allows 3 req/s with a contact, 1 without) [env: BOOKENRICH_CONTACT] [default: none].
    #[arg(long, value_name = "EMAIL|URL")]
    pub contact: Option<String>,
    /// Google Books API key [env: GOOGLE_BOOKS_API_KEY] [default: none].
    #[arg(long, value_name = "KEY", hide_env_values = true)]
    pub google_api_key: Option<String>,
    /// Response cache file or directory [env: BOOKENRICH_CACHE] [default: the user's cache directory].
    #[arg(long, value_name = "PATH", conflicts_with = "no_cache", help = cache_help())]
    pub cache: Option<PathBuf>,
    /// Use no response cache.
    #[arg(long)]
    pub no_cache: bool,
    /// Answer from the cache only (--cache, else the default one; nothing is created); report the books it could not enrich [env: BOOKENRICH_OFFLINE].
    #[arg(long)]
    pub offline: bool,

    /// No progress bar and no summary.
    #[arg(short, long)]
    pub quiet: bool,
    /// Machine-readable progress and summary on stderr, one JSON object per line.
    #[arg(long)]
    pub json_log: bool,
    /// Exit with code 5 when some books could not be enriched.
    #[arg(long)]
    pub strict: bool,
}

/// The help of `--cache`, naming the default file on this machine.
fn cache_help() -> String {
    let default = default_cache_path()
        .map_or_else(|| "none on this platform".to_owned(), |p| p.display().to_string());
    format!("Response cache file or directory [env: BOOKENRICH_CACHE] [default: {default}]")
}

/// The export `enrich` and `plan` read, with their `--include-unread` and `--limit`.
fn read_export(args: &EnrichArgs) -> Result<Export, Failure> {
    let options = ReadOptions {
        include_unread: args.include_unread,
        limit: args.limit,
        ..ReadOptions::default()
    };
    read_export_path(&args.export, &options).map_err(|e| Failure::input(&e))
}

/// Runs `enrich`.
pub(crate) fn run(args: &EnrichArgs) -> Result<ExitCode, Failure> {
    let export = read_export(args)?;
    let log = Log::new(args);
    for p in &export.problems {
        log.row_problem(&args.export.display().to_string(), p);
    }

    let (results, summary, cache) = if args.no_enrich {
        (Vec::new(), None, None)
    } else {
        let (results, summary, cache) = enrich(args, &export.books, &log)?;
        (results, Some(summary), Some(cache))
    };

    let mut notes = export.processing_notes();
    if cache.as_ref().is_some_and(|c| c.offline) {
        notes.push("enriched offline, from the cache only".to_owned());
    }
    let options = DashboardOptions {
        include_private_notes: args.include_private_notes,
        export_id: args.export_id.clone(),
        processing_notes: notes,
        ..DashboardOptions::default()
    };
    // Answers the cache could not save are still answers: the dashboard is written from them
    // first, and the run fails afterwards, so a full disk costs the next run requests, not this
    // run's dashboard.
    let cache_failure = cache.as_ref().and_then(|c| c.write_failures.clone());
    // Streamed: the dashboard's book records are never all held at once.
    let written = write_dashboard_to_path(&export.books, &results, &options, &args.output);
    if let Err(e) = written {
        if let Some(cache_failure) = &cache_failure {
            log.warn(cache_failure);
        }
        return Err(Failure::output(&e));
    }
    let counts = (export.books.len(), export.problems.len());
    log.finished(args, counts, &results, summary.as_ref(), cache.as_ref());
    if let Some(cache_failure) = cache_failure {
        return Err(Failure::new(Code::Output, cache_failure));
    }
    if args.strict && summary.is_some_and(|s| s.failed > 0) {
        return Ok(Code::Incomplete.into());
    }
    Ok(ExitCode::SUCCESS)
}

/// The enricher options from the flags; the environment fills what the flags leave open.
///
/// Each flag is set by its key through the core, which parses and checks it the way it
/// reads the environment and names it by its flag (`--concurrency`).
fn options(args: &EnrichArgs) -> Result<EnricherOptions, Error> {
    // Repeated `--rate-limit` flags are one list.
    let rate_limits = (!args.rate_limits.is_empty()).then(|| args.rate_limits.join(","));
    let given: [(&str, Option<Value>); 8] = [
        ("--sources", args.sources.clone().map(Value::from)),
        ("--merge", args.merge.clone().map(Value::from)),
        ("--concurrency", args.concurrency.map(Value::from)),
        ("--rate-limit", rate_limits.map(Value::from)),
        ("--open-library-url", args.open_library_url.clone().map(Value::from)),
        ("--google-books-url", args.google_books_url.clone().map(Value::from)),
        ("--contact", args.contact.clone().map(Value::from)),
        ("--google-api-key", args.google_api_key.clone().map(Value::from)),
    ];
    let mut options = EnricherOptions::default();
    for (flag, value) in given {
        if let Some(value) = value {
            options.set(flag, &value, Spelling::Cli)?;
        }
    }
    // A path flag is a path even when the file is named `off` or `memory`.
    if args.no_cache {
        options.cache = Some(CacheSetting::Off);
    } else if let Some(path) = &args.cache {
        options.set_cache_path(path.clone(), Spelling::Cli)?;
    }
    options.offline = args.offline.then_some(true);
    options.with_env()
}

/// Opens the persistent cache the options name (the user's cache directory by default), and
/// says which file it is.
///
/// Offline runs accept entries of any age (an old answer beats none) and never create a cache:
/// with no file at the path, every book is reported as not in the cache.
fn open_cache(
    setting: Option<&CacheSetting>,
    offline: bool,
    log: &Log,
) -> Result<Option<(SqliteCache, PathBuf)>, Failure> {
    let path = match setting {
        Some(CacheSetting::Off | CacheSetting::Memory) => return Ok(None),
        Some(CacheSetting::Path(p)) => p.clone(),
        None => match default_cache_path() {
            Some(p) => p,
            None => return Ok(None),
        },
    };
    // A directory holds the cache under its usual file name, as SqliteCache resolves it.
    let file = if path.is_dir() { path.join(CACHE_FILE_NAME) } else { path };
    if offline && !file.exists() {
        log.warn(&format!(
            "offline, and there is no cache at {}: no book can be enriched (give --cache PATH, or run once online to fill it)",
            file.display()
        ));
        return Ok(None);
    }
    let opened = SqliteCache::open_for_run(&file, offline).map_err(|e| Failure::input(&e))?;
    if let Some(r) = &opened.rebuilt {
        log.warn(&format!(
            "cache {} was damaged ({}); moved it to {} and started a fresh cache",
            file.display(),
            r.reason,
            r.moved_to.display()
        ));
    }
    Ok(Some((opened.cache, file)))
}

/// Runs `plan`: what `enrich` with the same flags would take, from the cache alone.
pub(crate) fn plan(args: &EnrichArgs) -> Result<ExitCode, Failure> {
    let export = read_export(args)?;
    let log = Log::new(args);
    let mut enricher_options = options(args).map_err(|e| Failure::input(&e))?;
    let offline = enricher_options.offline.unwrap_or(false);
    let cache = open_cache(enricher_options.cache.as_ref(), offline, &log)?;
    if cache.is_some() {
        enricher_options.cache = Some(CacheSetting::Off);
    }
    let mut builder = enricher_options.into_builder().map_err(|e| Failure::input(&e))?;
    if let Some((cache, _)) = cache {
        builder = builder.cache(Arc::new(cache) as Arc<dyn ResponseCache>);
    }
    let enricher = builder.build().map_err(|e| Failure::input(&e))?;
    let infos: Vec<BookInfo> = export.books.iter().map(BookAnalytics::book_info).collect();
    let plan = enricher.plan(&infos);
    let mut out = std::io::stdout().lock();
    if args.json_log {
        let _ = writeln!(out, "{}", json!({ "event": "plan", "plan": plan_json(&plan) }));
        return Ok(ExitCode::SUCCESS);
    }
    let _ = writeln!(
        out,
        "books            {} ({} answered by the cache)",
        plan.books, plan.from_cache
    );
    for s in &plan.sources {
        if let Some(why) = &s.skipped {
            let _ = writeln!(out, "  {:<14} not asked: {why}", s.name);
            continue;
        }
        let budget = s
            .daily_budget_left
            .map(|n| format!(", {n} left in today's budget"))
            .unwrap_or_default();
        let _ = writeln!(
            out,
            "  {:<14} {} books, ~{} requests (at most {}) at {}/s{budget}",
            s.name, s.books, s.requests_expected, s.requests_max, s.per_second
        );
    }
    let _ = writeln!(
        out,
        "requests         ~{} (at most {})\ntime             ~{} (at most {}), set by the rate limits",
        plan.requests_expected,
        plan.requests_max,
        human(plan.duration_expected),
        human(plan.duration_max)
    );
    Ok(ExitCode::SUCCESS)
}

/// The plan as JSON, durations in seconds.
fn plan_json(plan: &RunPlan) -> serde_json::Value {
    let mut value = serde_json::to_value(plan).unwrap_or_default();
    if let Some(map) = value.as_object_mut() {
        map.remove("duration_expected");
        map.remove("duration_max");
        map.insert("seconds_expected".into(), json!(plan.duration_expected.as_secs_f64()));
        map.insert("seconds_max".into(), json!(plan.duration_max.as_secs_f64()));
    }
    value
}

/// `1 min 05 s`, `42 s`.
fn human(d: Duration) -> String {
    let s = d.as_secs();
    if s >= 60 { format!("{} min {:02} s", s / 60, s % 60) } else { format!("{s} s") }
}

/// The response cache a run used, as the closing summary names it.
pub(crate) struct CacheUse {
    /// The cache file, if the run had one.
    file: Option<PathBuf>,
    /// The run answered from the cache only.
    offline: bool,
    /// How many answers the cache could not save, and why the first could not (naming the file).
    write_failures: Option<String>,
}

/// Enriches `books`: their results, the run's summary and the cache it used.
pub(crate) fn enrich(
    args: &EnrichArgs,
    books: &[BookAnalytics],
    log: &Log,
) -> Result<(Vec<EnrichedBook>, RunSummary, CacheUse), Failure> {
    let mut options = options(args).map_err(|e| Failure::input(&e))?;
    let offline = options.offline.unwrap_or(false);
    let cache = open_cache(options.cache.as_ref(), offline, log)?;
    let persistent = matches!(options.cache, None | Some(CacheSetting::Path(_)));
    if cache.is_some() || (offline && persistent) {
        // The CLI opens the persistent cache itself (offline TTLs, rebuild of a damaged file); an
        // offline run with no cache file answers from nothing rather than from a new empty file.
        options.cache = Some(CacheSetting::Off);
    }
    let mut builder =
        options.into_builder().map_err(|e| Failure::input(&respelled(e, Spelling::Cli)))?;
    let mut cache_file = None;
    let cache = cache.map(|(c, file)| {
        cache_file = Some(file);
        Arc::new(ReportingCache::new(c))
    });
    if let Some(cache) = &cache {
        builder = builder.cache(Arc::clone(cache) as Arc<dyn ResponseCache>);
    }
    let progress = log.progress_callback(books.len());
    let enricher = builder
        .progress(progress)
        .build()
        .map_err(|e| Failure::input(&respelled(e, Spelling::Cli)))?;
    let infos: Vec<BookInfo> = books.iter().map(BookAnalytics::book_info).collect();
    // The ETA comes from the plan: the time the rate limits impose on the expected requests.
    let plan = enricher.plan(&infos);
    log.planned(&plan);

    let runtime =
        tokio::runtime::Builder::new_multi_thread().enable_all().build().map_err(|e| {
            Failure::new(Code::Internal, format!("cannot start the async runtime: {e}"))
        })?;
    let outcome = runtime.block_on(async {
        tokio::select! {
            done = enricher.enrich_with_summary(&infos) => Some(done),
            _ = tokio::signal::ctrl_c() => None,
        }
    });
    log.clear_bar();
    let write_failures = cache.as_ref().and_then(|c| c.write_failures());
    let Some((results, summary)) = outcome else {
        if let Some(failures) = &write_failures {
            log.warn(failures);
        }
        return Err(Failure::new(Code::Interrupted, "interrupted; no dashboard written"));
    };
    Ok((results, summary, CacheUse { file: cache_file, offline, write_failures }))
}

/// Where progress, warnings and the summary go: a progress bar, JSON lines, or nothing.
pub(crate) struct Log {
    quiet: bool,
    json: bool,
    bar: ProgressBar,
    started: Instant,
    /// The plan's time for the run, once planned.
    eta: Arc<OnceLock<Duration>>,
}

impl Log {
    pub(crate) fn new(args: &EnrichArgs) -> Self {
        let show_bar = !args.quiet && !args.json_log && std::io::stderr().is_terminal();
        let bar = if show_bar {
            ProgressBar::with_draw_target(Some(0), ProgressDrawTarget::stderr())
        } else {
            ProgressBar::hidden()
        };
        bar.set_style(
            ProgressStyle::with_template("{bar:30} {pos}/{len} books  {per_sec}  {msg}")
                .unwrap_or_else(|_| ProgressStyle::default_bar()),
        );
        Self {
            quiet: args.quiet,
            json: args.json_log,
            bar,
            started: Instant::now(),
            eta: Arc::new(OnceLock::new()),
        }
    }

    fn emit(value: &serde_json::Value) {
        let mut err = std::io::stderr().lock();
        let _ = writeln!(err, "{value}");
    }

    fn warn(&self, message: &str) {
        if self.json {
            Self::emit(&json!({ "event": "warning", "message": message }));
        } else {
            self.bar.suspend(|| eprintln!("bookenrich: {message}"));
        }
    }

    fn row_problem(&self, file: &str, p: &bookenrich_core::csv::RowProblem) {
        if self.json {
            Self::emit(
                &json!({ "event": "row_problem", "file": file, "line": p.line, "kind": p.kind, "message": p.message }),
            );
        } else {
            eprintln!("bookenrich: {file}: {p}");
        }
    }

    /// Shows the plan: a JSON line, or the plan's ETA next to the bar.
    fn planned(&self, plan: &RunPlan) {
        let _ = self.eta.set(plan.duration_expected);
        if self.json {
            Self::emit(&json!({ "event": "plan", "plan": plan_json(plan) }));
        }
    }

    fn progress_callback(&self, total: usize) -> impl Fn(&Progress) + Send + Sync + 'static {
        self.bar.set_length(total as u64);
        let bar = self.bar.clone();
        let json = self.json;
        let eta = Arc::clone(&self.eta);
        // JSON progress lines at most every 200 ms (and for the last book), so a large
        // library does not write one line per book.
        let last: Mutex<Option<Instant>> = Mutex::new(None);
        move |p: &Progress| {
            bar.set_position(p.books_done as u64);
            let left = eta.get().map(|planned| planned.saturating_sub(p.elapsed));
            bar.set_message(match left {
                Some(left) if p.books_done < p.books_total => format!(
                    "{} requests, {} from cache, ~{} left by the plan",
                    p.requests,
                    p.cache_hits,
                    human(left)
                ),
                _ => format!("{} requests, {} from cache", p.requests, p.cache_hits),
            });
            if json {
                let mut last = last.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
                let due = last.is_none_or(|t| t.elapsed() >= Duration::from_millis(200));
                if due || p.books_done == p.books_total {
                    *last = Some(Instant::now());
                    let mut err = std::io::stderr().lock();
                    let _ = writeln!(err, "{}", json!({ "event": "progress", "progress": p }));
                }
            }
        }
    }

    fn clear_bar(&self) {
        self.bar.finish_and_clear();
    }

    fn finished(
        &self,
        args: &EnrichArgs,
        (books, problems): (usize, usize),
        results: &[EnrichedBook],
        summary: Option<&RunSummary>,
        cache: Option<&CacheUse>,
    ) {
        let without_genres: Vec<&EnrichedBook> =
            results.iter().filter(|r| r.final_genres.is_empty()).collect();
        if self.json {
            for r in without_genres.iter().filter(|r| r.error.is_some()) {
                Self::emit(&json!({
                    "event": "book_not_enriched",
                    "goodreads_id": r.goodreads_id,
                    "title": r.title,
                    "error": r.error.as_deref(),
                }));
            }
            for r in &without_genres {
                Self::emit(&json!({
                    "event": "book_without_genres",
                    "goodreads_id": r.goodreads_id,
                    "title": r.title,
                    "reason": why_no_genres(r),
                }));
            }
            Self::emit(&json!({
                "event": "summary",
                "output": args.output,
                "books": books,
                "row_problems": problems,
                "cache": cache.and_then(|c| c.file.as_deref()),
                "run": summary,
                "elapsed_secs": self.started.elapsed().as_secs_f64(),
            }));
            return;
        }
        if self.quiet {
            return;
        }
        let mut err = std::io::stderr().lock();
        let _ = writeln!(err, "bookenrich: wrote {}", args.output.display());
        let _ = writeln!(err, "  books        {books} ({problems} row problems)");
        if let Some(s) = summary {
            let _ = writeln!(
                err,
                "  enriched     {} with genres, {} with covers, {} from cache, {} failed",
                s.with_genres, s.with_cover, s.from_cache, s.failed
            );
            for src in &s.sources {
                let _ = writeln!(
                    err,
                    "  {:<12} {} requests, {} retries, {} rate-limited, {} cache hits, {} books matched{}",
                    src.name,
                    src.requests,
                    src.retries,
                    src.rate_limited,
                    src.cache_hits,
                    src.books_matched,
                    src.disabled.as_deref().map(|d| format!(" (stopped: {d})")).unwrap_or_default()
                );
            }
            let cache = match cache {
                Some(CacheUse { file: Some(f), offline: true, .. }) => {
                    format!("{} (offline: read only)", f.display())
                }
                Some(CacheUse { file: Some(f), offline: false, .. }) => f.display().to_string(),
                _ => "none".to_owned(),
            };
            let _ = writeln!(err, "  cache        {cache}");
        }
        let _ = writeln!(err, "  elapsed      {:.1} s", self.started.elapsed().as_secs_f64());
        if summary.is_some() && !without_genres.is_empty() {
            let n = without_genres.len();
            let _ = writeln!(err, "  no genres    {n} {}:", if n == 1 { "book" } else { "books" });
            for r in without_genres.iter().take(NO_GENRES_SHOWN) {
                let id = r.goodreads_id.as_deref().unwrap_or("no id");
                let _ = writeln!(err, "    {} ({id}): {}", r.title, why_no_genres(r));
            }
            if n > NO_GENRES_SHOWN {
                let _ = writeln!(
                    err,
                    "    … and {} more (all of them: bookenrich genres audit {}; or --json-log, event book_without_genres)",
                    n - NO_GENRES_SHOWN,
                    args.output.display()
                );
            }
        }
    }
}

/// Books without genres the closing summary names; the rest are counted.
const NO_GENRES_SHOWN: usize = 5;

/// Why a book ended without genres, in a reader's words.
fn why_no_genres(r: &EnrichedBook) -> String {
    if !r.failures.is_empty() {
        if r.failures.iter().all(|f| f.kind == SourceErrorKind::Offline) {
            return "not in the cache, and the run is offline".to_owned();
        }
        // Each failure without its URL, which --json-log and the dashboard keep.
        let short: Vec<String> = r
            .failures
            .iter()
            .map(|f| f.message.split(" (http").next().unwrap_or(&f.message).to_owned())
            .collect();
        return short.join("; ");
    }
    if let Some(error) = &r.error {
        return error.to_string();
    }
    if r.sources_matched.is_empty() {
        return "no catalogue found it".to_owned();
    }
    let found = r.sources_matched.join(" and ");
    let subjects: Vec<&str> =
        r.genres_by_source.values().flatten().map(String::as_str).take(3).collect();
    if subjects.is_empty() {
        format!("found by {found}, without subjects")
    } else {
        format!("{found} found it, but no subject names a genre (e.g. {})", subjects.join(", "))
    }
}
