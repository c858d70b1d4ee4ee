//! Reading a dashboard back: a JSON file (`bookenrich report`), or JSON data a binding was
//! given to write. The serde types of [`Dashboard`] are the one declaration of the shape;
//! an error names the value at fault by its path, as `books[3].my_rating`.

use std::path::Path;

use chrono::NaiveDate;
use serde::de::{Deserialize, Deserializer, Error as _, Unexpected};
use serde_json::Value;

use super::Dashboard;
use crate::error::{Error, Result};

impl Dashboard<'static> {
    /// The dashboard that `value` holds, checked against the dashboard's shape: every key of
    /// the contract (only `other_sources` may be left out), each with a value of its type
    /// (dates as `YYYY-MM-DD`, counts and ratings as whole numbers of at least 0, `null` where
    /// the contract allows it), and no key the shape does not have.
    ///
    /// This is the check the Python `write_dashboard` and the Node `writeDashboard` make
    /// before they write anything, so both reject the same data with the same message and
    /// field. `file` names the document in errors (`<input>` for data in memory).
    ///
    /// A key the shape does not have is an error here, not dropped: it is most likely a
    /// misspelt one, whose value would otherwise be lost without a word. (The file reader,
    /// [`Dashboard::from_json_slice`], ignores such keys, so that a newer dashboard still reads.)
    ///
    /// # Errors
    ///
    /// [`Error::Dashboard`] with `field` set to the path of the value at fault
    /// (`books[3].date_read`, `summary.total_books`, `metadata.validation` for a missing
    /// key `validation`), or without one when the document as a whole is at fault (not an
    /// object). The message says what was expected in JSON's terms ("expected a whole number
    /// of at least 0"), never a Rust type.
    pub fn from_json_value(value: &Value, file: &str) -> Result<Self> {
        let dashboard: Self =
            serde_path_to_error::deserialize(value).map_err(|e| invalid(file, &e))?;
        // What the shape keeps of the value: any key it lacks was dropped while reading.
        let kept = serde_json::to_value(&dashboard)?;
        if let Some((field, message)) = first_difference(value, &kept, "") {
            let field = (!field.is_empty()).then_some(field);
            return Err(Error::Dashboard { file: file.to_owned(), field, message });
        }
        Ok(dashboard)
    }

    /// Reads a dashboard JSON document; `file` names it in errors. Keys the shape does not
    /// have are ignored, and so are missing optional ones (an older dashboard still reads).
    ///
    /// # Errors
    ///
    /// [`Error::Dashboard`] when `bytes` are not JSON or not a dashboard, with `field` set
    /// to the path of the value at fault when there is one.
    pub fn from_json_slice(bytes: &[u8], file: &str) -> Result<Self> {
        let mut json = serde_json::Deserializer::from_slice(bytes);
        let dashboard: Self =
            serde_path_to_error::deserialize(&mut json).map_err(|e| invalid(file, &e))?;
        json.end().map_err(|e| Error::Dashboard {
            file: file.to_owned(),
            field: None,
            message: e.to_string(),
        })?;
        Ok(dashboard)
    }

    /// Reads a dashboard JSON file, as [`Dashboard::from_json_slice`] does.
    ///
    /// # Errors
    ///
    /// [`Error::Io`] when the file cannot be read, [`Error::Dashboard`] as
    /// [`Dashboard::from_json_slice`] gives it.
    pub fn from_path(path: impl AsRef<Path>) -> Result<Self> {
        let path = path.as_ref();
        let bytes = std::fs::read(path).map_err(|e| Error::io(path, e))?;
        Self::from_json_slice(&bytes, &path.display().to_string())
    }
}

/// Reads an optional `YYYY-MM-DD` date, saying so when the text is not one (chrono's own
/// message, "input contains invalid characters", names neither the value nor the format).
pub(super) fn iso_date<'de, D: Deserializer<'de>>(
    deserializer: D,
) -> std::result::Result<Option<NaiveDate>, D::Error> {
    let Some(text) = Option::<std::borrow::Cow<'de, str>>::deserialize(deserializer)? else {
        return Ok(None);
    };
    NaiveDate::parse_from_str(&text, "%Y-%m-%d")
        .map(Some)
        .map_err(|_| D::Error::invalid_value(Unexpected::Str(&text), &"a YYYY-MM-DD date"))
}

/// serde's message with what was expected said in JSON's terms, not Rust's: `expected u64`
/// becomes `expected a whole number of at least 0`, `expected struct Summary` `expected an
/// object`.
fn in_json_terms(message: &str) -> String {
    let Some((head, expected)) = message.rsplit_once(", expected ") else {
        return message.to_owned();
    };
    let expected = match expected {
        "u8" | "u16" | "u32" | "u64" | "usize" => "a whole number of at least 0",
        "i8" | "i16" | "i32" | "i64" | "isize" => "a whole number",
        "f32" | "f64" => "a number",
        "a sequence" => "an array",
        "a map" => "an object",
        "a boolean" => "true or false",
        "a borrowed string" => "a string",
        e if e.starts_with("struct ") => "an object",
        e => e,
    };
    format!("{head}, expected {expected}")
}

