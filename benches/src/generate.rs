//! A generator of Goodreads library exports in the real format.
//!
//! Rows look like real ones: the 24 columns in Goodreads' order, `="…"` ISBN
//! wrappers (about a quarter empty, as in real libraries), realistic field
//! lengths, multi-line quoted reviews (some long), re-reads, every shelf, and
//! partial dates. Output is deterministic for a given seed.

use std::fmt::Write as _;
use std::io::{self, Write};

use bookenrich_fake_catalogue::complete_isbn13;

/// The header of a Goodreads export.
pub const HEADER: &str = "Book Id,Title,Author,Author l-f,Additional Authors,ISBN,ISBN13,My Rating,Average Rating,Publisher,Binding,Number of Pages,Year Published,Original Publication Year,Date Read,Date Added,Bookshelves,Bookshelves with positions,Exclusive Shelf,My Review,Spoiler,Private Notes,Read Count,Owned Copies";

const WORDS: &[&str] = &[
    "the",
    "night",
    "circus",
    "of",
    "shadow",
    "river",
    "empire",
    "glass",
    "silent",
    "storm",
    "kingdom",
    "last",
    "winter",
    "garden",
    "secret",
    "city",
    "song",
    "fire",
    "house",
    "star",
    "memory",
    "iron",
    "queen",
    "road",
    "ocean",
    "light",
    "wolf",
    "clockwork",
    "library",
    "dragon",
    "summer",
    "broken",
    "crown",
    "island",
];
const FIRST: &[&str] = &[
    "Ursula",
    "Terry",
    "Octavia",
    "Neil",
    "Ann",
    "Kazuo",
    "Toni",
    "Isaac",
    "Mary",
    "Haruki",
    "N.K.",
    "Becky",
    "Chimamanda",
];
const LAST: &[&str] = &[
    "Le Guin",
    "Pratchett",
    "Butler",
    "Gaiman",
    "Leckie",
    "Ishiguro",
    "Morrison",
    "Asimov",
    "Shelley",
    "Murakami",
    "Jemisin",
    "Chambers",
    "Adichie",
];
const PUBLISHERS: &[&str] = &[
    "Tor Books",
    "Penguin Books",
    "Vintage",
    "Orbit",
    "HarperCollins",
    "Farrar, Straus and Giroux",
    "Del Rey",
    "Scribner",
];
const BINDINGS: &[&str] =
    &["Paperback", "Hardcover", "Kindle Edition", "Mass Market Paperback", "ebook", "Audiobook"];
const SHELVES: &[&str] = &[
    "read",
    "read",
    "read",
    "read",
    "read",
    "read",
    "to-read",
    "to-read",
    "currently-reading",
    "dnf",
];
const TAGS: &[&str] = &[
    "favorites",
    "sci-fi",
    "fantasy",
    "book-club",
    "re-reads",
    "non-fiction",
    "classics",
    "owned",
];

/// Writes the ISBN-13 check digit after 12 digits.
fn isbn13(body12: u64) -> String {
    complete_isbn13(&format!("{body12:012}")).expect("12 digits")
}

fn isbn10_of(isbn13: &str) -> String {
    let body = &isbn13[3..12];
    let sum: u32 = body.bytes().zip((2..=10u32).rev()).map(|(b, w)| w * u32::from(b - b'0')).sum();
    let check = (11 - sum % 11) % 11;
    format!("{body}{}", if check == 10 { "X".to_owned() } else { check.to_string() })
}

fn pick<'a>(rng: &mut fastrand::Rng, items: &'a [&'a str]) -> &'a str {
    items[rng.usize(..items.len())]
}

fn title(rng: &mut fastrand::Rng, n: u64) -> String {
    let words = rng.usize(1..6);
    let mut t = String::new();
    for i in 0..words {
        let w = pick(rng, WORDS);
        if i > 0 {
            t.push(' ');
        }
        let mut c = w.chars();
        if let Some(f) = c.next() {
            t.extend(f.to_uppercase());
            t.push_str(c.as_str());
        }
    }
    if rng.u8(..4) == 0 {
        let _ = write!(t, " ({} Saga, #{})", pick(rng, WORDS), n % 7 + 1);
    }
    t
}

fn quote(field: &str) -> String {
    if field.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", field.replace('"', "\"\""))
    } else {
        field.to_owned()
    }
}

fn review(rng: &mut fastrand::Rng) -> String {
    match rng.u8(..10) {
        0..=5 => String::new(),
        6..=8 => format!(
            "A {} book about {}. Loved the \"{}\" part.",
            pick(rng, WORDS),
            pick(rng, WORDS),
            pick(rng, WORDS)
        ),
        // A long, multi-line review with HTML, as Goodreads writes it.
        _ => {
            let mut r = String::new();
            for p in 0..rng.usize(3..12) {
                if p > 0 {
                    r.push_str("<br/><br/>\n");
                }
                for _ in 0..rng.usize(20..80) {
                    r.push_str(pick(rng, WORDS));
                    r.push(' ');
                }
            }
            r
        }
    }
}

