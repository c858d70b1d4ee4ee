//! Google Books: ISBN search checked against `industryIdentifiers`, then the full volume record.
//!
//! Request plan for one book:
//! 1. `volumes?q=isbn:{ISBN-13}`, then `volumes?q=isbn:{ISBN-10}` when no returned
//!    volume carries the ISBN (Google may answer with other editions or books);
//! 2. otherwise, and for books without ISBN, `volumes?q=intitle:"…" inauthor:"…"`,
//!    keeping only a volume whose title and author match;
//! 3. `volumes/{id}` of the chosen volume: search items carry one coarse category
//!    ("Fiction"), the volume record the full hierarchical list.
//!
//! The API key travels in the `x-goog-api-key` header, never in the URL, so it stays
//! out of logs, error messages and cache keys. A used-up daily quota is recognised by
//! the [`Fetcher`], which stops the source for the rest of the run.

use std::fmt::{self, Write as _};

use async_trait::async_trait;
use url::Url;
use url::form_urlencoded::byte_serialize;

use super::{
    BookQuery, GenreSource, LookupPlan, SourceError, SourceErrorKind, SourceHit, SourceResult,
    search_title,
};
use crate::fetch::{Fetcher, Request};

mod parse;

use parse::{Volume, VolumeList, best_title_match, item_with_isbn};

/// The source's machine name, in results, logs, rate limits and the cache; written only here.
pub const NAME: &str = "google_books";
/// Where the real API is served; the one place it is written.
pub const DEFAULT_BASE_URL: &str = "https://www.googleapis.com";
/// Google's default quota: 1,000 queries a day per project (more on request in the Cloud console).
pub const DEFAULT_DAILY_BUDGET: u64 = 1_000;
/// The partial response a search asks for: what [`parse`] reads, in the path syntax of the
/// recorded masked answers (`googlebooks_fields_mask_*.json`), a fraction of the full items'
/// bytes (descriptions, prices, reading modes and links left out).
const SEARCH_FIELDS: &str = "totalItems,items/id,items/volumeInfo/title,items/volumeInfo/subtitle,\
items/volumeInfo/authors,items/volumeInfo/industryIdentifiers,items/volumeInfo/categories,\
items/volumeInfo/mainCategory,items/volumeInfo/imageLinks";
/// The same for a volume record. Google documents `fields` for every method; a masked volume
/// record is not recorded, only masked searches are.
const VOLUME_FIELDS: &str = "id,volumeInfo/title,volumeInfo/subtitle,volumeInfo/authors,\
volumeInfo/industryIdentifiers,volumeInfo/categories,volumeInfo/mainCategory,volumeInfo/imageLinks";
/// Header that carries the API key.
const API_KEY_HEADER: &str = "x-goog-api-key";

/// Settings of the Google Books source.
#[derive(Clone, PartialEq, Eq)]
pub struct GoogleBooksConfig {
    /// Scheme and host (optionally a path prefix) the Google Books paths are served under.
    pub base_url: Url,
    /// API key. Google now requires one: keyless requests share a project whose daily quota is 0.
    pub api_key: Option<String>,
}

impl Default for GoogleBooksConfig {
    fn default() -> Self {
        Self {
            base_url: Url::parse(DEFAULT_BASE_URL).unwrap_or_else(|_| unreachable!("constant URL")),
            api_key: None,
        }
    }
}

impl fmt::Debug for GoogleBooksConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("GoogleBooksConfig")
            .field("base_url", &self.base_url.as_str())
            .field("api_key", &self.api_key.as_ref().map(|_| "<redacted>"))
            .finish()
    }
}

/// The Google Books source (`google_books`).
#[derive(Clone, Debug, Default)]
pub struct GoogleBooks {
    config: GoogleBooksConfig,
}

impl GoogleBooks {
    /// A source with these settings (an empty API key counts as none).
    pub fn new(mut config: GoogleBooksConfig) -> Self {
        if config.api_key.as_deref().is_some_and(|k| k.trim().is_empty()) {
            config.api_key = None;
        }
        Self { config }
    }

    /// The settings in use.
    pub fn config(&self) -> &GoogleBooksConfig {
        &self.config
    }

    /// A request for `path` under the base URL, with the API key header when there is a key.
    fn request(&self, path: &str, query: Option<&str>) -> Request {
        let mut url = self.config.base_url.clone();
        let prefix = url.path().trim_end_matches('/').to_owned();
        url.set_path(&format!("{prefix}{path}"));
        url.set_query(query);
        url.set_fragment(None);
        let request = Request::get(url);
        match &self.config.api_key {
            Some(key) => request.header(API_KEY_HEADER, key.trim()),
            None => request,
        }
    }

