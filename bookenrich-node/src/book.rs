//! The JS shapes of an export's books and row problems, and their conversions.

use bookenrich_core::BookAnalytics;
use bookenrich_core::csv::{Export as CoreExport, RowProblem as CoreRowProblem};
use bookenrich_core::model::InvalidField;
use chrono::NaiveDate;
use napi_derive::napi;

use crate::error::{BindingError, Result};
use crate::fields::move_fields;

/// One book of a Goodreads export, cleaned by the contract's rules.
///
/// Dates are ISO strings (`YYYY-MM-DD`); absent values are `null`.
#[napi(object, use_nullable = true)]
#[derive(Debug, Clone, PartialEq)]
pub struct Book {
    /// `Book Id`, as written (the key that joins books and enrichment results).
    pub goodreads_id: String,
    /// `Title`, as written.
    pub title: String,
    /// `Author`, as written.
    pub author: String,
    /// `Author l-f`.
    pub author_lf: Option<String>,
    /// `Additional Authors`.
    pub additional_authors: Option<String>,
    /// `ISBN` without the Excel `="…"` wrapper (10 characters).
    pub isbn: Option<String>,
    /// `ISBN13` without the Excel wrapper (13 characters).
    pub isbn13: Option<String>,
    /// `My Rating` from 1 to 5; `null` when not rated.
    pub my_rating: Option<u32>,
    /// `Average Rating` on Goodreads.
    pub average_rating: Option<f64>,
    /// `Publisher`.
    pub publisher: Option<String>,
    /// `Binding`, e.g. `Paperback`.
    pub binding: Option<String>,
    /// `Number of Pages`.
    pub num_pages: Option<u32>,
    /// `Year Published` (of this edition).
    pub year_published: Option<i32>,
    /// `Original Publication Year`.
    pub original_publication_year: Option<i32>,
    /// `Date Read` (the latest read), `YYYY-MM-DD`.
    pub date_read: Option<String>,
    /// `Date Added`, `YYYY-MM-DD`.
    pub date_added: Option<String>,
    /// `Bookshelves`, split on commas.
    pub bookshelves: Vec<String>,
    /// `Bookshelves with positions`, as written.
    pub bookshelves_with_positions: Option<String>,
    /// `Exclusive Shelf`: `read`, `to-read`, `currently-reading` or a custom shelf.
    pub reading_status: Option<String>,
    /// `My Review`.
    pub my_review: Option<String>,
    /// `Spoiler`.
    pub has_spoilers: bool,
    /// `Private Notes` (left out of dashboards unless asked for).
    pub private_notes: Option<String>,
    /// `Read Count`, at least 1.
    pub read_count: u32,
    /// `Owned Copies`.
    pub owned_copies: u32,
}

/// A row of the export that could not be used, with where and why.
#[napi(object, use_nullable = true)]
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RowProblem {
    /// 1-based line where the row starts in the file.
    pub line: i64,
    /// The row's `Book Id`, when it has one.
    pub goodreads_id: Option<String>,
    /// What is wrong, as a stable name.
    #[napi(
        ts_type = "'blank_book_id' | 'duplicate_book_id' | 'blank_title' | 'blank_author' | 'field_count' | 'field_too_large' | 'invalid_utf8'"
    )]
    pub kind: String,
    /// A sentence naming the column at fault.
    pub message: String,
}

/// A whole export: the usable books and the rows that could not be used.
#[napi(object)]
#[derive(Debug, Clone, PartialEq)]
pub struct GoodreadsExport {
    /// Usable books, in file order.
    pub books: Vec<Book>,
    /// Rows that could not be used, in file order.
    pub problems: Vec<RowProblem>,
    /// Data rows read (the header excluded).
    pub rows_read: i64,
    /// Usable rows left out because they are not read books (see `includeUnread`).
    pub unread_skipped: i64,
}

fn iso(date: Option<NaiveDate>) -> Option<String> {
    date.map(|d| d.format("%Y-%m-%d").to_string())
}

pub(crate) fn count(n: u64) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}

/// `book_fields!(Target from value { rest })`: the fields `Book` and the core's `BookAnalytics`
/// share unchanged, listed once for the conversions both ways (`rest`: `my_rating` and the dates,
/// which change type).
macro_rules! book_fields {
    ($($head:tt)*) => {
        move_fields!($($head)* [
            goodreads_id, title, author, author_lf, additional_authors, isbn, isbn13,
            average_rating, publisher, binding, num_pages, year_published,
            original_publication_year, bookshelves, bookshelves_with_positions, reading_status,
            my_review, has_spoilers, private_notes, read_count, owned_copies,
        ])
    };
}

impl From<BookAnalytics> for Book {
    fn from(b: BookAnalytics) -> Self {
        book_fields!(Self from b {
            my_rating: b.my_rating.map(u32::from),
            date_read: iso(b.date_read),
            date_added: iso(b.date_added),
        })
    }
}

/// Parses a `YYYY-MM-DD` date of book `id`; `field` names it in the error.
fn parse_iso(value: Option<String>, id: &str, field: &str) -> Result<Option<NaiveDate>> {
    value
        .map(|s| {
            NaiveDate::parse_from_str(&s, "%Y-%m-%d").map_err(|_| {
                BindingError::invalid_input(format!(
                    "book {id:?}: {field} must be a YYYY-MM-DD date, got {s:?}"
                ))
            })
        })
        .transpose()
}

/// A Rust field name as JavaScript spells it: `read_count` → `readCount`.
fn camel_case(snake: &str) -> String {
    let mut parts = snake.split('_');
    let mut out = parts.next().unwrap_or_default().to_owned();
    for part in parts {
        let mut chars = part.chars();
        if let Some(first) = chars.next() {
            out.push(first.to_ascii_uppercase());
            out.push_str(chars.as_str());
        }
    }
    out
}

impl TryFrom<Book> for BookAnalytics {
    type Error = BindingError;

    fn try_from(b: Book) -> Result<Self> {
        let id = b.goodreads_id.clone();
        // The rules live in the core; JavaScript spells the field in camelCase.
        let invalid = |e: InvalidField| {
            BindingError::invalid_input(format!(
                "book {id:?}: {} {}",
                camel_case(e.field),
                e.message
            ))
        };
        let my_rating = b.my_rating.map(BookAnalytics::rating).transpose().map_err(invalid)?;
        let date_read = parse_iso(b.date_read, &id, "dateRead")?;
        let date_added = parse_iso(b.date_added, &id, "dateAdded")?;
        let book = book_fields!(Self from b { my_rating, date_read, date_added });
        book.validate().map_err(invalid)?;
        Ok(book)
    }
}

impl From<CoreRowProblem> for RowProblem {
    fn from(p: CoreRowProblem) -> Self {
        Self {
            line: count(p.line),
            goodreads_id: p.goodreads_id,
            kind: p.kind.as_str().to_owned(),
            message: p.message,
        }
    }
}

impl From<CoreExport> for GoodreadsExport {
    fn from(e: CoreExport) -> Self {
        Self {
            books: e.books.into_iter().map(Book::from).collect(),
            problems: e.problems.into_iter().map(RowProblem::from).collect(),
            rows_read: count(e.rows_read),
            unread_skipped: count(e.unread_skipped),
        }
    }
}

/// Converts JS books back to the core's, failing on the first invalid one.
pub(crate) fn books_from_js(books: Vec<Book>) -> Result<Vec<BookAnalytics>> {
    books.into_iter().map(BookAnalytics::try_from).collect()
}
