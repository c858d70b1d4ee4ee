//! `bookenrich report` in headless Chromium: the page renders with no console message at all,
//! its script finishes, every chart holds exactly the data points the dashboard implies, and the
//! layout reads well (measured in the page by `report/layout_probe.js`: no panel or card more than
//! half empty, axis labels present, no text overlapping another, one title per cover box) — on the
//! bundled example, a 3-book library, a 5,000-book synthetic one and the test fixtures.
//!
//! These tests need Chromium, so they are `#[ignore]`d in a plain `cargo test`; `scripts/ci/cli.sh`
//! installs Chromium and runs them with `--ignored`, failing CI if they fail.

#[path = "report/chromium.rs"]
mod chromium;
#[path = "report/dom.rs"]
mod dom;
#[path = "report/expected.rs"]
mod expected;
#[path = "report/run.rs"]
mod run;

use std::path::Path;

use serde_json::Value;

use dom::{Element, elements, series};
use run::{
    GENRES_FIXTURE, HOSTILE_TITLE, cover_urls, edge_case_dashboard, read_json, report, root,
};

/// The charts of the page: (`data-chart-box` name, expected marks).
type Expectation = (&'static str, fn(&Value) -> Vec<(String, String)>);
const CHARTS: [Expectation; 8] = [
    ("books-per-year", expected::books_per_year),
    ("pages-per-year", expected::pages_per_year),
    ("rating-distribution", expected::rating_distribution),
    ("rating-vs-community", expected::rating_vs_community),
    ("fiction-split", expected::fiction_split),
    ("top-genres", expected::top_genres),
    ("top-authors", expected::top_authors),
    ("page-lengths", expected::page_lengths),
];

/// Renders the report of `dashboard` (a file) and checks everything that holds for any dashboard.
fn render_and_check(dashboard_path: &Path, page_path: &Path, extra: &[&str]) -> Vec<Element> {
    let dashboard = read_json(dashboard_path);
    report(dashboard_path, page_path, extra);
    let chromium::Measured { rendered, layout } = chromium::render_measured(page_path);
    assert!(
        rendered.console.is_empty(),
        "the page wrote to the console:\n{}",
        rendered.console.join("\n")
    );
    let els = elements(&rendered.dom);
    assert_eq!(
        els.first().and_then(|e| e.attr("data-report")),
        Some("ready"),
        "the page's script did not finish:\n{}",
        rendered.dom
    );

    // The layout, as measured in the page.
    let problems = layout["problems"].as_array().map_or(&[][..], Vec::as_slice);
    assert!(
        problems.is_empty(),
        "layout problems:\n{}",
        serde_json::to_string_pretty(problems).unwrap_or_default()
    );
    assert_eq!(layout["pending_covers"], 0, "every cover loaded or failed: {layout}");
    // No network here: every cover failed and shows its placeholder instead.
    assert_eq!(layout["placeholders"], layout["covers"], "{layout}");
    let without_genres = run::books(&dashboard)
        .iter()
        .filter(|b| b["genres"].as_array().is_none_or(Vec::is_empty))
        .count();
    assert_eq!(layout["no_genres_markers"], without_genres, "a marker on each book without genres");

    // Every chart is drawn (as an SVG, or as a list when all its bars would be equal) with exactly
    // the expected marks, or says why it is empty.
    for (name, expect) in CHARTS {
        let want = expect(&dashboard);
        let drawn = els.iter().any(|e| e.attr("data-chart") == Some(name));
        let empty = els.iter().any(|e| e.attr("data-empty") == Some(name));
        let all_zero = want.iter().all(|(_, v)| v == "0");
        if want.is_empty() || all_zero {
            assert!(empty && !drawn, "{name}: expected the empty-chart message, drawn={drawn}");
        } else {
            assert!(drawn && !empty, "{name}: expected an SVG chart, empty={empty}");
            assert_eq!(series(&els, name), want, "{name}: data points");
        }
    }

    // Headline cards show the dashboard's own numbers.
    let summary = &dashboard["summary"];
    assert_eq!(card(&els, "books-read"), group(summary["read_books"].as_u64().unwrap_or(u64::MAX)));
    assert_eq!(
        card(&els, "pages-read"),
        group(summary["total_pages"].as_u64().unwrap_or(u64::MAX))
    );
    assert_eq!(
        card(&els, "authors"),
        group(summary["unique_authors"].as_u64().unwrap_or(u64::MAX))
    );
    let average = summary["average_rating"]
        .as_f64()
        .map_or_else(|| "\u{2013}".to_owned(), |a| format!("{a:.2}"));
    assert_eq!(card(&els, "average-rating"), average);
    assert_eq!(
        card(&els, "enrichment-rate"),
        format!("{:.0}%", summary["genre_enrichment_rate"].as_f64().unwrap_or(-1.0))
    );
    let rereads = run::books(&dashboard).iter().filter(|b| b["was_reread"] == true).count() as u64;
    assert_eq!(card(&els, "rereads"), group(rereads));

    // One table row per book (plus the header row).
    assert_eq!(els.iter().filter(|e| e.name == "tr").count(), run::books(&dashboard).len() + 1);

    // Nothing but the page's two scripts and the test's probe; no element loads anything except
    // the covers.
    assert_eq!(
        els.iter().filter(|e| e.name == "script").count(),
        3,
        "an extra <script> element appeared"
    );
    let covers = cover_urls(&dashboard);
    for e in &els {
        for attr in
            ["src", "href", "srcset", "xlink:href", "action", "formaction", "poster", "data"]
        {
            if let Some(value) = e.attr(attr) {
                assert!(
                    e.name == "img" && covers.iter().any(|c| c == value),
                    "<{} {attr}={value:?}> loads something that is not a cover of the dashboard",
                    e.name
                );
            }
        }
    }
    els
}

/// The value text of headline card `name`.
fn card(els: &[Element], name: &str) -> String {
    let i = els
        .iter()
        .position(|e| e.attr("data-card") == Some(name))
        .unwrap_or_else(|| panic!("no card {name}"));
    els.get(i + 1).filter(|e| e.has_class("value")).map(|e| e.text.clone()).unwrap_or_default()
}

/// `n` with thousands separators, as the page writes it.
fn group(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

#[test]
#[ignore = "needs headless Chromium; run by scripts/ci/cli.sh"]
fn the_harness_sees_console_errors_and_an_unfinished_script() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let page = dir.path().join("broken.html");
    let html = "<!DOCTYPE html><html><body><script>console.error('bad'); null.boom;</script></body></html>";
    std::fs::write(&page, html).unwrap_or_else(|e| panic!("{e}"));
    let rendered = chromium::render(&page);
    assert_eq!(rendered.console.len(), 2, "{:?}", rendered.console);
    assert!(
        rendered.console.iter().any(|l| l.contains("Uncaught TypeError")),
        "{:?}",
        rendered.console
    );
    assert_eq!(elements(&rendered.dom)[0].attr("data-report"), None);
}

#[test]
#[ignore = "needs headless Chromium; run by scripts/ci/cli.sh"]
fn the_layout_probe_sees_empty_panels_overlapping_text_and_repeated_titles() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let page = dir.path().join("bad.html");
    let html = r#"<!DOCTYPE html><html><head><meta http-equiv="Content-Security-Policy" content="script-src 'self'"></head><body>
<figure class="panel" id="panel-tall" style="height:400px;margin:0"><figcaption>Tall</figcaption>
<svg data-chart="c" data-kind="columns" viewBox="0 0 200 100" width="200" height="100">
<rect class="mark" data-label="2020" x="10" y="10" width="20" height="80"></rect>
<rect class="mark" data-label="2021" x="40" y="10" width="20" height="80"></rect>
<text class="tick-label" data-axis-label="2020" x="20" y="98">2020</text>
<text x="20" y="98">overlap</text></svg></figure>
<figure class="cover"><div class="placeholder">Dune</div><figcaption>Dune</figcaption></figure>
</body></html>"#;
    std::fs::write(&page, html).unwrap_or_else(|e| panic!("{e}"));
    let layout = chromium::render_measured(&page).layout;
    let problems: Vec<&str> = layout["problems"]
        .as_array()
        .map(|p| p.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    for expected in [
        "more than half empty",
        "column 2021 has no axis label",
        "value-axis labels",
        "overlaps",
        "cover box showing [\"Dune\",\"Dune\"]",
    ] {
        assert!(problems.iter().any(|p| p.contains(expected)), "{expected:?} not in {problems:#?}");
    }
}

#[test]
#[ignore = "needs headless Chromium; run by scripts/ci/cli.sh"]
fn edge_case_export_report_renders_with_every_chart() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let dashboard =
        edge_case_dashboard(dir.path(), &["--include-unread", "--include-private-notes"]);
    let els = render_and_check(&dashboard, &dir.path().join("report.html"), &[]);
    // No enrichment: the genre charts explain themselves instead of drawing nothing.
    assert!(els.iter().any(|e| e.attr("data-empty") == Some("top-genres")));
    let text: String = els.iter().map(|e| e.text.as_str()).collect();
    assert!(text.contains("Annihilation (Southern Reach #1)"));
    assert!(text.contains("Strange and beautiful."), "the review is shown as text");
    assert!(!text.contains(run::EDGE_CASES_PRIVATE_NOTE), "a private note reached the page");
}

