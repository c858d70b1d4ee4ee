//! Title and author similarity, for choosing a catalogue search result.
//!
//! A search by title and author returns candidates that may be other books,
//! other editions or translations. A wrong book is worse than no book (its
//! genres would pollute the dashboard), so a candidate must resemble the query
//! in both title and author before a source may use it.

use crate::unaccent::push_unaccented;

/// How well one candidate record matches the book being looked up.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MatchScore {
    /// Title similarity in `0.0..=1.0`.
    pub title: f64,
    /// Author similarity in `0.0..=1.0`; `None` when either side names no author.
    pub author: Option<f64>,
}

/// Smallest title similarity accepted when the authors also match.
const MIN_TITLE: f64 = 0.6;
/// Smallest author similarity accepted.
const MIN_AUTHOR: f64 = 0.5;
/// Title similarity required when no author can be compared.
const MIN_TITLE_WITHOUT_AUTHOR: f64 = 0.9;
/// Score of a title whose words all appear in the other title ("The Hobbit" vs
/// "The Hobbit, or There and Back Again").
const CONTAINED_TITLE: f64 = 0.75;

impl MatchScore {
    /// Whether the candidate is close enough to be the same book.
    pub fn is_acceptable(&self) -> bool {
        match self.author {
            Some(author) => self.title >= MIN_TITLE && author >= MIN_AUTHOR,
            None => self.title >= MIN_TITLE_WITHOUT_AUTHOR,
        }
    }

    /// One number to rank candidates by (title weighs more than author).
    pub fn rank(&self) -> f64 {
        0.7 * self.title + 0.3 * self.author.unwrap_or(0.0)
    }
}

/// Words that, added to a title, make another work about the book: "The Fault in Our
/// Stars Companion", "Study Guide: The Alchemist", "Dune Box Set".
const DERIVATIVE_MARKERS: &[&str] = &[
    "companion",
    "guide",
    "summary",
    "analysis",
    "study",
    "workbook",
    "notes",
    "sparknotes",
    "cliffsnotes",
    "trivia",
    "quiz",
    "unofficial",
    "criticism",
    "critical",
    "essays",
    "coloring",
    "colouring",
    "journal",
    "box",
    "boxed",
    "set",
    "omnibus",
    "collection",
];
/// Title similarity given to a candidate that is another work about the book.
const DERIVATIVE_TITLE: f64 = 0.3;

/// Scores a candidate (`title`, `authors`) against the wanted `query_title` and `query_author`.
///
/// Titles are compared as bags of normalised words (case, accents and
/// punctuation ignored), also without their subtitles; authors by their words,
/// with a matching surname counting as a good match ("J.K. Rowling" vs
/// "Joanne Rowling").
///
/// A candidate whose title adds a word like "Companion", "Study Guide" or "Box Set"
/// that the query does not have is another work and scores low whatever its overlap.
pub fn score(query_title: &str, query_author: &str, title: &str, authors: &[String]) -> MatchScore {
    let mut title_score = title_similarity(query_title, title);
    if is_derivative(query_title, title) {
        title_score = title_score.min(DERIVATIVE_TITLE);
    }
    MatchScore { title: title_score, author: author_similarity(query_author, authors) }
}

/// Whether `candidate` carries a derivative-work marker that `query` lacks.
fn is_derivative(query: &str, candidate: &str) -> bool {
    let query = words(query);
    words(candidate).iter().any(|w| DERIVATIVE_MARKERS.contains(&w.as_str()) && !query.contains(w))
}

/// Similarity of two titles in `0.0..=1.0`.
pub fn title_similarity(a: &str, b: &str) -> f64 {
    let a_variants = [words(a), words(main_title(a))];
    let b_variants = [words(b), words(main_title(b))];
    let mut best = 0.0f64;
    for x in &a_variants {
        for y in &b_variants {
            best = best.max(dice(x, y));
            if !x.is_empty() && !y.is_empty() && (is_subset(x, y) || is_subset(y, x)) {
                best = best.max(CONTAINED_TITLE);
            }
        }
    }
    best
}

/// Similarity of `query` to the best of `authors`; `None` if either side is empty.
pub fn author_similarity(query: &str, authors: &[String]) -> Option<f64> {
    let q = words(query);
    if q.is_empty() {
        return None;
    }
    // The surname is the longest word: it survives "Rowling, J.K." and "J. K. Rowling" alike.
    let surname = q.iter().max_by_key(|w| w.chars().count())?;
    authors
        .iter()
        .map(|a| words(a))
        .filter(|a| !a.is_empty())
        .map(|a| {
            let d = dice(&q, &a);
            if a.contains(surname) { d.max(0.8) } else { d }
        })
        .max_by(f64::total_cmp)
}

/// The title before a subtitle separator (`:` or ` - `).
fn main_title(title: &str) -> &str {
    let cut = [title.find(':'), title.find(" - ")].into_iter().flatten().min();
    cut.map_or(title, |i| &title[..i])
}

/// Lower-cased, accent-folded words; apostrophes join ("Sorcerer's" → "sorcerers"), other
/// punctuation separates ("J.K." → "j", "k").
pub(crate) fn words(s: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut current = String::new();
    for c in s.chars() {
        if matches!(c, '\'' | '’' | 'ʼ') {
            continue;
        }
        if c.is_alphanumeric() {
            for lower in c.to_lowercase() {
                push_unaccented(&mut current, lower);
            }
        } else if !current.is_empty() {
            out.push(std::mem::take(&mut current));
        }
    }
    if !current.is_empty() {
        out.push(current);
    }
    out
}

