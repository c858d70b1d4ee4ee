use super::*;
use crate::error::Error;

const HEADER: &str = "Book Id,Title,Author,Author l-f,Additional Authors,ISBN,ISBN13,My Rating,Average Rating,Publisher,Binding,Number of Pages,Year Published,Original Publication Year,Date Read,Date Added,Bookshelves,Bookshelves with positions,Exclusive Shelf,My Review,Spoiler,Private Notes,Read Count,Owned Copies";

fn all() -> ReadOptions {
    ReadOptions { include_unread: true, ..ReadOptions::default() }
}

fn read(data: &str, options: &ReadOptions) -> Export {
    read_export_bytes(data.as_bytes(), options).expect("readable export")
}

fn row(id: &str, title: &str, author: &str, rest: &str) -> String {
    format!("{id},{title},{author},{rest}")
}

#[test]
fn excel_isbn_wrapper_is_stripped_and_lengths_checked() {
    assert_eq!(clean_isbn("=\"0374104093\""), Some("0374104093".into()));
    assert_eq!(clean_isbn("=\"043906487x\""), Some("043906487X".into()));
    assert_eq!(clean_isbn("=\"9780374104092\""), Some("9780374104092".into()));
    assert_eq!(clean_isbn("=\"\""), None);
    assert_eq!(clean_isbn(""), None);
    assert_eq!(clean_isbn("=\"12345\""), None);
    assert_eq!(clean_isbn("978-0-374-10409-2"), Some("9780374104092".into()));
    // A re-saved spreadsheet may have turned the ISBN into a number; it is still read as text.
    assert_eq!(clean_isbn("9780374104092"), Some("9780374104092".into()));
}

#[test]
fn integers_follow_the_contract() {
    assert_eq!(parse_int(""), None);
    assert_eq!(parse_int("0"), None);
    assert_eq!(parse_int("abc"), None);
    assert_eq!(parse_int("3.0"), Some(3));
    assert_eq!(parse_int(" 320 "), Some(320));
    assert_eq!(parse_int("-750"), Some(-750));
    assert_eq!(parse_int("NaN"), None);
    assert_eq!(parse_int("1e400"), None);
}

#[test]
fn dates_in_every_accepted_shape() {
    let d = |y, m, day| NaiveDate::from_ymd_opt(y, m, day);
    assert_eq!(parse_date("2023/03/14"), d(2023, 3, 14));
    assert_eq!(parse_date("2023-03-14"), d(2023, 3, 14));
    assert_eq!(parse_date("03/14/2023"), d(2023, 3, 14));
    assert_eq!(parse_date("2008/09"), d(2008, 9, 1));
    assert_eq!(parse_date("2007"), d(2007, 1, 1));
    assert_eq!(parse_date("2016/02/29"), d(2016, 2, 29));
    assert_eq!(parse_date("2015/02/29"), None);
    assert_eq!(parse_date("2008/13"), None);
    assert_eq!(parse_date("yesterday"), None);
    assert_eq!(parse_date(""), None);
    assert_eq!(parse_date("20071"), None);
}

#[test]
fn spoiler_shelves_and_counts() {
    for yes in ["true", "TRUE", " yes ", "1", "y", "Y"] {
        assert!(parse_bool(yes), "{yes}");
    }
    for no in ["", "false", "no", "0", "n", "maybe"] {
        assert!(!parse_bool(no), "{no}");
    }
    assert_eq!(split_shelves(" sci-fi, weird ,, favorites "), vec!["sci-fi", "weird", "favorites"]);
    assert!(split_shelves("").is_empty());
    let data = format!(
        "{HEADER}\n1,T,A,,,,,,,,,,,,2020/01/01,,,,read,,,,0,\n2,T2,A,,,,,,,,,,,,2020/01/01,,,,read,,,,5,3\n"
    );
    let e = read(&data, &ReadOptions::default());
    assert_eq!(e.books[0].read_count, 1);
    assert_eq!(e.books[0].owned_copies, 0);
    assert_eq!(e.books[1].read_count, 5);
    assert_eq!(e.books[1].owned_copies, 3);
}

