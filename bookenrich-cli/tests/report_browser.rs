//! `bookenrich report` in headless Chromium: the page renders with no console message at all,
//! its script finishes, and every chart holds exactly the data points the dashboard implies.
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
    let rendered = chromium::render(page_path);
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

    // Every chart is either drawn with exactly the expected marks, or says why it is empty.
    for (name, expect) in CHARTS {
        let want = expect(&dashboard);
        let drawn = els.iter().any(|e| e.name == "svg" && e.attr("data-chart") == Some(name));
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

    // Nothing but the page's two scripts; no element loads anything except the covers.
    assert_eq!(
        els.iter().filter(|e| e.name == "script").count(),
        2,
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
        assert!(
            els.iter().any(|e| e.name == "svg" && e.attr("data-chart") == Some(name)),
            "{name} not drawn"
        );
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
