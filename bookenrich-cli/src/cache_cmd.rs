//! `bookenrich cache stats|prune|clear`: look after the persistent response cache.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use bookenrich_core::cache::{
    CacheStats, PruneReport, Rebuilt, SqliteCache, SqliteCacheOptions, default_cache_path,
};
use bookenrich_core::config::CacheSetting;
use serde::Serialize;

use crate::exit::{Code, Failure, one_line};

/// Environment variable naming the cache, as for `enrich`.
const ENV_CACHE: &str = "BOOKENRICH_CACHE";

/// Arguments of `cache`.
#[derive(Debug, clap::Args)]
pub(crate) struct CacheArgs {
    /// What to do.
    #[command(subcommand)]
    pub action: CacheAction,
    /// The cache file, or a directory holding `cache.sqlite3`.
    /// Default: `$BOOKENRICH_CACHE`, else `bookenrich/cache.sqlite3` in the user's cache directory.
    #[arg(long, value_name = "PATH", global = true)]
    pub cache: Option<PathBuf>,
    /// Print machine-readable JSON on stdout instead of text.
    #[arg(long, global = true)]
    pub json: bool,
}

/// The `cache` subcommands.
#[derive(Debug, clap::Subcommand)]
pub(crate) enum CacheAction {
    /// Show what the cache holds: entries, "not found" entries, expired entries and bytes, per source.
    Stats,
    /// Remove expired and damaged entries, and evict the oldest beyond the size bound.
    Prune {
        /// Size bound to evict down to, e.g. `200MiB`, `1GB` (default 512MiB).
        #[arg(long, value_name = "SIZE", value_parser = parse_size)]
        max_size: Option<u64>,
    },
    /// Remove every entry. A damaged cache file is moved aside and a fresh one started.
    Clear,
}

/// Runs `cache`.
pub(crate) fn run(args: &CacheArgs) -> Result<ExitCode, Failure> {
    let path = cache_path(args.cache.as_deref())?;
    match &args.action {
        CacheAction::Stats => stats(&path, args.json),
        CacheAction::Prune { max_size } => prune(&path, *max_size, args.json),
        CacheAction::Clear => clear(&path, args.json),
    }
}

/// `--cache`, else `$BOOKENRICH_CACHE`, else the default location; a directory means its `cache.sqlite3`.
fn cache_path(flag: Option<&Path>) -> Result<PathBuf, Failure> {
    let path = match flag {
        Some(p) => p.to_owned(),
        None => match std::env::var_os(ENV_CACHE) {
            Some(value) => {
                let text = value.to_string_lossy();
                match CacheSetting::parse(&text) {
                    Ok(CacheSetting::Path(p)) => p,
                    Ok(_) => {
                        return Err(Failure::new(
                            Code::Usage,
                            format!("{ENV_CACHE}={text} names no cache file; pass --cache PATH"),
                        ));
                    }
                    Err(e) => {
                        return Err(Failure::new(Code::Usage, format!("invalid {ENV_CACHE}: {e}")));
                    }
                }
            }
            None => default_cache_path().ok_or_else(|| {
                Failure::new(
                    Code::Usage,
                    "this platform has no user cache directory; pass --cache PATH",
                )
            })?,
        },
    };
    Ok(if path.is_dir() { path.join(bookenrich_core::cache::CACHE_FILE_NAME) } else { path })
}

/// `stats` output: the statistics, and whether the file exists at all.
#[derive(Debug, Serialize)]
struct StatsOutput<'a> {
    exists: bool,
    #[serde(flatten)]
    stats: &'a CacheStats,
}

fn stats(path: &Path, json: bool) -> Result<ExitCode, Failure> {
    let exists = path.exists();
    let stats = if exists {
        let cache = open(path, SqliteCacheOptions::default())?;
        cache.stats().map_err(|e| unusable(&e))?
    } else {
        empty_stats(path)
    };
    if json {
        print_json(&StatsOutput { exists, stats: &stats })?;
    } else if !exists {
        println!("No cache at {} (nothing cached yet).", path.display());
    } else {
        print_stats(&stats);
    }
    Ok(ExitCode::SUCCESS)
}

