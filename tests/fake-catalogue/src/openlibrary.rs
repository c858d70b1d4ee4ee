//! Open Library routes: `/api/books`, `/search.json`, `/works/{id}.json`, `/isbn/{isbn}.json`.

use serde_json::{Map, Value, json};

use crate::book::{FakeBook, stable_hash};
use crate::catalogue::{Catalogue, Entry, IdField, TextQuery};
use crate::http::{Request, Response};

/// Body of Open Library's 429 (openlibrary #11611, #12415).
pub(crate) const TOO_MANY_REQUESTS: &str = r#"{"status":429,"message":"Too Many Requests. Consider using https://openlibrary.org/developers/dumps."}"#;

/// `GET /api/books?bibkeys=…&format=json&jscmd=data`: one object keyed by each requested bibkey that exists.
pub(crate) fn books_api(catalogue: &Catalogue, req: &Request) -> Response {
    let bibkeys = req.param("bibkeys").unwrap_or_default();
    let jscmd = req.param("jscmd").unwrap_or("viewapi");
    let mut body = String::from("{");
    let mut first = true;
    let mut seen = std::collections::HashSet::new();
    for key in bibkeys.split(',').map(str::trim).filter(|k| !k.is_empty()) {
        if !seen.insert(key) {
            continue;
        }
        let Some(entry) = catalogue.by_bibkey(key) else {
            continue;
        };
        let rendered = match jscmd {
            "data" => match &entry.recorded.ol_data {
                Some(raw) => raw.get().to_owned(),
                None if entry.book.ol_edition_key.is_some() => data_entry(&entry.book).to_string(),
                None => continue,
            },
            "details" => details_entry(key, &entry.book).to_string(),
            _ => viewapi_entry(key, &entry.book).to_string(),
        };
        if !first {
            body.push_str(", ");
        }
        first = false;
        body.push_str(&Value::String(key.to_owned()).to_string());
        body.push_str(": ");
        body.push_str(&rendered);
    }
    body.push('}');
    if req.param("format") == Some("json") {
        Response::json(200, body)
    } else {
        // Without format=json Open Library answers JavaScript.
        let mut response = Response::json(200, format!("var _OLBookInfo = {body};"));
        response.content_type = "application/javascript; charset=utf-8";
        response
    }
}

/// `GET /isbn/{isbn}.json`: the edition record.
pub(crate) fn isbn(catalogue: &Catalogue, isbn: &str) -> Response {
    match catalogue.ol_by_isbn(isbn) {
        Some(Entry { recorded, .. }) if recorded.ol_edition.is_some() => Response::json(
            200,
            recorded.ol_edition.as_deref().unwrap_or_default().as_bytes().to_vec(),
        ),
        Some(entry) if entry.book.ol_edition_key.is_some() => {
            Response::value(200, &edition(&entry.book))
        }
        _ => not_found(&format!("/isbn/{isbn}")),
    }
}

/// `GET /works/{id}.json`: the work record.
pub(crate) fn work(catalogue: &Catalogue, id: &str) -> Response {
    match catalogue.by_work(id) {
        Some(entry) => match &entry.recorded.ol_work {
            Some(body) => Response::json(200, body.as_bytes().to_vec()),
            None => Response::value(200, &work_record(&entry.book)),
        },
        None => not_found(&format!("/works/{id}")),
    }
}

/// `GET /search.json?title=&author=&q=&isbn=&fields=&limit=&offset=`.
pub(crate) fn search(catalogue: &Catalogue, req: &Request) -> Response {
    let fields: Option<Vec<String>> = req
        .param("fields")
        .map(|f| f.split(',').map(|s| s.trim().to_owned()).filter(|s| !s.is_empty()).collect())
        .filter(|f: &Vec<String>| !f.iter().any(|s| s == "*"));
    let limit: usize = req.param("limit").and_then(|l| l.parse().ok()).unwrap_or(100);
    let offset: usize = req.param("offset").and_then(|o| o.parse().ok()).unwrap_or(0);
    let q = req.param("q").map(str::to_owned);
    let by_ids = q.as_deref().and_then(parse_id_query);
    let hits: Vec<Entry> = if let Some((field, ids)) = &by_ids {
        catalogue.by_identifiers(*field, ids)
    } else if let Some(isbn) = req.param("isbn") {
        catalogue.ol_by_isbn(isbn).filter(|e| e.book.ol_work_key.is_some()).into_iter().collect()
    } else {
        let query = TextQuery {
            title: req.param("title").map(str::to_owned),
            author: req.param("author").map(str::to_owned),
            text: q.clone(),
        };
        catalogue.search(&query, |e| e.book.ol_work_key.is_some() || e.recorded.ol_search.is_some())
    };
    // A recorded answer is a title search's; identifier queries are always rendered.
    if let Some(recorded) =
        hits.iter().filter(|_| by_ids.is_none()).find_map(|e| e.recorded.ol_search.clone())
    {
        return Response::value(200, &recorded_search(&recorded, fields.as_deref(), q.as_deref()));
    }
    let total = hits.len();
    let docs: Vec<Value> = hits
        .iter()
        .skip(offset)
        .take(limit)
        .map(|e| {
            with_editions(
                filter_fields(search_doc(&e.book), fields.as_deref()),
                &e.book,
                fields.as_deref(),
            )
        })
        .collect();
    Response::value(
        200,
        &json!({
            "numFound": total,
            "start": offset,
            "numFoundExact": true,
            "docs": docs,
            "num_found": total,
            "q": q.unwrap_or_default(),
            "offset": Value::Null,
        }),
    )
}

