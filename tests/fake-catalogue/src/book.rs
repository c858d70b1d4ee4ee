//! The per-book spec the fake catalogue renders responses from, and deterministic synthetic books.

use serde::{Deserialize, Serialize};

use crate::isbn;

/// ISBN-13 prefix of synthetic books: `979000` followed by the six-digit book number and a check digit.
pub const SYNTHETIC_ISBN_PREFIX: &str = "979000";
/// Google volume id prefix of synthetic books (`SYNTH` + seven digits = twelve characters, like real ids).
pub(crate) const SYNTHETIC_GOOGLE_PREFIX: &str = "SYNTH";
/// Open Library work/edition numbers of synthetic books start here (`/works/OL9000000nW`).
pub(crate) const SYNTHETIC_OL_BASE: u64 = 90_000_000;
/// Goodreads ids of synthetic books start here (`70000000 + n`).
pub const SYNTHETIC_GOODREADS_BASE: u64 = 70_000_000;
/// Largest synthetic book number (six digits in the ISBN).
pub(crate) const SYNTHETIC_MAX: u64 = 999_999;

/// One book the fake catalogue knows, and how each API describes it.
///
/// A book is in Open Library's ISBN routes when it has an ISBN and `ol_edition_key`, in Open Library
/// search and works when it has `ol_work_key`, and in Google Books when it has `google_id`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FakeBook {
    /// ISBN-13 (digits only).
    #[serde(default)]
    pub isbn13: Option<String>,
    /// ISBN-10 (digits, final `X` allowed).
    #[serde(default)]
    pub isbn10: Option<String>,
    /// Title as the catalogues spell it (no series suffix).
    pub title: String,
    /// Main author as the catalogues spell it.
    pub author: String,
    /// Further authors (Open Library `author_name`, Google `authors`).
    #[serde(default)]
    pub other_authors: Vec<String>,
    /// Publisher name.
    #[serde(default)]
    pub publisher: Option<String>,
    /// Year of this edition.
    #[serde(default)]
    pub publish_year: Option<u32>,
    /// Page count of this edition.
    #[serde(default)]
    pub pages: Option<u32>,
    /// Open Library edition key (`/books/OL…M`); `None` means "not in Open Library's ISBN routes".
    #[serde(default)]
    pub ol_edition_key: Option<String>,
    /// Subjects on the edition (`jscmd=data` `subjects[].name`, `/isbn/` `subjects`).
    #[serde(default)]
    pub ol_subjects: Vec<String>,
    /// Subjects on the work (`/works/…json`, search `subject`).
    #[serde(default)]
    pub ol_work_subjects: Vec<String>,
    /// Open Library cover id (`covers.openlibrary.org/b/id/{id}-M.jpg`).
    #[serde(default)]
    pub ol_cover_id: Option<u64>,
    /// Open Library work key (`/works/OL…W`); `None` means "not in search or works".
    #[serde(default)]
    pub ol_work_key: Option<String>,
    /// Other ISBNs Open Library lists on this book's edition, e.g. the volumes of a box set: a
    /// `search.json?q=isbn:(…)` for one of them also finds this work (one ISBN in two works).
    #[serde(default)]
    pub ol_extra_isbns: Vec<String>,
    /// Goodreads edition ids Open Library indexes for this work (`id_goodreads`); empty when
    /// Open Library does not know the book's Goodreads id.
    #[serde(default)]
    pub goodreads_ids: Vec<String>,
    /// Google Books volume id; `None` means "not in Google Books".
    #[serde(default)]
    pub google_id: Option<String>,
    /// Full hierarchical categories of the volume record ("Fiction / Science Fiction / General").
    #[serde(default)]
    pub google_categories: Vec<String>,
    /// Whether Google has `imageLinks` for this volume.
    #[serde(default = "default_true")]
    pub google_thumbnail: bool,
    /// Whether a Google ISBN search returns a volume with a different ISBN before this one.
    #[serde(default)]
    pub google_decoy_first: bool,
    /// Whether title searches also return look-alike decoys (a companion by the same author, a study guide by another).
    #[serde(default = "default_true")]
    pub decoys: bool,
    /// Recorded real responses served verbatim instead of rendered ones.
    #[serde(default)]
    pub recorded: Recorded,
}

