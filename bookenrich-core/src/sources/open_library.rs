//! Open Library: books in bulk by identifier, search by title and author, work records.
//!
//! Request plan for a batch of books with [`IdentifierLookup::BulkSearch`] (the default):
//! 1. ISBN books go in one `search.json?q=isbn:(A OR B …)` request, books still unmatched that
//!    have a Goodreads id in one `q=id_goodreads:(…)` request (shapes described in the private `bulk` module); each
//!    work doc is matched back to its books by the identifiers it lists, and cached per
//!    identifier. The doc's work-level `subject` list is the book's subjects.
//! 2. Books neither request found are searched by title and author (step 2 below).
//! 3. A matched work without subjects gets them from its work record (step 3 below).
//!
//! With [`IdentifierLookup::BooksApi`] (the earlier plan):
//! 1. ISBN books whose Books API entry is cached cost nothing; the others go in one
//!    `/api/books?bibkeys=ISBN:a,ISBN:b,…&format=json&jscmd=data` request, and each
//!    entry (or its absence) is cached under the key of its single-ISBN request.
//! 2. ISBN books the Books API does not know, and books without ISBN, are searched
//!    with `/search.json?title=…&author=…` and the best-matching work is chosen.
//! 3. A chosen record without subjects gets them from its work (`/works/OL…W.json`);
//!    Books API entries carry no work key, so the work is found by search first.

use std::collections::BTreeMap;
use std::fmt::{self, Write as _};

use async_trait::async_trait;
use futures::future::BoxFuture;
use futures::{FutureExt, StreamExt};
use url::Url;
use url::form_urlencoded::byte_serialize;

use super::{
    BookQuery, GenreSource, LookupPlan, SourceError, SourceHit, SourceResult, search_title,
};
use crate::fetch::{Fetched, Fetcher, Request};

mod bulk;
mod parse;
mod plan;

use bulk::{BULK_FIELDS, BulkDoc, BulkResponse, BulkWanted, match_back, or_query};
use parse::{
    BooksApiRecord, SearchDoc, SearchResponse, Wanted, WorkRecord, choose_doc, decode_entry,
};

/// The source's machine name, in results, logs, rate limits and the cache; written only here.
pub const NAME: &str = "open_library";
/// Where the real catalogue is served; the one place it is written.
pub const DEFAULT_BASE_URL: &str = "https://openlibrary.org";
/// Books per identifier request by default (a 40-ISBN query is about 900 bytes of URL).
pub const DEFAULT_BATCH_SIZE: usize = 40;
/// Fields a search asks for: enough to choose a work and enrich it without another request.
const SEARCH_FIELDS: &str = "key,title,author_name,subject,ddc,lcc,isbn,cover_i,edition_key";
/// Searches (and work fetches) of one batch in flight at once; the fetcher's rate limit
/// still decides the pace, this only lets slow answers overlap.
const SEARCH_CONCURRENCY: usize = 4;
/// Pages of one identifier query read at most (each id rarely matches more than two works).
const MAX_BULK_PAGES: usize = 3;

/// How the Open Library source looks books up by identifier.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum IdentifierLookup {
    /// `search.json?q=isbn:(…)` and `q=id_goodreads:(…)`: many books per request, work subjects
    /// included, so most books need no further request.
    #[default]
    BulkSearch,
    /// `/api/books?bibkeys=ISBN:…&jscmd=data` by ISBN (edition subjects; a work lookup by
    /// search when they are missing); Goodreads ids unused.
    BooksApi,
}

/// Settings of the Open Library source.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OpenLibraryConfig {
    /// Scheme and host (optionally a path prefix) the Open Library paths are served under.
    pub base_url: Url,
    /// How books are looked up by identifier.
    pub lookup: IdentifierLookup,
    /// Books per identifier request (values below 1 count as 1).
    pub batch_size: usize,
    /// Docs asked of each search (values below 1 count as 1).
    pub search_limit: usize,
    /// Whether a record without subjects gets its work's subjects (one more request).
    pub fetch_work_subjects: bool,
    /// Whether requests carry a contact in their User-Agent. Open Library allows
    /// identified clients 3 requests per second, anonymous ones 1; the engine sets
    /// this from its `contact` option.
    pub identified: bool,
}

