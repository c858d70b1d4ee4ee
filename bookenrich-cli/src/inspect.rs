//! `bookenrich inspect`: what is in an export.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::process::ExitCode;

use bookenrich_core::BookAnalytics;
use bookenrich_core::csv::{ReadOptions, RowProblem, read_export_path};
use serde::Serialize;

use crate::exit::Failure;

/// Arguments of `inspect`.
#[derive(Debug, clap::Args)]
pub(crate) struct InspectArgs {
    /// The Goodreads library export (CSV).
    pub export: PathBuf,
    /// Print machine-readable JSON instead of text.
    #[arg(long)]
    pub json: bool,
}

/// What `inspect` reports.
#[derive(Debug, Serialize)]
struct Inspection {
    file: String,
    rows: u64,
    books: usize,
    read_books: usize,
    rated_books: usize,
    shelves: BTreeMap<String, usize>,
    books_read_per_year: BTreeMap<i32, usize>,
    with_valid_isbn: usize,
    with_invalid_isbn: usize,
    without_isbn: usize,
    with_review: usize,
    with_private_notes: usize,
    row_problems: Vec<RowProblem>,
}

/// Runs `inspect`.
pub(crate) fn run(args: &InspectArgs) -> Result<ExitCode, Failure> {
    // Every row, whatever its shelf: inspect describes the whole file.
    let options = ReadOptions { include_unread: true, ..ReadOptions::default() };
    let export = read_export_path(&args.export, &options).map_err(|e| Failure::input(&e))?;
    let report = inspect(
        &args.export.display().to_string(),
        export.rows_read,
        &export.books,
        export.problems,
    );
    if args.json {
        let text = serde_json::to_string_pretty(&report).map_err(|e| Failure::output(&e.into()))?;
        println!("{text}");
    } else {
        print_text(&report);
    }
    Ok(ExitCode::SUCCESS)
}

fn inspect(
    file: &str,
    rows: u64,
    books: &[BookAnalytics],
    row_problems: Vec<RowProblem>,
) -> Inspection {
    let mut shelves = BTreeMap::new();
    let mut per_year = BTreeMap::new();
    let (mut valid, mut invalid, mut none) = (0, 0, 0);
    for b in books {
        *shelves.entry(b.reading_status.clone().unwrap_or_else(|| "(none)".into())).or_insert(0) +=
            1;
        if b.is_read() {
            if let Some(y) = b.reading_year() {
                *per_year.entry(y).or_insert(0) += 1;
            }
        }
        match b.book_info().lookup_isbn() {
            Ok(Some(_)) => valid += 1,
            Ok(None) => none += 1,
            Err(_) => invalid += 1,
        }
    }
    Inspection {
        file: file.to_owned(),
        rows,
        books: books.len(),
        read_books: books.iter().filter(|b| b.is_read()).count(),
        rated_books: books.iter().filter(|b| b.is_rated()).count(),
        shelves,
        books_read_per_year: per_year,
        with_valid_isbn: valid,
        with_invalid_isbn: invalid,
        without_isbn: none,
        with_review: books.iter().filter(|b| b.has_review()).count(),
        with_private_notes: books.iter().filter(|b| b.private_notes.is_some()).count(),
        row_problems,
    }
}

fn print_text(r: &Inspection) {
    println!("{}", r.file);
    println!("  rows:            {}", r.rows);
    println!("  books:           {} ({} read, {} rated)", r.books, r.read_books, r.rated_books);
    let shelves: Vec<String> = r.shelves.iter().map(|(s, n)| format!("{s} {n}")).collect();
    println!("  shelves:         {}", shelves.join(", "));
    println!(
        "  ISBNs:           {} valid, {} with a wrong check digit, {} without (looked up by title)",
        r.with_valid_isbn, r.with_invalid_isbn, r.without_isbn
    );
    println!("  reviews:         {} ({} with private notes)", r.with_review, r.with_private_notes);
    if !r.books_read_per_year.is_empty() {
        println!("  read per year:");
        for (year, n) in &r.books_read_per_year {
            println!("    {year}  {n}");
        }
    }
    if r.row_problems.is_empty() {
        println!("  row problems:    none");
    } else {
        println!("  row problems:    {}", r.row_problems.len());
        for p in &r.row_problems {
            println!("    {p}");
        }
    }
}
