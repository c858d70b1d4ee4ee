//! `normalizeGenres` and the `GenreNormalizer` class: raw catalogue subjects to clean genres.

use bookenrich_core::genres::{self as core_genres, DropReason, GenreNormalizer as CoreNormalizer};
use napi::Env;
use napi_derive::napi;

use crate::guard;

/// Normalises one book's raw genre strings with the built-in vocabulary.
///
/// `["Fiction / Science Fiction / Space Opera", "Large type books", "Sci-fi."]`
/// gives `["Science Fiction", "Space Opera", "Fiction"]`.
#[napi]
pub fn normalize_genres(env: &Env, raw: Vec<String>) -> napi::Result<Vec<String>> {
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

/// A genre normaliser with the built-in vocabulary, optionally extended by user rules.
#[napi]
pub struct GenreNormalizer {
    inner: CoreNormalizer,
}

#[napi]
impl GenreNormalizer {
    /// Compiles the vocabulary; throws `CONFIG` when `rulesToml` is invalid (the message names the line).
    #[napi(constructor)]
    pub fn new(env: &Env, options: Option<GenreNormalizerOptions>) -> napi::Result<Self> {
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
    pub fn normalize(&self, env: &Env, raw: Vec<String>) -> napi::Result<Vec<String>> {
        guard::sync(env, move || {
            Ok(self.inner.normalize(&raw).into_iter().map(String::from).collect())
        })
    }

    /// Normalises several sources' raw strings for one book (one inner array per source).
    #[napi]
    pub fn normalize_sources(
        &self,
        env: &Env,
        per_source: Vec<Vec<String>>,
    ) -> napi::Result<Vec<String>> {
        guard::sync(env, move || {
            let slices: Vec<&[String]> = per_source.iter().map(Vec::as_slice).collect();
            Ok(self.inner.normalize_sources(&slices).into_iter().map(String::from).collect())
        })
    }

    /// `Fiction` or `Nonfiction` when the strings allow a decision, else `null`.
    #[napi(ts_return_type = "'Fiction' | 'Nonfiction' | null")]
    pub fn classify(&self, env: &Env, raw: Vec<String>) -> napi::Result<Option<String>> {
        guard::sync(env, move || Ok(self.inner.classify(&raw).map(|k| k.as_str().to_owned())))
    }

    /// What the rules make of one raw string: its genres and what was dropped, and why.
    #[napi]
    pub fn explain(&self, env: &Env, raw: String) -> napi::Result<GenreExplanation> {
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
