//! `bookenrich enrich`: export → enrichment → dashboard JSON.

use std::path::PathBuf;
use std::process::ExitCode;

use bookenrich_core::csv::{ReadOptions, read_export_path};
use bookenrich_core::{DashboardOptions, EnrichedBook, build_dashboard};

use crate::exit::Failure;

/// Arguments of `enrich`.
#[derive(Debug, clap::Args)]
pub struct EnrichArgs {
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
    /// Only the first N books.
    #[arg(long, value_name = "N")]
    pub limit: Option<usize>,
    /// Skip the catalogue lookups: write the dashboard without genres and covers.
    #[arg(long)]
    pub no_enrich: bool,
    /// Fixed export id (default: a random UUID).
    #[arg(long, value_name = "UUID")]
    pub export_id: Option<String>,
}

/// Runs `enrich`.
pub fn run(args: &EnrichArgs) -> Result<ExitCode, Failure> {
    let options = ReadOptions {
        include_unread: args.include_unread,
        limit: args.limit,
        ..ReadOptions::default()
    };
    let export = read_export_path(&args.export, &options).map_err(|e| Failure::input(&e))?;
    for p in &export.problems {
        eprintln!("bookenrich: {}: {p}", args.export.display());
    }
    let results: Vec<EnrichedBook> = Vec::new();
    let mut notes = Vec::new();
    if !export.problems.is_empty() {
        notes.push(format!(
            "{} rows of the export could not be used",
            export.problems.len()
        ));
    }
    let dashboard = build_dashboard(
        &export.books,
        &results,
        &DashboardOptions {
            include_private_notes: args.include_private_notes,
            export_id: args.export_id.clone(),
            processing_notes: notes,
            ..DashboardOptions::default()
        },
    );
    dashboard
        .write_to_path(&args.output)
        .map_err(|e| Failure::output(&e))?;
    eprintln!(
        "bookenrich: wrote {} ({} books, {} row problems)",
        args.output.display(),
        export.books.len(),
        export.problems.len()
    );
    Ok(ExitCode::SUCCESS)
}
