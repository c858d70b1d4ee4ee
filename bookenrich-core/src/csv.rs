//! Reading Goodreads library exports.
//!
//! Columns are found by header name; every cell is read as text; rows that
//! cannot be used are reported with their line number, never dropped silently.
//! The reader streams: records are parsed one at a time into [`BookAnalytics`],
//! and never holds more than [`ReadOptions::max_field_bytes`] of a cell nor more
//! cells than the header has, whatever the file.

use std::collections::HashSet;
use std::fs::File;
use std::io::{self, BufReader, Read};
use std::path::Path;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::model::BookAnalytics;

mod bounded;
mod write;

use bounded::{BoundedRecords, Next};
pub use write::{export_bytes, write_export};

/// Most columns a header may have (a Goodreads export has about 30).
pub const MAX_COLUMNS: usize = 1024;

/// Columns every export must have.
pub const REQUIRED_COLUMNS: [&str; 3] = ["Book Id", "Title", "Author"];

/// Every column of the Goodreads export that bookenrich reads.
pub const KNOWN_COLUMNS: [&str; 24] = [
    "Book Id",
    "Title",
    "Author",
    "Author l-f",
    "Additional Authors",
    "ISBN",
    "ISBN13",
    "My Rating",
    "Average Rating",
    "Publisher",
    "Binding",
    "Number of Pages",
    "Year Published",
    "Original Publication Year",
    "Date Read",
    "Date Added",
    "Bookshelves",
    "Bookshelves with positions",
    "Exclusive Shelf",
    "My Review",
    "Spoiler",
    "Private Notes",
    "Read Count",
    "Owned Copies",
];

/// Options for reading an export.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ReadOptions {
    /// Keep every row, not only read books (default `false`, as the old pipeline).
    pub include_unread: bool,
    /// Stop after this many books have been kept.
    pub limit: Option<usize>,
    /// Largest accepted cell, in bytes; a row with a larger cell is reported, and the
    /// cell is never held in memory (nor the cells beyond the header's width).
    pub max_field_bytes: usize,
}

impl Default for ReadOptions {
    fn default() -> Self {
        Self { include_unread: false, limit: None, max_field_bytes: 1 << 20 }
    }
}

/// Why a row could not be used.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum RowProblemKind {
    /// `Book Id` is blank.
    BlankBookId,
    /// Another row already used this `Book Id`.
    DuplicateBookId,
    /// `Title` is blank.
    BlankTitle,
    /// `Author` is blank.
    BlankAuthor,
    /// The row has a different number of fields than the header.
    FieldCount,
    /// A cell is larger than [`ReadOptions::max_field_bytes`].
    FieldTooLarge,
    /// A cell is not valid UTF-8.
    InvalidUtf8,
}

impl RowProblemKind {
    /// The stable `snake_case` name, as the dashboard JSON and the bindings spell it.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::BlankBookId => "blank_book_id",
            Self::DuplicateBookId => "duplicate_book_id",
            Self::BlankTitle => "blank_title",
            Self::BlankAuthor => "blank_author",
            Self::FieldCount => "field_count",
            Self::FieldTooLarge => "field_too_large",
            Self::InvalidUtf8 => "invalid_utf8",
        }
    }
}

/// A row that could not be used, with where and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RowProblem {
    /// 1-based line where the row starts in the file.
    pub line: u64,
    /// The row's `Book Id`, when it has one.
    pub goodreads_id: Option<String>,
    /// What is wrong.
    pub kind: RowProblemKind,
    /// A sentence saying what is wrong, naming the column.
    pub message: String,
}

impl std::fmt::Display for RowProblem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "line {}: {}", self.line, self.message)
    }
}

/// What one row gave.
#[derive(Debug, Clone, PartialEq)]
pub enum RowOutcome {
    /// A usable book (read, or any book with `include_unread`).
    Book(Box<BookAnalytics>),
    /// A usable row left out because the book is not read (counted in [`Export::unread_skipped`]).
    Unread,
    /// A row that cannot be used.
    Problem(RowProblem),
}

/// A whole export: the books, and the rows that could not be used.
#[derive(Debug, Clone, PartialEq, Default, Serialize)]
pub struct Export {
    /// Usable books, in file order.
    pub books: Vec<BookAnalytics>,
    /// Rows that could not be used, in file order.
    pub problems: Vec<RowProblem>,
    /// Data rows read (excluding the header).
    pub rows_read: u64,
    /// Usable rows left out because they are not read books.
    pub unread_skipped: u64,
}

