use bookenrich_core::Dashboard;
use serde_json::{Value, json};

use super::{DataOptions, ReportData, is_web_url};

/// A contract-shaped book; `overrides` replaces fields.
fn book(id: &str, overrides: &Value) -> Value {
    let mut b = json!({
        "goodreads_id": id, "title": format!("Title {id}"), "author": "Author A", "isbn": null, "isbn13": null,
        "date_read": null, "reading_year": null, "reading_month_year": null, "my_rating": null,
        "average_rating": null, "is_rated": false, "num_pages": null, "publisher": null, "binding": null,
        "publication_year": null, "page_category": null, "reading_status": "read", "bookshelves": [],
        "genres": [], "thumbnail_url": null, "small_thumbnail_url": null, "my_review": null,
        "private_notes": null, "has_spoilers": false, "has_review": false, "genre_enriched": false,
        "was_reread": false, "original_read_count": 1
    });
    for (k, v) in overrides.as_object().into_iter().flatten() {
        assert!(b.get(k).is_some(), "unknown book field {k}");
        b[k] = v.clone();
    }
    b
}

fn read_on(id: &str, date: &str, overrides: &Value) -> Value {
    let year: i32 = date[..4].parse().unwrap_or_default();
    let mut o = json!({"date_read": date, "reading_year": year, "reading_month_year": &date[..7]});
    for (k, v) in overrides.as_object().into_iter().flatten() {
        o[k] = v.clone();
    }
    book(id, &o)
}

/// A dashboard of `books`; the summary numbers are placeholders the report copies, not recomputes.
fn dashboard(books: &[Value]) -> Dashboard<'static> {
    let doc = json!({
        "export_id": "00000000-0000-4000-8000-000000000000",
        "books": books,
        "summary": {
            "total_books": books.len(), "read_books": 7, "rated_books": 3, "genre_enriched_books": 2,
            "genre_enrichment_rate": 50.0, "unique_authors": 2, "unique_genres": 0, "total_pages": 1234,
            "reading_date_range": {"earliest": "2019-01-02", "latest": "2024-05-06"},
            "reading_years": [2019, 2024], "average_rating": 3.5, "most_common_genres": []
        },
        "metadata": {
            "export_id": "00000000-0000-4000-8000-000000000000",
            "export_timestamp": "2024-06-01T00:00:00.000000Z", "exporter_version": "bookenrich 0.1.0",
            "data_schema_version": "1.0.0", "export_source": "goodreads_library_export", "processing_notes": [],
            "validation": {"books_with_missing_dates": 0, "books_with_missing_pages": 0,
                "re_read_books_original_count": 0,
                "genre_sources_success": {"google_books": 0, "open_library": 0, "both_sources": 0, "no_genres": 0}}
        }
    });
    let bytes = serde_json::to_vec(&doc).unwrap_or_default();
    match Dashboard::from_json_slice(&bytes, "<test>") {
        Ok(d) => d,
        Err(e) => panic!("test dashboard does not parse: {e}"),
    }
}

fn report(books: &[Value]) -> ReportData {
    ReportData::from_dashboard(&dashboard(books), DataOptions::default())
}

#[test]
fn headline_copies_the_summary_and_counts_rereads() {
    let r = report(&[
        read_on("1", "2020-01-01", &json!({"was_reread": true, "original_read_count": 3})),
        read_on("2", "2021-01-01", &json!({"was_reread": true, "original_read_count": 2})),
        read_on("3", "2021-02-01", &json!({})),
    ]);
    assert_eq!(r.headline.books_read, 7);
    assert_eq!(r.headline.pages_read, 1234);
    assert_eq!(r.headline.average_rating, Some(3.5));
    assert!((r.headline.enrichment_rate - 50.0).abs() < f64::EPSILON);
    assert_eq!(r.headline.first_read.as_deref(), Some("2019-01-02"));
    assert_eq!((r.headline.rereads, r.headline.reread_reads), (2, 5));
    assert_eq!(r.source.exporter_version, "bookenrich 0.1.0");
}

#[test]
fn per_year_counts_read_books_sums_pages_and_fills_gaps() {
    let r = report(&[
        read_on("1", "2019-03-01", &json!({"num_pages": 100})),
        read_on("2", "2019-12-31", &json!({"num_pages": 250})),
        read_on("3", "2022-06-01", &json!({})),
        // Not read: another shelf, or no date.
        read_on(
            "4",
            "2020-01-01",
            &json!({"reading_status": "currently-reading", "num_pages": 999}),
        ),
        book("5", &json!({"num_pages": 999})),
    ]);
    let years: Vec<(i32, u64, u64)> =
        r.per_year.iter().map(|y| (y.year, y.books, y.pages)).collect();
    assert_eq!(years, [(2019, 2, 350), (2020, 0, 0), (2021, 0, 0), (2022, 1, 0)]);
}

