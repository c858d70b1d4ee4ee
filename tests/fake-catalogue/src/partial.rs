//! Google's partial responses: the `fields` mask of a request applied to the full answer.
//!
//! Google documents `fields` as a common parameter of every Books API method, in two syntaxes
//! that may be mixed: paths (`items/volumeInfo/title`) and sub-selections
//! (`items(id,volumeInfo(title,categories))`). Recorded real answers to the path syntax are
//! `googlebooks_fields_mask_*.json` (tests/fixtures/PROVENANCE.md): the answer keeps only the
//! fields named, in the full answer's shape, and leaves out those a volume lacks. A field that
//! names an array applies its sub-selection to each element.

use std::collections::BTreeMap;

use serde_json::{Map, Value};

/// A parsed mask: each named field, with what to keep inside it (empty: all of it).
#[derive(Debug, Default, PartialEq)]
pub(crate) struct Mask(BTreeMap<String, Mask>);

impl Mask {
    /// Parses a `fields` value; `None` for a malformed one (Google answers 400 then).
    pub(crate) fn parse(fields: &str) -> Option<Mask> {
        let mut chars = fields.chars().peekable();
        let mask = parse_list(&mut chars)?;
        chars.next().is_none().then_some(mask)
    }

    /// `value` with only the masked fields kept.
    pub(crate) fn apply(&self, value: Value) -> Value {
        if self.0.is_empty() {
            return value;
        }
        match value {
            Value::Array(items) => Value::Array(items.into_iter().map(|v| self.apply(v)).collect()),
            Value::Object(mut object) => {
                let mut kept = Map::new();
                for (name, inner) in &self.0 {
                    if let Some(v) = object.remove(name) {
                        kept.insert(name.clone(), inner.apply(v));
                    }
                }
                Value::Object(kept)
            }
            other => other,
        }
    }

    /// Adds `path` (already split at `/`) with `inner` at its end.
    fn insert(&mut self, path: &[String], inner: Mask) {
        let Some((first, rest)) = path.split_first() else { return };
        let child = self.0.entry(first.clone()).or_default();
        if rest.is_empty() {
            child.0.extend(inner.0);
        } else {
            child.insert(rest, inner);
        }
    }
}

type Chars<'a> = std::iter::Peekable<std::str::Chars<'a>>;

/// `item (',' item)*`, up to a `)` or the end.
fn parse_list(chars: &mut Chars<'_>) -> Option<Mask> {
    let mut mask = Mask::default();
    loop {
        let mut path = Vec::new();
        let mut name = String::new();
        while let Some(&c) = chars.peek() {
            if c.is_ascii_alphanumeric() || c == '_' || c == '*' {
                name.push(c);
                chars.next();
            } else if c == '/' {
                path.push(std::mem::take(&mut name));
                chars.next();
            } else {
                break;
            }
        }
        path.push(name);
        if path.iter().any(String::is_empty) {
            return None;
        }
        let inner = if chars.peek() == Some(&'(') {
            chars.next();
            let inner = parse_list(chars)?;
            (chars.next() == Some(')')).then_some(inner)?
        } else {
            Mask::default()
        };
        mask.insert(&path, inner);
        match chars.peek() {
            Some(',') => {
                chars.next();
            }
            _ => return Some(mask),
        }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::Mask;

    fn volumes() -> serde_json::Value {
        json!({"kind": "books#volumes", "totalItems": 2, "items": [
            {"id": "a", "etag": "x", "volumeInfo": {"title": "T", "categories": ["Fiction"], "pageCount": 3}},
            {"id": "b", "volumeInfo": {"title": "U"}}
        ]})
    }

    #[test]
    fn paths_keep_only_the_named_fields_of_every_item() {
        let mask = Mask::parse("totalItems,items/id,items/volumeInfo/categories").unwrap();
        assert_eq!(
            mask.apply(volumes()),
            json!({"totalItems": 2, "items": [
                {"id": "a", "volumeInfo": {"categories": ["Fiction"]}},
                {"id": "b", "volumeInfo": {}}
            ]})
        );
    }

    #[test]
    fn sub_selections_are_the_same_mask() {
        let nested = Mask::parse("totalItems,items(id,volumeInfo(categories))").unwrap();
        let paths = Mask::parse("totalItems,items/id,items/volumeInfo/categories").unwrap();
        assert_eq!(nested, paths);
    }

    #[test]
    fn malformed_masks_are_refused() {
        for bad in ["", "items(", "items()", "a,,b", "items/", "a)"] {
            assert_eq!(Mask::parse(bad), None, "{bad}");
        }
    }
}