/// Sørensen–Dice coefficient of two word multisets.
fn dice(a: &[String], b: &[String]) -> f64 {
    if a.is_empty() || b.is_empty() {
        return 0.0;
    }
    let mut remaining: Vec<&String> = b.iter().collect();
    let mut common = 0usize;
    for w in a {
        if let Some(i) = remaining.iter().position(|x| *x == w) {
            remaining.swap_remove(i);
            common += 1;
        }
    }
    (2 * common) as f64 / (a.len() + b.len()) as f64
}

fn is_subset(small: &[String], big: &[String]) -> bool {
    small.iter().all(|w| big.contains(w))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn authors(names: &[&str]) -> Vec<String> {
        names.iter().map(|s| (*s).to_owned()).collect()
    }

    #[test]
    fn words_fold_case_accents_and_punctuation() {
        assert_eq!(
            words("Harry Potter and the Sorcerer's Stone"),
            ["harry", "potter", "and", "the", "sorcerers", "stone"]
        );
        assert_eq!(words("J.K. Rowling"), ["j", "k", "rowling"]);
        assert_eq!(words("Mary GrandPré"), ["mary", "grandpre"]);
        assert_eq!(words("Les Misérables — Tome I"), ["les", "miserables", "tome", "i"]);
        assert!(words(" .,; ").is_empty());
    }

    #[test]
    fn identical_titles_and_authors_score_one() {
        let s = score(
            "This Is How You Lose the Time War",
            "Amal El-Mohtar",
            "This is How You Lose the Time War",
            &authors(&["Amal El-Mohtar", "Max Gladstone"]),
        );
        assert!((s.title - 1.0).abs() < f64::EPSILON);
        assert_eq!(s.author, Some(1.0));
        assert!(s.is_acceptable());
    }

    #[test]
    fn subtitles_and_initials_still_match() {
        let s = score(
            "Annihilation",
            "Jeff VanderMeer",
            "Annihilation: A Novel",
            &authors(&["Jeff VanderMeer"]),
        );
        assert!(s.is_acceptable(), "{s:?}");
        let s = score(
            "Harry Potter and the Chamber of Secrets",
            "J.K. Rowling",
            "Harry Potter and the Chamber of Secrets",
            &authors(&["J. K. Rowling"]),
        );
        assert!(s.is_acceptable(), "{s:?}");
        let s = score(
            "The Hobbit",
            "J.R.R. Tolkien",
            "The Hobbit, or There and Back Again",
            &authors(&["John Ronald Reuel Tolkien"]),
        );
        assert!(s.is_acceptable(), "{s:?}");
    }

    #[test]
    fn other_books_are_rejected() {
        // A translation: same author, different title.
        let s = score(
            "Children of Time",
            "Adrian Tchaikovsky",
            "Dans la toile du temps",
            &authors(&["Adrian Tchaikovsky"]),
        );
        assert!(!s.is_acceptable(), "{s:?}");
        // Same title, another author.
        let s = score(
            "Annihilation",
            "Jeff VanderMeer",
            "Annihilation",
            &authors(&["Vladimir Sorokin"]),
        );
        assert!(!s.is_acceptable(), "{s:?}");
        // A study guide about the book.
        let s = score(
            "The Alchemist",
            "Paulo Coelho",
            "Study Guide: The Alchemist by Paulo Coelho",
            &authors(&["SuperSummary"]),
        );
        assert!(!s.is_acceptable(), "{s:?}");
    }

    #[test]
    fn companions_guides_and_box_sets_by_the_same_author_are_rejected() {
        let green = authors(&["John Green"]);
        for other in [
            "The Fault in Our Stars Companion",
            "The Fault in Our Stars: A Study Guide",
            "The Fault in Our Stars Box Set",
            "Summary & Analysis of The Fault in Our Stars",
        ] {
            let s = score("The Fault in Our Stars", "John Green", other, &green);
            assert!(!s.is_acceptable(), "{other}: {s:?}");
        }
        // The marker in the wanted title itself is no reason to reject.
        let s = score(
            "The Hitchhiker's Guide to the Galaxy",
            "Douglas Adams",
            "The Hitchhiker's Guide to the Galaxy",
            &authors(&["Douglas Adams"]),
        );
        assert!(s.is_acceptable(), "{s:?}");
    }

    #[test]
    fn missing_author_needs_a_near_exact_title() {
        assert_eq!(author_similarity("", &authors(&["Someone"])), None);
        assert_eq!(author_similarity("Someone", &[]), None);
        assert!(score("Sabriel", "", "Sabriel", &[]).is_acceptable());
        assert!(
            !score("The Hobbit", "", "The Hobbit, or There and Back Again", &[]).is_acceptable()
        );
    }

    #[test]
    fn rank_prefers_the_closer_candidate() {
        let exact = score(
            "Children of Time",
            "Adrian Tchaikovsky",
            "Children of Time",
            &authors(&["Adrian Tchaikovsky"]),
        );
        let longer = score(
            "Children of Time",
            "Adrian Tchaikovsky",
            "Children of Time Omnibus Edition",
            &authors(&["Adrian Tchaikovsky"]),
        );
        assert!(exact.rank() > longer.rank());
    }
}
