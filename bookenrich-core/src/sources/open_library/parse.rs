//! Open Library response shapes and what a lookup takes from them.
//!
//! Every field is optional (`#[serde(default)]`, `null` accepted) and unknown
//! fields are ignored, because Open Library records are hand-edited and vary a
//! lot; a field of the wrong type is a malformed response.

use serde::{Deserialize, Serialize};

use super::super::matching::{self, MatchScore};
use super::super::{SourceError, SourceErrorKind, SourceHit};

/// Host of the Covers API; cover URLs point there whatever base URL the source uses.
const COVERS_BASE: &str = "https://covers.openlibrary.org";

/// One entry of a `/api/books?…&jscmd=data` answer (the value under a bibkey).
///
/// The `jscmd=data` shape has no `works` key: the work is found by search.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub(crate) struct BooksApiRecord {
    /// Edition key, e.g. `/books/OL32784120M`.
    pub key: Option<String>,
    /// Edition title.
    pub title: Option<String>,
    /// Authors as `{name, url}`.
    pub authors: Option<Vec<Named>>,
    /// `isbn_10`, `isbn_13`, `goodreads`, `openlibrary`, … → values.
    pub identifiers: Option<std::collections::BTreeMap<String, Vec<String>>>,
    /// Subjects as `{name, url}`.
    pub subjects: Option<Vec<SubjectEntry>>,
    /// Cover URLs by cover id.
    pub cover: Option<CoverLinks>,
    /// `dewey_decimal_class` and `lc_classifications` numbers.
    pub classifications: Option<BooksApiClassifications>,
}

/// `classifications` of a Books API entry.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub(crate) struct BooksApiClassifications {
    /// Dewey numbers as written, e.g. `294.3/927`.
    pub dewey_decimal_class: Option<Vec<String>>,
    /// LC call numbers as written, e.g. `BQ9265.6 .T7313 1994`.
    pub lc_classifications: Option<Vec<String>>,
}

/// Classification numbers tagged `ddc:` and `lcc:`, blanks and duplicates left out.
pub(crate) fn tagged_classifications<'a>(
    ddc: impl IntoIterator<Item = &'a String>,
    lcc: impl IntoIterator<Item = &'a String>,
) -> Vec<String> {
    let ddc = ddc.into_iter().map(|n| ("ddc", n));
    let lcc = lcc.into_iter().map(|n| ("lcc", n));
    let mut out: Vec<String> = Vec::new();
    for (scheme, number) in ddc.chain(lcc) {
        let tagged = format!("{scheme}:{}", number.trim());
        if number.trim().is_empty() || out.contains(&tagged) {
            continue;
        }
        out.push(tagged);
    }
    out
}

/// A `{name, url}` object.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub(crate) struct Named {
    /// Display name.
    pub name: Option<String>,
}

/// A subject: a `{name, url}` object in the Books API, a plain string in work and edition records.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub(crate) enum SubjectEntry {
    /// Work/edition records: `"Fantasy fiction"`.
    Text(String),
    /// Books API: `{"name": "Fantasy fiction", "url": "…"}`.
    Object(Named),
}

impl SubjectEntry {
    fn name(&self) -> Option<&str> {
        match self {
            Self::Text(s) => Some(s),
            Self::Object(n) => n.name.as_deref(),
        }
    }
}

/// `cover{small, medium, large}` of a Books API entry.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub(crate) struct CoverLinks {
    /// `…/b/id/{id}-S.jpg`.
    pub small: Option<String>,
    /// `…/b/id/{id}-M.jpg`.
    pub medium: Option<String>,
    /// `…/b/id/{id}-L.jpg`.
    pub large: Option<String>,
}

/// A `/search.json` answer.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub(crate) struct SearchResponse {
    /// Matching works, best first by Open Library's own ranking.
    pub docs: Option<Vec<SearchDoc>>,
}

