//! Google Books response shapes and what a lookup takes from them.
//!
//! Fields are optional (`#[serde(default)]`, `null` accepted) and unknown fields
//! are ignored; a field of the wrong type makes the response malformed.

use serde::{Deserialize, Serialize};

use super::super::SourceHit;
use super::super::matching::{self, MatchScore};

/// A `volumes?q=…` answer. Zero hits come as `{"kind":"books#volumes","totalItems":0}`, without `items`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub(crate) struct VolumeList {
    /// Matching volumes (a page of them).
    pub items: Option<Vec<Volume>>,
}

/// One volume: a search item, or the full `volumes/{id}` record.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub(crate) struct Volume {
    /// Volume id, e.g. `2cl7AgAAQBAJ`.
    pub id: Option<String>,
    /// Bibliographic data.
    pub volume_info: Option<VolumeInfo>,
}

/// `volumeInfo` of a volume.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub(crate) struct VolumeInfo {
    /// Title.
    pub title: Option<String>,
    /// Subtitle.
    pub subtitle: Option<String>,
    /// Author names.
    pub authors: Option<Vec<String>>,
    /// `ISBN_10`, `ISBN_13`, `ISSN` and `OTHER` identifiers.
    pub industry_identifiers: Option<Vec<IndustryIdentifier>>,
    /// Categories: one coarse entry in search items, the full BISAC-style list in the volume record.
    pub categories: Option<Vec<String>>,
    /// Legacy single category, rarely present.
    pub main_category: Option<String>,
    /// Cover images.
    pub image_links: Option<ImageLinks>,
}

/// One `industryIdentifiers` entry.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub(crate) struct IndustryIdentifier {
    /// `ISBN_10`, `ISBN_13`, `ISSN` or `OTHER`.
    #[serde(rename = "type")]
    pub kind: Option<String>,
    /// The identifier.
    pub identifier: Option<String>,
}

/// `imageLinks` of a volume (the full record may add `small`…`extraLarge`, unused:
/// for scanned volumes those can be interior pages).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub(crate) struct ImageLinks {
    /// About 80 px wide.
    pub small_thumbnail: Option<String>,
    /// About 128 px wide.
    pub thumbnail: Option<String>,
}

impl Volume {
    fn info(&self) -> Option<&VolumeInfo> {
        self.volume_info.as_ref()
    }

    /// The volume id, if it is safe to put in a URL path (`[A-Za-z0-9_-]+`).
    pub(crate) fn safe_id(&self) -> Option<&str> {
        self.id.as_deref().filter(|id| {
            !id.is_empty()
                && id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        })
    }

    /// The volume's ISBNs as written, with separators removed.
    fn isbns(&self) -> impl Iterator<Item = (&str, String)> {
        self.info().and_then(|i| i.industry_identifiers.as_ref()).into_iter().flatten().filter_map(
            |id| {
                let kind = id.kind.as_deref()?;
                let value: String =
                    id.identifier.as_deref()?.chars().filter(|c| *c != '-' && *c != ' ').collect();
                matches!(kind, "ISBN_10" | "ISBN_13").then_some((kind, value))
            },
        )
    }

    /// Whether the volume really carries the ISBN (as `ISBN_13`, or as `ISBN_10` in its 10-digit form).
    ///
    /// `q=isbn:` can return another edition, another book or a volume without ISBN.
    pub(crate) fn has_isbn(&self, isbn13: &str, isbn10: Option<&str>) -> bool {
        self.isbns().any(|(kind, value)| match kind {
            "ISBN_13" => value == isbn13,
            _ => isbn10.is_some_and(|ten| value.eq_ignore_ascii_case(ten)),
        })
    }

    /// The volume's ISBN-13 (converted from its ISBN-10 if that is all it has).
    pub(crate) fn isbn13(&self) -> Option<String> {
        let mut ten = None;
        for (kind, value) in self.isbns() {
            match kind {
                "ISBN_13" => {
                    if let Ok(isbn) = crate::isbn::Isbn::parse(&value) {
                        return Some(isbn.as_isbn13().to_owned());
                    }
                }
                _ => ten = ten.or_else(|| crate::isbn::Isbn::parse(&value).ok()),
            }
        }
        ten.map(|i| i.as_isbn13().to_owned())
    }

