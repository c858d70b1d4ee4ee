//! `bookenrich`: enrich a Goodreads library export and write the reading-dashboard JSON.

// The argument structs' doc comments are the `--help` text, written in clap's conventions
// (`[env: …]`, `host[:port]`, `[default: https://…]`), not rustdoc links. (`allow`, not `expect`:
// these lints run only under rustdoc, so an `expect` would be unfulfilled in every other build.)
#![allow(rustdoc::broken_intra_doc_links, rustdoc::bare_urls)]

mod cache_cmd;
mod cache_writes;
mod enrich;
mod exit;
mod genres_cmd;
mod inspect;
mod report;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

use crate::exit::Failure;

/// Enrich a Goodreads library export with genres and covers, and write the dashboard JSON.
#[derive(Debug, Parser)]
#[command(name = "bookenrich", version, about, long_about = None, after_help = exit::EXIT_CODES_HELP)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Read an export and print what is in it: counts, years, ISBN quality, row problems.
    Inspect(inspect::InspectArgs),
    /// Read an export, look every book up in the catalogues, and write the dashboard JSON.
    Enrich(Box<enrich::EnrichArgs>),
    /// Show what `enrich` with the same options would take, from the cache alone (no request):
    /// books the cache answers, requests per source, and the time the rate limits impose.
    Plan(Box<enrich::EnrichArgs>),
    /// Turn a dashboard JSON into one self-contained HTML page with the reading charts.
    Report(report::ReportArgs),
    /// Show, prune or clear the persistent response cache.
    Cache(cache_cmd::CacheArgs),
    /// Genre tools: `genres audit` lists the books without a genre and the unknown strings.
    Genres(genres_cmd::GenresArgs),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Inspect(args) => inspect::run(&args),
        Command::Enrich(args) => enrich::run(&args),
        Command::Plan(args) => enrich::plan(&args),
        Command::Report(args) => report::run(&args),
        Command::Cache(args) => cache_cmd::run(&args),
        Command::Genres(args) => genres_cmd::run(&args),
    };
    match result {
        Ok(code) => code,
        Err(Failure { code, message }) => {
            eprintln!("bookenrich: {message}");
            code.into()
        }
    }
}
