//! `bookenrich genres audit` on the bundled example (offline, from a copy of its cache) and
//! on a dashboard: books without genres, unknown strings, and a rule file that fixes one.
#![allow(clippy::unwrap_used)] // Test helpers: a panic is a failure with its message.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn bookenrich(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_bookenrich"))
        .args(args)
        .env_remove("BOOKENRICH_CACHE")
        .env_remove("BOOKENRICH_SOURCES")
        .output()
        .unwrap()
}

/// A copy of the example's cache, so the test never touches the checkout.
fn example_cache(dir: &Path) -> PathBuf {
    let cache = dir.join("cache");
    std::fs::create_dir_all(&cache).unwrap();
    for entry in std::fs::read_dir(root().join("examples/cache")).unwrap() {
        let path = entry.unwrap().path();
        std::fs::copy(&path, cache.join(path.file_name().unwrap())).unwrap();
    }
    cache
}

fn audit_json(args: &[&str]) -> serde_json::Value {
    let out = bookenrich(args);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice(&out.stdout).unwrap()
}

#[test]
fn audits_the_example_library_offline_and_a_rule_file_fixes_an_unknown_string() {
    let dir = tempfile::tempdir().unwrap();
    let cache = example_cache(dir.path());
    let export = root().join("examples/goodreads_library_export.csv");
    let base = [
        "genres",
        "audit",
        export.to_str().unwrap(),
        "--cache",
        cache.to_str().unwrap(),
        "--offline",
        "--json",
    ];
    let a = audit_json(&base);
    assert_eq!(a["books"], 18);
    let without: Vec<&str> = a["without_genres"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| b["title"].as_str().unwrap())
        .collect();
    assert_eq!(a["with_genres"].as_u64().unwrap() + without.len() as u64, 18);
    let unknown = a["unknown"].as_array().unwrap();
    assert!(!unknown.is_empty());
    let counts: Vec<u64> = unknown.iter().map(|u| u["books"].as_u64().unwrap()).collect();
    assert!(counts.windows(2).all(|w| w[0] >= w[1]), "most frequent first: {counts:?}");
    let first = &unknown[0];
    assert!(first["rule"].as_str().unwrap().starts_with("[topics] "), "{first}");

    // The suggested rule, filled in, makes that string known.
    let text = first["text"].as_str().unwrap();
    let rules = dir.path().join("rules.toml");
    std::fs::write(&rules, format!("[topics]\n{text:?} = [\"Travel\"]\n")).unwrap();
    let mut with_rules = base.to_vec();
    with_rules.extend(["--rules", rules.to_str().unwrap()]);
    let fixed = audit_json(&with_rules);
    assert!(
        fixed["unknown"].as_array().unwrap().iter().all(|u| u["text"] != first["text"]),
        "{text} still unknown"
    );

    // The text report names the books and the rules.
    let out = bookenrich(&base[..base.len() - 1]);
    let report = String::from_utf8(out.stdout).unwrap();
    assert!(report.starts_with("18 books, "), "{report}");
    assert!(report.contains("Unknown strings"), "{report}");
}

#[test]
fn audits_a_dashboard_and_names_a_bad_one() {
    let dir = tempfile::tempdir().unwrap();
    let dashboard = dir.path().join("d.json");
    std::fs::write(
        &dashboard,
        r#"{"books":[{"title":"A","author":"B","genres":[]},{"title":"C","author":"D","genres":["Fantasy"]}]}"#,
    )
    .unwrap();
    let a = audit_json(&["genres", "audit", dashboard.to_str().unwrap(), "--json"]);
    assert_eq!((a["books"].as_u64(), a["with_genres"].as_u64()), (Some(2), Some(1)));
    assert_eq!(a["without_genres"][0]["title"], "A");

    std::fs::write(&dashboard, r#"{"books":[{"title":"A","genres":"x"}]}"#).unwrap();
    let out = bookenrich(&["genres", "audit", dashboard.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(3));
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(err.contains("d.json: invalid dashboard JSON: books[0].genres: not an array"), "{err}");
}
