//! `Enricher.plan(books)`: what a run would take, from the cache alone.

use bookenrich_core::engine::{RunPlan as CoreRunPlan, SourcePlan as CoreSourcePlan};
use napi_derive::napi;

/// One source's part of a plan.
#[napi(object)]
#[derive(Debug, Clone, PartialEq)]
pub struct SourcePlan {
    /// The source's name.
    pub name: String,
    /// Books the source should be asked for.
    pub books: f64,
    /// Requests it should take.
    pub requests_expected: f64,
    /// Requests it takes at most.
    pub requests_max: f64,
    /// Its rate limit, requests per second.
    pub per_second: f64,
    /// Requests left in its daily budget today, if it has one.
    pub daily_budget_left: Option<f64>,
    /// Why the plan leaves the source out (e.g. no API key), if it does.
    pub skipped: Option<String>,
}

/// What a run would take: books the cache answers, requests per source, and the time the
/// rate limits impose.
#[napi(object)]
#[derive(Debug, Clone, PartialEq)]
pub struct RunPlan {
    /// Books in the run.
    pub books: f64,
    /// Books the cache answers completely, without any request.
    pub from_cache: f64,
    /// Requests the run should take, all sources.
    pub requests_expected: f64,
    /// Requests the run takes at most.
    pub requests_max: f64,
    /// Seconds the rate limits impose on the expected requests.
    pub seconds_expected: f64,
    /// Seconds they impose on the most requests.
    pub seconds_max: f64,
    /// Per source, in the configured order.
    pub sources: Vec<SourcePlan>,
}

// JS numbers are f64; counts stay far below 2^53.
#[allow(clippy::cast_precision_loss)]
fn num(n: impl TryInto<u64>) -> f64 {
    n.try_into().map_or(f64::MAX, |n: u64| n as f64)
}

impl From<CoreSourcePlan> for SourcePlan {
    fn from(s: CoreSourcePlan) -> Self {
        Self {
            name: s.name,
            books: num(s.books),
            requests_expected: num(s.requests_expected),
            requests_max: num(s.requests_max),
            per_second: s.per_second,
            daily_budget_left: s.daily_budget_left.map(num),
            skipped: s.skipped,
        }
    }
}

impl From<CoreRunPlan> for RunPlan {
    fn from(p: CoreRunPlan) -> Self {
        Self {
            books: num(p.books),
            from_cache: num(p.from_cache),
            requests_expected: num(p.requests_expected),
            requests_max: num(p.requests_max),
            seconds_expected: p.duration_expected.as_secs_f64(),
            seconds_max: p.duration_max.as_secs_f64(),
            sources: p.sources.into_iter().map(SourcePlan::from).collect(),
        }
    }
}