/// One work in a search answer, limited to the fields the source asks for.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub(crate) struct SearchDoc {
    /// Work key, already in `/works/OL…W` form.
    pub key: Option<String>,
    /// Work title.
    pub title: Option<String>,
    /// Author names.
    pub author_name: Option<Vec<String>>,
    /// Work subjects (plain strings).
    pub subject: Option<Vec<String>>,
    /// ISBNs of all editions (10 and 13 digits mixed).
    pub isbn: Option<Vec<String>>,
    /// Cover id.
    pub cover_i: Option<i64>,
    /// Edition keys (`OL…M`, without prefix).
    pub edition_key: Option<Vec<String>>,
    /// Dewey numbers of the work's editions (only when the request's `fields` asks for `ddc`).
    pub ddc: Option<Vec<String>>,
    /// LC call numbers of the work's editions, in the index's sortable form (`fields=lcc`).
    pub lcc: Option<Vec<String>>,
}

/// A `/works/OL…W.json` record.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub(crate) struct WorkRecord {
    /// Work key.
    pub key: Option<String>,
    /// Subjects (plain strings).
    pub subjects: Option<Vec<SubjectEntry>>,
    /// Cover ids; `-1` marks a deleted cover.
    pub covers: Option<Vec<i64>>,
}

/// Decodes one Books API entry, naming the URL and the field at fault when its shape is wrong.
pub(crate) fn decode_entry(
    source: &str,
    url: &str,
    bibkey: &str,
    value: serde_json::Value,
) -> Result<BooksApiRecord, SourceError> {
    serde_json::from_value(value).map_err(|e| {
        SourceError::new(
            source,
            SourceErrorKind::MalformedResponse,
            format!("entry {bibkey:?}: {e}"),
        )
        .with_url(url)
    })
}

/// Subject names without blanks and exact duplicates, in catalogue order.
fn subject_names<'a>(subjects: impl IntoIterator<Item = &'a str>) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for name in subjects {
        let name = name.trim();
        if !name.is_empty() && !out.iter().any(|s| s == name) {
            out.push(name.to_owned());
        }
    }
    out
}

/// Medium and small cover URLs for a cover id; `None` for the ids that mean "no cover".
pub(crate) fn cover_urls(cover_id: i64) -> Option<(String, String)> {
    (cover_id > 0).then(|| {
        (
            format!("{COVERS_BASE}/b/id/{cover_id}-M.jpg"),
            format!("{COVERS_BASE}/b/id/{cover_id}-S.jpg"),
        )
    })
}

/// The cover id in a `…/b/id/{id}-{S|M|L}.jpg` URL. Other cover URLs (by ISBN,
/// OCLC, …) are rate-limited by Open Library and are never used.
pub(crate) fn cover_id_from_url(url: &str) -> Option<i64> {
    let rest = &url[url.find("/b/id/")? + "/b/id/".len()..];
    let (id, suffix) = rest.split_once('-')?;
    if !matches!(suffix, "S.jpg" | "M.jpg" | "L.jpg")
        || id.is_empty()
        || !id.bytes().all(|b| b.is_ascii_digit())
    {
        return None;
    }
    id.parse().ok()
}

/// A work key in `/works/OL…W` form, from either that form or a bare `OL…W`; `None` if
/// it is not a work key (so a URL is never built from an unexpected value).
pub(crate) fn work_key(key: &str) -> Option<String> {
    let id = key.strip_prefix("/works/").unwrap_or(key);
    let digits = id.strip_prefix("OL")?.strip_suffix('W')?;
    (!digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()))
        .then(|| format!("/works/{id}"))
}

impl BooksApiRecord {
    /// What this edition record gives: subjects, cover and identifiers.
    pub(crate) fn to_hit(&self, isbn13: &str) -> SourceHit {
        let mut hit = SourceHit {
            genres: subject_names(self.subjects.iter().flatten().filter_map(SubjectEntry::name)),
            classifications: self.classifications.as_ref().map_or_else(Vec::new, |c| {
                tagged_classifications(
                    c.dewey_decimal_class.iter().flatten(),
                    c.lc_classifications.iter().flatten(),
                )
            }),
            ..SourceHit::default()
        };
        let cover = self.cover.as_ref();
        let cover_id = cover
            .into_iter()
            .flat_map(|c| [&c.medium, &c.small, &c.large])
            .flatten()
            .find_map(|u| cover_id_from_url(u));
        if let Some((medium, small)) = cover_id.and_then(cover_urls) {
            hit.thumbnail_url = Some(medium);
            hit.small_thumbnail_url = Some(small);
        } else if cover.is_some_and(|c| c.medium.is_some() || c.small.is_some()) {
            hit.notes.push("open_library: cover URL not by cover id; not used".to_owned());
        }
        if let Some(key) = self.key.as_deref().filter(|k| k.starts_with("/books/")) {
            hit.identifiers.push(key.to_owned());
        }
        hit.identifiers.push(format!("isbn:{isbn13}"));
        for id in self.identifiers.iter().filter_map(|m| m.get("goodreads")).flatten() {
            hit.identifiers.push(format!("goodreads:{id}"));
        }
        hit
    }

