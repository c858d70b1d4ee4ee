//! What each chart must show, computed straight from the dashboard JSON, independently of the
//! report's own code, as (data-label, data-value) pairs in drawing order.

use std::collections::BTreeMap;

use serde_json::Value;

use super::run::books;

/// The contract's read books: shelf `read` and a date read.
fn read_books(dashboard: &Value) -> Vec<&Value> {
    books(dashboard)
        .iter()
        .filter(|b| b["reading_status"] == "read" && b["date_read"].is_string())
        .collect()
}

fn pairs<L: ToString, V: ToString>(
    items: impl IntoIterator<Item = (L, V)>,
) -> Vec<(String, String)> {
    items.into_iter().map(|(l, v)| (l.to_string(), v.to_string())).collect()
}

/// Per reading year, gaps filled: `field` is `None` for book counts, `Some("num_pages")` for pages.
fn per_year(dashboard: &Value, pages: bool) -> Vec<(String, String)> {
    let mut years: BTreeMap<i64, u64> = BTreeMap::new();
    for b in read_books(dashboard) {
        let year = b["reading_year"]
            .as_i64()
            .unwrap_or_else(|| panic!("read book without reading_year: {b}"));
        *years.entry(year).or_default() +=
            if pages { b["num_pages"].as_u64().unwrap_or(0) } else { 1 };
    }
    if let (Some(&first), Some(&last)) = (years.keys().next(), years.keys().next_back()) {
        for y in first..=last {
            years.entry(y).or_default();
        }
    }
    pairs(years)
}

/// Books read per year.
pub(crate) fn books_per_year(dashboard: &Value) -> Vec<(String, String)> {
    per_year(dashboard, false)
}

/// Pages read per year.
pub(crate) fn pages_per_year(dashboard: &Value) -> Vec<(String, String)> {
    per_year(dashboard, true)
}

/// Books per star rating, 5 stars first.
pub(crate) fn rating_distribution(dashboard: &Value) -> Vec<(String, String)> {
    pairs(
        (1..=5).rev().map(|stars| {
            (stars, books(dashboard).iter().filter(|b| b["my_rating"] == stars).count())
        }),
    )
}

/// Titles of the books with my rating and a community average, with "mine/community".
pub(crate) fn rating_vs_community(dashboard: &Value) -> Vec<(String, String)> {
    books(dashboard)
        .iter()
        .filter_map(|b| {
            let mine = b["my_rating"].as_u64().filter(|r| *r > 0)?;
            let community = b["average_rating"].as_f64().filter(|a| *a > 0.0)?;
            Some((b["title"].as_str()?.to_owned(), format!("{mine}/{community}")))
        })
        .collect()
}

fn has_genre(b: &Value, name: &str) -> bool {
    b["genres"].as_array().is_some_and(|g| g.iter().any(|x| x == name))
}

/// Segments of the fiction split, zero ones left out.
pub(crate) fn fiction_split(dashboard: &Value) -> Vec<(String, String)> {
    let mut counts = [0u64; 5];
    for b in books(dashboard) {
        let i = match (has_genre(b, "Fiction"), has_genre(b, "Nonfiction")) {
            _ if b["genres"].as_array().is_none_or(Vec::is_empty) => 4,
            (true, false) => 0,
            (false, true) => 1,
            (true, true) => 2,
            (false, false) => 3,
        };
        counts[i] += 1;
    }
    if counts[..4].iter().all(|c| *c == 0) {
        return Vec::new();
    }
    pairs(
        ["Fiction", "Nonfiction", "Both", "Other genres only", "No genres"]
            .into_iter()
            .zip(counts)
            .filter(|(_, c)| *c > 0),
    )
}

/// The twelve most common genres besides Fiction and Nonfiction, once per book, ties first-seen.
pub(crate) fn top_genres(dashboard: &Value) -> Vec<(String, String)> {
    let mut counts: Vec<(String, u64)> = Vec::new();
    for b in books(dashboard) {
        let mut seen: Vec<&str> = Vec::new();
        for g in b["genres"].as_array().into_iter().flatten().filter_map(Value::as_str) {
            if g == "Fiction" || g == "Nonfiction" || seen.contains(&g) {
                continue;
            }
            seen.push(g);
            match counts.iter_mut().find(|(n, _)| n == g) {
                Some((_, c)) => *c += 1,
                None => counts.push((g.to_owned(), 1)),
            }
        }
    }
    counts.sort_by_key(|(_, n)| std::cmp::Reverse(*n));
    counts.truncate(12);
    pairs(counts)
}

/// The ten authors with the most read books; ties by more pages, then by name.
pub(crate) fn top_authors(dashboard: &Value) -> Vec<(String, String)> {
    let mut by: BTreeMap<String, (u64, u64)> = BTreeMap::new();
    for b in read_books(dashboard) {
        let e = by.entry(b["author"].as_str().unwrap_or_default().to_owned()).or_default();
        e.0 += 1;
        e.1 += b["num_pages"].as_u64().unwrap_or(0);
    }
    let mut authors: Vec<(String, (u64, u64))> = by.into_iter().collect();
    authors.sort_by(|a, b| b.1.0.cmp(&a.1.0).then(b.1.1.cmp(&a.1.1)));
    authors.truncate(10);
    pairs(authors.into_iter().map(|(name, (n, _))| (name, n)))
}

/// Read books per page category, "Unknown" last when any book lacks pages.
pub(crate) fn page_lengths(dashboard: &Value) -> Vec<(String, String)> {
    let read = read_books(dashboard);
    let mut out: Vec<(String, String)> =
        ["Short (<200)", "Medium (200-350)", "Long (350-500)", "Very Long (500+)"]
            .into_iter()
            .map(|c| {
                (c.to_owned(), read.iter().filter(|b| b["page_category"] == c).count().to_string())
            })
            .collect();
    let unknown = read.iter().filter(|b| b["page_category"].is_null()).count();
    if unknown > 0 {
        out.push(("Unknown".to_owned(), unknown.to_string()));
    }
    out
}

/// Read books with an http(s) cover.
pub(crate) fn cover_count(dashboard: &Value) -> usize {
    let web = |v: &Value| {
        v.as_str().is_some_and(|u| u.starts_with("https://") || u.starts_with("http://"))
    };
    read_books(dashboard)
        .iter()
        .filter(|b| web(&b["thumbnail_url"]) || web(&b["small_thumbnail_url"]))
        .count()
        .min(40)
}
