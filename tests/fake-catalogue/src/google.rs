//! Google Books routes: `/books/v1/volumes?q=…` (search) and `/books/v1/volumes/{id}` (full record).

use serde_json::{Map, Value, json};

use crate::book::{FakeBook, stable_hash};
use crate::catalogue::{self, Catalogue, Entry, TextQuery};
use crate::http::{Request, Response};
use crate::partial::Mask;

/// A Google API error body (`{"error":{"code":…,"message":…,"errors":[…],"status":…}}`).
pub(crate) fn error_body(code: u16, message: &str, reason: &str, status: &str) -> String {
    json!({
        "error": {
            "code": code,
            "message": message,
            "errors": [{"message": message, "domain": "global", "reason": reason}],
            "status": status,
        }
    })
    .to_string()
}

/// The per-minute rate-limit 429 (retrying later helps).
pub(crate) fn rate_limited_body() -> String {
    error_body(
        429,
        "Quota exceeded for quota metric 'Queries' and limit 'Queries per minute per user' of service 'books.googleapis.com' for consumer 'project_number:000000000000'.",
        "rateLimitExceeded",
        "RESOURCE_EXHAUSTED",
    )
}

/// The daily-quota 429: retrying today does not help.
///
/// A keyless request gets the recorded real answer for Google's shared keyless project
/// (`googlebooks_error_429_quota_exceeded_keyless.json`, Sept 2026) verbatim; a keyed one the
/// documented shape of `bdlukaa/books_finder` #26 (no keyed recording exists).
pub(crate) fn daily_quota_body(keyed: bool) -> String {
    if !keyed {
        return catalogue::google_quota_exceeded_keyless().to_owned();
    }
    error_body(
        429,
        "Quota exceeded for quota metric 'Queries' and limit 'Queries per day' of service 'books.googleapis.com' for consumer 'project_number:000000000000'.",
        "rateLimitExceeded",
        "RESOURCE_EXHAUSTED",
    )
}

/// `GET /books/v1/volumes?q=…`.
pub(crate) fn search(catalogue: &Catalogue, req: &Request) -> Response {
    let Some(q) = req.param("q").filter(|q| !q.trim().is_empty()) else {
        return Response::json(
            400,
            error_body(400, "Missing query.", "queryRequired", "INVALID_ARGUMENT"),
        );
    };
    let max_results: usize =
        req.param("maxResults").and_then(|m| m.parse().ok()).unwrap_or(10).clamp(1, 40);
    let parsed = parse_q(q);
    if let Some(isbn) = &parsed.isbn {
        let Some(entry) = catalogue.google_by_isbn(isbn) else {
            return Response::json(200, catalogue::google_zero_items());
        };
        if let Some(body) = &entry.recorded.google_search {
            return Response::json(200, body.as_bytes().to_vec());
        }
        let mut items = Vec::new();
        if entry.book.google_decoy_first {
            items.push(search_item(&entry.book.google_isbn_decoy(), q));
        }
        items.push(search_item(&entry.book, q));
        return Response::value(
            200,
            &json!({"kind": "books#volumes", "totalItems": items.len(), "items": items}),
        );
    }
    let query = TextQuery { title: parsed.title, author: parsed.author, text: parsed.text };
    let hits: Vec<Entry> = catalogue.search(&query, |e| e.book.google_id.is_some());
    if hits.is_empty() {
        return Response::json(200, catalogue::google_zero_items());
    }
    if let Some(body) = hits.iter().find_map(|e| e.recorded.google_search.clone()) {
        return Response::json(200, body.as_bytes().to_vec());
    }
    let items: Vec<Value> =
        hits.iter().take(max_results).map(|e| search_item(&e.book, q)).collect();
    Response::value(
        200,
        &json!({"kind": "books#volumes", "totalItems": hits.len(), "items": items}),
    )
}

/// `response` cut to the request's `fields` mask, as Google answers (see [`crate::partial`]). A
/// malformed mask gets a 400 in Google's error shape; its wording is not recorded.
pub(crate) fn partial(req: &Request, response: Response) -> Response {
    let Some(fields) = req.param("fields") else { return response };
    let Some(mask) = Mask::parse(fields) else {
        return Response::json(
            400,
            error_body(
                400,
                &format!("Invalid field selection {fields}"),
                "invalidParameter",
                "INVALID_ARGUMENT",
            ),
        );
    };
    if response.status != 200 {
        return response;
    }
    match serde_json::from_slice::<Value>(&response.body) {
        Ok(full) => Response::value(200, &mask.apply(full)),
        Err(_) => response,
    }
}