#[test]
#[ignore = "needs headless Chromium; run by scripts/ci/cli.sh"]
fn dashboard_with_genres_and_covers_renders_hostile_text_as_text() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let dashboard_path = root().join(GENRES_FIXTURE);
    let els = render_and_check(&dashboard_path, &dir.path().join("report.html"), &[]);
    let dashboard = read_json(&dashboard_path);

    // Every chart is drawn here, and the genre charts hold data.
    for (name, _) in CHARTS {
        assert!(els.iter().any(|e| e.attr("data-chart") == Some(name)), "{name} not drawn");
    }
    assert!(series(&els, "top-genres").iter().any(|(g, _)| g == "<!-- Weird -->"));

    // Covers: one figure per read book with a web cover; the `javascript:` one is not among them.
    let figures = els.iter().filter(|e| e.name == "figure" && e.has_class("cover")).count();
    assert_eq!(figures, expected::cover_count(&dashboard));
    assert!(els.iter().all(|e| e.attr("src") != Some("javascript:alert(3)")));

    // The hostile title, author and review are text nodes, not markup.
    let cells: Vec<&str> = els.iter().filter(|e| e.name == "td").map(|e| e.text.as_str()).collect();
    assert!(cells.contains(&HOSTILE_TITLE), "hostile title not shown as text");
    assert!(cells.contains(&"<img src=x onerror=alert(2)>"), "hostile author not shown as text");
    assert!(
        els.iter().any(|e| e.name == "p" && e.text == "alert(4)Tom & Jerry"),
        "hostile review not shown as text"
    );
    assert!(els.iter().all(|e| e.attr("onerror").is_none()), "an event-handler attribute appeared");
    let text: String = els.iter().map(|e| e.text.as_str()).collect();
    assert!(!text.contains(run::FIXTURE_PRIVATE_NOTE), "a private note reached the page");
}

