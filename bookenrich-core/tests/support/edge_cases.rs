//! The contract's edge-case export (`tests/fixtures/goodreads_edge_cases.csv`), read for the
//! integration tests: ISBN books, ISBN-less books, a bad check digit, books unknown to one or
//! both catalogues.

use bookenrich_core::csv::{ReadOptions, read_export_path};
use bookenrich_core::{BookAnalytics, BookInfo};

const EXPORT: &str =
    concat!(env!("CARGO_MANIFEST_DIR"), "/../tests/fixtures/goodreads_edge_cases.csv");

/// Every row, read or not.
pub(crate) fn records() -> Vec<BookAnalytics> {
    let options = ReadOptions { include_unread: true, ..ReadOptions::default() };
    read_export_path(EXPORT, &options).expect("the edge-case export reads").books
}

/// Every row, read or not, as the enricher takes it.
#[allow(dead_code, reason = "not every test file that includes this module uses it")]
pub(crate) fn books() -> Vec<BookInfo> {
    records().iter().map(BookAnalytics::book_info).collect()
}
