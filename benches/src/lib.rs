//! Shared benchmark and test utilities: a generator of realistic Goodreads exports.

pub mod generate;