impl Export {
    /// Lines for the dashboard's `metadata.processing_notes` about this export: how many rows
    /// could not be used, when any could not.
    pub fn processing_notes(&self) -> Vec<String> {
        match self.problems.len() {
            0 => Vec::new(),
            n => vec![format!("{n} rows of the export could not be used")],
        }
    }
}

/// Column positions resolved from the header.
#[derive(Debug, Clone)]
struct Columns {
    idx: [Option<usize>; KNOWN_COLUMNS.len()],
    width: usize,
    /// Every header name, to name the column of a problem.
    names: Vec<String>,
}

// Indices into KNOWN_COLUMNS.
const BOOK_ID: usize = 0;
const TITLE: usize = 1;
const AUTHOR: usize = 2;
const AUTHOR_LF: usize = 3;
const ADDITIONAL_AUTHORS: usize = 4;
const ISBN: usize = 5;
const ISBN13: usize = 6;
const MY_RATING: usize = 7;
const AVERAGE_RATING: usize = 8;
const PUBLISHER: usize = 9;
const BINDING: usize = 10;
const PAGES: usize = 11;
const YEAR_PUBLISHED: usize = 12;
const ORIGINAL_YEAR: usize = 13;
const DATE_READ: usize = 14;
const DATE_ADDED: usize = 15;
const BOOKSHELVES: usize = 16;
const BOOKSHELVES_POSITIONS: usize = 17;
const EXCLUSIVE_SHELF: usize = 18;
const MY_REVIEW: usize = 19;
const SPOILER: usize = 20;
const PRIVATE_NOTES: usize = 21;
const READ_COUNT: usize = 22;
const OWNED_COPIES: usize = 23;

/// A streaming reader of a Goodreads export: an iterator of [`RowOutcome`]s.
///
/// ```
/// use bookenrich_core::csv::{ExportReader, ReadOptions, RowOutcome};
/// let data = "Book Id,Title,Author,Exclusive Shelf,Date Read\n1,Dune,Frank Herbert,read,2020/01/02\n";
/// let reader = ExportReader::new(data.as_bytes(), "<input>", ReadOptions::default())?;
/// let books: Vec<_> = reader.filter_map(|r| match r { Ok(RowOutcome::Book(b)) => Some(b), _ => None }).collect();
/// assert_eq!(books[0].title, "Dune");
/// # Ok::<(), bookenrich_core::Error>(())
/// ```
pub struct ExportReader<R: Read> {
    rows: BoundedRecords<BufReader<R>>,
    file: String,
    columns: Columns,
    options: ReadOptions,
    seen_ids: SeenIds,
    kept: usize,
    done: bool,
}

impl<R: Read> std::fmt::Debug for ExportReader<R> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ExportReader")
            .field("file", &self.file)
            .field("kept", &self.kept)
            .finish_non_exhaustive()
    }
}

impl<R: Read> ExportReader<R> {
    /// Reads the header of `reader` (named `file` in errors) and checks it is a Goodreads export.
    pub fn new(reader: R, file: impl Into<String>, options: ReadOptions) -> Result<Self> {
        let file = file.into();
        let mut rows = BoundedRecords::new(
            BufReader::with_capacity(1 << 16, reader),
            options.max_field_bytes,
            MAX_COLUMNS,
        );
        let not_export = |file: String, reason: String| Error::NotAnExport { file, reason };
        let width = match rows.read().map_err(|e| io_error(&file, rows.line(), &e))? {
            Next::End => return Err(not_export(file, "the file is empty".into())),
            Next::Row { fields, .. } if fields > MAX_COLUMNS => {
                return Err(not_export(
                    file,
                    format!("the header has {fields} columns, more than {MAX_COLUMNS}"),
                ));
            }
            Next::Row { oversized: Some(o), .. } => {
                return Err(not_export(
                    file,
                    format!(
                        "header column {} has {} bytes, more than the limit of {}",
                        o.field + 1,
                        o.bytes,
                        options.max_field_bytes
                    ),
                ));
            }
            Next::Row { fields, .. } => fields,
        };
        let header: Vec<&[u8]> = (0..width).map(|i| rows.field(i).unwrap_or_default()).collect();
        let columns = resolve_columns(&file, &header)?;
        // A row with more cells than the header is reported; its extra cells are not kept.
        rows.set_max_fields(width);
        Ok(Self {
            rows,
            file,
            columns,
            options,
            seen_ids: SeenIds::default(),
            kept: 0,
            done: false,
        })
    }

    /// The name used for this input in errors.
    pub fn file_name(&self) -> &str {
        &self.file
    }

