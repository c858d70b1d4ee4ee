//! The enrichment engine: rate limiting, retries, and (soon) the `Enricher` that
//! runs every configured source over a library.

pub mod ratelimit;
pub mod retry;

pub use ratelimit::{RateLimit, RateLimiter};
pub use retry::{RetryPolicy, parse_retry_after};