/// Recorded response files (names relative to the catalogue file's directory, or the embedded fixtures).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Recorded {
    /// A `jscmd=data` response and the bibkey of this book's entry in it: `"file.json#ISBN:0439064872"`.
    #[serde(default)]
    pub ol_data: Option<String>,
    /// An `/isbn/{isbn}.json` (edition) response.
    #[serde(default)]
    pub ol_edition: Option<String>,
    /// A `/works/{id}.json` response.
    #[serde(default)]
    pub ol_work: Option<String>,
    /// A `/search.json` response served for title searches matching this book.
    #[serde(default)]
    pub ol_search: Option<String>,
    /// A Google `volumes?q=…` response served for searches matching this book.
    #[serde(default)]
    pub google_search: Option<String>,
    /// A Google `volumes/{id}` response.
    #[serde(default)]
    pub google_volume: Option<String>,
}

fn default_true() -> bool {
    true
}

impl FakeBook {
    /// A minimal book known to both catalogues, with ids derived from the ISBN; fill in subjects/categories.
    pub fn new(isbn13: &str, title: &str, author: &str) -> FakeBook {
        let n = stable_hash(isbn13) % 10_000_000;
        FakeBook {
            isbn13: Some(isbn13.to_owned()),
            isbn10: isbn::to_isbn10(isbn13),
            title: title.to_owned(),
            author: author.to_owned(),
            other_authors: Vec::new(),
            publisher: None,
            publish_year: None,
            pages: None,
            ol_edition_key: Some(format!("/books/OL{}M", 30_000_000 + n)),
            ol_subjects: Vec::new(),
            ol_work_subjects: Vec::new(),
            ol_cover_id: Some(10_000_000 + n),
            ol_work_key: Some(format!("/works/OL{}W", 30_000_000 + n)),
            ol_extra_isbns: Vec::new(),
            goodreads_ids: Vec::new(),
            google_id: Some(google_id_from(isbn13)),
            google_categories: Vec::new(),
            google_thumbnail: true,
            google_decoy_first: false,
            decoys: true,
            recorded: Recorded::default(),
        }
    }

    /// Deterministic synthetic book `n` (0..=999 999): valid `979000…` ISBN-13, realistic subjects and categories.
    ///
    /// Its title ends in `No. {n}` so a title search can find it again.
    pub fn synthetic(n: u64) -> FakeBook {
        let n = n.min(SYNTHETIC_MAX);
        let body = format!("{SYNTHETIC_ISBN_PREFIX}{n:06}");
        let check = isbn::isbn13_check_digit(&body).unwrap_or('0');
        let profile = &PROFILES[usize::try_from(n % PROFILES.len() as u64).unwrap_or(0)];
        let pick = |list: &[&str], salt: u64| {
            let i = usize::try_from(stable_hash(&format!("{n}/{salt}")) % list.len() as u64)
                .unwrap_or(0);
            list[i].to_owned()
        };
        let title = format!(
            "{} {} No. {n}",
            pick(profile.title_words.0, 1),
            pick(profile.title_words.1, 2)
        );
        let author = format!("{} {}", pick(FIRST_NAMES, 3), pick(LAST_NAMES, 4));
        let mut ol_subjects: Vec<String> =
            profile.ol_subjects.iter().map(|s| (*s).to_owned()).collect();
        // Real subject lists carry noise; give some books the common kinds.
        if n % 3 == 0 {
            ol_subjects.push("Large type books".to_owned());
        }
        if n % 5 == 0 {
            ol_subjects.push(format!(
                "nyt:hardcover-fiction=20{:02}-0{}-1{}",
                10 + n % 15,
                1 + n % 9,
                n % 10
            ));
        }
        if n % 7 == 0 {
            ol_subjects.push(format!("Reading Level-Grade {}", 6 + n % 7));
        }
        let ol_work_subjects = profile.work_subjects.iter().map(|s| (*s).to_owned()).collect();
        FakeBook {
            isbn13: Some(format!("{body}{check}")),
            isbn10: None,
            title,
            author,
            other_authors: Vec::new(),
            publisher: Some(pick(PUBLISHERS, 5)),
            publish_year: Some(1950 + u32::try_from(n % 75).unwrap_or(0)),
            pages: Some(120 + u32::try_from(n % 600).unwrap_or(0)),
            ol_edition_key: Some(format!("/books/OL{}M", SYNTHETIC_OL_BASE + n)),
            ol_subjects,
            ol_work_subjects,
            ol_cover_id: (n % 11 != 0).then_some(20_000_000 + n),
            ol_work_key: Some(format!("/works/OL{}W", SYNTHETIC_OL_BASE + n)),
            ol_extra_isbns: Vec::new(),
            goodreads_ids: if FakeBook::synthetic_goodreads_known(n) {
                vec![FakeBook::synthetic_goodreads_id(n)]
            } else {
                Vec::new()
            },
            google_id: Some(format!("{SYNTHETIC_GOOGLE_PREFIX}{n:07}")),
            google_categories: profile.google_categories.iter().map(|s| (*s).to_owned()).collect(),
            google_thumbnail: n % 13 != 0,
            google_decoy_first: false,
            decoys: false,
            recorded: Recorded::default(),
        }
    }