/// `GET /books/v1/volumes/{id}`.
pub(crate) fn volume(catalogue: &Catalogue, id: &str) -> Response {
    match catalogue.by_google_id(id) {
        Some(entry) => match &entry.recorded.google_volume {
            Some(body) => Response::json(200, body.as_bytes().to_vec()),
            None => Response::value(200, &volume_record(&entry.book)),
        },
        None if id.len() != 12 => Response::json(
            503,
            error_body(503, "Service temporarily unavailable.", "backendFailed", "UNAVAILABLE"),
        ),
        None => Response::json(
            404,
            error_body(404, "The volume ID could not be found.", "notFound", "NOT_FOUND"),
        ),
    }
}

#[derive(Debug, Default, PartialEq)]
struct ParsedQ {
    isbn: Option<String>,
    title: Option<String>,
    author: Option<String>,
    text: Option<String>,
}

/// Splits `intitle:… inauthor:… isbn:… free words` (values may be quoted) into its parts.
fn parse_q(q: &str) -> ParsedQ {
    const KEYWORDS: [&str; 3] = ["isbn:", "intitle:", "inauthor:"];
    let mut out = ParsedQ::default();
    let mut current: Option<&str> = None;
    let mut words: Vec<(Option<&str>, String)> = Vec::new();
    for token in q.split_whitespace() {
        let lower = token.to_ascii_lowercase();
        if let Some(k) = KEYWORDS.iter().find(|k| lower.starts_with(*k)) {
            current = Some(k);
            let rest = &token[k.len()..];
            if !rest.is_empty() {
                words.push((current, rest.to_owned()));
            }
        } else {
            words.push((current, token.to_owned()));
        }
    }
    let join = |key: Option<&str>| -> Option<String> {
        let s: Vec<&str> =
            words.iter().filter(|(k, _)| *k == key).map(|(_, w)| w.as_str()).collect();
        let s = s.join(" ").trim_matches('"').to_owned();
        (!s.is_empty()).then_some(s)
    };
    out.isbn = join(Some("isbn:")).map(|s| s.replace(['-', ' '], ""));
    out.title = join(Some("intitle:"));
    out.author = join(Some("inauthor:"));
    out.text = join(None);
    out
}

fn etag(book: &FakeBook) -> String {
    let h = stable_hash(&book.title);
    format!("{:011x}", h % 0xfff_ffff_ffff).chars().take(11).collect()
}

fn base_info(book: &FakeBook) -> Map<String, Value> {
    let mut info = Map::new();
    info.insert("title".into(), json!(book.title));
    info.insert("authors".into(), json!(book.authors()));
    if let Some(p) = &book.publisher {
        info.insert("publisher".into(), json!(p));
    }
    if let Some(y) = book.publish_year {
        info.insert("publishedDate".into(), json!(y.to_string()));
    }
    info.insert("description".into(), json!(format!("{} by {}.", book.title, book.author)));
    let mut ids = Vec::new();
    if let Some(i) = &book.isbn13 {
        ids.push(json!({"type": "ISBN_13", "identifier": i}));
    }
    if let Some(i) = &book.isbn10 {
        ids.push(json!({"type": "ISBN_10", "identifier": i}));
    }
    if ids.is_empty() {
        ids.push(json!({"type": "OTHER", "identifier": format!("UOM:{}", stable_hash(&book.title) % 100_000_000)}));
    }
    info.insert("industryIdentifiers".into(), Value::Array(ids));
    info.insert("readingModes".into(), json!({"text": false, "image": false}));
    info.insert("pageCount".into(), json!(book.pages.unwrap_or(0)));
    info.insert("printType".into(), json!("BOOK"));
    info
}

fn links(book: &FakeBook, id: &str, q: Option<&str>) -> Map<String, Value> {
    let mut info = Map::new();
    info.insert("maturityRating".into(), json!("NOT_MATURE"));
    info.insert("allowAnonLogging".into(), json!(false));
    info.insert("contentVersion".into(), json!("preview-1.0.0"));
    info.insert("language".into(), json!("en"));
    let dq = q.map(|q| format!("&dq={}", q.replace(' ', "+"))).unwrap_or_default();
    info.insert(
        "previewLink".into(),
        json!(format!(
            "http://books.google.com/books?id={id}&printsec=frontcover{dq}&hl=&cd=1&source=gbs_api"
        )),
    );
    info.insert(
        "infoLink".into(),
        json!(format!("http://books.google.com/books?id={id}{dq}&hl=&source=gbs_api")),
    );
    let slug: String =
        book.title.chars().map(|c| if c.is_alphanumeric() { c } else { '_' }).collect();
    info.insert(
        "canonicalVolumeLink".into(),
        json!(format!("https://books.google.com/books/about/{slug}.html?hl=&id={id}")),
    );
    info
}

