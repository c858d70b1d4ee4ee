//! Turning the sources' answers for one book into its [`EnrichedBook`].

use std::borrow::Cow;

use serde::{Deserialize, Serialize};

use crate::genres::{Genre, GenreNormalizer, SourceStrings};
use crate::model::{EnrichedBook, SourceFailure};
#[cfg(doc)]
use crate::sources::GenreSource;
use crate::sources::{SourceError, SourceHit, SourceResult};

/// How the sources' genres are combined.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MergePolicy {
    /// Ask every source and normalise the union of their genres: a genre several
    /// sources agree on ranks higher.
    Union,
    /// Ask the sources in order and stop at the first whose genres survive
    /// normalisation; later sources are asked only for books still without genres
    /// (fewer requests, e.g. to save Google's daily quota). The cover also comes
    /// only from the sources asked.
    FirstWithGenres,
    /// The request planner (the default): like `first_with_genres`, and a source that says it
    /// cannot help ([`GenreSource::unusable`], e.g. Google
    /// Books without an API key) is not asked at all, with one notice. A book goes on to the next
    /// source as soon as the earlier one answered it, so the sources run side by side.
    #[default]
    Planned,
}

impl MergePolicy {
    /// The policy's configuration name: `planned`, `union` or `first_with_genres`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Union => "union",
            Self::FirstWithGenres => "first_with_genres",
            Self::Planned => "planned",
        }
    }

    /// Parses `planned`, `union` or `first_with_genres` (also `plan`, `first`, `first-with-genres`).
    pub fn parse(value: &str) -> Option<Self> {
        match value.trim().to_ascii_lowercase().replace(['-', ' '], "_").as_str() {
            "planned" | "plan" => Some(Self::Planned),
            "union" | "all" => Some(Self::Union),
            "first_with_genres" | "first" => Some(Self::FirstWithGenres),
            _ => None,
        }
    }
}

/// What one source answered for one book.
#[derive(Debug, Clone)]
pub(crate) struct Outcome {
    pub(crate) result: SourceResult,
    /// The answer needed no network request.
    pub(crate) from_cache: bool,
    /// `result`'s error as the book records it, shared by the books of one lookup that
    /// failed alike ([`Outcome::batch`]).
    pub(crate) failure: Option<SourceFailure>,
}

impl Outcome {
    /// The outcomes of one lookup, one per result. The books of a failed batch request get
    /// equal errors; their recorded failure is made once and shared (its message, with the
    /// request's URL, is the bulk of a failed book's result).
    pub(crate) fn batch(results: Vec<SourceResult>, from_cache: bool) -> Vec<Self> {
        let mut last: Option<(SourceError, SourceFailure)> = None;
        results
            .into_iter()
            .map(|result| {
                let failure = result.as_ref().err().map(|e| match &last {
                    Some((seen, failure)) if seen == e => failure.clone(),
                    _ => {
                        let failure = SourceFailure::from(e);
                        last = Some((e.clone(), failure.clone()));
                        failure
                    }
                });
                Self { result, from_cache, failure }
            })
            .collect()
    }

    /// The source failed for the book, wholly or in part (a record found incomplete).
    pub(crate) fn failed(&self) -> bool {
        match &self.result {
            Err(_) => true,
            Ok(Some(hit)) => hit.incomplete.is_some(),
            Ok(None) => false,
        }
    }
}

/// A source's slot in a book's merge: its name and its answer, if it was asked.
pub(crate) struct Answer<'a> {
    pub(crate) source: &'a str,
    pub(crate) outcome: Option<&'a Outcome>,
    /// Why the plan did not ask this source at all (e.g. no API key).
    pub(crate) skipped: Option<&'a str>,
}

/// A hit's strings for the normaliser: its subjects, then its classification numbers.
fn evidence(hit: &SourceHit) -> Cow<'_, [String]> {
    if hit.classifications.is_empty() {
        Cow::Borrowed(&hit.genres)
    } else {
        Cow::Owned(hit.genres.iter().chain(&hit.classifications).cloned().collect())
    }
}

