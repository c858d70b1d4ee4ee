//! `pipeline-bench`: times export → dashboard JSON, and its peak memory.
//!
//! ```text
//! pipeline-bench [--rows 100000] [--runs 5] [--dir DIR] [--all-read]
//! ```
//!
//! Generates a library of `--rows` books (`--all-read`: a heavy reader's, every book read, as
//! `gen-export --all-read` writes it), then runs the job `--runs` times, each in a fresh child
//! process (this binary again, with `__job`), so the peak resident memory belongs to the job
//! alone. Three variants: with no enrichment, the reader's default (read books only, as
//! `bookenrich enrich --no-enrich` does) and every book (`--include-unread`); and `offline`:
//! every book through the enrichment engine with both catalogues, offline and with no cache
//! (`bookenrich enrich --include-unread --offline --no-cache`), so every lookup is answered at
//! once and the run is the engine's bookkeeping and the dashboard, as a run answered from a
//! warm cache is. Prints a table and one JSON line per variant; the targets (no enrichment
//! 150,000 books/s, offline 100,000 books/s, peak memory ≤ 3× the export) are reported, never
//! enforced.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};
use std::time::Instant;

use bookenrich_benches::generate::{synthetic_books, write_export, write_export_of};
use bookenrich_benches::peak_memory::{own_cpu_seconds, own_peak_bytes};
use bookenrich_core::config::{CacheSetting, EnricherOptions};
use bookenrich_core::csv::{ReadOptions, read_export_path};
use bookenrich_core::{BookAnalytics, BookInfo, DashboardOptions, write_dashboard_to_path};
use serde::{Deserialize, Serialize};

/// Target throughput without enrichment (issue #9), in library books per second.
const TARGET_BOOKS_PER_S: f64 = 150_000.0;
/// Target throughput of the enrichment path answered at once (issue #19), books per second.
const TARGET_OFFLINE_BOOKS_PER_S: f64 = 100_000.0;
/// Target peak memory, as a multiple of the export's size.
const TARGET_MEMORY_RATIO: f64 = 3.0;

/// What one job run measured (printed by the child as one JSON line).
#[derive(Debug, Serialize, Deserialize)]
struct JobReport {
    /// Seconds from opening the export to the dashboard file being in place.
    seconds: f64,
    /// Seconds spent reading the export.
    read_seconds: f64,
    /// Seconds spent enriching (0 without enrichment).
    #[serde(default)]
    enrich_seconds: f64,
    /// Seconds spent building and writing the dashboard JSON (streamed, as the CLI does).
    write_seconds: f64,
    /// Data rows of the export.
    rows: u64,
    /// Books in the dashboard.
    books: u64,
    /// Peak resident memory of the job process, bytes.
    peak_bytes: u64,
    /// Peak resident memory when the export had been read, bytes.
    peak_after_read_bytes: u64,
    /// CPU time (user + system) of the job process, seconds.
    cpu_seconds: f64,
    /// Size of the dashboard JSON, bytes.
    json_bytes: u64,
}

struct Args {
    rows: u64,
    runs: usize,
    dir: Option<PathBuf>,
    all_read: bool,
}

fn usage() -> ExitCode {
    eprintln!("usage: pipeline-bench [--rows N] [--runs N] [--dir DIR] [--all-read]");
    ExitCode::from(2)
}

fn parse_args(args: &[String]) -> Option<Args> {
    let mut parsed = Args { rows: 100_000, runs: 5, dir: None, all_read: false };
    let mut it = args.iter();
    while let Some(flag) = it.next() {
        if flag == "--all-read" {
            parsed.all_read = true;
            continue;
        }
        let value = it.next()?;
        match flag.as_str() {
            "--rows" => parsed.rows = value.parse().ok().filter(|n| *n > 0)?,
            "--runs" => parsed.runs = value.parse().ok().filter(|n| *n > 0)?,
            "--dir" => parsed.dir = Some(PathBuf::from(value)),
            _ => return None,
        }
    }
    Some(parsed)
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.first().map(String::as_str) == Some("__job") {
        return match job(&args[1..]) {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => {
                eprintln!("pipeline-bench job: {e}");
                ExitCode::FAILURE
            }
        };
    }
    let Some(parsed) = parse_args(&args) else {
        return usage();
    };
    match drive(&parsed) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("pipeline-bench: {e}");
            ExitCode::FAILURE
        }
    }
}