/// The [`Error::Dashboard`] of a serde error at a path. serde names a missing key in its
/// message, at the path of the object that lacks it: the field is that key's own path.
fn invalid(file: &str, error: &serde_path_to_error::Error<serde_json::Error>) -> Error {
    let message = in_json_terms(&error.inner().to_string());
    let at =
        if error.path().iter().next().is_some() { error.path().to_string() } else { String::new() };
    let missing = message
        .strip_prefix("missing field `")
        .and_then(|rest| rest.split_once('`'))
        .map(|(key, _)| key);
    let field = match missing {
        Some(key) => Some(join(&at, key)),
        None => (!at.is_empty()).then_some(at),
    };
    Error::Dashboard { file: file.to_owned(), field, message }
}

/// The key the contract leaves out when it has nothing to say (an empty map).
const LEFT_OUT_WHEN_EMPTY: &str = "other_sources";

/// The path of the first value of `given` that `kept` (the same document as the dashboard's
/// types serialise it) does not hold, and what is wrong with it: a key the shape does not
/// have, a key missing that serde would have filled in (`null`, 0), or an object given as an
/// array of its values (which serde reads as well).
fn first_difference(given: &Value, kept: &Value, at: &str) -> Option<(String, String)> {
    match (given, kept) {
        (Value::Object(given_map), Value::Object(kept_map)) => {
            let unknown_or_inner = given_map.iter().find_map(|(key, value)| {
                let path = join(at, key);
                match kept_map.get(key) {
                    Some(kept) => first_difference(value, kept, &path),
                    // The types leave this map out when it is empty: given empty, nothing is lost.
                    None if key == LEFT_OUT_WHEN_EMPTY
                        && value.as_object().is_some_and(serde_json::Map::is_empty) =>
                    {
                        None
                    }
                    None => {
                        Some((path, format!("unknown field `{key}`, not part of the dashboard")))
                    }
                }
            });
            unknown_or_inner.or_else(|| {
                kept_map
                    .keys()
                    .find(|key| !given_map.contains_key(*key))
                    .map(|key| (join(at, key), format!("missing field `{key}`")))
            })
        }
        (Value::Array(given), Value::Array(kept)) => given
            .iter()
            .zip(kept)
            .enumerate()
            .find_map(|(i, (g, k))| first_difference(g, k, &format!("{at}[{i}]"))),
        (Value::Array(_), Value::Object(_)) => {
            Some((at.to_owned(), "invalid type: sequence, expected an object".to_owned()))
        }
        _ => None,
    }
}

