//! Runtime settings (latency, limits, quota, faults) and the `POST /__config` body that changes them.

use std::collections::{BTreeMap, HashMap};
use std::time::Duration;

use serde::{Deserialize, Deserializer, Serialize};

use crate::Api;
use crate::error::Error;
use crate::fault::Fault;
use crate::rate_limit::{Bucket, RateLimit};

/// A change to a running server's settings; absent fields are left as they are.
///
/// JSON example: `{"latency_ms": 50, "rate_limits": {"openlibrary": {"per_second": 3, "burst": 3,
/// "retry_after": 1}, "google": null}, "google_daily_quota": 100, "faults": ["503,first-per-url=1"]}`.
/// `null` removes a limit or the quota; `"faults"` replaces the whole fault list (`[]` clears it) and
/// takes spec strings or `Fault` objects.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RuntimeConfig {
    /// Delay before every catalogue response, in milliseconds.
    #[serde(default)]
    pub latency_ms: Option<u64>,
    /// Per-API limits to set (`Some`) or remove (`None`).
    #[serde(default)]
    pub rate_limits: Option<BTreeMap<Api, Option<RateLimit>>>,
    /// `Some(Some(n))` sets the Google daily quota, `Some(None)` removes it.
    #[serde(default, deserialize_with = "present", skip_serializing_if = "Option::is_none")]
    pub google_daily_quota: Option<Option<u64>>,
    /// The new fault list.
    #[serde(default)]
    pub faults: Option<Vec<FaultSpec>>,
}

/// A fault given as a spec string (`"503,api=google"`) or as a `Fault` object.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum FaultSpec {
    /// `--fault` syntax.
    Spec(String),
    /// The structured form.
    Fault(Fault),
}

impl FaultSpec {
    /// The fault it describes.
    pub fn to_fault(&self) -> Result<Fault, Error> {
        match self {
            FaultSpec::Spec(s) => s.parse(),
            FaultSpec::Fault(f) => Ok(f.clone()),
        }
    }
}

fn present<'de, D: Deserializer<'de>, T: Deserialize<'de>>(d: D) -> Result<Option<T>, D::Error> {
    T::deserialize(d).map(Some)
}

/// Live settings plus the counters faults and quotas are decided by.
#[derive(Debug, Default)]
pub(crate) struct Settings {
    pub latency: Duration,
    pub buckets: BTreeMap<Api, Bucket>,
    pub google_daily_quota: Option<u64>,
    pub google_requests: u64,
    /// Each fault with the number of requests it has matched so far.
    pub faults: Vec<(Fault, u64)>,
    /// How many times each URL (without `key=`) has been requested.
    pub attempts: HashMap<String, u64>,
}

/// What the settings decided for one request, beyond serving it normally.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Verdict {
    Serve,
    RateLimited { retry_after: Option<u64> },
    QuotaExhausted,
    Fault(Fault),
}

impl Settings {
    /// Applies a runtime change; faults are validated before anything changes.
    pub(crate) fn apply(&mut self, config: &RuntimeConfig) -> Result<(), Error> {
        let faults = match &config.faults {
            Some(specs) => {
                Some(specs.iter().map(FaultSpec::to_fault).collect::<Result<Vec<_>, _>>()?)
            }
            None => None,
        };
        if let Some(ms) = config.latency_ms {
            self.latency = Duration::from_millis(ms);
        }
        if let Some(limits) = &config.rate_limits {
            for (api, limit) in limits {
                self.set_rate_limit(*api, *limit);
            }
        }
        if let Some(quota) = config.google_daily_quota {
            self.google_daily_quota = quota;
        }
        if let Some(faults) = faults {
            self.faults = faults.into_iter().map(|f| (f, 0)).collect();
        }
        Ok(())
    }

    pub(crate) fn set_rate_limit(&mut self, api: Api, limit: Option<RateLimit>) {
        match limit {
            Some(l) => {
                self.buckets.insert(api, Bucket::new(l));
            }
            None => {
                self.buckets.remove(&api);
            }
        }
    }