    /// Author names of this edition.
    pub(crate) fn author_names(&self) -> Vec<String> {
        self.authors.iter().flatten().filter_map(|a| a.name.clone()).collect()
    }
}

impl SearchDoc {
    /// What this search doc gives: the work key, subjects and cover.
    pub(crate) fn to_hit(&self) -> SourceHit {
        let mut hit = SourceHit {
            genres: subject_names(self.subject.iter().flatten().map(String::as_str)),
            // A search doc's subjects are its work's, pooled over all editions.
            genres_level: crate::model::Level::Work,
            classifications: tagged_classifications(
                self.ddc.iter().flatten(),
                self.lcc.iter().flatten(),
            ),
            ..SourceHit::default()
        };
        if let Some((medium, small)) = self.cover_i.and_then(cover_urls) {
            hit.thumbnail_url = Some(medium);
            hit.small_thumbnail_url = Some(small);
        }
        if let Some(key) = self.work_key() {
            hit.identifiers.push(key);
        }
        hit
    }

    /// The doc's work key, validated.
    pub(crate) fn work_key(&self) -> Option<String> {
        self.key.as_deref().and_then(work_key)
    }

    /// Whether one of the doc's editions has this ISBN (13 digits, or its 10-digit form).
    pub(crate) fn has_isbn(&self, isbn13: &str, isbn10: Option<&str>) -> bool {
        self.isbn.iter().flatten().any(|i| {
            let i = i.trim();
            i == isbn13 || isbn10.is_some_and(|ten| i.eq_ignore_ascii_case(ten))
        })
    }
}

impl WorkRecord {
    /// Subjects of the work.
    pub(crate) fn genres(&self) -> Vec<String> {
        subject_names(self.subjects.iter().flatten().filter_map(SubjectEntry::name))
    }

    /// Medium and small URLs of the work's first live cover.
    pub(crate) fn cover(&self) -> Option<(String, String)> {
        self.covers.iter().flatten().copied().find_map(cover_urls)
    }
}

/// The book a search should find.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Wanted<'a> {
    /// Title without series suffix.
    pub title: &'a str,
    /// Primary author (may be empty).
    pub author: &'a str,
    /// The book's ISBN-13 and ISBN-10, when it has one: a doc carrying it is the book.
    pub isbn: Option<(&'a str, Option<&'a str>)>,
}

/// The doc that best matches `wanted`, with its score; `None` when every doc matches poorly.
///
/// A doc that lists the wanted ISBN is the book whatever its title (translations,
/// retitled editions). Otherwise title and author must both resemble the query;
/// among acceptable docs the best-ranked wins, then the one with subjects, then
/// Open Library's order.
pub(crate) fn choose_doc<'d>(
    docs: &'d [SearchDoc],
    wanted: &Wanted<'_>,
) -> Option<(&'d SearchDoc, MatchScore)> {
    let mut best: Option<(&SearchDoc, MatchScore, (bool, f64, bool))> = None;
    for doc in docs {
        let score = matching::score(
            wanted.title,
            wanted.author,
            doc.title.as_deref().unwrap_or_default(),
            doc.author_name.as_deref().unwrap_or_default(),
        );
        let isbn_match = wanted.isbn.is_some_and(|(thirteen, ten)| doc.has_isbn(thirteen, ten));
        if !isbn_match && !score.is_acceptable() {
            continue;
        }
        let has_subjects = doc.subject.as_ref().is_some_and(|s| !s.is_empty());
        let key = (isbn_match, score.rank(), has_subjects);
        // Strictly better only, so that among equals Open Library's order decides.
        let better = best.as_ref().is_none_or(|(_, _, b)| {
            key.0.cmp(&b.0).then(key.1.total_cmp(&b.1)).then(key.2.cmp(&b.2)).is_gt()
        });
        if better {
            best = Some((doc, score, key));
        }
    }
    best.map(|(doc, score, _)| (doc, score))
}

