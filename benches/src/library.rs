//! Generated libraries as benchmark inputs: export bytes, parsed books, enrichment
//! results shaped like the engine's, and the library sizes to run.

use std::collections::BTreeMap;

use bookenrich_core::csv::{ReadOptions, read_export_bytes};
use bookenrich_core::genres::GenreNormalizer;
use bookenrich_core::model::{BookAnalytics, EnrichedBook};
use bookenrich_fake_catalogue::complete_isbn13;

use crate::generate::write_export;

/// Library sizes the benchmarks run: `BOOKENRICH_BENCH_SIZES` (comma-separated book
/// counts, e.g. `1000` for a quick CI run), else 1k, 10k and 100k.
pub fn bench_sizes() -> Vec<u64> {
    parse_sizes(std::env::var("BOOKENRICH_BENCH_SIZES").ok().as_deref())
}

fn parse_sizes(value: Option<&str>) -> Vec<u64> {
    let parsed: Vec<u64> = value
        .unwrap_or_default()
        .split(',')
        .filter_map(|s| s.trim().parse().ok())
        .filter(|n| *n > 0)
        .collect();
    if parsed.is_empty() { vec![1_000, 10_000, 100_000] } else { parsed }
}

/// A generated export of `rows` books (seed 42), as the bytes of the CSV file.
pub fn export_bytes(rows: u64) -> Vec<u8> {
    let mut out = Vec::with_capacity(usize::try_from(rows).unwrap_or(0) * 512);
    // Writing into a Vec cannot fail.
    write_export(&mut out, rows, 42).unwrap_or_else(|e| unreachable!("in-memory write: {e}"));
    out
}

/// Every book of a generated export of `rows` rows, unread ones included.
pub fn books(rows: u64) -> Result<Vec<BookAnalytics>, bookenrich_core::Error> {
    let options = ReadOptions { include_unread: true, ..ReadOptions::default() };
    Ok(read_export_bytes(&export_bytes(rows), &options)?.books)
}

/// Results as the engine would give them for `books`: genres normalised from the
/// fixtures' subject lists (cycled), covers, sources; 1 book in 8 without genres
/// and 1 in 50 failed, as in real runs.
pub fn enrichment_results(
    books: &[BookAnalytics],
    subject_lists: &[Vec<String>],
    normalizer: &GenreNormalizer,
) -> Vec<EnrichedBook> {
    let clean: Vec<Vec<String>> = subject_lists
        .iter()
        .map(|raw| normalizer.normalize(raw).into_iter().map(|g| g.as_str().to_owned()).collect())
        .collect();
    books
        .iter()
        .enumerate()
        .map(|(i, book)| {
            let mut result = EnrichedBook {
                goodreads_id: Some(book.goodreads_id.clone()),
                title: book.title.clone(),
                author: book.author.clone(),
                ..EnrichedBook::default()
            };
            if i % 50 == 49 {
                result.error = Some("open_library: HTTP 503".into());
                return result;
            }
            if i % 8 == 7 || subject_lists.is_empty() {
                return result;
            }
            let k = i % subject_lists.len();
            result.genres_by_source =
                BTreeMap::from([("open_library".to_owned(), subject_lists[k].clone())]);
            result.final_genres.clone_from(&clean[k]);
            result.thumbnail_url =
                Some(format!("https://covers.openlibrary.org/b/id/{}-M.jpg", 8_000_000 + i));
            result.small_thumbnail_url =
                Some(format!("https://covers.openlibrary.org/b/id/{}-S.jpg", 8_000_000 + i));
            result.sources_matched = vec!["open_library".to_owned()];
            if !result.final_genres.is_empty() {
                result.genre_sources = vec!["open_library".to_owned()];
            }
            result
        })
        .collect()
}

/// ISBN cells as exports and catalogues write them: ISBN-13, ISBN-10 (some with `X`),
/// hyphenated, and one in ten with a wrong check digit.
pub fn isbn_inputs(count: usize) -> Vec<String> {
    let mut rng = fastrand::Rng::with_seed(7);
    (0..count)
        .map(|i| {
            let body: String = (0..9).map(|_| char::from(b'0' + rng.u8(..10))).collect();
            let isbn13 = with_check13(&format!("978{body}"));
            let mut value = match i % 4 {
                0 | 1 => isbn13,
                2 => with_check10(&body),
                _ => format!(
                    "{}-{}-{}-{}",
                    &isbn13[..3],
                    &isbn13[3..4],
                    &isbn13[4..12],
                    &isbn13[12..]
                ),
            };
            if i % 10 == 9 {
                // A wrong check digit: the last character moves to the next digit.
                let last = value.pop().map_or(b'0', |c| u8::try_from(c).unwrap_or(b'0'));
                value.push(char::from(b'0' + (last.wrapping_sub(b'0').wrapping_add(1) % 10)));
            }
            value
        })
        .collect()
}

fn with_check13(first12: &str) -> String {
    complete_isbn13(first12).expect("12 digits")
}

fn with_check10(first9: &str) -> String {
    let sum: u32 =
        first9.bytes().zip((2..=10u32).rev()).map(|(b, w)| w * u32::from(b - b'0')).sum();
    match (11 - sum % 11) % 11 {
        10 => format!("{first9}X"),
        c => format!("{first9}{c}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use bookenrich_core::Isbn;

    #[test]
    fn sizes_come_from_the_environment_value() {
        assert_eq!(parse_sizes(None), [1_000, 10_000, 100_000]);
        assert_eq!(parse_sizes(Some("1000")), [1_000]);
        assert_eq!(parse_sizes(Some(" 5, 20 ,x,0")), [5, 20]);
        assert_eq!(parse_sizes(Some("")), [1_000, 10_000, 100_000]);
    }

    #[test]
    fn isbn_inputs_are_nine_in_ten_valid() {
        let inputs = isbn_inputs(1000);
        let valid = inputs.iter().filter(|v| Isbn::parse(v).is_ok()).count();
        assert_eq!(valid, 900);
        assert!(inputs.iter().any(|v| v.contains('-')));
        assert!(inputs.iter().any(|v| v.len() == 10));
    }

    #[test]
    fn results_match_books_by_id() {
        let books = books(100).unwrap();
        assert_eq!(books.len(), 100, "unread books are kept");
        let lists = crate::fixtures::raw_subject_lists().unwrap();
        let results = enrichment_results(&books, &lists, &GenreNormalizer::default());
        assert_eq!(results.len(), books.len());
        assert!(
            results
                .iter()
                .zip(&books)
                .all(|(r, b)| r.goodreads_id.as_ref() == Some(&b.goodreads_id))
        );
        let with_genres = results.iter().filter(|r| !r.final_genres.is_empty()).count();
        let failed = results.iter().filter(|r| r.error.is_some()).count();
        assert_eq!(failed, 2);
        assert!(with_genres > 70, "{with_genres}");
    }
}