impl Default for OpenLibraryConfig {
    fn default() -> Self {
        Self {
            base_url: Url::parse(DEFAULT_BASE_URL).unwrap_or_else(|_| unreachable!("constant URL")),
            lookup: IdentifierLookup::default(),
            batch_size: DEFAULT_BATCH_SIZE,
            search_limit: 5,
            fetch_work_subjects: true,
            identified: false,
        }
    }
}

/// The Open Library source (`open_library`).
#[derive(Clone)]
pub struct OpenLibrary {
    config: OpenLibraryConfig,
}

impl fmt::Debug for OpenLibrary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OpenLibrary")
            .field("base_url", &self.config.base_url.as_str())
            .finish_non_exhaustive()
    }
}

impl Default for OpenLibrary {
    fn default() -> Self {
        Self::new(OpenLibraryConfig::default())
    }
}

/// How the Books API step left one ISBN book.
#[derive(Clone)]
enum Stage {
    /// The Books API has the edition.
    Record(BooksApiRecord),
    /// An identifier search matched this work doc.
    Doc(Box<BulkDoc>),
    /// The Books API does not know the ISBN, or the book has none: search.
    Search,
    /// The Books API request failed.
    Failed(SourceError),
}

impl OpenLibrary {
    /// A source with these settings.
    pub fn new(mut config: OpenLibraryConfig) -> Self {
        config.batch_size = config.batch_size.max(1);
        config.search_limit = config.search_limit.max(1);
        Self { config }
    }

    /// The settings in use.
    pub fn config(&self) -> &OpenLibraryConfig {
        &self.config
    }

    /// `path` under the base URL (keeping a proxy's path prefix).
    fn endpoint(&self, path: &str) -> Url {
        let mut url = self.config.base_url.clone();
        let prefix = url.path().trim_end_matches('/').to_owned();
        url.set_path(&format!("{prefix}{path}"));
        url.set_query(None);
        url.set_fragment(None);
        url
    }

    /// The Books API request for these ISBN-13s. `:` and `,` stay literal, as Open Library writes them.
    fn books_request(&self, isbns: &[&str]) -> Request {
        let bibkeys: Vec<String> = isbns.iter().map(|i| format!("ISBN:{i}")).collect();
        let mut url = self.endpoint("/api/books");
        url.set_query(Some(&format!("bibkeys={}&format=json&jscmd=data", bibkeys.join(","))));
        Request::get(url)
    }

    /// The search request for a title and (possibly empty) author.
    fn search_request(&self, title: &str, author: &str) -> Request {
        let mut query = format!("title={}", byte_serialize(title.as_bytes()).collect::<String>());
        if !author.trim().is_empty() {
            query.push_str("&author=");
            query.extend(byte_serialize(author.trim().as_bytes()));
        }
        let _ = write!(query, "&fields={SEARCH_FIELDS}&limit={}", self.config.search_limit);
        let mut url = self.endpoint("/search.json");
        url.set_query(Some(&query));
        Request::get(url)
    }

    /// The work request for a key already validated by [`parse::work_key`].
    fn work_request(&self, work_key: &str) -> Request {
        Request::get(self.endpoint(&format!("{work_key}.json")))
    }

