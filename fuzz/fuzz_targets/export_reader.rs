//! The Goodreads export reader on arbitrary bytes, with small caps so they are reached.
#![no_main]

use bookenrich_core::csv::{ExportReader, ReadOptions, RowOutcome, read_export_bytes};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let options =
        ReadOptions { include_unread: true, max_field_bytes: 64, ..ReadOptions::default() };
    let Ok(export) = read_export_bytes(data, &options) else {
        return;
    };
    // Every row read is accounted for: a book, an unread row, or a reported problem.
    let accounted =
        export.books.len() as u64 + export.unread_skipped + export.problems.len() as u64;
    assert_eq!(export.rows_read, accounted);
    for problem in &export.problems {
        assert!(problem.line >= 1, "a problem names its line: {problem:?}");
        assert!(!problem.message.is_empty());
    }
    let mut ids: Vec<&str> = export.books.iter().map(|b| b.goodreads_id.as_str()).collect();
    for book in &export.books {
        assert!(!book.goodreads_id.trim().is_empty());
        assert!(!book.title.trim().is_empty());
        assert!(book.read_count >= 1);
        for field in [&book.title, &book.author] {
            assert!(field.len() <= options.max_field_bytes, "a cell over the cap was loaded");
        }
    }
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(ids.len(), export.books.len(), "Book Ids are unique");

    // The streaming reader gives the same rows as the whole-file reader.
    if let Ok(reader) = ExportReader::new(data, "<fuzz>", options.clone()) {
        let books = reader
            .filter_map(|r| match r {
                Ok(RowOutcome::Book(b)) => Some(*b),
                _ => None,
            })
            .count();
        assert_eq!(books, export.books.len());
    }
});
