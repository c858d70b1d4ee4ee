use base64::Engine as _;
use serde_json::Value;
use sha2::{Digest, Sha256};

use super::{SCRIPT, STYLE, TEMPLATE, content_security_policy, embeddable_json, fill, render_page};
use crate::report::data::{
    Cover, FictionSplit, Headline, RatingDistribution, RatingPairs, ReportData, Source, StarCount,
};

const HOSTILE: &str =
    "</script><script>alert(1)</script><!-- {{data}} <img src=x onerror=alert(2)> & \u{2028}";

fn data_with_title(title: &str) -> ReportData {
    ReportData {
        source: Source {
            export_id: "id".into(),
            export_timestamp: "2024-01-01T00:00:00Z".into(),
            exporter_version: "bookenrich 0.1.0".into(),
        },
        headline: Headline {
            total_books: 1,
            books_read: 1,
            pages_read: 0,
            rated_books: 0,
            average_rating: None,
            enriched_books: 0,
            enrichment_rate: 0.0,
            rereads: 0,
            reread_reads: 0,
            unique_authors: 1,
            first_read: None,
            last_read: None,
        },
        per_year: Vec::new(),
        ratings: RatingDistribution {
            stars: (1..=5).map(|stars| StarCount { stars, count: 0 }).collect(),
            unrated: 1,
        },
        rating_pairs: RatingPairs {
            points: Vec::new(),
            mean_difference: None,
            higher: 0,
            lower: 0,
        },
        fiction_split: FictionSplit {
            fiction: 0,
            nonfiction: 0,
            both: 0,
            unclassified: 0,
            no_genres: 1,
        },
        top_genres: Vec::new(),
        top_authors: Vec::new(),
        page_lengths: Vec::new(),
        covers: vec![Cover {
            title: title.into(),
            author: "A".into(),
            url: "https://covers.example/1.jpg".into(),
        }],
        books: Vec::new(),
    }
}

/// The text of the JSON data block of `page`.
fn data_block(page: &str) -> &str {
    let open = r#"<script type="application/json" id="report-data">"#;
    let start = page.find(open).map_or(0, |i| i + open.len());
    let end = page[start..].find("</script>").map_or(page.len(), |i| start + i);
    &page[start..end]
}

#[test]
fn embedded_json_cannot_close_the_script_element_and_parses_back_unchanged() {
    let original = serde_json::json!({ "title": HOSTILE });
    let embedded = embeddable_json(&original.to_string());
    for forbidden in ["<", ">", "&", "\u{2028}"] {
        assert!(!embedded.contains(forbidden), "{forbidden:?} in {embedded}");
    }
    let back: Value = serde_json::from_str(&embedded).unwrap_or_default();
    assert_eq!(back, original);
}

#[test]
fn a_hostile_title_stays_inside_the_data_block() {
    let page = render_page(&data_with_title(HOSTILE)).unwrap_or_default();
    assert_eq!(page.matches("<script").count(), 2, "only the data block and the page script");
    assert_eq!(page.matches("</script>").count(), 2);
    assert!(!page.contains("alert(1)</script>") && !page.contains("<img"));
    let data: Value = serde_json::from_str(data_block(&page)).unwrap_or_default();
    assert_eq!(data["covers"][0]["title"], HOSTILE);
}

#[test]
fn placeholders_are_filled_once_from_the_template_only() {
    assert_eq!(fill("a{{x}}b{{y}}c{{x}}", &[("x", "{{y}}"), ("y", "Y")]), "a{{y}}bYc{{y}}");
    assert_eq!(fill("{{unknown}} {{ open", &[("x", "1")]), "{{unknown}} {{ open");
    for name in ["csp", "title", "style", "script", "data"] {
        assert!(TEMPLATE.contains(&format!("{{{{{name}}}}}")), "template lacks {{{{{name}}}}}");
    }
    let page = render_page(&data_with_title("t")).unwrap_or_default();
    assert!(!page.contains("{{"), "unfilled placeholder");
}

#[test]
fn the_policy_allows_exactly_the_inline_script_and_style() {
    let hash =
        |s: &str| base64::engine::general_purpose::STANDARD.encode(Sha256::digest(s.as_bytes()));
    let csp = content_security_policy(true);
    assert!(csp.contains(&format!("script-src 'sha256-{}'", hash(SCRIPT))), "{csp}");
    assert!(csp.contains(&format!("style-src 'sha256-{}'", hash(STYLE))), "{csp}");
    assert!(csp.starts_with("default-src 'none';") && csp.contains("img-src https: http:"));
    assert!(content_security_policy(false).contains("img-src 'none'"));
    // The hashed text must be exactly what sits between the tags.
    let page = render_page(&data_with_title("t")).unwrap_or_default();
    assert!(
        page.contains(&format!("<script>{SCRIPT}</script>"))
            && page.contains(&format!("<style>{STYLE}</style>"))
    );
}

#[test]
fn the_script_never_parses_data_as_html_nor_reaches_the_network() {
    for banned in [
        "innerHTML",
        "outerHTML",
        "insertAdjacentHTML",
        "document.write",
        "eval(",
        "Function(",
        "fetch(",
        "XMLHttpRequest",
        "WebSocket",
        "import(",
        "console.",
    ] {
        assert!(!SCRIPT.contains(banned), "report.js uses {banned}");
    }
    // The SVG namespace is the one URL the script may name.
    let urls: Vec<&str> =
        SCRIPT.match_indices("http").map(|(i, _)| &SCRIPT[i..(i + 26).min(SCRIPT.len())]).collect();
    assert_eq!(urls, ["http://www.w3.org/2000/svg"]);
    for banned in ["url(", "@import", "http"] {
        assert!(!STYLE.contains(banned), "report.css uses {banned}");
    }
}

#[test]
fn the_page_title_names_the_reading_years() {
    let mut data = data_with_title("t");
    let page = render_page(&data).unwrap_or_default();
    assert!(page.contains("<title>Reading report</title>"));
    data.per_year = [2019, 2020]
        .into_iter()
        .map(|year| crate::report::data::YearCount { year, books: 1, pages: 0 })
        .collect();
    let page = render_page(&data).unwrap_or_default();
    assert!(page.contains("<title>Reading report 2019–2020</title>"));
}