    /// The Goodreads id an export gives synthetic book `n` (`SYNTHETIC_GOODREADS_BASE + n`).
    pub fn synthetic_goodreads_id(n: u64) -> String {
        (SYNTHETIC_GOODREADS_BASE + n.min(SYNTHETIC_MAX)).to_string()
    }

    /// Whether Open Library indexes synthetic book `n`'s Goodreads id: 9 books in 10. The
    /// real coverage is unknown ("many works"); this models a partial one.
    pub fn synthetic_goodreads_known(n: u64) -> bool {
        n % 10 != 9
    }

    /// The synthetic book number of a Goodreads id in the synthetic range (known or not).
    pub fn synthetic_number_of_goodreads_id(id: &str) -> Option<u64> {
        let n = id.parse::<u64>().ok()?.checked_sub(SYNTHETIC_GOODREADS_BASE)?;
        (n <= SYNTHETIC_MAX).then_some(n)
    }

    /// The synthetic book number of an ISBN-13 in the synthetic range.
    pub fn synthetic_number_of_isbn(isbn13: &str) -> Option<u64> {
        let digits = isbn13.strip_prefix(SYNTHETIC_ISBN_PREFIX)?.get(..6)?;
        let n: u64 = digits.parse().ok()?;
        (FakeBook::synthetic(n).isbn13.as_deref() == Some(isbn13)).then_some(n)
    }

    /// All authors, main author first.
    pub fn authors(&self) -> Vec<String> {
        std::iter::once(self.author.clone()).chain(self.other_authors.iter().cloned()).collect()
    }

    /// The Open Library work id without its `/works/` prefix (`OL45804W`).
    pub fn work_id(&self) -> Option<&str> {
        self.ol_work_key.as_deref().map(|k| k.trim_start_matches("/works/"))
    }

    /// The edition id without its `/books/` prefix (`OL7353617M`).
    pub fn edition_id(&self) -> Option<&str> {
        self.ol_edition_key.as_deref().map(|k| k.trim_start_matches("/books/"))
    }

    /// Whether `isbn` (10 or 13 digits) identifies this book.
    pub fn has_isbn(&self, isbn: &str) -> bool {
        self.isbn13.as_deref() == Some(isbn) || self.isbn10.as_deref() == Some(isbn)
    }

    /// Every ISBN Open Library's search index lists for this book's edition: both forms of its own
    /// (the index adds the other form) and the extra ones of a box set.
    pub fn listed_isbns(&self) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        let own = [self.isbn13.clone(), self.isbn10.clone()];
        let derived = [
            self.isbn13.as_deref().and_then(isbn::to_isbn10),
            self.isbn10.as_deref().and_then(isbn::to_isbn13),
        ];
        for i in own.into_iter().chain(derived).flatten().chain(self.ol_extra_isbns.iter().cloned())
        {
            if !out.contains(&i) {
                out.push(i);
            }
        }
        out
    }

    /// The look-alike books returned next to this one by title searches (empty unless `decoys`).
    pub fn decoy_books(&self) -> Vec<FakeBook> {
        if !self.decoys {
            return Vec::new();
        }
        let seed = stable_hash(&self.title);
        let companion_isbn = decoy_isbn(seed);
        let guide_isbn = decoy_isbn(seed ^ 0x5eed);
        let mut companion =
            FakeBook::new(&companion_isbn, &format!("{} Companion", self.title), &self.author);
        companion.ol_edition_key = None;
        companion.publisher.clone_from(&self.publisher);
        companion.ol_work_subjects =
            vec!["Companion works".into(), "Criticism and interpretation".into()];
        companion.google_categories = vec!["Literary Criticism / General".into()];
        companion.google_thumbnail = false;
        companion.decoys = false;
        let mut guide =
            FakeBook::new(&guide_isbn, &format!("Study Guide: {}", self.title), "SuperSummary");
        guide.ol_edition_key = None;
        guide.publisher = Some("SuperSummary".into());
        guide.ol_work_subjects = vec!["Study guides".into(), "Examinations".into()];
        guide.google_categories = vec!["Study Aids / Study Guides".into()];
        guide.decoys = false;
        vec![companion, guide]
    }

    /// The book a Google ISBN search shows before this one when `google_decoy_first` is set.
    #[must_use]
    pub fn google_isbn_decoy(&self) -> FakeBook {
        let mut decoy = FakeBook::new(
            &decoy_isbn(stable_hash(&self.title) ^ 0xdec0),
            &format!("Summary of {}", self.title),
            "QuickRead Summaries",
        );
        decoy.ol_edition_key = None;
        decoy.ol_work_key = None;
        decoy.google_categories = vec!["Study Aids / Book Notes".into()];
        decoy.decoys = false;
        decoy
    }
}