    /// Step 1: the Books API entries of the ISBN books, from the cache or in batch requests.
    async fn books_api_stage(&self, books: &[BookQuery], fetch: &Fetcher) -> Vec<Stage> {
        let mut stages: Vec<Option<Stage>> =
            books.iter().map(|b| b.isbn.is_none().then_some(Stage::Search)).collect();
        let mut misses: Vec<&str> = Vec::new();
        for (book, stage) in books.iter().zip(stages.iter_mut()) {
            let Some(isbn) = book.isbn.as_ref() else {
                continue;
            };
            let isbn13 = isbn.as_isbn13();
            let key = self.books_request(&[isbn13]).cache_key();
            match fetch.cached::<serde_json::Value>(&key) {
                Some(Some(value)) => {
                    // An entry that no longer decodes (older format) is fetched again.
                    if let Ok(record) = decode_entry(NAME, &key, isbn13, value) {
                        *stage = Some(Stage::Record(record));
                    }
                }
                Some(None) => *stage = Some(Stage::Search),
                None => {}
            }
            if stage.is_none() && !misses.contains(&isbn13) {
                misses.push(isbn13);
            }
        }
        for chunk in misses.chunks(self.config.batch_size) {
            let request = self.books_request(chunk).no_cache();
            let url = request.url.to_string();
            match fetch.get_json::<BTreeMap<String, serde_json::Value>>(request).await {
                Err(e) => settle(books, &mut stages, chunk, &Stage::Failed(e)),
                // The Books API answers unknown ISBNs with `{}`, never 404: a 404 says the
                // endpoint is wrong (e.g. a proxy), so nothing is cached and search takes over.
                Ok(Fetched { value: None, .. }) => {
                    settle(books, &mut stages, chunk, &Stage::Search);
                }
                Ok(Fetched { value: Some(mut entries), .. }) => {
                    for &isbn13 in chunk {
                        let outcome = self.take_entry(&mut entries, isbn13, &url, fetch);
                        settle(books, &mut stages, &[isbn13], &outcome);
                    }
                }
            }
        }
        // Every ISBN book was in exactly one chunk; a gap would be a bug, reported rather than hidden.
        stages
            .into_iter()
            .map(|s| {
                s.unwrap_or_else(|| {
                    Stage::Failed(SourceError::new(
                        NAME,
                        super::SourceErrorKind::MalformedResponse,
                        "ISBN missing from every batch",
                    ))
                })
            })
            .collect()
    }

    /// The identifier search `q` (already an OR-list), one page.
    fn bulk_request(&self, q: &str, limit: usize, offset: usize) -> Request {
        let mut query = format!("q={}", byte_serialize(q.as_bytes()).collect::<String>());
        let _ = write!(query, "&fields={BULK_FIELDS}&limit={limit}");
        if offset > 0 {
            let _ = write!(query, "&offset={offset}");
        }
        let mut url = self.endpoint("/search.json");
        url.set_query(Some(&query));
        Request::get(url).no_cache()
    }

    /// Every doc of an identifier query, page by page (a page holds room for a few works per id).
    async fn bulk_docs(
        &self,
        fetch: &Fetcher,
        field: &str,
        ids: &[&str],
    ) -> Result<Vec<BulkDoc>, SourceError> {
        let q = or_query(field, ids);
        let limit = (ids.len() * 2).clamp(10, 100);
        let mut docs: Vec<BulkDoc> = Vec::new();
        for page in 0..MAX_BULK_PAGES {
            let answer =
                fetch.get_json::<BulkResponse>(self.bulk_request(&q, limit, page * limit)).await?;
            let Some(response) = answer.value else { break };
            let got = response.docs.unwrap_or_default();
            let returned = got.len();
            docs.extend(got);
            let total = response.num_found.and_then(|n| usize::try_from(n).ok()).unwrap_or(0);
            if returned < limit || docs.len() >= total {
                break;
            }
        }
        Ok(docs)
    }

