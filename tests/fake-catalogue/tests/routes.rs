//! Every route's shape against the recorded real responses, the default catalogue's coverage, and the stats.

mod common;

use std::time::Duration;

use bookenrich_fake_catalogue::{Api, FakeBook, FakeCatalogue, FakeCatalogueHandle, RateLimit};
use common::{fixture, fixture_json, get, get_with};
use serde_json::{Value, json};

async fn default_server() -> FakeCatalogueHandle {
    FakeCatalogue::builder().with_default_catalogue().start().await.expect("server starts")
}

fn keys(v: &Value) -> Vec<String> {
    let mut k: Vec<String> = v.as_object().map(|o| o.keys().cloned().collect()).unwrap_or_default();
    k.sort();
    k
}

#[tokio::test]
async fn binds_loopback_on_an_ephemeral_port() {
    let a = default_server().await;
    let b = default_server().await;
    assert!(a.base_url().starts_with("http://127.0.0.1:"), "{}", a.base_url());
    assert!(a.addr().ip().is_loopback());
    assert_ne!(a.addr().port(), 0);
    assert_ne!(a.addr(), b.addr());
    let health = get(a.addr(), "/__health").await;
    assert_eq!(health.status, 200);
}

#[tokio::test]
async fn books_api_keys_the_answer_by_each_bibkey_as_requested() {
    let s = default_server().await;
    let r = get(
        s.addr(),
        "/api/books?bibkeys=ISBN:9780439064873,ISBN:0140328726,ISBN:9780000000002,ISBN:9780307887443&format=json&jscmd=data",
    )
    .await;
    assert_eq!(r.status, 200);
    assert!(r.header("content-type").is_some_and(|c| c.starts_with("application/json")));
    let body = r.json();
    assert_eq!(
        keys(&body),
        vec!["ISBN:0140328726", "ISBN:9780439064873"],
        "unknown ISBNs are absent"
    );
    // The recorded Harry Potter entry is served as recorded, under the key the client asked for.
    let recorded = fixture_json("openlibrary_api_books_jscmd_data_3_bibkeys.json");
    assert_eq!(body["ISBN:9780439064873"], recorded["ISBN:0439064872"]);
    // Mr Fox: found, with a cover, but no subjects (the work has them).
    let fox = &body["ISBN:0140328726"];
    assert_eq!(fox["title"], "Fantastic Mr. Fox");
    assert!(fox.get("subjects").is_none());
    assert_eq!(fox["cover"]["medium"], "https://covers.openlibrary.org/b/id/8739161-M.jpg");
    for entry in body.as_object().into_iter().flat_map(|o| o.values()) {
        assert!(entry.get("works").is_none(), "jscmd=data never has works");
    }

    let none = get(s.addr(), "/api/books?bibkeys=ISBN:9780000000002&format=json&jscmd=data").await;
    assert_eq!(none.json(), json!({}));
    let recorded_keys = get(
        s.addr(),
        "/api/books?bibkeys=LCCN:93005405,OLID:OL32336498M,ISBN:9782070427796&format=json&jscmd=data",
    )
    .await
    .json();
    assert_eq!(recorded_keys["LCCN:93005405"], recorded["LCCN:93005405"]);
    assert_eq!(recorded_keys["OLID:OL32336498M"], recorded["OLID:OL32336498M"]);
    let ombres = fixture_json(
        "openlibrary_api_books_jscmd_data_isbn_9782070427796_no_subjects_no_cover.json",
    );
    assert_eq!(recorded_keys["ISBN:9782070427796"], ombres["ISBN:9782070427796"]);

    let js = get(s.addr(), "/api/books?bibkeys=ISBN:0140328726&jscmd=data").await;
    assert!(js.text().starts_with("var _OLBookInfo = {"), "{}", js.text());
}

#[tokio::test]
async fn rendered_books_api_entries_have_the_real_shape() {
    let s = default_server().await;
    let body =
        get(s.addr(), "/api/books?bibkeys=ISBN:9780765326355&format=json&jscmd=data").await.json();
    let e = &body["ISBN:9780765326355"];
    assert_eq!(e["title"], "The Way of Kings");
    assert_eq!(e["authors"][0]["name"], "Brandon Sanderson");
    assert!(
        e["authors"][0]["url"]
            .as_str()
            .is_some_and(|u| u.starts_with("https://openlibrary.org/authors/OL"))
    );
    assert_eq!(e["identifiers"]["isbn_13"], json!(["9780765326355"]));
    assert_eq!(e["identifiers"]["isbn_10"], json!(["0765326353"]));
    assert_eq!(
        e["subjects"][0],
        json!({"name": "Fantasy fiction", "url": "https://openlibrary.org/subjects/fantasy_fiction"})
    );
    assert_eq!(e["cover"]["small"], "https://covers.openlibrary.org/b/id/8243935-S.jpg");
    assert_eq!(e["key"], "/books/OL24379006M");
}

