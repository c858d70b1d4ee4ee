//! Open Library: batched Books API by ISBN, search by title and author, work records.

/// The Open Library source.
#[derive(Debug, Clone)]
pub struct OpenLibrary {}