fn join(at: &str, key: &str) -> String {
    if at.is_empty() { key.to_owned() } else { format!("{at}.{key}") }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::dashboard::tests::book;
    use crate::dashboard::{DashboardOptions, build_dashboard};

    fn value() -> Value {
        let books = vec![book("7", "Frank Herbert")];
        serde_json::to_value(build_dashboard(&books, &[], &DashboardOptions::default())).unwrap()
    }

    fn fault(value: &Value) -> (Option<String>, String) {
        match Dashboard::from_json_value(value, "<input>").unwrap_err() {
            Error::Dashboard { file, field, message } => {
                assert_eq!(file, "<input>");
                (field, message)
            }
            other => panic!("not a dashboard error: {other}"),
        }
    }

    #[test]
    fn a_built_dashboard_is_valid_and_unchanged() {
        let v = value();
        let d = Dashboard::from_json_value(&v, "<input>").unwrap();
        assert_eq!(serde_json::to_value(&d).unwrap(), v);
    }

    #[test]
    fn errors_name_the_path_of_the_value_at_fault() {
        let mut v = value();
        v["books"][0]["date_read"] = json!("14/03/2023");
        let (field, message) = fault(&v);
        assert_eq!(field.as_deref(), Some("books[0].date_read"));
        assert_eq!(message, "invalid value: string \"14/03/2023\", expected a YYYY-MM-DD date");

        let mut v = value();
        v["summary"]["total_books"] = json!(-1);
        assert_eq!(
            fault(&v),
            (
                Some("summary.total_books".into()),
                "invalid value: integer `-1`, expected a whole number of at least 0".into()
            )
        );

        let mut v = value();
        v["books"][0]["my_rating"] = json!("five");
        assert_eq!(fault(&v).0.as_deref(), Some("books[0].my_rating"));
    }

    #[test]
    fn messages_say_what_was_expected_in_json_terms_not_rust_types() {
        let cases = [
            (json!(3), "summary", "invalid type: integer `3`, expected an object"),
            (json!(1.5), "summary.total_pages", "expected a whole number of at least 0"),
            (json!("x"), "summary.average_rating", "invalid type: string \"x\", expected a number"),
            (json!("x"), "books[0].is_rated", "expected true or false"),
            (json!("x"), "books[0].genres", "invalid type: string \"x\", expected an array"),
            (json!("x"), "books[0].reading_year", "expected a whole number"),
        ];
        for (bad, field, expected) in cases {
            let mut v = value();
            let (parent, key) = field.rsplit_once('.').unwrap_or(("", field));
            let target = match parent {
                "" => &mut v,
                "books[0]" => &mut v["books"][0],
                p => &mut v[p],
            };
            target[key] = bad;
            let (at, message) = fault(&v);
            assert_eq!(at.as_deref(), Some(field));
            assert!(message.ends_with(expected), "{field}: {message}");
            for rust in ["u8", "u32", "u64", "i32", "f64", "struct", "Summary", "sequence,"] {
                assert!(!message.contains(&format!("expected {rust}")), "{message}");
            }
        }
    }

    #[test]
    fn a_missing_optional_key_is_an_error_not_filled_in() {
        // serde would read a missing `isbn` as null; written back it would appear from nowhere.
        for (path, key) in [("books[0]", "isbn"), ("summary", "average_rating")] {
            let mut v = value();
            let parent = if path == "summary" { &mut v["summary"] } else { &mut v["books"][0] };
            parent.as_object_mut().unwrap().remove(key);
            assert_eq!(
                fault(&v),
                (Some(format!("{path}.{key}")), format!("missing field `{key}`"))
            );
        }
        // The file reader is lenient: an older dashboard without them still reads.
        let mut v = value();
        v["books"][0].as_object_mut().unwrap().remove("isbn");
        assert!(Dashboard::from_json_slice(v.to_string().as_bytes(), "d.json").is_ok());
    }

    #[test]
    fn a_missing_key_is_named_by_its_own_path() {
        let mut v = value();
        v.as_object_mut().unwrap().remove("summary");
        assert_eq!(fault(&v), (Some("summary".into()), "missing field `summary`".into()));
        let mut v = value();
        v["metadata"].as_object_mut().unwrap().remove("validation");
        assert_eq!(fault(&v).0.as_deref(), Some("metadata.validation"));
    }

    #[test]
    fn an_unknown_key_is_an_error_not_dropped() {
        let mut v = value();
        v["books"][0]["my_ratng"] = json!(5);
        assert_eq!(
            fault(&v),
            (
                Some("books[0].my_ratng".into()),
                "unknown field `my_ratng`, not part of the dashboard".into()
            )
        );
        // The map the contract leaves out when empty may be given empty.
        let mut v = value();
        v["metadata"]["validation"]["genre_sources_success"]["other_sources"] = json!({});
        assert!(Dashboard::from_json_value(&v, "<input>").is_ok());
        // Any other unknown key is an error even when its value is empty.
        let mut v = value();
        v["books"][0]["notes"] = json!({});
        assert_eq!(fault(&v).0.as_deref(), Some("books[0].notes"));
    }

    #[test]
    fn a_document_that_is_no_object_has_no_field() {
        // serde reads a struct from an array of its values too; the dashboard is an object.
        let values: Vec<Value> = value().as_object().unwrap().values().cloned().collect();
        let expected = (None, "invalid type: sequence, expected an object".to_owned());
        assert_eq!(fault(&Value::Array(values)), expected);
        let mut v = value();
        let summary: Vec<Value> = v["summary"].as_object().unwrap().values().cloned().collect();
        v["summary"] = Value::Array(summary);
        assert_eq!(fault(&v).0.as_deref(), Some("summary"));
        let err = Dashboard::from_json_value(&json!(3), "<input>").unwrap_err();
        assert_eq!(err.kind().as_str(), "invalid_dashboard");
        assert!(err.to_string().starts_with("<input>: invalid dashboard JSON: invalid type"));
    }

    #[test]
    fn the_file_reader_names_the_field_and_ignores_unknown_keys() {
        let mut v = value();
        v["books"][0]["date_read"] = json!("yesterday");
        let err = Dashboard::from_json_slice(v.to_string().as_bytes(), "d.json").unwrap_err();
        assert!(
            err.to_string().starts_with("d.json: invalid dashboard JSON: books[0].date_read: "),
            "{err}"
        );
        let mut v = value();
        v["from_the_future"] = json!(true);
        assert!(Dashboard::from_json_slice(v.to_string().as_bytes(), "d.json").is_ok());
        let err =
            Dashboard::from_json_slice(format!("{} x", value()).as_bytes(), "d.json").unwrap_err();
        assert!(err.to_string().starts_with("d.json: invalid dashboard JSON: "), "{err}");
    }
}