    /// Forgets what was seen: URL attempts, fault match counts, the quota count; refills the buckets.
    pub(crate) fn reset_counters(&mut self) {
        self.attempts.clear();
        self.google_requests = 0;
        for (_, n) in &mut self.faults {
            *n = 0;
        }
        for bucket in self.buckets.values_mut() {
            *bucket = Bucket::new(bucket.limit);
        }
    }

    /// Decides one catalogue request: daily quota, then rate limit, then faults in order.
    pub(crate) fn decide(&mut self, api: Option<Api>, route: &str, target: &str) -> Verdict {
        let attempt = {
            let n = self.attempts.entry(target.to_owned()).or_default();
            *n += 1;
            *n
        };
        if api == Some(Api::Google) {
            self.google_requests += 1;
            if self.google_daily_quota.is_some_and(|q| self.google_requests > q) {
                return Verdict::QuotaExhausted;
            }
        }
        if let Some(bucket) = api.and_then(|a| self.buckets.get_mut(&a)) {
            if !bucket.try_take() {
                return Verdict::RateLimited { retry_after: bucket.limit.retry_after };
            }
        }
        let mut verdict = Verdict::Serve;
        for (fault, matched) in &mut self.faults {
            if !fault.matches(api, route) {
                continue;
            }
            // Every matching fault counts the request, so each fault's schedule is independent of the others.
            *matched += 1;
            if verdict == Verdict::Serve && fault.fires(*matched, attempt) {
                verdict = Verdict::Fault(fault.clone());
            }
        }
        verdict
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn config_json_forms() {
        let c: RuntimeConfig = serde_json::from_str(
            r#"{"latency_ms":5,"rate_limits":{"openlibrary":{"per_second":3,"burst":2},"google":null},
                "google_daily_quota":null,"faults":["503,first-per-url=1",{"action":{"kind":"hang"},"api":"google"}]}"#,
        )
        .unwrap_or_default();
        assert_eq!(c.latency_ms, Some(5));
        assert_eq!(c.google_daily_quota, Some(None));
        let limits = c.rate_limits.clone().unwrap_or_default();
        assert_eq!(limits.get(&Api::Google), Some(&None));
        assert_eq!(limits.get(&Api::OpenLibrary).and_then(|l| l.map(|l| l.burst)), Some(2));
        let mut s = Settings::default();
        assert!(s.apply(&c).is_ok());
        assert_eq!(s.faults.len(), 2);
        let none: RuntimeConfig = serde_json::from_str("{}").unwrap_or_default();
        assert_eq!(none.google_daily_quota, None);
        assert!(serde_json::from_str::<RuntimeConfig>(r#"{"latency":5}"#).is_err());
        let bad: RuntimeConfig =
            serde_json::from_str(r#"{"faults":["nope"],"latency_ms":9}"#).unwrap_or_default();
        assert!(s.apply(&bad).is_err());
        assert_eq!(s.latency, Duration::from_millis(5), "a bad config changes nothing");
    }

    #[test]
    fn decide_counts_quota_then_faults() {
        let mut s = Settings { google_daily_quota: Some(2), ..Settings::default() };
        s.faults.push((Fault::status(500).first_per_url(1), 0));
        assert!(matches!(
            s.decide(Some(Api::Google), "/books/v1/volumes", "/a"),
            Verdict::Fault(_)
        ));
        assert_eq!(s.decide(Some(Api::Google), "/books/v1/volumes", "/a"), Verdict::Serve);
        assert_eq!(s.decide(Some(Api::Google), "/books/v1/volumes", "/a"), Verdict::QuotaExhausted);
        assert!(matches!(
            s.decide(Some(Api::OpenLibrary), "/search.json", "/b"),
            Verdict::Fault(_)
        ));
        s.reset_counters();
        assert!(matches!(
            s.decide(Some(Api::Google), "/books/v1/volumes", "/a"),
            Verdict::Fault(_)
        ));
    }
}
