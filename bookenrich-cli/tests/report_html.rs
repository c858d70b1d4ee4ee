//! `bookenrich report` without a browser: the page it writes holds the data, is self-contained,
//! escapes hostile text, never shows private notes, is the same for the same input, and bad
//! input fails with the documented exit codes.

#[path = "report/dom.rs"]
mod dom;
#[path = "report/run.rs"]
mod run;

use std::collections::{BTreeSet, HashSet};

use serde_json::Value;

use run::{
    EDGE_CASES_PRIVATE_NOTE, FIXTURE_PRIVATE_NOTE, GENRES_FIXTURE, HOSTILE_TITLE, bookenrich,
    books, cover_urls, edge_case_dashboard, embedded_data, read_json, report, root,
};

fn tempdir() -> tempfile::TempDir {
    tempfile::tempdir().unwrap_or_else(|e| panic!("temporary directory: {e}"))
}

/// The page without its JSON data block.
fn without_data_block(page: &str) -> String {
    let open = r#"<script type="application/json" id="report-data">"#;
    let start = page.find(open).unwrap_or(page.len());
    let end = page[start..].find("</script>").map_or(page.len(), |i| start + i);
    format!("{}{}", &page[..start], &page[end..])
}

/// The page `bookenrich report` writes for the genres fixture, given `extra` arguments.
fn genres_fixture_page(extra: &[&str]) -> String {
    let dir = tempdir();
    report(&root().join(GENRES_FIXTURE), &dir.path().join("report.html"), extra)
}

/// The string `field` of each object in the array `list` (nothing when `list` is not an array).
fn strings<'a>(list: &'a Value, field: &str) -> Vec<&'a str> {
    list.as_array().into_iter().flatten().filter_map(|item| item[field].as_str()).collect()
}

#[test]
fn the_synthetic_dashboard_fixture_follows_the_contract() {
    let d = read_json(GENRES_FIXTURE.as_ref());
    let keys: Vec<&str> =
        d.as_object().map(|o| o.keys().map(String::as_str).collect()).unwrap_or_default();
    assert_eq!(keys, ["export_id", "books", "summary", "metadata"]);
    let all = books(&d);
    let read: Vec<&Value> = all
        .iter()
        .filter(|b| b["reading_status"] == "read" && b["date_read"].is_string())
        .collect();
    let s = &d["summary"];
    assert_eq!(s["total_books"], all.len());
    assert_eq!(s["read_books"], read.len());
    assert_eq!(s["total_pages"], read.iter().filter_map(|b| b["num_pages"].as_u64()).sum::<u64>());
    assert_eq!(
        s["rated_books"],
        all.iter().filter(|b| b["my_rating"].as_u64().is_some_and(|r| r > 0)).count()
    );
    let enriched = all.iter().filter(|b| b["genre_enriched"] == true).count();
    assert_eq!(s["genre_enriched_books"], enriched);
    assert_eq!(
        s["genre_enrichment_rate"].as_f64(),
        Some(enriched as f64 / all.len() as f64 * 100.0)
    );
    let authors: HashSet<&str> = all.iter().filter_map(|b| b["author"].as_str()).collect();
    assert_eq!(s["unique_authors"], authors.len());
    let years: BTreeSet<i64> = read.iter().filter_map(|b| b["reading_year"].as_i64()).collect();
    assert_eq!(s["reading_years"], serde_json::json!(years));
    for b in all {
        assert!(b["goodreads_id"].is_string() && b["title"].is_string() && b["author"].is_string());
        assert_eq!(b["genre_enriched"], !b["genres"].as_array().is_none_or(Vec::is_empty));
        assert_eq!(b["was_reread"], b["original_read_count"].as_u64().is_some_and(|n| n > 1));
    }
}

#[test]
fn the_page_embeds_the_report_data() {
    let dashboard = read_json(GENRES_FIXTURE.as_ref());
    let page = genres_fixture_page(&[]);
    let data = embedded_data(&page);
    assert_eq!(data["headline"]["books_read"], dashboard["summary"]["read_books"]);
    assert_eq!(data["headline"]["pages_read"], dashboard["summary"]["total_pages"]);
    assert_eq!(data["books"].as_array().map(Vec::len), Some(books(&dashboard).len()));
    let titles = strings(&data["books"], "title");
    assert!(
        titles.contains(&"Gödel, Escher, Bach: an Eternal Golden Braid"),
        "non-ASCII title kept"
    );
    let years: Vec<i64> = data["per_year"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|y| y["year"].as_i64())
        .collect();
    assert_eq!(years, [2019, 2020, 2021, 2022, 2023, 2024]);
    assert_eq!(data["top_genres"][0]["name"], "Fantasy");
    assert!(page.contains("<title>Reading report 2019–2024</title>"));
}

#[test]
fn hostile_text_cannot_leave_the_data_block() {
    let page = genres_fixture_page(&[]);
    assert_eq!(page.matches("<script").count(), 2, "only the data block and the page's script");
    assert_eq!(page.matches("</script>").count(), 2);
    // Text such as `onerror=` may stay in the data: without a `<` it can never become markup.
    for raw in [HOSTILE_TITLE, "<img", "<!--", "alert(4)</script>"] {
        assert!(!page.contains(raw), "{raw:?} appears unescaped in the page");
    }
    let data = embedded_data(&page);
    let titles = strings(&data["books"], "title");
    assert!(titles.contains(&HOSTILE_TITLE), "the hostile title is still in the data, intact");
    // The script is allowed by its hash only: injected markup could not run even if it got in.
    let csp = dom::elements(&page)
        .into_iter()
        .find(|e| e.attr("http-equiv") == Some("Content-Security-Policy"))
        .and_then(|e| e.attr("content").map(str::to_owned))
        .unwrap_or_default();
    assert!(csp.contains("script-src 'sha256-") && !csp.contains("unsafe-inline"), "{csp}");
}

