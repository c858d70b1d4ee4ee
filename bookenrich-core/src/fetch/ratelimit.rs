//! A per-source rate limiter: a token bucket that callers wait on asynchronously.
//!
//! Implemented as a generic cell rate algorithm (GCRA), which behaves exactly like
//! a token bucket refilled at `per_second` tokens per second holding at most
//! `burst` tokens, but keeps one timestamp instead of a token count. Waiting
//! callers reserve their slot up front, so they are served in arrival order and
//! a dropped waiter (a cancelled request) only wastes its own slot.

use std::sync::{Mutex, PoisonError};
use std::time::Duration;

use serde::{Deserialize, Serialize};
use tokio::time::Instant;

/// How many requests per second a source may receive.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct RateLimit {
    /// Sustained requests per second (may be fractional, e.g. `0.5`).
    pub per_second: f64,
    /// Requests that may be sent back to back after a quiet period (at least 1).
    pub burst: u32,
}

impl RateLimit {
    /// `per_second` requests per second with no burst (requests evenly spaced).
    pub fn per_second(per_second: f64) -> Self {
        Self { per_second, burst: 1 }
    }

    /// The same rate allowing `burst` back-to-back requests.
    #[must_use]
    pub fn with_burst(mut self, burst: u32) -> Self {
        self.burst = burst;
        self
    }

    /// Checks that the rate is a positive finite number and the burst at least 1.
    pub fn validate(&self) -> Result<(), String> {
        if !self.per_second.is_finite() || self.per_second <= 0.0 {
            return Err(format!(
                "requests per second must be a positive number, got {}",
                self.per_second
            ));
        }
        if self.per_second > 1e6 {
            return Err(format!(
                "requests per second must be at most 1000000, got {}",
                self.per_second
            ));
        }
        if self.burst == 0 {
            return Err("burst must be at least 1".to_owned());
        }
        Ok(())
    }

    /// Time between two requests at the sustained rate.
    pub fn interval(&self) -> Duration {
        Duration::from_secs_f64(1.0 / self.per_second)
    }
}

/// A token bucket shared by every request of one source.
#[derive(Debug)]
pub struct RateLimiter {
    limit: RateLimit,
    interval: Duration,
    /// How far ahead of the theoretical arrival time a request may go (the burst).
    tolerance: Duration,
    state: Mutex<State>,
}

#[derive(Debug)]
struct State {
    /// Theoretical arrival time of the next request: when the bucket would hold no
    /// more than `burst - 1` tokens if nobody else asked.
    tat: Option<Instant>,
    /// No request may start before this instant (set from a server's `Retry-After`).
    paused_until: Option<Instant>,
}

impl RateLimiter {
    /// A limiter for `limit`.
    ///
    /// # Panics
    /// Never for a limit that passes [`RateLimit::validate`]; an invalid limit is
    /// clamped to one request per hour rather than panicking.
    pub fn new(limit: RateLimit) -> Self {
        let safe = if limit.validate().is_ok() {
            limit
        } else {
            RateLimit { per_second: 1.0 / 3600.0, burst: limit.burst.max(1) }
        };
        let interval = safe.interval();
        Self {
            limit: safe,
            interval,
            tolerance: interval * (safe.burst - 1),
            state: Mutex::new(State { tat: None, paused_until: None }),
        }
    }

    /// The limit this limiter enforces.
    pub fn limit(&self) -> RateLimit {
        self.limit
    }

    /// Waits until one more request may be sent.
    ///
    /// Cancel-safe: dropping the future gives up the caller's turn (the slot it had
    /// reserved stays used, so the limit still holds).
    pub async fn acquire(&self) {
        loop {
            let send_at = self.reserve(Instant::now());
            tokio::time::sleep_until(send_at).await;
            // A pause set while we slept (a 429 with Retry-After) applies to us too.
            let paused = self.lock().paused_until;
            match paused {
                Some(until) if until > Instant::now() => {}
                _ => return,
            }
        }
    }

    /// Stops all requests until `until`, and restarts them evenly spaced (no burst).
    pub fn pause_until(&self, until: Instant) {
        let mut state = self.lock();
        if state.paused_until.is_none_or(|p| p < until) {
            state.paused_until = Some(until);
        }
        let restart = until + self.tolerance;
        if state.tat.is_none_or(|t| t < restart) {
            state.tat = Some(restart);
        }
    }

