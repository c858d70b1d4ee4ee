//! Text folding and splitting of raw subject strings.
//!
//! Everything here is plain `char` work (no regex): the normaliser runs over
//! ~100 strings per book, so each string is folded once and then compared
//! against precomputed keys.

use crate::unaccent::push_unaccented;

/// Folds case, accents, quotes and dashes so that spelling variants share one key.
///
/// The result keeps the hierarchy separators (`/`, `--`, `,`, `;`, `>`, `|`) so
/// [`segments`] can split it afterwards; runs of whitespace become one space
/// and outer punctuation is trimmed.
pub(crate) fn fold_light(raw: &str) -> String {
    let mut out = String::with_capacity(raw.len());
    for c in raw.chars() {
        if c.is_ascii() {
            match c {
                ' ' | '\t' | '\n' | '\r' | '\x0b' | '\x0c' => push_space(&mut out),
                '`' => out.push('\''),
                _ => out.push(c.to_ascii_lowercase()),
            }
            continue;
        }
        match c {
            // Typographic apostrophes and quotes.
            '\u{2018}' | '\u{2019}' | '\u{02bc}' | '\u{b4}' => out.push('\''),
            '\u{201c}' | '\u{201d}' | '\u{ab}' | '\u{bb}' => out.push('"'),
            // An em dash separates headings like `--` does; an en dash joins ranges.
            '\u{2014}' | '\u{2015}' => {
                push_space(&mut out);
                out.push_str("-- ");
            }
            '\u{2010}' | '\u{2011}' | '\u{2012}' | '\u{2013}' | '\u{2212}' => out.push('-'),
            // Combining accents of decomposed (NFD) text: "ame\u{301}ricain" is "americain".
            '\u{300}'..='\u{36f}' => {}
            c if c.is_whitespace() => push_space(&mut out),
            _ => {
                for l in c.to_lowercase() {
                    push_unaccented(&mut out, l);
                }
            }
        }
    }
    trim_edges(out)
}

/// Folds one heading segment into a lookup key: [`fold_light`], then [`key_from_light`].
pub(crate) fn fold_key(segment: &str) -> String {
    key_from_light(&fold_light(segment))
}

/// Turns light-folded text into a lookup key: hyphens, underscores and `+`
/// become spaces and `&` becomes `and`.
pub(crate) fn key_from_light(light: &str) -> String {
    let mut out = String::with_capacity(light.len() + 4);
    for c in light.chars() {
        match c {
            ' ' | '-' | '_' | '+' => push_space(&mut out),
            '&' => {
                push_space(&mut out);
                out.push_str("and ");
            }
            _ => out.push(c),
        }
    }
    trim_edges(out)
}

/// Pushes one space, never two in a row nor at the start.
fn push_space(out: &mut String) {
    if !out.is_empty() && !out.ends_with(' ') {
        out.push(' ');
    }
}

/// Trims edge punctuation and whitespace, reusing the buffer when nothing is trimmed.
fn trim_edges(s: String) -> String {
    let trimmed = s.trim_matches(is_edge_punct);
    if trimmed.len() == s.len() { s } else { trimmed.to_owned() }
}

/// Characters trimmed from both ends of a key (MARC headings end in `.`; some have stray quotes).
fn is_edge_punct(c: char) -> bool {
    matches!(
        c,
        '.' | ','
            | ';'
            | ':'
            | '!'
            | '?'
            | '"'
            | '\''
            | '*'
            | '['
            | ']'
            | '{'
            | '}'
            | '/'
            | '|'
            | '-'
            | '>'
            | '='
            | '#'
    ) || c.is_whitespace()
}

/// A segment of a heading, with whether a comma (weak separator) preceded it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Segment<'a> {
    /// The segment text, trimmed, still light-folded.
    pub text: &'a str,
    /// Index of the strong group (split by `/`, `--`, `;`, `>`, `|`) this segment belongs to.
    pub group: usize,
}