    /// How well the volume matches a title and author.
    pub(crate) fn score(&self, title: &str, author: &str) -> MatchScore {
        let info = self.info();
        let mut candidate = info.and_then(|i| i.title.clone()).unwrap_or_default();
        let authors = info.and_then(|i| i.authors.as_deref()).unwrap_or_default();
        let plain = matching::score(title, author, &candidate, authors);
        // Goodreads titles sometimes carry the subtitle Google keeps apart.
        if let Some(sub) = info.and_then(|i| i.subtitle.as_deref()).filter(|s| !s.is_empty()) {
            candidate.push_str(": ");
            candidate.push_str(sub);
            let with_sub = matching::score(title, author, &candidate, authors);
            if with_sub.rank() > plain.rank() {
                return with_sub;
            }
        }
        plain
    }

    /// Genres and covers of this volume, identified as `google:{id}` (plus its ISBN-13).
    pub(crate) fn to_hit(&self) -> SourceHit {
        let info = self.info();
        let mut genres: Vec<String> = Vec::new();
        let main = info.and_then(|i| i.main_category.as_deref());
        for category in main.into_iter().chain(
            info.and_then(|i| i.categories.as_deref())
                .unwrap_or_default()
                .iter()
                .map(String::as_str),
        ) {
            let category = category.trim();
            if !category.is_empty() && !genres.iter().any(|g| g == category) {
                genres.push(category.to_owned());
            }
        }
        let links = info.and_then(|i| i.image_links.as_ref());
        let mut identifiers = Vec::new();
        if let Some(id) = &self.id {
            identifiers.push(format!("google:{id}"));
        }
        if let Some(isbn) = self.isbn13() {
            identifiers.push(format!("isbn:{isbn}"));
        }
        SourceHit {
            genres,
            thumbnail_url: links.and_then(|l| l.thumbnail.as_deref()).and_then(clean_image_url),
            small_thumbnail_url: links
                .and_then(|l| l.small_thumbnail.as_deref())
                .and_then(clean_image_url),
            identifiers,
            notes: Vec::new(),
            incomplete: None,
            genres_level: crate::model::Level::Edition,
            classifications: Vec::new(),
        }
    }
}

/// A Google image URL fit for a web page: `https`, without the page-curl effect (`edge=curl`).
///
/// `None` for anything that is not then an absolute `https://` URL with a host
/// (`javascript:`, `data:`, protocol-relative, …): the URL goes into the dashboard and
/// the HTML report, so a hostile answer must not choose what a browser runs or loads.
pub(crate) fn clean_image_url(url: &str) -> Option<String> {
    let url = url.trim();
    let url = url
        .strip_prefix("http://")
        .map_or_else(|| url.to_owned(), |rest| format!("https://{rest}"));
    let parsed = url::Url::parse(&url).ok()?;
    if parsed.scheme() != "https" || parsed.host_str().is_none_or(str::is_empty) {
        return None;
    }
    let Some((head, query)) = url.split_once('?') else {
        return Some(url);
    };
    let kept: Vec<&str> = query.split('&').filter(|p| !p.is_empty() && *p != "edge=curl").collect();
    Some(if kept.is_empty() { head.to_owned() } else { format!("{head}?{}", kept.join("&")) })
}

/// The first item that carries the ISBN, skipping decoys.
pub(crate) fn item_with_isbn<'a>(
    items: &'a [Volume],
    isbn13: &str,
    isbn10: Option<&str>,
) -> Option<&'a Volume> {
    items.iter().find(|v| v.safe_id().is_some() && v.has_isbn(isbn13, isbn10))
}

/// The acceptable item that best matches the title and author (earlier wins ties).
pub(crate) fn best_title_match<'a>(
    items: &'a [Volume],
    title: &str,
    author: &str,
) -> Option<(&'a Volume, MatchScore)> {
    let mut best: Option<(&Volume, MatchScore)> = None;
    for item in items.iter().filter(|v| v.safe_id().is_some()) {
        let score = item.score(title, author);
        if score.is_acceptable() && best.as_ref().is_none_or(|(_, b)| score.rank() > b.rank()) {
            best = Some((item, score));
        }
    }
    best
}

// Built on the recorded catalogue responses, which the published crate leaves out (build.rs).
#[cfg(all(test, recorded_responses))]
#[expect(clippy::unwrap_used, reason = "clippy sees a test module only under a plain cfg(test)")]
mod tests {
    use super::*;

    const SEARCH_ANNIHILATION: &str =
        include_str!("../../../tests/data/google_volumes_isbn_9780374104092_annihilation.json");
    const VOLUME_ANNIHILATION: &str =
        include_str!("../../../tests/data/google_volume_2cl7AgAAQBAJ_annihilation.json");
    const SEARCH_CHILDREN: &str =
        include_str!("../../../tests/data/google_volumes_search_children_of_time.json");
    const VOLUME_CHILDREN: &str =
        include_str!("../../../tests/data/google_volume_49T5twEACAAJ_children_of_time.json");
    const ZERO_ITEMS: &str = include_str!("../../../tests/data/google_volumes_zero_items.json");
    const MASKED_ISBN: &str = include_str!(
        "../../../tests/data/googlebooks_fields_mask_isbn_9781521748831_categories.json"
    );
    const MASKED_TITLE: &str = include_str!(
        "../../../tests/data/googlebooks_fields_mask_intitle_cragside_inauthor_ljross_categories.json"
    );