#[test]
fn a_stray_year_far_away_is_not_filled_with_empty_bars() {
    let r =
        report(&[read_on("1", "1900-01-01", &json!({})), read_on("2", "2024-01-01", &json!({}))]);
    assert_eq!(r.per_year.iter().map(|y| y.year).collect::<Vec<_>>(), [1900, 2024]);
}

#[test]
fn rating_distribution_has_five_entries_and_counts_unrated() {
    let r = report(&[
        book("1", &json!({"my_rating": 5})),
        book("2", &json!({"my_rating": 5})),
        book("3", &json!({"my_rating": 2, "reading_status": "dnf"})),
        book("4", &json!({})),
    ]);
    let counts: Vec<(u8, u64)> = r.ratings.stars.iter().map(|s| (s.stars, s.count)).collect();
    assert_eq!(counts, [(1, 0), (2, 1), (3, 0), (4, 0), (5, 2)]);
    assert_eq!(r.ratings.unrated, 1);
}

#[test]
fn rating_pairs_need_both_ratings_and_give_the_mean_difference() {
    let r = report(&[
        book("1", &json!({"my_rating": 5, "average_rating": 4.0})),
        book("2", &json!({"my_rating": 2, "average_rating": 4.0})),
        book("3", &json!({"my_rating": 4})),
        book("4", &json!({"average_rating": 3.9})),
    ]);
    let p = &r.rating_pairs;
    assert_eq!(p.points.len(), 2);
    assert_eq!(
        (p.points[0].title.as_str(), p.points[0].mine, p.points[0].community),
        ("Title 1", 5, 4.0)
    );
    assert_eq!(p.mean_difference, Some(-0.5));
    assert_eq!((p.higher, p.lower), (1, 1));
    assert_eq!(report(&[book("1", &json!({}))]).rating_pairs.mean_difference, None);
}

#[test]
fn fiction_and_nonfiction_are_split_apart_from_the_other_genres() {
    let r = report(&[
        book("1", &json!({"genres": ["Fantasy", "Fiction"]})),
        book("2", &json!({"genres": ["History", "Nonfiction"]})),
        book("3", &json!({"genres": ["Fiction", "Nonfiction", "Essays"]})),
        book("4", &json!({"genres": ["Poetry"]})),
        book("5", &json!({})),
        book("6", &json!({"genres": ["Fantasy", "Fantasy"]})),
    ]);
    let f = &r.fiction_split;
    assert_eq!((f.fiction, f.nonfiction, f.both, f.unclassified, f.no_genres), (1, 1, 1, 2, 1));
    let genres: Vec<(&str, u64)> =
        r.top_genres.iter().map(|g| (g.name.as_str(), g.count)).collect();
    // Counted once per book; Fiction/Nonfiction left out; ties in first-seen order.
    assert_eq!(genres, [("Fantasy", 2), ("History", 1), ("Essays", 1), ("Poetry", 1)]);
}

#[test]
fn top_genres_keep_the_twelve_most_common() {
    let books: Vec<Value> = (0..20)
        .map(|i| {
            let genres: Vec<String> = (0..=i).map(|g| format!("G{g:02}")).collect();
            book(&i.to_string(), &json!({ "genres": genres }))
        })
        .collect();
    let r = report(&books);
    assert_eq!(r.top_genres.len(), 12);
    assert_eq!((r.top_genres[0].name.as_str(), r.top_genres[0].count), ("G00", 20));
    assert_eq!((r.top_genres[11].name.as_str(), r.top_genres[11].count), ("G11", 9));
}

