//! The enrichment engine: runs the configured [`GenreSource`](crate::sources::GenreSource)s
//! over a library, politely and fault-tolerantly.
//!
//! - [`Enricher`] (built by [`EnricherBuilder`] or [`EnricherOptions`](crate::config::EnricherOptions))
//!   runs the sources, merges their answers per [`MergePolicy`], reports [`Progress`]
//!   and returns one [`EnrichedBook`](crate::EnrichedBook) per input book, in order.
//!   [`Enricher::run`] sets up one run with its own progress callback and [`CancelToken`].
//! - Each source's requests go through a [`Fetcher`](crate::fetch::Fetcher), which paces them
//!   with a [`RateLimiter`] and retries them by a [`RetryPolicy`].

mod builder;
mod enricher;
mod in_order;
mod merge;
mod plan;
pub mod progress;
mod run;

/// Moved to [`fetch`](crate::fetch), the only user; re-exported at their first published paths.
pub use crate::fetch::{ratelimit, retry};

pub use builder::{DEFAULT_CONCURRENCY, EnricherBuilder};
pub use enricher::Enricher;
pub use merge::MergePolicy;
pub use plan::{RunPlan, SourcePlan};
pub use progress::{
    LeftOut, Progress, ProgressCallback, RunSummary, SourceProgress, SourceSummary,
};
pub use ratelimit::{RateLimit, RateLimiter};
pub use retry::{RetryPolicy, parse_retry_after};
pub use run::{CancelToken, Run};