fn sale_access(id: &str) -> (Value, Value) {
    (
        json!({"country": "US", "saleability": "NOT_FOR_SALE", "isEbook": false}),
        json!({
            "country": "US", "viewability": "NO_PAGES", "embeddable": false, "publicDomain": false,
            "textToSpeechPermission": "ALLOWED", "epub": {"isAvailable": false}, "pdf": {"isAvailable": false},
            "webReaderLink": format!("http://play.google.com/books/reader?id={id}&hl=&source=gbs_api"),
            "accessViewStatus": "NONE", "quoteSharingAllowed": false,
        }),
    )
}

fn image(id: &str, zoom: u8, publisher: bool) -> String {
    let path = if publisher { "books/publisher/content" } else { "books/content" };
    format!(
        "http://books.google.com/{path}?id={id}&printsec=frontcover&img=1&zoom={zoom}&edge=curl&source=gbs_api"
    )
}

/// A search item: one coarse category (the first part of the first full category), two thumbnails.
pub(crate) fn search_item(book: &FakeBook, q: &str) -> Value {
    let id = book.google_id.clone().unwrap_or_default();
    let mut info = base_info(book);
    if let Some(first) = book.google_categories.first() {
        let coarse = first.split(" / ").next().unwrap_or(first).trim();
        info.insert("categories".into(), json!([coarse]));
    }
    if book.google_thumbnail {
        info.insert(
            "imageLinks".into(),
            json!({"smallThumbnail": image(&id, 5, false), "thumbnail": image(&id, 1, false)}),
        );
    }
    info.extend(links(book, &id, Some(q)));
    let mut record = volume_object(book, &id, &info);
    record["searchInfo"] = json!({"textSnippet": format!("{} by {}.", book.title, book.author)});
    record
}

/// The full volume record: every hierarchical category, image links up to `extraLarge`.
pub(crate) fn volume_record(book: &FakeBook) -> Value {
    let id = book.google_id.clone().unwrap_or_default();
    let mut info = base_info(book);
    if !book.google_categories.is_empty() {
        info.insert("categories".into(), json!(book.google_categories));
    }
    if book.google_thumbnail {
        info.insert(
            "imageLinks".into(),
            json!({
                "smallThumbnail": image(&id, 5, true), "thumbnail": image(&id, 1, true),
                "small": image(&id, 2, true), "medium": image(&id, 3, true),
                "large": image(&id, 4, true), "extraLarge": image(&id, 6, true),
            }),
        );
    }
    info.extend(links(book, &id, None));
    volume_object(book, &id, &info)
}

/// A `books#volume` object around `info`, as both the search and the volume endpoint send it.
fn volume_object(book: &FakeBook, id: &str, info: &Map<String, Value>) -> Value {
    let (sale, access) = sale_access(id);
    json!({
        "kind": "books#volume",
        "id": id,
        "etag": etag(book),
        "selfLink": format!("https://www.googleapis.com/books/v1/volumes/{id}"),
        "volumeInfo": info,
        "saleInfo": sale,
        "accessInfo": access,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_query_keywords() {
        let p = parse_q("intitle:Children of Time inauthor:Adrian Tchaikovsky");
        assert_eq!(p.title.as_deref(), Some("Children of Time"));
        assert_eq!(p.author.as_deref(), Some("Adrian Tchaikovsky"));
        assert_eq!(p.isbn, None);
        let p = parse_q("isbn:978-0-374-10409-2");
        assert_eq!(p.isbn.as_deref(), Some("9780374104092"));
        let p = parse_q("intitle:\"The Way of Kings\"");
        assert_eq!(p.title.as_deref(), Some("The Way of Kings"));
        let p = parse_q("children of time 2015");
        assert_eq!(p.text.as_deref(), Some("children of time 2015"));
    }

    #[test]
    fn search_item_is_reduced_and_volume_is_full() {
        let mut book = FakeBook::new("9780765326355", "The Way of Kings", "Brandon Sanderson");
        book.google_categories =
            vec!["Fiction / Fantasy / Epic".into(), "Fiction / Fantasy / General".into()];
        let item = search_item(&book, "isbn:9780765326355");
        assert_eq!(item["volumeInfo"]["categories"], json!(["Fiction"]));
        assert!(
            item["volumeInfo"]["imageLinks"]["thumbnail"]
                .as_str()
                .is_some_and(|t| t.starts_with("http://"))
        );
        let full = volume_record(&book);
        assert_eq!(full["volumeInfo"]["categories"], json!(book.google_categories));
        assert!(full["volumeInfo"]["imageLinks"]["extraLarge"].is_string());
    }
}
