//! A fake Open Library + Google Books server for bookenrich's tests and benchmarks.
//!
//! One listener on 127.0.0.1 serves the real paths and response shapes of both catalogues, built
//! from recorded real responses (`tests/fixtures/`) and compact per-book specs ([`FakeBook`]), with
//! configurable latency, per-API rate limits, a Google daily quota and deterministic fault injection,
//! and it counts exactly what it saw ([`Stats`]).
//!
//! ```no_run
//! # async fn demo() -> Result<(), bookenrich_fake_catalogue::Error> {
//! use bookenrich_fake_catalogue::{Api, FakeCatalogue, Fault, RateLimit};
//! let server = FakeCatalogue::builder()
//!     .with_default_catalogue()
//!     .rate_limit(Api::OpenLibrary, RateLimit::per_second(3.0).burst(3).retry_after(1))
//!     .fault(Fault::status(503).first_per_url(1))
//!     .start()
//!     .await?;
//! let base = server.base_url(); // use as both the Open Library and the Google Books base URL
//! // … run the client …
//! assert_eq!(server.stats().served_429, 0);
//! # let _ = base; Ok(()) }
//! ```

mod book;
mod catalogue;
mod config;
mod error;
mod fault;
mod google;
mod http;
mod isbn;
mod openlibrary;
mod partial;
mod rate_limit;
mod server;
mod stats;

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

pub use book::{FakeBook, Recorded, SYNTHETIC_GOODREADS_BASE, SYNTHETIC_ISBN_PREFIX};
pub use config::{FaultSpec, RuntimeConfig};
pub use error::{Error, Result};
pub use fault::{Fault, FaultAction, Trigger};
pub use isbn::complete_isbn13;
pub use rate_limit::RateLimit;
pub use server::{FakeCatalogue, FakeCatalogueBuilder, FakeCatalogueHandle};
pub use stats::Stats;

/// One of the two catalogues the server imitates.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Api {
    /// Open Library (`/api/books`, `/search.json`, `/works/…`, `/isbn/…`).
    OpenLibrary,
    /// Google Books (`/books/v1/volumes…`).
    Google,
}

impl fmt::Display for Api {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Api::OpenLibrary => "openlibrary",
            Api::Google => "google",
        })
    }
}

impl FromStr for Api {
    type Err = Error;

    fn from_str(s: &str) -> Result<Api> {
        match s.to_ascii_lowercase().replace(['-', '_', ' '], "").as_str() {
            "openlibrary" | "ol" => Ok(Api::OpenLibrary),
            "google" | "googlebooks" => Ok(Api::Google),
            _ => Err(Error::Config(format!("unknown API {s:?} (expected openlibrary or google)"))),
        }
    }
}