#[tokio::test]
async fn search_filters_fields_and_puts_decoys_first() {
    let s = default_server().await;
    let r = get(
        s.addr(),
        "/search.json?title=the+way+of+kings&author=Brandon+Sanderson&fields=key,title,author_name,subject,cover_i&limit=10",
    )
    .await
    .json();
    assert_eq!(r["numFound"], 2);
    assert_eq!(r["start"], 0);
    assert_eq!(r["numFoundExact"], true);
    let docs = r["docs"].as_array().cloned().unwrap_or_default();
    assert_eq!(docs[0]["title"], "The Way of Kings Companion", "a decoy comes first");
    assert_eq!(docs[1]["title"], "The Way of Kings");
    assert_eq!(docs[1]["key"], "/works/OL15358691W");
    assert_eq!(docs[1]["cover_i"], 8_243_935);
    assert!(docs[1]["subject"].as_array().is_some_and(|s| s.contains(&json!("Fantasy fiction"))));
    for d in &docs {
        for k in keys(d) {
            assert!(
                ["key", "title", "author_name", "subject", "cover_i"].contains(&k.as_str()),
                "{k}"
            );
        }
    }
    let title_only = get(s.addr(), "/search.json?title=The+Way+of+Kings&fields=title").await.json();
    assert_eq!(
        title_only["numFound"], 3,
        "the study guide by another author appears without an author filter"
    );
    let limited =
        get(s.addr(), "/search.json?title=The+Way+of+Kings&fields=title&limit=1").await.json();
    assert_eq!(limited["docs"].as_array().map(Vec::len), Some(1));
    assert_eq!(limited["numFound"], 3);
    let series = get(s.addr(), "/search.json?title=The+Way+of+Kings+(The+Stormlight+Archive+%231)")
        .await
        .json();
    assert_eq!(series["numFound"], 0, "an unstripped series suffix finds nothing");
    let q = get(s.addr(), "/search.json?q=sanderson+kings&fields=key").await.json();
    assert_eq!(q["numFound"], 2);
    let by_isbn = get(s.addr(), "/search.json?isbn=0765326353&fields=key").await.json();
    assert_eq!(by_isbn["docs"], json!([{"key": "/works/OL15358691W"}]));
}

#[tokio::test]
async fn recorded_search_is_served_for_its_book() {
    let s = default_server().await;
    let raw =
        get(s.addr(), "/search.json?title=This+Is+How+You+Lose+the+Time+War&author=Amal+El-Mohtar")
            .await;
    assert_eq!(raw.json(), fixture_json("openlibrary_search_json_time_war.json"));
    let filtered = get(
        s.addr(),
        "/search.json?title=this+is+how+you+lose+the+time+war&author=El-Mohtar&fields=key,subject,cover_i",
    )
    .await
    .json();
    assert_eq!(filtered["numFound"], 2);
    assert_eq!(filtered["numFoundExact"], true);
    assert_eq!(
        filtered["docs"],
        json!([
            {"key": "/works/OL20639540W", "subject": ["epistolary", "science fiction", "time-traveling", "LGBT"]},
            {"key": "/works/OL19859295W", "cover_i": 8_665_647}
        ])
    );
    let work = get(s.addr(), "/works/OL20639540W.json").await.json();
    assert_eq!(
        work["subjects"],
        json!(["epistolary", "science fiction", "time-traveling", "LGBT"])
    );
}

#[tokio::test]
async fn the_alchemist_by_coelho_is_unknown_but_jonson_is_a_decoy() {
    let s = default_server().await;
    let with_author =
        get(s.addr(), "/search.json?title=The+Alchemist&author=Paulo+Coelho").await.json();
    assert_eq!(with_author["numFound"], 0);
    assert_eq!(with_author["docs"], json!([]));
    let without = get(s.addr(), "/search.json?title=The+Alchemist&fields=author_name").await.json();
    assert_eq!(without["docs"], json!([{"author_name": ["Ben Jonson"]}]));
    let google =
        get(s.addr(), "/books/v1/volumes?q=intitle:The+Alchemist+inauthor:Paulo+Coelho").await;
    assert_eq!(google.body, fixture("google_volumes_zero_items.json"));
}