/// A deterministic Google-style twelve-character volume id for an ISBN.
fn google_id_from(isbn13: &str) -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-";
    let mut h = stable_hash(isbn13);
    let mut id = String::with_capacity(12);
    for _ in 0..8 {
        id.push(char::from(ALPHABET[(h % 64) as usize]));
        h /= 64;
    }
    id.push_str("AAAJ");
    id
}

/// A valid `97919…` ISBN-13 derived from a seed (outside the catalogue's and the synthetic ranges).
fn decoy_isbn(seed: u64) -> String {
    let body = format!("97919{:07}", seed % 10_000_000);
    let check = isbn::isbn13_check_digit(&body).unwrap_or('0');
    format!("{body}{check}")
}

/// FNV-1a: stable across runs and platforms, unlike `DefaultHasher`.
pub(crate) fn stable_hash(s: &str) -> u64 {
    s.bytes()
        .fold(0xcbf2_9ce4_8422_2325_u64, |h, b| (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3))
}

struct Profile {
    title_words: (&'static [&'static str], &'static [&'static str]),
    ol_subjects: &'static [&'static str],
    work_subjects: &'static [&'static str],
    google_categories: &'static [&'static str],
}

const PROFILES: &[Profile] = &[
    Profile {
        title_words: (
            &["The Ember", "The Last", "The Hollow", "The Silver"],
            &["Crown", "Throne", "Dragon", "Kingdom"],
        ),
        ol_subjects: &["Fantasy fiction", "Fiction", "Magic", "Dragons", "Fiction, fantasy, epic"],
        work_subjects: &["Fantasy", "Fantasy fiction", "Fiction", "Magic"],
        google_categories: &["Fiction / Fantasy / Epic", "Fiction / Fantasy / General"],
    },
    Profile {
        title_words: (
            &["The Orbital", "The Quantum", "The Far", "The Dark"],
            &["Signal", "Station", "Horizon", "Colony"],
        ),
        ol_subjects: &[
            "Science fiction",
            "Fiction",
            "Space colonies",
            "Fiction, science fiction, general",
        ],
        work_subjects: &["Science fiction", "Fiction", "Interplanetary voyages"],
        google_categories: &[
            "Fiction / Science Fiction / Space Opera",
            "Fiction / Science Fiction / General",
        ],
    },
    Profile {
        title_words: (
            &["The Quiet", "The Locked", "The Missing", "The Cold"],
            &["Witness", "Room", "Hour", "Case"],
        ),
        ol_subjects: &[
            "Detective and mystery stories",
            "Fiction",
            "Murder",
            "Fiction, mystery & detective, general",
        ],
        work_subjects: &["Mystery", "Fiction", "Murder -- Investigation"],
        google_categories: &[
            "Fiction / Mystery & Detective / General",
            "Fiction / Thrillers / Suspense",
        ],
    },
    Profile {
        title_words: (
            &["A Summer", "The Lakeside", "A Winter", "The Second"],
            &["Promise", "Letter", "Wedding", "Garden"],
        ),
        ol_subjects: &[
            "Love stories",
            "Fiction",
            "Man-woman relationships",
            "Fiction, romance, contemporary",
        ],
        work_subjects: &["Romance", "Fiction", "Love stories"],
        google_categories: &["Fiction / Romance / Contemporary", "Fiction / Women"],
    },
    Profile {
        title_words: (
            &["The Long", "The Great", "An Empire", "The Forgotten"],
            &["Century", "War", "Republic", "Voyage"],
        ),
        ol_subjects: &[
            "History",
            "Europe -- History",
            "World War, 1939-1945",
            "History, modern, general",
        ],
        work_subjects: &["History", "Modern History"],
        google_categories: &["History / Europe / General", "History / Military / World War II"],
    },
    Profile {
        title_words: (
            &["Deep", "Better", "Tiny", "Radical"],
            &["Focus", "Habits", "Minds", "Change"],
        ),
        ol_subjects: &[
            "Self-actualization (Psychology)",
            "Habit",
            "Success",
            "nyt:advice-how-to-and-miscellaneous=2019-01-06",
        ],
        work_subjects: &["Self-help", "Psychology", "Success"],
        google_categories: &[
            "Self-Help / Personal Growth / Success",
            "Business & Economics / Personal Success",
        ],
    },
    Profile {
        title_words: (
            &["A Life", "My Years", "The Making", "Becoming"],
            &["in Music", "at Sea", "of a Scientist", "Elsewhere"],
        ),
        ol_subjects: &["Biography", "Autobiography", "Biography & Autobiography"],
        work_subjects: &["Biography", "Autobiography"],
        google_categories: &[
            "Biography & Autobiography / Personal Memoirs",
            "Biography & Autobiography / General",
        ],
    },
    Profile {
        title_words: (
            &["The Brave", "The Little", "The Curious", "The Sleepy"],
            &["Badger", "Owl", "Rabbit", "Otter"],
        ),
        ol_subjects: &[
            "Juvenile fiction",
            "Animals",
            "Children's stories",
            "Reading Level-Grade 3",
        ],
        work_subjects: &["Juvenile fiction", "Animals -- Juvenile fiction", "Children's fiction"],
        google_categories: &[
            "Juvenile Fiction / Animals / General",
            "Juvenile Fiction / Action & Adventure / General",
        ],
    },
    Profile {
        title_words: (
            &["The Drowned", "The Hungry", "The Pale", "The Whispering"],
            &["House", "Woods", "Children", "Dark"],
        ),
        ol_subjects: &["Horror fiction", "Fiction", "Haunted houses", "Fiction, horror"],
        work_subjects: &["Horror", "Horror tales", "Fiction"],
        google_categories: &["Fiction / Horror", "Fiction / Ghost"],
    },
    Profile {
        title_words: (
            &["The Remains", "All the", "The Weight", "A Fine"],
            &["of Light", "of Water", "Small Things", "Balance"],
        ),
        ol_subjects: &["Fiction", "Families -- Fiction", "Domestic fiction", "Fiction, literary"],
        work_subjects: &["Literary fiction", "Fiction", "Families"],
        google_categories: &["Fiction / Literary", "Fiction / Family Life / General"],
    },
];