#[test]
fn columns_are_found_by_name_in_any_order_and_unknown_ones_ignored() {
    let data = "Exclusive Shelf,Unknown,Author,Date Read,Title,Book Id\nread,x,Frank Herbert,2020/01/02,Dune,42\n";
    let e = read(data, &ReadOptions::default());
    assert_eq!(e.books.len(), 1);
    let b = &e.books[0];
    assert_eq!(
        (b.goodreads_id.as_str(), b.title.as_str(), b.author.as_str()),
        ("42", "Dune", "Frank Herbert")
    );
    assert_eq!(b.isbn, None);
    assert!(b.is_read());
}

#[test]
fn bom_crlf_and_multiline_quoted_reviews() {
    let data = format!(
        "\u{feff}{HEADER}\r\n1,\"Title, with comma\",Author,,,,,5,4.1,,,100,,,2021/01/01,,,,read,\"Line one\r\n\"\"quoted\"\"\nline three\",,,1,0\r\n2,Other,Someone,,,,,,,,,,,,2021/02/01,,,,read,,,,1,0\r\n"
    );
    let e = read(&data, &ReadOptions::default());
    assert!(e.problems.is_empty(), "{:?}", e.problems);
    assert!(e.processing_notes().is_empty());
    assert_eq!(e.books.len(), 2);
    assert_eq!(e.books[0].title, "Title, with comma");
    assert_eq!(e.books[0].my_review.as_deref(), Some("Line one\r\n\"quoted\"\nline three"));
    assert_eq!(e.books[1].goodreads_id, "2");
}

#[test]
fn title_and_author_are_kept_as_written() {
    let data = format!("{HEADER}\n1,  Spaced Title ,Author  ,,,,,,,,,,,,,,,,to-read,,,,,\n");
    let e = read(&data, &all());
    assert_eq!(e.books[0].title, "  Spaced Title ");
    assert_eq!(e.books[0].author, "Author  ");
}

#[test]
fn unusable_rows_are_reported_with_line_and_reason_and_never_abort_the_rest() {
    let data = [
        HEADER.to_owned(),
        row("1", "Good", "A", ",,,,,,,,,,,2020/01/01,,,,read,,,,1,0"),
        row("", "No id", "A", ",,,,,,,,,,,2020/01/01,,,,read,,,,1,0"),
        row("3", "", "A", ",,,,,,,,,,,2020/01/01,,,,read,,,,1,0"),
        row("4", "No author", "  ", ",,,,,,,,,,,2020/01/01,,,,read,,,,1,0"),
        row("1", "Dup", "A", ",,,,,,,,,,,2020/01/01,,,,read,,,,1,0"),
        "6,Short row,A,,".to_owned(),
        row("7", "\"Multi\nline title\"", "A", ",,,,,,,,,,,2020/01/01,,,,read,,,,1,0"),
        row("8", "Last", "A", ",,,,,,,,,,,2020/01/01,,,,read,,,,1,0"),
    ]
    .join("\n");
    let e = read(&data, &ReadOptions::default());
    let ids: Vec<&str> = e.books.iter().map(|b| b.goodreads_id.as_str()).collect();
    assert_eq!(ids, ["1", "7", "8"]);
    let problems: Vec<String> = e.problems.iter().map(ToString::to_string).collect();
    assert_eq!(
        problems,
        [
            "line 3: column \"Book Id\" is blank",
            "line 4: column \"Title\" is blank",
            "line 5: column \"Author\" is blank",
            "line 6: Book Id 1 appears again; the first row with it is kept",
            "line 7: row has 5 fields, the header has 24",
        ]
    );
    assert_eq!(e.problems[3].kind, RowProblemKind::DuplicateBookId);
    assert_eq!(e.problems[3].goodreads_id.as_deref(), Some("1"));
    assert_eq!(e.rows_read, 8);
    assert_eq!(e.processing_notes(), ["5 rows of the export could not be used"]);
}