#[tokio::test]
async fn works_and_isbn_routes() {
    let s = default_server().await;
    let fox = get(s.addr(), "/works/OL45804W.json").await;
    assert_eq!(fox.status, 200);
    assert_eq!(
        fox.body,
        fixture("openlibrary_works_OL45804W_fantastic_mr_fox.json"),
        "served verbatim"
    );
    let sabriel = get(s.addr(), "/works/OL15832982W.json").await;
    assert_eq!(sabriel.body, fixture("openlibrary_works_OL15832982W_sabriel.json"));
    let kings = get(s.addr(), "/works/OL15358691W.json").await.json();
    assert_eq!(kings["key"], "/works/OL15358691W");
    assert_eq!(kings["subjects"][0], "Fantasy fiction");
    assert_eq!(kings["description"]["type"], "/type/text");
    assert_eq!(kings["authors"][0]["type"]["key"], "/type/author_role");
    let missing = get(s.addr(), "/works/OL1W.json").await;
    assert_eq!(missing.status, 404);
    assert_eq!(missing.json(), json!({"error": "notfound", "key": "/works/OL1W"}));

    let edition = get(s.addr(), "/isbn/9780140328721.json").await;
    assert_eq!(edition.body, fixture("openlibrary_isbn_9780140328721_edition.json"));
    let edition10 = get(s.addr(), "/isbn/0140328726.json").await;
    assert_eq!(edition10.body, edition.body, "ISBN-10 and ISBN-13 reach the same edition");
    let sab = get(s.addr(), "/isbn/0064471837.json").await;
    assert_eq!(sab.body, fixture("openlibrary_books_edition_sabriel_subject_trailing_period.json"));
    let rendered = get(s.addr(), "/isbn/9780593135204.json").await.json();
    assert_eq!(rendered["works"], json!([{"key": "/works/OL21745884W"}]));
    assert_eq!(rendered["covers"], json!([10_597_854]));
    assert_eq!(rendered["type"]["key"], "/type/edition");
    let unknown = get(s.addr(), "/isbn/9780307887443.json").await;
    assert_eq!(unknown.status, 404, "Ready Player One is not in Open Library");
    let stats = s.stats();
    assert_eq!(stats.route("/works/{id}.json"), 4);
    assert_eq!(stats.route("/isbn/{isbn}.json"), 5);
}

#[tokio::test]
async fn google_search_by_isbn() {
    let s = default_server().await;
    let ann = get(s.addr(), "/books/v1/volumes?q=isbn:9780374104092").await;
    assert_eq!(
        ann.body,
        fixture("google_volumes_isbn_9780374104092_annihilation.json"),
        "served verbatim"
    );
    let ann10 = get(s.addr(), "/books/v1/volumes?q=isbn:0374104093").await;
    assert_eq!(ann10.body, ann.body);

    let zero = get(s.addr(), "/books/v1/volumes?q=isbn:9780525478812").await;
    assert_eq!(zero.status, 200);
    assert_eq!(zero.json(), json!({"kind": "books#volumes", "totalItems": 0}), "no items key");

    let phm = get(s.addr(), "/books/v1/volumes?q=isbn:9780593135204").await.json();
    assert_eq!(phm["kind"], "books#volumes");
    assert_eq!(phm["totalItems"], 2);
    let items = phm["items"].as_array().cloned().unwrap_or_default();
    assert_ne!(
        items[0]["volumeInfo"]["industryIdentifiers"][0]["identifier"], "9780593135204",
        "decoy first"
    );
    let real = &items[1];
    assert_eq!(real["id"], "WRDyDwAAQBAJ");
    assert_eq!(
        real["volumeInfo"]["categories"],
        json!(["Fiction"]),
        "search categories are reduced"
    );
    assert_eq!(
        real["volumeInfo"]["industryIdentifiers"],
        json!([{"type": "ISBN_13", "identifier": "9780593135204"}, {"type": "ISBN_10", "identifier": "0593135202"}])
    );
    let thumb = real["volumeInfo"]["imageLinks"]["thumbnail"].as_str().unwrap_or_default();
    assert!(
        thumb.starts_with("http://books.google.com/") && thumb.contains("edge=curl"),
        "{thumb}"
    );

    let hunger = get(s.addr(), "/books/v1/volumes?q=isbn:9780439023481").await.json();
    assert!(hunger["items"][0]["volumeInfo"].get("imageLinks").is_none());
    let missing_q = get(s.addr(), "/books/v1/volumes").await;
    assert_eq!(missing_q.status, 400);
    assert_eq!(missing_q.json()["error"]["errors"][0]["reason"], "queryRequired");
}

