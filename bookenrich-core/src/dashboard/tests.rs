use super::*;
use crate::error::Error;

/// A read book with a rating, pages and private notes (also for the reader's tests).
pub(super) fn book(id: &str, author: &str) -> BookAnalytics {
    BookAnalytics {
        goodreads_id: id.to_owned(),
        title: format!("Book {id}"),
        author: author.to_owned(),
        author_lf: None,
        additional_authors: None,
        isbn: None,
        isbn13: None,
        my_rating: Some(4),
        average_rating: Some(0.0),
        publisher: None,
        binding: None,
        num_pages: Some(100),
        year_published: None,
        original_publication_year: Some(2000),
        date_read: NaiveDate::from_ymd_opt(2020, 5, 1),
        date_added: None,
        bookshelves: vec![],
        bookshelves_with_positions: None,
        reading_status: Some("read".to_owned()),
        my_review: Some("  ".to_owned()),
        has_spoilers: false,
        private_notes: Some("secret".to_owned()),
        read_count: 1,
        owned_copies: 0,
    }
}

fn result(id: &str, genres: &[&str], sources: &[&str]) -> EnrichedBook {
    EnrichedBook {
        goodreads_id: Some(id.to_owned()),
        final_genres: genres.iter().map(|g| (*g).to_owned()).collect(),
        genre_sources: sources.iter().map(|s| (*s).to_owned()).collect(),
        thumbnail_url: Some(format!("https://covers.example/{id}.jpg")),
        ..EnrichedBook::default()
    }
}

#[test]
fn results_are_merged_by_id_not_by_position() {
    let books = vec![book("1", "A"), book("2", "B"), book("3", "C")];
    // Out of order, one missing (2), one extra (99).
    let results = vec![
        result("3", &["Fantasy"], &["open_library"]),
        result("99", &["Horror"], &[]),
        result("1", &["Science Fiction"], &["google_books"]),
    ];
    let d = build_dashboard(&books, &results, &DashboardOptions::default());
    let genres: Vec<Vec<&str>> =
        d.books.iter().map(|b| b.genres.iter().map(AsRef::as_ref).collect()).collect();
    assert_eq!(genres, vec![vec!["Science Fiction"], vec![], vec!["Fantasy"]]);
    assert_eq!(d.books[0].thumbnail_url.as_deref(), Some("https://covers.example/1.jpg"));
    assert_eq!(d.books[1].thumbnail_url, None);
    assert!(!d.books[1].genre_enriched);
    let v = &d.metadata.validation;
    assert_eq!(v.books_without_enrichment_result, 1);
    assert_eq!(
        v.genre_sources_success,
        GenreSourcesSuccess {
            google_books: 1,
            open_library: 1,
            both_sources: 0,
            no_genres: 1,
            other_sources: BTreeMap::new()
        }
    );
    assert!(
        d.metadata
            .processing_notes
            .iter()
            .any(|n| n == "1 enrichment results matched no book and were ignored")
    );
    assert!(
        d.metadata.processing_notes.iter().any(|n| n == "2 of 3 books have an enrichment result")
    );
    assert_eq!(d.summary.unique_genres, 2);
}

#[test]
fn duplicate_results_prefer_the_successful_one_and_failures_are_counted() {
    let books = vec![book("1", "A"), book("2", "A")];
    let mut failed = result("1", &[], &[]);
    failed.error = Some("open_library: HTTP 503".into());
    let mut failed2 = result("2", &[], &[]);
    failed2.error = Some("timeout".into());
    let results =
        vec![failed, result("1", &["Fantasy"], &["open_library", "google_books"]), failed2];
    let d = build_dashboard(&books, &results, &DashboardOptions::default());
    assert_eq!(d.books[0].genres, vec!["Fantasy"]);
    assert!(d.books[1].genres.is_empty());
    let v = &d.metadata.validation;
    assert_eq!(v.books_with_failed_lookup, 1);
    assert_eq!(v.genre_sources_success.both_sources, 1);
    assert_eq!(v.genre_sources_success.no_genres, 1);
    assert!(
        d.metadata
            .processing_notes
            .iter()
            .any(|n| n == "1 duplicate enrichment results were ignored")
    );
    assert_eq!(d.summary.unique_authors, 1);
}

#[test]
fn private_notes_are_left_out_unless_asked_for() {
    let books = vec![book("1", "A")];
    let d = build_dashboard(&books, &[], &DashboardOptions::default());
    assert_eq!(d.books[0].private_notes, None);
    assert!(!d.to_json_string().unwrap().contains("secret"));
    let opts = DashboardOptions { include_private_notes: true, ..DashboardOptions::default() };
    let d = build_dashboard(&books, &[], &opts);
    assert_eq!(d.books[0].private_notes.as_deref(), Some("secret"));
}

#[test]
fn most_common_genres_count_descending_ties_in_first_seen_order() {
    let books: Vec<BookAnalytics> = (1..=4).map(|i| book(&i.to_string(), "A")).collect();
    let results = vec![
        result("1", &["Horror", "Fantasy"], &["open_library"]),
        result("2", &["Fantasy", "Mystery"], &["open_library"]),
        result("3", &["Mystery"], &["open_library"]),
        result("4", &["Romance"], &["open_library"]),
    ];
    let d = build_dashboard(&books, &results, &DashboardOptions::default());
    let top: Vec<(&str, u64)> =
        d.summary.most_common_genres.iter().map(|g| (g.genre.as_str(), g.count)).collect();
    assert_eq!(top, [("Fantasy", 2), ("Mystery", 2), ("Horror", 1), ("Romance", 1)]);
    assert!((d.summary.most_common_genres[0].percentage - 100.0 * 2.0 / 6.0).abs() < 1e-12);
    assert!((d.summary.genre_enrichment_rate - 100.0).abs() < f64::EPSILON);
}