/// `FIELD:(A OR B …)` or `FIELD:A` for the identifier fields the fake indexes.
///
/// `isbn:(A OR B …)` is the shape of a recorded real answer (`openlibrary_search_isbn_or_batch_26.json`);
/// `id_goodreads:A` is used by other projects for one id; the OR-list for `id_goodreads` is the
/// same Solr syntax, **not recorded**. A query combining both fields is not recorded either and is
/// not answered as an identifier query (it falls through to the text search, which finds nothing).
fn parse_id_query(q: &str) -> Option<(IdField, Vec<String>)> {
    let (field, rest) = q.trim().split_once(':')?;
    let field = match field.trim() {
        "isbn" => IdField::Isbn,
        "id_goodreads" => IdField::Goodreads,
        _ => return None,
    };
    let rest = rest.trim();
    let ids: Vec<String> = match rest.strip_prefix('(').and_then(|r| r.strip_suffix(')')) {
        Some(list) => {
            let mut ids = Vec::new();
            for (i, token) in list.split_whitespace().enumerate() {
                // Tokens alternate: id, OR, id, OR, …; anything else is not a plain OR-list.
                if i % 2 == 1 {
                    if token != "OR" {
                        return None;
                    }
                } else {
                    ids.push(token.to_owned());
                }
            }
            ids
        }
        None if !rest.is_empty() && !rest.contains(char::is_whitespace) => vec![rest.to_owned()],
        None => return None,
    };
    (!ids.is_empty() && ids.iter().all(|i| i.chars().all(|c| c.is_ascii_alphanumeric())))
        .then_some((field, ids))
}

/// Adds the nested `editions` block when `fields` asks for it, as in the recorded batch answer:
/// `{numFound, start, numFoundExact, docs:[…]}` with the one best edition, holding the
/// `editions.*` sub-fields asked for (`editions.key`, `editions.cover_i`, `editions.isbn`, …).
fn with_editions(doc: Value, book: &FakeBook, fields: Option<&[String]>) -> Value {
    let Some(fields) = fields else { return doc };
    if !fields.iter().any(|f| f == "editions") || book.ol_edition_key.is_none() {
        return doc;
    }
    let mut edition = Map::new();
    for sub in fields.iter().filter_map(|f| f.strip_prefix("editions.")) {
        let value = match sub {
            "key" => json!(book.ol_edition_key),
            "cover_i" => match book.ol_cover_id {
                Some(id) => json!(id),
                None => continue,
            },
            "isbn" => json!(book.listed_isbns()),
            "title" => json!(book.title),
            _ => continue,
        };
        edition.insert(sub.to_owned(), value);
    }
    let mut doc = doc;
    if let Some(obj) = doc.as_object_mut() {
        obj.insert(
            "editions".into(),
            json!({"numFound": 1, "start": 0, "numFoundExact": true, "docs": [edition]}),
        );
    }
    doc
}

/// Open Library's 404 body for an unknown key.
pub(crate) fn not_found(key: &str) -> Response {
    Response::value(404, &json!({"error": "notfound", "key": key}))
}

fn recorded_search(recorded: &Value, fields: Option<&[String]>, q: Option<&str>) -> Value {
    let mut out = recorded.clone();
    if let Some(obj) = out.as_object_mut() {
        if let Some(fields) = fields {
            if let Some(Value::Array(docs)) = obj.get_mut("docs") {
                for doc in docs.iter_mut() {
                    *doc = filter_fields(doc.take(), Some(fields));
                }
            }
            // Newer responses carry these; a recording from before them gains them only when re-rendered.
            obj.entry("numFoundExact").or_insert(Value::Bool(true));
            obj.entry("q").or_insert_with(|| Value::String(q.unwrap_or_default().to_owned()));
            obj.entry("offset").or_insert(Value::Null);
        }
    }
    out
}

