//! The bad dashboards of `tests/fixtures/invalid_dashboards.json`, which the Python and Node
//! tests give their write functions too: the core's check reports each with the kind, field
//! and message the fixture gives, so all three front ends report the same.

use std::path::PathBuf;

use bookenrich_core::csv::{ReadOptions, read_export_path};
use bookenrich_core::error::Detail;
use bookenrich_core::{Dashboard, DashboardOptions, build_dashboard};
use serde_json::Value;

fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../tests/fixtures").join(name)
}

/// The dashboard every case edits.
fn base() -> Value {
    let export = read_export_path(fixture("goodreads_edge_cases.csv"), &ReadOptions::default())
        .expect("export reads");
    let dashboard = build_dashboard(&export.books, &[], &DashboardOptions::default());
    serde_json::to_value(&dashboard).expect("serialisable")
}

/// `value` with the case's edit made at its path.
fn edited(mut value: Value, case: &Value) -> Value {
    let at = case["at"].as_array().expect("`at` is a path");
    let (last, parents) = at.split_last().expect("`at` is not empty");
    let mut node = &mut value;
    for step in parents {
        node = match step {
            Value::Number(i) => {
                let index = i.as_u64().and_then(|i| usize::try_from(i).ok());
                &mut node[index.expect("an index is a whole number")]
            }
            Value::String(key) => &mut node[key.as_str()],
            other => panic!("bad step {other}"),
        };
    }
    let key = last.as_str().expect("the last step is a key");
    let object = node.as_object_mut().expect("edits are made in objects");
    if case["delete"] == Value::Bool(true) {
        assert!(object.shift_remove(key).is_some(), "{key} exists");
    } else {
        object.insert(key.to_owned(), case["set"].clone());
    }
    value
}

#[test]
fn every_bad_dashboard_is_reported_as_the_fixture_says() {
    let text = std::fs::read_to_string(fixture("invalid_dashboards.json")).unwrap();
    let fixture: Value = serde_json::from_str(&text).unwrap();
    let base = base();
    assert!(Dashboard::from_json_value(&base, "<input>").is_ok(), "the base is a dashboard");
    let cases = fixture["cases"].as_array().unwrap();
    assert!(cases.len() >= 5);
    for case in cases {
        let err = Dashboard::from_json_value(&edited(base.clone(), case), "<input>").unwrap_err();
        assert_eq!(err.kind().as_str(), case["kind"], "{case}");
        assert_eq!(err.to_string(), case["message"], "{case}");
        let field = err.details().into_iter().find(|(name, _)| *name == "field");
        let want = Detail::Text(case["field"].as_str().unwrap().to_owned());
        assert_eq!(field, Some(("field", want)), "{case}");
    }
}