#[test]
#[ignore = "needs headless Chromium; run by scripts/ci/cli.sh"]
fn no_covers_means_no_images() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let els = render_and_check(
        &root().join(GENRES_FIXTURE),
        &dir.path().join("report.html"),
        &["--no-covers"],
    );
    assert!(!els.iter().any(|e| e.name == "img" || e.has_class("cover")));
    let section = els.iter().find(|e| e.attr("id") == Some("covers-section"));
    assert!(
        section.is_some_and(|s| s.attr("hidden").is_some()),
        "the covers section is shown without covers"
    );
}

/// The dashboard of the bundled example (the README's first command, on a copy of its cache), with
/// `extra` arguments.
fn example_dashboard(dir: &Path, extra: &[&str]) -> std::path::PathBuf {
    let cache = dir.join("cache");
    std::fs::create_dir_all(&cache).unwrap_or_else(|e| panic!("{e}"));
    std::fs::copy(root().join("examples/cache/cache.sqlite3"), cache.join("cache.sqlite3"))
        .unwrap_or_else(|e| panic!("{e}"));
    let out = dir.join("dashboard.json");
    let mut args = vec![
        "enrich".as_ref(),
        std::ffi::OsStr::new("examples/goodreads_library_export.csv"),
        "--cache".as_ref(),
        cache.as_os_str(),
        "--offline".as_ref(),
        "--quiet".as_ref(),
        "--export-id".as_ref(),
        "0b7a2c1e-5d4f-4e3a-9c8b-7a6f5e4d3c2b".as_ref(),
        "-o".as_ref(),
        out.as_os_str(),
    ];
    args.extend(extra.iter().map(|a| std::ffi::OsStr::new(*a)));
    run::assert_success(&run::bookenrich(&args), "bookenrich enrich");
    out
}

#[test]
#[ignore = "needs headless Chromium; run by scripts/ci/cli.sh"]
fn the_bundled_example_reads_well() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let dashboard = example_dashboard(dir.path(), &[]);
    let els = render_and_check(&dashboard, &dir.path().join("report.html"), &[]);
    // Every author of the example has one read book: a list of names, not ten equal bars.
    assert!(els.iter().any(|e| e.name == "ul" && e.attr("data-chart") == Some("top-authors")));
    assert!(!els.iter().any(|e| e.name == "svg" && e.attr("data-chart") == Some("top-authors")));
}

#[test]
#[ignore = "needs headless Chromium; run by scripts/ci/cli.sh"]
fn a_three_book_library_reads_well() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let dashboard = example_dashboard(dir.path(), &["--limit", "3"]);
    assert_eq!(run::books(&read_json(&dashboard)).len(), 3);
    render_and_check(&dashboard, &dir.path().join("report.html"), &[]);
}

#[test]
#[ignore = "needs headless Chromium; run by scripts/ci/cli.sh"]
fn a_5000_book_synthetic_library_reads_well() {
    use bookenrich_benches::{fixtures, library};
    use bookenrich_core::genres::GenreNormalizer;
    use bookenrich_core::{DashboardOptions, write_dashboard_to_path};

    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    // The benchmarks' generated export, enriched as the engine would (genres normalised from the
    // recorded catalogue subjects, covers, some books without genres and some failed).
    let books = library::books(5_000).unwrap_or_else(|e| panic!("{e}"));
    let subjects = fixtures::raw_subject_lists().unwrap_or_else(|e| panic!("{e}"));
    let results = library::enrichment_results(&books, &subjects, &GenreNormalizer::default());
    let dashboard = dir.path().join("dashboard.json");
    let options = DashboardOptions {
        export_id: Some("5f0c9a3e-2b1d-4c8e-9f7a-6e5d4c3b2a10".to_owned()),
        ..DashboardOptions::default()
    };
    write_dashboard_to_path(&books, &results, &options, &dashboard)
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(run::books(&read_json(&dashboard)).len(), 5_000);
    render_and_check(&dashboard, &dir.path().join("report.html"), &[]);
}
