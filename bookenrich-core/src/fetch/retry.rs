//! The retry policy: bounded attempts, exponential backoff with full jitter,
//! `Retry-After` honoured up to a cap, and a bound on the total time per request.

use std::time::Duration;

use serde::{Deserialize, Serialize};

/// Kept here too, where it was first published.
pub use crate::http::parse_retry_after;

/// When and how often a failed request is tried again.
///
/// Only failures that can pass are retried (HTTP 429 and 5xx, timeouts, dropped
/// connections, truncated or malformed bodies; see
/// [`SourceErrorKind::is_retryable`](crate::error::SourceErrorKind::is_retryable)).
/// The wait before retry `n` (counting from 0) is drawn uniformly from
/// `0..=min(max_delay, base_delay * 2^n)` ("full jitter"), so clients that failed
/// together do not retry together. When the server sent `Retry-After`, the wait is
/// at least that long (capped at `max_retry_after`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct RetryPolicy {
    /// Attempts in total, the first included (1 = never retry). Default 4.
    pub max_attempts: u32,
    /// Backoff ceiling of the first retry. Default 500 ms.
    pub base_delay: Duration,
    /// Largest backoff ceiling. Default 30 s.
    pub max_delay: Duration,
    /// Longest `Retry-After` obeyed; longer requests are shortened to this. Default 60 s.
    pub max_retry_after: Duration,
    /// A request is not retried when the next attempt would start later than this
    /// after the first one began. Default 120 s.
    pub max_elapsed: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self {
            max_attempts: 4,
            base_delay: Duration::from_millis(500),
            max_delay: Duration::from_secs(30),
            max_retry_after: Duration::from_secs(60),
            max_elapsed: Duration::from_secs(120),
        }
    }
}

impl RetryPolicy {
    /// A policy that never retries.
    pub fn never() -> Self {
        Self { max_attempts: 1, ..Self::default() }
    }

    /// The upper bound of the jittered wait before retry `retry` (0-based).
    pub fn backoff_ceiling(&self, retry: u32) -> Duration {
        let factor = 2u32.checked_pow(retry).unwrap_or(u32::MAX);
        self.base_delay.checked_mul(factor).map_or(self.max_delay, |d| d.min(self.max_delay))
    }

    /// The wait before retry `retry` (0-based), given the server's `Retry-After`.
    pub fn delay(
        &self,
        retry: u32,
        retry_after: Option<Duration>,
        rng: &mut fastrand::Rng,
    ) -> Duration {
        let ceiling = self.backoff_ceiling(retry);
        let nanos = u64::try_from(ceiling.as_nanos()).unwrap_or(u64::MAX);
        let jittered = Duration::from_nanos(rng.u64(0..=nanos));
        match retry_after {
            Some(asked) => jittered.max(asked.min(self.max_retry_after)),
            None => jittered,
        }
    }

    /// Checks the policy's values.
    pub fn validate(&self) -> Result<(), String> {
        if self.max_attempts == 0 {
            return Err("max_attempts must be at least 1".to_owned());
        }
        if self.max_attempts > 100 {
            return Err(format!("max_attempts must be at most 100, got {}", self.max_attempts));
        }
        if self.base_delay > self.max_delay {
            return Err(format!(
                "base_delay ({:?}) must not exceed max_delay ({:?})",
                self.base_delay, self.max_delay
            ));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ceilings_double_up_to_the_cap() {
        let p = RetryPolicy {
            base_delay: Duration::from_millis(100),
            max_delay: Duration::from_secs(1),
            ..RetryPolicy::default()
        };
        let got: Vec<_> = (0..6).map(|n| p.backoff_ceiling(n).as_millis()).collect();
        assert_eq!(got, vec![100, 200, 400, 800, 1000, 1000]);
        assert_eq!(p.backoff_ceiling(200), Duration::from_secs(1), "no overflow");
    }

    #[test]
    fn full_jitter_stays_within_bounds_and_spreads() {
        let p = RetryPolicy::default();
        let mut rng = fastrand::Rng::with_seed(7);
        for retry in 0..8 {
            let ceiling = p.backoff_ceiling(retry);
            let samples: Vec<_> = (0..500).map(|_| p.delay(retry, None, &mut rng)).collect();
            assert!(samples.iter().all(|d| *d <= ceiling), "retry {retry}");
            // Full jitter: both halves of the range are used.
            assert!(samples.iter().any(|d| *d < ceiling / 2));
            assert!(samples.iter().any(|d| *d > ceiling / 2));
        }
    }

    #[test]
    fn retry_after_is_a_floor_but_capped() {
        let p = RetryPolicy {
            base_delay: Duration::from_millis(10),
            max_delay: Duration::from_millis(10),
            max_retry_after: Duration::from_secs(60),
            ..RetryPolicy::default()
        };
        let mut rng = fastrand::Rng::with_seed(1);
        for _ in 0..100 {
            assert_eq!(p.delay(0, Some(Duration::from_secs(2)), &mut rng), Duration::from_secs(2));
            assert_eq!(
                p.delay(3, Some(Duration::from_secs(3600)), &mut rng),
                Duration::from_secs(60)
            );
        }
        // A Retry-After shorter than the jittered backoff does not shorten it.
        let slow = RetryPolicy {
            base_delay: Duration::from_secs(5),
            max_delay: Duration::from_secs(5),
            ..p
        };
        let mut rng = fastrand::Rng::with_seed(3);
        let d: Vec<_> = (0..200).map(|_| slow.delay(0, Some(Duration::ZERO), &mut rng)).collect();
        assert!(d.iter().any(|d| *d > Duration::from_secs(1)));
    }

    #[test]
    fn validation() {
        assert!(RetryPolicy::default().validate().is_ok());
        assert!(RetryPolicy::never().validate().is_ok());
        assert!(RetryPolicy { max_attempts: 0, ..RetryPolicy::default() }.validate().is_err());
        let inverted = RetryPolicy {
            base_delay: Duration::from_secs(10),
            max_delay: Duration::from_secs(1),
            ..RetryPolicy::default()
        };
        assert!(inverted.validate().is_err());
    }
}
