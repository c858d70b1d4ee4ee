//! Genre normalisation: from raw catalogue subjects to one clean vocabulary.
//!
//! Catalogue subjects are mostly noise ("Reading Level-Grade 11", "Large type
//! books", "nyt:business-books=2020-07-12"), hierarchies ("Fiction / Science
//! Fiction / Space Opera", "Fiction, fantasy, general") and spelling variants
//! in several languages ("Fantasy.", "Ficción juvenil"). [`GenreNormalizer`]
//! turns them into a short, ordered list of genres from a small vocabulary
//! (about a hundred names close to Goodreads' genre list), plus the
//! Goodreads spellings `Fiction` / `Nonfiction` when the book can be classified.
//!
//! The vocabulary and rules are data (`vocabulary.toml`, compiled in); users
//! extend or override them with the same TOML format through
//! [`GenreNormalizer::with_rules_toml`]. See `docs/genres.md` for the rules.
//!
//! ```
//! use bookenrich_core::genres::normalize;
//! let raw = ["Fiction / Science Fiction / Space Opera", "Large type books", "Sci-fi."];
//! let genres: Vec<String> = normalize(&raw).into_iter().map(String::from).collect();
//! assert_eq!(genres, ["Science Fiction", "Space Opera", "Fiction"]);
//! ```

mod analyse;
mod audit;
mod classification;
mod fast_hash;
mod phrases;
mod rank;
mod rules;
mod text;

// Built on the recorded catalogue responses, which the published crate leaves out (build.rs).
#[cfg(all(test, recorded_responses))]
mod tests;

use std::fmt;
use std::sync::{Arc, LazyLock};

use serde::{Deserialize, Serialize};

use analyse::Trace;
pub use analyse::{DropReason, Dropped, Produced, Rule};
pub use audit::{AuditBook, GenreAudit, UnknownString, dashboard_books, dashboard_books_from_path};
use rank::{Ranked, marker, rank};
use rules::{Compiled, RuleFile, RuleSet};

use crate::error::Result;
pub use crate::model::Level;

/// The built-in vocabulary and rules, in the format users write to extend them.
pub const BUILTIN_RULES: &str = include_str!("vocabulary.toml");

/// One canonical genre name, e.g. `Science Fiction`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Genre(String);

impl Genre {
    /// The genre name.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Genre {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl AsRef<str> for Genre {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl From<Genre> for String {
    fn from(g: Genre) -> Self {
        g.0
    }
}

impl PartialEq<str> for Genre {
    fn eq(&self, other: &str) -> bool {
        self.0 == other
    }
}

impl PartialEq<&str> for Genre {
    fn eq(&self, other: &&str) -> bool {
        self.0 == *other
    }
}

/// Whether a book is fiction or nonfiction.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum FictionKind {
    /// Novels, stories, plays and other invented narratives.
    Fiction,
    /// Everything else.
    Nonfiction,
}

impl FictionKind {
    /// The genre name the dashboard expects (Goodreads' spelling).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Fiction => "Fiction",
            Self::Nonfiction => "Nonfiction",
        }
    }
}

impl fmt::Display for FictionKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One source's raw strings for a book, and the [`Level`] they describe.
#[derive(Debug, Clone, Copy)]
pub struct SourceStrings<'a> {
    /// The raw strings, as the source wrote them.
    pub strings: &'a [String],
    /// What they describe.
    pub level: Level,
}

impl<'a> SourceStrings<'a> {
    /// Strings about the reader's own edition.
    pub fn edition(strings: &'a [String]) -> Self {
        Self { strings, level: Level::Edition }
    }

    /// A work's pooled strings.
    pub fn work(strings: &'a [String]) -> Self {
        Self { strings, level: Level::Work }
    }
}

/// What the normaliser made of one raw string (see [`GenreNormalizer::explain`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Explanation {
    /// The genres the string supports, in the order found.
    pub genres: Vec<Genre>,
    /// The parts of the string that produced no genre, and why.
    pub dropped: Vec<Dropped>,
    /// Each genre with the rule and the key that produced it, in the order found.
    pub produced: Vec<Produced>,
}

/// How much evidence one kept genre of a book had (see [`GenreNormalizer::explain_book`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GenreSupport {
    /// The genre.
    pub genre: Genre,
    /// How many sources gave it.
    pub sources: u32,
    /// How many distinct raw strings gave it.
    pub strings: u32,
    /// How many of those describe the reader's edition.
    pub edition_strings: u32,
    /// Their weight (an edition string counts `[precision] edition_weight`, a work string 1).
    pub weight: u32,
}

