//! What the report shows, computed from a dashboard: headline numbers, chart series and the book list.
//!
//! Everything here is plain data in a fixed order (no hash-map iteration), so the same
//! dashboard always gives the same report. Private notes have no field here at all: they
//! cannot reach the page.
//!
//! Which books each part counts (written in docs/report.md too):
//! - *read books* are the contract's: shelf `read` and a date read (`summary.read_books`);
//!   the per-year charts, top authors, book lengths and covers count them;
//! - the rating charts count every book with my rating (`summary.rated_books`);
//! - the genre charts count every book in the dashboard (as `summary.most_common_genres`).

use std::cmp::Reverse;
use std::collections::BTreeMap;

use bookenrich_core::Dashboard;
use bookenrich_core::dashboard::DashboardBook;
use chrono::Datelike;
use serde::Serialize;

use super::plain_text::review_to_text;

/// Genre names the dashboard's genre charts treat apart from the others (contract).
const FICTION: &str = "Fiction";
const NONFICTION: &str = "Nonfiction";
/// Page categories in the contract's order.
const PAGE_CATEGORIES: [&str; 4] =
    ["Short (<200)", "Medium (200-350)", "Long (350-500)", "Very Long (500+)"];
/// Label for read books without a page count.
const UNKNOWN_LENGTH: &str = "Unknown";
/// How many genres and authors the top lists show.
const TOP_GENRES: usize = 12;
const TOP_AUTHORS: usize = 10;
/// How many covers the strip shows.
const MAX_COVERS: usize = 40;
/// Year gaps up to this span are filled with zero bars; a wider span means a stray date and would flatten the chart.
const MAX_FILLED_YEAR_SPAN: i32 = 60;

/// The report's data model, embedded in the page as JSON and drawn by the page's script.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub(super) struct ReportData {
    /// Where the data came from.
    pub source: Source,
    /// The headline cards.
    pub headline: Headline,
    /// Read books and their pages per reading year, gaps filled with zeros.
    pub per_year: Vec<YearCount>,
    /// Books per star rating (1–5), plus the unrated ones.
    pub ratings: RatingDistribution,
    /// My rating against the community average, per book that has both.
    pub rating_pairs: RatingPairs,
    /// Fiction / Nonfiction split of the books.
    pub fiction_split: FictionSplit,
    /// Most common genres other than `Fiction` and `Nonfiction`.
    pub top_genres: Vec<NamedCount>,
    /// Authors with the most read books.
    pub top_authors: Vec<AuthorCount>,
    /// Read books per page category.
    pub page_lengths: Vec<NamedCount>,
    /// Covers of the most recently read books (remote images; empty with `--no-covers`).
    pub covers: Vec<Cover>,
    /// Every book of the dashboard, most recently read first.
    pub books: Vec<BookRow>,
}

/// Provenance shown in the page footer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub(super) struct Source {
    /// The dashboard's `export_id`.
    pub export_id: String,
    /// The dashboard's `metadata.export_timestamp`.
    pub export_timestamp: String,
    /// The dashboard's `metadata.exporter_version`.
    pub exporter_version: String,
}

/// The headline numbers.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub(super) struct Headline {
    /// Books in the dashboard.
    pub total_books: u64,
    /// Read books (`summary.read_books`).
    pub books_read: u64,
    /// Pages of read books (`summary.total_pages`).
    pub pages_read: u64,
    /// Books with my rating.
    pub rated_books: u64,
    /// Mean of my ratings, if any.
    pub average_rating: Option<f64>,
    /// Books with at least one genre.
    pub enriched_books: u64,
    /// `enriched_books` in percent of all books.
    pub enrichment_rate: f64,
    /// Books read more than once.
    pub rereads: u64,
    /// Total reads of the re-read books.
    pub reread_reads: u64,
    /// Distinct authors.
    pub unique_authors: u64,
    /// Earliest date read (ISO).
    pub first_read: Option<String>,
    /// Latest date read (ISO).
    pub last_read: Option<String>,
}

/// One reading year.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub(super) struct YearCount {
    /// The year.
    pub year: i32,
    /// Read books with this reading year.
    pub books: u64,
    /// Their pages (books without a page count add nothing).
    pub pages: u64,
}

/// Books per star rating.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub(super) struct RatingDistribution {
    /// Always five entries, 1 to 5 stars.
    pub stars: Vec<StarCount>,
    /// Books without my rating.
    pub unrated: u64,
}