#[tokio::test]
async fn google_title_search_and_volume_records() {
    let s = default_server().await;
    let cot_isbn = get(s.addr(), "/books/v1/volumes?q=isbn:9781447273301").await.json();
    assert_eq!(
        cot_isbn["totalItems"], 0,
        "the CSV edition of Children of Time is not in Google by ISBN"
    );
    let cot =
        get(s.addr(), "/books/v1/volumes?q=intitle:Children+of+Time+inauthor:Adrian+Tchaikovsky")
            .await;
    assert_eq!(cot.body, fixture("google_volumes_search_children_of_time.json"));
    let vol = get(s.addr(), "/books/v1/volumes/49T5twEACAAJ").await;
    assert_eq!(vol.body, fixture("google_volume_49T5twEACAAJ_children_of_time.json"));
    let ann = get(s.addr(), "/books/v1/volumes/2cl7AgAAQBAJ").await;
    assert_eq!(ann.body, fixture("google_volume_2cl7AgAAQBAJ_annihilation.json"));

    let tw = get(
        s.addr(),
        "/books/v1/volumes?q=intitle:%22This+Is+How+You+Lose+the+Time+War%22+inauthor:El-Mohtar",
    )
    .await
    .json();
    let items = tw["items"].as_array().cloned().unwrap_or_default();
    let real: Vec<&Value> = items
        .iter()
        .filter(|i| i["volumeInfo"]["title"] == "This Is How You Lose the Time War")
        .collect();
    assert_eq!(real.len(), 1);
    assert_eq!(items[0]["volumeInfo"]["title"], "This Is How You Lose the Time War Companion");
    let id = real[0]["id"].as_str().unwrap_or_default().to_owned();
    let full = get(s.addr(), &format!("/books/v1/volumes/{id}")).await.json();
    assert_eq!(full["volumeInfo"]["categories"][0], "Fiction / Science Fiction / Time Travel");
    assert!(full["volumeInfo"]["imageLinks"]["extraLarge"].is_string());

    let missing = get(s.addr(), "/books/v1/volumes/AAAAAAAAAAAA").await;
    assert_eq!(missing.status, 404);
    assert_eq!(missing.json()["error"]["errors"][0]["reason"], "notFound");
    let malformed = get(s.addr(), "/books/v1/volumes/x").await;
    assert_eq!(malformed.status, 503);
    assert_eq!(malformed.json()["error"]["errors"][0]["reason"], "backendFailed");
}

/// (ISBN-13 or "", title without series, author) of the 15 rows of `goodreads_edge_cases.csv`.
const CSV_BOOKS: [(&str, &str, &str); 15] = [
    ("9780374104092", "Annihilation", "Jeff VanderMeer"),
    ("9781447273301", "Children of Time", "Adrian Tchaikovsky"),
    ("9780140328721", "Fantastic Mr. Fox", "Roald Dahl"),
    ("9780439064873", "Harry Potter and the Sorcerer's Stone", "J.K. Rowling"),
    ("", "This Is How You Lose the Time War", "Amal El-Mohtar"),
    ("9780064471831", "Sabriel", "Garth Nix"),
    ("9780439023481", "The Hunger Games", "Suzanne Collins"),
    ("9780735211292", "Atomic Habits", "James Clear"),
    ("9780593135204", "Project Hail Mary", "Andy Weir"),
    ("9780765326355", "The Way of Kings", "Brandon Sanderson"),
    ("", "The Alchemist", "Paulo Coelho"),
    ("9780525478812", "The Fault in Our Stars", "John Green"),
    ("9780679783268", "Pride and Prejudice", "Jane Austen"),
    ("9780316769174", "The Catcher in the Rye", "J.D. Salinger"),
    ("9780307887443", "Ready Player One", "Ernest Cline"),
];

fn normalised(s: &str) -> String {
    s.to_lowercase().chars().filter(|c| c.is_alphanumeric()).collect()
}