/// The measured job: `__job EXPORT OUTPUT default|all|offline`.
fn job(args: &[String]) -> Result<(), String> {
    let [export, output, variant] = args else {
        return Err("expected EXPORT OUTPUT default|all|offline".into());
    };
    let options = ReadOptions { include_unread: variant != "default", ..ReadOptions::default() };
    let started = Instant::now();
    let read = read_export_path(export, &options).map_err(|e| e.to_string())?;
    let read_seconds = started.elapsed().as_secs_f64();
    let peak_after_read_bytes = own_peak_bytes().ok_or("no /proc/self/status")?;
    let enriched_at = Instant::now();
    let results = if variant == "offline" { enrich_offline(&read.books)? } else { Vec::new() };
    let enrich_seconds = enriched_at.elapsed().as_secs_f64();
    let notes = vec![format!("{} rows of the export could not be used", read.problems.len())];
    let written_at = Instant::now();
    let dashboard = DashboardOptions { processing_notes: notes, ..DashboardOptions::default() };
    write_dashboard_to_path(&read.books, &results, &dashboard, output)
        .map_err(|e| e.to_string())?;
    let write_seconds = written_at.elapsed().as_secs_f64();
    let seconds = started.elapsed().as_secs_f64();
    let report = JobReport {
        seconds,
        read_seconds,
        enrich_seconds,
        write_seconds,
        rows: read.rows_read,
        books: read.books.len() as u64,
        peak_bytes: own_peak_bytes().ok_or("no /proc/self/status")?,
        peak_after_read_bytes,
        cpu_seconds: own_cpu_seconds().ok_or("getrusage failed")?,
        json_bytes: std::fs::metadata(output).map_err(|e| e.to_string())?.len(),
    };
    println!("{}", serde_json::to_string(&report).map_err(|e| e.to_string())?);
    Ok(())
}

/// `books` through the engine as `bookenrich enrich --offline --no-cache` runs them: both
/// catalogues, the default merge, every lookup answered at once with "offline".
fn enrich_offline(books: &[BookAnalytics]) -> Result<Vec<bookenrich_core::EnrichedBook>, String> {
    let options = EnricherOptions {
        cache: Some(CacheSetting::Off),
        offline: Some(true),
        ..EnricherOptions::default()
    };
    let enricher = options.build().map_err(|e| e.to_string())?;
    let infos: Vec<BookInfo> = books.iter().map(BookAnalytics::book_info).collect();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| format!("runtime: {e}"))?;
    let (results, summary) = runtime.block_on(enricher.enrich_with_summary(&infos));
    if summary.with_genres > 0 {
        return Err(format!("{} books got genres offline with no cache", summary.with_genres));
    }
    Ok(results)
}

fn run_job(export: &Path, output: &Path, variant: &str) -> Result<JobReport, String> {
    let me = std::env::current_exe().map_err(|e| format!("own path: {e}"))?;
    let out = Command::new(me)
        .arg("__job")
        .arg(export)
        .arg(output)
        .arg(variant)
        .output()
        .map_err(|e| format!("starting the job: {e}"))?;
    if !out.status.success() {
        return Err(format!(
            "the job failed ({}): {}",
            out.status,
            String::from_utf8_lossy(&out.stderr).trim()
        ));
    }
    serde_json::from_slice(&out.stdout).map_err(|e| format!("job report: {e}"))
}

fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(f64::total_cmp);
    let n = values.len();
    if n == 0 {
        return f64::NAN;
    }
    if n % 2 == 1 { values[n / 2] } else { f64::midpoint(values[n / 2 - 1], values[n / 2]) }
}

fn max_of(reports: &[JobReport], field: impl Fn(&JobReport) -> u64) -> u64 {
    reports.iter().map(field).max().unwrap_or(0)
}

