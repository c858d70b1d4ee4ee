//! Property tests (proptest) of the public API:
//! - a written export reads back to the same records, and the reader's cell cap reports
//!   exactly the rows with an oversized cell, at the right line, loading none of them;
//! - genre normalisation is idempotent (also over real catalogue subjects), capped, and
//!   source-order stable in what it keeps;
//! - ISBN normalisation is idempotent;
//! - a dashboard written and read back is the same dashboard.
#![expect(clippy::unwrap_used)]

use std::sync::LazyLock;

use bookenrich_core::csv::{ReadOptions, RowProblemKind, export_bytes, read_export_bytes};
use bookenrich_core::genres::GenreNormalizer;
use bookenrich_core::{BookAnalytics, Dashboard, DashboardOptions, Isbn, build_dashboard};
use chrono::NaiveDate;
use proptest::collection::vec;
use proptest::prelude::*;

/// Text a cell may hold: any characters at all (quotes, commas, CR/LF, NUL, emoji).
fn raw_text(max: usize) -> impl Strategy<Value = String> {
    vec(any::<char>(), 0..max).prop_map(String::from_iter)
}

/// A value the reader gives for an optional text column: trimmed, never empty.
fn optional_text(max: usize) -> impl Strategy<Value = Option<String>> {
    proptest::option::of(
        raw_text(max).prop_map(|s| s.trim().to_owned()).prop_filter("not blank", |s| !s.is_empty()),
    )
}

/// Title and author are kept as written, surrounding blanks included, but never blank.
fn required_text(max: usize) -> impl Strategy<Value = String> {
    raw_text(max).prop_filter("not blank", |s| !s.trim().is_empty())
}

fn isbn_like() -> impl Strategy<Value = Option<String>> {
    proptest::option::of(prop_oneof!["[0-9]{9}[0-9X]", "[0-9]{13}"])
}

fn date() -> impl Strategy<Value = Option<NaiveDate>> {
    proptest::option::of(
        (1000i32..=9999, 1u32..=12, 1u32..=28)
            .prop_map(|(y, m, d)| NaiveDate::from_ymd_opt(y, m, d).unwrap()),
    )
}

fn nonzero_i32() -> impl Strategy<Value = Option<i32>> {
    proptest::option::of(any::<i32>().prop_filter("0 reads as absent", |y| *y != 0))
}

fn shelf() -> impl Strategy<Value = String> {
    raw_text(16)
        .prop_map(|s| s.replace(',', " ").trim().to_owned())
        .prop_filter("not blank", |s| !s.is_empty())
}

/// A book as the reader can produce it (see `csv::write_export` for the rules).
fn book() -> impl Strategy<Value = BookAnalytics> {
    let names = (
        required_text(30),
        required_text(20),
        optional_text(20),
        optional_text(20),
        isbn_like(),
        isbn_like(),
    );
    let numbers = (
        proptest::option::of(1u8..),
        proptest::option::of(any::<f64>().prop_filter("finite", |f| f.is_finite())),
        proptest::option::of(1u32..),
        nonzero_i32(),
        nonzero_i32(),
        date(),
        date(),
    );
    let texts = (
        optional_text(20),
        optional_text(12),
        vec(shelf(), 0..4),
        optional_text(30),
        proptest::option::of(prop_oneof![
            Just("read".to_owned()),
            Just("to-read".to_owned()),
            Just("currently-reading".to_owned()),
        ]),
        optional_text(80),
        any::<bool>(),
        optional_text(40),
        1u32..,
        any::<u32>(),
    );
    (names, numbers, texts).prop_map(
        |(
            (title, author, author_lf, additional_authors, isbn, isbn13),
            (my_rating, average_rating, num_pages, year, original_year, date_read, date_added),
            (
                publisher,
                binding,
                bookshelves,
                bookshelves_with_positions,
                reading_status,
                my_review,
                has_spoilers,
                private_notes,
                read_count,
                owned_copies,
            ),
        )| BookAnalytics {
            goodreads_id: String::new(),
            title,
            author,
            author_lf,
            additional_authors,
            isbn,
            isbn13,
            my_rating,
            average_rating,
            publisher,
            binding,
            num_pages,
            year_published: year,
            original_publication_year: original_year,
            date_read,
            date_added,
            bookshelves,
            bookshelves_with_positions,
            reading_status,
            my_review,
            has_spoilers,
            private_notes,
            read_count,
            owned_copies,
        },
    )
}

