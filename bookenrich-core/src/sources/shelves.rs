//! The reader's own shelves as a genre source (`shelves`).
//!
//! Every Goodreads export carries the custom shelves the reader put each book on
//! (`Bookshelves`: `sci-fi, favorites, to-read`). Those that name what a book is about are
//! the reader's own genre labels; the genre normaliser maps them onto the vocabulary like any
//! catalogue subject (`sci-fi` → Science Fiction, `non-fiction` → Nonfiction). Shelves that
//! say where the book stands for the reader (reading status, format, ownership, favourites,
//! yearly reading logs) are dropped first; the list is data, in `shelves/ignored.txt`.
//!
//! The source makes no request. It is not a default source: a run uses it only when it is
//! named (`--sources shelves,openlibrary,google`).

use std::collections::HashSet;

use async_trait::async_trait;

use super::{BookQuery, GenreSource, SourceHit, SourceResult};
use crate::fetch::Fetcher;

/// The source's name, in results (`genres_by_source`, `genre_sources`), options and logs.
pub const SHELVES: &str = "shelves";

/// Shelves that are not genres; see the file for the rules.
const IGNORED: &str = include_str!("shelves/ignored.txt");

/// Books per lookup: the source makes no request, so a lookup costs nothing per book.
const BATCH_SIZE: usize = 1000;

/// The `shelves` source: a book's own shelves, minus the status and housekeeping ones.
#[derive(Debug, Clone)]
pub struct Shelves {
    ignored: HashSet<String>,
}

impl Default for Shelves {
    fn default() -> Self {
        Self::new()
    }
}

impl Shelves {
    /// The source with the built-in list of ignored shelves.
    pub fn new() -> Self {
        let ignored = IGNORED
            .lines()
            .map(str::trim)
            .filter(|line| !line.is_empty() && !line.starts_with('#'))
            .map(shelf_key)
            .collect();
        Self { ignored }
    }

    /// Whether `shelf` may name a genre (it is not a status, housekeeping or yearly shelf).
    pub fn is_genre_shelf(&self, name: &str) -> bool {
        let key = shelf_key(name);
        !key.is_empty() && !self.ignored.contains(&key) && !names_a_year(&key)
    }

    fn hit(&self, book: &BookQuery) -> Option<SourceHit> {
        let (kept, dropped): (Vec<&String>, Vec<&String>) =
            book.bookshelves.iter().partition(|s| self.is_genre_shelf(s));
        if kept.is_empty() {
            return None;
        }
        let note = if dropped.is_empty() {
            format!("shelves: {}", join(&kept))
        } else {
            format!("shelves: {} (not genres: {})", join(&kept), join(&dropped))
        };
        Some(SourceHit {
            genres: kept.into_iter().map(|s| s.trim().to_owned()).collect(),
            notes: vec![note],
            ..SourceHit::default()
        })
    }
}

#[async_trait]
impl GenreSource for Shelves {
    fn name(&self) -> &str {
        SHELVES
    }

    fn batch_size(&self) -> usize {
        BATCH_SIZE
    }

    async fn lookup(&self, books: &[BookQuery], _fetch: &Fetcher) -> Vec<SourceResult> {
        books.iter().map(|book| Ok(self.hit(book))).collect()
    }
}

/// `Currently Reading`, `currently_reading` and `currently-reading` are the same shelf.
fn shelf_key(shelf: &str) -> String {
    shelf.trim().to_lowercase().replace([' ', '_'], "-")
}

/// A year from 1900 to 2099 standing alone in the name: `2023`, `2023-reads`, `read-in-2019`.
fn names_a_year(key: &str) -> bool {
    key.split(|c: char| !c.is_ascii_digit())
        .any(|digits| digits.len() == 4 && (digits.starts_with("19") || digits.starts_with("20")))
}

fn join(shelves: &[&String]) -> String {
    shelves.iter().map(|s| s.trim()).collect::<Vec<_>>().join(", ")
}

#[cfg(test)]
mod tests;