    fn next_outcome(&mut self) -> Option<Result<RowOutcome>> {
        if self.done || self.options.limit.is_some_and(|l| self.kept >= l) {
            return None;
        }
        match self.rows.read() {
            Ok(Next::End) => {
                self.done = true;
                None
            }
            Ok(Next::Row { line, fields, oversized }) => {
                let outcome = self.parse_record(line, fields, oversized);
                if matches!(outcome, RowOutcome::Book(_)) {
                    self.kept += 1;
                }
                Some(Ok(outcome))
            }
            Err(e) => {
                self.done = true;
                Some(Err(io_error(&self.file, self.rows.line(), &e)))
            }
        }
    }

    fn parse_record(
        &mut self,
        line: u64,
        fields: usize,
        oversized: Option<bounded::Oversized>,
    ) -> RowOutcome {
        let problem = |kind, goodreads_id: Option<String>, message: String| {
            RowOutcome::Problem(RowProblem { line, goodreads_id, kind, message })
        };
        if fields != self.columns.width {
            return problem(
                RowProblemKind::FieldCount,
                None,
                format!("row has {fields} fields, the header has {}", self.columns.width),
            );
        }
        if let Some(o) = oversized {
            return problem(
                RowProblemKind::FieldTooLarge,
                None,
                format!(
                    "column {:?} has {} bytes, more than the limit of {}",
                    self.columns.names[o.field], o.bytes, self.options.max_field_bytes
                ),
            );
        }
        let mut cells: [&str; KNOWN_COLUMNS.len()] = [""; KNOWN_COLUMNS.len()];
        for (k, idx) in self.columns.idx.iter().enumerate() {
            let Some(i) = *idx else { continue };
            let bytes = self.rows.field(i).unwrap_or_default();
            match std::str::from_utf8(bytes) {
                Ok(s) => cells[k] = s,
                Err(e) => {
                    return problem(
                        RowProblemKind::InvalidUtf8,
                        None,
                        format!(
                            "column {:?} is not valid UTF-8 (byte {})",
                            KNOWN_COLUMNS[k],
                            e.valid_up_to() + 1
                        ),
                    );
                }
            }
        }
        let id = cells[BOOK_ID].trim();
        if id.is_empty() {
            return problem(
                RowProblemKind::BlankBookId,
                None,
                "column \"Book Id\" is blank".into(),
            );
        }
        // Made only for a problem: a good row would allocate it for nothing.
        let goodreads_id = || Some(id.to_owned());
        if cells[TITLE].trim().is_empty() {
            return problem(
                RowProblemKind::BlankTitle,
                goodreads_id(),
                "column \"Title\" is blank".into(),
            );
        }
        if cells[AUTHOR].trim().is_empty() {
            return problem(
                RowProblemKind::BlankAuthor,
                goodreads_id(),
                "column \"Author\" is blank".into(),
            );
        }
        if !self.seen_ids.insert(id) {
            return problem(
                RowProblemKind::DuplicateBookId,
                goodreads_id(),
                format!("Book Id {id} appears again; the first row with it is kept"),
            );
        }
        // An unread row is only counted: building its book would allocate a dozen strings for nothing.
        if !self.options.include_unread && !is_read_row(&cells) {
            return RowOutcome::Unread;
        }
        RowOutcome::Book(Box::new(book_from_cells(&cells)))
    }
}

impl<R: Read> Iterator for ExportReader<R> {
    type Item = Result<RowOutcome>;

    fn next(&mut self) -> Option<Self::Item> {
        self.next_outcome()
    }
}

/// A read error at `line` of `file`.
fn io_error(file: &str, line: u64, e: &io::Error) -> Error {
    Error::Csv { file: file.to_owned(), line, message: e.to_string() }
}

