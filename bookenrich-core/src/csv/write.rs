//! Writing books as a Goodreads library export, in the shapes Goodreads writes.
//!
//! What [`write_export`] writes, [`read_export`](super::read_export) reads back to the
//! same [`BookAnalytics`] (with `include_unread`), as long as each value is one the
//! reader can produce: text without surrounding blanks, ISBNs of 10 or 13 characters,
//! no zero ratings or page counts, shelves without commas, a read count of at least 1.

use std::io::Write;

use crate::error::{Error, Result};
use crate::model::BookAnalytics;

use super::KNOWN_COLUMNS;

/// Writes `books` as a Goodreads export (header and one row per book) to `writer`.
///
/// ISBNs are written in Goodreads' Excel wrapper (`="9780140328721"`), dates as
/// `YYYY/MM/DD`, shelves comma-separated, absent values as empty cells.
pub fn write_export<W: Write>(books: &[BookAnalytics], writer: W) -> Result<()> {
    let mut csv =
        ::csv::WriterBuilder::new().terminator(::csv::Terminator::CRLF).from_writer(writer);
    let failed = |e: ::csv::Error| Error::Csv {
        file: "<output>".to_owned(),
        line: e.position().map_or(0, ::csv::Position::line),
        message: e.to_string(),
    };
    csv.write_record(KNOWN_COLUMNS).map_err(failed)?;
    for book in books {
        csv.write_record(row(book)).map_err(failed)?;
    }
    csv.flush().map_err(|e| Error::Csv {
        file: "<output>".to_owned(),
        line: 0,
        message: e.to_string(),
    })
}

/// Books as the bytes of a Goodreads export.
pub fn export_bytes(books: &[BookAnalytics]) -> Result<Vec<u8>> {
    let mut out = Vec::new();
    write_export(books, &mut out)?;
    Ok(out)
}

/// The cells of one book, in [`KNOWN_COLUMNS`] order.
fn row(b: &BookAnalytics) -> [String; KNOWN_COLUMNS.len()] {
    let text = |v: &Option<String>| v.clone().unwrap_or_default();
    let number = |v: Option<i64>| v.map(|n| n.to_string()).unwrap_or_default();
    let isbn = |v: &Option<String>| format!("=\"{}\"", v.as_deref().unwrap_or_default());
    let date = |v: Option<chrono::NaiveDate>| {
        v.map(|d| d.format("%Y/%m/%d").to_string()).unwrap_or_default()
    };
    [
        b.goodreads_id.clone(),
        b.title.clone(),
        b.author.clone(),
        text(&b.author_lf),
        text(&b.additional_authors),
        isbn(&b.isbn),
        isbn(&b.isbn13),
        // Goodreads writes 0 for "not rated".
        b.my_rating.unwrap_or(0).to_string(),
        b.average_rating.map(|r| r.to_string()).unwrap_or_default(),
        text(&b.publisher),
        text(&b.binding),
        number(b.num_pages.map(i64::from)),
        number(b.year_published.map(i64::from)),
        number(b.original_publication_year.map(i64::from)),
        date(b.date_read),
        date(b.date_added),
        b.bookshelves.join(", "),
        text(&b.bookshelves_with_positions),
        text(&b.reading_status),
        text(&b.my_review),
        if b.has_spoilers { "true" } else { "" }.to_owned(),
        text(&b.private_notes),
        b.read_count.to_string(),
        b.owned_copies.to_string(),
    ]
}