    fn items(json: &str) -> Vec<Volume> {
        serde_json::from_str::<VolumeList>(json).unwrap().items.unwrap_or_default()
    }

    #[test]
    fn isbn_search_item_carries_the_isbn_and_one_coarse_category() {
        let items = items(SEARCH_ANNIHILATION);
        assert_eq!(items.len(), 1);
        let item = item_with_isbn(&items, "9780374104092", Some("0374104093")).unwrap();
        assert_eq!(item.safe_id(), Some("2cl7AgAAQBAJ"));
        let hit = item.to_hit();
        assert_eq!(hit.genres, ["Fiction"]);
        assert_eq!(
            hit.thumbnail_url.as_deref(),
            Some(
                "https://books.google.com/books/content?id=2cl7AgAAQBAJ&printsec=frontcover&img=1&zoom=1&source=gbs_api"
            )
        );
        assert_eq!(
            hit.small_thumbnail_url.as_deref(),
            Some(
                "https://books.google.com/books/content?id=2cl7AgAAQBAJ&printsec=frontcover&img=1&zoom=5&source=gbs_api"
            )
        );
        assert_eq!(hit.identifiers, ["google:2cl7AgAAQBAJ", "isbn:9780374104092"]);
    }

    #[test]
    fn volume_record_has_the_full_categories() {
        let volume: Volume = serde_json::from_str(VOLUME_ANNIHILATION).unwrap();
        let hit = volume.to_hit();
        assert_eq!(
            hit.genres,
            [
                "Fiction / General",
                "Fiction / Fantasy / General",
                "Fiction / Horror",
                "Fiction / Literary",
                "Fiction / Science Fiction / General",
                "Fiction / Science Fiction / Action & Adventure",
                "Fiction / Thrillers / Suspense",
                "Fiction / Dystopian",
            ]
        );
        let thumb = hit.thumbnail_url.as_deref().unwrap();
        assert!(
            thumb.starts_with("https://books.google.com/books/publisher/content?id=2cl7AgAAQBAJ&printsec=frontcover&img=1&zoom=1&imgtk="),
            "{thumb}"
        );
        assert!(thumb.ends_with("&source=gbs_api") && !thumb.contains("edge=curl"), "{thumb}");
        assert!(
            hit.small_thumbnail_url
                .as_deref()
                .is_some_and(|u| u.starts_with("https://") && !u.contains("edge=curl"))
        );
        assert_eq!(hit.identifiers, ["google:2cl7AgAAQBAJ", "isbn:9780374104092"]);
        assert!(volume.has_isbn("9780374104092", None));
        assert!(volume.has_isbn("0000000000000", Some("0374104093")));
    }

    #[test]
    fn children_of_time_search_and_volume() {
        let items = items(SEARCH_CHILDREN);
        assert_eq!(items.len(), 2);
        assert_eq!(items[1].to_hit().identifiers, ["google:G7utDwAAQBAJ", "isbn:9782072853319"]);
        assert_eq!(items[1].to_hit().genres, ["Fiction"]);

        let volume: Volume = serde_json::from_str(VOLUME_CHILDREN).unwrap();
        let hit = volume.to_hit();
        assert_eq!(hit.genres.len(), 5);
        assert_eq!(hit.genres[0], "Fiction / Science Fiction / Alien Contact");
        assert!(hit.genres.iter().any(|g| g == "Fiction / Science Fiction / Space Opera"));
        assert_eq!(hit.identifiers, ["google:49T5twEACAAJ", "isbn:9780316452502"]);
        assert!(hit.thumbnail_url.as_deref().is_some_and(|u| {
            u.starts_with("https://books.google.com/books/content?id=49T5twEACAAJ")
        }));
    }

    #[test]
    fn partial_responses_parse_like_full_ones() {
        // Real answers to a `fields=` mask: only the masked fields, `imageLinks` absent on one.
        let by_isbn = items(MASKED_ISBN);
        let item = item_with_isbn(&by_isbn, "9781521748831", Some("1521748837")).unwrap();
        let hit = item.to_hit();
        assert_eq!(hit.genres, ["Murder"]);
        assert_eq!(hit.thumbnail_url, None);
        assert_eq!(hit.identifiers, ["google:RASDtAEACAAJ", "isbn:9781521748831"]);

        let by_title = items(MASKED_TITLE);
        assert_eq!(by_title.len(), 2);
        let (best, _) = best_title_match(&by_title, "Cragside", "L. J. Ross").unwrap();
        assert!(best.safe_id().is_some());
        let with_cover = by_title.iter().find(|v| v.safe_id() == Some("7kMMzgEACAAJ")).unwrap();
        assert!(with_cover.to_hit().thumbnail_url.is_some_and(|u| u.starts_with("https://")));
    }