fn empty_stats(path: &Path) -> CacheStats {
    CacheStats {
        path: path.to_owned(),
        file_bytes: 0,
        entries: 0,
        negative_entries: 0,
        expired_entries: 0,
        bytes: 0,
        max_bytes: SqliteCacheOptions::default().max_bytes,
        oldest: None,
        newest: None,
        sources: std::collections::BTreeMap::new(),
    }
}

fn print_stats(s: &CacheStats) {
    println!("Cache:    {}", s.path.display());
    println!("On disk:  {}", human_bytes(s.file_bytes));
    println!(
        "Entries:  {} ({} not found, {} expired), {} of {} allowed",
        s.entries,
        s.negative_entries,
        s.expired_entries,
        human_bytes(s.bytes),
        human_bytes(s.max_bytes)
    );
    if let (Some(oldest), Some(newest)) = (s.oldest, s.newest) {
        println!(
            "Fetched:  {} to {}",
            oldest.format("%Y-%m-%d %H:%M UTC"),
            newest.format("%Y-%m-%d %H:%M UTC")
        );
    }
    let width = s.sources.keys().map(String::len).max().unwrap_or(0);
    for (name, source) in &s.sources {
        println!(
            "  {name:<width$}  {} entries ({} not found, {} expired), {}",
            source.entries,
            source.negative_entries,
            source.expired_entries,
            human_bytes(source.bytes)
        );
    }
}

/// `prune` output.
#[derive(Debug, Serialize)]
struct PruneOutput<'a> {
    path: &'a Path,
    #[serde(flatten)]
    report: PruneReport,
}

fn prune(path: &Path, max_size: Option<u64>, json: bool) -> Result<ExitCode, Failure> {
    let mut options = SqliteCacheOptions::default();
    if let Some(max) = max_size {
        options.max_bytes = max;
    }
    let report = if path.exists() {
        let cache = open(path, options)?;
        cache.prune().map_err(|e| Failure::output(&e))?
    } else {
        PruneReport::default()
    };
    if json {
        print_json(&PruneOutput { path, report })?;
    } else if !path.exists() {
        println!("No cache at {}: nothing to prune.", path.display());
    } else {
        println!(
            "Pruned {}: removed {} expired, {} damaged, evicted {} oldest; {} -> {} held, {} -> {} on disk.",
            path.display(),
            report.expired,
            report.undecodable,
            report.evicted,
            human_bytes(report.bytes_before),
            human_bytes(report.bytes_after),
            human_bytes(report.file_bytes_before),
            human_bytes(report.file_bytes_after),
        );
    }
    Ok(ExitCode::SUCCESS)
}

/// `clear` output.
#[derive(Debug, Serialize)]
struct ClearOutput<'a> {
    path: &'a Path,
    removed: u64,
    /// Where a damaged file was moved, if it was.
    moved_damaged_file_to: Option<&'a Path>,
}

