//! Benchmark support for bookenrich: a realistic Goodreads export generator (shared with
//! tests), the catalogue fixtures as inputs, an in-memory scripted transport, peak memory
//! measurement for the benchmark binaries, and the criterion timing of the benchmarks
//! ([`bench_main!`]).

pub mod fixtures;
pub mod generate;
pub mod library;
pub mod peak_memory;
pub mod scripted;
mod timing;