    /// Step 1 of the bulk plan: the matched doc of each book, from the cache or in identifier requests.
    async fn bulk_stage(&self, books: &[BookQuery], fetch: &Fetcher) -> Vec<Stage> {
        let isbn10s: Vec<Option<String>> =
            books.iter().map(|b| b.isbn.as_ref().and_then(crate::isbn::Isbn::to_isbn10)).collect();
        let wanted: Vec<BulkWanted<'_>> = books
            .iter()
            .zip(&isbn10s)
            .map(|(b, ten)| BulkWanted {
                isbn13: b.isbn.as_ref().map(crate::isbn::Isbn::as_isbn13),
                isbn10: ten.as_deref(),
                goodreads_id: b.goodreads_id.as_deref(),
                title: search_title(&b.title),
                author: b.author.trim(),
            })
            .collect();
        let mut stages: Vec<Option<Stage>> = vec![None; books.len()];
        let mut failure: Vec<Option<SourceError>> = vec![None; books.len()];
        for (field, key_of) in [
            (
                "isbn",
                (|w: &BulkWanted<'_>| w.isbn13.map(|i| format!("bulk:isbn:{i}")))
                    as fn(&BulkWanted<'_>) -> Option<String>,
            ),
            ("id_goodreads", |w: &BulkWanted<'_>| {
                w.goodreads_id.map(|g| format!("bulk:goodreads:{g}"))
            }),
        ] {
            // Cached answers first: a stored doc is the match, a stored "none" sends the book on.
            let mut asking: Vec<usize> = Vec::new();
            for (i, w) in wanted.iter().enumerate() {
                let Some(key) = key_of(w).filter(|_| stages[i].is_none()) else { continue };
                match fetch.cached::<BulkDoc>(&key) {
                    Some(Some(doc)) => stages[i] = Some(Stage::Doc(Box::new(doc))),
                    Some(None) => {}
                    None => asking.push(i),
                }
            }
            if asking.is_empty() {
                continue;
            }
            let mut ids: Vec<&str> = Vec::new();
            for &i in &asking {
                let id = match field {
                    "isbn" => wanted[i].isbn13,
                    _ => wanted[i].goodreads_id,
                };
                if let Some(id) = id.filter(|id| !ids.contains(id)) {
                    ids.push(id);
                }
            }
            match self.bulk_docs(fetch, field, &ids).await {
                Err(e) => {
                    for &i in &asking {
                        failure[i].get_or_insert_with(|| e.clone());
                    }
                }
                Ok(docs) => {
                    let asked: Vec<BulkWanted<'_>> = asking.iter().map(|&i| wanted[i]).collect();
                    for (&i, found) in asking.iter().zip(match_back(&docs, &asked)) {
                        let doc = found.map(|d| docs[d].clone());
                        if let Some(key) = key_of(&wanted[i]) {
                            fetch.store(&key, doc.as_ref());
                        }
                        if let Some(doc) = doc {
                            stages[i] = Some(Stage::Doc(Box::new(doc)));
                        }
                    }
                }
            }
        }
        // Unmatched books are searched by title, unless an identifier request failed for them:
        // an outage is reported, not papered over with one search per book.
        stages
            .into_iter()
            .zip(failure)
            .map(|(stage, failed)| {
                stage.unwrap_or_else(|| failed.map_or(Stage::Search, Stage::Failed))
            })
            .collect()
    }

    /// One ISBN's entry of a batch answer, cached under the key of its single-ISBN request
    /// (a negative entry when the answer lacks it).
    fn take_entry(
        &self,
        entries: &mut BTreeMap<String, serde_json::Value>,
        isbn13: &str,
        url: &str,
        fetch: &Fetcher,
    ) -> Stage {
        let bibkey = format!("ISBN:{isbn13}");
        let key = self.books_request(&[isbn13]).cache_key();
        let Some(value) = entries.remove(&bibkey) else {
            fetch.store::<serde_json::Value>(&key, None);
            return Stage::Search;
        };
        match decode_entry(NAME, url, &bibkey, value.clone()) {
            Ok(record) => {
                fetch.store(&key, Some(&value));
                Stage::Record(record)
            }
            // Not cached: a later run asks again.
            Err(e) => Stage::Failed(e),
        }
    }

    /// Searches for `wanted` and returns the best acceptable doc.
    async fn search(
        &self,
        fetch: &Fetcher,
        wanted: &Wanted<'_>,
    ) -> Result<Option<SearchDoc>, SourceError> {
        if wanted.title.trim().is_empty() {
            return Ok(None);
        }
        let request = self.search_request(wanted.title, wanted.author);
        let docs = fetch
            .get_json::<SearchResponse>(request)
            .await?
            .value
            .and_then(|r| r.docs)
            .unwrap_or_default();
        Ok(choose_doc(&docs, wanted).map(|(doc, _)| doc.clone()))
    }

    /// The work record for a validated key; `None` when Open Library answers 404.
    async fn work(
        &self,
        fetch: &Fetcher,
        work_key: &str,
    ) -> Result<Option<WorkRecord>, SourceError> {
        Ok(fetch.get_json::<WorkRecord>(self.work_request(work_key)).await?.value)
    }

    /// Fills a hit without subjects (or cover) from the work `work_key`.
    async fn add_work_subjects(&self, fetch: &Fetcher, work_key: &str, hit: &mut SourceHit) {
        match self.work(fetch, work_key).await {
            Ok(Some(work)) => {
                hit.genres = work.genres();
                hit.genres_level = crate::model::Level::Work;
                hit.notes
                    .push(format!("open_library: {} subject(s) from {work_key}", hit.genres.len()));
                if hit.thumbnail_url.is_none() {
                    if let Some((medium, small)) = work.cover() {
                        hit.thumbnail_url = Some(medium);
                        hit.small_thumbnail_url = Some(small);
                    }
                }
            }
            Ok(None) => hit.notes.push(format!("open_library: work {work_key} not found")),
            // The record itself was found: it is kept, and the failure reported on the book.
            Err(e) => {
                hit.notes.push(format!("open_library: work subjects not fetched: {e}"));
                hit.incomplete.get_or_insert(e);
            }
        }
    }

    /// A hit from a chosen search doc: noted, and given its work's subjects when it has none.
    async fn chosen(
        &self,
        fetch: &Fetcher,
        mut hit: SourceHit,
        work_key: Option<String>,
        title: Option<&str>,
        how: &str,
    ) -> SourceHit {
        hit.notes.push(format!(
            "open_library: {how} {} {:?}",
            work_key.as_deref().unwrap_or("a doc without work key"),
            title.unwrap_or_default()
        ));
        if hit.genres.is_empty() && self.config.fetch_work_subjects {
            if let Some(key) = work_key {
                self.add_work_subjects(fetch, &key, &mut hit).await;
            }
        }
        hit
    }

    /// Steps 2–3 for one book.
    async fn finish(&self, book: &BookQuery, stage: Stage, fetch: &Fetcher) -> SourceResult {
        let isbn13 = book.isbn.as_ref().map(|i| i.as_isbn13().to_owned());
        let isbn10 = book.isbn.as_ref().and_then(crate::isbn::Isbn::to_isbn10);
        let wanted = Wanted {
            title: search_title(&book.title),
            author: book.author.trim(),
            isbn: isbn13.as_deref().map(|t| (t, isbn10.as_deref())),
        };
        match stage {
            Stage::Failed(e) => Err(e),
            Stage::Doc(doc) => {
                let wanted = BulkWanted {
                    isbn13: wanted.isbn.map(|(t, _)| t),
                    isbn10: wanted.isbn.and_then(|(_, t)| t),
                    goodreads_id: book.goodreads_id.as_deref(),
                    title: wanted.title,
                    author: wanted.author,
                };
                let hit = doc.to_hit(&wanted);
                let (key, title) = (doc.work_key(), doc.title.as_deref());
                Ok(Some(self.chosen(fetch, hit, key, title, "identifier search matched").await))
            }
            Stage::Record(record) => {
                let isbn13 = isbn13.as_deref().unwrap_or_default();
                let mut hit = record.to_hit(isbn13);
                hit.notes.push(format!("open_library: ISBN {isbn13} found by the Books API"));
                if hit.genres.is_empty() && self.config.fetch_work_subjects {
                    self.add_subjects_by_search(fetch, &record, &wanted, &mut hit).await;
                }
                Ok(Some(hit))
            }
            Stage::Search => {
                let Some(doc) = self.search(fetch, &wanted).await? else {
                    return Ok(None);
                };
                let mut hit = doc.to_hit();
                if let Some((thirteen, ten)) = wanted.isbn {
                    if doc.has_isbn(thirteen, ten) {
                        hit.identifiers.push(format!("isbn:{thirteen}"));
                    }
                }
                let (key, title) = (doc.work_key(), doc.title.as_deref());
                Ok(Some(self.chosen(fetch, hit, key, title, "search chose").await))
            }
        }
    }

    /// A Books API record without subjects: find its work by search and take the work's subjects.
    async fn add_subjects_by_search(
        &self,
        fetch: &Fetcher,
        record: &BooksApiRecord,
        wanted: &Wanted<'_>,
        hit: &mut SourceHit,
    ) {
        // The export's title may be empty; the record's own title and author then stand in.
        let record_authors = record.author_names();
        let wanted = Wanted {
            title: if wanted.title.is_empty() {
                record.title.as_deref().unwrap_or_default()
            } else {
                wanted.title
            },
            author: if wanted.author.is_empty() {
                record_authors.first().map_or("", String::as_str)
            } else {
                wanted.author
            },
            isbn: wanted.isbn,
        };
        let doc = match self.search(fetch, &wanted).await {
            Ok(Some(doc)) => doc,
            Ok(None) => {
                hit.notes.push(
                    "open_library: record has no subjects and no matching work was found"
                        .to_owned(),
                );
                return;
            }
            Err(e) => {
                hit.notes.push(format!("open_library: work search failed: {e}"));
                hit.incomplete.get_or_insert(e);
                return;
            }
        };
        let doc_hit = doc.to_hit();
        for id in doc_hit.identifiers {
            if !hit.identifiers.contains(&id) {
                hit.identifiers.push(id);
            }
        }
        if hit.thumbnail_url.is_none() {
            hit.thumbnail_url = doc_hit.thumbnail_url;
            hit.small_thumbnail_url = doc_hit.small_thumbnail_url;
        }
        if doc_hit.genres.is_empty() {
            if let Some(key) = doc.work_key() {
                self.add_work_subjects(fetch, &key, hit).await;
            }
        } else {
            hit.notes.push(format!(
                "open_library: {} subject(s) from search doc {}",
                doc_hit.genres.len(),
                doc.key.as_deref().unwrap_or_default()
            ));
            hit.genres = doc_hit.genres;
            hit.genres_level = crate::model::Level::Work;
        }
    }
}

/// Gives `stage` to every book still without one whose ISBN-13 is in `isbns`.
fn settle(books: &[BookQuery], stages: &mut [Option<Stage>], isbns: &[&str], stage: &Stage) {
    for (book, slot) in books.iter().zip(stages.iter_mut()) {
        if slot.is_none() && book.isbn.is_some_and(|i| isbns.contains(&i.as_isbn13())) {
            *slot = Some(stage.clone());
        }
    }
}

#[async_trait]
impl GenreSource for OpenLibrary {
    fn name(&self) -> &str {
        NAME
    }