#[test]
fn nothing_outside_the_page_is_loaded_except_cover_images() {
    let dashboard = read_json(GENRES_FIXTURE.as_ref());
    let page = genres_fixture_page(&[]);
    // The markup, style and script name no URL but the SVG namespace.
    let shell = without_data_block(&page);
    for e in dom::elements(&shell) {
        for attr in ["src", "href", "srcset", "action", "poster", "data"] {
            assert!(e.attr(attr).is_none(), "<{} {attr}=…> in the page", e.name);
        }
    }
    let urls: Vec<&str> = ["http://", "https://"]
        .iter()
        .flat_map(|scheme| {
            shell.match_indices(scheme).map(|(i, _)| &shell[i..(i + 26).min(shell.len())])
        })
        .collect();
    assert_eq!(urls, ["http://www.w3.org/2000/svg"], "the page names other URLs");
    // The data names only the dashboard's own cover images, and only http(s) ones.
    let allowed = cover_urls(&dashboard);
    let data = embedded_data(&page);
    let covers = strings(&data["covers"], "url");
    assert!(!covers.is_empty());
    for url in &covers {
        assert!(allowed.iter().any(|a| a == url) && url.starts_with("http"), "{url}");
    }
    assert!(!page.contains("javascript:"));
}

#[test]
fn no_covers_leaves_out_every_image_url() {
    let dashboard = read_json(GENRES_FIXTURE.as_ref());
    let page = genres_fixture_page(&["--no-covers"]);
    assert_eq!(embedded_data(&page)["covers"], serde_json::json!([]));
    for url in cover_urls(&dashboard) {
        assert!(!page.contains(&url.replace('&', "\\u0026")), "{url} in the page");
    }
    assert!(page.contains("img-src 'none'"));
}

#[test]
fn private_notes_never_reach_the_page() {
    let dir = tempdir();
    let dashboard = edge_case_dashboard(dir.path(), &["--include-private-notes"]);
    let text = std::fs::read_to_string(&dashboard).unwrap_or_default();
    assert!(
        text.contains(EDGE_CASES_PRIVATE_NOTE),
        "the dashboard itself has the note (else this test proves nothing)"
    );
    let page = report(&dashboard, &dir.path().join("edge.html"), &[]);
    assert!(!page.contains(EDGE_CASES_PRIVATE_NOTE));
    let page = genres_fixture_page(&[]);
    assert!(!page.contains(FIXTURE_PRIVATE_NOTE));
}

#[test]
fn reviews_are_carried_as_plain_text() {
    let dir = tempdir();
    let dashboard = edge_case_dashboard(dir.path(), &[]);
    let page = report(&dashboard, &dir.path().join("report.html"), &[]);
    let data = embedded_data(&page);
    let review = data["books"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|b| b["title"] == "Annihilation (Southern Reach #1)")
        .map(|b| b["review"].clone())
        .unwrap_or_default();
    assert_eq!(
        review,
        "Strange and beautiful.\n\nThe \"Shimmer\" before it was cool, really.\nSecond line of the review."
    );
}

#[test]
fn the_same_dashboard_gives_the_same_page() {
    let dir = tempdir();
    let dashboard = edge_case_dashboard(dir.path(), &["--include-unread"]);
    let a = report(&dashboard, &dir.path().join("a.html"), &[]);
    let b = report(&dashboard, &dir.path().join("b.html"), &[]);
    assert!(a == b, "two runs on the same dashboard differ");
    let (g1, g2) = (genres_fixture_page(&[]), genres_fixture_page(&[]));
    assert!(g1 == g2, "two runs on the same dashboard differ");
}

#[test]
fn bad_dashboard_json_exits_3_naming_the_file() {
    let dir = tempdir();
    let bad = dir.path().join("not_a_dashboard.json");
    std::fs::write(&bad, r#"{"books": "nope"}"#).unwrap_or_else(|e| panic!("{e}"));
    let out_path = dir.path().join("report.html");
    let out = bookenrich(["report".as_ref(), bad.as_os_str(), "-o".as_ref(), out_path.as_os_str()]);
    assert_eq!(out.status.code(), Some(3));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("not_a_dashboard.json") && stderr.contains("invalid dashboard JSON"),
        "{stderr}"
    );
    assert!(!out_path.exists(), "a page was written for bad input");

    let missing = dir.path().join("missing.json");
    let out =
        bookenrich(["report".as_ref(), missing.as_os_str(), "-o".as_ref(), out_path.as_os_str()]);
    assert_eq!(out.status.code(), Some(3));
    assert!(String::from_utf8_lossy(&out.stderr).contains("missing.json"));
}

#[test]
fn an_unwritable_output_exits_4_and_leaves_nothing_behind() {
    let dir = tempdir();
    let out_path = dir.path().join("no_such_dir").join("report.html");
    let out = bookenrich([
        "report".as_ref(),
        root().join(GENRES_FIXTURE).as_os_str(),
        "-o".as_ref(),
        out_path.as_os_str(),
    ]);
    assert_eq!(out.status.code(), Some(4));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("report.html") && !stderr.contains("report.html.tmp"), "{stderr}");
    // An existing directory as the output: the rename fails, and no temporary file is left.
    let out = bookenrich([
        "report".as_ref(),
        root().join(GENRES_FIXTURE).as_os_str(),
        "-o".as_ref(),
        dir.path().as_os_str(),
    ]);
    assert_eq!(out.status.code(), Some(4));
    let name = dir.path().file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let tmp = dir.path().with_file_name(format!("{name}.tmp"));
    assert!(!tmp.exists(), "{} left behind", tmp.display());
}
