//! Library classification numbers (`ddc:…`, `lcc:…` strings) read as genres and as
//! Fiction/Nonfiction evidence, by the `[classification]` tables of the rule file.

use std::collections::BTreeMap;

/// One compiled Library of Congress class: its letters and, optionally, a number range.
#[derive(Debug, Clone)]
struct LccClass {
    letters: String,
    range: Option<(u32, u32)>,
    ids: Box<[u16]>,
}

/// The compiled `[classification]` tables.
#[derive(Debug, Default)]
pub(crate) struct Classifications {
    /// Dewey prefixes (digits or letters only, e.g. `823`, `fic`), longest first.
    ddc: Vec<(String, Box<[u16]>)>,
    lcc: Vec<LccClass>,
}

/// The scheme tag of a classification string.
const DDC: &str = "ddc:";
const LCC: &str = "lcc:";

/// Whether a raw string is a tagged classification number.
pub(crate) fn is_classification(raw: &str) -> bool {
    let t = raw.trim_start();
    t.get(..4).is_some_and(|p| p.eq_ignore_ascii_case(DDC) || p.eq_ignore_ascii_case(LCC))
}

/// A Dewey number as its digits (`294.3/927` → `2943927`), or a letter code
/// (`[Fic]` → `fic`, `[E]` → `e`).
fn ddc_key(number: &str) -> String {
    number.chars().filter(char::is_ascii_alphanumeric).map(|c| c.to_ascii_lowercase()).collect()
}

/// An LC call number's class letters and class number: `BQ9265.6 .T7313 1994` → (`BQ`, 9265),
/// and the search index's sortable form `PS-3558.00000000.E63` → (`PS`, 3558).
fn lcc_parts(number: &str) -> Option<(String, Option<u32>)> {
    let t = number.trim();
    let letters: String = t.chars().take_while(char::is_ascii_alphabetic).collect();
    if letters.is_empty() || letters.len() > 3 {
        return None;
    }
    let rest = t[letters.len()..].trim_start_matches(['-', ' ']);
    let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
    Some((letters.to_ascii_uppercase(), digits.parse().ok()))
}

/// A `[classification.lcc]` key: letters, optionally a number or a `from-to` range (`PN6700-6790`).
fn lcc_key(key: &str) -> Option<(String, Option<(u32, u32)>)> {
    let (letters, from) = lcc_parts(key)?;
    let Some(from) = from else { return Some((letters, None)) };
    let to = key.split_once('-').and_then(|(_, to)| to.trim().parse::<u32>().ok()).unwrap_or(from);
    Some((letters, Some((from, to.max(from)))))
}

impl Classifications {
    /// Compiles the tables; `resolve` turns genre names into ids (and names the key on error).
    pub(crate) fn compile(
        ddc: &BTreeMap<String, Vec<String>>,
        lcc: &BTreeMap<String, Vec<String>>,
        mut resolve: impl FnMut(&str, &[String]) -> crate::error::Result<Box<[u16]>>,
    ) -> crate::error::Result<Self> {
        let mut out = Self::default();
        for (key, genres) in ddc {
            let ids = resolve(&format!("classification.ddc.{key:?}"), genres)?;
            let k = ddc_key(key);
            if !k.is_empty() {
                out.ddc.push((k, ids));
            }
        }
        out.ddc.sort_by_key(|(k, _)| std::cmp::Reverse(k.len()));
        for (key, genres) in lcc {
            let ids = resolve(&format!("classification.lcc.{key:?}"), genres)?;
            let Some((letters, range)) = lcc_key(key) else {
                return Err(crate::error::Error::config(
                    format!("genre rules: classification.lcc.{key:?}"),
                    "expected class letters, optionally with a number or a from-to range",
                ));
            };
            out.lcc.push(LccClass { letters, range, ids });
        }
        Ok(out)
    }

    /// The genres (markers included) of a tagged classification string, and the table key
    /// that matched; `None` when it is not one or no key matches.
    pub(crate) fn lookup(&self, raw: &str) -> Option<(&[u16], String)> {
        let t = raw.trim();
        let (scheme, number) = (t.get(..4)?, t.get(4..)?);
        if scheme.eq_ignore_ascii_case(DDC) {
            let key = ddc_key(number);
            return self
                .ddc
                .iter()
                .find(|(k, _)| key.starts_with(k.as_str()))
                .map(|(k, ids)| (&**ids, format!("ddc {k}")));
        }
        if !scheme.eq_ignore_ascii_case(LCC) {
            return None;
        }
        let (letters, class) = lcc_parts(number)?;
        // The most specific class: a number range of the same letters, then the letters,
        // then shorter letters ("BQ" falls back to "B").
        let mut best: Option<(usize, &LccClass)> = None;
        for e in &self.lcc {
            if !letters.starts_with(&e.letters) {
                continue;
            }
            let score = match e.range {
                Some((from, to)) if e.letters == letters => match class {
                    Some(n) if (from..=to).contains(&n) => 2 * e.letters.len() + 1,
                    _ => continue,
                },
                Some(_) => continue,
                None => 2 * e.letters.len(),
            };
            if best.is_none_or(|(s, _)| score > s) {
                best = Some((score, e));
            }
        }
        best.map(|(_, e)| {
            let key = match e.range {
                Some((from, to)) if from == to => format!("lcc {}{from}", e.letters),
                Some((from, to)) => format!("lcc {}{from}-{to}", e.letters),
                None => format!("lcc {}", e.letters),
            };
            (&*e.ids, key)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_dewey_and_lc_numbers() {
        assert_eq!(ddc_key("294.3/927"), "2943927");
        assert_eq!(ddc_key("[Fic]"), "fic");
        assert_eq!(lcc_parts("BQ9265.6 .T7313 1994"), Some(("BQ".into(), Some(9265))));
        assert_eq!(lcc_parts("PS-3558.00000000.E63"), Some(("PS".into(), Some(3558))));
        assert_eq!(lcc_parts("PZ7.R79835 Haj 1999"), Some(("PZ".into(), Some(7))));
        assert_eq!(lcc_parts("823.914"), None);
        assert_eq!(lcc_key("PN6700-6790"), Some(("PN".into(), Some((6700, 6790)))));
        assert!(is_classification("ddc:813.54") && is_classification(" LCC:PS3558"));
        assert!(!is_classification("Fiction") && !is_classification("ddc"));
    }
}
