//! Open Library's search API asked for many books at once, by identifier, and the match
//! from the work docs it answers back to the books that were asked for.
//!
//! `search.json?q=isbn:(A OR B …)` answers many ISBNs in one request (recorded real answer:
//! `bookenrich-core/tests/data/openlibrary_search_isbn_or_batch_26.json`). It returns **one doc per matching
//! work**, not one per ISBN: an unknown ISBN gives no doc, and an ISBN listed by two works (a box
//! set and its single volume) gives both. So docs are matched back to books by the identifiers
//! they list, never by position. With `editions,editions.key,editions.isbn` in `fields`, each
//! doc carries the one edition that matched, whose `isbn` list holds both ISBN forms (in no fixed
//! order) — a short list to match against, where the work-level `isbn` lists every edition's.
//!
//! `q=id_goodreads:(…)` asks the same by the export's Goodreads ids; a doc's work-level
//! `id_goodreads` lists the Goodreads edition ids Open Library indexes for the work. Other
//! projects send `id_goodreads:ID` for one id; the OR-list is the same Solr syntax as the
//! recorded ISBN batch, but no recorded answer of it exists. A query combining both fields is
//! not recorded either, so the two are sent as separate requests.

use serde::{Deserialize, Serialize};

use super::parse::{cover_urls, tagged_classifications, work_key};
use crate::sources::SourceHit;
use crate::sources::matching;

/// Fields a bulk search asks for: enough to match docs back and enrich the books without a
/// work lookup (`subject` is the work's subject list).
/// `ddc` and `lcc` (the work's editions' Dewey and LC numbers) are the evidence of last resort for
/// a work without subjects; no recorded answer carries them (see `SearchDoc`'s test).
pub(crate) const BULK_FIELDS: &str = "key,title,author_name,subject,ddc,lcc,cover_i,id_goodreads,editions,editions.key,editions.cover_i,editions.isbn";

/// A `/search.json` answer to an identifier query.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub(crate) struct BulkResponse {
    /// Works matching the query (may exceed the docs returned; then ask with `offset`).
    #[serde(rename = "numFound")]
    pub num_found: Option<u64>,
    /// One doc per matching work.
    pub docs: Option<Vec<BulkDoc>>,
}

/// One work doc of an identifier query, limited to [`BULK_FIELDS`].
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub(crate) struct BulkDoc {
    /// Work key, `/works/OL…W`.
    pub key: Option<String>,
    /// Work title.
    pub title: Option<String>,
    /// Author names.
    pub author_name: Option<Vec<String>>,
    /// The work's subjects (plain strings, unfiltered).
    pub subject: Option<Vec<String>>,
    /// The work's cover id.
    pub cover_i: Option<i64>,
    /// Goodreads edition ids Open Library indexes for the work.
    pub id_goodreads: Option<Vec<String>>,
    /// The editions that matched the query (one is returned).
    pub editions: Option<EditionBlock>,
    /// Work-level ISBNs of every edition; only read when `editions` is missing.
    pub isbn: Option<Vec<String>>,
    /// Dewey numbers of the work's editions.
    pub ddc: Option<Vec<String>>,
    /// LC call numbers of the work's editions, in the index's sortable form.
    pub lcc: Option<Vec<String>>,
}

/// The nested `editions` block of a doc: `{numFound, start, numFoundExact, docs}`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub(crate) struct EditionBlock {
    /// The matching edition(s) returned.
    pub docs: Option<Vec<EditionDoc>>,
}

/// One edition of an `editions` block.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub(crate) struct EditionDoc {
    /// Edition key, `/books/OL…M`.
    pub key: Option<String>,
    /// The edition's cover id.
    pub cover_i: Option<i64>,
    /// The edition's ISBNs, both forms, in no fixed order (a box set lists its volumes' too).
    pub isbn: Option<Vec<String>>,
}

/// `FIELD:(A OR B …)`, the Solr OR-list Open Library's search accepts.
pub(crate) fn or_query(field: &str, ids: &[&str]) -> String {
    format!("{field}:({})", ids.join(" OR "))
}

/// A book as the match-back sees it.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct BulkWanted<'a> {
    /// ISBN-13, if the book has a valid ISBN.
    pub isbn13: Option<&'a str>,
    /// The same ISBN's 10-digit form, when it has one.
    pub isbn10: Option<&'a str>,
    /// The export's Goodreads book id.
    pub goodreads_id: Option<&'a str>,
    /// Title without series suffix (may be empty).
    pub title: &'a str,
    /// Primary author (may be empty).
    pub author: &'a str,
}