    #[test]
    fn zero_hits_have_no_items() {
        let list: VolumeList = serde_json::from_str(ZERO_ITEMS).unwrap();
        assert_eq!(list.items, None);
        assert!(item_with_isbn(&[], "9780374104092", None).is_none());
    }

    #[test]
    fn isbn_check_skips_decoys() {
        // Asking for the Pan Macmillan edition: the search answers with the Orbit edition and a translation.
        let items = items(SEARCH_CHILDREN);
        assert!(item_with_isbn(&items, "9781447273301", Some("1447273303")).is_none());
        // The right edition is found even when it is not first.
        let reversed: Vec<Volume> = items.iter().rev().cloned().collect();
        let found = item_with_isbn(&reversed, "9780316452502", Some("0316452505")).unwrap();
        assert_eq!(found.safe_id(), Some("49T5twEACAAJ"));
        // By ISBN-10 alone.
        assert!(item_with_isbn(&items, "9999999999999", Some("0316452505")).is_some());
        // A volume without identifiers is never taken for the book.
        let bare = Volume { id: Some("abc".into()), volume_info: Some(VolumeInfo::default()) };
        assert!(!bare.has_isbn("9780316452502", Some("0316452505")));
    }

    #[test]
    fn title_search_picks_the_matching_language_edition() {
        let items = items(SEARCH_CHILDREN);
        let (item, score) =
            best_title_match(&items, "Children of Time", "Adrian Tchaikovsky").unwrap();
        assert_eq!(item.safe_id(), Some("49T5twEACAAJ"));
        assert!(score.is_acceptable());
        let reversed: Vec<Volume> = items.iter().rev().cloned().collect();
        assert_eq!(
            best_title_match(&reversed, "Children of Time", "Adrian Tchaikovsky")
                .unwrap()
                .0
                .safe_id(),
            Some("49T5twEACAAJ")
        );
        assert!(best_title_match(&items, "Children of Ruin", "Someone Else").is_none());
    }

    #[test]
    fn subtitle_helps_a_goodreads_title_that_includes_it() {
        let items = items(SEARCH_ANNIHILATION);
        assert!(best_title_match(&items, "Annihilation: A Novel", "Jeff VanderMeer").is_some());
        assert!(best_title_match(&items, "Annihilation", "Jeff VanderMeer").is_some());
    }

    #[test]
    fn unsafe_ids_are_never_used() {
        let v = Volume { id: Some("../volumes/x?key=1".into()), volume_info: None };
        assert_eq!(v.safe_id(), None);
        assert_eq!(Volume::default().safe_id(), None);
    }

    #[test]
    fn wrong_types_fail_to_decode() {
        assert!(serde_json::from_str::<VolumeList>(r#"{"items": {"id": "x"}}"#).is_err());
        assert!(
            serde_json::from_str::<Volume>(r#"{"volumeInfo": {"categories": "Fiction"}}"#).is_err()
        );
        let nulls: Volume = serde_json::from_str(
            r#"{"id": "x", "volumeInfo": {"categories": null, "imageLinks": null, "new": 1}}"#,
        )
        .unwrap();
        assert!(nulls.to_hit().genres.is_empty());
    }

    #[test]
    fn image_urls_are_upgraded_and_uncurled() {
        assert_eq!(
            clean_image_url(
                "http://books.google.com/books/content?id=x&printsec=frontcover&img=1&zoom=1&edge=curl&source=gbs_api"
            ),
            Some("https://books.google.com/books/content?id=x&printsec=frontcover&img=1&zoom=1&source=gbs_api".to_owned())
        );
        assert_eq!(
            clean_image_url("https://books.google.com/books/content?edge=curl").as_deref(),
            Some("https://books.google.com/books/content")
        );
        assert_eq!(
            clean_image_url("https://example.org/a.jpg").as_deref(),
            Some("https://example.org/a.jpg")
        );
        for hostile in [
            "javascript:alert(1)",
            "data:image/png;base64,AA==",
            "//evil.example/a.png",
            "ftp://x/a.jpg",
        ] {
            assert_eq!(clean_image_url(hostile), None, "{hostile}");
        }
    }
}