fn resolve_columns(file: &str, header: &[&[u8]]) -> Result<Columns> {
    let not_export = |reason: String| Error::NotAnExport { file: file.to_owned(), reason };
    let mut names = Vec::with_capacity(header.len());
    for (i, &raw) in header.iter().enumerate() {
        let raw = if i == 0 { raw.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(raw) } else { raw };
        if raw.contains(&0) {
            return Err(not_export("the header contains NUL bytes (is it a binary file?)".into()));
        }
        let name = std::str::from_utf8(raw).map_err(|_| {
            not_export("the header is not UTF-8 text (is it a binary file?)".into())
        })?;
        names.push(name.trim());
    }
    let mut idx = [None; KNOWN_COLUMNS.len()];
    for (slot, known) in idx.iter_mut().zip(KNOWN_COLUMNS) {
        *slot = names.iter().position(|n| *n == known);
    }
    if idx.iter().all(Option::is_none) {
        let shown: Vec<&str> = names.iter().take(6).copied().collect();
        return Err(not_export(format!(
            "none of the Goodreads columns (Book Id, Title, Author, …) is in the header [{}]",
            shown.join(", ")
        )));
    }
    let missing: Vec<String> = REQUIRED_COLUMNS
        .iter()
        .zip([idx[BOOK_ID], idx[TITLE], idx[AUTHOR]])
        .filter(|(_, i)| i.is_none())
        .map(|(n, _)| (*n).to_owned())
        .collect();
    if !missing.is_empty() {
        return Err(Error::MissingColumns { file: file.to_owned(), columns: missing });
    }
    Ok(Columns { idx, width: header.len(), names: names.iter().map(|n| (*n).to_owned()).collect() })
}

/// The `Book Id`s of the rows read so far.
///
/// Goodreads ids are decimal numbers; those are kept as numbers (no allocation, a cheap
/// hash), any other id as text. Only canonical numbers (no leading zero) go in the number
/// set, so `"012"` and `"12"` stay different ids, as they are as text.
#[derive(Debug, Default)]
struct SeenIds {
    numbers: HashSet<u64>,
    others: HashSet<String>,
}

impl SeenIds {
    /// Records `id`; `false` when it was already there.
    fn insert(&mut self, id: &str) -> bool {
        let canonical = (1..=19).contains(&id.len())
            && id.bytes().all(|b| b.is_ascii_digit())
            && (id.len() == 1 || !id.starts_with('0'));
        match id.parse::<u64>() {
            Ok(n) if canonical => self.numbers.insert(n),
            _ => self.others.insert(id.to_owned()),
        }
    }
}

/// Whether the row's book is read, decided on the cells exactly as
/// [`BookAnalytics::is_read`] decides on the book built from them.
fn is_read_row(c: &[&str; KNOWN_COLUMNS.len()]) -> bool {
    c[EXCLUSIVE_SHELF].trim() == "read" && parse_date(c[DATE_READ]).is_some()
}

fn book_from_cells(c: &[&str; KNOWN_COLUMNS.len()]) -> BookAnalytics {
    let my_rating = parse_int(c[MY_RATING]).and_then(|r| u8::try_from(r).ok());
    BookAnalytics {
        goodreads_id: c[BOOK_ID].trim().to_owned(),
        title: c[TITLE].to_owned(),
        author: c[AUTHOR].to_owned(),
        author_lf: text(c[AUTHOR_LF]),
        additional_authors: text(c[ADDITIONAL_AUTHORS]),
        isbn: clean_isbn(c[ISBN]),
        isbn13: clean_isbn(c[ISBN13]),
        my_rating,
        average_rating: parse_float(c[AVERAGE_RATING]),
        publisher: text(c[PUBLISHER]),
        binding: text(c[BINDING]),
        num_pages: parse_int(c[PAGES]).and_then(|p| u32::try_from(p).ok()),
        year_published: parse_int(c[YEAR_PUBLISHED]).and_then(|y| i32::try_from(y).ok()),
        original_publication_year: parse_int(c[ORIGINAL_YEAR]).and_then(|y| i32::try_from(y).ok()),
        date_read: parse_date(c[DATE_READ]),
        date_added: parse_date(c[DATE_ADDED]),
        bookshelves: split_shelves(c[BOOKSHELVES]),
        bookshelves_with_positions: text(c[BOOKSHELVES_POSITIONS]),
        reading_status: text(c[EXCLUSIVE_SHELF]),
        my_review: text(c[MY_REVIEW]),
        has_spoilers: parse_bool(c[SPOILER]),
        private_notes: text(c[PRIVATE_NOTES]),
        read_count: parse_int(c[READ_COUNT])
            .and_then(|n| u32::try_from(n).ok())
            .unwrap_or(1)
            .max(1),
        owned_copies: parse_int(c[OWNED_COPIES]).and_then(|n| u32::try_from(n).ok()).unwrap_or(0),
    }
}

/// Empty → `None`, else trimmed.
fn text(s: &str) -> Option<String> {
    let t = s.trim();
    (!t.is_empty()).then(|| t.to_owned())
}

