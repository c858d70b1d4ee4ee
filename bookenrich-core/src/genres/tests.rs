//! Tests of the genre normaliser: real fixture subject lists, generated tables
//! of noise and hierarchy shapes, and the invariants (idempotence, determinism, cap).

use std::collections::{BTreeSet, HashSet};

use proptest::prelude::*;

use super::Rule;
use super::rules::Kind;
use super::*;
use crate::error::Error;

fn fixture(name: &str) -> serde_json::Value {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data").join(name);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// Strings of a JSON array of strings or of `{name, url}` objects.
fn strings(v: &serde_json::Value) -> Vec<String> {
    let Some(items) = v.as_array() else {
        return Vec::new();
    };
    items
        .iter()
        .filter_map(|s| s.as_str().or_else(|| s.get("name").and_then(|n| n.as_str())))
        .map(str::to_owned)
        .collect()
}

fn names(g: &[Genre]) -> Vec<&str> {
    g.iter().map(Genre::as_str).collect()
}

/// The real subject lists of the recorded fixtures, by a short name.
fn fixture_lists() -> Vec<(&'static str, Vec<String>)> {
    let books = fixture("openlibrary_api_books_jscmd_data_3_bibkeys.json");
    let time_war = fixture("openlibrary_search_json_time_war.json");
    vec![
        ("harry potter (OL jscmd=data)", strings(&books["ISBN:0439064872"]["subjects"])),
        ("zen speaks (OL jscmd=data)", strings(&books["LCCN:93005405"]["subjects"])),
        ("atomic habits (OL jscmd=data)", strings(&books["OLID:OL32336498M"]["subjects"])),
        (
            "mr fox (OL work)",
            strings(&fixture("openlibrary_works_OL45804W_fantastic_mr_fox.json")["subjects"]),
        ),
        (
            "sabriel (OL work)",
            strings(&fixture("openlibrary_works_OL15832982W_sabriel.json")["subjects"]),
        ),
        (
            "sabriel (OL edition)",
            strings(
                &fixture("openlibrary_books_edition_sabriel_subject_trailing_period.json")["subjects"],
            ),
        ),
        ("time war (OL search doc 0)", strings(&time_war["docs"][0]["subject"])),
        ("time war (OL search doc 1)", strings(&time_war["docs"][1]["subject"])),
        (
            "annihilation (Google volume)",
            strings(
                &fixture("google_volume_2cl7AgAAQBAJ_annihilation.json")["volumeInfo"]["categories"],
            ),
        ),
        (
            "annihilation (Google search)",
            strings(
                &fixture("google_volumes_isbn_9780374104092_annihilation.json")["items"][0]["volumeInfo"]
                    ["categories"],
            ),
        ),
        (
            "children of time (Google volume)",
            strings(
                &fixture("google_volume_49T5twEACAAJ_children_of_time.json")["volumeInfo"]["categories"],
            ),
        ),
    ]
}

// ------------------------------------------------------------------ real fixtures

#[test]
fn fixture_lists_have_the_recorded_sizes() {
    let lists = fixture_lists();
    let len = |name: &str| lists.iter().find(|(n, _)| *n == name).map(|(_, l)| l.len());
    assert_eq!(len("harry potter (OL jscmd=data)"), Some(94));
    assert_eq!(len("mr fox (OL work)"), Some(31));
    assert_eq!(len("sabriel (OL work)"), Some(7));
    assert_eq!(len("sabriel (OL edition)"), Some(1));
    assert_eq!(len("time war (OL search doc 0)"), Some(4));
    assert_eq!(len("annihilation (Google volume)"), Some(8));
    assert_eq!(len("children of time (Google volume)"), Some(5));
}

#[test]
fn real_fixture_subjects_normalise_to_the_expected_genres() {
    let expected: &[(&str, &[&str])] = &[
        // Its "Jugendbuch" and "Young adult fiction" say young adult: the juvenile headings
        // count for that audience, not for Children's. Its many magic topics (Wizards, Magia,
        // Magie, Witches …) make Fantasy the strongest, and Adventure too small a share.
        ("harry potter (OL jscmd=data)", &["Fantasy", "Young Adult", "Fiction"]),
        ("zen speaks (OL jscmd=data)", &["Humor", "Religion", "Nonfiction"]),
        ("atomic habits (OL jscmd=data)", &["Self Help", "Psychology", "Nonfiction"]),
        // "Plays" and "Children's plays" come from stage adaptations pooled into the work.
        // Its animal topics (Foxes, Badgers, Rats, Zorros, Renards …) outweigh one "Fantasy fiction".
        ("mr fox (OL work)", &["Children's", "Animals", "Fiction"]),
        // One pooled "Juvenile fiction" heading (twice, in two cases) is no evidence of a
        // children's book (Sabriel is young adult).
        ("sabriel (OL work)", &["Fantasy", "Speculative Fiction", "Fiction"]),
        ("sabriel (OL edition)", &["Fantasy", "Fiction"]),
        ("time war (OL search doc 0)", &["Science Fiction", "Time Travel", "LGBT", "Fiction"]),
        ("time war (OL search doc 1)", &[]),
        (
            "annihilation (Google volume)",
            &[
                "Science Fiction",
                "Fantasy",
                "Horror",
                "Literary Fiction",
                "Adventure",
                "Thriller",
                "Dystopia",
                "Fiction",
            ],
        ),
        ("annihilation (Google search)", &["Fiction"]),
        ("children of time (Google volume)", &["Science Fiction", "Space Opera", "Fiction"]),
    ];
    let n = GenreNormalizer::new();
    let lists = fixture_lists();
    assert_eq!(lists.len(), expected.len());
    for ((name, raw), (exp_name, exp)) in lists.iter().zip(expected) {
        assert_eq!(name, exp_name);
        // Work records and search docs pool every edition's subjects; the rest describe one edition.
        let level = if name.contains("work") || name.contains("search doc") {
            Level::Work
        } else {
            Level::Edition
        };
        let got = n.normalize_evidence(&[SourceStrings { strings: raw, level }]);
        assert_eq!(names(&got), *exp, "{name}");
    }
}

#[test]
fn harry_potter_subjects_one_by_one() {
    // What each kind of real subject becomes; the rest of the 94 are topics, places or people.
    let n = GenreNormalizer::new();
    let cases: &[(&str, &[&str])] = &[
        ("Fantasy fiction", &["Fiction", "Fantasy"]),
        ("Juvenile fiction", &["Fiction", "Children's"]),
        ("Ficción juvenil", &["Fiction", "Children's"]),
        ("Novela fantástica", &["Fiction", "Fantasy"]),
        ("Wizards -- Juvenile fiction", &["Fantasy", "Fiction", "Children's"]),
        ("Potter, harry (fictitious character), fiction", &["Fiction"]),
        (
            "Hogwarts School of Witchcraft and Wizardry (Imaginary place) -- Juvenile fiction",
            &["Fiction", "Children's"],
        ),
        ("Fiction, fantasy, general", &["Fiction", "Fantasy"]),
        ("Romans, nouvelles, etc. pour la jeunesse", &["Children's", "Fiction"]),
        ("Romans, nouvelles", &["Fiction"]),
        ("Adventure and adventurers, fiction", &["Adventure", "Fiction"]),
        ("Fantasy & Magic", &["Fantasy"]),
        ("Action & Adventure", &["Adventure"]),
        ("Jugendbuch", &["Young Adult"]),
        ("Chinese fiction", &["Fiction"]),
        ("Nestlé Smarties Book Prize winner", &[]),
        ("Reading Level-Grade 11", &[]),
        ("Large type books", &[]),
        ("Spanish language materials", &[]),
        ("Translations from English", &[]),
        ("Harry Potter (Fictitious character)", &[]),
        ("Potter, Harry (Personnage fictif)", &[]),
        ("Engels", &[]),
        ("Deutschland", &[]),
        ("Magia", &["Fantasy"]),
        ("Dobby (Fictitious character)", &[]),
    ];
    for (raw, exp) in cases {
        assert_eq!(names(&n.explain(raw).genres), *exp, "{raw:?}");
    }
}

#[test]
fn explain_says_why_each_part_was_dropped() {
    let n = GenreNormalizer::new();
    let reason =
        |raw: &str| n.explain(raw).dropped.into_iter().map(|d| d.reason).collect::<Vec<_>>();
    assert_eq!(reason("Reading Level-Grade 11"), [DropReason::Noise("reading_level".into())]);
    assert_eq!(reason("Large type books"), [DropReason::Noise("format".into())]);
    assert_eq!(reason("nyt:business-books=2020-07-12"), [DropReason::Noise("housekeeping".into())]);
    assert_eq!(reason("Open Library Staff Picks"), [DropReason::Noise("housekeeping".into())]);
    assert_eq!(reason("Nestlé Smarties Book Prize winner"), [DropReason::Noise("award".into())]);
    assert_eq!(reason("1939-1945"), [DropReason::Noise("date".into())]);
    assert_eq!(reason("Harry Potter (Fictitious character)"), [DropReason::Noise("entity".into())]);
    assert_eq!(reason("Tunnels"), [DropReason::Unknown]);
    assert_eq!(reason("Psychology -- Fiction"), [DropReason::TopicOfFiction]);
    let e = n.explain("Fiction / Science Fiction / General");
    assert_eq!(names(&e.genres), ["Fiction", "Science Fiction"]);
    assert_eq!(
        e.dropped,
        [Dropped { text: "general".into(), reason: DropReason::Noise("generic".into()) }]
    );
}

// ------------------------------------------------------------------ generated tables

const NOISE_TABLES: &[(&str, &str, bool)] = &[
    // (class, lines, every dropped part must be a noise rule rather than "unknown")
    ("reading_level", include_str!("testdata/noise_reading_level.txt"), true),
    ("format", include_str!("testdata/noise_format.txt"), true),
    ("housekeeping", include_str!("testdata/noise_housekeeping.txt"), true),
    ("language", include_str!("testdata/noise_language.txt"), true),
    ("date", include_str!("testdata/noise_date.txt"), false),
    ("entity", include_str!("testdata/noise_entity.txt"), true),
    ("geographic", include_str!("testdata/noise_geographic.txt"), false),
    ("person", include_str!("testdata/noise_person.txt"), false),
    ("time", include_str!("testdata/noise_time.txt"), false),
];

#[test]
fn no_noise_string_survives() {
    let n = GenreNormalizer::new();
    for (class, text, all_noise) in NOISE_TABLES {
        let lines: Vec<&str> = text.lines().filter(|l| !l.trim().is_empty()).collect();
        assert!(lines.len() >= 200, "{class}: only {} strings", lines.len());
        for line in &lines {
            let e = n.explain(line);
            // A bestseller or award tag may say fiction or nonfiction; it gives no genre.
            let genres: Vec<&str> = e
                .produced
                .iter()
                .filter(|p| p.rule != Rule::Evidence)
                .map(|p| p.genre.as_str())
                .collect();
            assert!(genres.is_empty(), "{class}: {line:?} survived as {genres:?}");
            assert!(!e.dropped.is_empty(), "{class}: {line:?} dropped without a reason");
            if *all_noise {
                assert!(
                    e.dropped.iter().all(|d| matches!(d.reason, DropReason::Noise(_))),
                    "{class}: {line:?} not recognised as noise: {:?}",
                    e.dropped
                );
            }
        }
        // And as one whole book: nothing, not even a Fiction/Nonfiction guess (a bestseller
        // tag decides the marker of a book with genres, but shows none without them).
        assert!(n.normalize(&lines).is_empty(), "{class}");
    }
}

const HIERARCHY_TABLES: &[(&str, &str)] = &[
    ("google", include_str!("testdata/hierarchy_google.tsv")),
    ("lcsh", include_str!("testdata/hierarchy_lcsh.tsv")),
    ("loc_inverted", include_str!("testdata/hierarchy_loc_inverted.tsv")),
    ("entity", include_str!("testdata/hierarchy_entity.tsv")),
];

#[test]
fn hierarchies_split_into_their_genre_parts() {
    let n = GenreNormalizer::new();
    for (style, text) in HIERARCHY_TABLES {
        let mut rows = 0;
        let mut failures = Vec::new();
        for line in text.lines().filter(|l| !l.is_empty()) {
            let (raw, expected) = line.split_once('\t').unwrap_or((line, ""));
            let expected: BTreeSet<&str> = expected.split(';').filter(|s| !s.is_empty()).collect();
            let got = n.explain(raw).genres;
            let got: BTreeSet<&str> = got.iter().map(Genre::as_str).collect();
            if got != expected {
                failures.push(format!("{raw:?}: expected {expected:?}, got {got:?}"));
            }
            rows += 1;
        }
        assert!(rows >= 200, "{style}: only {rows} rows");
        assert!(
            failures.is_empty(),
            "{style}: {} of {rows} rows wrong:\n{}",
            failures.len(),
            failures.join("\n")
        );
    }
}

#[test]
fn non_english_headings_map_to_english_or_are_dropped() {
    let n = GenreNormalizer::new();
    let cases: &[(&str, &[&str])] = &[
        ("Ficción", &["Fiction"]),
        ("Novela", &["Fiction"]),
        ("Roman", &["Fiction"]),
        ("Romans", &["Fiction"]),
        ("Nouvelles", &["Short Stories"]),
        ("Histoire", &["History"]),
        ("Historia", &["History"]),
        ("Geschichte 1945-1990", &["History"]),
        ("Literatura juvenil", &["Children's"]),
        ("Literatura infantil", &["Children's"]),
        ("Jugendliteratur", &["Young Adult"]),
        ("Kinderbuch", &["Children's"]),
        ("Ciencia ficción", &["Science Fiction"]),
        ("Science-fiction", &["Science Fiction"]),
        ("Novela policíaca", &["Fiction", "Mystery"]),
        ("Roman policier", &["Mystery"]),
        ("Kriminalroman", &["Mystery"]),
        ("Poesía", &["Poetry"]),
        ("Poésie", &["Poetry"]),
        ("Gedichte", &["Poetry"]),
        ("Teatro", &["Plays"]),
        ("Biografía", &["Biography"]),
        ("Mémoires", &["Memoir"]),
        ("Bandes dessinées", &["Graphic Novels"]),
        ("Cuentos", &["Short Stories"]),
        ("Contes", &["Fairy Tales"]),
        ("Filosofía", &["Philosophy"]),
        ("Psychologie", &["Psychology"]),
        ("Autoayuda", &["Self Help"]),
        ("Sachbuch", &["Nonfiction"]),
        ("Belletristik", &["Fiction"]),
        ("Romans, nouvelles, etc.", &["Fiction"]),
        ("Roman pour la jeunesse", &["Children's", "Fiction"]),
        ("Amerikanisches Englisch", &[]),
        // Topics in other languages count for their genre ([topics]); the rest are unknown.
        ("Magos", &["Fantasy"]),
        ("Escuelas", &["Education"]),
        ("Écoles", &["Education"]),
        ("Das Böse", &["Philosophy"]),
        ("Lebensgefahr", &[]),
    ];
    for (raw, exp) in cases {
        let got = n.explain(raw).genres;
        let got: BTreeSet<&str> = got.iter().map(Genre::as_str).collect();
        let exp: BTreeSet<&str> = exp.iter().copied().collect();
        assert_eq!(got, exp, "{raw:?}");
    }
}

#[test]
fn variants_merge_into_one_genre() {
    let n = GenreNormalizer::new();
    let groups: std::collections::BTreeMap<String, Vec<String>> =
        toml::from_str(include_str!("testdata/variants.toml")).expect("variants.toml");
    assert!(groups.len() >= 10);
    for (genre, raws) in &groups {
        for raw in raws {
            let got = n.explain(raw).genres;
            assert!(
                got.iter().any(|g| g == genre.as_str()),
                "{raw:?} gave {:?}, expected {genre}",
                names(&got)
            );
            let others: Vec<&str> = names(&got)
                .into_iter()
                .filter(|g| g != genre && !["Fiction", "Nonfiction"].contains(g))
                .collect();
            assert!(others.is_empty(), "{raw:?} also gave {others:?}");
        }
    }
}

// ------------------------------------------------------------------ vocabulary

#[test]
fn vocabulary_is_small_and_each_name_maps_to_itself() {
    let n = GenreNormalizer::new();
    let vocab: Vec<&Genre> = n.vocabulary().collect();
    assert!((60..=150).contains(&vocab.len()), "{} genres", vocab.len());
    let unique: HashSet<&str> = vocab.iter().map(|g| g.as_str()).collect();
    assert_eq!(unique.len(), vocab.len(), "duplicate names");
    assert!(unique.contains("Fiction") && unique.contains("Nonfiction"));
    for g in &vocab {
        let e = n.explain(g.as_str());
        assert_eq!(e.genres, [(*g).clone()], "{g} does not map to itself");
        assert!(e.dropped.is_empty(), "{g}: {:?}", e.dropped);
        // Consistent capitalisation: every word starts upper-case (except short joiners).
        for word in g.as_str().split(' ') {
            assert!(
                word.starts_with(char::is_uppercase)
                    || ["of", "and"].contains(&word)
                    || word == "LGBT",
                "{g}"
            );
        }
    }
}

#[test]
fn builtin_rules_are_the_documented_format() {
    // The built-in table parses as a user file too (same format), and merging it twice changes nothing.
    let twice = GenreNormalizer::new()
        .with_rules_toml(BUILTIN_RULES)
        .expect("built-in rules as user rules");
    for (_, raw) in fixture_lists() {
        assert_eq!(twice.normalize(&raw), normalize(&raw));
    }
}

// ------------------------------------------------------------------ ranking, cap, classification

#[test]
fn relevance_orders_by_sources_then_subjects_then_first_seen() {
    let n = GenreNormalizer::new();
    let ol: Vec<String> =
        ["Horror", "Horror fiction", "Ghost stories", "Fantasy"].map(String::from).to_vec();
    let google: Vec<String> =
        ["Fiction / Fantasy / General", "Fiction / Mystery & Detective"].map(String::from).to_vec();
    // Fantasy has 2 sources; Horror 1 source but 3 subjects; Mystery 1 source, 1 subject.
    assert_eq!(
        names(&n.normalize_sources(&[&ol, &google])),
        ["Fantasy", "Horror", "Mystery", "Fiction"]
    );
    // Ties keep first appearance.
    assert_eq!(
        names(&n.normalize(&["Westerns", "Romance", "Horror"])),
        ["Westerns", "Romance", "Horror", "Fiction"]
    );
    assert_eq!(
        names(&n.normalize(&["Horror", "Romance", "Westerns"])),
        ["Horror", "Romance", "Westerns", "Fiction"]
    );
}

#[test]
fn cap_keeps_the_most_relevant_and_the_marker() {
    let raw = fixture_lists()
        .into_iter()
        .find(|(n, _)| n.starts_with("annihilation (Google volume"))
        .map(|(_, l)| l)
        .unwrap_or_default();
    let full = GenreNormalizer::new().normalize(&raw);
    assert_eq!(full.len(), 8);
    let three = GenreNormalizer::new().with_max_genres(3);
    assert_eq!(names(&three.normalize(&raw)), ["Science Fiction", "Fantasy", "Fiction"]);
    let one = GenreNormalizer::new().with_max_genres(1);
    assert_eq!(names(&one.normalize(&raw)), ["Science Fiction"]);
    assert_eq!(names(&one.normalize(&["Fiction"])), ["Fiction"]);
    assert!(GenreNormalizer::new().with_max_genres(0).normalize(&raw).is_empty());
    let twenty = GenreNormalizer::new().with_max_genres(20);
    assert_eq!(twenty.normalize(&raw), full, "all 8 fit");
}

#[test]
fn classify_fiction_and_nonfiction() {
    let n = GenreNormalizer::new();
    for (name, raw) in fixture_lists() {
        let expected = match name {
            "zen speaks (OL jscmd=data)" | "atomic habits (OL jscmd=data)" => {
                Some(FictionKind::Nonfiction)
            }
            "time war (OL search doc 1)" => None,
            _ => Some(FictionKind::Fiction),
        };
        assert_eq!(n.classify(&raw), expected, "{name}");
    }
    // Explicit evidence beats genre kinds; a tie of explicit evidence falls back to kinds.
    assert_eq!(n.classify(&["Nonfiction", "Fantasy", "Horror"]), Some(FictionKind::Nonfiction));
    assert_eq!(n.classify(&["Fiction", "Nonfiction", "History"]), Some(FictionKind::Nonfiction));
    assert_eq!(n.classify(&["History", "Fantasy"]), None);
    assert_eq!(n.classify(&["Poetry"]), None);
    assert_eq!(names(&n.normalize(&["History", "Fantasy"])), ["History", "Fantasy"]);
    assert_eq!(n.classify::<&str>(&[]), None);
    // A fiction heading turns nonfiction topics into fiction forms.
    assert_eq!(names(&n.normalize(&["History -- Fiction"])), ["Historical Fiction", "Fiction"]);
    assert_eq!(names(&n.normalize(&["Psychology -- Fiction"])), ["Fiction"]);
    assert_eq!(names(&n.normalize(&["World War, 1939-1945 -- Fiction"])), ["War", "Fiction"]);
}

#[test]
fn in_a_fiction_book_nonfiction_topics_become_fiction_forms_or_go() {
    let n = GenreNormalizer::new();
    // Dune's Open Library subjects include "Ecology": a topic of the novel, not its genre.
    assert_eq!(
        names(&n.normalize(&["Science fiction", "Fiction", "Ecology", "Interpersonal relations"])),
        ["Science Fiction", "Fiction"]
    );
    // History and Biography turn into Historical Fiction and add to its support.
    assert_eq!(
        names(&n.normalize(&["Romance", "Fiction", "History", "Biography", "Fiction, historical"])),
        ["Historical Fiction", "Romance", "Fiction"]
    );
    // Some nonfiction genres are fiction genres too (Goodreads tags novels "Philosophy").
    assert_eq!(
        names(&n.normalize(&["Fiction", "Philosophy", "Politics"])),
        ["Philosophy", "Politics", "Fiction"]
    );
    // A nonfiction book keeps its genres.
    assert_eq!(
        names(&n.normalize(&["Ecology", "Nonfiction", "Science"])),
        ["Nature", "Science", "Nonfiction"]
    );
    // Decided by kinds alone (no explicit marker), the same rule applies.
    assert_eq!(
        names(&n.normalize(&["Fantasy", "Horror", "Ecology"])),
        ["Fantasy", "Horror", "Fiction"]
    );
    // "American science fiction": the nationality is read off, not the "fiction".
    assert_eq!(names(&n.explain("American science fiction").genres), ["Science Fiction"]);
}

// ------------------------------------------------------------------ invariants

fn check_invariants(n: &GenreNormalizer, raw: &[String]) -> Result<(), TestCaseError> {
    let once = n.normalize(raw);
    let again = n.normalize(&once);
    prop_assert_eq!(&again, &once, "not idempotent for {:?}", raw);
    prop_assert_eq!(&n.normalize(raw), &once, "not deterministic");
    prop_assert!(once.len() <= n.max_genres());
    let unique: HashSet<&Genre> = once.iter().collect();
    prop_assert_eq!(unique.len(), once.len(), "duplicates in {:?}", once);
    let vocab: HashSet<&Genre> = n.vocabulary().collect();
    prop_assert!(once.iter().all(|g| vocab.contains(g)));
    let markers = once.iter().filter(|g| *g == "Fiction" || *g == "Nonfiction").count();
    prop_assert!(markers <= 1);
    if markers == 1 && once.len() > 1 {
        prop_assert!(
            once.last().is_some_and(|g| g == "Fiction" || g == "Nonfiction"),
            "marker not last: {:?}",
            once
        );
    }
    Ok(())
}

#[test]
fn fixtures_are_idempotent_and_deterministic() {
    for cap in [0, 1, 2, 3, 8] {
        let n = GenreNormalizer::new().with_max_genres(cap);
        for (name, raw) in fixture_lists() {
            check_invariants(&n, &raw).unwrap_or_else(|e| panic!("{name} (cap {cap}): {e}"));
        }
    }
}

/// Every raw string the tests know: fixtures and generated tables.
fn pool() -> Vec<String> {
    let mut pool: Vec<String> = fixture_lists().into_iter().flat_map(|(_, l)| l).collect();
    for (_, text, _) in NOISE_TABLES {
        pool.extend(text.lines().step_by(7).map(str::to_owned));
    }
    for (_, text) in HIERARCHY_TABLES {
        pool.extend(
            text.lines().step_by(5).filter_map(|l| l.split('\t').next()).map(str::to_owned),
        );
    }
    pool
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn random_books_are_idempotent_and_capped(picks in proptest::collection::vec(any::<proptest::sample::Index>(), 0..60), cap in 0usize..10) {
        let pool = pool();
        let raw: Vec<String> = picks.iter().map(|i| pool[i.index(pool.len())].clone()).collect();
        check_invariants(&GenreNormalizer::new().with_max_genres(cap), &raw)?;
    }

    #[test]
    fn arbitrary_text_never_panics(raw in proptest::collection::vec(".{0,40}", 0..8)) {
        check_invariants(&GenreNormalizer::new(), &raw)?;
    }
}

#[test]
fn a_noisy_library_ends_with_few_distinct_genres() {
    // 60 books, each mixing real fixture subjects, hierarchy rows and every noise class.
    let fixtures = fixture_lists();
    let hierarchy: Vec<&str> = HIERARCHY_TABLES
        .iter()
        .flat_map(|(_, t)| t.lines())
        .filter_map(|l| l.split('\t').next())
        .collect();
    let noise: Vec<&str> = NOISE_TABLES.iter().flat_map(|(_, t, _)| t.lines()).collect();
    let n = GenreNormalizer::new();
    let noise_set: HashSet<&str> = noise.iter().copied().collect();
    let mut distinct = BTreeSet::new();
    let mut raw_all = Vec::new();
    for book in 0..60 {
        let mut raw: Vec<String> = fixtures[book % fixtures.len()].1.clone();
        raw.extend((0..6).map(|k| hierarchy[(book * 37 + k * 101) % hierarchy.len()].to_owned()));
        raw.extend((0..25).map(|k| noise[(book * 53 + k * 89) % noise.len()].to_owned()));
        let genres = n.normalize(&raw);
        assert!(!genres.is_empty(), "book {book} lost all genres");
        raw_all.extend(raw);
        for g in &genres {
            assert!(!noise_set.contains(g.as_str()), "noise {g} survived");
            distinct.insert(g.clone());
        }
    }
    let raw_distinct: HashSet<&String> = raw_all.iter().collect();
    println!(
        "noisy library: {} distinct raw strings -> {} distinct genres",
        raw_distinct.len(),
        distinct.len()
    );
    assert!(distinct.len() <= 100, "{} distinct genres: {distinct:?}", distinct.len());
    assert!(raw_distinct.len() > 10 * distinct.len(), "{} raw strings", raw_distinct.len());
}

// ------------------------------------------------------------------ user rules

#[test]
fn user_rules_extend_and_override() {
    let n = GenreNormalizer::new()
        .with_rules_toml(
            r#"
            [settings]
            max_genres = 4

            [[genre]]
            name = "Cozy Fantasy"
            kind = "fiction"
            aliases = ["cosy fantasy", "cozy fantasy"]

            [[genre]]              # fold Space Opera into Science Fiction
            name = "Science Fiction"
            aliases = ["space opera"]

            [[genre]]
            name = "Westerns"
            remove = true

            [map]
            "Magic" = ["Fantasy"]
            "Humor" = []           # drop a built-in genre name

            [noise.housekeeping]
            exact = ["my own shelf"]
        "#,
        )
        .expect("valid rules");
    assert_eq!(n.max_genres(), 4);
    assert_eq!(names(&n.normalize(&["Cosy fantasy"])), ["Cozy Fantasy", "Fiction"]);
    assert_eq!(
        names(&n.normalize(&["Fiction / Science Fiction / Space Opera"])),
        ["Science Fiction", "Fiction"]
    );
    assert!(n.normalize(&["Westerns"]).is_empty());
    assert_eq!(names(&n.normalize(&["Magic -- Fiction"])), ["Fantasy", "Fiction"]);
    assert!(n.normalize(&["Humor", "My own shelf"]).is_empty());
    assert_eq!(n.explain("Humor").dropped[0].reason, DropReason::MappedToNothing);
    // Builder order: a later with_max_genres wins over the file.
    assert_eq!(n.clone().with_max_genres(2).max_genres(), 2);
    // The default normaliser is untouched.
    assert_eq!(names(&normalize(&["Space Opera"])), ["Space Opera", "Fiction"]);
}

#[test]
fn bad_user_rules_are_config_errors_naming_the_fault() {
    let err = |toml: &str| match GenreNormalizer::new().with_rules_toml(toml) {
        Err(Error::Config { field, message }) => format!("{field}: {message}"),
        Err(other) => panic!("unexpected error {other}"),
        Ok(_) => panic!("accepted {toml:?}"),
    };
    let e = err("[[genre]]\nname = \"X\"\nkind = \n");
    assert!(e.contains("line 3"), "{e}");
    let e = err("[[genre]]\nname = \"X\"\nkind = \"poetry\"\n");
    assert!(e.contains("kind") && e.contains("line 3"), "{e}");
    let e = err("[[genre]]\nname = \"X\"\nalias = [\"y\"]\n");
    assert!(e.contains("alias") && e.contains("line 3"), "{e}");
    let e = err("[map]\n\"Magic\" = [\"Magick\"]\n");
    assert!(e.contains("map") && e.contains("Magic") && e.contains("Magick"), "{e}");
    let e = err("[[affix]]\nsuffixes = [\"saga\"]\nadds = [\"Sagas\"]\n");
    assert!(e.contains("affix[0].adds") && e.contains("Sagas"), "{e}");
    let e = err("[[genre]]\nname = \"  \"\n");
    assert!(e.contains("genre[0].name"), "{e}");
    let e = err("[[genre]]\nname = \"Nope\"\nremove = true\n");
    assert!(e.contains("Nope"), "{e}");
    let e = err(
        "[[genre]]\nname = \"A\"\naliases = [\"zz top\"]\n[[genre]]\nname = \"B\"\naliases = [\"zz top\"]\n",
    );
    assert!(e.contains("zz top") && e.contains('A') && e.contains('B'), "{e}");
    let e = err("[settings]\nmax_genres = -1\n");
    assert!(e.contains("max_genres") || e.contains("line 2"), "{e}");
}

#[test]
fn genre_serialises_as_a_plain_string() {
    let g = normalize(&["Sci-fi"]);
    assert_eq!(serde_json::to_string(&g).unwrap_or_default(), r#"["Science Fiction","Fiction"]"#);
    let back: Vec<Genre> = serde_json::from_str(r#"["Fantasy"]"#).unwrap_or_default();
    assert_eq!(back[0].to_string(), "Fantasy");
    assert_eq!(String::from(back[0].clone()), "Fantasy");
}

// ------------------------------------------------------------------ docs

const DOCS: &str = include_str!("../../../docs/genres.md");

#[test]
fn docs_example_rules_parse_and_apply() {
    let n = GenreNormalizer::new()
        .with_rules_toml(docs_toml_block("## Extending"))
        .expect("docs example parses");
    assert_eq!(n.max_genres(), 6);
    assert_eq!(names(&n.normalize(&["Cosy fantasy"])), ["Cozy Fantasy", "Fiction"]);
    assert_eq!(
        names(&n.normalize(&["Fiction / Fantasy / Cozy"])),
        ["Cozy Fantasy", "Fantasy", "Fiction"]
    );
    assert_eq!(names(&n.normalize(&["Space opera"])), ["Science Fiction", "Fiction"]);
    assert_eq!(names(&n.normalize(&["Wizards -- Fiction"])), ["Fantasy", "Fiction"]);
    assert!(n.normalize(&["Westerns", "Humor", "My Kindle shelf", "shelf:favourites"]).is_empty());
}

/// The first TOML block of the docs section that starts with `heading`.
fn docs_toml_block(heading: &str) -> &'static str {
    DOCS.split(heading)
        .nth(1)
        .and_then(|section| section.split("```toml\n").nth(1))
        .and_then(|rest| rest.split("```").next())
        .unwrap_or_else(|| panic!("a toml block in the docs section {heading:?}"))
}

#[test]
fn docs_audit_example_rules_apply() {
    let n = GenreNormalizer::new()
        .with_rules_toml(docs_toml_block("## Auditing coverage"))
        .expect("docs example parses");
    assert_eq!(names(&n.normalize(&["Space exploration"])), ["Science Fiction", "Fiction"]);
    assert_eq!(names(&n.normalize(&["Arctic exploration"])), ["Travel", "Nonfiction"]);
}

#[test]
fn docs_list_the_whole_vocabulary_with_kinds() {
    let list = DOCS
        .split("<!-- vocabulary:start -->")
        .nth(1)
        .and_then(|rest| rest.split("<!-- vocabulary:end -->").next())
        .expect("vocabulary markers in docs/genres.md");
    let documented: BTreeSet<(String, char)> = list
        .lines()
        .filter_map(|l| l.split_once(": ").map(|(_, names)| names))
        .flat_map(|names| names.split(", "))
        .filter_map(|entry| {
            let (name, kind) = entry.trim().rsplit_once(" (")?;
            Some((name.to_owned(), kind.chars().next()?))
        })
        .collect();
    let n = GenreNormalizer::new();
    let actual: BTreeSet<(String, char)> = n
        .vocabulary()
        .map(|g| {
            let kind =
                match n.compiled.kinds[n.compiled.names.iter().position(|x| x == g).unwrap_or(0)] {
                    Kind::Fiction => 'F',
                    Kind::Nonfiction => 'N',
                    Kind::Any => 'A',
                };
            (g.to_string(), kind)
        })
        .collect();
    assert_eq!(documented, actual);
    assert!(DOCS.contains(&format!("{} genres, close to Goodreads", actual.len())));
}

#[test]
fn docs_rust_example_holds() {
    let genres =
        normalize(&["Fiction / Science Fiction / Space Opera", "Large type books", "Sci-fi."]);
    assert_eq!(genres, ["Science Fiction", "Space Opera", "Fiction"]);
    let ol = vec!["Horror".to_string(), "Fantasy".to_string()];
    let google = vec!["Fiction / Fantasy / General".to_string()];
    let n = GenreNormalizer::new().with_max_genres(5);
    assert_eq!(n.normalize_sources(&[&ol, &google]), ["Fantasy", "Horror", "Fiction"]);
    assert_eq!(n.classify(&["Self-help", "Psychology"]), Some(FictionKind::Nonfiction));
    assert!(n.explain("Potter, Harry (Fictitious character)").genres.is_empty());
}

// ------------------------------------------------------------------ precision rules (issue 21)

/// Each precision rule on a book's evidence: (what, edition strings, work strings,
/// expected output, a genre that must be dropped with its reason).
#[test]
#[expect(clippy::too_many_lines, reason = "one table of rows, one row per rule")]
fn precision_rules_judge_the_evidence() {
    type Row = (
        &'static str,
        &'static [&'static str],
        &'static [&'static str],
        &'static [&'static str],
        Option<(&'static str, GenreDropReason)>,
    );
    let fox = strings(&fixture("openlibrary_works_OL45804W_fantastic_mr_fox.json")["subjects"]);
    let rows: &[Row] = &[
        (
            "form majority: a play's own edition says Plays",
            &["Comedy plays", "England -- Drama", "Foundlings -- Drama"],
            &[],
            &["Plays", "Humor"],
            None,
        ),
        (
            "form majority: one pooled comic adaptation of a novel",
            &[],
            &[
                "Fiction",
                "Classics",
                "Fiction, classics",
                "Classic literature",
                "Love stories",
                "Comic books, strips, etc.",
            ],
            &["Classics", "Romance", "Fiction"],
            Some(("Graphic Novels", GenreDropReason::FormWithoutEvidence)),
        ),
        (
            "YA over Children's: The Fault in Our Stars' headings",
            &[],
            &[
                "Juvenile fiction",
                "Cancer -- Fiction",
                "Love -- Fiction",
                "Young adult fiction",
                "Teenagers -- Fiction",
            ],
            &["Young Adult", "Fiction"],
            Some(("Children's", GenreDropReason::OlderAudience)),
        ),
        (
            "topic is not audience: a novel about children",
            &["Children -- Fiction", "Ghost stories", "Governesses -- Fiction"],
            &[],
            &["Horror", "Fiction"],
            None,
        ),
        (
            "adult evidence outweighs pooled juvenile strings",
            &[],
            &["Classics", "Literary fiction", "Juvenile fiction", "Juvenile literature", "Fiction"],
            &["Classics", "Literary Fiction", "Fiction"],
            Some(("Children's", GenreDropReason::ChildrenWithoutEvidence)),
        ),
        (
            "Children's from the reader's edition stays",
            &["Juvenile fiction", "Fantasy fiction"],
            &["Classics"],
            &["Children's", "Fantasy", "Classics", "Fiction"],
            None,
        ),
        (
            "nonfiction gets no fiction-only genre",
            &["Political science -- Early works to 1800", "Nonfiction", "Utopian fiction"],
            &[],
            &["Politics", "Nonfiction"],
            None,
        ),
        (
            "a novel's nonfiction topics go",
            &["Psychological fiction", "Whaling -- Fiction", "Sea stories"],
            &["Biology", "Ecology"],
            &["Literary Fiction", "Adventure", "Fiction"],
            Some(("Science", GenreDropReason::OtherKind)),
        ),
    ];
    let n = GenreNormalizer::new();
    for (what, edition, work, expected, drop) in rows {
        let edition: Vec<String> = edition.iter().map(|s| (*s).to_owned()).collect();
        let work: Vec<String> = work.iter().map(|s| (*s).to_owned()).collect();
        let sources = [SourceStrings::edition(&edition), SourceStrings::work(&work)];
        let e = n.explain_book(&sources);
        assert_eq!(names(&e.genres), *expected, "{what}: {e:#?}");
        assert_eq!(e.genres, n.normalize_evidence(&sources), "{what}");
        if let Some((genre, reason)) = drop {
            assert!(
                e.dropped.iter().any(|d| d.genre == **genre && d.reason == *reason),
                "{what}: {genre} not dropped for {reason:?}: {:?}",
                e.dropped
            );
        }
        for kept in &e.kept {
            assert!(kept.strings > 0 && kept.weight >= kept.strings, "{what}: {kept:?}");
        }
    }
    // Adaptation pooling: the Fantastic Mr. Fox work lists its stage adaptations.
    let e = n.explain_book(&[SourceStrings::work(&fox)]);
    assert!(!names(&e.genres).contains(&"Plays"), "{:?}", e.genres);
    assert!(
        e.dropped
            .iter()
            .any(|d| d.genre == "Plays" && d.reason == GenreDropReason::FormWithoutEvidence)
    );
}

