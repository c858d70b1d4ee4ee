//! Tests of the genre normaliser.

use super::*;

fn fixture(name: &str) -> serde_json::Value {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../tests/fixtures")
        .join(name);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn strings(v: &serde_json::Value) -> Vec<String> {
    v.as_array()
        .map(|a| {
            a.iter()
                .filter_map(|s| {
                    s.as_str()
                        .or_else(|| s.get("name").and_then(|n| n.as_str()))
                        .map(str::to_owned)
                })
                .collect()
        })
        .unwrap_or_default()
}

fn names(g: &[Genre]) -> Vec<&str> {
    g.iter().map(Genre::as_str).collect()
}

#[test]
fn builtin_rules_compile() {
    assert!(GenreNormalizer::new().vocabulary().count() > 0);
}

#[test]
fn debug_dump() {
    let n = GenreNormalizer::new();
    for (f, key) in [
        (
            "openlibrary_works_OL45804W_fantastic_mr_fox.json",
            "subjects",
        ),
        ("openlibrary_works_OL15832982W_sabriel.json", "subjects"),
        (
            "openlibrary_books_edition_sabriel_subject_trailing_period.json",
            "subjects",
        ),
        ("google_volume_2cl7AgAAQBAJ_annihilation.json", "volumeInfo"),
        (
            "google_volume_49T5twEACAAJ_children_of_time.json",
            "volumeInfo",
        ),
    ] {
        let v = fixture(f);
        let s = if key == "volumeInfo" {
            strings(&v["volumeInfo"]["categories"])
        } else {
            strings(&v[key])
        };
        println!("== {f}: {:?}", names(&n.normalize(&s)));
        for raw in &s {
            let e = n.explain(raw);
            println!(
                "   {raw:?} -> {:?} {:?}",
                names(&e.genres),
                e.dropped
                    .iter()
                    .map(|d| format!("{}:{:?}", d.text, d.reason))
                    .collect::<Vec<_>>()
            );
        }
    }
    let tw = fixture("openlibrary_search_json_time_war.json");
    for d in tw["docs"].as_array().unwrap() {
        let s = strings(&d["subject"]);
        println!("== time war: {:?}", names(&n.normalize(&s)));
    }
    let hp = fixture("openlibrary_api_books_jscmd_data_3_bibkeys.json");
    for (k, v) in hp.as_object().unwrap() {
        let s = strings(&v["subjects"]);
        println!("== {k}: {:?}", names(&n.normalize(&s)));
        for raw in &s {
            let e = n.explain(raw);
            println!(
                "   {raw:?} -> {:?} {:?}",
                names(&e.genres),
                e.dropped
                    .iter()
                    .map(|d| format!("{}:{:?}", d.text, d.reason))
                    .collect::<Vec<_>>()
            );
        }
    }
}