/// Books with one star rating.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub(super) struct StarCount {
    /// 1 to 5.
    pub stars: u8,
    /// Books I rated so.
    pub count: u64,
}

/// My ratings against the community's.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub(super) struct RatingPairs {
    /// One point per book with both ratings, in dashboard order.
    pub points: Vec<RatingPair>,
    /// Mean of (mine − community) over the points, if any.
    pub mean_difference: Option<f64>,
    /// Points where I rated higher than the community.
    pub higher: u64,
    /// Points where I rated lower.
    pub lower: u64,
}

/// One book's two ratings.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub(super) struct RatingPair {
    /// Book title.
    pub title: String,
    /// Book author.
    pub author: String,
    /// My rating, 1–5.
    pub mine: u8,
    /// The community average.
    pub community: f64,
}

/// How the books split between fiction and nonfiction.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub(super) struct FictionSplit {
    /// Books with `Fiction` and not `Nonfiction`.
    pub fiction: u64,
    /// Books with `Nonfiction` and not `Fiction`.
    pub nonfiction: u64,
    /// Books with both.
    pub both: u64,
    /// Books with genres but neither of the two.
    pub unclassified: u64,
    /// Books without any genre.
    pub no_genres: u64,
}

/// A name and how many books have it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub(super) struct NamedCount {
    /// Genre or category name.
    pub name: String,
    /// Books.
    pub count: u64,
}

/// One author's read books.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub(super) struct AuthorCount {
    /// The author as written in the export.
    pub name: String,
    /// Read books by them.
    pub books: u64,
    /// Their pages.
    pub pages: u64,
    /// Mean of my ratings of them, if any are rated.
    pub average_rating: Option<f64>,
}

/// One cover of the strip.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub(super) struct Cover {
    /// Book title (the image's alt text).
    pub title: String,
    /// Book author.
    pub author: String,
    /// An `http(s)` image URL.
    pub url: String,
}

/// One row of the book list.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub(super) struct BookRow {
    /// Title.
    pub title: String,
    /// Author.
    pub author: String,
    /// Shelf (`read`, `to-read`, …).
    pub shelf: Option<String>,
    /// Date read (ISO).
    pub date_read: Option<String>,
    /// My rating, 1–5.
    pub my_rating: Option<u8>,
    /// Community average.
    pub average_rating: Option<f64>,
    /// Page count.
    pub pages: Option<u32>,
    /// Genres.
    pub genres: Vec<String>,
    /// Times read.
    pub reads: u32,
    /// My review as plain text (Goodreads reviews are HTML).
    pub review: Option<String>,
    /// The review is marked as containing spoilers.
    pub spoilers: bool,
}

/// Options for [`ReportData::from_dashboard`].
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(super) struct DataOptions {
    /// Leave the covers out, so viewing the page contacts no cover host.
    pub no_covers: bool,
}

impl ReportData {
    /// The report of `dashboard`.
    pub(super) fn from_dashboard(dashboard: &Dashboard<'_>, options: DataOptions) -> Self {
        let books = &dashboard.books;
        let read: Vec<&DashboardBook<'_>> = books.iter().filter(|b| is_read(b)).collect();
        let summary = &dashboard.summary;
        Self {
            source: Source {
                export_id: dashboard.export_id.clone(),
                export_timestamp: dashboard.metadata.export_timestamp.clone(),
                exporter_version: dashboard.metadata.exporter_version.clone(),
            },
            headline: Headline {
                total_books: summary.total_books,
                books_read: summary.read_books,
                pages_read: summary.total_pages,
                rated_books: summary.rated_books,
                average_rating: summary.average_rating,
                enriched_books: summary.genre_enriched_books,
                enrichment_rate: summary.genre_enrichment_rate,
                rereads: books.iter().filter(|b| b.was_reread).count() as u64,
                reread_reads: books
                    .iter()
                    .filter(|b| b.was_reread)
                    .map(|b| u64::from(b.original_read_count))
                    .sum(),
                unique_authors: summary.unique_authors,
                first_read: summary.reading_date_range.earliest.map(|d| d.to_string()),
                last_read: summary.reading_date_range.latest.map(|d| d.to_string()),
            },
            per_year: per_year(&read),
            ratings: ratings(books),
            rating_pairs: rating_pairs(books),
            fiction_split: fiction_split(books),
            top_genres: top_genres(books),
            top_authors: top_authors(&read),
            page_lengths: page_lengths(&read),
            covers: if options.no_covers { Vec::new() } else { covers(&read) },
            books: book_rows(books),
        }
    }
}