    /// `volumes?q=…&fields=…`; the value is form-encoded except for `:`, which stays literal
    /// (`q=isbn:9780374104092`) as Google documents it.
    fn volumes_request(&self, q: &str) -> Request {
        let encoded: String = byte_serialize(q.as_bytes()).collect();
        let query = format!("q={}&fields={SEARCH_FIELDS}", encoded.replace("%3A", ":"));
        self.request("/books/v1/volumes", Some(&query))
    }

    /// `volumes/{id}?fields=…` for an id already checked by [`Volume::safe_id`].
    fn volume_request(&self, id: &str) -> Request {
        self.request(&format!("/books/v1/volumes/{id}"), Some(&format!("fields={VOLUME_FIELDS}")))
    }

    /// The title query: `intitle:"…" inauthor:"…"` (quotes inside the values removed).
    fn title_query(title: &str, author: &str) -> String {
        let clean = |s: &str| s.replace('"', " ").split_whitespace().collect::<Vec<_>>().join(" ");
        let mut q = format!("intitle:\"{}\"", clean(title));
        let author = clean(author);
        if !author.is_empty() {
            let _ = write!(q, " inauthor:\"{author}\"");
        }
        q
    }

    /// The search items of `q` (none for a zero-hit or 404 answer).
    async fn search(&self, fetch: &Fetcher, q: &str) -> Result<Vec<Volume>, SourceError> {
        let answer = fetch.get_json::<VolumeList>(self.volumes_request(q)).await?;
        Ok(answer.value.and_then(|list| list.items).unwrap_or_default())
    }

    /// Steps 1–2: the search item that is the book, with notes on how it was found.
    async fn find(
        &self,
        book: &BookQuery,
        fetch: &Fetcher,
        notes: &mut Vec<String>,
    ) -> Result<Option<Volume>, SourceError> {
        if let Some(isbn) = &book.isbn {
            let isbn13 = isbn.as_isbn13();
            let isbn10 = isbn.to_isbn10();
            let mut queries = vec![isbn13.to_owned()];
            queries.extend(isbn10.clone());
            for value in queries {
                let items = self.search(fetch, &format!("isbn:{value}")).await?;
                if let Some(item) = item_with_isbn(&items, isbn13, isbn10.as_deref()) {
                    notes.push(format!(
                        "google_books: ISBN {value} matched volume {}",
                        item.id.as_deref().unwrap_or_default()
                    ));
                    return Ok(Some(item.clone()));
                }
                if !items.is_empty() {
                    notes.push(format!(
                        "google_books: {} volume(s) for isbn:{value} lack that ISBN; skipped",
                        items.len()
                    ));
                }
            }
        }
        let title = search_title(&book.title);
        if title.is_empty() {
            return Ok(None);
        }
        let items = self.search(fetch, &Self::title_query(title, &book.author)).await?;
        Ok(best_title_match(&items, title, book.author.trim()).map(|(item, score)| {
            notes.push(format!(
                "google_books: title search chose volume {} {:?} (title {:.2}, author {})",
                item.id.as_deref().unwrap_or_default(),
                item.volume_info.as_ref().and_then(|i| i.title.as_deref()).unwrap_or_default(),
                score.title,
                score.author.map_or_else(|| "n/a".to_owned(), |a| format!("{a:.2}")),
            ));
            item.clone()
        }))
    }

    /// One book: find its volume, then read the full record.
    async fn lookup_one(&self, book: &BookQuery, fetch: &Fetcher) -> SourceResult {
        let mut notes = Vec::new();
        let Some(item) = self.find(book, fetch, &mut notes).await? else {
            return Ok(None);
        };
        let Some(id) = item.safe_id() else {
            return Ok(None);
        };
        let from_search = item.to_hit();
        let mut hit = if has_specific_category(&from_search.genres) {
            // The search record already names a genre: the volume record would cost a request
            // for a longer list of the same.
            notes.push(format!(
                "google_books: the search record's categories name a genre; volume {id} not fetched"
            ));
            from_search
        } else if let Some(volume) = fetch.get_json::<Volume>(self.volume_request(id)).await?.value
        {
            merge(volume.to_hit(), from_search)
        } else {
            notes.push(format!("google_books: volume {id} not found; using its search record"));
            from_search
        };
        hit.notes.splice(0..0, notes);
        Ok(Some(hit))
    }
}

/// Categories too broad to be a genre on their own; search records often carry only one of
/// these (`["Fiction"]`), while the volume record has the full list.
const BROAD_CATEGORIES: &[&str] = &[
    "fiction",
    "nonfiction",
    "non-fiction",
    "general",
    "juvenile fiction",
    "juvenile nonfiction",
    "young adult fiction",
    "young adult nonfiction",
];

