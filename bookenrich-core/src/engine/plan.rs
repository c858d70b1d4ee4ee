//! A run's plan, made before it from the cache alone: how many books the cache answers, the
//! requests each source should take and may take at most, and the time the configured rate
//! limits impose. No request is sent.

use std::time::Duration;

use serde::{Deserialize, Serialize};

use super::enricher::{Enricher, prepare};
use super::merge::MergePolicy;
use crate::model::BookInfo;
use crate::sources::{BookQuery, LookupPlan};

/// What a run of some books would take ([`Enricher::plan`]).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct RunPlan {
    /// Books in the run.
    pub books: usize,
    /// Books the cache answers completely, without any request.
    pub from_cache: usize,
    /// Requests the run should take, all sources.
    pub requests_expected: u64,
    /// Requests the run takes at most (every identifier unknown, every fallback taken).
    pub requests_max: u64,
    /// Time the rate limits impose on the expected requests (sources run side by side, so
    /// the slowest source decides).
    pub duration_expected: Duration,
    /// The same for the most requests.
    pub duration_max: Duration,
    /// Per source, in the configured order.
    pub sources: Vec<SourcePlan>,
}

/// One source's part of a [`RunPlan`].
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct SourcePlan {
    /// The source's name.
    pub name: String,
    /// Books the source should be asked for (requests or cache).
    pub books: usize,
    /// Requests it should take.
    pub requests_expected: u64,
    /// Requests it takes at most.
    pub requests_max: u64,
    /// Its rate limit, requests per second.
    pub per_second: f64,
    /// Requests left in its daily budget today, if it has one (the estimates are capped by it).
    pub daily_budget_left: Option<u64>,
    /// Why the plan leaves the source out (e.g. no API key), if it does.
    pub skipped: Option<String>,
}

impl SourcePlan {
    /// Time its rate limit imposes on `requests`.
    fn duration(&self, requests: u64) -> Duration {
        if requests == 0 || self.per_second <= 0.0 {
            return Duration::ZERO;
        }
        // The first request goes at once, then one per interval.
        Duration::from_secs_f64((requests - 1) as f64 / self.per_second)
    }
}

impl Enricher {
    /// What enriching `books` would take, from the cache alone (no request is sent).
    ///
    /// The expected count assumes Open Library knows every ISBN and nine Goodreads ids in ten
    /// (an assumption; after a run the cache knows, and a plan made then is exact), that a
    /// matched work has subjects, and, for the default plan, that later sources are needed
    /// only for books the cache already knows earlier ones left without genres. The maximum
    /// assumes every identifier unknown and every fallback taken.
    pub fn plan(&self, books: &[BookInfo]) -> RunPlan {
        let slots = &self.inner.slots;
        let queries: Vec<BookQuery> = books.iter().map(|b| prepare(b, &mut Vec::new())).collect();
        let in_order = self.inner.merge != MergePolicy::Union;
        let planned = self.inner.merge == MergePolicy::Planned && !self.inner.offline;
        // Per book: still expected to need a later source / may still need one.
        let mut expected_open: Vec<bool> = vec![true; books.len()];
        let mut max_open: Vec<bool> = vec![true; books.len()];
        // Per book: answered without a request so far.
        let mut cached: Vec<Option<bool>> = vec![Some(false); books.len()];
        let mut sources = Vec::with_capacity(slots.len());
        for slot in slots {
            let fetcher = slot.fetcher.for_new_run();
            let mut source = SourcePlan {
                name: slot.name.clone(),
                per_second: slot.rate_limit.per_second,
                daily_budget_left: fetcher.daily_budget().map(crate::fetch::DailyBudget::remaining),
                skipped: planned.then(|| slot.source.unusable()).flatten(),
                ..SourcePlan::default()
            };
            if source.skipped.is_some() {
                sources.push(source);
                continue;
            }
            let pick = |open: &[bool]| -> (Vec<usize>, Vec<BookQuery>) {
                let ids: Vec<usize> = (0..queries.len()).filter(|&i| open[i]).collect();
                let qs = ids.iter().map(|&i| queries[i].clone()).collect();
                (ids, qs)
            };
            let (expected_ids, expected_books) = pick(&expected_open);
            let (max_ids, max_books) = pick(&max_open);
            let expected: LookupPlan = slot.source.plan(&expected_books, &fetcher);
            let max: LookupPlan = slot.source.plan(&max_books, &fetcher);
            source.books = expected_ids.len();
            source.requests_expected = expected.expected;
            source.requests_max = max.max;
            if let Some(left) = source.daily_budget_left {
                source.requests_expected = source.requests_expected.min(left);
                source.requests_max = source.requests_max.min(left);
            }
            if self.inner.offline {
                source.requests_expected = 0;
                source.requests_max = 0;
            }
            for (&i, answer) in max_ids.iter().zip(&max.cached) {
                cached[i] = match (cached[i], answer) {
                    (Some(had), Some(now)) => Some(had || *now),
                    _ => None,
                };
                if in_order && *answer == Some(true) {
                    max_open[i] = false;
                }
            }
            for (&i, answer) in expected_ids.iter().zip(&expected.cached) {
                // Unless the cache says otherwise, a book is expected to get genres here.
                if in_order && *answer != Some(false) {
                    expected_open[i] = false;
                }
            }
            sources.push(source);
        }
        let duration_of = |f: fn(&SourcePlan) -> u64| {
            sources.iter().map(|s| s.duration(f(s))).max().unwrap_or_default()
        };
        RunPlan {
            books: books.len(),
            from_cache: cached.iter().filter(|c| c.is_some()).count(),
            requests_expected: sources.iter().map(|s| s.requests_expected).sum(),
            requests_max: sources.iter().map(|s| s.requests_max).sum(),
            duration_expected: duration_of(|s| s.requests_expected),
            duration_max: duration_of(|s| s.requests_max),
            sources,
        }
    }
}