fn filter_fields(doc: Value, fields: Option<&[String]>) -> Value {
    match (doc, fields) {
        (Value::Object(map), Some(fields)) => {
            Value::Object(map.into_iter().filter(|(k, _)| fields.iter().any(|f| f == k)).collect())
        }
        (doc, _) => doc,
    }
}

fn slug(s: &str) -> String {
    s.chars().map(|c| if c.is_alphanumeric() { c } else { '_' }).collect()
}

fn author_key(name: &str) -> String {
    format!("OL{}A", 1_000_000 + stable_hash(name) % 9_000_000)
}

fn cover(id: u64) -> Value {
    json!({
        "small": format!("https://covers.openlibrary.org/b/id/{id}-S.jpg"),
        "medium": format!("https://covers.openlibrary.org/b/id/{id}-M.jpg"),
        "large": format!("https://covers.openlibrary.org/b/id/{id}-L.jpg"),
    })
}

fn identifiers(book: &FakeBook) -> Map<String, Value> {
    let mut ids = Map::new();
    if let Some(i) = &book.isbn10 {
        ids.insert("isbn_10".into(), json!([i]));
    }
    if let Some(i) = &book.isbn13 {
        ids.insert("isbn_13".into(), json!([i]));
    }
    if let Some(e) = book.edition_id() {
        ids.insert("openlibrary".into(), json!([e]));
    }
    ids
}

/// A `jscmd=data` entry in the real shape (no `works` key, like the real API).
pub(crate) fn data_entry(book: &FakeBook) -> Value {
    let edition = book.edition_id().unwrap_or_default();
    let mut obj = Map::new();
    obj.insert(
        "url".into(),
        json!(format!("https://openlibrary.org/books/{edition}/{}", slug(&book.title))),
    );
    obj.insert("key".into(), json!(format!("/books/{edition}")));
    obj.insert("title".into(), json!(book.title));
    let authors: Vec<Value> = book
        .authors()
        .iter()
        .map(|a| json!({"url": format!("https://openlibrary.org/authors/{}/{}", author_key(a), slug(a)), "name": a}))
        .collect();
    obj.insert("authors".into(), Value::Array(authors));
    if let Some(p) = book.pages {
        obj.insert("number_of_pages".into(), json!(p));
    }
    obj.insert("identifiers".into(), Value::Object(identifiers(book)));
    if let Some(p) = &book.publisher {
        obj.insert("publishers".into(), json!([{"name": p}]));
    }
    if let Some(y) = book.publish_year {
        obj.insert("publish_date".into(), json!(y.to_string()));
    }
    if !book.ol_subjects.is_empty() {
        let subjects: Vec<Value> = book
            .ol_subjects
            .iter()
            .map(|s| json!({"name": s, "url": format!("https://openlibrary.org/subjects/{}", slug(&s.to_lowercase()))}))
            .collect();
        obj.insert("subjects".into(), Value::Array(subjects));
    }
    if let Some(id) = book.ol_cover_id {
        obj.insert("cover".into(), cover(id));
    }
    Value::Object(obj)
}

fn viewapi_entry(bibkey: &str, book: &FakeBook) -> Value {
    let edition = book.edition_id().unwrap_or_default();
    let mut obj = json!({
        "bib_key": bibkey,
        "info_url": format!("https://openlibrary.org/books/{edition}/{}", slug(&book.title)),
        "preview": "noview",
        "preview_url": format!("https://openlibrary.org/books/{edition}/{}", slug(&book.title)),
    });
    if let (Some(id), Some(map)) = (book.ol_cover_id, obj.as_object_mut()) {
        map.insert(
            "thumbnail_url".into(),
            json!(format!("https://covers.openlibrary.org/b/id/{id}-S.jpg")),
        );
    }
    obj
}

fn details_entry(bibkey: &str, book: &FakeBook) -> Value {
    let mut entry = viewapi_entry(bibkey, book);
    if let Some(map) = entry.as_object_mut() {
        map.insert("details".into(), edition(book));
    }
    entry
}

