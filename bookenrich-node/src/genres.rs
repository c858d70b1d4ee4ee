//! `normalizeGenres` and the `GenreNormalizer` class: raw catalogue subjects to clean genres.

use std::collections::BTreeMap;

use bookenrich_core::EnrichedBook;
use bookenrich_core::genres::{
    self as core_genres, AuditBook, DropReason, GenreAudit as CoreAudit,
    GenreNormalizer as CoreNormalizer, dashboard_books_from_path,
};
use napi::Env;
use napi_derive::napi;

use crate::guard;
use crate::result::EnrichmentResult;

/// Normalises one book's raw genre strings with the built-in vocabulary.
///
/// `["Fiction / Science Fiction / Space Opera", "Large type books", "Sci-fi."]`
/// gives `["Science Fiction", "Space Opera", "Fiction"]`.
#[napi]
pub fn normalize_genres(env: Env, raw: Vec<String>) -> napi::Result<Vec<String>> {
    guard::sync(env, move || {
        Ok(core_genres::normalize(&raw).into_iter().map(String::from).collect())
    })
}

/// Options of `new GenreNormalizer()`.
#[napi(object)]
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct GenreNormalizerOptions {
    /// Extra or overriding rules, in the TOML format of the built-in vocabulary (see docs/genres.md).
    pub rules_toml: Option<String>,
    /// Keep at most this many genres per book (the `Fiction`/`Nonfiction` marker included); default 8.
    pub max_genres: Option<u32>,
}

/// A part of a raw string that produced no genre, and why.
#[napi(object, use_nullable = true)]
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DroppedPart {
    /// The folded text of the dropped part.
    pub text: String,
    /// Why it was dropped.
    #[napi(ts_type = "'noise' | 'mapped_to_nothing' | 'unknown' | 'topic_of_fiction' | 'other'")]
    pub reason: String,
    /// For `noise`: the rule class that matched (`reading_level`, `format`, `date`, …).
    pub noise_class: Option<String>,
}

/// What the rules make of one raw string.
#[napi(object)]
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GenreExplanation {
    /// The genres the string supports, in the order found.
    pub genres: Vec<String>,
    /// The parts that produced no genre.
    pub dropped: Vec<DroppedPart>,
}

/// A book of the genre audit.
#[napi(object, use_nullable = true)]
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditedBook {
    /// Goodreads `Book Id`, when known.
    pub goodreads_id: Option<String>,
    /// Title.
    pub title: String,
    /// Author.
    pub author: String,
    /// Its genres.
    pub genres: Vec<String>,
    /// Its raw catalogue strings per source (empty from a dashboard).
    pub raw: BTreeMap<String, Vec<String>>,
}

/// A catalogue string part no genre rule knows.
#[napi(object)]
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownString {
    /// The part as the rules read it (folded).
    pub text: String,
    /// In how many books it occurs.
    pub books: u32,
    /// Up to three raw strings it came from.
    pub examples: Vec<String>,
    /// The rule-file line that would give it a genre (fill in `<genre>`).
    pub rule: String,
}

/// The genre audit: books without a genre and unknown strings, most frequent first.
#[napi(object)]
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GenreAudit {
    /// Books audited.
    pub books: u32,
    /// Books with at least one genre.
    pub with_genres: u32,
    /// Books without a genre, with their raw catalogue strings.
    pub without_genres: Vec<AuditedBook>,
    /// Unknown string parts, most frequent first.
    pub unknown: Vec<UnknownString>,
}

