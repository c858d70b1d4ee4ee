//! What an Open Library lookup would take, read from the cache without a request.

use super::bulk::BulkDoc;
use super::parse::{SearchResponse, WorkRecord};
use super::{IdentifierLookup, OpenLibrary};
use crate::fetch::Fetcher;
use crate::sources::{BookQuery, LookupPlan, search_title};

/// Share of Goodreads ids Open Library is assumed to know when the cache cannot tell. An
/// assumption, not a measurement: Open Library indexes Goodreads ids for "many works"; after a
/// run the cache knows, and a plan made then is exact.
pub(super) const GOODREADS_KNOWN_PRIOR: f64 = 0.9;

/// What the cache says about one book.
enum Known {
    /// A matched doc (or record) with or without subjects, and whether its work must be fetched.
    Found { genres: bool, work_request: bool },
    /// Every identifier is known not to match: the title search decides.
    Unmatched,
    /// The cache does not know yet.
    Unknown,
}

impl OpenLibrary {
    /// [`GenreSource::plan`](crate::sources::GenreSource::plan) for Open Library.
    pub(super) fn plan_lookup(&self, books: &[BookQuery], fetch: &Fetcher) -> LookupPlan {
        if self.config.lookup == IdentifierLookup::BooksApi {
            // The earlier plan: one Books API request per batch, a search per book without ISBN.
            let with_isbn = books.iter().filter(|b| b.isbn.is_some()).count() as u64;
            let batches = with_isbn.div_ceil(self.config.batch_size as u64);
            let without = books.len() as u64 - with_isbn;
            return LookupPlan {
                cached: vec![None; books.len()],
                expected: batches + without,
                max: batches + without + 2 * with_isbn,
            };
        }
        let known: Vec<Known> = books.iter().map(|b| self.known(b, fetch)).collect();
        let mut plan =
            LookupPlan { cached: Vec::with_capacity(books.len()), ..LookupPlan::default() };
        // Identifier requests, per batch as the engine groups them: ISBN books, then Goodreads-only books.
        let size = self.config.batch_size.max(1);
        let isbn_books: Vec<usize> =
            (0..books.len()).filter(|&i| books[i].isbn.is_some()).collect();
        let goodreads_only: Vec<usize> = (0..books.len())
            .filter(|&i| books[i].isbn.is_none() && books[i].goodreads_id.is_some())
            .collect();
        for chunk in isbn_books.chunks(size) {
            if chunk.iter().any(|&i| matches!(known[i], Known::Unknown)) {
                plan.expected += 1;
                plan.max += 2; // the Goodreads ids of books the ISBN request does not match
            }
        }
        let mut unknown_goodreads = 0u64;
        for chunk in goodreads_only.chunks(size) {
            let unknown = chunk.iter().filter(|&&i| matches!(known[i], Known::Unknown)).count();
            if unknown > 0 {
                plan.expected += 1;
                plan.max += 1;
                unknown_goodreads += unknown as u64;
            }
        }
        #[expect(
            clippy::cast_possible_truncation,
            clippy::cast_sign_loss,
            reason = "a count of books times a share below 1, rounded up"
        )]
        let goodreads_misses =
            (unknown_goodreads as f64 * (1.0 - GOODREADS_KNOWN_PRIOR)).ceil() as u64;
        plan.expected += goodreads_misses;
        for (book, k) in books.iter().zip(&known) {
            let has_ids = book.isbn.is_some() || book.goodreads_id.is_some();
            match k {
                Known::Found { genres, work_request } => {
                    plan.cached.push((!work_request).then_some(*genres));
                    plan.expected += u64::from(*work_request);
                    plan.max += u64::from(*work_request);
                }
                Known::Unmatched | Known::Unknown => {
                    let search = self.cached_search(book, fetch);
                    plan.cached.push(search.filter(|_| matches!(k, Known::Unmatched) || !has_ids));
                    if search.is_none() {
                        // A title search (and its work) when no identifier matches.
                        plan.max += 2;
                        if matches!(k, Known::Unmatched) || !has_ids {
                            plan.expected += 1;
                        }
                    }
                }
            }
        }
        plan
    }

    /// The cached identifier answers of a book.
    fn known(&self, book: &BookQuery, fetch: &Fetcher) -> Known {
        let keys = [
            book.isbn.as_ref().map(|i| format!("bulk:isbn:{}", i.as_isbn13())),
            book.goodreads_id.as_ref().map(|g| format!("bulk:goodreads:{g}")),
        ];
        let mut any = false;
        for key in keys.iter().flatten() {
            any = true;
            match fetch.cached::<BulkDoc>(key) {
                Some(Some(doc)) => {
                    let genres = doc.subject.as_ref().is_some_and(|s| !s.is_empty());
                    if genres || !self.config.fetch_work_subjects {
                        return Known::Found { genres, work_request: false };
                    }
                    return match doc.work_key().map(|k| self.cached_work(&k, fetch)) {
                        Some(Some(work_genres)) => {
                            Known::Found { genres: work_genres, work_request: false }
                        }
                        Some(None) => Known::Found { genres: false, work_request: true },
                        None => Known::Found { genres: false, work_request: false },
                    };
                }
                Some(None) => {}
                None => return Known::Unknown,
            }
        }
        if any { Known::Unmatched } else { Known::Unknown }
    }

    /// Whether the cached work record has subjects; `None` when it is not cached.
    fn cached_work(&self, work_key: &str, fetch: &Fetcher) -> Option<bool> {
        let key = self.work_request(work_key).cache_key();
        fetch.cached::<WorkRecord>(&key).map(|w| w.is_some_and(|w| !w.genres().is_empty()))
    }

    /// Whether the book's cached title search found something with subjects; `None` when the
    /// search is not cached.
    fn cached_search(&self, book: &BookQuery, fetch: &Fetcher) -> Option<bool> {
        let title = search_title(&book.title);
        if title.trim().is_empty() {
            return Some(false);
        }
        let key = self.search_request(title, book.author.trim()).cache_key();
        fetch.cached::<SearchResponse>(&key).map(|r| {
            r.and_then(|r| r.docs).is_some_and(|docs| {
                docs.iter().any(|d| d.subject.as_ref().is_some_and(|s| !s.is_empty()))
            })
        })
    }
}