/// Why a candidate genre of a book was not kept.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum GenreDropReason {
    /// Its weight is below `[precision] min_share` percent of the best genre's.
    WeakSupport,
    /// A form (play, poem, comic) that only a minority of pooled work strings claim,
    /// with nothing about the reader's edition: an adaptation, not the book.
    FormWithoutEvidence,
    /// Children's, when there is evidence of an older audience (young adult).
    OlderAudience,
    /// Children's from too few pooled work strings, or outweighed by adult evidence.
    ChildrenWithoutEvidence,
    /// A fiction genre on a nonfiction book, or a nonfiction topic of a novel.
    OtherKind,
    /// Beyond the cap of genres per book.
    Cap,
}

/// A candidate genre of a book that was dropped, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DroppedGenre {
    /// The genre.
    pub genre: Genre,
    /// Why it was dropped.
    pub reason: GenreDropReason,
}

/// What the normaliser made of one book's evidence (see [`GenreNormalizer::explain_book`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BookExplanation {
    /// The output, exactly as [`GenreNormalizer::normalize_evidence`] gives it.
    pub genres: Vec<Genre>,
    /// Each kept genre (the marker aside) with its support, in output order.
    pub kept: Vec<GenreSupport>,
    /// Each dropped candidate with its reason.
    pub dropped: Vec<DroppedGenre>,
    /// The Fiction/Nonfiction decision.
    pub kind: Option<FictionKind>,
}

/// The built-in rule set and its compiled tables, parsed once.
struct Builtin {
    rules: Arc<RuleSet>,
    compiled: Arc<Compiled>,
}

static BUILTIN: LazyLock<Builtin> = LazyLock::new(|| {
    let mut rules = RuleSet::default();
    // The built-in table is part of the crate and covered by tests; failing here is a build defect.
    let file = RuleFile::parse(BUILTIN_RULES, "built-in vocabulary.toml")
        .expect("built-in genre rules parse");
    rules.merge(file, "built-in vocabulary.toml").expect("built-in genre rules merge");
    let compiled = rules.compile().expect("built-in genre rules compile");
    Builtin { rules: Arc::new(rules), compiled: Arc::new(compiled) }
});

/// Normalises raw genre strings into the canonical vocabulary.
///
/// Cheap to clone; the default uses the built-in rules and keeps at most 8 genres per book.
#[derive(Clone)]
pub struct GenreNormalizer {
    rules: Arc<RuleSet>,
    compiled: Arc<Compiled>,
    max_genres: usize,
}

impl fmt::Debug for GenreNormalizer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("GenreNormalizer")
            .field("genres", &self.compiled.names.len())
            .field("max_genres", &self.max_genres)
            .finish_non_exhaustive()
    }
}

impl Default for GenreNormalizer {
    fn default() -> Self {
        let b = &*BUILTIN;
        Self {
            rules: Arc::clone(&b.rules),
            compiled: Arc::clone(&b.compiled),
            max_genres: b.compiled.max_genres,
        }
    }
}

/// Normalises one book's raw genre strings with the built-in rules.
pub fn normalize<S: AsRef<str>>(raw: &[S]) -> Vec<Genre> {
    GenreNormalizer::default().normalize(raw)
}

impl GenreNormalizer {
    /// The built-in vocabulary, at most 8 genres per book.
    pub fn new() -> Self {
        Self::default()
    }

    /// Keeps at most `n` genres per book (the `Fiction`/`Nonfiction` marker included).
    #[must_use]
    pub fn with_max_genres(mut self, n: usize) -> Self {
        self.max_genres = n;
        self
    }

    /// The cap of genres per book.
    pub fn max_genres(&self) -> usize {
        self.max_genres
    }

    /// Extends or overrides the vocabulary and rules with user TOML (same format as [`BUILTIN_RULES`]).
    ///
    /// Aliases and mappings given here win over the built-in ones; see `docs/genres.md`.
    /// Errors are [`Error::Config`](crate::Error::Config) naming the line or the field at fault.
    pub fn with_rules_toml(self, toml: &str) -> Result<Self> {
        let file = RuleFile::parse(toml, "user rules")?;
        let mut rules = (*self.rules).clone();
        rules.merge(file, "user rules")?;
        let compiled = rules.compile()?;
        let max_genres = rules.max_genres().unwrap_or(self.max_genres);
        Ok(Self { rules: Arc::new(rules), compiled: Arc::new(compiled), max_genres })
    }