/// Splits a light-folded heading into its parts.
///
/// Strong separators (`/`, `--`, `;`, ` > `, `|`) split hierarchies like
/// Google's `Fiction / Science Fiction` and LCSH `Wizards -- Fiction`; commas
/// split Library of Congress inverted headings like `Fiction, fantasy, epic` inside a group.
/// Empty parts are skipped.
pub(crate) fn segments<'a>(light: &'a str) -> Vec<Segment<'a>> {
    let mut out = Vec::new();
    let bytes = light.as_bytes();
    let mut group = 0;
    let mut start = 0;
    let mut i = 0;
    let mut depth = 0usize;
    let push = |out: &mut Vec<Segment<'a>>, from: usize, to: usize, group: usize| {
        let text = light[from..to].trim_matches(is_edge_punct);
        if !text.is_empty() {
            out.push(Segment { text, group });
        }
    };
    while i < bytes.len() {
        let b = bytes[i];
        match b {
            b'(' => depth += 1,
            b')' => depth = depth.saturating_sub(1),
            // Commas inside a parenthetical qualifier ("(Imaginary place, Scotland)") do not split.
            b',' if depth == 0 => {
                push(&mut out, start, i, group);
                start = i + 1;
            }
            b'/' | b';' | b'|' | b'>' => {
                push(&mut out, start, i, group);
                group += 1;
                start = i + 1;
            }
            b'-' if bytes.get(i + 1) == Some(&b'-') => {
                push(&mut out, start, i, group);
                group += 1;
                // Skip the whole run of dashes.
                while bytes.get(i + 1) == Some(&b'-') {
                    i += 1;
                }
                start = i + 1;
            }
            _ => {}
        }
        i += 1;
    }
    push(&mut out, start, bytes.len(), group);
    out
}

/// Separator used to join folded segments into a compound lookup key.
pub(crate) const JOIN: &str = "|";

/// The lookup key of a whole heading or of an alias: its segments folded and joined by [`JOIN`].
pub(crate) fn compound_key(raw: &str) -> String {
    let light = fold_light(raw);
    let parts: Vec<String> =
        segments(&light).iter().map(|s| key_from_light(s.text)).filter(|k| !k.is_empty()).collect();
    parts.join(JOIN)
}

/// The singular of the last word of `key`, when it looks like an English plural.
pub(crate) fn singular(key: &str) -> Option<String> {
    let (head, last) = match key.rfind(' ') {
        Some(i) => (&key[..=i], &key[i + 1..]),
        None => ("", key),
    };
    let n = last.len();
    let stem = if n > 4 && last.ends_with("ies") {
        format!("{}y", &last[..n - 3])
    } else if n > 4
        && (last.ends_with("sses")
            || last.ends_with("shes")
            || last.ends_with("ches")
            || last.ends_with("xes"))
    {
        last[..n - 2].to_owned()
    } else if n > 3
        && last.ends_with('s')
        && !(last.ends_with("ss")
            || last.ends_with("us")
            || last.ends_with("is")
            || last.ends_with("'s"))
    {
        last[..n - 1].to_owned()
    } else {
        return None;
    };
    Some(format!("{head}{stem}"))
}

/// A parenthetical qualifier split off a segment: `Self-actualization (psychology)`.
pub(crate) struct Qualified<'a> {
    /// The segment without its parentheticals.
    pub head: String,
    /// The texts inside the parentheses, in order.
    pub qualifiers: Vec<&'a str>,
}

/// Splits the parenthetical qualifiers off a light-folded segment.
pub(crate) fn split_qualifiers(text: &str) -> Qualified<'_> {
    let mut head = String::with_capacity(text.len());
    let mut qualifiers = Vec::new();
    let mut rest = text;
    while let Some(open) = rest.find('(') {
        head.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        if let Some(close) = after.find(')') {
            let q = after[..close].trim();
            if !q.is_empty() {
                qualifiers.push(q);
            }
            rest = &after[close + 1..];
        } else {
            // Unbalanced: keep the qualifier text anyway.
            let q = after.trim();
            if !q.is_empty() {
                qualifiers.push(q);
            }
            rest = "";
        }
    }
    head.push_str(rest);
    Qualified { head, qualifiers }
}

/// Words that only make sense around a date ("20th century", "ca. 1500", "siglo XX").
const DATE_WORDS: &[&str] = &[
    "century",
    "centuries",
    "cent",
    "c",
    "ca",
    "circa",
    "siecle",
    "siecles",
    "siglo",
    "siglos",
    "jahrhundert",
    "jh",
    "secolo",
    "bc",
    "ad",
    "b.c",
    "a.d",
    "bce",
    "ce",
    "to",
    "th",
    "st",
    "nd",
    "rd",
    "e",
    "er",
    "early",
    "late",
    "mid",
    "and",
    "de",
    "des",
    "del",
    "et",
    "y",
    "und",
    "years",
    "year",
];

/// Whether a word is a year, decade, ordinal or roman numeral century.
fn is_date_number(word: &str, roman_ok: bool) -> bool {
    let w = word.trim_end_matches(['.', '\'']);
    if w.is_empty() {
        return false;
    }
    let digits = w.bytes().take_while(u8::is_ascii_digit).count();
    if digits > 0 {
        let suffix = &w[digits..];
        return matches!(
            suffix,
            "" | "s" | "'s" | "th" | "st" | "nd" | "rd" | "e" | "er" | "eme" | "o" | "a" | "ies"
        );
    }
    roman_ok
        && w.trim_end_matches(['e']).chars().all(|c| matches!(c, 'i' | 'v' | 'x' | 'l' | 'c'))
        && w.len() <= 6
}

