//! The recorded catalogue responses of `bookenrich-core/tests/data/` (compiled in), and the raw
//! subject lists found in them, as realistic benchmark inputs.

use serde_json::Value;

/// Open Library `api/books?…&jscmd=data` for three bibkeys (Harry Potter with 94 subjects, Zen speaks, Atomic Habits).
pub const OL_BOOKS_THREE_BIBKEYS: &str = include_str!(
    "../../bookenrich-core/tests/data/openlibrary_api_books_jscmd_data_3_bibkeys.json"
);
/// Open Library `search.json` for This Is How You Lose the Time War (2 docs).
pub const OL_SEARCH_TIME_WAR: &str =
    include_str!("../../bookenrich-core/tests/data/openlibrary_search_json_time_war.json");
/// Open Library work record of Fantastic Mr. Fox (31 multilingual subjects).
pub const OL_WORK_MR_FOX: &str = include_str!(
    "../../bookenrich-core/tests/data/openlibrary_works_OL45804W_fantastic_mr_fox.json"
);
/// Open Library work record of Sabriel.
pub const OL_WORK_SABRIEL: &str =
    include_str!("../../bookenrich-core/tests/data/openlibrary_works_OL15832982W_sabriel.json");
/// Open Library edition of Sabriel (subject `"Fantasy."`).
pub const OL_EDITION_SABRIEL: &str = include_str!(
    "../../bookenrich-core/tests/data/openlibrary_books_edition_sabriel_subject_trailing_period.json"
);
/// Google `volumes?q=isbn:9780374104092` (Annihilation).
pub const GOOGLE_SEARCH_ANNIHILATION: &str = include_str!(
    "../../bookenrich-core/tests/data/google_volumes_isbn_9780374104092_annihilation.json"
);
/// Google `volumes/2cl7AgAAQBAJ` (Annihilation, 8 hierarchical categories).
pub const GOOGLE_VOLUME_ANNIHILATION: &str =
    include_str!("../../bookenrich-core/tests/data/google_volume_2cl7AgAAQBAJ_annihilation.json");
/// Google title search for Children of Time (EN and FR items).
pub const GOOGLE_SEARCH_CHILDREN_OF_TIME: &str =
    include_str!("../../bookenrich-core/tests/data/google_volumes_search_children_of_time.json");
/// Google `volumes/49T5twEACAAJ` (Children of Time, 5 categories).
pub const GOOGLE_VOLUME_CHILDREN_OF_TIME: &str = include_str!(
    "../../bookenrich-core/tests/data/google_volume_49T5twEACAAJ_children_of_time.json"
);
/// Google's zero-hit answer (no `items`).
pub const GOOGLE_ZERO_ITEMS: &str =
    include_str!("../../bookenrich-core/tests/data/google_volumes_zero_items.json");
/// The fake catalogue's spec of the edge-case books: plausible subject lists in the real shapes.
pub const EDGE_CASE_CATALOGUE: &str =
    include_str!("../../tests/fixtures/catalogue/goodreads_edge_cases.json");

/// Keys under which catalogues put subject lists: Open Library records, search docs,
/// Google `volumeInfo`, and the fake catalogue's spec.
const SUBJECT_KEYS: [&str; 6] =
    ["subjects", "subject", "categories", "ol_subjects", "ol_work_subjects", "google_categories"];

/// Every non-empty raw subject list in the fixtures, as a source would return it.
///
/// Open Library's `{"name": …}` entries become their names. The lists range from one
/// entry (`"Fantasy."`) to 94 (a Harry Potter edition), as in real libraries.
pub fn raw_subject_lists() -> Result<Vec<Vec<String>>, serde_json::Error> {
    let mut lists = Vec::new();
    for text in [
        OL_BOOKS_THREE_BIBKEYS,
        OL_SEARCH_TIME_WAR,
        OL_WORK_MR_FOX,
        OL_WORK_SABRIEL,
        OL_EDITION_SABRIEL,
        GOOGLE_SEARCH_ANNIHILATION,
        GOOGLE_VOLUME_ANNIHILATION,
        GOOGLE_SEARCH_CHILDREN_OF_TIME,
        GOOGLE_VOLUME_CHILDREN_OF_TIME,
        EDGE_CASE_CATALOGUE,
    ] {
        collect_lists(&serde_json::from_str(text)?, &mut lists);
    }
    Ok(lists)
}

fn collect_lists(value: &Value, out: &mut Vec<Vec<String>>) {
    match value {
        Value::Object(map) => {
            for (key, v) in map {
                if let (true, Value::Array(items)) = (SUBJECT_KEYS.contains(&key.as_str()), v) {
                    let list: Vec<String> = items
                        .iter()
                        .filter_map(|item| match item {
                            Value::String(s) => Some(s.clone()),
                            Value::Object(o) => o.get("name")?.as_str().map(str::to_owned),
                            _ => None,
                        })
                        .collect();
                    if !list.is_empty() {
                        out.push(list);
                    }
                } else {
                    collect_lists(v, out);
                }
            }
        }
        Value::Array(items) => items.iter().for_each(|v| collect_lists(v, out)),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn subject_lists_come_from_every_shape() {
        let lists = raw_subject_lists().unwrap();
        // The Books API's objects are read by name.
        assert!(lists.iter().any(|l| l.len() == 94), "Harry Potter's 94 subjects");
        assert!(lists.contains(&vec!["Fantasy.".to_owned()]), "Sabriel's edition");
        assert!(
            lists.iter().any(|l| l.iter().any(|s| s.contains("Fiction / Science Fiction"))),
            "Google's hierarchical categories"
        );
        assert!(lists.len() > 30, "fixtures and the catalogue spec: {}", lists.len());
    }
}