/// The contract's "read": shelf `read` and a date read.
fn is_read(book: &DashboardBook<'_>) -> bool {
    book.reading_status.as_deref() == Some("read") && book.date_read.is_some()
}

fn per_year(read: &[&DashboardBook<'_>]) -> Vec<YearCount> {
    let mut years: BTreeMap<i32, YearCount> = BTreeMap::new();
    for book in read {
        let Some(year) = book.reading_year.or_else(|| book.date_read.map(|d| d.year())) else {
            continue;
        };
        let entry = years.entry(year).or_insert(YearCount { year, books: 0, pages: 0 });
        entry.books += 1;
        entry.pages += book.num_pages.map_or(0, u64::from);
    }
    let (Some(&first), Some(&last)) = (years.keys().next(), years.keys().next_back()) else {
        return Vec::new();
    };
    if last - first <= MAX_FILLED_YEAR_SPAN {
        for year in first..=last {
            years.entry(year).or_insert(YearCount { year, books: 0, pages: 0 });
        }
    }
    years.into_values().collect()
}

fn ratings(books: &[DashboardBook<'_>]) -> RatingDistribution {
    let mut counts = [0u64; 5];
    let mut unrated = 0;
    for book in books {
        match book.my_rating {
            Some(r @ 1..=5) => counts[usize::from(r - 1)] += 1,
            _ => unrated += 1,
        }
    }
    RatingDistribution {
        stars: (1u8..=5).zip(counts).map(|(stars, count)| StarCount { stars, count }).collect(),
        unrated,
    }
}

fn rating_pairs(books: &[DashboardBook<'_>]) -> RatingPairs {
    let points: Vec<RatingPair> = books
        .iter()
        .filter_map(|b| {
            let mine = b.my_rating.filter(|r| (1..=5).contains(r))?;
            let community = b.average_rating.filter(|a| a.is_finite() && *a > 0.0)?;
            Some(RatingPair {
                title: b.title.to_string(),
                author: b.author.to_string(),
                mine,
                community,
            })
        })
        .collect();
    let diffs: Vec<f64> = points.iter().map(|p| f64::from(p.mine) - p.community).collect();
    RatingPairs {
        mean_difference: (!diffs.is_empty())
            .then(|| diffs.iter().sum::<f64>() / diffs.len() as f64),
        higher: diffs.iter().filter(|d| **d > 0.0).count() as u64,
        lower: diffs.iter().filter(|d| **d < 0.0).count() as u64,
        points,
    }
}

fn fiction_split(books: &[DashboardBook<'_>]) -> FictionSplit {
    let mut split =
        FictionSplit { fiction: 0, nonfiction: 0, both: 0, unclassified: 0, no_genres: 0 };
    for book in books {
        let fiction = book.genres.iter().any(|g| g == FICTION);
        let nonfiction = book.genres.iter().any(|g| g == NONFICTION);
        match (fiction, nonfiction) {
            _ if book.genres.is_empty() => split.no_genres += 1,
            (true, true) => split.both += 1,
            (true, false) => split.fiction += 1,
            (false, true) => split.nonfiction += 1,
            (false, false) => split.unclassified += 1,
        }
    }
    split
}

/// Counts each genre once per book; ties keep first-seen order, as `most_common_genres` does.
fn top_genres(books: &[DashboardBook<'_>]) -> Vec<NamedCount> {
    let mut counts: Vec<NamedCount> = Vec::new();
    for book in books {
        let mut seen: Vec<&str> = Vec::with_capacity(book.genres.len());
        for genre in &book.genres {
            let genre = genre.as_ref();
            if genre == FICTION || genre == NONFICTION || seen.contains(&genre) {
                continue;
            }
            seen.push(genre);
            match counts.iter_mut().find(|c| c.name == genre) {
                Some(c) => c.count += 1,
                None => counts.push(NamedCount { name: genre.to_owned(), count: 1 }),
            }
        }
    }
    counts.sort_by_key(|c| Reverse(c.count));
    counts.truncate(TOP_GENRES);
    counts
}

/// Most read books first; ties by more pages, then by name, so the order never depends on input order.
fn top_authors(read: &[&DashboardBook<'_>]) -> Vec<AuthorCount> {
    struct Acc {
        books: u64,
        pages: u64,
        rating_sum: u64,
        rated: u64,
    }
    let mut by_author: BTreeMap<&str, Acc> = BTreeMap::new();
    for book in read {
        let acc = by_author.entry(book.author.as_ref()).or_insert(Acc {
            books: 0,
            pages: 0,
            rating_sum: 0,
            rated: 0,
        });
        acc.books += 1;
        acc.pages += book.num_pages.map_or(0, u64::from);
        if let Some(r) = book.my_rating.filter(|r| *r > 0) {
            acc.rating_sum += u64::from(r);
            acc.rated += 1;
        }
    }
    let mut authors: Vec<AuthorCount> = by_author
        .into_iter()
        .map(|(name, a)| AuthorCount {
            name: name.to_owned(),
            books: a.books,
            pages: a.pages,
            average_rating: (a.rated > 0).then(|| a.rating_sum as f64 / a.rated as f64),
        })
        .collect();
    // Stable sort over name-ordered entries: equal books and pages stay in name order.
    authors.sort_by(|a, b| b.books.cmp(&a.books).then(b.pages.cmp(&a.pages)));
    authors.truncate(TOP_AUTHORS);
    authors
}

fn page_lengths(read: &[&DashboardBook<'_>]) -> Vec<NamedCount> {
    let mut counts: Vec<NamedCount> =
        PAGE_CATEGORIES.iter().map(|c| NamedCount { name: (*c).to_owned(), count: 0 }).collect();
    let mut unknown = 0;
    for book in read {
        match book.page_category.as_deref().and_then(|c| counts.iter_mut().find(|n| n.name == c)) {
            Some(n) => n.count += 1,
            None => unknown += 1,
        }
    }
    if unknown > 0 {
        counts.push(NamedCount { name: UNKNOWN_LENGTH.to_owned(), count: unknown });
    }
    counts
}

/// Most recently read first; only `http(s)` URLs, so a hostile `javascript:` or `data:` URL never reaches an `<img>`.
fn covers(read: &[&DashboardBook<'_>]) -> Vec<Cover> {
    let mut with_cover: Vec<(&DashboardBook<'_>, &str)> = read
        .iter()
        .filter_map(|b| {
            let url = [&b.thumbnail_url, &b.small_thumbnail_url]
                .into_iter()
                .filter_map(|u| u.as_deref())
                .find(|u| is_web_url(u))?;
            Some((*b, url))
        })
        .collect();
    with_cover.sort_by_key(|(book, _)| Reverse(book.date_read));
    with_cover
        .into_iter()
        .take(MAX_COVERS)
        .map(|(b, url)| Cover {
            title: b.title.to_string(),
            author: b.author.to_string(),
            url: url.to_owned(),
        })
        .collect()
}

/// An absolute `http://` or `https://` URL without characters that have no place in one.
pub(super) fn is_web_url(url: &str) -> bool {
    let rest = ["https://", "http://"].iter().find_map(|scheme| {
        url.get(..scheme.len())
            .filter(|head| head.eq_ignore_ascii_case(scheme))
            .map(|_| &url[scheme.len()..])
    });
    rest.is_some_and(|host_and_path| !host_and_path.is_empty() && !host_and_path.starts_with('/'))
        && !url.chars().any(|c| {
            c.is_whitespace() || c.is_control() || matches!(c, '"' | '\'' | '<' | '>' | '\\' | '`')
        })
}

/// Most recently read first; books without a date keep their dashboard order at the end.
fn book_rows(books: &[DashboardBook<'_>]) -> Vec<BookRow> {
    let mut rows: Vec<&DashboardBook<'_>> = books.iter().collect();
    rows.sort_by(|a, b| match (a.date_read, b.date_read) {
        (Some(x), Some(y)) => y.cmp(&x),
        (Some(_), None) => std::cmp::Ordering::Less,
        (None, Some(_)) => std::cmp::Ordering::Greater,
        (None, None) => std::cmp::Ordering::Equal,
    });
    rows.into_iter()
        .map(|b| BookRow {
            title: b.title.to_string(),
            author: b.author.to_string(),
            shelf: b.reading_status.as_ref().map(ToString::to_string),
            date_read: b.date_read.map(|d| d.to_string()),
            my_rating: b.my_rating.filter(|r| *r > 0),
            average_rating: b.average_rating,
            pages: b.num_pages,
            genres: b.genres.iter().map(ToString::to_string).collect(),
            reads: b.original_read_count.max(1),
            review: b.my_review.as_deref().map(review_to_text).filter(|r| !r.is_empty()),
            spoilers: b.has_spoilers,
        })
        .collect()
}

#[cfg(test)]
mod tests;