// Built on the recorded catalogue responses, which the published crate leaves out (build.rs).
#[cfg(all(test, recorded_responses))]
#[allow(clippy::unwrap_used)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;

    const THREE_BIBKEYS: &str =
        include_str!("../../../tests/data/openlibrary_api_books_jscmd_data_3_bibkeys.json");
    const NO_SUBJECTS: &str = include_str!(
        "../../../tests/data/openlibrary_api_books_jscmd_data_isbn_9782070427796_no_subjects_no_cover.json"
    );
    const SEARCH_TIME_WAR: &str =
        include_str!("../../../tests/data/openlibrary_search_json_time_war.json");
    const WORK_MR_FOX: &str =
        include_str!("../../../tests/data/openlibrary_works_OL45804W_fantastic_mr_fox.json");
    const WORK_SABRIEL: &str =
        include_str!("../../../tests/data/openlibrary_works_OL15832982W_sabriel.json");
    const EDITION_MR_FOX: &str =
        include_str!("../../../tests/data/openlibrary_isbn_9780140328721_edition.json");
    const EDITION_SABRIEL: &str = include_str!(
        "../../../tests/data/openlibrary_books_edition_sabriel_subject_trailing_period.json"
    );

    fn batch(json: &str) -> BTreeMap<String, BooksApiRecord> {
        let raw: BTreeMap<String, serde_json::Value> = serde_json::from_str(json).unwrap();
        raw.into_iter()
            .map(|(k, v)| {
                let rec = decode_entry("open_library", "http://x/api/books", &k, v).unwrap();
                (k, rec)
            })
            .collect()
    }

    /// No recorded search answer carries `ddc`/`lcc` (they come only with `fields=ddc,lcc`); the
    /// shape is the documented one (shared catalogue-apis.md: `ddc` like "813.6", `lcc` in the
    /// index's padded sortable form).
    #[test]
    fn search_doc_classifications_are_tagged() {
        let doc: SearchDoc = serde_json::from_str(
            r#"{"key":"/works/OL893415W","ddc":["813.54","813.54"],"lcc":["PS-3558.00000000.E63 D8"]}"#,
        )
        .unwrap();
        assert_eq!(doc.to_hit().classifications, ["ddc:813.54", "lcc:PS-3558.00000000.E63 D8"]);
        assert_eq!(doc.to_hit().genres_level, crate::model::Level::Work);
    }

    #[test]
    fn books_api_batch_gives_subjects_cover_and_identifiers_per_bibkey() {
        let records = batch(THREE_BIBKEYS);
        assert_eq!(
            records.keys().collect::<Vec<_>>(),
            ["ISBN:0439064872", "LCCN:93005405", "OLID:OL32336498M"]
        );

        let hp = records["ISBN:0439064872"].to_hit("9780439064873");
        assert_eq!(hp.genres.len(), 94);
        assert_eq!(hp.genres[..4], ["Fantasy fiction", "school stories", "Fiction", "Fantasy"]);
        assert_eq!(hp.genres.last().map(String::as_str), Some("Deutschland"));
        assert!(hp.genres.iter().any(|g| g == "Nestlé Smarties Book Prize winner"));
        assert_eq!(
            hp.thumbnail_url.as_deref(),
            Some("https://covers.openlibrary.org/b/id/11416356-M.jpg")
        );
        assert_eq!(
            hp.small_thumbnail_url.as_deref(),
            Some("https://covers.openlibrary.org/b/id/11416356-S.jpg")
        );
        assert_eq!(hp.identifiers, ["/books/OL32784120M", "isbn:9780439064873", "goodreads:50968"]);
        assert!(hp.notes.is_empty());
        assert_eq!(records["ISBN:0439064872"].author_names(), ["J. K. Rowling"]);
        assert_eq!(hp.classifications, ["lcc:PZ7.R79835 Haj 1999"]);

        let zen = records["LCCN:93005405"].to_hit("9780385472579");
        assert_eq!(zen.genres, ["Caricatures and cartoons", "Zen Buddhism"]);
        assert_eq!(zen.classifications, ["ddc:294.3/927", "lcc:BQ9265.6 .T7313 1994"]);
        assert_eq!(
            zen.thumbnail_url.as_deref(),
            Some("https://covers.openlibrary.org/b/id/240726-M.jpg")
        );
        assert_eq!(
            zen.identifiers,
            ["/books/OL1397864M", "isbn:9780385472579", "goodreads:979250"]
        );

        let habits = records["OLID:OL32336498M"].to_hit("9780735211308");
        assert!(habits.classifications.is_empty(), "no classifications key");
        assert_eq!(
            habits.genres,
            [
                "Habit",
                "Habit breaking",
                "Behavior modification",
                "Self-actualization (psychology)",
                "nyt:business-books=2020-07-12",
                "New York Times bestseller"
            ]
        );
        assert_eq!(
            habits.small_thumbnail_url.as_deref(),
            Some("https://covers.openlibrary.org/b/id/10958382-S.jpg")
        );
        assert_eq!(habits.identifiers, ["/books/OL32336498M", "isbn:9780735211308"]);
    }

    #[test]
    fn books_api_entry_without_subjects_or_cover_is_found_but_empty() {
        let records = batch(NO_SUBJECTS);
        let rec = &records["ISBN:9782070427796"];
        let hit = rec.to_hit("9782070427796");
        assert!(hit.genres.is_empty());
        assert_eq!(hit.thumbnail_url, None);
        assert_eq!(hit.small_thumbnail_url, None);
        assert_eq!(
            hit.identifiers,
            ["/books/OL16262504M", "isbn:9782070427796", "goodreads:1835483"]
        );
        assert_eq!(rec.title.as_deref(), Some("Les ombres errantes"));
        assert_eq!(rec.author_names(), ["Pascal Quignard"]);
    }

    #[test]
    fn books_api_record_has_no_works_key_to_follow() {
        // The old pipeline looked for `works` here; the shape has none, so the work is found by search.
        let raw: BTreeMap<String, serde_json::Value> = serde_json::from_str(THREE_BIBKEYS).unwrap();
        assert!(raw.values().all(|v| v.get("works").is_none()));
    }

    #[test]
    fn cached_entry_round_trips() {
        let records = batch(THREE_BIBKEYS);
        let rec = &records["ISBN:0439064872"];
        let back: BooksApiRecord =
            serde_json::from_str(&serde_json::to_string(rec).unwrap()).unwrap();
        assert_eq!(&back, rec);
    }

    #[test]
    fn wrong_types_are_malformed_with_url_and_field() {
        let err = decode_entry(
            "open_library",
            "https://openlibrary.org/api/books?bibkeys=ISBN:9780140328721&format=json&jscmd=data",
            "ISBN:9780140328721",
            serde_json::json!({"subjects": "Fiction"}),
        )
        .unwrap_err();
        assert_eq!(err.kind, SourceErrorKind::MalformedResponse);
        assert_eq!(
            err.url.as_deref(),
            Some(
                "https://openlibrary.org/api/books?bibkeys=ISBN:9780140328721&format=json&jscmd=data"
            )
        );
        assert!(err.message.contains("ISBN:9780140328721"), "{}", err.message);
        assert!(
            serde_json::from_str::<SearchResponse>(r#"{"docs": {"key": "/works/OL1W"}}"#).is_err()
        );
        assert!(serde_json::from_str::<WorkRecord>(r#"{"covers": ["x"]}"#).is_err());
    }

    #[test]
    fn missing_and_null_fields_and_unknown_fields_are_accepted() {
        let rec = decode_entry(
            "open_library",
            "u",
            "k",
            serde_json::json!({"subjects": null, "cover": null, "new_field": [1]}),
        )
        .unwrap();
        let hit = rec.to_hit("9780140328721");
        assert!(hit.genres.is_empty());
        assert_eq!(hit.identifiers, ["isbn:9780140328721"]);
        let empty: SearchResponse = serde_json::from_str("{}").unwrap();
        assert_eq!(empty.docs, None);
    }

    #[test]
    fn search_docs_give_work_key_subjects_and_cover() {
        let resp: SearchResponse = serde_json::from_str(SEARCH_TIME_WAR).unwrap();
        let docs = resp.docs.unwrap();
        assert_eq!(docs.len(), 2);

        let first = docs[0].to_hit();
        assert_eq!(first.genres, ["epistolary", "science fiction", "time-traveling", "LGBT"]);
        assert_eq!(first.thumbnail_url, None, "no cover_i on the first doc");
        assert_eq!(first.identifiers, ["/works/OL20639540W"]);
        assert!(docs[0].has_isbn("9781534431003", Some("1534431004")));
        assert!(!docs[0].has_isbn("9780140328721", Some("0140328726")));
        assert_eq!(docs[0].edition_key.as_deref(), Some(&["OL27901088M".to_owned()][..]));

        let second = docs[1].to_hit();
        assert!(second.genres.is_empty());
        assert_eq!(
            second.thumbnail_url.as_deref(),
            Some("https://covers.openlibrary.org/b/id/8665647-M.jpg")
        );
        assert_eq!(
            second.small_thumbnail_url.as_deref(),
            Some("https://covers.openlibrary.org/b/id/8665647-S.jpg")
        );
        assert_eq!(second.identifiers, ["/works/OL19859295W"]);
    }

    #[test]
    fn best_doc_is_chosen_by_match_not_position() {
        let resp: SearchResponse = serde_json::from_str(SEARCH_TIME_WAR).unwrap();
        let docs = resp.docs.unwrap();
        let wanted = Wanted {
            title: "This Is How You Lose the Time War",
            author: "Amal El-Mohtar",
            isbn: None,
        };
        // Both docs match equally: the one with subjects wins.
        let (doc, score) = choose_doc(&docs, &wanted).unwrap();
        assert_eq!(doc.key.as_deref(), Some("/works/OL20639540W"));
        assert!(score.is_acceptable());

        // Reversed, the choice is the same doc: position does not decide.
        let reversed: Vec<SearchDoc> = docs.iter().rev().cloned().collect();
        assert_eq!(
            choose_doc(&reversed, &wanted).unwrap().0.key.as_deref(),
            Some("/works/OL20639540W")
        );

        // A better title match further down beats a poor first doc.
        let decoy = SearchDoc {
            key: Some("/works/OL1W".into()),
            title: Some("The Time War Companion".into()),
            author_name: Some(vec!["Someone Else".into()]),
            subject: Some(vec!["Criticism".into()]),
            ..SearchDoc::default()
        };
        let with_decoy = vec![decoy, docs[1].clone()];
        assert_eq!(
            choose_doc(&with_decoy, &wanted).unwrap().0.key.as_deref(),
            Some("/works/OL19859295W")
        );
    }

    #[test]
    fn poor_matches_are_rejected() {
        let resp: SearchResponse = serde_json::from_str(SEARCH_TIME_WAR).unwrap();
        let docs = resp.docs.unwrap();
        let other = Wanted { title: "The Alchemist", author: "Paulo Coelho", isbn: None };
        assert!(choose_doc(&docs, &other).is_none());
        let wrong_author = Wanted {
            title: "This Is How You Lose the Time War",
            author: "Paulo Coelho",
            isbn: None,
        };
        assert!(choose_doc(&docs, &wrong_author).is_none());
        assert!(choose_doc(&[], &other).is_none());
    }

    #[test]
    fn a_doc_carrying_the_isbn_wins_even_with_another_title() {
        let resp: SearchResponse = serde_json::from_str(SEARCH_TIME_WAR).unwrap();
        let docs = resp.docs.unwrap();
        let wanted = Wanted {
            title: "Lose the Time War (Special Edition)",
            author: "",
            isbn: Some(("9781534431003", Some("1534431004"))),
        };
        assert_eq!(
            choose_doc(&docs, &wanted).unwrap().0.key.as_deref(),
            Some("/works/OL20639540W")
        );
    }

    #[test]
    fn work_records_give_subjects_and_first_live_cover() {
        let fox: WorkRecord = serde_json::from_str(WORK_MR_FOX).unwrap();
        let genres = fox.genres();
        assert_eq!(genres.len(), 31);
        assert_eq!(genres[..3], ["Animals", "Hunger", "Open Library Staff Picks"]);
        assert!(genres.iter().any(|g| g == "Ficción juvenil"));
        assert_eq!(fox.cover().unwrap().0, "https://covers.openlibrary.org/b/id/6498519-M.jpg");
        assert_eq!(fox.key.as_deref(), Some("/works/OL45804W"));

        let sabriel: WorkRecord = serde_json::from_str(WORK_SABRIEL).unwrap();
        assert_eq!(
            sabriel.genres(),
            [
                "Fantasy",
                "Science Fiction & Fantasy",
                "Fantasy fiction",
                "Fiction",
                "Juvenile Fiction",
                "Juvenile fiction",
                "Magical thinking"
            ]
        );
        assert_eq!(sabriel.cover().unwrap().1, "https://covers.openlibrary.org/b/id/6796986-S.jpg");

        let deleted: WorkRecord = serde_json::from_str(r#"{"covers": [-1, 0, 42]}"#).unwrap();
        assert_eq!(deleted.cover().unwrap().0, "https://covers.openlibrary.org/b/id/42-M.jpg");
    }

    #[test]
    fn edition_records_parse_with_the_work_shape() {
        // `/isbn/…json` and `/books/…json` editions share the string-subject shape of works.
        let fox: WorkRecord = serde_json::from_str(EDITION_MR_FOX).unwrap();
        assert!(fox.genres().is_empty());
        assert_eq!(fox.cover().unwrap().0, "https://covers.openlibrary.org/b/id/8739161-M.jpg");
        let sabriel: WorkRecord = serde_json::from_str(EDITION_SABRIEL).unwrap();
        assert_eq!(sabriel.genres(), ["Fantasy."]);
        assert_eq!(sabriel.cover(), None);
    }

    #[test]
    fn cover_ids_come_only_from_by_id_urls() {
        assert_eq!(
            cover_id_from_url("https://covers.openlibrary.org/b/id/11416356-M.jpg"),
            Some(11_416_356)
        );
        assert_eq!(
            cover_id_from_url("http://covers.openlibrary.org/b/id/240726-S.jpg"),
            Some(240_726)
        );
        assert_eq!(
            cover_id_from_url("https://covers.openlibrary.org/b/isbn/9780140328721-M.jpg"),
            None
        );
        assert_eq!(cover_id_from_url("https://covers.openlibrary.org/b/id/-M.jpg"), None);
        assert_eq!(cover_id_from_url("https://covers.openlibrary.org/b/id/12-M.png"), None);
        assert_eq!(cover_urls(0), None);
        assert_eq!(cover_urls(-1), None);

        let by_isbn = BooksApiRecord {
            cover: Some(CoverLinks {
                medium: Some("https://covers.openlibrary.org/b/isbn/9780140328721-M.jpg".into()),
                ..CoverLinks::default()
            }),
            ..BooksApiRecord::default()
        };
        let hit = by_isbn.to_hit("9780140328721");
        assert_eq!(hit.thumbnail_url, None);
        assert_eq!(hit.notes.len(), 1);
    }

    #[test]
    fn work_keys_are_normalised_once() {
        assert_eq!(work_key("/works/OL45804W").as_deref(), Some("/works/OL45804W"));
        assert_eq!(work_key("OL45804W").as_deref(), Some("/works/OL45804W"));
        assert_eq!(work_key("/works//works/OL45804W"), None);
        assert_eq!(work_key("/books/OL7353617M"), None);
        assert_eq!(work_key("/works/OL45804W/../x"), None);
        assert_eq!(work_key("/works/OLW"), None);
    }
}