/// Whether a search record's categories name something more specific than "Fiction".
fn has_specific_category(categories: &[String]) -> bool {
    categories.iter().any(|c| {
        c.split('/').map(str::trim).any(|part| {
            !part.is_empty() && !BROAD_CATEGORIES.contains(&part.to_ascii_lowercase().as_str())
        })
    })
}

/// The volume record's data, completed from the search item where the record lacks it.
fn merge(mut volume: SourceHit, item: SourceHit) -> SourceHit {
    if volume.genres.is_empty() {
        volume.genres = item.genres;
    }
    if volume.thumbnail_url.is_none() {
        volume.thumbnail_url = item.thumbnail_url;
    }
    if volume.small_thumbnail_url.is_none() {
        volume.small_thumbnail_url = item.small_thumbnail_url;
    }
    for id in item.identifiers {
        if !volume.identifiers.contains(&id) {
            volume.identifiers.push(id);
        }
    }
    volume
}

#[async_trait]
impl GenreSource for GoogleBooks {
    fn name(&self) -> &str {
        NAME
    }

    fn default_rate_limit(&self) -> f64 {
        1.0
    }

    fn plan(&self, books: &[BookQuery], fetch: &Fetcher) -> LookupPlan {
        let mut plan = LookupPlan::default();
        for book in books {
            // The first search a lookup sends: by ISBN-13, else by title.
            let q = match &book.isbn {
                Some(isbn) => format!("isbn:{}", isbn.as_isbn13()),
                None => Self::title_query(search_title(&book.title), &book.author),
            };
            let key = self.volumes_request(&q).cache_key();
            if let Some(list) = fetch.cached::<VolumeList>(&key) {
                let found = list.and_then(|l| l.items).is_some_and(|items| !items.is_empty());
                plan.cached.push(Some(found));
            } else {
                plan.cached.push(None);
                // A search and the volume record; at most ISBN-13, ISBN-10, title, volume.
                plan.expected += 2;
                plan.max += if book.isbn.is_some() { 4 } else { 2 };
            }
        }
        plan
    }

    fn default_daily_budget(&self) -> Option<u64> {
        Some(DEFAULT_DAILY_BUDGET)
    }

    fn unusable(&self) -> Option<String> {
        self.config.api_key.is_none().then(|| {
            "no Google Books API key: keyless requests are charged to Google's shared project, \
             whose quota is 0 a day (every answer is HTTP 429); set GOOGLE_BOOKS_API_KEY"
                .to_owned()
        })
    }

