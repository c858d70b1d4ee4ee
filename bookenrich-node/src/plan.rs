//! `Enricher.plan(books)`: what a run would take, from the cache alone.

use crate::number::js_number;
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

impl From<CoreSourcePlan> for SourcePlan {
    fn from(s: CoreSourcePlan) -> Self {
        Self {
            name: s.name,
            books: js_number(s.books),
            requests_expected: js_number(s.requests_expected),
            requests_max: js_number(s.requests_max),
            per_second: s.per_second,
            daily_budget_left: s.daily_budget_left.map(js_number),
            skipped: s.skipped,
        }
    }
}

impl From<CoreRunPlan> for RunPlan {
    fn from(p: CoreRunPlan) -> Self {
        Self {
            books: js_number(p.books),
            from_cache: js_number(p.from_cache),
            requests_expected: js_number(p.requests_expected),
            requests_max: js_number(p.requests_max),
            seconds_expected: p.duration_expected.as_secs_f64(),
            seconds_max: p.duration_max.as_secs_f64(),
            sources: p.sources.into_iter().map(SourcePlan::from).collect(),
        }
    }
}