impl BulkDoc {
    /// The ISBNs to match against: the matched edition's, else the work's.
    fn isbns(&self) -> impl Iterator<Item = &str> {
        let editions: Vec<&EditionDoc> =
            self.editions.iter().flat_map(|b| b.docs.iter().flatten()).collect();
        let from_editions: Vec<&str> =
            editions.iter().flat_map(|e| e.isbn.iter().flatten()).map(String::as_str).collect();
        let list = if from_editions.is_empty() {
            self.isbn.iter().flatten().map(String::as_str).collect()
        } else {
            from_editions
        };
        list.into_iter().map(str::trim)
    }

    /// Whether this doc lists the book's ISBN in either form.
    pub(crate) fn has_isbn(&self, isbn13: &str, isbn10: Option<&str>) -> bool {
        self.isbns().any(|i| i == isbn13 || isbn10.is_some_and(|t| i.eq_ignore_ascii_case(t)))
    }

    /// Whether this doc's work carries the Goodreads id.
    pub(crate) fn has_goodreads_id(&self, id: &str) -> bool {
        self.id_goodreads.iter().flatten().any(|g| g.trim() == id)
    }

    /// How many distinct ISBNs (counting both forms of one as two) the matched edition lists:
    /// a box set lists its volumes', the book itself only its own two forms.
    fn isbn_count(&self) -> usize {
        let mut seen: Vec<&str> = self.isbns().collect();
        seen.sort_unstable();
        seen.dedup();
        seen.len()
    }

    /// The doc's work key, validated.
    pub(crate) fn work_key(&self) -> Option<String> {
        self.key.as_deref().and_then(work_key)
    }

    /// Subjects, cover and identifiers for a book this doc was matched to.
    pub(crate) fn to_hit(&self, wanted: &BulkWanted<'_>) -> SourceHit {
        let mut hit = SourceHit::default();
        for s in self.subject.iter().flatten() {
            let s = s.trim();
            if !s.is_empty() && !hit.genres.iter().any(|g| g == s) {
                hit.genres.push(s.to_owned());
            }
        }
        hit.classifications =
            tagged_classifications(self.ddc.iter().flatten(), self.lcc.iter().flatten());
        let edition = self.editions.iter().flat_map(|b| b.docs.iter().flatten()).next();
        let cover = self
            .cover_i
            .and_then(cover_urls)
            .or_else(|| edition.and_then(|e| e.cover_i).and_then(cover_urls));
        if let Some((medium, small)) = cover {
            hit.thumbnail_url = Some(medium);
            hit.small_thumbnail_url = Some(small);
        }
        if let Some(key) = self.work_key() {
            hit.identifiers.push(key);
        }
        if let Some(key) =
            edition.and_then(|e| e.key.as_deref()).filter(|k| k.starts_with("/books/"))
        {
            hit.identifiers.push(key.to_owned());
        }
        if let Some(isbn13) = wanted.isbn13.filter(|i| self.has_isbn(i, wanted.isbn10)) {
            hit.identifiers.push(format!("isbn:{isbn13}"));
        }
        if let Some(id) = wanted.goodreads_id.filter(|id| self.has_goodreads_id(id)) {
            hit.identifiers.push(format!("goodreads:{id}"));
        }
        hit
    }
}

/// How much a candidate doc looks like the book: matched by ISBN (not only by Goodreads id),
/// title/author rank, fewer ISBNs on the matched edition. Compared lexicographically.
type Preference = (bool, f64, std::cmp::Reverse<usize>);