#[test]
fn empty_library_has_zero_rates_and_null_averages() {
    let d = build_dashboard(&[], &[], &DashboardOptions::default());
    assert_eq!(d.summary.total_books, 0);
    assert!(d.summary.genre_enrichment_rate.abs() < f64::EPSILON);
    assert_eq!(d.summary.average_rating, None);
    assert_eq!(d.summary.reading_date_range, DateRange::default());
}

#[test]
fn output_is_deterministic_given_id_and_timestamp_and_round_trips() {
    let books = vec![book("1", "Ünïcödé Author")];
    let opts = DashboardOptions {
        export_id: Some("00000000-0000-4000-8000-000000000000".into()),
        timestamp: DateTime::parse_from_rfc3339("2026-01-02T03:04:05Z")
            .ok()
            .map(|t| t.with_timezone(&Utc)),
        ..DashboardOptions::default()
    };
    let a = build_dashboard(&books, &[], &opts).to_json_string().unwrap();
    let b = build_dashboard(&books, &[], &opts).to_json_string().unwrap();
    assert_eq!(a, b);
    assert!(a.contains("Ünïcödé Author"), "non-ASCII is written as is");
    assert!(a.starts_with("{\n  \"export_id\": \"00000000-0000-4000-8000-000000000000\",\n  \"books\": [\n    {\n      \"goodreads_id\": \"1\""));
    assert!(a.contains("\"export_timestamp\": \"2026-01-02T03:04:05.000000Z\""));
    let back = Dashboard::from_json_slice(a.as_bytes(), "x.json").unwrap();
    assert_eq!(back.to_json_string().unwrap(), a);
    let err = Dashboard::from_json_slice(b"{\"books\": 3}", "bad.json").unwrap_err();
    assert!(err.to_string().starts_with("bad.json: invalid dashboard JSON: "), "{err}");
}

#[test]
fn writing_replaces_files_atomically_and_leaves_special_files_alone() {
    let books = vec![book("1", "A")];
    let d = build_dashboard(&books, &[], &DashboardOptions::default());
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("dashboard.json");
    std::fs::write(&out, "old").unwrap();
    d.write_to_path(&out).unwrap();
    assert!(std::fs::read_to_string(&out).unwrap().starts_with('{'));
    let leftovers: Vec<_> = std::fs::read_dir(dir.path()).unwrap().collect();
    assert_eq!(leftovers.len(), 1, "no temporary file is left behind");

    // Writing to a device must not replace the device with a regular file.
    d.write_to_path("/dev/null").unwrap();
    let meta = std::fs::metadata("/dev/null").unwrap();
    assert!(!meta.is_file(), "/dev/null is still a device");

    // Missing folders are made; a file where a folder should be is named in the error.
    d.write_to_path(dir.path().join("new/dir/d.json")).unwrap();
    assert!(dir.path().join("new/dir/d.json").is_file());
    let err = d.write_to_path(dir.path().join("dashboard.json/d.json")).unwrap_err();
    assert!(matches!(&err, Error::Io { path, .. } if path.ends_with("dashboard.json")), "{err}");
}

#[test]
fn streamed_dashboard_is_byte_for_byte_the_built_one() {
    let opts = |include_private_notes| DashboardOptions {
        include_private_notes,
        export_id: Some("00000000-0000-4000-8000-000000000000".into()),
        timestamp: DateTime::parse_from_rfc3339("2026-01-02T03:04:05Z")
            .ok()
            .map(|t| t.with_timezone(&Utc)),
        processing_notes: vec!["2 rows of the export could not be used".into()],
    };
    let mut books: Vec<BookAnalytics> =
        (1..=40).map(|i| book(&i.to_string(), ["A", "B", "Ünï"][i % 3])).collect();
    books[3].date_read = None;
    books[4].num_pages = None;
    books[5].read_count = 3;
    let mut failed = result("7", &[], &[]);
    failed.error = Some("open_library: HTTP 503".into());
    let results = vec![
        result("2", &["Fantasy", "Fiction"], &["open_library"]),
        result("1", &["Science Fiction"], &["google_books", "open_library"]),
        result("1", &["Duplicate"], &["google_books"]),
        failed,
        result("99", &["Unknown"], &["open_library"]),
        result("12", &["Fantasy"], &["google_books"]),
    ];
    let cases: [(&[BookAnalytics], &[EnrichedBook]); 4] =
        [(&books, &results), (&books, &[]), (&[], &results), (&[], &[])];
    for (books, results) in cases {
        for private in [false, true] {
            let built = build_dashboard(books, results, &opts(private)).to_json_string().unwrap();
            let mut streamed = Vec::new();
            write_dashboard_json(books, results, &opts(private), &mut streamed).unwrap();
            assert_eq!(
                String::from_utf8(streamed).unwrap(),
                built,
                "{} books, {} results, private notes {private}",
                books.len(),
                results.len()
            );
        }
    }

    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("dashboard.json");
    write_dashboard_to_path(&books, &results, &opts(false), &out).unwrap();
    let built = build_dashboard(&books, &results, &opts(false)).to_json_string().unwrap();
    assert_eq!(std::fs::read_to_string(&out).unwrap(), built);
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1, "no temporary file is left");
    write_dashboard_to_path(&books, &results, &opts(false), "/dev/null").unwrap();
    assert!(!std::fs::metadata("/dev/null").unwrap().is_file());
}
