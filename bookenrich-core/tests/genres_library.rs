//! A 60-book library whose catalogue subjects are noisy in every way real ones are,
//! enriched through the engine from the fake catalogue server: the genres that come out
//! must be clean, kept, few, and the same on every run (issue 4).
#![cfg(feature = "http")] // Enriches through the reqwest transport.
#![expect(clippy::unwrap_used, reason = "Test helpers: a panic is a failure with its message")]

use std::collections::{BTreeMap, BTreeSet};

use bookenrich_core::config::{CacheSetting, EnricherOptions};
use bookenrich_core::genres::GenreNormalizer;
use bookenrich_core::{BookInfo, EnrichedBook};
use bookenrich_fake_catalogue::{FakeBook, FakeCatalogue, FakeCatalogueHandle, complete_isbn13};

/// Each archetype: the real genre written in the styles catalogues use.
const ARCHETYPES: &[(&str, &[&str], &[&str])] = &[
    (
        "Fantasy",
        &[
            "Fantasy",
            "Fantasy fiction",
            "Fiction, fantasy, general",
            "Fantasy.",
            "FICTION / Fantasy / Epic",
        ],
        &["Fiction / Fantasy / Epic", "Fiction / Fantasy / General"],
    ),
    (
        "Science Fiction",
        &[
            "Science fiction",
            "Sci-fi",
            "SF",
            "Fiction, science fiction, space opera",
            "Science Fiction.",
        ],
        &["Fiction / Science Fiction / Space Opera", "Fiction / Science Fiction / General"],
    ),
    (
        "Mystery",
        &[
            "Detective and mystery stories",
            "Mystery fiction",
            "Fiction, mystery & detective, general",
        ],
        &["Fiction / Mystery & Detective / General"],
    ),
    ("Horror", &["Horror tales", "Horror fiction", "Fiction, horror"], &["Fiction / Horror"]),
    (
        "Romance",
        &["Romance fiction", "Love stories", "Fiction, romance, contemporary"],
        &["Fiction / Romance / Contemporary"],
    ),
    (
        "Historical Fiction",
        &["Historical fiction", "Fiction, historical, general"],
        &["Fiction / Historical / General"],
    ),
    (
        "Biography",
        &["Biography", "Biographies", "Autobiography"],
        &["Biography & Autobiography / General"],
    ),
    (
        "History",
        &["History", "World history", "History, modern"],
        &["History / General", "History / Europe / General"],
    ),
    (
        "Young Adult",
        &["Young adult fiction", "Juvenile fiction", "Fiction, young adult"],
        &["Young Adult Fiction / General"],
    ),
    (
        "Thriller",
        &["Thrillers", "Suspense fiction", "Fiction, thrillers, general"],
        &["Fiction / Thrillers / Suspense"],
    ),
];

/// Noise, by class: none of it may survive.
const NOISE: &[&str] = &[
    // Reading levels and ages.
    "Reading Level-Grade 7",
    "Reading Level-Grade 12",
    "Ages 9-12",
    "Interest age: from c 8 years",
    // Formats and editions.
    "Large type books",
    "Audiobooks",
    "eBook",
    "Braille books",
    "Protected DAISY",
    "Accessible book",
    // Library and catalogue housekeeping.
    "In library",
    "Lending library",
    "Open Library Staff Picks",
    "reviewed",
    "bestseller",
    "New York Times bestseller",
    "nyt:hardcover-fiction=2019-05-12",
    "award:hugo_award=1966",
    "Wishlist",
    "Long Now Manual for Civilization",
    // Dates and centuries as stand-alone subjects.
    "20th century",
    "1990s",
    "1960-",
    // Places, people and times that are not genres.
    "England",
    "London (England)",
    "Paul Atreides (Fictitious character)",
    "Nineteenth century",
    // Non-English headings that are not genres.
    "Amerikanisches Englisch",
    "Literatura inglesa",
];

/// Subjects in other languages that do name a genre, mixed into some books.
const FOREIGN: &[&str] = &["Ficción", "Novela", "Romans, nouvelles", "Roman", "Fantasía"];

fn isbn13(n: u64) -> String {
    complete_isbn13(&format!("978100{n:06}")).unwrap()
}

