//! bookenrich: read a Goodreads library export, enrich every book with genres and
//! covers from public catalogues, and write the reading-dashboard JSON.
//!
//! # The pipeline, step by step
//!
//! 1. **Export** — [`csv`] reads a Goodreads library export into records, one
//!    [`BookAnalytics`] per book ([`model`]), with each ISBN checked by [`isbn`].
//!    Rows it cannot use are returned beside the books, not as errors.
//! 2. **Plan and fetch** — the [`engine`]'s [`Enricher`] groups the books into each
//!    source's batches and runs them; every request goes through a [`fetch`]er,
//!    which waits for the source's rate limit, answers from the [`cache`] when it
//!    can, retries what may pass, caps sizes, and sends the rest over an [`http`]
//!    transport.
//! 3. **Sources** — [`sources`] know how to ask each catalogue (Open Library, Google
//!    Books) and read its answer into raw genre strings, covers and identifiers.
//! 4. **Genres** — [`genres`] turns the raw strings into the dashboard's genres
//!    (`unaccent` folds accents for it and for title matching); the engine merges
//!    the sources' answers into one [`EnrichedBook`] per book.
//! 5. **Dashboard** — [`dashboard`] builds the reading-dashboard JSON and writes it
//!    (`atomic_file` writes any JSON file so a reader never sees half of it).
//!
//! [`config`] builds an enricher from options and environment variables; [`error`]
//! holds the crate's [`Error`] and the per-request [`SourceError`](error::SourceError).
//!
//! # Layers
//!
//! Modules only use modules of lower layers (lowest first; `tests/layers.rs` checks it):
//! `error`, `isbn`, `unaccent` → `model`, `atomic_file` → `csv` → `http`, `cache` → `fetch` →
//! `sources`, `genres` → `engine` → `dashboard` → `config`.
//!
//! ```no_run
//! # async fn run() -> bookenrich_core::Result<()> {
//! use bookenrich_core::csv::{read_export_path, ReadOptions};
//! let export = read_export_path("goodreads_library_export.csv", &ReadOptions::default())?;
//! println!("{} books, {} row problems", export.books.len(), export.problems.len());
//! # Ok(()) }
//! ```
#![cfg_attr(docsrs, feature(doc_cfg))]

mod atomic_file;
pub mod cache;
pub mod config;
pub mod csv;
pub mod dashboard;
pub mod engine;
pub mod error;
pub mod fetch;
pub mod genres;
pub mod http;
pub mod isbn;
pub mod model;
pub mod sources;
mod unaccent;

pub use config::EnricherOptions;
pub use dashboard::{
    Dashboard, DashboardOptions, build_dashboard, write_dashboard_json, write_dashboard_to_path,
    write_json_to_path,
};
pub use engine::{Enricher, EnricherBuilder, MergePolicy, Progress, RunSummary};
pub use error::{Error, Result};
pub use isbn::{Isbn, IsbnError};
pub use model::{BookAnalytics, BookInfo, EnrichedBook, PageCategory, SourceFailure};

/// The version of this crate, as written into the dashboard's metadata.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");

/// The README's examples, compiled as doctests so that what crates.io shows keeps building.
#[cfg(all(doctest, feature = "http"))]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctests;