fn drive(args: &Args) -> Result<(), String> {
    let scratch = args.dir.clone().unwrap_or_else(|| {
        std::env::temp_dir().join(format!("pipeline-bench-{}", std::process::id()))
    });
    std::fs::create_dir_all(&scratch).map_err(|e| format!("{}: {e}", scratch.display()))?;
    let export = scratch.join(format!("library-{}.csv", args.rows));
    let output = scratch.join("dashboard.json");
    {
        let file = File::create(&export).map_err(|e| format!("{}: {e}", export.display()))?;
        let mut w = BufWriter::with_capacity(1 << 16, file);
        let written = if args.all_read {
            write_export_of(&mut w, &synthetic_books(args.rows, 10), 42)
        } else {
            write_export(&mut w, args.rows, 42)
        };
        written.and_then(|()| w.flush()).map_err(|e| format!("{}: {e}", export.display()))?;
    }
    let export_bytes =
        std::fs::metadata(&export).map_err(|e| format!("{}: {e}", export.display()))?.len();
    println!(
        "export{}: {} rows, {:.1} MB ({}); {} runs per variant, each in a fresh process",
        if args.all_read { " (every book read)" } else { "" },
        args.rows,
        export_bytes as f64 / 1e6,
        export.display(),
        args.runs
    );
    println!(
        "{:<8} {:>7} {:>9} {:>10} {:>8} {:>10} {:>8} {:>9} {:>8} {:>9} {:>10} {:>7} {:>9}",
        "variant",
        "books",
        "median s",
        "rows/s",
        "CPU s",
        "rows/CPU s",
        "read s",
        "enrich s",
        "write s",
        "read MB",
        "peak MB",
        "×export",
        "JSON MB"
    );
    for variant in ["default", "all", "offline"] {
        let mut reports = Vec::new();
        for _ in 0..args.runs {
            reports.push(run_job(&export, &output, variant)?);
        }
        let seconds = median(reports.iter().map(|r| r.seconds).collect());
        let best = reports.iter().map(|r| r.seconds).fold(f64::INFINITY, f64::min);
        let peak = max_of(&reports, |r| r.peak_bytes);
        let cpu = median(reports.iter().map(|r| r.cpu_seconds).collect());
        let rows_per_s = args.rows as f64 / seconds;
        let ratio = peak as f64 / export_bytes as f64;
        let target =
            if variant == "offline" { TARGET_OFFLINE_BOOKS_PER_S } else { TARGET_BOOKS_PER_S };
        let last = reports.last().ok_or("no run")?;
        println!(
            "{:<8} {:>7} {:>9.3} {:>10.0} {:>8.3} {:>10.0} {:>8.3} {:>9.3} {:>8.3} {:>9.1} {:>10.1} {:>7.2} {:>9.1}",
            variant,
            last.books,
            seconds,
            rows_per_s,
            cpu,
            args.rows as f64 / cpu,
            median(reports.iter().map(|r| r.read_seconds).collect()),
            median(reports.iter().map(|r| r.enrich_seconds).collect()),
            median(reports.iter().map(|r| r.write_seconds).collect()),
            max_of(&reports, |r| r.peak_after_read_bytes) as f64 / 1e6,
            peak as f64 / 1e6,
            ratio,
            last.json_bytes as f64 / 1e6,
        );
        let summary = serde_json::json!({
            "variant": variant,
            "rows": args.rows,
            "books": last.books,
            "export_bytes": export_bytes,
            "runs": args.runs,
            "median_seconds": seconds,
            "median_cpu_seconds": cpu,
            "rows_per_cpu_second": args.rows as f64 / cpu,
            "best_seconds": best,
            "rows_per_second": rows_per_s,
            "peak_bytes": peak,
            "peak_over_export": ratio,
            "meets_throughput_target": rows_per_s >= target,
            "meets_memory_target": ratio <= TARGET_MEMORY_RATIO,
        });
        println!("{summary}");
    }
    if args.dir.is_none() {
        std::fs::remove_dir_all(&scratch).map_err(|e| format!("{}: {e}", scratch.display()))?;
    }
    Ok(())
}