/// Book `n`: an archetype in several styles, plus noise of every class; the last five
/// books have noise only (they have no genre to keep).
fn library() -> (Vec<FakeBook>, BTreeSet<String>) {
    let mut books = Vec::new();
    let mut with_real_genre = BTreeSet::new();
    for n in 0..60u64 {
        let isbn = isbn13(n);
        let mut book =
            FakeBook::new(&isbn, &format!("Noisy Book {n}"), &format!("Author {}", n % 17));
        let idx = usize::try_from(n).unwrap();
        let noise: Vec<String> =
            (0..8).map(|j| NOISE[(idx * 5 + j * 7) % NOISE.len()].to_owned()).collect();
        book.ol_subjects.clone_from(&noise);
        book.ol_cover_id = Some(1_000 + n);
        book.ol_work_key = Some(format!("/works/OL{}W", 900_000 + n));
        book.google_id = Some(format!("noisy{n:04}"));
        if n < 55 {
            with_real_genre.insert(isbn.clone());
            let (_, subjects, categories) = ARCHETYPES[idx % ARCHETYPES.len()];
            // A different subset of the styles for each book, so merging is exercised.
            book.ol_subjects.extend(subjects.iter().skip(idx % 2).map(|s| (*s).to_owned()));
            book.google_categories.extend(categories.iter().map(|s| (*s).to_owned()));
            if n % 4 == 0 {
                book.ol_subjects.push(FOREIGN[idx % FOREIGN.len()].to_owned());
            }
        } else {
            book.google_categories = vec!["General".to_owned()];
        }
        book.ol_work_subjects = noise;
        books.push(book);
    }
    (books, with_real_genre)
}

async fn enrich(server: &FakeCatalogueHandle, books: &[BookInfo]) -> Vec<EnrichedBook> {
    let enricher = EnricherOptions {
        open_library_url: Some(server.base_url()),
        google_books_url: Some(server.base_url()),
        contact: Some("tests@bookenrich.invalid".into()),
        rate_limits: Some(BTreeMap::from([
            ("openlibrary".into(), 500.0),
            ("google".into(), 500.0),
        ])),
        cache: Some(CacheSetting::Off),
        ..EnricherOptions::default()
    }
    .build()
    .unwrap();
    enricher.enrich(books).await
}

#[tokio::test(flavor = "multi_thread")]
async fn a_noisy_library_comes_out_clean_kept_small_and_deterministic() {
    let (fake_books, with_real_genre) = library();
    let infos: Vec<BookInfo> = fake_books
        .iter()
        .map(|b| BookInfo {
            isbn13: b.isbn13.clone(),
            goodreads_id: b.isbn13.clone(),
            ..BookInfo::new(b.title.clone(), b.author.clone())
        })
        .collect();
    let server = FakeCatalogue::builder().books(fake_books).start().await.unwrap();

    let first = enrich(&server, &infos).await;
    let second = enrich(&server, &infos).await;

    assert_eq!(first.len(), infos.len(), "every book is in the output");
    let normalizer = GenreNormalizer::new();
    let vocabulary: BTreeSet<&str> =
        normalizer.vocabulary().map(bookenrich_core::genres::Genre::as_str).collect();
    let noise: BTreeSet<String> = NOISE.iter().map(|s| s.to_lowercase()).collect();
    let mut distinct = BTreeSet::new();
    for book in &first {
        assert!(book.error.is_none(), "{}: {:?}", book.title, book.error);
        assert!(!book.genres_by_source.is_empty(), "{}: the sources answered", book.title);
        for genre in &book.final_genres {
            assert!(
                vocabulary.contains(genre.as_str()),
                "{}: {genre:?} is not in the vocabulary",
                book.title
            );
            assert!(
                !noise.contains(&genre.to_lowercase()),
                "{}: noise {genre:?} survived",
                book.title
            );
            assert!(!genre.chars().any(|c| c.is_ascii_digit()), "{}: {genre:?}", book.title);
            distinct.insert(genre.clone());
        }
        let real: Vec<&String> =
            book.final_genres.iter().filter(|g| *g != "Fiction" && *g != "Nonfiction").collect();
        let id = book.goodreads_id.as_deref().unwrap();
        if with_real_genre.contains(id) {
            assert!(
                !real.is_empty(),
                "{}: lost its genres: {:?}",
                book.title,
                book.genres_by_source
            );
        } else {
            assert!(real.is_empty(), "{}: noise became {:?}", book.title, book.final_genres);
        }
    }
    let archetypes: BTreeSet<&str> = ARCHETYPES.iter().map(|(g, _, _)| *g).collect();
    println!(
        "{} books, {} distinct raw strings → {} distinct genres: {distinct:?}",
        first.len(),
        first
            .iter()
            .flat_map(|b| b.genres_by_source.values().flatten())
            .collect::<BTreeSet<_>>()
            .len(),
        distinct.len()
    );
    assert!(
        distinct.len() <= archetypes.len() + 8,
        "{} distinct genres for {} archetypes: {distinct:?}",
        distinct.len(),
        archetypes.len()
    );
    for archetype in &archetypes {
        assert!(distinct.contains(*archetype), "{archetype} was lost: {distinct:?}");
    }
    let genres = |r: &[EnrichedBook]| r.iter().map(|b| b.final_genres.clone()).collect::<Vec<_>>();
    assert_eq!(genres(&first), genres(&second), "two runs give identical output");
    assert_eq!(first, second);
}
