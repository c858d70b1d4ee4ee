//! Node.js bindings of bookenrich, built with napi-rs.
//!
//! A thin layer: each `Js*`/plain-object type only converts between JavaScript
//! values and the core's types (the conversions sit next to the types), every
//! error becomes a JS `Error` with a stable `code` (see [`error`]), and no panic
//! reaches Node (see [`guard`]).

pub mod abort;
pub mod book;
pub mod dashboard;
pub mod dashboard_object;
pub mod enricher;
pub mod error;
pub mod genres;
pub mod guard;
pub mod options;
pub mod plan;
pub mod progress;
pub mod read;
pub mod result;
pub mod source;
#[cfg(feature = "test-hooks")]
pub mod testing;

use napi_derive::napi;

/// The version of the native addon (the bookenrich crates' version).
#[napi]
pub const VERSION: &str = env!("CARGO_PKG_VERSION");
