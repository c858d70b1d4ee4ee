//! The corpus of real subject strings (issue 14): every subject, category and
//! classification in the recorded fixtures (`tests/fixtures/*.json`, the labelled precision
//! set, the fake catalogue's libraries) and the synthetic noise tables. Of the strings that are
//! topics (not noise, not a person, place, character, date or format), at least 95% must
//! give a genre, and no noise may give one.
//!
//! A string that gives no genre and is not noise by the rules is either a topic the vocabulary
//! misses (it counts against coverage) or listed in `genre_corpus/not_topics.txt`: a person,
//! place, character, event or other subject that is not a kind of book.
#![allow(clippy::unwrap_used)] // Test helpers: a panic is a failure with its message.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use bookenrich_core::genres::{DropReason, GenreNormalizer, Rule};

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/fixtures")
}

/// Keys whose string arrays are catalogue subjects or categories.
const SUBJECT_KEYS: &[&str] = &[
    "subjects",
    "subject",
    "categories",
    "ol_subjects",
    "ol_work_subjects",
    "google_categories",
    "strings",
];

fn collect(v: &serde_json::Value, out: &mut BTreeSet<String>) {
    match v {
        serde_json::Value::Object(map) => {
            for (k, v) in map {
                if SUBJECT_KEYS.contains(&k.as_str())
                    && let Some(items) = v.as_array()
                {
                    for item in items {
                        let s = item.as_str().or_else(|| item.get("name").and_then(|n| n.as_str()));
                        if let Some(s) = s.filter(|s| !s.trim().is_empty()) {
                            out.insert(s.to_owned());
                        }
                    }
                }
                collect(v, out);
            }
        }
        serde_json::Value::Array(items) => items.iter().for_each(|i| collect(i, out)),
        _ => {}
    }
}

fn json_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            json_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "json") && !is_dashboard(&path) {
            out.push(path);
        }
    }
}

/// Dashboards hold normalised genres, not catalogue strings.
fn is_dashboard(path: &Path) -> bool {
    path.file_name().and_then(|n| n.to_str()).is_some_and(|n| n.contains("dashboard"))
}

/// Every catalogue string of the recorded fixtures.
fn recorded() -> BTreeSet<String> {
    let mut files = Vec::new();
    json_files(&fixtures(), &mut files);
    let mut out = BTreeSet::new();
    for f in files {
        let v: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&f).unwrap())
            .unwrap_or_else(|e| panic!("{}: {e}", f.display()));
        collect(&v, &mut out);
    }
    out
}

/// The synthetic noise tables of the normaliser's own tests.
fn synthetic_noise() -> Vec<String> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/genres/testdata");
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        if name.starts_with("noise_") && path.extension().is_some_and(|e| e == "txt") {
            let text = std::fs::read_to_string(&path).unwrap();
            out.extend(text.lines().filter(|l| !l.trim().is_empty()).map(str::to_owned));
        }
    }
    out
}

fn not_topics() -> BTreeSet<String> {
    std::fs::read_to_string(fixtures().join("genre_corpus/not_topics.txt"))
        .unwrap()
        .lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
        .map(str::to_owned)
        .collect()
}

#[test]
fn the_corpus_is_large() {
    assert!(recorded().len() >= 700, "{} strings", recorded().len());
}

#[test]
fn topics_give_a_genre_and_noise_never_does() {
    let n = GenreNormalizer::new();
    let listed = not_topics();
    let (mut covered, mut noise, mut listed_seen) = (0usize, 0usize, BTreeSet::new());
    let mut missed = Vec::new();
    for s in recorded() {
        let e = n.explain(&s);
        // A bestseller or award tag's Fiction/Nonfiction is evidence, not a genre.
        if e.produced.iter().any(|p| p.rule != Rule::Evidence) {
            covered += 1;
        } else if listed.contains(&s) {
            listed_seen.insert(s);
        } else if e.dropped.iter().all(|d| {
            matches!(
                d.reason,
                DropReason::Noise(_) | DropReason::MappedToNothing | DropReason::TopicOfFiction
            )
        }) {
            noise += 1;
        } else {
            missed.push(s);
        }
    }
    let topics = covered + missed.len();
    #[expect(clippy::cast_precision_loss, reason = "counts of a few thousand")]
    let share = covered as f64 / topics.max(1) as f64;
    println!(
        "corpus: {covered} strings give a genre, {} topics give none ({:.1}% covered); {noise} noise; {} not topics",
        missed.len(),
        100.0 * share,
        listed_seen.len()
    );
    for s in &missed {
        println!("  no genre: {s}");
    }
    assert!(share >= 0.95, "{share:.3} of the topic strings give a genre");
    let stale: Vec<&String> = listed.iter().filter(|s| !listed_seen.contains(*s)).collect();
    assert!(
        stale.is_empty(),
        "not_topics.txt lists strings that give a genre or are not in the corpus: {stale:?}"
    );
    // No noise survives as a genre (a bestseller or award tag may still say fiction or nonfiction).
    for s in synthetic_noise() {
        let e = n.explain(&s);
        let genres: Vec<_> = e.produced.iter().filter(|p| p.rule != Rule::Evidence).collect();
        assert!(genres.is_empty(), "noise {s:?} gives {genres:?}");
    }
}
