//! Node.js bindings of bookenrich, built with napi-rs.
//!
//! A thin layer: each `Js*`/plain-object type only converts between JavaScript
//! values and the core's types (the conversions sit next to the types), every
//! error becomes a JS `Error` with a stable `code` (see `error.rs`), and no panic
//! reaches Node (see `guard.rs`).

mod abort;
mod book;
mod dashboard;
mod dashboard_object;
mod enricher;
mod error;
mod fields;
mod genres;
mod guard;
mod number;
mod options;
mod plan;
mod progress;
mod read;
mod result;
mod source;
#[cfg(feature = "test-hooks")]
mod testing;

// What JavaScript sees, and nothing else: the `#[napi]` items (index.d.ts lists the same).
// napi-derive wants them `pub` (it rejects other methods, enums and consts, and leaves a
// non-`pub` field out of an object), and registers each from a constructor it compiles only
// under `not(test)`; re-exported, they are reachable, so neither the unit-test build sees them
// as dead nor `unreachable_pub` fires, while the modules' helpers stay `pub(crate)`.
pub use book::{Book, GoodreadsExport, RowProblem};
pub use dashboard::{
    BuildDashboardOptions, DashboardReport, ExportToDashboardOptions, build_dashboard,
    export_to_dashboard, write_dashboard,
};
pub use dashboard_object::{
    Dashboard, DashboardBook, DashboardMetadata, DashboardSummary, DashboardValidation, DateRange,
    GenreCount, GenreSourcesSuccess,
};
pub use enricher::{BookInfo, EnrichOptions, Enricher, EnricherOptions, EnrichmentRun};
pub use genres::{
    AuditedBook, DroppedPart, GenreAudit, GenreExplanation, GenreNormalizer,
    GenreNormalizerOptions, UnknownString, normalize_genres,
};
pub use plan::{RunPlan, SourcePlan};
pub use progress::{Progress, RunSummary, SourceProgress, SourceSummary};
pub use read::{ReadCsvOptions, read_goodreads_csv};
pub use result::{EnrichmentResult, SourceFailure};
pub use source::{Fetch, LookupItem};
#[cfg(feature = "test-hooks")]
pub use testing::{panic_for_tests, panic_in_promise_for_tests};

use napi_derive::napi;

/// The version of the native addon (the bookenrich crates' version).
#[napi]
pub const VERSION: &str = env!("CARGO_PKG_VERSION");
