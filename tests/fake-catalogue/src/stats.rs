//! What the server saw: exact request counts per route, API and URL, statuses served, peak concurrency.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::Api;

/// A snapshot of the server's counters (also served as JSON by `GET /__stats`).
///
/// Every request to a catalogue route counts once, whatever it was answered with (429, fault, hang).
/// Control routes (`/__…`) are not counted.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Stats {
    /// All catalogue requests.
    pub total: u64,
    /// Requests per route template (`/api/books`, `/search.json`, `/works/{id}.json`, `/isbn/{isbn}.json`,
    /// `/books/v1/volumes`, `/books/v1/volumes/{id}`, or `unknown`).
    pub requests_by_route: BTreeMap<String, u64>,
    /// Requests per catalogue.
    pub requests_by_api: BTreeMap<Api, u64>,
    /// Requests per path and query, with any `key=` parameter removed.
    pub requests_by_target: BTreeMap<String, u64>,
    /// Complete or truncated responses per status code (hangs and drops have none).
    pub responses_by_status: BTreeMap<u16, u64>,
    /// 429 responses, whatever caused them (rate limit, daily quota, fault).
    pub served_429: u64,
    /// 5xx responses.
    pub served_5xx: u64,
    /// 429s from the per-API rate limiter.
    pub rate_limited_by_api: BTreeMap<Api, u64>,
    /// 429s because the Google daily quota was used up.
    pub quota_exhausted: u64,
    /// Injected faults per kind (`status-503`, `hang`, `drop`, `truncate`, `wrong-type`, `oversized`, `deep-nesting`).
    pub faults_injected: BTreeMap<String, u64>,
    /// Most catalogue requests being handled at the same time.
    pub peak_concurrency: u64,
    /// Requests that carried an API key (`key=` or `x-goog-api-key`); the key itself is never stored.
    pub api_keys_seen: u64,
    /// Answers sent gzip-compressed because the request accepted it (`Accept-Encoding: gzip`).
    pub gzip_responses: u64,
    /// Requests per `User-Agent` header value (`-` when absent).
    pub user_agents: BTreeMap<String, u64>,
}

impl Stats {
    /// Requests seen on a route template, 0 if none.
    pub fn route(&self, template: &str) -> u64 {
        self.requests_by_route.get(template).copied().unwrap_or(0)
    }

    /// Requests seen for an API, 0 if none.
    pub fn api(&self, api: Api) -> u64 {
        self.requests_by_api.get(&api).copied().unwrap_or(0)
    }

    /// Requests seen for one path+query (without `key=`), 0 if none.
    pub fn target(&self, target: &str) -> u64 {
        self.requests_by_target.get(target).copied().unwrap_or(0)
    }

    pub(crate) fn record_status(&mut self, status: u16) {
        *self.responses_by_status.entry(status).or_default() += 1;
        if status == 429 {
            self.served_429 += 1;
        }
        if (500..600).contains(&status) {
            self.served_5xx += 1;
        }
    }
}