#[test]
fn top_authors_order_by_books_then_pages_then_name() {
    let r = report(&[
        read_on("1", "2020-01-01", &json!({"author": "Zed", "num_pages": 100, "my_rating": 4})),
        read_on("2", "2020-01-02", &json!({"author": "Zed", "num_pages": 100, "my_rating": 5})),
        read_on("3", "2020-01-03", &json!({"author": "Bea", "num_pages": 500})),
        read_on("4", "2020-01-04", &json!({"author": "Amy", "num_pages": 500})),
        read_on("5", "2020-01-05", &json!({"author": "Cal", "num_pages": 900})),
        book("6", &json!({"author": "Unread", "reading_status": "to-read"})),
    ]);
    let names: Vec<&str> = r.top_authors.iter().map(|a| a.name.as_str()).collect();
    assert_eq!(names, ["Zed", "Cal", "Amy", "Bea"]);
    assert_eq!(
        (r.top_authors[0].books, r.top_authors[0].pages, r.top_authors[0].average_rating),
        (2, 200, Some(4.5))
    );
    assert_eq!(r.top_authors[1].average_rating, None);
}

#[test]
fn page_lengths_follow_the_contract_categories_and_count_unknown_last() {
    let r = report(&[
        read_on("1", "2020-01-01", &json!({"page_category": "Long (350-500)"})),
        read_on("2", "2020-01-01", &json!({"page_category": "Short (<200)"})),
        read_on("3", "2020-01-01", &json!({})),
    ]);
    let lengths: Vec<(&str, u64)> =
        r.page_lengths.iter().map(|p| (p.name.as_str(), p.count)).collect();
    assert_eq!(
        lengths,
        [
            ("Short (<200)", 1),
            ("Medium (200-350)", 0),
            ("Long (350-500)", 1),
            ("Very Long (500+)", 0),
            ("Unknown", 1)
        ]
    );
}

#[test]
fn covers_are_web_urls_of_read_books_most_recent_first() {
    let books = [
        read_on("1", "2020-01-01", &json!({"thumbnail_url": "https://covers.example/1.jpg"})),
        read_on(
            "2",
            "2023-01-01",
            &json!({"thumbnail_url": "javascript:alert(1)", "small_thumbnail_url": "http://books.example/2"}),
        ),
        read_on("3", "2022-01-01", &json!({"thumbnail_url": "data:image/png;base64,AAAA"})),
        book(
            "4",
            &json!({"thumbnail_url": "https://covers.example/4.jpg", "reading_status": "to-read"}),
        ),
    ];
    let r = report(&books);
    let urls: Vec<&str> = r.covers.iter().map(|c| c.url.as_str()).collect();
    assert_eq!(urls, ["http://books.example/2", "https://covers.example/1.jpg"]);
    let none = ReportData::from_dashboard(&dashboard(&books), DataOptions { no_covers: true });
    assert!(none.covers.is_empty());
}

#[test]
fn only_plain_http_and_https_urls_are_web_urls() {
    for ok in [
        "https://covers.openlibrary.org/b/id/1-M.jpg",
        "HTTP://books.google.com/books/content?id=x&zoom=1",
    ] {
        assert!(is_web_url(ok), "{ok}");
    }
    for bad in [
        "javascript:alert(1)",
        "data:image/png;base64,AAAA",
        "//evil.example/x.jpg",
        "https://",
        "https:///path",
        "https://a.example/x\" onerror=\"alert(1)",
        "https://a.example/x y",
        "ftp://a.example/x",
        "",
    ] {
        assert!(!is_web_url(bad), "{bad}");
    }
}

#[test]
fn book_rows_are_newest_first_with_plain_text_reviews_and_no_private_notes() {
    let r = report(&[
        book("undated", &json!({"private_notes": "SECRET-NOTE"})),
        read_on(
            "old",
            "2019-01-01",
            &json!({"my_review": "Good<br/>book &amp; more", "has_spoilers": true}),
        ),
        read_on("new", "2024-01-01", &json!({"my_rating": 0, "my_review": "  "})),
    ]);
    let titles: Vec<&str> = r.books.iter().map(|b| b.title.as_str()).collect();
    assert_eq!(titles, ["Title new", "Title old", "Title undated"]);
    assert_eq!(r.books[1].review.as_deref(), Some("Good\nbook & more"));
    assert!(r.books[1].spoilers);
    assert_eq!(r.books[0].review, None);
    let json = serde_json::to_string(&r).unwrap_or_default();
    assert!(json.contains("Title undated"));
    assert!(!json.contains("SECRET-NOTE") && !json.contains("private"), "{json}");
}

#[test]
fn an_empty_dashboard_gives_empty_series() {
    let r = report(&[]);
    assert!(
        r.per_year.is_empty()
            && r.top_genres.is_empty()
            && r.top_authors.is_empty()
            && r.books.is_empty()
    );
    assert_eq!(r.ratings.stars.len(), 5);
    assert_eq!(r.page_lengths.len(), 4);
}
