//! The dashboard contract: `goodreads_edge_cases.csv` must give the Python pipeline's
//! expected books and summary, value for value (see `shared/contract/README.md`).

use std::path::PathBuf;

use bookenrich_core::csv::{ReadOptions, read_export_path};
use bookenrich_core::{DashboardOptions, build_dashboard};
use serde_json::Value;

fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../tests/fixtures").join(name)
}

fn expected(name: &str) -> Value {
    let text = std::fs::read_to_string(fixture(name)).expect("fixture is readable");
    serde_json::from_str(&text).expect("fixture is JSON")
}

fn actual(include_unread: bool) -> Value {
    let options = ReadOptions { include_unread, ..ReadOptions::default() };
    let export =
        read_export_path(fixture("goodreads_edge_cases.csv"), &options).expect("export reads");
    assert!(export.problems.is_empty(), "{:?}", export.problems);
    let dashboard = build_dashboard(
        &export.books,
        &[],
        &DashboardOptions { include_private_notes: true, ..DashboardOptions::default() },
    );
    serde_json::to_value(&dashboard).expect("serialisable")
}

fn assert_same(actual: &Value, expected: &Value, path: &str) {
    match (actual, expected) {
        (Value::Object(a), Value::Object(e)) => {
            let ak: Vec<&String> = a.keys().collect();
            let ek: Vec<&String> = e.keys().collect();
            assert_eq!(ak, ek, "keys (and their order) of {path}");
            for (k, v) in e {
                assert_same(&a[k], v, &format!("{path}.{k}"));
            }
        }
        (Value::Array(a), Value::Array(e)) => {
            assert_eq!(a.len(), e.len(), "length of {path}");
            for (i, (x, y)) in a.iter().zip(e).enumerate() {
                assert_same(x, y, &format!("{path}[{i}]"));
            }
        }
        (Value::Number(a), Value::Number(e)) => {
            assert_eq!(a.as_f64(), e.as_f64(), "{path}");
            assert_eq!(a.is_f64(), e.is_f64(), "number type of {path}: {a} vs {e}");
        }
        _ => assert_eq!(actual, expected, "{path}"),
    }
}

fn check(include_unread: bool, expected_file: &str) {
    let actual = actual(include_unread);
    let expected = expected(expected_file);
    assert_same(&actual["books"], &expected["books"], "books");
    assert_same(&actual["summary"], &expected["summary"], "summary");
    let keys: Vec<&String> = actual.as_object().expect("object").keys().collect();
    assert_eq!(keys, ["export_id", "books", "summary", "metadata"]);
}

#[test]
fn default_export_matches_the_python_pipeline() {
    check(false, "expected_dashboard_default.json");
}

#[test]
fn all_shelves_export_matches_the_python_pipeline() {
    check(true, "expected_dashboard_all_shelves.json");
}

#[test]
fn metadata_counts_what_happened() {
    let v = actual(true);
    let m = &v["metadata"];
    assert_eq!(m["export_id"], v["export_id"]);
    assert_eq!(m["data_schema_version"], "1.0.0");
    let val = &m["validation"];
    assert_eq!(val["books_with_missing_dates"], 3);
    assert_eq!(val["books_with_missing_pages"], 2);
    assert_eq!(val["re_read_books_original_count"], 3);
    assert_eq!(val["genre_sources_success"]["no_genres"], 15);
    assert_eq!(val["books_without_enrichment_result"], 15);
}
