//! Reading Goodreads library exports.