    async fn lookup(&self, books: &[BookQuery], fetch: &Fetcher) -> Vec<SourceResult> {
        let mut results = Vec::with_capacity(books.len());
        let mut stopped: Option<SourceError> = None;
        for book in books {
            if let Some(e) = &stopped {
                // The source is out for the run: the rest of the batch gets the same answer without requests.
                results.push(Err(SourceError::new(NAME, e.kind, e.message.clone())));
                continue;
            }
            let result = self.lookup_one(book, fetch).await;
            if let Err(e) = &result {
                if matches!(
                    e.kind,
                    SourceErrorKind::QuotaExhausted
                        | SourceErrorKind::Disabled
                        | SourceErrorKind::Cancelled
                ) {
                    stopped = Some(e.clone());
                }
            }
            results.push(result);
        }
        results
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keyed(base: &str) -> GoogleBooks {
        GoogleBooks::new(GoogleBooksConfig {
            base_url: Url::parse(base).unwrap(),
            api_key: Some("SECRET-KEY-123".into()),
        })
    }

    #[test]
    fn defaults() {
        let g = GoogleBooks::default();
        assert_eq!(g.name(), "google_books");
        assert_eq!(g.batch_size(), 1);
        assert!((g.default_rate_limit() - 1.0).abs() < f64::EPSILON);
        assert_eq!(g.config().base_url.as_str(), "https://www.googleapis.com/");
        assert_eq!(
            GoogleBooks::new(GoogleBooksConfig {
                api_key: Some("  ".into()),
                ..GoogleBooksConfig::default()
            })
            .config()
            .api_key,
            None
        );
    }

    #[test]
    fn isbn_query_url_is_literal() {
        let g = GoogleBooks::default();
        let req = g.volumes_request("isbn:9780374104092");
        assert_eq!(
            req.url.as_str(),
            format!(
                "https://www.googleapis.com/books/v1/volumes?q=isbn:9780374104092&fields={SEARCH_FIELDS}"
            )
        );
        assert!(req.headers.is_empty(), "no key, no header");
        assert_eq!(
            req.cache_key(),
            format!("/books/v1/volumes?q=isbn:9780374104092&fields={SEARCH_FIELDS}")
        );
    }

    #[test]
    fn title_query_is_quoted_and_encoded() {
        let g = GoogleBooks::default();
        let q = GoogleBooks::title_query(
            search_title("Leviathan Wakes (The Expanse, #1)"),
            "James S.A. Corey",
        );
        assert_eq!(q, "intitle:\"Leviathan Wakes\" inauthor:\"James S.A. Corey\"");
        let req = g.volumes_request(&q);
        assert_eq!(
            req.url.as_str(),
            format!(
                "https://www.googleapis.com/books/v1/volumes?q=intitle:%22Leviathan+Wakes%22+inauthor:%22James+S.A.+Corey%22&fields={SEARCH_FIELDS}"
            )
        );
        let decoded: Vec<(String, String)> =
            req.url.query_pairs().map(|(k, v)| (k.into_owned(), v.into_owned())).collect();
        assert_eq!(decoded, [("q".to_owned(), q), ("fields".to_owned(), SEARCH_FIELDS.to_owned())]);

        let odd = GoogleBooks::title_query("The \"Best\" & 100% #1", "");
        assert_eq!(odd, "intitle:\"The Best & 100% #1\"");
        let req = g.volumes_request(&odd);
        assert_eq!(req.url.query_pairs().count(), 2, "& and # stay inside q: {}", req.url);
        assert_eq!(req.url.fragment(), None);
    }

    #[test]
    fn api_key_goes_in_a_header_and_nowhere_else() {
        let g = keyed("http://127.0.0.1:4000");
        for req in [g.volumes_request("isbn:9780374104092"), g.volume_request("2cl7AgAAQBAJ")] {
            assert!(!req.url.as_str().contains("SECRET"), "{}", req.url);
            assert!(!req.url.as_str().contains("key="), "{}", req.url);
            assert!(!req.cache_key().contains("SECRET"));
            assert!(!format!("{req:?}").contains("SECRET"));
            assert_eq!(req.headers, [("x-goog-api-key".to_owned(), "SECRET-KEY-123".to_owned())]);
        }
        assert_eq!(
            g.volume_request("2cl7AgAAQBAJ").url.as_str(),
            format!("http://127.0.0.1:4000/books/v1/volumes/2cl7AgAAQBAJ?fields={VOLUME_FIELDS}")
        );
        assert!(!format!("{g:?}").contains("SECRET"));
        assert!(format!("{:?}", g.config()).contains("<redacted>"));
    }

    #[test]
    fn base_url_path_prefix_is_kept() {
        let g = GoogleBooks::new(GoogleBooksConfig {
            base_url: Url::parse("http://proxy:1/google/").unwrap(),
            api_key: None,
        });
        assert_eq!(
            g.volume_request("x").url.as_str(),
            format!("http://proxy:1/google/books/v1/volumes/x?fields={VOLUME_FIELDS}")
        );
    }

    #[test]
    fn only_broad_search_categories_need_the_volume_record() {
        let c = |v: &[&str]| v.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>();
        assert!(!has_specific_category(&c(&["Fiction"])));
        assert!(!has_specific_category(&c(&[])));
        assert!(!has_specific_category(&c(&["Juvenile Fiction", "Fiction / General"])));
        assert!(has_specific_category(&c(&["Murder"])));
        assert!(has_specific_category(&c(&["Fiction / Science Fiction / General"])));
    }

    #[test]
    fn without_a_key_the_source_says_it_cannot_help() {
        assert!(GoogleBooks::default().unusable().is_some_and(|r| r.contains("API key")));
        assert_eq!(keyed("http://127.0.0.1:1").unusable(), None);
    }

    #[test]
    fn merge_prefers_the_volume_record() {
        let volume = SourceHit {
            genres: vec!["Fiction / Horror".into()],
            identifiers: vec!["google:x".into()],
            ..SourceHit::default()
        };
        let item = SourceHit {
            genres: vec!["Fiction".into()],
            thumbnail_url: Some("https://t".into()),
            identifiers: vec!["google:x".into(), "isbn:9780374104092".into()],
            ..SourceHit::default()
        };
        let merged = merge(volume, item.clone());
        assert_eq!(merged.genres, ["Fiction / Horror"]);
        assert_eq!(merged.thumbnail_url.as_deref(), Some("https://t"));
        assert_eq!(merged.identifiers, ["google:x", "isbn:9780374104092"]);
        assert_eq!(merge(SourceHit::default(), item).genres, ["Fiction"]);
    }
}