/// An edition record (`/books/OL…M.json`, reached through `/isbn/…`).
pub(crate) fn edition(book: &FakeBook) -> Value {
    let mut obj = Map::new();
    obj.insert("key".into(), json!(book.ol_edition_key));
    obj.insert("title".into(), json!(book.title));
    let authors: Vec<Value> = book
        .authors()
        .iter()
        .map(|a| json!({"key": format!("/authors/{}", author_key(a))}))
        .collect();
    obj.insert("authors".into(), Value::Array(authors));
    if let Some(p) = &book.publisher {
        obj.insert("publishers".into(), json!([p]));
    }
    if let Some(y) = book.publish_year {
        obj.insert("publish_date".into(), json!(y.to_string()));
    }
    if let Some(p) = book.pages {
        obj.insert("number_of_pages".into(), json!(p));
    }
    if let Some(i) = &book.isbn10 {
        obj.insert("isbn_10".into(), json!([i]));
    }
    if let Some(i) = &book.isbn13 {
        obj.insert("isbn_13".into(), json!([i]));
    }
    if let Some(id) = book.ol_cover_id {
        obj.insert("covers".into(), json!([id]));
    }
    if !book.ol_subjects.is_empty() {
        obj.insert("subjects".into(), json!(book.ol_subjects));
    }
    if let Some(w) = &book.ol_work_key {
        obj.insert("works".into(), json!([{"key": w}]));
    }
    obj.insert("type".into(), json!({"key": "/type/edition"}));
    obj.insert("languages".into(), json!([{"key": "/languages/eng"}]));
    Value::Object(obj)
}

fn work_subjects(book: &FakeBook) -> &[String] {
    if book.ol_work_subjects.is_empty() { &book.ol_subjects } else { &book.ol_work_subjects }
}

/// A work record (`/works/OL…W.json`).
pub(crate) fn work_record(book: &FakeBook) -> Value {
    let mut obj = Map::new();
    obj.insert("key".into(), json!(book.ol_work_key));
    obj.insert("title".into(), json!(book.title));
    let authors: Vec<Value> = book
        .authors()
        .iter()
        .map(|a| json!({"author": {"key": format!("/authors/{}", author_key(a))}, "type": {"key": "/type/author_role"}}))
        .collect();
    obj.insert("authors".into(), Value::Array(authors));
    obj.insert("type".into(), json!({"key": "/type/work"}));
    if !work_subjects(book).is_empty() {
        obj.insert("subjects".into(), json!(work_subjects(book)));
    }
    if let Some(id) = book.ol_cover_id {
        obj.insert("covers".into(), json!([id]));
    }
    if let Some(y) = book.publish_year {
        obj.insert("first_publish_date".into(), json!(y.to_string()));
    }
    obj.insert(
        "description".into(),
        json!({"type": "/type/text", "value": format!("{} by {}.", book.title, book.author)}),
    );
    Value::Object(obj)
}

/// A `/search.json` doc with every field (filtered later by `fields=`).
pub(crate) fn search_doc(book: &FakeBook) -> Value {
    let mut obj = Map::new();
    obj.insert("key".into(), json!(book.ol_work_key));
    obj.insert("type".into(), json!("work"));
    obj.insert("title".into(), json!(book.title));
    obj.insert("title_suggest".into(), json!(book.title));
    let authors = book.authors();
    obj.insert(
        "author_key".into(),
        json!(authors.iter().map(|a| author_key(a)).collect::<Vec<_>>()),
    );
    obj.insert("author_name".into(), json!(authors));
    if let Some(y) = book.publish_year {
        obj.insert("first_publish_year".into(), json!(y));
        obj.insert("publish_year".into(), json!([y]));
    }
    obj.insert("edition_count".into(), json!(if book.ol_edition_key.is_some() { 3 } else { 1 }));
    if let Some(e) = book.edition_id() {
        obj.insert("edition_key".into(), json!([e]));
        obj.insert("cover_edition_key".into(), json!(e));
    }
    let isbns = book.listed_isbns();
    if !book.goodreads_ids.is_empty() {
        obj.insert("id_goodreads".into(), json!(book.goodreads_ids));
    }
    if !isbns.is_empty() {
        obj.insert("isbn".into(), json!(isbns));
    }
    if let Some(id) = book.ol_cover_id {
        obj.insert("cover_i".into(), json!(id));
    }
    let mut subjects: Vec<String> = work_subjects(book).to_vec();
    for s in &book.ol_subjects {
        if !subjects.contains(s) {
            subjects.push(s.clone());
        }
    }
    if !subjects.is_empty() {
        obj.insert("subject".into(), json!(subjects));
    }
    if let Some(p) = &book.publisher {
        obj.insert("publisher".into(), json!([p]));
    }
    obj.insert("language".into(), json!(["eng"]));
    obj.insert("has_fulltext".into(), json!(false));
    obj.insert("ebook_access".into(), json!("no_ebook"));
    Value::Object(obj)
}