/// What [`strip_dates`] found in a key.
pub(crate) enum Dates {
    /// No date in the key.
    None,
    /// The key is only a date ("1939-1945", "20th century").
    Only,
    /// The key with its date words removed ("history 20th century" → "history").
    Rest(String),
}

/// Removes years, centuries and date words from a folded key.
pub(crate) fn strip_dates(key: &str) -> Dates {
    let words: Vec<&str> = key.split(' ').collect();
    let roman_ok = words.iter().any(|w| {
        matches!(
            *w,
            "century"
                | "centuries"
                | "siecle"
                | "siecles"
                | "siglo"
                | "siglos"
                | "jahrhundert"
                | "secolo"
        )
    });
    if !words.iter().any(|w| is_date_number(w, false) || (roman_ok && is_date_number(w, true))) {
        return Dates::None;
    }
    let rest: Vec<&str> = words
        .iter()
        .copied()
        .filter(|w| !(is_date_number(w, roman_ok) || DATE_WORDS.contains(w)))
        .collect();
    if rest.is_empty() { Dates::Only } else { Dates::Rest(rest.join(" ")) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folds_case_accents_quotes_and_trailing_punctuation() {
        assert_eq!(fold_light("  Ficción  Juvenil. "), "ficcion juvenil");
        assert_eq!(fold_light("Roman ame\u{301}ricain"), "roman americain", "NFD accents");
        assert_eq!(fold_light("ficção científica"), "ficcao cientifica");
        assert_eq!(fold_light("Children\u{2019}s stories"), "children's stories");
        assert_eq!(fold_key("Sci-Fi & Fantasy"), "sci fi and fantasy");
        assert_eq!(fold_key("Fantasy."), "fantasy");
        assert_eq!(fold_key("Écoles"), "ecoles");
        assert_eq!(fold_key("\"Bestseller\""), "bestseller");
    }

    #[test]
    fn splits_hierarchies() {
        let texts = |s: &str| {
            segments(&fold_light(s))
                .into_iter()
                .map(|s| (s.text.to_owned(), s.group))
                .collect::<Vec<_>>()
        };
        assert_eq!(
            texts("Fiction / Science Fiction / Space Opera"),
            [("fiction".into(), 0), ("science fiction".into(), 1), ("space opera".into(), 2)]
        );
        assert_eq!(
            texts("Fiction, fantasy, epic"),
            [("fiction".into(), 0), ("fantasy".into(), 0), ("epic".into(), 0)]
        );
        assert_eq!(
            texts("Wizards -- Juvenile fiction"),
            [("wizards".into(), 0), ("juvenile fiction".into(), 1)]
        );
        assert_eq!(
            texts("Discworld (Imaginary place, Disc), fiction"),
            [("discworld (imaginary place, disc)".into(), 0), ("fiction".into(), 0)]
        );
        assert_eq!(
            texts("History \u{2014} 20th century"),
            [("history".into(), 0), ("20th century".into(), 1)]
        );
        assert_eq!(compound_key("Romans, nouvelles"), "romans|nouvelles");
    }

    #[test]
    fn singularises_last_word() {
        assert_eq!(singular("thrillers").as_deref(), Some("thriller"));
        assert_eq!(singular("mysteries").as_deref(), Some("mystery"));
        assert_eq!(singular("graphic novels").as_deref(), Some("graphic novel"));
        assert_eq!(singular("witches").as_deref(), Some("witch"));
        assert_eq!(singular("children's"), None);
        assert_eq!(singular("class"), None);
        assert_eq!(singular("sf"), None);
    }

    #[test]
    fn strips_dates() {
        assert!(matches!(strip_dates("1939 1945"), Dates::Only));
        assert!(matches!(strip_dates("20th century"), Dates::Only));
        assert!(matches!(strip_dates("siglo xx"), Dates::Only));
        assert!(matches!(strip_dates("1990s"), Dates::Only));
        assert!(matches!(strip_dates("fantasy"), Dates::None));
        match strip_dates("geschichte 1945 1990") {
            Dates::Rest(r) => assert_eq!(r, "geschichte"),
            _ => panic!("expected rest"),
        }
    }

    #[test]
    fn splits_qualifiers() {
        let q = split_qualifiers("self-actualization (psychology)");
        assert_eq!(q.head.trim(), "self-actualization");
        assert_eq!(q.qualifiers, ["psychology"]);
    }
}
