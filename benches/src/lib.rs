//! Benchmark support for bookenrich: a realistic Goodreads export generator (shared with
//! tests), the catalogue fixtures as inputs, an in-memory scripted transport, and peak
//! memory measurement for the benchmark binaries.

pub mod fixtures;
pub mod generate;
pub mod library;
pub mod peak_memory;
pub mod scripted;