/// A book whose identity (title, author, ISBN) an export must carry; the other columns are generated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExportBook {
    /// `Title`.
    pub title: String,
    /// `Author`, as "First Last" (`Author l-f` is derived from it).
    pub author: String,
    /// `ISBN13` (and the matching `ISBN` when it has a 978 prefix); `None` writes empty ISBN cells.
    pub isbn13: Option<String>,
    /// `Book Id`; `None` numbers the rows from 1.
    pub goodreads_id: Option<String>,
}

/// Writes a header and `rows` rows generated from `seed`; book ids start at 1.
pub fn write_export<W: Write>(mut out: W, rows: u64, seed: u64) -> io::Result<()> {
    let mut rng = fastrand::Rng::with_seed(seed);
    writeln!(out, "{HEADER}")?;
    for n in 1..=rows {
        write_row(&mut out, &mut rng, n, None)?;
    }
    Ok(())
}

/// Writes a header and one row per book of `books`, all read (on the `read` shelf, with a
/// date read, so every one is kept and looked up), with the other columns generated from `seed`.
pub fn write_export_of<W: Write>(mut out: W, books: &[ExportBook], seed: u64) -> io::Result<()> {
    let mut rng = fastrand::Rng::with_seed(seed);
    writeln!(out, "{HEADER}")?;
    for (n, book) in (1..).zip(books) {
        write_row(&mut out, &mut rng, n, Some(book))?;
    }
    Ok(())
}

/// The fake catalogue's synthetic books 0..`books`; one in `isbn_less_every` (0: none) has
/// no ISBN, so it is looked up by title and author.
pub fn synthetic_books(books: u64, isbn_less_every: u64) -> Vec<ExportBook> {
    (0..books)
        .map(|n| {
            let fake = bookenrich_fake_catalogue::FakeBook::synthetic(n);
            let keep_isbn = isbn_less_every == 0 || n % isbn_less_every != isbn_less_every - 1;
            ExportBook {
                title: fake.title,
                author: fake.author,
                isbn13: fake.isbn13.filter(|_| keep_isbn),
                // The export's Book Id, which Open Library knows for 9 synthetic books in 10.
                goodreads_id: Some(bookenrich_fake_catalogue::FakeBook::synthetic_goodreads_id(n)),
            }
        })
        .collect()
}

/// `("K. Le Guin", "Ursula")` from `"Ursula K. Le Guin"`: everything after the first
/// name counts as the surname, which is plausible enough for a generated `Author l-f`.
fn split_author(author: &str) -> (&str, &str) {
    match author.trim().split_once(' ') {
        Some((first, last)) => (last.trim(), first),
        None => (author.trim(), ""),
    }
}

