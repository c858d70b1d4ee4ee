//! The coverage audit: which books are left without a genre, and which catalogue strings the
//! vocabulary does not know, by frequency, with the rule each would need (issue 14).

use std::collections::BTreeMap;
use std::path::Path;

use serde::{Deserialize, Serialize};

use super::{DropReason, GenreNormalizer};
use crate::error::{Error, Result};
use crate::model::EnrichedBook;

/// A book the audit looked at: what the dashboard shows and the raw strings behind it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditBook {
    /// Goodreads `Book Id`, when known.
    pub goodreads_id: Option<String>,
    /// Title.
    pub title: String,
    /// Author.
    pub author: String,
    /// Its genres as the dashboard shows them.
    pub genres: Vec<String>,
    /// Every raw catalogue string (subjects, categories, classification numbers), per source.
    pub raw: BTreeMap<String, Vec<String>>,
}

impl From<&EnrichedBook> for AuditBook {
    fn from(b: &EnrichedBook) -> Self {
        let mut raw = b.genres_by_source.clone();
        for (source, numbers) in &b.classifications {
            raw.entry(source.clone()).or_default().extend(numbers.iter().cloned());
        }
        Self {
            goodreads_id: b.goodreads_id.clone(),
            title: b.title.clone(),
            author: b.author.clone(),
            genres: b.final_genres.clone(),
            raw,
        }
    }
}

/// One catalogue string part no rule knows, with how often it occurs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UnknownString {
    /// The part as the rules read it (folded: lower case, no accents).
    pub text: String,
    /// In how many books it occurs.
    pub books: usize,
    /// Up to three raw strings it came from.
    pub examples: Vec<String>,
    /// The rule that would give it a genre, as a line of a rule file (fill in the genre):
    /// a `[topics]` entry, or for a heading with a known head word's shape a `[heads]` entry.
    pub rule: String,
}

/// What the audit found (serialises as the CLI's `--json` output).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GenreAudit {
    /// Books audited.
    pub books: usize,
    /// Books with at least one genre.
    pub with_genres: usize,
    /// Books without a genre, each with its raw catalogue strings (empty when no catalogue
    /// string reached the audit, e.g. from a dashboard, which keeps only the genres).
    pub without_genres: Vec<AuditBook>,
    /// Unknown string parts, most frequent first.
    pub unknown: Vec<UnknownString>,
}

impl GenreNormalizer {
    /// Audits books: those left without a genre, and the unknown strings by frequency.
    pub fn audit<'a>(&self, books: impl IntoIterator<Item = &'a AuditBook>) -> GenreAudit {
        let mut audit = GenreAudit {
            books: 0,
            with_genres: 0,
            without_genres: Vec::new(),
            unknown: Vec::new(),
        };
        let mut unknown: BTreeMap<String, (usize, Vec<String>)> = BTreeMap::new();
        for book in books {
            audit.books += 1;
            if book.genres.is_empty() {
                audit.without_genres.push(book.clone());
            } else {
                audit.with_genres += 1;
            }
            let mut seen: Vec<String> = Vec::new();
            for raw in book.raw.values().flatten() {
                for part in self.explain(raw).dropped {
                    if part.reason != DropReason::Unknown || seen.contains(&part.text) {
                        continue;
                    }
                    seen.push(part.text.clone());
                    let entry = unknown.entry(part.text).or_default();
                    entry.0 += 1;
                    if entry.1.len() < 3 && !entry.1.contains(raw) {
                        entry.1.push(raw.clone());
                    }
                }
            }
        }
        let mut list: Vec<UnknownString> = unknown
            .into_iter()
            .map(|(text, (books, examples))| {
                let rule = suggestion(&text);
                UnknownString { text, books, examples, rule }
            })
            .collect();
        // Most frequent first; equal counts alphabetically, so the output is stable.
        list.sort_by(|a, b| b.books.cmp(&a.books).then_with(|| a.text.cmp(&b.text)));
        audit.unknown = list;
        audit
    }

    /// Audits enrichment results (their raw strings and final genres).
    pub fn audit_results(&self, results: &[EnrichedBook]) -> GenreAudit {
        let books: Vec<AuditBook> = results.iter().map(AuditBook::from).collect();
        self.audit(&books)
    }
}

/// The rule-file line that would give an unknown part a genre.
fn suggestion(text: &str) -> String {
    let quoted = |s: &str| format!("{s:?}");
    match text.rsplit_once(' ') {
        // A heading of several words: its head word may name a whole field.
        Some((_, head)) if head.len() > 3 => format!(
            "[topics] {} = [\"<genre>\"]  or  [heads] {} = [\"<genre>\"]",
            quoted(text),
            quoted(head)
        ),
        _ => format!("[topics] {} = [\"<genre>\"]", quoted(text)),
    }
}

/// Books of a dashboard JSON (`{"books": [...]}`): titles, authors and genres only, since a
/// dashboard keeps no raw catalogue strings.
///
/// Only `books[].genres` is required (a partial or older dashboard does), so this is looser than
/// [`Dashboard::from_json_value`](crate::dashboard::Dashboard::from_json_value). A bad value is an
/// [`Error::Dashboard`] naming the field at fault, with `file` `<input>`.
pub fn dashboard_books(dashboard: &serde_json::Value) -> Result<Vec<AuditBook>> {
    let bad = |field: String, message: &str| Error::Dashboard {
        file: "<input>".to_owned(),
        field: Some(field),
        message: message.to_owned(),
    };
    let books = dashboard
        .get("books")
        .and_then(serde_json::Value::as_array)
        .ok_or_else(|| bad("books".to_owned(), "not an array"))?;
    books
        .iter()
        .enumerate()
        .map(|(i, b)| {
            let text =
                |key: &str| b.get(key).and_then(serde_json::Value::as_str).map(str::to_owned);
            let genres = b
                .get("genres")
                .and_then(serde_json::Value::as_array)
                .ok_or_else(|| bad(format!("books[{i}].genres"), "not an array"))?
                .iter()
                .enumerate()
                .map(|(j, g)| {
                    g.as_str()
                        .map(str::to_owned)
                        .ok_or_else(|| bad(format!("books[{i}].genres[{j}]"), "not a string"))
                })
                .collect::<Result<Vec<_>>>()?;
            Ok(AuditBook {
                goodreads_id: text("goodreads_id"),
                title: text("title").unwrap_or_default(),
                author: text("author").unwrap_or_default(),
                genres,
                raw: BTreeMap::new(),
            })
        })
        .collect()
}

