//! bookenrich: read a Goodreads library export, enrich every book with genres and
//! covers from public catalogues, and write the reading-dashboard JSON.
//!
//! ```no_run
//! # async fn run() -> bookenrich_core::Result<()> {
//! use bookenrich_core::csv::{read_export_path, ReadOptions};
//! let export = read_export_path("goodreads_library_export.csv", &ReadOptions::default())?;
//! println!("{} books, {} row problems", export.books.len(), export.problems.len());
//! # Ok(()) }
//! ```
#![cfg_attr(docsrs, feature(doc_auto_cfg))]

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