/// For each wanted book, the index of the doc that is it, or `None`.
///
/// A doc is a candidate for a book when it lists the book's ISBN (either form) or its
/// Goodreads id. Among several candidates (an ISBN in a box set and in the single volume),
/// the one whose title and author best match the book wins, then the one whose matched
/// edition lists fewer ISBNs (the book rather than a set), then Open Library's order.
pub(crate) fn match_back(docs: &[BulkDoc], wanted: &[BulkWanted<'_>]) -> Vec<Option<usize>> {
    wanted
        .iter()
        .map(|w| {
            let mut best: Option<(usize, Preference)> = None;
            for (i, doc) in docs.iter().enumerate() {
                let by_isbn = w.isbn13.is_some_and(|t| doc.has_isbn(t, w.isbn10));
                let by_goodreads = w.goodreads_id.is_some_and(|g| doc.has_goodreads_id(g));
                if !by_isbn && !by_goodreads {
                    continue;
                }
                let rank = if w.title.trim().is_empty() {
                    0.0
                } else {
                    matching::score(
                        w.title,
                        w.author,
                        doc.title.as_deref().unwrap_or_default(),
                        doc.author_name.as_deref().unwrap_or_default(),
                    )
                    .rank()
                };
                // An ISBN names an edition exactly; a Goodreads id only as well as the index is kept.
                let key = (by_isbn, rank, std::cmp::Reverse(doc.isbn_count()));
                let better = best.as_ref().is_none_or(|(_, b)| {
                    key.0.cmp(&b.0).then(key.1.total_cmp(&b.1)).then(key.2.cmp(&b.2)).is_gt()
                });
                if better {
                    best = Some((i, key));
                }
            }
            best.map(|(i, _)| i)
        })
        .collect()
}

// Built on the recorded catalogue responses, which the published crate leaves out (build.rs).
#[cfg(all(test, recorded_responses))]
mod tests {
    use super::*;

    const BATCH_26: &str =
        include_str!("../../../tests/data/openlibrary_search_isbn_or_batch_26.json");
    const DUNE: &str = include_str!(
        "../../../../tests/fixtures/openlibrary_search_q_dune_frank_herbert_fields_with_subject_trimmed.json"
    );

    fn isbn(thirteen: &'static str, ten: Option<&'static str>) -> BulkWanted<'static> {
        BulkWanted { isbn13: Some(thirteen), isbn10: ten, ..BulkWanted::default() }
    }

    /// No recorded bulk answer carries `ddc`/`lcc`; the shape is the documented one (shared
    /// catalogue-apis.md), the same as `SearchDoc`'s.
    #[test]
    fn classification_numbers_of_a_doc_become_tagged_evidence() {
        let doc: BulkDoc = serde_json::from_str(
            r#"{"key":"/works/OL893415W","isbn":["9780441013593"],"ddc":["813.54"],"lcc":["PS-3558.00000000.E63 D8"]}"#,
        )
        .unwrap();
        let hit = doc.to_hit(&isbn("9780441013593", None));
        assert_eq!(hit.classifications, ["ddc:813.54", "lcc:PS-3558.00000000.E63 D8"]);
        assert!(hit.genres.is_empty());
    }

    #[test]
    fn the_recorded_batch_gives_one_doc_per_work() {
        let resp: BulkResponse = serde_json::from_str(BATCH_26).unwrap();
        assert_eq!(resp.num_found, Some(26));
        let docs = resp.docs.unwrap();
        assert_eq!(docs.len(), 26);
        assert!(docs.iter().all(|d| d.work_key().is_some()));
        // The answer's own order is not the order asked (ISBNs were sorted), so position means nothing.
        assert_eq!(docs[0].key.as_deref(), Some("/works/OL82563W"));
        assert!(docs[0].has_isbn("9780747532699", Some("0747532699")));
    }

    #[test]
    fn match_back_uses_identifiers_both_isbn_forms_and_finds_nothing_for_unknown_isbns() {
        let docs = serde_json::from_str::<BulkResponse>(BATCH_26).unwrap().docs.unwrap();
        let wanted = [
            isbn("9780547928227", Some("054792822X")), // listed ten-first, X check digit
            isbn("9791099999993", None),               // unknown: no doc
            isbn("9780441172665", Some("0441172660")), // Dune: an edition listing four ISBNs
            isbn("9780141439518", Some("0141439513")),
        ];
        let found = match_back(&docs, &wanted);
        let keys: Vec<Option<&str>> =
            found.iter().map(|i| i.and_then(|i| docs[i].key.as_deref())).collect();
        assert_eq!(
            keys,
            [Some("/works/OL27482W"), None, Some("/works/OL893414W"), Some("/works/OL66554W")]
        );
        // A book given only by its ISBN-10 (lower-case x) is found too.
        let ten_only = BulkWanted {
            isbn13: Some("9780000000000"),
            isbn10: Some("054792822x"),
            ..BulkWanted::default()
        };
        assert_eq!(match_back(&docs, &[ten_only]), [Some(4)]);
    }

    #[test]
    fn an_isbn_in_a_box_set_and_its_volume_goes_to_the_volume() {
        let docs = serde_json::from_str::<BulkResponse>(BATCH_26).unwrap().docs.unwrap();
        // 9780345339706 is in The Fellowship of the Ring (OL27513W) and in the box set
        // (OL27448W), whose matched edition lists three volumes' ISBNs.
        let both: Vec<&BulkDoc> =
            docs.iter().filter(|d| d.has_isbn("9780345339706", Some("0345339703"))).collect();
        assert_eq!(both.len(), 2);
        let wanted = isbn("9780345339706", Some("0345339703"));
        let chosen = match_back(&docs, &[wanted])[0].unwrap();
        assert_eq!(docs[chosen].key.as_deref(), Some("/works/OL27513W"));
        // Reversed, the choice is the same: never by position.
        let reversed: Vec<BulkDoc> = docs.iter().rev().cloned().collect();
        let chosen = match_back(&reversed, &[wanted])[0].unwrap();
        assert_eq!(reversed[chosen].key.as_deref(), Some("/works/OL27513W"));
        // A book whose title is the set's goes to the set.
        let mut titled = docs.clone();
        titled.iter_mut().find(|d| d.key.as_deref() == Some("/works/OL27448W")).unwrap().title =
            Some("The Lord of the Rings".into());
        titled.iter_mut().find(|d| d.key.as_deref() == Some("/works/OL27513W")).unwrap().title =
            Some("The Fellowship of the Ring".into());
        let set = BulkWanted { title: "The Lord of the Rings", author: "", ..wanted };
        let chosen = match_back(&titled, &[set])[0].unwrap();
        assert_eq!(titled[chosen].key.as_deref(), Some("/works/OL27448W"));
    }

    #[test]
    fn hits_take_edition_cover_and_identifiers() {
        let docs = serde_json::from_str::<BulkResponse>(BATCH_26).unwrap().docs.unwrap();
        let fellowship = docs.iter().find(|d| d.key.as_deref() == Some("/works/OL27513W")).unwrap();
        let hit = fellowship.to_hit(&isbn("9780345339706", Some("0345339703")));
        assert_eq!(
            hit.identifiers,
            ["/works/OL27513W", "/books/OL26451576M", "isbn:9780345339706"]
        );
        assert_eq!(
            hit.thumbnail_url.as_deref(),
            Some("https://covers.openlibrary.org/b/id/14627060-M.jpg"),
            "the work's cover first"
        );
        assert!(hit.genres.is_empty(), "this recording did not ask for subject");
        let coverless =
            docs.iter().find(|d| d.key.as_deref() == Some("/works/OL31967309W")).unwrap();
        assert_eq!(coverless.to_hit(&isbn("9780000000002", None)).thumbnail_url, None);
    }

    #[test]
    fn work_subjects_and_work_level_isbns_when_editions_were_not_asked() {
        // The Dune search asked for `subject` and the work-level `isbn` (no `editions`).
        let docs = serde_json::from_str::<BulkResponse>(DUNE).unwrap().docs.unwrap();
        let dune = &docs[0];
        assert!(dune.has_isbn("9780441013593", None));
        let hit = dune.to_hit(&isbn("9780441013593", None));
        assert!(hit.genres.iter().any(|g| g == "Science fiction"), "{:?}", hit.genres);
        assert_eq!(hit.identifiers, ["/works/OL893414W", "isbn:9780441013593"]);
    }

    #[test]
    fn goodreads_ids_match_the_work_level_list() {
        let doc: BulkDoc = serde_json::from_value(serde_json::json!({
            "key": "/works/OL1W", "title": "Some Book", "id_goodreads": ["2287468", "1128434"]
        }))
        .unwrap();
        let wanted = BulkWanted { goodreads_id: Some("1128434"), ..BulkWanted::default() };
        assert_eq!(match_back(std::slice::from_ref(&doc), &[wanted]), [Some(0)]);
        assert_eq!(doc.to_hit(&wanted).identifiers, ["/works/OL1W", "goodreads:1128434"]);
        let unknown = BulkWanted { goodreads_id: Some("112843"), ..BulkWanted::default() };
        assert_eq!(match_back(&[doc], &[unknown]), [None], "ids match whole, not as prefixes");
    }

    #[test]
    fn wrong_types_are_errors_and_missing_fields_are_not() {
        assert!(
            serde_json::from_str::<BulkResponse>(r#"{"docs":[{"id_goodreads":"1"}]}"#).is_err()
        );
        assert!(serde_json::from_str::<BulkResponse>(r#"{"docs":[{"editions":"x"}]}"#).is_err());
        let empty: BulkResponse = serde_json::from_str(r#"{"numFound":0,"docs":[]}"#).unwrap();
        assert_eq!(match_back(&empty.docs.unwrap(), &[isbn("9780345339706", None)]), [None]);
    }

    #[test]
    fn or_query_is_the_solr_list() {
        assert_eq!(
            or_query("isbn", &["9780345339706", "054792822X"]),
            "isbn:(9780345339706 OR 054792822X)"
        );
        assert_eq!(or_query("id_goodreads", &["104"]), "id_goodreads:(104)");
    }
}