/// [`dashboard_books`] of a dashboard JSON file: an unreadable file is [`Error::Io`], a file that
/// is not JSON or not a dashboard an [`Error::Dashboard`] naming the file (and the field).
pub fn dashboard_books_from_path(path: &Path) -> Result<Vec<AuditBook>> {
    let file = path.display().to_string();
    let text = std::fs::read_to_string(path).map_err(|e| Error::io(path, e))?;
    let value: serde_json::Value = serde_json::from_str(&text).map_err(|e| Error::Dashboard {
        file: file.clone(),
        field: None,
        message: format!("not JSON: {e}"),
    })?;
    dashboard_books(&value).map_err(|e| match e {
        Error::Dashboard { field, message, .. } => Error::Dashboard { file, field, message },
        other => other,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn book(title: &str, genres: &[&str], raw: &[&str]) -> AuditBook {
        AuditBook {
            goodreads_id: None,
            title: title.into(),
            author: "A".into(),
            genres: genres.iter().map(|s| (*s).to_owned()).collect(),
            raw: BTreeMap::from([(
                "open_library".to_owned(),
                raw.iter().map(|s| (*s).to_owned()).collect(),
            )]),
        }
    }

    #[test]
    fn lists_books_without_genres_and_unknown_strings_by_frequency() {
        let books = [
            book("Tunnels", &[], &["Tunnels", "Underground railroads", "Large type books"]),
            book("Digging", &["Science"], &["Tunnels", "Volcanoes", "England"]),
            book("Moles", &[], &[]),
        ];
        let a = GenreNormalizer::new().audit(&books);
        assert_eq!((a.books, a.with_genres), (3, 1));
        let titles: Vec<&str> = a.without_genres.iter().map(|b| b.title.as_str()).collect();
        assert_eq!(titles, ["Tunnels", "Moles"]);
        assert_eq!(a.without_genres[0].raw["open_library"].len(), 3);
        let texts: Vec<(&str, usize)> =
            a.unknown.iter().map(|u| (u.text.as_str(), u.books)).collect();
        assert_eq!(texts, [("tunnels", 2), ("england", 1), ("underground railroads", 1)]);
        assert_eq!(a.unknown[0].rule, "[topics] \"tunnels\" = [\"<genre>\"]");
        assert!(a.unknown[2].rule.contains("[heads] \"railroads\""), "{}", a.unknown[2].rule);
        assert_eq!(a.unknown[0].examples, ["Tunnels"]);
    }

    #[test]
    fn a_suggested_rule_once_filled_in_gives_the_genre() {
        let books = [book("Tunnels", &[], &["Tunnels"])];
        let n = GenreNormalizer::new();
        let rule = n.audit(&books).unknown[0].rule.replace("<genre>", "Technology");
        let fixed = n.with_rules_toml(&rule.replace("] \"", "]\n\"")).unwrap();
        assert_eq!(fixed.audit(&books).unknown, []);
        assert_eq!(fixed.normalize(&["Tunnels"]), ["Technology", "Nonfiction"]);
    }

    #[test]
    fn reads_a_dashboard() {
        let d = serde_json::json!({"books": [
            {"goodreads_id": "1", "title": "A", "author": "B", "genres": []},
            {"goodreads_id": "2", "title": "C", "author": "D", "genres": ["Fantasy"]},
        ]});
        let books = dashboard_books(&d).unwrap();
        let a = GenreNormalizer::new().audit(&books);
        assert_eq!((a.books, a.with_genres, a.without_genres.len()), (2, 1, 1));
        let field = |d: serde_json::Value| match dashboard_books(&d) {
            Err(Error::Dashboard { field, message, .. }) => (field, message),
            other => panic!("{other:?}"),
        };
        assert_eq!(field(serde_json::json!({})), (Some("books".into()), "not an array".into()));
        let not_array = serde_json::json!({"books": [{"genres": "x"}]});
        assert_eq!(field(not_array), (Some("books[0].genres".into()), "not an array".into()));
        let not_text = serde_json::json!({"books": [{"genres": ["A", 1]}]});
        assert_eq!(field(not_text), (Some("books[0].genres[1]".into()), "not a string".into()));
    }

    #[test]
    fn reads_a_dashboard_file_naming_the_file_and_field_at_fault() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("d.json");
        std::fs::write(&path, r#"{"books": [{"genres": "x"}]}"#).unwrap();
        let err = dashboard_books_from_path(&path).unwrap_err();
        let shown = path.display();
        assert_eq!(
            err.to_string(),
            format!("{shown}: invalid dashboard JSON: books[0].genres: not an array")
        );
        std::fs::write(&path, "{").unwrap();
        let err = dashboard_books_from_path(&path).unwrap_err();
        assert!(matches!(&err, Error::Dashboard { field: None, .. }), "{err:?}");
        let err = dashboard_books_from_path(&dir.path().join("missing.json")).unwrap_err();
        assert!(matches!(err, Error::Io { .. }), "{err:?}");
    }
}
