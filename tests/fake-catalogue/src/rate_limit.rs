//! Token-bucket rate limiting per API, answered with 429 like the real catalogues.

use serde::{Deserialize, Serialize};
use tokio::time::Instant;

/// A per-API request rate limit.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RateLimit {
    /// Sustained requests per second.
    pub per_second: f64,
    /// Requests allowed at once after idling (bucket size, at least 1).
    #[serde(default = "default_burst")]
    pub burst: u32,
    /// `Retry-After` seconds sent with the 429, or none.
    #[serde(default)]
    pub retry_after: Option<u64>,
}

fn default_burst() -> u32 {
    1
}

impl RateLimit {
    /// `per_second` requests per second, burst 1, no `Retry-After`.
    pub fn per_second(per_second: f64) -> RateLimit {
        RateLimit { per_second, burst: 1, retry_after: None }
    }

    /// Sets the burst.
    #[must_use]
    pub fn burst(mut self, burst: u32) -> RateLimit {
        self.burst = burst;
        self
    }

    /// Sets the `Retry-After` seconds.
    #[must_use]
    pub fn retry_after(mut self, secs: u64) -> RateLimit {
        self.retry_after = Some(secs);
        self
    }
}

/// The bucket state of one limit (uses tokio's clock, so paused-time tests are exact).
#[derive(Debug, Clone)]
pub(crate) struct Bucket {
    pub limit: RateLimit,
    tokens: f64,
    last: Instant,
}

impl Bucket {
    pub(crate) fn new(limit: RateLimit) -> Bucket {
        Bucket { limit, tokens: f64::from(limit.burst.max(1)), last: Instant::now() }
    }

    /// Takes a token if one is available.
    pub(crate) fn try_take(&mut self) -> bool {
        let now = Instant::now();
        let capacity = f64::from(self.limit.burst.max(1));
        let elapsed = now.duration_since(self.last).as_secs_f64();
        self.tokens = (self.tokens + elapsed * self.limit.per_second.max(0.0)).min(capacity);
        self.last = now;
        if self.tokens >= 1.0 {
            self.tokens -= 1.0;
            true
        } else {
            false
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[tokio::test(start_paused = true)]
    async fn bucket_allows_burst_then_rate() {
        let mut b = Bucket::new(RateLimit::per_second(2.0).burst(3));
        assert!(b.try_take() && b.try_take() && b.try_take());
        assert!(!b.try_take());
        tokio::time::advance(Duration::from_millis(500)).await;
        assert!(b.try_take());
        assert!(!b.try_take());
        tokio::time::advance(Duration::from_secs(10)).await;
        assert_eq!((0..5).filter(|_| b.try_take()).count(), 3, "refill is capped at the burst");
    }
}