// ------------------------------------------------------------------ coverage rules (issue 14)

/// Each class of topical heading the vocabulary used to drop as unknown, with the genre it
/// now gives and the rule that gives it.
#[test]
fn topical_headings_give_their_genre_by_class() {
    type Class = (&'static str, &'static [Rule], &'static [(&'static str, &'static str)]);
    let n = GenreNormalizer::new();
    let classes: &[Class] = &[
        (
            "subfield of a known genre",
            &[Rule::Head],
            &[
                ("Evolutionary biology", "Science"),
                ("Cognitive neuroscience", "Science"),
                ("Molecular genetics", "Science"),
                ("Quantum physics", "Science"),
                ("Organic chemistry", "Science"),
                ("Developmental psychology", "Psychology"),
                ("Behavioral economics", "Economics"),
                ("Cultural anthropology", "Sociology"),
                ("Medical ethics", "Philosophy"),
                ("Sports medicine", "Health"),
                ("Landscape architecture", "Art"),
                ("Corporate finance", "Economics"),
            ],
        ),
        (
            "concrete subject",
            &[Rule::Topic],
            &[
                ("Volcanoes", "Science"),
                ("Sharks", "Nature"),
                ("Dinosaurs", "Science"),
                ("Calculus", "Mathematics"),
                ("Artificial intelligence", "Technology"),
                ("Communism", "Politics"),
                ("Cancer", "Health"),
                ("Friendship", "Relationships"),
                ("Adoption", "Parenting"),
                ("Schools", "Education"),
                ("Foxes", "Animals"),
                ("Wizards", "Fantasy"),
            ],
        ),
        (
            "practice or craft",
            &[Rule::Head],
            &[
                ("Data journalism", "Journalism"),
                ("Investigative reporting", "Journalism"),
                ("Strength training", "Health"),
                ("Vegetarian cooking", "Cooking"),
                ("Organic gardening", "Gardening"),
                ("Digital photography", "Art"),
                ("Cognitive therapy", "Psychology"),
                ("Python programming", "Technology"),
            ],
        ),
        (
            "BISAC top level the vocabulary lacked",
            &[Rule::Vocabulary, Rule::Map],
            &[
                ("Foreign Language Study", "Foreign Language Study"),
                ("FOREIGN LANGUAGE STUDY / Spanish", "Foreign Language Study"),
                ("Journalism", "Journalism"),
                ("Architecture", "Art"),
                ("Transportation", "Technology"),
            ],
        ),
        (
            "language learning",
            &[Rule::Topic, Rule::Head],
            &[
                (
                    "Spanish language -- Textbooks for foreign speakers -- English",
                    "Foreign Language Study",
                ),
                ("English language -- Textbooks for foreign speakers", "Foreign Language Study"),
                (
                    "French language -- Conversation and phrase books -- English",
                    "Foreign Language Study",
                ),
                (
                    "German language -- Study and teaching -- Foreign speakers",
                    "Foreign Language Study",
                ),
                ("Language learning", "Foreign Language Study"),
                ("Spanish langauge -- Textbooks for foriegn speakers", "Foreign Language Study"),
            ],
        ),
    ];
    for (class, rules, rows) in classes {
        assert!(rows.len() >= 5, "{class}: too few examples");
        for (raw, genre) in *rows {
            let e = n.explain(raw);
            let produced = e.produced.iter().find(|p| p.genre == **genre);
            assert!(
                produced.is_some_and(|p| rules.contains(&p.rule)),
                "{class}: {raw:?} should give {genre} by {rules:?}, gave {:?}",
                e.produced
            );
        }
    }
}

/// A classification number of every Dewey hundred and every LC class letter gives a genre
/// and, outside literature, the Nonfiction marker.
#[test]
fn classification_numbers_give_genres_and_the_marker() {
    let n = GenreNormalizer::new();
    let dewey: &[(&str, &[&str])] = &[
        ("ddc:005.133", &["Technology", "Nonfiction"]),
        ("ddc:070.4", &["Journalism", "Nonfiction"]),
        ("ddc:150.19", &["Psychology", "Nonfiction"]),
        ("ddc:294.3/927", &["Religion", "Nonfiction"]),
        ("ddc:330.1", &["Economics", "Nonfiction"]),
        ("ddc:428.24", &["Foreign Language Study", "Nonfiction"]),
        ("ddc:551.21", &["Science", "Nonfiction"]),
        ("ddc:613.7", &["Health", "Nonfiction"]),
        ("ddc:741.5973", &["Graphic Novels"]),
        ("ddc:759.4", &["Art", "Nonfiction"]),
        ("ddc:813.54", &["Fiction"]),
        ("ddc:821.914", &["Poetry"]),
        ("ddc:822.33", &["Plays"]),
        ("ddc:823.914", &["Fiction"]),
        ("ddc:848/.91403", &[]),
        ("ddc:891.733", &["Fiction"]),
        ("ddc:940.53", &["History", "Nonfiction"]),
        ("ddc:910.4", &["Travel", "Nonfiction"]),
        ("ddc:921", &["Biography", "Nonfiction"]),
        ("ddc:[Fic]", &["Fiction"]),
        ("ddc:[E]", &["Picture Books", "Children's"]),
    ];
    let lc: &[(&str, &[&str])] = &[
        ("lcc:AE5 .E363 2010", &["Reference", "Nonfiction"]),
        ("lcc:B2430.S34", &["Philosophy", "Nonfiction"]),
        ("lcc:BQ9265.6 .T7313 1994", &["Religion", "Nonfiction"]),
        ("lcc:BF637.S4", &["Psychology", "Nonfiction"]),
        ("lcc:CT275.F8", &["Biography", "Nonfiction"]),
        ("lcc:D810.J4", &["History", "Nonfiction"]),
        ("lcc:E184.A1", &["History", "Nonfiction"]),
        ("lcc:F128.9", &["History", "Nonfiction"]),
        ("lcc:G465 .B78", &["Travel", "Nonfiction"]),
        ("lcc:HB171", &["Economics", "Nonfiction"]),
        ("lcc:HD58.7", &["Business", "Nonfiction"]),
        ("lcc:JC423", &["Politics", "Nonfiction"]),
        ("lcc:KF4550", &["Law", "Nonfiction"]),
        ("lcc:LB1025.3", &["Education", "Nonfiction"]),
        ("lcc:ML410.B4", &["Music", "Nonfiction"]),
        ("lcc:N7445.2", &["Art", "Nonfiction"]),
        ("lcc:P106 .P5", &["Linguistics", "Nonfiction"]),
        ("lcc:PN6727.M6", &["Graphic Novels"]),
        ("lcc:PS3558.E63 D8", &[]),
        ("lcc:PS-3558.00000000.E63", &[]),
        ("lcc:PZ7.R79835 Haj 1999", &["Fiction"]),
        ("lcc:QA76.73.P98", &["Technology", "Nonfiction"]),
        ("lcc:QB981", &["Science", "Nonfiction"]),
        ("lcc:RA776", &["Health", "Nonfiction"]),
        ("lcc:SB453", &["Gardening", "Nonfiction"]),
        ("lcc:TX714", &["Cooking", "Nonfiction"]),
        ("lcc:U27", &["War", "Nonfiction"]),
        ("lcc:VA55", &["War", "Nonfiction"]),
        ("lcc:Z1003", &["Reference", "Nonfiction"]),
    ];
    for (raw, exp) in dewey.iter().chain(lc) {
        let e = n.explain(raw);
        let got: BTreeSet<&str> = e.genres.iter().map(Genre::as_str).collect();
        let exp: BTreeSet<&str> = exp.iter().copied().collect();
        assert_eq!(got, exp, "{raw}");
        assert!(
            e.produced.iter().all(|p| p.rule == Rule::Classification),
            "{raw}: {:?}",
            e.produced
        );
    }
    let hundreds: BTreeSet<char> = dewey.iter().filter_map(|(r, _)| r.chars().nth(4)).collect();
    assert!(('0'..='9').all(|h| hundreds.contains(&h)), "every Dewey hundred: {hundreds:?}");
    let letters: BTreeSet<char> = lc.iter().filter_map(|(r, _)| r.chars().nth(4)).collect();
    assert!(
        "ABCDEFGHJKLMNPQRSTUVZ".chars().all(|l| letters.contains(&l)),
        "every LC class: {letters:?}"
    );

    // As evidence for a book: the marker always counts, the genre only as a last resort.
    let only_number = vec!["ddc:551.21".to_owned(), "Large type books".to_owned()];
    assert_eq!(names(&n.normalize(&only_number)), ["Science", "Nonfiction"]);
    let with_subjects = vec!["Volcanoes".to_owned(), "ddc:363.3495".to_owned()];
    assert_eq!(names(&n.normalize(&with_subjects)), ["Science", "Nonfiction"]);
    let novel =
        vec!["Love stories".to_owned(), "Psychology".to_owned(), "lcc:PZ7.G8233".to_owned()];
    assert_eq!(names(&n.normalize(&novel)), ["Romance", "Fiction"]);
}

/// Bestseller lists and awards say fiction or nonfiction without being genres.
#[test]
fn evidence_tags_count_for_the_marker_only() {
    let n = GenreNormalizer::new();
    let rows: &[(&str, Option<&str>)] = &[
        ("nyt:hardcover-fiction=2019-06-02", Some("Fiction")),
        ("nyt:trade-fiction-paperback=2021-11-07", Some("Fiction")),
        ("nyt:combined-print-and-e-book-fiction=2020-01-05", Some("Fiction")),
        ("award:hugo_award=best_novel", Some("Fiction")),
        ("award:nebula_award=novel", Some("Fiction")),
        ("nyt:hardcover-nonfiction=2018-03-04", Some("Nonfiction")),
        ("nyt:combined_print_nonfiction=2012-03-03", Some("Nonfiction")),
        ("nyt:business-books=2020-07-12", Some("Nonfiction")),
        ("nyt:advice-how-to-and-miscellaneous=2019-01-06", Some("Nonfiction")),
        ("nyt:series_books=2011-11-05", None),
        ("award:hugo_award=1966", None),
        ("New York Times bestseller", None),
    ];
    for (raw, marker) in rows {
        let e = n.explain(raw);
        assert_eq!(e.genres.iter().map(Genre::as_str).next(), *marker, "{raw}");
        assert!(e.produced.iter().all(|p| p.rule == Rule::Evidence), "{raw}");
        assert!(
            e.dropped.iter().any(|d| matches!(d.reason, DropReason::Noise(_))),
            "{raw}: still noise as a genre"
        );
    }
    // A thriller tagged only by its bestseller list: Fiction, and no genre from the tag.
    let book = ["Thrillers", "nyt:hardcover-fiction=2019-06-02", "Psychology"].map(String::from);
    assert_eq!(names(&n.normalize(&book)), ["Thriller", "Fiction"]);
    let memoir = ["Biography", "nyt:hardcover-nonfiction=2018-03-04", "Humor"].map(String::from);
    assert_eq!(names(&n.normalize(&memoir)), ["Biography", "Humor", "Nonfiction"]);
}

/// `explain` names the rule behind each genre of a string.
#[test]
fn explain_names_the_rule_of_each_genre() {
    let n = GenreNormalizer::new();
    let rules = |raw: &str| {
        n.explain(raw)
            .produced
            .into_iter()
            .map(|p| (p.genre.to_string(), p.rule, p.key))
            .collect::<Vec<_>>()
    };
    assert_eq!(
        rules("Fantasy fiction"),
        [
            ("Fiction".into(), Rule::Affix, "fiction".into()),
            ("Fantasy".into(), Rule::Vocabulary, "fantasy".into()),
        ]
    );
    assert_eq!(rules("Evolutionary biology"), [("Science".into(), Rule::Head, "biology".into())]);
    assert_eq!(rules("Volcanoes"), [("Science".into(), Rule::Topic, "volcanoes".into())]);
    assert_eq!(
        rules("Paranormal romance"),
        [
            ("Paranormal".into(), Rule::Map, "paranormal romance".into()),
            ("Romance".into(), Rule::Map, "paranormal romance".into()),
        ]
    );
    assert_eq!(rules("ddc:813.54"), [("Fiction".into(), Rule::Classification, "ddc 813".into())]);
    assert_eq!(
        rules("History -- Fiction"),
        [
            ("Fiction".into(), Rule::Vocabulary, "fiction".into()),
            ("Historical Fiction".into(), Rule::InFiction, "History".into()),
        ]
    );
}
