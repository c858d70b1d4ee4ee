//! Exports of the fake catalogue's synthetic books, and checking the dashboards written from them.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::Path;

use bookenrich_benches::generate::{synthetic_books, write_export_of};

/// How many books of a synthetic export have an ISBN, and how many are found by title only.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Library {
    /// Books in the export.
    pub books: u64,
    /// Books with an ISBN-13.
    pub with_isbn: u64,
}

impl Library {
    /// Books without ISBN.
    pub(crate) fn without_isbn(&self) -> u64 {
        self.books - self.with_isbn
    }
}

/// Writes an export of synthetic books 0..`books` (all read); one in `isbn_less_every`
/// (0: none) has its ISBN cells left empty, so it is looked up by title and author.
pub(crate) fn write_library(
    path: &Path,
    books: u64,
    isbn_less_every: u64,
) -> Result<Library, String> {
    let list = synthetic_books(books, isbn_less_every);
    let with_isbn = list.iter().filter(|b| b.isbn13.is_some()).count() as u64;
    let file = File::create(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let mut w = BufWriter::new(file);
    write_export_of(&mut w, &list, 7)
        .and_then(|()| w.flush())
        .map_err(|e| format!("{}: {e}", path.display()))?;
    Ok(Library { books, with_isbn })
}

/// What a written dashboard holds.
#[derive(Debug, Clone, Copy)]
pub(crate) struct DashboardCheck {
    /// Books in `books`.
    pub books: u64,
    /// Books with `genre_enriched: true`.
    pub with_genres: u64,
    /// Books with a thumbnail URL.
    pub with_cover: u64,
}

/// Reads the dashboard at `path` and counts its books, enriched books and covers.
pub(crate) fn check_dashboard(path: &Path) -> Result<DashboardCheck, String> {
    let bytes = std::fs::read(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let value: serde_json::Value =
        serde_json::from_slice(&bytes).map_err(|e| format!("{}: {e}", path.display()))?;
    let books =
        value["books"].as_array().ok_or_else(|| format!("{}: no books array", path.display()))?;
    let count =
        |f: &dyn Fn(&serde_json::Value) -> bool| books.iter().filter(|b| f(b)).count() as u64;
    Ok(DashboardCheck {
        books: books.len() as u64,
        with_genres: count(&|b| b["genre_enriched"].as_bool() == Some(true)),
        with_cover: count(&|b| b["thumbnail_url"].is_string()),
    })
}