    /// Reserves the next slot and returns when it starts.
    fn reserve(&self, now: Instant) -> Instant {
        let mut state = self.lock();
        let paused_until = state.paused_until.filter(|p| *p > now);
        let earliest = paused_until.map_or(now, |p| p.max(now));
        let tat = state.tat.map_or(earliest, |t| t.max(earliest));
        let send_at = tat.checked_sub(self.tolerance).map_or(earliest, |t| t.max(earliest));
        state.tat = Some(tat.max(send_at) + self.interval);
        send_at
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        // The state is two timestamps; a panic elsewhere cannot leave it inconsistent.
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;

    fn ms(d: Duration) -> u128 {
        d.as_millis()
    }

    #[tokio::test(start_paused = true)]
    async fn requests_are_spaced_at_the_rate() {
        let limiter = RateLimiter::new(RateLimit::per_second(2.0));
        let start = Instant::now();
        let mut at = Vec::new();
        for _ in 0..5 {
            limiter.acquire().await;
            at.push(ms(start.elapsed()));
        }
        assert_eq!(at, vec![0, 500, 1000, 1500, 2000]);
    }

    #[tokio::test(start_paused = true)]
    async fn burst_then_sustained_rate() {
        let limiter = RateLimiter::new(RateLimit::per_second(4.0).with_burst(3));
        let start = Instant::now();
        let mut at = Vec::new();
        for _ in 0..6 {
            limiter.acquire().await;
            at.push(ms(start.elapsed()));
        }
        assert_eq!(at, vec![0, 0, 0, 250, 500, 750]);
    }

    #[tokio::test(start_paused = true)]
    async fn idle_time_refills_at_most_the_burst() {
        let limiter = RateLimiter::new(RateLimit::per_second(10.0).with_burst(2));
        limiter.acquire().await;
        tokio::time::sleep(Duration::from_secs(60)).await;
        let start = Instant::now();
        let mut at = Vec::new();
        for _ in 0..4 {
            limiter.acquire().await;
            at.push(ms(start.elapsed()));
        }
        assert_eq!(at, vec![0, 0, 100, 200]);
    }

    #[tokio::test(start_paused = true)]
    async fn concurrent_waiters_never_exceed_the_rate() {
        let limiter = Arc::new(RateLimiter::new(RateLimit::per_second(5.0)));
        let start = Instant::now();
        let tasks: Vec<_> = (0..20)
            .map(|_| {
                let limiter = Arc::clone(&limiter);
                tokio::spawn(async move {
                    limiter.acquire().await;
                    start.elapsed()
                })
            })
            .collect();
        let mut at = Vec::new();
        for t in tasks {
            at.push(ms(t.await.unwrap()));
        }
        at.sort_unstable();
        // 20 requests at 5/s: one every 200 ms, the first immediately.
        assert_eq!(at, (0..20).map(|i| i * 200).collect::<Vec<_>>());
    }

    #[tokio::test(start_paused = true)]
    async fn pause_holds_everyone_and_restarts_without_burst() {
        let limiter = RateLimiter::new(RateLimit::per_second(10.0).with_burst(5));
        let start = Instant::now();
        limiter.acquire().await;
        limiter.pause_until(start + Duration::from_secs(3));
        let mut at = Vec::new();
        for _ in 0..3 {
            limiter.acquire().await;
            at.push(ms(start.elapsed()));
        }
        assert_eq!(at, vec![3000, 3100, 3200]);
    }

    #[tokio::test(start_paused = true)]
    async fn a_pause_set_while_waiting_is_respected() {
        let limiter = Arc::new(RateLimiter::new(RateLimit::per_second(1.0)));
        let start = Instant::now();
        limiter.acquire().await;
        let waiter = {
            let limiter = Arc::clone(&limiter);
            tokio::spawn(async move {
                limiter.acquire().await;
                start.elapsed()
            })
        };
        tokio::time::sleep(Duration::from_millis(100)).await;
        limiter.pause_until(start + Duration::from_secs(5));
        assert!(ms(waiter.await.unwrap()) >= 5000);
    }

    #[tokio::test(start_paused = true)]
    async fn dropped_waiter_does_not_block_others() {
        let limiter = RateLimiter::new(RateLimit::per_second(1.0));
        let start = Instant::now();
        limiter.acquire().await;
        // Give up while waiting for the second slot.
        let _ = tokio::time::timeout(Duration::from_millis(10), limiter.acquire()).await;
        limiter.acquire().await;
        // The abandoned slot (1 s) stays used; the next caller gets the one after.
        assert_eq!(ms(start.elapsed()), 2000);
    }

    #[test]
    fn validation() {
        assert!(RateLimit::per_second(3.0).validate().is_ok());
        assert!(RateLimit::per_second(0.0).validate().is_err());
        assert!(RateLimit::per_second(-1.0).validate().is_err());
        assert!(RateLimit::per_second(f64::NAN).validate().is_err());
        assert!(RateLimit::per_second(f64::INFINITY).validate().is_err());
        assert!(RateLimit::per_second(1.0).with_burst(0).validate().is_err());
        assert_eq!(RateLimit::per_second(4.0).interval(), Duration::from_millis(250));
    }
}