/// Genres a careful client finds for one CSV book: OL batch (else edition→work), else OL search by
/// title+author (exact title), else Google ISBN (ISBN-checked) or title search (exact title) → volume.
async fn genres_for(s: &FakeCatalogueHandle, isbn: &str, title: &str, author: &str) -> Vec<String> {
    let addr = s.addr();
    let strings = |v: &Value| -> Vec<String> {
        v.as_array().into_iter().flatten().filter_map(|x| x.as_str().map(str::to_owned)).collect()
    };
    let mut genres = Vec::new();
    if isbn.is_empty() {
        let q = format!(
            "/search.json?title={}&author={}&fields=key,title,author_name,subject",
            title.replace(' ', "+"),
            author.replace(' ', "+")
        );
        let r = get(addr, &q).await.json();
        if let Some(doc) = r["docs"]
            .as_array()
            .into_iter()
            .flatten()
            .find(|d| normalised(d["title"].as_str().unwrap_or_default()) == normalised(title))
        {
            genres.extend(strings(&doc["subject"]));
        }
    } else {
        let key = format!("ISBN:{isbn}");
        let r = get(addr, &format!("/api/books?bibkeys={key}&format=json&jscmd=data")).await.json();
        genres.extend(
            r[&key]["subjects"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|s| s["name"].as_str().map(str::to_owned)),
        );
        if r.get(&key).is_some() && genres.is_empty() {
            let ed = get(addr, &format!("/isbn/{isbn}.json")).await.json();
            if let Some(work) = ed["works"][0]["key"].as_str() {
                genres
                    .extend(strings(&get(addr, &format!("{work}.json")).await.json()["subjects"]));
            }
        }
    }
    let search = if isbn.is_empty() {
        format!(
            "/books/v1/volumes?q=intitle:{}+inauthor:{}",
            title.replace(' ', "+"),
            author.replace(' ', "+")
        )
    } else {
        format!("/books/v1/volumes?q=isbn:{isbn}")
    };
    let mut found = get(addr, &search).await.json();
    if found["totalItems"] == 0 && !isbn.is_empty() {
        found = get(
            addr,
            &format!(
                "/books/v1/volumes?q=intitle:{}+inauthor:{}",
                title.replace(' ', "+"),
                author.replace(' ', "+")
            ),
        )
        .await
        .json();
    }
    let item = found["items"].as_array().into_iter().flatten().find(|i| {
        let info = &i["volumeInfo"];
        let isbn_ok = info["industryIdentifiers"]
            .as_array()
            .into_iter()
            .flatten()
            .any(|x| x["identifier"] == isbn);
        isbn_ok || normalised(info["title"].as_str().unwrap_or_default()) == normalised(title)
    });
    if let Some(id) = item.and_then(|i| i["id"].as_str()) {
        genres.extend(strings(
            &get(addr, &format!("/books/v1/volumes/{id}")).await.json()["volumeInfo"]["categories"],
        ));
    }
    genres
}

#[tokio::test]
async fn the_default_catalogue_enriches_nearly_every_csv_book() {
    let s = default_server().await;
    let mut without = Vec::new();
    for (isbn, title, author) in CSV_BOOKS {
        if genres_for(&s, isbn, title, author).await.is_empty() {
            without.push(title);
        }
    }
    assert_eq!(without, vec!["The Alchemist"], "exactly one book is unknown everywhere");
}

#[tokio::test]
async fn synthetic_books_answer_only_when_enabled() {
    let book = FakeBook::synthetic(4_242);
    let isbn = book.isbn13.clone().unwrap_or_default();
    let off = FakeCatalogue::builder().start().await.expect("start");
    let on = FakeCatalogue::builder().synthetic(true).start().await.expect("start");
    let path = format!("/api/books?bibkeys=ISBN:{isbn}&format=json&jscmd=data");
    assert_eq!(get(off.addr(), &path).await.json(), json!({}));
    let body = get(on.addr(), &path).await.json();
    assert_eq!(body[format!("ISBN:{isbn}")]["title"], book.title.as_str());
    let search = format!(
        "/search.json?title={}&author={}",
        book.title.replace(' ', "+"),
        book.author.replace(' ', "+")
    );
    let docs = get(on.addr(), &search).await.json();
    assert_eq!(docs["numFound"], 1);
    assert_eq!(docs["docs"][0]["key"], book.ol_work_key.clone().unwrap_or_default());
    let work = get(on.addr(), &format!("{}.json", book.ol_work_key.clone().unwrap_or_default()))
        .await
        .json();
    assert_eq!(work["subjects"], json!(book.ol_work_subjects));
    let g = get(on.addr(), &format!("/books/v1/volumes?q=isbn:{isbn}")).await.json();
    assert_eq!(g["items"][0]["id"], book.google_id.clone().unwrap_or_default());
    let v = get(
        on.addr(),
        &format!("/books/v1/volumes/{}", book.google_id.clone().unwrap_or_default()),
    )
    .await
    .json();
    assert_eq!(v["volumeInfo"]["categories"], json!(book.google_categories));
    let bad_check = format!("{}{}", &isbn[..12], if isbn.ends_with('0') { '1' } else { '0' });
    let path = format!("/api/books?bibkeys=ISBN:{bad_check}&format=json&jscmd=data");
    assert_eq!(get(on.addr(), &path).await.json(), json!({}), "a wrong check digit is not a book");
}