fn clear(path: &Path, json: bool) -> Result<ExitCode, Failure> {
    let (removed, rebuilt) = if path.exists() {
        let opened = SqliteCache::open_or_rebuild(path, SqliteCacheOptions::default())
            .map_err(|e| unusable(&e))?;
        let removed = opened.cache.clear().map_err(|e| Failure::output(&e))?;
        (removed, opened.rebuilt)
    } else {
        (0, None)
    };
    if json {
        let moved = rebuilt.as_ref().map(|r| r.moved_to.as_path());
        print_json(&ClearOutput { path, removed, moved_damaged_file_to: moved })?;
    } else {
        if let Some(Rebuilt { moved_to, reason }) = &rebuilt {
            eprintln!("bookenrich: {}: {reason}", path.display());
            println!("Moved the damaged cache to {} and started a fresh one.", moved_to.display());
        }
        if path.exists() {
            println!("Cleared {}: removed {removed} entries.", path.display());
        } else {
            println!("No cache at {}: nothing to clear.", path.display());
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// Opens an existing cache; a damaged, foreign or newer file is unusable input.
fn open(path: &Path, options: SqliteCacheOptions) -> Result<SqliteCache, Failure> {
    SqliteCache::open_with(path, options).map_err(|e| unusable(&e))
}

/// A cache file that cannot be read is this command's unusable input (exit 3).
fn unusable(e: &bookenrich_core::Error) -> Failure {
    Failure::new(Code::Input, one_line(e))
}

fn print_json(value: &impl Serialize) -> Result<(), Failure> {
    let text = serde_json::to_string_pretty(value)
        .map_err(|e| Failure::new(Code::Internal, e.to_string()))?;
    println!("{text}");
    Ok(())
}

/// `bytes` in the largest binary unit that keeps it at least 1 (e.g. `12.3 MiB`).
fn human_bytes(bytes: u64) -> String {
    const UNITS: [&str; 5] = ["B", "KiB", "MiB", "GiB", "TiB"];
    let mut value = bytes as f64;
    let mut unit = 0;
    while value >= 1024.0 && unit < UNITS.len() - 1 {
        value /= 1024.0;
        unit += 1;
    }
    if unit == 0 { format!("{bytes} B") } else { format!("{value:.1} {}", UNITS[unit]) }
}

/// Parses a size: bytes, or a number with `k`/`KiB`, `M`/`MiB`, `G`/`GiB` (powers of
/// 1024) or `kB`, `MB`, `GB` (powers of 1000), e.g. `200MiB`, `1.5G`.
fn parse_size(text: &str) -> Result<u64, String> {
    let text = text.trim();
    let split = text.find(|c: char| !(c.is_ascii_digit() || c == '.')).unwrap_or(text.len());
    let (number, unit) = text.split_at(split);
    let factor: u64 = match unit.trim().to_ascii_lowercase().as_str() {
        "" | "b" => 1,
        "k" | "kib" => 1 << 10,
        "m" | "mib" => 1 << 20,
        "g" | "gib" => 1 << 30,
        "t" | "tib" => 1 << 40,
        "kb" => 1_000,
        "mb" => 1_000_000,
        "gb" => 1_000_000_000,
        "tb" => 1_000_000_000_000,
        other => {
            return Err(format!("unknown unit `{other}` (use e.g. 500MiB, 2GB, 1048576)"));
        }
    };
    let value: f64 = number
        .parse()
        .map_err(|_| format!("`{text}` is not a size (use e.g. 500MiB, 2GB, 1048576)"))?;
    let bytes = value * factor as f64;
    if !bytes.is_finite() || bytes < 1.0 || bytes >= u64::MAX as f64 {
        return Err(format!("`{text}` is out of range"));
    }
    #[expect(clippy::cast_possible_truncation, clippy::cast_sign_loss, reason = "checked above")]
    Ok(bytes as u64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_parse_in_binary_and_decimal_units() {
        assert_eq!(parse_size("1048576"), Ok(1_048_576));
        assert_eq!(parse_size("200MiB"), Ok(200 << 20));
        assert_eq!(parse_size("200 M"), Ok(200 << 20));
        assert_eq!(parse_size("1.5G"), Ok(3 << 29));
        assert_eq!(parse_size("2GB"), Ok(2_000_000_000));
        assert_eq!(parse_size("10kb"), Ok(10_000));
        assert!(parse_size("").is_err());
        assert!(parse_size("MiB").is_err());
        assert!(parse_size("-5MiB").is_err());
        assert!(parse_size("0").is_err());
        assert!(parse_size("5 parsecs").is_err());
        assert!(parse_size("1.2.3M").is_err());
        assert!(parse_size("99999999999TiB").is_err());
    }

    #[test]
    fn human_sizes() {
        assert_eq!(human_bytes(0), "0 B");
        assert_eq!(human_bytes(1023), "1023 B");
        assert_eq!(human_bytes(1536), "1.5 KiB");
        assert_eq!(human_bytes(512 << 20), "512.0 MiB");
    }
}