#[test]
fn invalid_utf8_and_oversized_cells_are_reported_not_loaded() {
    let mut data = format!("{HEADER}\n").into_bytes();
    data.extend_from_slice(b"1,Bad \xff title,A,,,,,,,,,,,,2020/01/01,,,,read,,,,1,0\n");
    data.extend_from_slice(
        format!("2,Big,A,,,,,,,,,,,,2020/01/01,,,,read,{},,,1,0\n", "x".repeat(2000)).as_bytes(),
    );
    data.extend_from_slice(b"3,Fine,A,,,,,,,,,,,,2020/01/01,,,,read,,,,1,0\n");
    let options = ReadOptions { max_field_bytes: 1000, ..ReadOptions::default() };
    let e = read_export_bytes(&data, &options).unwrap();
    assert_eq!(e.books.len(), 1);
    assert_eq!(e.problems[0].kind, RowProblemKind::InvalidUtf8);
    assert_eq!(e.problems[0].to_string(), "line 2: column \"Title\" is not valid UTF-8 (byte 5)");
    assert_eq!(e.problems[1].kind, RowProblemKind::FieldTooLarge);
    assert_eq!(
        e.problems[1].to_string(),
        "line 3: column \"My Review\" has 2000 bytes, more than the limit of 1000"
    );
}

#[test]
fn include_unread_and_limit() {
    let data = format!(
        "{HEADER}\n1,A,X,,,,,,,,,,,,2020/01/01,,,,read,,,,1,0\n2,B,X,,,,,,,,,,,,,,,,to-read,,,,,\n3,C,X,,,,,,,,,,,,,,,,read,,,,,\n4,D,X,,,,,,,,,,,,2020/01/01,,,,read,,,,1,0\n"
    );
    let e = read(&data, &ReadOptions::default());
    assert_eq!(e.books.iter().map(|b| b.goodreads_id.as_str()).collect::<Vec<_>>(), ["1", "4"]);
    assert_eq!(e.unread_skipped, 2);
    let e = read(&data, &all());
    assert_eq!(e.books.len(), 4);
    let e = read(
        &data,
        &ReadOptions { include_unread: true, limit: Some(2), ..ReadOptions::default() },
    );
    assert_eq!(e.books.iter().map(|b| b.goodreads_id.as_str()).collect::<Vec<_>>(), ["1", "2"]);
}

#[test]
fn missing_required_columns_are_named() {
    let err =
        read_export_bytes(b"Book Id,Author,ISBN\n1,A,\n", &ReadOptions::default()).unwrap_err();
    assert_eq!(err.to_string(), "<input>: missing required column(s): Title");
    let err = read_export_bytes(b"ISBN,My Rating\n1,2\n", &ReadOptions::default()).unwrap_err();
    assert!(
        matches!(&err, Error::MissingColumns { columns, .. } if columns == &["Book Id", "Title", "Author"])
    );
}

#[test]
fn files_that_are_not_exports_get_one_clear_error() {
    let err = read_export_bytes(b"", &ReadOptions::default()).unwrap_err();
    assert_eq!(err.to_string(), "<input>: not a Goodreads library export: the file is empty");
    let err =
        read_export_bytes(b"name,age,city\nBob,3,Paris\n", &ReadOptions::default()).unwrap_err();
    assert_eq!(
        err.to_string(),
        "<input>: not a Goodreads library export: none of the Goodreads columns (Book Id, Title, Author, …) is in the header [name, age, city]"
    );
    let err = read_export_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", &ReadOptions::default())
        .unwrap_err();
    assert!(matches!(err, Error::NotAnExport { .. }), "{err}");
    let err =
        read_export_bytes(b"\xff\xfe\x00B\x00o\x00o\x00k", &ReadOptions::default()).unwrap_err();
    assert!(matches!(err, Error::NotAnExport { .. }), "{err}");
}

#[test]
fn a_missing_file_names_the_path() {
    let err = read_export_path("/nonexistent/dir/export.csv", &ReadOptions::default()).unwrap_err();
    assert!(err.to_string().starts_with("/nonexistent/dir/export.csv: "), "{err}");
}

#[test]
fn the_reader_streams_row_by_row() {
    let data = format!(
        "{HEADER}\n1,A,X,,,,,,,,,,,,2020/01/01,,,,read,,,,1,0\n,B,X,,,,,,,,,,,,,,,,to-read,,,,,\n"
    );
    let mut reader = ExportReader::new(data.as_bytes(), "mem.csv", ReadOptions::default()).unwrap();
    assert!(matches!(reader.next(), Some(Ok(RowOutcome::Book(_)))));
    assert!(matches!(reader.next(), Some(Ok(RowOutcome::Problem(_)))));
    assert!(reader.next().is_none());
    assert_eq!(reader.file_name(), "mem.csv");
}

