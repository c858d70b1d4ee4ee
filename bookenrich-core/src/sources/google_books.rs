//! Google Books: ISBN search checked against `industryIdentifiers`, then the full volume record.

/// The Google Books source.
#[derive(Debug, Clone)]
pub struct GoogleBooks {}