    /// The canonical genre names of the vocabulary, in table order.
    pub fn vocabulary(&self) -> impl Iterator<Item = &Genre> {
        self.compiled.names.iter()
    }

    /// Normalises one source's raw strings: genres by relevance, then `Fiction`/`Nonfiction`.
    pub fn normalize<S: AsRef<str>>(&self, raw: &[S]) -> Vec<Genre> {
        let ranked = rank(
            &self.compiled,
            self.max_genres,
            std::iter::once((Level::Edition, raw.iter().map(AsRef::as_ref))),
        );
        self.finish(&ranked)
    }

    /// Normalises several sources' raw strings for one book.
    ///
    /// Each inner slice is one source's raw strings; relevance = how many sources/subjects support a genre.
    pub fn normalize_sources(&self, per_source: &[&[String]]) -> Vec<Genre> {
        let ranked = rank(
            &self.compiled,
            self.max_genres,
            per_source.iter().map(|s| (Level::Edition, s.iter().map(String::as_str))),
        );
        self.finish(&ranked)
    }

    /// Normalises one book's evidence: each source's strings with the level they describe.
    ///
    /// Strings about the reader's own edition (an ISBN's edition record, a volume's
    /// categories) weigh more than a work's subjects pooled over all its editions.
    pub fn normalize_evidence(&self, sources: &[SourceStrings<'_>]) -> Vec<Genre> {
        let ranked = rank(
            &self.compiled,
            self.max_genres,
            sources.iter().map(|s| (s.level, s.strings.iter().map(String::as_str))),
        );
        self.finish(&ranked)
    }

    /// Fiction / Nonfiction decision for a book when the sources allow.
    pub fn classify<S: AsRef<str>>(&self, raw: &[S]) -> Option<FictionKind> {
        rank(
            &self.compiled,
            self.max_genres,
            std::iter::once((Level::Edition, raw.iter().map(AsRef::as_ref))),
        )
        .kind
    }

    /// What the rules make of one raw string: its genres and what was dropped, and why.
    pub fn explain(&self, raw: &str) -> Explanation {
        let mut trace = Trace::default();
        self.compiled.analyse(raw, &mut trace);
        Explanation {
            genres: trace
                .ids
                .iter()
                .map(|&id| self.compiled.names[usize::from(id)].clone())
                .collect(),
            dropped: trace.dropped,
            produced: trace
                .produced
                .into_iter()
                .map(|(id, rule, key)| Produced {
                    genre: self.compiled.names[usize::from(id)].clone(),
                    rule,
                    key,
                })
                .collect(),
        }
    }

    /// Why one book got its genres: each kept genre's support, each dropped candidate's reason,
    /// and the Fiction/Nonfiction decision. [`explain`](Self::explain) says what each raw
    /// string gives and by which rule.
    pub fn explain_book(&self, sources: &[SourceStrings<'_>]) -> BookExplanation {
        let ranked = rank(
            &self.compiled,
            self.max_genres,
            sources.iter().map(|s| (s.level, s.strings.iter().map(String::as_str))),
        );
        let name = |id: u16| self.compiled.names[usize::from(id)].clone();
        let support = |id: u16| {
            let s = ranked.support[usize::from(id)];
            GenreSupport {
                genre: name(id),
                sources: s.sources.count_ones(),
                strings: s.strings,
                edition_strings: s.edition,
                weight: s.weight,
            }
        };
        BookExplanation {
            genres: self.finish(&ranked),
            kept: ranked.genres.iter().map(|&id| support(id)).collect(),
            dropped: ranked
                .dropped
                .iter()
                .map(|&(id, reason)| DroppedGenre { genre: name(id), reason })
                .collect(),
            kind: ranked.kind,
        }
    }

    fn finish(&self, ranked: &Ranked) -> Vec<Genre> {
        let names = &self.compiled.names;
        let mut out: Vec<Genre> =
            ranked.genres.iter().map(|&id| names[usize::from(id)].clone()).collect();
        if ranked.show_marker
            && let Some(kind) = ranked.kind
            && let Some(id) = marker(&self.compiled, kind)
        {
            out.push(names[usize::from(id)].clone());
        }
        out
    }
}