/// One data row. A `given` book keeps its identity; every random draw still happens,
/// so `write_export`'s output for a seed never changes.
fn write_row<W: Write>(
    out: &mut W,
    rng: &mut fastrand::Rng,
    n: u64,
    given: Option<&ExportBook>,
) -> io::Result<()> {
    let first = pick(rng, FIRST);
    let last = pick(rng, LAST);
    let drawn_shelf = pick(rng, SHELVES);
    let shelf = if given.is_some() { "read" } else { drawn_shelf };
    let no_isbn = rng.u8(..4) == 0;
    let (isbn, isbn13s) = match given {
        Some(book) => match &book.isbn13 {
            Some(i13) if i13.starts_with("978") && i13.len() == 13 => (isbn10_of(i13), i13.clone()),
            Some(i13) => (String::new(), i13.clone()),
            None => (String::new(), String::new()),
        },
        None if no_isbn => (String::new(), String::new()),
        None => {
            let i13 = isbn13(978_000_000_000 + n * 7 % 1_000_000_000);
            (isbn10_of(&i13), i13)
        }
    };
    let pages = if rng.u8(..20) == 0 { String::new() } else { rng.u32(40..1200).to_string() };
    let year = rng.i32(1850..2026);
    let (date_read, rating, read_count) = if shelf == "read" || shelf == "dnf" {
        let y = rng.i32(2005..2026);
        let date = match rng.u8(..20) {
            // Given books are all looked up, so each has a date read (a read book needs one).
            0 if given.is_none() => String::new(),
            0 => format!("{y}/06/15"),
            1 => format!("{y}"),
            2 => format!("{y}/{:02}", rng.u8(1..13)),
            _ => format!("{y}/{:02}/{:02}", rng.u8(1..13), rng.u8(1..29)),
        };
        (date, rng.u8(0..6), rng.u8(0..4).max(1))
    } else {
        (String::new(), 0, 0)
    };
    let tags: Vec<&str> = (0..rng.usize(0..3)).map(|_| pick(rng, TAGS)).collect();
    let mut positions: Vec<String> =
        tags.iter().map(|t| format!("{t} (#{})", rng.u16(1..400))).collect();
    // Goodreads lists an exclusive shelf other than `read` among the book's shelves too
    // (`to-read, sci-fi`); its position is derived, not drawn, so the draws stay the same.
    let mut shelf_names = tags;
    if shelf != "read" {
        shelf_names.insert(0, shelf);
        positions.insert(0, format!("{shelf} (#{n})"));
    }
    let shelves = shelf_names.join(", ");
    let notes = if rng.u8(..15) == 0 { "Borrowed from the library" } else { "" };
    let drawn_title = title(rng, n);
    let (title, author, author_lf) = match given {
        Some(book) => {
            let (l, f) = split_author(&book.author);
            let lf = if f.is_empty() { l.to_owned() } else { format!("{l}, {f}") };
            (book.title.clone(), book.author.clone(), lf)
        }
        None => (drawn_title, format!("{first} {last}"), format!("{last}, {first}")),
    };
    let id = given.and_then(|b| b.goodreads_id.clone()).unwrap_or_else(|| n.to_string());
    writeln!(
        out,
        "{id},{title},{author},{lf},{add},\"=\"\"{isbn}\"\"\",\"=\"\"{isbn13s}\"\"\",{rating},{avg:.2},{publisher},{binding},{pages},{year},{orig},{date_read},{added_year}/{added_month:02}/{added_day:02},{shelves},{positions},{shelf},{review},{spoiler},{notes},{read_count},{owned}",
        title = quote(&title),
        author = quote(&author),
        lf = quote(&author_lf),
        add = if rng.u8(..6) == 0 { pick(rng, FIRST) } else { "" },
        avg = f64::from(rng.u16(250..480)) / 100.0,
        publisher = quote(pick(rng, PUBLISHERS)),
        binding = pick(rng, BINDINGS),
        orig = year - i32::from(rng.u8(..3)),
        added_year = rng.i32(2005..2026),
        added_month = rng.u8(1..13),
        added_day = rng.u8(1..29),
        shelves = quote(&shelves),
        positions = quote(&positions.join(", ")),
        review = quote(&review(rng)),
        spoiler = if rng.u8(..30) == 0 { "true" } else { "" },
        owned = rng.u8(..2),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn isbns_are_valid() {
        let i = isbn13(978_014_032_872);
        assert_eq!(i, "9780140328721");
        assert_eq!(isbn10_of(&i), "0140328726");
    }

    #[test]
    fn output_is_deterministic() {
        let mut a = Vec::new();
        let mut b = Vec::new();
        write_export(&mut a, 50, 7).unwrap();
        write_export(&mut b, 50, 7).unwrap();
        assert_eq!(a, b);
        assert!(a.starts_with(HEADER.as_bytes()));
    }

    #[test]
    fn given_books_keep_their_identity_and_are_read() {
        let books = [
            ExportBook {
                title: "Quiet, Please: A \"Novel\"".to_owned(),
                author: "Ursula K. Le Guin".to_owned(),
                isbn13: Some("9780140328721".to_owned()),
                goodreads_id: None,
            },
            ExportBook {
                title: "No Isbn".to_owned(),
                author: "Plato".to_owned(),
                isbn13: None,
                goodreads_id: Some("70000001".to_owned()),
            },
            ExportBook {
                title: "Synthetic".to_owned(),
                author: "A B".to_owned(),
                isbn13: Some("9790000000017".to_owned()),
                goodreads_id: None,
            },
        ];
        let mut out = Vec::new();
        write_export_of(&mut out, &books, 3).unwrap();
        let text = String::from_utf8(out).unwrap();
        let rows: Vec<&str> = text.lines().collect();
        assert_eq!(rows.len(), 4, "header and one row per book");
        assert!(rows[1].starts_with(
            "1,\"Quiet, Please: A \"\"Novel\"\"\",Ursula K. Le Guin,\"K. Le Guin, Ursula\",,\"=\"\"0140328726\"\"\",\"=\"\"9780140328721\"\"\","
        ), "{}", rows[1]);
        assert!(
            rows[2].starts_with("70000001,No Isbn,Plato,Plato,"),
            "the given Book Id: {}",
            rows[2]
        );
        assert!(rows[2].contains(",\"=\"\"\"\"\",\"=\"\"\"\"\","), "empty ISBN cells: {}", rows[2]);
        assert!(
            rows[3].contains("\"=\"\"\"\"\",\"=\"\"9790000000017\"\"\""),
            "979 has no ISBN-10: {}",
            rows[3]
        );
        for row in &rows[1..] {
            assert!(row.contains(",read,"), "every given book is read: {row}");
        }
        let many: Vec<ExportBook> = (0..200)
            .map(|n| ExportBook {
                title: format!("Book {n}"),
                author: "A B".to_owned(),
                isbn13: None,
                goodreads_id: None,
            })
            .collect();
        let mut out = Vec::new();
        write_export_of(&mut out, &many, 11).unwrap();
        let export = bookenrich_core::csv::read_export_bytes(
            &out,
            &bookenrich_core::csv::ReadOptions::default(),
        )
        .unwrap();
        assert_eq!(export.books.len(), 200, "the reader keeps every given book");
    }
}
