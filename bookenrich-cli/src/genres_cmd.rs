//! `bookenrich genres audit`: the books left without a genre and the catalogue strings the
//! genre vocabulary does not know, by frequency, with the rule each would need.

use std::fmt::Write as _;
use std::path::PathBuf;
use std::process::ExitCode;

use bookenrich_core::csv::{ReadOptions, read_export_path};
use bookenrich_core::genres::{AuditBook, GenreAudit, GenreNormalizer, dashboard_books_from_path};

use crate::enrich::{EnrichArgs, Log, enrich};
use crate::exit::{Code, Failure};

/// `bookenrich genres …`.
#[derive(Debug, clap::Args)]
pub(crate) struct GenresArgs {
    #[command(subcommand)]
    command: GenresCommand,
}

#[derive(Debug, clap::Subcommand)]
enum GenresCommand {
    /// List the books left without a genre (with their raw catalogue strings) and the catalogue
    /// strings no genre rule knows, most frequent first, each with the rule it would need.
    Audit(AuditArgs),
}

/// `bookenrich genres audit`.
#[derive(Debug, clap::Args)]
pub(crate) struct AuditArgs {
    /// A dashboard JSON (books and genres only), or a Goodreads library export (CSV), which is
    /// enriched first, from the cache with `--offline`, to see the raw catalogue strings.
    pub input: PathBuf,
    /// Response cache file or directory, as for `enrich`.
    #[arg(long, value_name = "PATH")]
    pub cache: Option<PathBuf>,
    /// Answer from the cache only.
    #[arg(long)]
    pub offline: bool,
    /// Sources in order, as for `enrich`.
    #[arg(long, value_name = "LIST")]
    pub sources: Option<String>,
    /// Your own genre rules (TOML, docs/genres.md), read over the built-in ones: the audit then
    /// shows what is still missing.
    #[arg(long, value_name = "FILE")]
    pub rules: Option<PathBuf>,
    /// Unknown strings to list (default 30).
    #[arg(long, value_name = "N", default_value_t = 30)]
    pub top: usize,
    /// The whole audit as JSON on stdout.
    #[arg(long)]
    pub json: bool,
}

/// Runs `genres`.
pub(crate) fn run(args: &GenresArgs) -> Result<ExitCode, Failure> {
    match &args.command {
        GenresCommand::Audit(a) => audit(a),
    }
}

fn audit(args: &AuditArgs) -> Result<ExitCode, Failure> {
    let mut normalizer = GenreNormalizer::new();
    if let Some(path) = &args.rules {
        let text = std::fs::read_to_string(path).map_err(|e| {
            Failure::new(Code::Input, format!("cannot read {}: {e}", path.display()))
        })?;
        normalizer = normalizer
            .with_rules_toml(&text)
            .map_err(|e| Failure::new(Code::Input, format!("{}: {e}", path.display())))?;
    }
    let books = if is_json(&args.input) { from_dashboard(args)? } else { from_export(args)? };
    // With user rules, each book's genres are those the rules now give its raw strings.
    let books: Vec<AuditBook> = if args.rules.is_some() {
        books
            .into_iter()
            .map(|mut b| {
                if !b.raw.is_empty() {
                    let per_source: Vec<&[String]> = b.raw.values().map(Vec::as_slice).collect();
                    b.genres = normalizer
                        .normalize_sources(&per_source)
                        .into_iter()
                        .map(String::from)
                        .collect();
                }
                b
            })
            .collect()
    } else {
        books
    };
    let mut audit = normalizer.audit(&books);
    audit.unknown.truncate(args.top);
    let out = if args.json {
        serde_json::to_string_pretty(&audit)
            .map_err(|e| Failure::new(Code::Internal, format!("cannot write the audit: {e}")))?
    } else {
        text(&audit)
    };
    println!("{out}");
    Ok(ExitCode::SUCCESS)
}

fn is_json(path: &std::path::Path) -> bool {
    path.extension().is_some_and(|e| e.eq_ignore_ascii_case("json"))
}

fn from_dashboard(args: &AuditArgs) -> Result<Vec<AuditBook>, Failure> {
    dashboard_books_from_path(&args.input).map_err(|e| Failure::input(&e))
}

fn from_export(args: &AuditArgs) -> Result<Vec<AuditBook>, Failure> {
    let options = ReadOptions { include_unread: true, ..ReadOptions::default() };
    let export = read_export_path(&args.input, &options).map_err(|e| Failure::input(&e))?;
    let enrich_args = EnrichArgs {
        export: args.input.clone(),
        output: PathBuf::new(),
        include_unread: true,
        include_private_notes: false,
        limit: None,
        no_enrich: false,
        export_id: None,
        sources: args.sources.clone(),
        merge: None,
        concurrency: None,
        rate_limits: Vec::new(),
        open_library_url: None,
        google_books_url: None,
        contact: None,
        google_api_key: None,
        cache: args.cache.clone(),
        no_cache: false,
        offline: args.offline,
        quiet: true,
        json_log: false,
        strict: false,
    };
    let log = Log::new(&enrich_args);
    let (results, ..) = enrich(&enrich_args, &export.books, &log)?;
    Ok(results.iter().map(AuditBook::from).collect())
}

/// The audit for a reader: counts, books without genres, unknown strings.
fn text(a: &GenreAudit) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{} books, {} with genres, {} without",
        a.books,
        a.with_genres,
        a.without_genres.len()
    );
    if !a.without_genres.is_empty() {
        let _ = writeln!(out, "\nBooks without a genre:");
        for b in &a.without_genres {
            let _ = writeln!(out, "  {} — {}", b.title, b.author);
            let raw: Vec<&String> = b.raw.values().flatten().collect();
            if raw.is_empty() {
                let _ = writeln!(out, "    (no catalogue strings)");
            }
            for s in raw {
                let _ = writeln!(out, "    {s}");
            }
        }
    }
    if !a.unknown.is_empty() {
        let _ =
            writeln!(out, "\nUnknown strings (books, string, rule that would give it a genre):");
        for u in &a.unknown {
            let _ = writeln!(out, "  {:>4}  {:<40}  {}", u.books, u.text, u.rule);
        }
        let _ = writeln!(
            out,
            "\nAdd the rules you want to a TOML file (docs/genres.md) and check it with --rules FILE."
        );
    }
    out.trim_end().to_owned()
}