#[test]
fn hand_parsed_dates_agree_with_chrono() {
    let chrono_date = |t: &str| NaiveDate::parse_from_str(t, "%Y/%m/%d").ok();
    let mut checked = 0;
    for year in [1, 999, 1900, 2000, 2015, 2016, 2024, 9999] {
        for month in 0..=13 {
            for day in 0..=32 {
                let t = format!("{year:04}/{month:02}/{day:02}");
                assert_eq!(parse_slashed_ymd(&t), chrono_date(&t), "{t}");
                assert_eq!(parse_date(&t), chrono_date(&t), "{t}");
                checked += 1;
            }
        }
    }
    assert!(checked > 3000);
    // Other shapes are left to the general path.
    for t in ["2016/2/29", "2016-02-29", "02/29/2016", "+2016/02/2", "2016/02/2x", "２０１６/02/29"]
    {
        assert_eq!(parse_slashed_ymd(t), None, "{t}");
    }
    assert_eq!(parse_date(" 2016/02/29 "), NaiveDate::from_ymd_opt(2016, 2, 29));
}

#[test]
fn read_rows_are_decided_on_the_cells_as_on_the_book() {
    let mut cells: [&str; KNOWN_COLUMNS.len()] = [""; KNOWN_COLUMNS.len()];
    cells[BOOK_ID] = "1";
    cells[TITLE] = "T";
    cells[AUTHOR] = "A";
    for shelf in ["read", " read ", "Read", "to-read", "currently-reading", ""] {
        for date in ["2020/01/02", "2020", "2020/13/01", "", "soon", "01/02/2020"] {
            cells[EXCLUSIVE_SHELF] = shelf;
            cells[DATE_READ] = date;
            assert_eq!(
                is_read_row(&cells),
                book_from_cells(&cells).is_read(),
                "shelf {shelf:?}, date {date:?}"
            );
        }
    }
}

#[test]
fn seen_ids_keep_numeric_and_text_ids_apart() {
    let mut seen = SeenIds::default();
    assert!(seen.insert("12"));
    assert!(!seen.insert("12"));
    assert!(seen.insert("012"), "a leading zero makes another id, as text");
    assert!(!seen.insert("012"));
    assert!(seen.insert("0"));
    assert!(!seen.insert("0"));
    assert!(seen.insert("00"));
    assert!(seen.insert("abc"));
    assert!(!seen.insert("abc"));
    assert!(seen.insert("99999999999999999999"), "too long for u64: text");
    assert!(!seen.insert("99999999999999999999"));
    assert!(seen.insert("18446744073709551615"));
    assert!(seen.insert("+12"), "u64 parsing accepts a sign; the id is still text");
    assert!(!seen.insert("+12"));
}

#[test]
fn row_problem_kind_names_are_the_serialised_names() {
    use RowProblemKind as K;
    for kind in [
        K::BlankBookId,
        K::DuplicateBookId,
        K::BlankTitle,
        K::BlankAuthor,
        K::FieldCount,
        K::FieldTooLarge,
        K::InvalidUtf8,
    ] {
        assert_eq!(serde_json::to_value(kind).ok(), Some(serde_json::json!(kind.as_str())));
    }
}

#[test]
fn books_read_from_an_export_keep_the_rules_validate_checks() {
    let export = read("Book Id,Title,Author,My Rating\n1,Dune,Frank Herbert,4\n", &all());
    let mut book = export.books[0].clone();
    assert_eq!(book.validate(), Ok(()));
    book.read_count = 0;
    let err = book.validate().unwrap_err();
    assert_eq!(
        (err.field, err.to_string().as_str()),
        ("read_count", "read_count must be at least 1, got 0")
    );
    book.read_count = 1;
    book.my_rating = Some(7);
    assert_eq!(
        book.validate().unwrap_err().to_string(),
        "my_rating must be between 0 and 5, got 7"
    );
    assert_eq!(
        BookAnalytics::rating(300).unwrap_err().to_string(),
        "my_rating must be between 0 and 5, got 300"
    );
    assert_eq!(BookAnalytics::rating(5), Ok(5));
}