    fn batch_size(&self) -> usize {
        self.config.batch_size
    }

    fn default_rate_limit(&self) -> f64 {
        if self.config.identified { 3.0 } else { 1.0 }
    }

    fn plan(&self, books: &[BookQuery], fetch: &Fetcher) -> LookupPlan {
        self.plan_lookup(books, fetch)
    }

    async fn lookup(&self, books: &[BookQuery], fetch: &Fetcher) -> Vec<SourceResult> {
        let stages = match self.config.lookup {
            IdentifierLookup::BulkSearch => self.bulk_stage(books, fetch).await,
            IdentifierLookup::BooksApi => self.books_api_stage(books, fetch).await,
        };
        // Boxed up front: a stream of `async fn` futures borrowing `books` is not provably `Send` otherwise.
        let pending: Vec<BoxFuture<'_, SourceResult>> = books
            .iter()
            .zip(stages)
            .map(|(book, stage)| self.finish(book, stage, fetch).boxed())
            .collect();
        futures::stream::iter(pending).buffered(SEARCH_CONCURRENCY).collect().await
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn source(base: &str) -> OpenLibrary {
        OpenLibrary::new(OpenLibraryConfig {
            base_url: Url::parse(base).unwrap(),
            ..OpenLibraryConfig::default()
        })
    }

    #[test]
    fn defaults_follow_the_published_limits() {
        let ol = OpenLibrary::default();
        assert_eq!(ol.name(), "open_library");
        assert_eq!(ol.batch_size(), 40);
        assert!((ol.default_rate_limit() - 1.0).abs() < f64::EPSILON);
        let identified = OpenLibrary::new(OpenLibraryConfig {
            identified: true,
            batch_size: 0,
            ..OpenLibraryConfig::default()
        });
        assert!((identified.default_rate_limit() - 3.0).abs() < f64::EPSILON);
        assert_eq!(identified.batch_size(), 1, "a zero batch size would never make progress");
    }

    #[test]
    fn books_url_lists_isbn_bibkeys_literally() {
        let ol = OpenLibrary::default();
        let req = ol.books_request(&["9780439064873", "9780140328721"]);
        assert_eq!(
            req.url.as_str(),
            "https://openlibrary.org/api/books?bibkeys=ISBN:9780439064873,ISBN:9780140328721&format=json&jscmd=data"
        );
        assert_eq!(
            ol.books_request(&["9780140328721"]).cache_key(),
            "/api/books?bibkeys=ISBN:9780140328721&format=json&jscmd=data"
        );
        assert!(!req.no_cache().cacheable);
    }

    #[test]
    fn search_url_encodes_title_and_author() {
        let ol = source("http://127.0.0.1:8080");
        let req = ol.search_request(
            search_title("Harry Potter and the Sorcerer's Stone (Harry Potter  #1)"),
            "J.K. Rowling",
        );
        assert_eq!(
            req.url.as_str(),
            "http://127.0.0.1:8080/search.json?title=Harry+Potter+and+the+Sorcerer%27s+Stone&author=J.K.+Rowling\
             &fields=key,title,author_name,subject,ddc,lcc,isbn,cover_i,edition_key&limit=5"
        );
        let pairs: Vec<(String, String)> =
            req.url.query_pairs().map(|(k, v)| (k.into_owned(), v.into_owned())).collect();
        assert_eq!(
            pairs[0],
            ("title".to_owned(), "Harry Potter and the Sorcerer's Stone".to_owned())
        );
        assert_eq!(pairs[1], ("author".to_owned(), "J.K. Rowling".to_owned()));

        let tricky = ol.search_request("Q&A: 100% #1 = yes?", "");
        let pairs: Vec<(String, String)> =
            tricky.url.query_pairs().map(|(k, v)| (k.into_owned(), v.into_owned())).collect();
        assert_eq!(pairs[0], ("title".to_owned(), "Q&A: 100% #1 = yes?".to_owned()));
        assert_eq!(pairs[1].0, "fields", "an empty author is left out");
        assert_eq!(tricky.url.fragment(), None);
    }

    #[test]
    fn work_url_has_one_works_segment() {
        let ol = OpenLibrary::default();
        let key = parse::work_key("/works/OL20639540W").unwrap();
        assert_eq!(
            ol.work_request(&key).url.as_str(),
            "https://openlibrary.org/works/OL20639540W.json"
        );
        assert!(!ol.work_request(&key).url.as_str().contains("/works//works/"));
    }

    #[test]
    fn base_url_path_prefix_is_kept() {
        let ol = source("http://proxy.local:9000/openlibrary/");
        assert_eq!(
            ol.work_request("/works/OL1W").url.as_str(),
            "http://proxy.local:9000/openlibrary/works/OL1W.json"
        );
        assert_eq!(
            ol.books_request(&["9780140328721"]).url.as_str(),
            "http://proxy.local:9000/openlibrary/api/books?bibkeys=ISBN:9780140328721&format=json&jscmd=data"
        );
    }
}