/// The genres one source contributes after normalisation (empty when it had none).
pub(crate) fn normalized_alone(normalizer: &GenreNormalizer, hit: &SourceHit) -> Vec<Genre> {
    let strings = evidence(hit);
    if strings.is_empty() {
        Vec::new()
    } else {
        normalizer
            .normalize_evidence(&[SourceStrings { strings: &strings, level: hit.genres_level }])
    }
}

/// Fills `book` from the answers, in configured source order.
pub(crate) fn merge_into(
    book: &mut EnrichedBook,
    answers: &[Answer<'_>],
    policy: MergePolicy,
    normalizer: &GenreNormalizer,
) {
    let mut asked = 0usize;
    let mut all_cached = true;
    for answer in answers {
        let Some(outcome) = answer.outcome else {
            let why = answer.skipped.unwrap_or("an earlier source had genres");
            book.processing_log.push(format!("{}: not asked ({why})", answer.source));
            continue;
        };
        asked += 1;
        all_cached &= outcome.from_cache;
        let cached = if outcome.from_cache { " (cached)" } else { "" };
        match &outcome.result {
            Ok(Some(hit)) => {
                book.processing_log.push(format!(
                    "{}: found{cached}, {} raw genre(s){}",
                    answer.source,
                    hit.genres.len(),
                    if hit.thumbnail_url.is_some() { ", cover" } else { "" }
                ));
                book.processing_log
                    .extend(hit.notes.iter().map(|n| format!("{}: {n}", answer.source)));
                if let Some(e) = &hit.incomplete {
                    // Found, but part of the answer is missing: kept, and reported.
                    all_cached = false;
                    book.processing_log.push(format!("{}: incomplete: {e}", answer.source));
                    book.failures.push(SourceFailure::from(e));
                }
                book.sources_matched.push(answer.source.to_owned());
                if !hit.genres.is_empty() {
                    book.genres_by_source.insert(answer.source.to_owned(), hit.genres.clone());
                }
                if !hit.classifications.is_empty() {
                    book.classifications
                        .insert(answer.source.to_owned(), hit.classifications.clone());
                }
                if !hit.identifiers.is_empty() {
                    book.identifiers.insert(answer.source.to_owned(), hit.identifiers.clone());
                }
                if book.thumbnail_url.is_none() && hit.thumbnail_url.is_some() {
                    book.thumbnail_url.clone_from(&hit.thumbnail_url);
                    book.small_thumbnail_url.clone_from(&hit.small_thumbnail_url);
                }
                if book.small_thumbnail_url.is_none() && hit.small_thumbnail_url.is_some() {
                    book.small_thumbnail_url.clone_from(&hit.small_thumbnail_url);
                }
            }
            Ok(None) => book.processing_log.push(format!("{}: not found{cached}", answer.source)),
            Err(e) => {
                all_cached = false;
                // The reason only: the URL is in `failures` and `error`, once per request.
                book.processing_log.push(format!("{}: failed: {}", answer.source, e.message));
                book.failures.push(outcome.failure.clone().unwrap_or_else(|| e.into()));
            }
        }
    }
    book.from_cache = asked > 0 && all_cached;
    book.error = match book.failures.as_slice() {
        [] => None,
        [only] => Some(std::sync::Arc::clone(&only.message)),
        all => {
            let messages: Vec<&str> = all.iter().map(|f| &*f.message).collect();
            Some(messages.join("; ").into())
        }
    };

    let hits: Vec<(&str, &SourceHit)> = answers
        .iter()
        .filter_map(|a| match a.outcome.map(|o| &o.result) {
            Some(Ok(Some(hit))) => Some((a.source, hit)),
            _ => None,
        })
        .collect();
    let (final_genres, contributors) = final_genres(&hits, policy, normalizer);
    if final_genres.is_empty() {
        book.processing_log.push("no genres".to_owned());
    } else {
        book.processing_log.push(format!("genres from {}", contributors.join(", ")));
    }
    book.final_genres = final_genres.into_iter().map(String::from).collect();
    book.genre_sources = contributors;
}

/// The book's genres by `policy`, and the sources that contributed to them.
fn final_genres(
    hits: &[(&str, &SourceHit)],
    policy: MergePolicy,
    normalizer: &GenreNormalizer,
) -> (Vec<Genre>, Vec<String>) {
    match policy {
        MergePolicy::Union => {
            let strings: Vec<Cow<'_, [String]>> = hits.iter().map(|(_, h)| evidence(h)).collect();
            let per_source: Vec<SourceStrings<'_>> = strings
                .iter()
                .zip(hits)
                .map(|(s, (_, h))| SourceStrings { strings: s, level: h.genres_level })
                .collect();
            let merged = if per_source.iter().all(|s| s.strings.is_empty()) {
                Vec::new()
            } else {
                normalizer.normalize_evidence(&per_source)
            };
            let contributors = hits
                .iter()
                .filter(|(_, hit)| {
                    normalized_alone(normalizer, hit).iter().any(|g| merged.contains(g))
                })
                .map(|(name, _)| (*name).to_owned())
                .collect();
            (merged, contributors)
        }
        MergePolicy::FirstWithGenres | MergePolicy::Planned => hits
            .iter()
            .find_map(|(name, hit)| {
                let own = normalized_alone(normalizer, hit);
                (!own.is_empty()).then(|| (own, vec![(*name).to_owned()]))
            })
            .unwrap_or_default(),
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;
    use crate::error::SourceErrorKind;

    fn hit(genres: &[&str], cover: Option<&str>) -> SourceHit {
        SourceHit {
            genres: genres.iter().map(|g| (*g).to_owned()).collect(),
            thumbnail_url: cover.map(str::to_owned),
            small_thumbnail_url: cover.map(|c| format!("{c}?small")),
            identifiers: vec!["id:1".into()],
            notes: vec!["picked doc 1".into()],
            incomplete: None,
            genres_level: crate::genres::Level::Edition,
            classifications: Vec::new(),
        }
    }

    fn ok(h: SourceHit, from_cache: bool) -> Outcome {
        Outcome { result: Ok(Some(h)), from_cache, failure: None }
    }

    fn merged(answers: &[(&str, Option<&Outcome>)], policy: MergePolicy) -> EnrichedBook {
        let answers: Vec<Answer<'_>> =
            answers.iter().map(|(s, o)| Answer { source: s, outcome: *o, skipped: None }).collect();
        let mut book = EnrichedBook::default();
        merge_into(&mut book, &answers, policy, &GenreNormalizer::default());
        book
    }

    #[test]
    fn union_merges_genres_and_takes_the_first_cover_in_order() {
        let ol = ok(hit(&["Fantasy fiction", "Juvenile fiction"], None), false);
        let gb =
            ok(hit(&["Fiction / Fantasy / General"], Some("https://books.google.com/c")), false);
        let book =
            merged(&[("open_library", Some(&ol)), ("google_books", Some(&gb))], MergePolicy::Union);
        assert!(book.final_genres.contains(&"Fantasy".to_owned()), "{:?}", book.final_genres);
        assert_eq!(book.thumbnail_url.as_deref(), Some("https://books.google.com/c"));
        assert_eq!(book.sources_matched, ["open_library", "google_books"]);
        assert_eq!(book.genre_sources, ["open_library", "google_books"]);
        assert_eq!(book.genres_by_source["google_books"], ["Fiction / Fantasy / General"]);
        assert_eq!(book.identifiers["open_library"], ["id:1"]);
        assert!(book.processing_log.contains(&"open_library: picked doc 1".to_owned()));
        assert_eq!(book.error, None);
        assert!(!book.from_cache);
    }

    #[test]
    fn a_source_whose_genres_are_all_noise_is_not_a_genre_source() {
        let ol = ok(hit(&["Large type books", "Accessible book"], Some("https://covers/1")), true);
        let gb = ok(hit(&["Fiction / Science Fiction / Space Opera"], None), true);
        let book =
            merged(&[("open_library", Some(&ol)), ("google_books", Some(&gb))], MergePolicy::Union);
        assert_eq!(book.genre_sources, ["google_books"]);
        assert_eq!(book.thumbnail_url.as_deref(), Some("https://covers/1"));
        assert!(book.from_cache);
    }

    #[test]
    fn failures_are_recorded_but_other_sources_still_count() {
        let failed = SourceError::new("open_library", SourceErrorKind::Server, "HTTP 503")
            .with_url("https://o/x");
        let ol = Outcome::batch(vec![Err(failed)], false).remove(0);
        let gb = ok(hit(&["Fiction / Thrillers / Suspense"], None), true);
        let book =
            merged(&[("open_library", Some(&ol)), ("google_books", Some(&gb))], MergePolicy::Union);
        assert_eq!(book.error.as_deref(), Some("open_library: HTTP 503 (https://o/x)"));
        assert!(book.has_genres());
        assert_eq!(book.sources_matched, ["google_books"]);
        assert!(!book.from_cache, "a failed source means not everything came from the cache");
    }

    #[test]
    fn the_books_of_a_failed_batch_share_one_recorded_failure() {
        let url = "https://o/search.json?q=isbn:(9790000000001 OR 9790000000002)";
        let failed = SourceError::new("open_library", SourceErrorKind::Offline, "not in the cache")
            .with_url(url);
        let other = SourceError::new("open_library", SourceErrorKind::Server, "HTTP 503");
        let results = vec![Err(failed.clone()), Err(failed.clone()), Err(other), Err(failed)];
        let books: Vec<EnrichedBook> = Outcome::batch(results, false)
            .iter()
            .map(|o| merged(&[("open_library", Some(o))], MergePolicy::Union))
            .collect();
        let error = |i: usize| books[i].error.clone().unwrap();
        assert_eq!(&*error(0), format!("open_library: not in the cache ({url})"));
        // One allocation for the batch's message: in each book's failure and error alike.
        assert!(Arc::ptr_eq(&error(0), &error(1)));
        assert!(Arc::ptr_eq(&error(0), &books[1].failures[0].message));
        // A different error is recorded as itself, and an equal one after it is equal again.
        assert_eq!(&*error(2), "open_library: HTTP 503");
        assert_eq!(error(3), error(0));
        // The log gives the reason; the URL is recorded once, in `failures` and `error`.
        assert!(
            books[0].processing_log.contains(&"open_library: failed: not in the cache".to_owned()),
            "{:?}",
            books[0].processing_log
        );
    }

    #[test]
    fn first_with_genres_uses_the_first_source_whose_genres_survive() {
        let ol = ok(hit(&["Accessible book"], None), false);
        let gb = ok(hit(&["Fiction / Science Fiction / General"], None), false);
        let book = merged(
            &[("open_library", Some(&ol)), ("google_books", Some(&gb))],
            MergePolicy::FirstWithGenres,
        );
        assert_eq!(book.genre_sources, ["google_books"]);
        assert!(
            book.final_genres.contains(&"Science Fiction".to_owned()),
            "{:?}",
            book.final_genres
        );

        let ol = ok(hit(&["Science fiction"], None), false);
        let book = merged(
            &[("open_library", Some(&ol)), ("google_books", None)],
            MergePolicy::FirstWithGenres,
        );
        assert_eq!(book.genre_sources, ["open_library"]);
        assert!(book.processing_log.iter().any(|l| l.starts_with("google_books: not asked")));
    }

    #[test]
    fn nothing_found_is_not_an_error() {
        let none = Outcome { result: Ok(None), from_cache: false, failure: None };
        let book = merged(&[("open_library", Some(&none))], MergePolicy::Union);
        assert_eq!(book.error, None);
        assert!(book.final_genres.is_empty() && book.sources_matched.is_empty());
        assert_eq!(book.processing_log, ["open_library: not found", "no genres"]);
    }

    #[test]
    fn policy_names() {
        for p in [MergePolicy::Union, MergePolicy::FirstWithGenres] {
            assert_eq!(MergePolicy::parse(p.as_str()), Some(p));
            assert_eq!(serde_json::to_string(&p).unwrap(), format!("\"{}\"", p.as_str()));
        }
        assert_eq!(MergePolicy::parse("First-With-Genres"), Some(MergePolicy::FirstWithGenres));
        assert_eq!(MergePolicy::parse("best"), None);
    }
}