const FIRST_NAMES: &[&str] = &[
    "Amara", "Jonas", "Priya", "Mateo", "Ingrid", "Kwame", "Yuki", "Elena", "Tomasz", "Noor",
    "Liam", "Chiara",
];
const LAST_NAMES: &[&str] = &[
    "Okafor",
    "Lindqvist",
    "Raman",
    "Castillo",
    "Haugen",
    "Mensah",
    "Tanaka",
    "Petrova",
    "Kowalski",
    "Haddad",
    "Byrne",
    "Moretti",
];
const PUBLISHERS: &[&str] = &[
    "Tor Books",
    "Penguin Books",
    "Vintage",
    "HarperCollins",
    "Orbit",
    "Picador",
    "Scholastic",
    "Del Rey",
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn synthetic_books_are_deterministic_and_valid() {
        let a = FakeBook::synthetic(42);
        assert_eq!(a, FakeBook::synthetic(42));
        let isbn = a.isbn13.clone().unwrap_or_default();
        assert!(isbn.starts_with("979000000042"));
        assert_eq!(isbn::to_isbn13(&isbn).as_deref(), Some(isbn.as_str()));
        assert_eq!(FakeBook::synthetic_number_of_isbn(&isbn), Some(42));
        assert!(a.title.ends_with("No. 42"));
        assert!(!a.ol_subjects.is_empty() && !a.google_categories.is_empty());
        assert_ne!(FakeBook::synthetic(43).title, a.title);
        assert_eq!(FakeBook::synthetic_number_of_isbn("9790000000420"), None);
        let last = FakeBook::synthetic(SYNTHETIC_MAX);
        assert_eq!(last.google_id.as_deref(), Some("SYNTH0999999"));
    }

    #[test]
    fn decoys_match_the_title_but_differ() {
        let book = FakeBook::new("9780765326355", "The Way of Kings", "Brandon Sanderson");
        let decoys = book.decoy_books();
        assert_eq!(decoys.len(), 2);
        for d in &decoys {
            assert!(d.title.contains("The Way of Kings"));
            assert_ne!(d.isbn13, book.isbn13);
            assert_ne!(d.ol_work_key, book.ol_work_key);
        }
        assert_eq!(book.google_isbn_decoy().title, "Summary of The Way of Kings");
    }
}