/// Strips the Excel `="…"` wrapper and keeps digits and `X`; only 10- or 13-character values survive.
pub fn clean_isbn(raw: &str) -> Option<String> {
    let cleaned: String = raw
        .chars()
        .filter_map(|ch| match ch {
            '0'..='9' => Some(ch),
            'x' | 'X' => Some('X'),
            _ => None,
        })
        .collect();
    matches!(cleaned.len(), 10 | 13).then_some(cleaned)
}

/// Integer cell: empty, unparsable or 0 → `None`; `"3.0"` → 3.
fn parse_int(s: &str) -> Option<i64> {
    let t = s.trim();
    if t.is_empty() {
        return None;
    }
    let v = t.parse::<i64>().ok().or_else(|| {
        let f = t.parse::<f64>().ok().filter(|f| f.is_finite())?;
        // Truncation is the old pipeline's int(float(x)); the range check keeps it lossless.
        #[expect(clippy::cast_possible_truncation)]
        (f.abs() < 9.0e15).then(|| f.trunc() as i64)
    })?;
    (v != 0).then_some(v)
}

fn parse_float(s: &str) -> Option<f64> {
    s.trim().parse::<f64>().ok().filter(|f| f.is_finite())
}

fn parse_bool(s: &str) -> bool {
    matches!(s.trim().to_ascii_lowercase().as_str(), "true" | "yes" | "1" | "y")
}

/// Dates as `YYYY/MM/DD`, `YYYY-MM-DD`, `MM/DD/YYYY`, `YYYY/MM` (1st of month) or `YYYY` (1 January).
pub fn parse_date(s: &str) -> Option<NaiveDate> {
    let t = s.trim();
    if t.is_empty() {
        return None;
    }
    // Goodreads writes `YYYY/MM/DD`; read by hand, as chrono's format parser is a visible
    // share of reading an export. Anything else (or an invalid date) takes the general path.
    if let Some(d) = parse_slashed_ymd(t) {
        return Some(d);
    }
    for fmt in ["%Y/%m/%d", "%Y-%m-%d", "%m/%d/%Y"] {
        if let Ok(d) = NaiveDate::parse_from_str(t, fmt) {
            return Some(d);
        }
    }
    let parts: Vec<&str> = t.split('/').collect();
    let all_digits = |p: &str| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit());
    match parts.as_slice() {
        [y, m] if y.len() == 4 && all_digits(y) && all_digits(m) => {
            NaiveDate::from_ymd_opt(y.parse().ok()?, m.parse().ok()?, 1)
        }
        [y] if y.len() == 4 && all_digits(y) => NaiveDate::from_ymd_opt(y.parse().ok()?, 1, 1),
        _ => None,
    }
}

/// `YYYY/MM/DD` with exactly those digit counts, when it is a real date.
fn parse_slashed_ymd(t: &str) -> Option<NaiveDate> {
    let b = t.as_bytes();
    if b.len() != 10 || b[4] != b'/' || b[7] != b'/' {
        return None;
    }
    let number = |digits: &[u8]| {
        digits
            .iter()
            .try_fold(0u32, |n, &c| c.is_ascii_digit().then(|| n * 10 + u32::from(c - b'0')))
    };
    let year = i32::try_from(number(&b[0..4])?).ok()?;
    NaiveDate::from_ymd_opt(year, number(&b[5..7])?, number(&b[8..10])?)
}

fn split_shelves(s: &str) -> Vec<String> {
    s.split(',').map(str::trim).filter(|p| !p.is_empty()).map(str::to_owned).collect()
}

/// Reads a whole export from any reader; `file` names it in errors.
pub fn read_export<R: Read>(reader: R, file: &str, options: &ReadOptions) -> Result<Export> {
    let mut export = Export::default();
    for outcome in ExportReader::new(reader, file, options.clone())? {
        export.rows_read += 1;
        match outcome? {
            RowOutcome::Book(book) => export.books.push(*book),
            RowOutcome::Unread => export.unread_skipped += 1,
            RowOutcome::Problem(p) => export.problems.push(p),
        }
    }
    Ok(export)
}

/// Reads a whole export from a file.
pub fn read_export_path(path: impl AsRef<Path>, options: &ReadOptions) -> Result<Export> {
    let path = path.as_ref();
    let file = File::open(path).map_err(|e| Error::io(path, e))?;
    // The reader buffers its input itself.
    read_export(file, &path.display().to_string(), options)
}

/// Reads a whole export held in memory (bytes of the file).
pub fn read_export_bytes(bytes: &[u8], options: &ReadOptions) -> Result<Export> {
    read_export(io::Cursor::new(bytes), "<input>", options)
}

#[cfg(test)]
mod tests;