fn count(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

impl GenreAudit {
    fn from_core(a: CoreAudit, top: Option<u32>) -> Self {
        let top = top.map_or(usize::MAX, |n| n as usize);
        Self {
            books: count(a.books),
            with_genres: count(a.with_genres),
            without_genres: a
                .without_genres
                .into_iter()
                .map(|b| AuditedBook {
                    goodreads_id: b.goodreads_id,
                    title: b.title,
                    author: b.author,
                    genres: b.genres,
                    raw: b.raw,
                })
                .collect(),
            unknown: a
                .unknown
                .into_iter()
                .take(top)
                .map(|u| UnknownString {
                    text: u.text,
                    books: count(u.books),
                    examples: u.examples,
                    rule: u.rule,
                })
                .collect(),
        }
    }
}

/// A genre normaliser with the built-in vocabulary, optionally extended by user rules.
#[napi]
pub struct GenreNormalizer {
    inner: CoreNormalizer,
}

#[napi]
impl GenreNormalizer {
    /// Compiles the vocabulary; throws `CONFIG` when `rulesToml` is invalid (the message names the line).
    #[napi(constructor)]
    pub fn new(env: Env, options: Option<GenreNormalizerOptions>) -> napi::Result<Self> {
        let options = options.unwrap_or_default();
        guard::sync(env, || {
            let mut inner = CoreNormalizer::new();
            if let Some(toml) = &options.rules_toml {
                inner = inner.with_rules_toml(toml)?;
            }
            if let Some(n) = options.max_genres {
                inner = inner.with_max_genres(n as usize);
            }
            Ok(Self { inner })
        })
    }

    /// Normalises one source's raw strings: genres by relevance, then `Fiction`/`Nonfiction`.
    #[napi]
    pub fn normalize(&self, env: Env, raw: Vec<String>) -> napi::Result<Vec<String>> {
        guard::sync(env, move || {
            Ok(self.inner.normalize(&raw).into_iter().map(String::from).collect())
        })
    }

    /// Normalises several sources' raw strings for one book (one inner array per source).
    #[napi]
    pub fn normalize_sources(
        &self,
        env: Env,
        per_source: Vec<Vec<String>>,
    ) -> napi::Result<Vec<String>> {
        guard::sync(env, move || {
            let slices: Vec<&[String]> = per_source.iter().map(Vec::as_slice).collect();
            Ok(self.inner.normalize_sources(&slices).into_iter().map(String::from).collect())
        })
    }

    /// `Fiction` or `Nonfiction` when the strings allow a decision, else `null`.
    #[napi(ts_return_type = "'Fiction' | 'Nonfiction' | null")]
    pub fn classify(&self, env: Env, raw: Vec<String>) -> napi::Result<Option<String>> {
        guard::sync(env, move || Ok(self.inner.classify(&raw).map(|k| k.as_str().to_owned())))
    }

    /// What the rules make of one raw string: its genres and what was dropped, and why.
    #[napi]
    pub fn explain(&self, env: Env, raw: String) -> napi::Result<GenreExplanation> {
        guard::sync(env, move || {
            let e = self.inner.explain(&raw);
            Ok(GenreExplanation {
                genres: e.genres.into_iter().map(String::from).collect(),
                dropped: e
                    .dropped
                    .into_iter()
                    .map(|d| {
                        let (reason, noise_class) = match d.reason {
                            DropReason::Noise(class) => ("noise", Some(class)),
                            DropReason::MappedToNothing => ("mapped_to_nothing", None),
                            DropReason::Unknown => ("unknown", None),
                            DropReason::TopicOfFiction => ("topic_of_fiction", None),
                            _ => ("other", None),
                        };
                        DroppedPart { text: d.text, reason: reason.to_owned(), noise_class }
                    })
                    .collect(),
            })
        })
    }

    /// The books of enrichment results left without a genre (with their raw catalogue strings)
    /// and the strings no rule knows, most frequent first, each with the rule it would need
    /// (the CLI's `genres audit`); `top` limits the unknown strings.
    #[napi]
    pub fn audit(
        &self,
        env: Env,
        results: Vec<EnrichmentResult>,
        top: Option<u32>,
    ) -> napi::Result<GenreAudit> {
        guard::sync(env, move || {
            let books = results
                .into_iter()
                .map(|r| EnrichedBook::try_from(r).map(|b| AuditBook::from(&b)))
                .collect::<Result<Vec<_>, _>>()?;
            Ok(GenreAudit::from_core(self.inner.audit(&books), top))
        })
    }

    /// The same audit over a dashboard JSON file (books and genres only; a dashboard keeps no
    /// raw catalogue strings). Throws `IO` when the file cannot be read, `INVALID_DASHBOARD`
    /// naming the file and the field at fault.
    #[napi]
    pub fn audit_dashboard(
        &self,
        env: Env,
        path: String,
        top: Option<u32>,
    ) -> napi::Result<GenreAudit> {
        guard::sync(env, move || {
            let books = dashboard_books_from_path(path.as_ref())?;
            Ok(GenreAudit::from_core(self.inner.audit(&books), top))
        })
    }

    /// The canonical genre names of the vocabulary, in table order.
    #[napi(getter)]
    pub fn vocabulary(&self) -> Vec<String> {
        self.inner.vocabulary().map(|g| g.as_str().to_owned()).collect()
    }

    /// The cap of genres per book.
    #[napi(getter)]
    pub fn max_genres(&self) -> u32 {
        u32::try_from(self.inner.max_genres()).unwrap_or(u32::MAX)
    }
}