/// Books with unique ids (any text, made unique by a suffix).
fn library(max: usize) -> impl Strategy<Value = Vec<BookAnalytics>> {
    vec((book(), optional_text(8)), 0..max).prop_map(|books| {
        books
            .into_iter()
            .enumerate()
            .map(|(i, (mut book, id))| {
                book.goodreads_id = format!("{}{i}", id.unwrap_or_default());
                book
            })
            .collect()
    })
}

fn everything() -> ReadOptions {
    ReadOptions { include_unread: true, ..ReadOptions::default() }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn a_written_export_reads_back_to_the_same_records(books in library(12)) {
        let bytes = export_bytes(&books).unwrap();
        let export = read_export_bytes(&bytes, &everything()).unwrap();
        prop_assert!(export.problems.is_empty(), "{:?}", export.problems);
        prop_assert_eq!(export.rows_read, books.len() as u64);
        prop_assert_eq!(&export.books, &books);

        // Without include_unread, exactly the read books are kept, in order.
        let read = read_export_bytes(&bytes, &ReadOptions::default()).unwrap();
        let want: Vec<&BookAnalytics> = books.iter().filter(|b| b.is_read()).collect();
        prop_assert_eq!(read.books.iter().collect::<Vec<_>>(), want);
        prop_assert_eq!(read.unread_skipped, (books.len() - read.books.len()) as u64);
    }

    #[test]
    fn cells_over_the_cap_are_reported_at_their_line_and_the_rest_read(
        books in library(10),
        // At least the longest header name ("Bookshelves with positions"), or the header is refused.
        cap in 26usize..120,
    ) {
        let bytes = export_bytes(&books).unwrap();
        let options = ReadOptions { max_field_bytes: cap, ..everything() };
        let export = read_export_bytes(&bytes, &options).unwrap();

        // The csv crate, with no cap, is the oracle for cells and lines.
        let mut oracle = ::csv::ReaderBuilder::new().from_reader(bytes.as_slice());
        let header: Vec<String> = oracle.headers().unwrap().iter().map(str::to_owned).collect();
        let mut want_books = Vec::new();
        let mut want_problems = Vec::new();
        for (record, book) in oracle.byte_records().zip(&books) {
            let record = record.unwrap();
            match record.iter().position(|cell| cell.len() > cap) {
                Some(column) => want_problems.push((
                    record.position().unwrap().line(),
                    format!(
                        "column {:?} has {} bytes, more than the limit of {cap}",
                        header[column],
                        record[column].len()
                    ),
                )),
                None => want_books.push(book.clone()),
            }
        }
        let got_problems: Vec<(u64, String)> = export
            .problems
            .iter()
            .map(|p| {
                assert_eq!(p.kind, RowProblemKind::FieldTooLarge);
                (p.line, p.message.clone())
            })
            .collect();
        prop_assert_eq!(got_problems, want_problems);
        prop_assert_eq!(export.books, want_books);
    }

    #[test]
    fn a_dashboard_written_and_read_back_is_the_same(
        books in library(8),
        private in any::<bool>(),
    ) {
        let options = DashboardOptions {
            include_private_notes: private,
            export_id: Some("5f0c6a4e-8c1e-4f7e-9a59-2f1b0c9d8e7a".into()),
            timestamp: Some(chrono::DateTime::UNIX_EPOCH),
            ..DashboardOptions::default()
        };
        let dashboard = build_dashboard(&books, &[], &options);
        let json = dashboard.to_json_string().unwrap();
        let back = Dashboard::from_json_slice(json.as_bytes(), "<written>").unwrap();
        prop_assert_eq!(back.to_json_string().unwrap(), json);
        prop_assert_eq!(back, dashboard.into_owned());
    }
}