#[tokio::test]
async fn custom_books_and_catalogue_files() {
    let mut book = FakeBook::new("9780765326355", "The Way of Kings", "Brandon Sanderson");
    book.ol_subjects = vec!["Epic fantasy".into()];
    let s = FakeCatalogue::builder().books(vec![book]).start().await.expect("start");
    let body =
        get(s.addr(), "/api/books?bibkeys=ISBN:0765326353&format=json&jscmd=data").await.json();
    assert_eq!(body["ISBN:0765326353"]["subjects"][0]["name"], "Epic fantasy");

    let dir = std::env::temp_dir().join(format!("fake-catalogue-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let file = dir.join("books.json");
    std::fs::write(&file, r#"{"books": [{"title": "Only Title", "author": "Someone", "ol_work_key": "/works/OL1W"}]}"#)
        .expect("write");
    let s = FakeCatalogue::builder().catalogue_file(&file).start().await.expect("start");
    assert_eq!(get(s.addr(), "/works/OL1W.json").await.json()["title"], "Only Title");
    std::fs::write(&file, r#"{"books": [{"title": "x", "author": "y", "colour": "red"}]}"#)
        .expect("write");
    let err =
        FakeCatalogue::builder().catalogue_file(&file).start().await.err().map(|e| e.to_string());
    assert!(
        err.as_deref().is_some_and(|e| e.contains("books.json") && e.contains("colour")),
        "{err:?}"
    );
    std::fs::write(
        &file,
        r#"{"books": [{"title": "x", "author": "y", "recorded": {"ol_work": "nope.json"}}]}"#,
    )
    .expect("write");
    let err =
        FakeCatalogue::builder().catalogue_file(&file).start().await.err().map(|e| e.to_string());
    assert!(err.as_deref().is_some_and(|e| e.contains("nope.json")), "{err:?}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test]
async fn stats_count_exactly_and_hide_the_api_key() {
    let s = default_server().await;
    for _ in 0..3 {
        get(s.addr(), "/api/books?bibkeys=ISBN:0140328726&format=json&jscmd=data").await;
    }
    get(s.addr(), "/books/v1/volumes?q=isbn:9780374104092&key=SECRET-KEY-123").await;
    get_with(s.addr(), "/books/v1/volumes/2cl7AgAAQBAJ", "x-goog-api-key: SECRET-KEY-123\r\n")
        .await;
    get(s.addr(), "/nope").await;
    get(s.addr(), "/__stats").await;
    let stats = s.stats();
    assert_eq!(stats.total, 6, "control routes are not counted");
    assert_eq!(stats.route("/api/books"), 3);
    assert_eq!(stats.route("/books/v1/volumes"), 1);
    assert_eq!(stats.route("/books/v1/volumes/{id}"), 1);
    assert_eq!(stats.route("unknown"), 1);
    assert_eq!(stats.api(Api::OpenLibrary), 3);
    assert_eq!(stats.api(Api::Google), 2);
    assert_eq!(stats.api_keys_seen, 2);
    assert_eq!(stats.target("/books/v1/volumes?q=isbn:9780374104092"), 1);
    assert_eq!(stats.target("/api/books?bibkeys=ISBN:0140328726&format=json&jscmd=data"), 3);
    assert_eq!(stats.responses_by_status.get(&200), Some(&5));
    assert_eq!(stats.responses_by_status.get(&404), Some(&1));
    assert_eq!(stats.user_agents.get("fake-catalogue-tests"), Some(&6));
    let over_http = get(s.addr(), "/__stats").await;
    assert!(!over_http.text().contains("SECRET"), "the key is never stored");
    assert_eq!(
        serde_json::from_slice::<bookenrich_fake_catalogue::Stats>(&over_http.body).ok(),
        Some(stats)
    );
    s.reset_stats();
    assert_eq!(s.stats(), bookenrich_fake_catalogue::Stats::default());
}

#[tokio::test]
async fn keep_alive_serves_several_requests_on_one_connection() {
    let s = default_server().await;
    let request = "GET /works/OL45804W.json HTTP/1.1\r\nHost: x\r\n\r\nGET /works/OL1W.json HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";
    let raw = common::exchange(s.addr(), request.as_bytes()).await;
    let text = String::from_utf8_lossy(&raw);
    assert_eq!(text.matches("HTTP/1.1 ").count(), 2, "{text}");
    assert!(text.starts_with("HTTP/1.1 200 OK"));
    assert!(text.contains("HTTP/1.1 404 Not Found"));
    assert_eq!(s.stats().total, 2);
    let bad = common::exchange(s.addr(), b"NONSENSE\r\n\r\n").await;
    assert!(String::from_utf8_lossy(&bad).starts_with("HTTP/1.1 400"));
    let post = common::post(s.addr(), "/search.json", "{}").await;
    assert_eq!(post.status, 405);
}

#[tokio::test]
async fn latency_delays_every_catalogue_response() {
    let s = FakeCatalogue::builder()
        .with_default_catalogue()
        .latency(Duration::from_millis(300))
        .start()
        .await
        .expect("start");
    let started = std::time::Instant::now();
    get(s.addr(), "/works/OL45804W.json").await;
    assert!(started.elapsed() >= Duration::from_millis(300));
    s.set_latency(Duration::ZERO);
    assert_eq!(get(s.addr(), "/works/OL45804W.json").await.status, 200);
}

#[tokio::test(start_paused = true)]
async fn rate_limit_answers_429_with_the_real_bodies() {
    // Paused clock: the buckets refill only when the test advances time, so the counts are exact.
    let s = FakeCatalogue::builder()
        .with_default_catalogue()
        .rate_limit(Api::OpenLibrary, RateLimit::per_second(1.0).burst(2).retry_after(3))
        .rate_limit(Api::Google, RateLimit::per_second(1.0))
        .start()
        .await
        .expect("start");
    let mut statuses = Vec::new();
    for _ in 0..4 {
        let r = get(s.addr(), "/works/OL45804W.json").await;
        if r.status == 429 {
            assert_eq!(r.header("retry-after"), Some("3"));
            assert_eq!(
                r.json(),
                json!({"status": 429, "message": "Too Many Requests. Consider using https://openlibrary.org/developers/dumps."})
            );
        }
        statuses.push(r.status);
    }
    assert_eq!(statuses, vec![200, 200, 429, 429]);
    let g1 = get(s.addr(), "/books/v1/volumes/2cl7AgAAQBAJ").await;
    let g2 = get(s.addr(), "/books/v1/volumes/2cl7AgAAQBAJ").await;
    assert_eq!((g1.status, g2.status), (200, 429));
    assert_eq!(g2.header("retry-after"), None);
    assert_eq!(g2.json()["error"]["errors"][0]["reason"], "rateLimitExceeded");
    assert!(g2.json()["error"]["message"].as_str().is_some_and(|m| m.contains("per minute")));
    tokio::time::advance(Duration::from_millis(1_100)).await;
    assert_eq!(get(s.addr(), "/works/OL45804W.json").await.status, 200);
    let stats = s.stats();
    assert_eq!(stats.served_429, 3);
    assert_eq!(stats.rate_limited_by_api.get(&Api::OpenLibrary), Some(&2));
    assert_eq!(stats.rate_limited_by_api.get(&Api::Google), Some(&1));
    assert_eq!(stats.total, 7, "429s are counted as requests");
    s.set_rate_limit(Api::OpenLibrary, None);
    for _ in 0..5 {
        assert_eq!(get(s.addr(), "/works/OL45804W.json").await.status, 200);
    }
}

#[tokio::test]
async fn google_daily_quota_stops_google_only() {
    let s = FakeCatalogue::builder()
        .with_default_catalogue()
        .google_daily_quota(2)
        .start()
        .await
        .expect("start");
    assert_eq!(get(s.addr(), "/books/v1/volumes/2cl7AgAAQBAJ").await.status, 200);
    assert_eq!(get(s.addr(), "/books/v1/volumes?q=isbn:9780374104092").await.status, 200);
    let third = get(s.addr(), "/books/v1/volumes/2cl7AgAAQBAJ").await;
    assert_eq!(third.status, 429);
    assert!(
        third.json()["error"]["message"].as_str().is_some_and(|m| m.contains("'Queries per day'"))
    );
    // A keyless request gets the recorded real answer verbatim.
    assert_eq!(third.body, fixture("googlebooks_error_429_quota_exceeded_keyless.json"));
    let keyed = get_with(s.addr(), "/books/v1/volumes/2cl7AgAAQBAJ", "x-goog-api-key: k\r\n").await;
    assert_eq!(keyed.status, 429);
    assert!(
        keyed.json()["error"]["message"].as_str().is_some_and(|m| m.contains("'Queries per day'"))
    );
    assert_eq!(get(s.addr(), "/works/OL45804W.json").await.status, 200);
    assert_eq!(s.stats().quota_exhausted, 2);
    s.reset_stats();
    assert_eq!(
        get(s.addr(), "/books/v1/volumes/2cl7AgAAQBAJ").await.status,
        200,
        "reset restarts the day"
    );
}

/// `search.json?q=isbn:(A OR B …)` in the shape of the recorded batch answer: one doc per matching
/// work, an unknown ISBN gives none, an ISBN in two works (a box set) gives both, `editions` holds
/// the matching edition with both ISBN forms.
#[tokio::test]
async fn isbn_or_query_answers_one_doc_per_matching_work() {
    let s = default_server().await;
    let fields = "key,title,subject,cover_i,id_goodreads,editions,editions.key,editions.cover_i,editions.isbn";
    let q = "isbn:(9780439023481%20OR%209780593135204%20OR%209791099999993%20OR%200064471837)";
    let r = get(s.addr(), &format!("/search.json?q={q}&fields={fields}&limit=100")).await;
    assert_eq!(r.status, 200);
    let body = r.json();
    let recorded = fixture_json("openlibrary_search_isbn_or_batch_26.json");
    let frame = |v: &Value| {
        let mut k = keys(v);
        k.retain(|k| k != "documentation_url");
        k
    };
    assert_eq!(frame(&body), frame(&recorded), "the recorded frame");
    let works: Vec<&str> =
        body["docs"].as_array().unwrap().iter().map(|d| d["key"].as_str().unwrap()).collect();
    assert_eq!(
        works,
        ["/works/OL15832982W", "/works/OL5735363W", "/works/OL15926035W", "/works/OL21745884W"],
        "Sabriel by ISBN-10, The Hunger Games and its box set, Project Hail Mary; the unknown ISBN gives nothing"
    );
    assert_eq!(body["numFound"], 4);
    let hunger = &body["docs"][1];
    assert_eq!(hunger["editions"]["docs"][0]["isbn"], json!(["9780439023481", "0439023483"]));
    assert_eq!(hunger["id_goodreads"], json!(["2767052", "12996302"]));
    assert!(hunger["subject"].as_array().is_some_and(|s| !s.is_empty()));
    let boxed = &body["docs"][2];
    assert_eq!(boxed["title"], "The Hunger Games Trilogy Boxed Set");
    assert!(
        boxed["editions"]["docs"][0]["isbn"].as_array().unwrap().contains(&json!("9780439023481"))
    );
    assert_eq!(keys(&boxed["editions"]), keys(&recorded["docs"][0]["editions"]));
    assert!(boxed.get("id_goodreads").is_none(), "a field without value is left out");
    // Fields not asked for are left out, as in the recording.
    let bare =
        get(s.addr(), "/search.json?q=isbn:(9780593135204)&fields=key&limit=10").await.json();
    assert_eq!(bare["docs"], json!([{"key": "/works/OL21745884W"}]));
}

/// `q=id_goodreads:(…)`: Open Library knows only some Goodreads ids (here not The Alchemist's).
#[tokio::test]
async fn goodreads_id_query_covers_only_known_ids() {
    let s = FakeCatalogue::builder()
        .with_default_catalogue()
        .synthetic(true)
        .start()
        .await
        .expect("start");
    let known = FakeBook::synthetic_goodreads_id(1);
    let unknown = FakeBook::synthetic_goodreads_id(9);
    assert!(!FakeBook::synthetic_goodreads_known(9));
    let q = format!("id_goodreads:(36373481%20OR%2018144590%20OR%20{known}%20OR%20{unknown})");
    let body = get(s.addr(), &format!("/search.json?q={q}&fields=key,id_goodreads&limit=100"))
        .await
        .json();
    assert_eq!(
        body["docs"],
        json!([
            {"key": "/works/OL20639540W", "id_goodreads": ["36373481"]},
            {"key": format!("/works/OL{}W", 90_000_001), "id_goodreads": [known]}
        ])
    );
    let single = get(s.addr(), "/search.json?q=id_goodreads:36373481&fields=key").await.json();
    assert_eq!(single["docs"], json!([{"key": "/works/OL20639540W"}]));
    // Combining both fields is not a recorded shape: not answered as an identifier query.
    let mixed =
        get(s.addr(), "/search.json?q=isbn:(9780593135204)%20OR%20id_goodreads:(1885)&fields=key")
            .await
            .json();
    assert_eq!(mixed["numFound"], 0);
}