/// Subject strings of the recorded catalogue responses and the contract's dashboards: real-world
/// input for the normaliser.
static REAL_SUBJECTS: LazyLock<Vec<String>> = LazyLock::new(|| {
    let dirs = [
        concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data"),
        concat!(env!("CARGO_MANIFEST_DIR"), "/../tests/fixtures"),
    ];
    let mut found = Vec::new();
    for entry in dirs.iter().flat_map(|dir| std::fs::read_dir(dir).unwrap()) {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "json") {
            let value: serde_json::Value =
                serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
            collect_subjects(&value, &mut found);
        }
    }
    found.sort();
    found.dedup();
    assert!(found.len() > 100, "{} subjects", found.len());
    found
});

fn collect_subjects(value: &serde_json::Value, out: &mut Vec<String>) {
    use serde_json::Value;
    match value {
        Value::Object(map) => {
            for (key, inner) in map {
                match (key.as_str(), inner) {
                    ("subjects" | "subject" | "categories" | "genres", Value::Array(items)) => {
                        for item in items {
                            match item {
                                Value::String(s) => out.push(s.clone()),
                                Value::Object(o) => {
                                    if let Some(Value::String(s)) = o.get("name") {
                                        out.push(s.clone());
                                    }
                                }
                                _ => {}
                            }
                        }
                    }
                    ("mainCategory", Value::String(s)) => out.push(s.clone()),
                    _ => collect_subjects(inner, out),
                }
            }
        }
        Value::Array(items) => items.iter().for_each(|v| collect_subjects(v, out)),
        _ => {}
    }
}

/// Raw genre lists: real subjects mixed with arbitrary text.
fn raw_genres() -> impl Strategy<Value = Vec<String>> {
    let real = (0..REAL_SUBJECTS.len()).prop_map(|i| REAL_SUBJECTS[i].clone());
    vec(prop_oneof![4 => real, 1 => raw_text(30)], 0..40)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn genre_normalisation_is_idempotent_and_capped(raw in raw_genres(), cap in 1usize..12) {
        for normalizer in [GenreNormalizer::default(), GenreNormalizer::default().with_max_genres(cap)] {
            let once = normalizer.normalize(&raw);
            prop_assert!(once.len() <= normalizer.max_genres());
            let names: Vec<String> = once.iter().map(ToString::to_string).collect();
            let twice = normalizer.normalize(&names);
            prop_assert_eq!(&twice, &once, "normalising {:?} twice changed it", raw);
        }
    }

    #[test]
    fn merged_sources_normalise_to_a_fixed_point(a in raw_genres(), b in raw_genres()) {
        // The engine's union merge normalises per-source lists; the result is itself normal.
        let normalizer = GenreNormalizer::default();
        let merged = normalizer.normalize_sources(&[a.as_slice(), b.as_slice()]);
        let names: Vec<String> = merged.iter().map(ToString::to_string).collect();
        prop_assert_eq!(normalizer.normalize(&names), merged.clone());
        prop_assert_eq!(normalizer.normalize_sources(&[names.as_slice()]), merged);
    }

    #[test]
    fn isbn_normalisation_is_idempotent(digits in "[0-9]{9}[0-9X]|97[89][0-9]{10}", dashes in vec(0usize..13, 0..4)) {
        let mut written = digits.clone();
        for at in dashes {
            if at < written.len() {
                written.insert(at, '-');
            }
        }
        if let Ok(isbn) = Isbn::parse(&written) {
            let again = Isbn::parse(isbn.as_isbn13()).unwrap();
            prop_assert_eq!(&again, &isbn);
            if let Some(ten) = isbn.to_isbn10() {
                prop_assert_eq!(Isbn::parse(&ten).unwrap(), isbn);
            }
        }
    }
}
