//! Configuration: precedence, parsing of every variable, errors naming the field, secrets.

use super::*;

fn env(pairs: &[(&str, &str)]) -> HashMap<String, String> {
    pairs.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect()
}

/// A transport that is never used, so the tests do not depend on the `http` feature.
#[derive(Debug)]
struct Unused;

#[async_trait::async_trait]
impl crate::http::HttpClient for Unused {
    async fn get(
        &self,
        _: crate::http::HttpRequest,
    ) -> Result<crate::http::HttpResponse, crate::http::TransportError> {
        Err(crate::http::TransportError::Other("unused".into()))
    }
}

/// `build(options)`, with the unused transport.
fn build(options: EnricherOptions) -> Result<Enricher> {
    options.into_builder()?.http_client(Arc::new(Unused)).build()
}

fn config_field(result: Result<impl fmt::Debug>) -> String {
    match result {
        Err(Error::Config { field, .. }) => field,
        other => panic!("expected a configuration error, got {other:?}"),
    }
}

#[test]
fn defaults_build_both_sources_with_published_limits() {
    let enricher = build(EnricherOptions::default()).unwrap();
    assert_eq!(enricher.source_names(), ["open_library", "google_books"]);
    assert_eq!(enricher.concurrency(), DEFAULT_CONCURRENCY);
    assert_eq!(enricher.merge_policy(), MergePolicy::Planned);
    assert!(!enricher.is_offline());
    let limits: Vec<(&str, f64)> =
        enricher.rate_limits().into_iter().map(|(n, l)| (n, l.per_second)).collect();
    let _ = &enricher;
    assert_eq!(
        limits,
        [("open_library", 1.0), ("google_books", 1.0)],
        "anonymous Open Library: 1/s"
    );

    let identified =
        EnricherOptions { contact: Some("me@example.org".into()), ..EnricherOptions::default() };
    let identified = build(identified).unwrap();
    assert_eq!(identified.rate_limits()[0].1.per_second, 3.0, "identified Open Library: 3/s");
}

#[test]
fn explicit_beats_environment_beats_default() {
    let vars = env(&[
        ("BOOKENRICH_CONCURRENCY", "4"),
        ("BOOKENRICH_SOURCES", "google,openlibrary"),
        ("BOOKENRICH_CONTACT", "env@example.org"),
    ]);
    let explicit = EnricherOptions { concurrency: Some(8), ..EnricherOptions::default() };
    let options = explicit.with_env_map(&vars).unwrap();
    assert_eq!(options.concurrency, Some(8));
    assert_eq!(options.sources, Some(vec![BuiltinSource::GoogleBooks, BuiltinSource::OpenLibrary]));
    assert_eq!(options.contact.as_deref(), Some("env@example.org"));
    assert_eq!(options.max_attempts, None, "unset everywhere: the default applies at build");

    let enricher = build(options).unwrap();
    assert_eq!(enricher.concurrency(), 8);
    assert_eq!(enricher.source_names(), ["google_books", "open_library"]);
}

#[test]
fn every_variable_is_read() {
    let vars = env(&[
        ("BOOKENRICH_SOURCES", "open_library, google_books"),
        ("BOOKENRICH_MERGE_POLICY", "first"),
        ("BOOKENRICH_CONCURRENCY", "3"),
        ("BOOKENRICH_RATE_LIMITS", "openlibrary=2.5, google=0.5"),
        ("BOOKENRICH_OPEN_LIBRARY_URL", "http://127.0.0.1:9000"),
        ("BOOKENRICH_GOOGLE_BOOKS_URL", "https://proxy.example.org/google"),
        ("BOOKENRICH_CONTACT", "ops@example.org"),
        ("GOOGLE_BOOKS_API_KEY", "AIzaKEY"),
        ("BOOKENRICH_CACHE", "off"),
        ("BOOKENRICH_OFFLINE", "yes"),
        ("BOOKENRICH_MAX_ATTEMPTS", "2"),
        ("BOOKENRICH_REQUEST_TIMEOUT", "12.5"),
        ("BOOKENRICH_CONNECT_TIMEOUT", "3"),
        ("BOOKENRICH_MAX_BODY_BYTES", "1000000"),
        ("BOOKENRICH_OPEN_LIBRARY_BATCH_SIZE", "20"),
        ("BOOKENRICH_GOOGLE_DAILY_BUDGET", "250"),
    ]);
    let o = EnricherOptions::from_env_map(&vars).unwrap();
    let want = EnricherOptions {
        sources: Some(vec![BuiltinSource::OpenLibrary, BuiltinSource::GoogleBooks]),
        merge_policy: Some(MergePolicy::FirstWithGenres),
        concurrency: Some(3),
        rate_limits: Some(BTreeMap::from([
            ("open_library".to_owned(), 2.5),
            ("google_books".to_owned(), 0.5),
        ])),
        open_library_url: Some("http://127.0.0.1:9000".into()),
        google_books_url: Some("https://proxy.example.org/google".into()),
        contact: Some("ops@example.org".into()),
        google_api_key: Some("AIzaKEY".into()),
        cache: Some(CacheSetting::Off),
        offline: Some(true),
        max_attempts: Some(2),
        request_timeout_secs: Some(12.5),
        connect_timeout_secs: Some(3.0),
        max_body_bytes: Some(1_000_000),
        open_library_batch_size: Some(20),
        google_daily_budget: Some(250),
    };
    assert_eq!(o, want);
    assert_eq!(ENV_VARS.len(), OPTIONS.len(), "the documented list names every variable");
    for (name, _) in ENV_VARS {
        assert!(vars.contains_key(*name), "{name} is tested");
    }

    let enricher = build(o).unwrap();
    assert_eq!(enricher.merge_policy(), MergePolicy::FirstWithGenres);
    assert!(enricher.is_offline());
    let limits: Vec<f64> = enricher.rate_limits().iter().map(|(_, l)| l.per_second).collect();
    assert_eq!(limits, [2.5, 0.5]);
}

#[test]
fn empty_variables_count_as_unset() {
    let o = EnricherOptions::from_env_map(&env(&[
        ("BOOKENRICH_CONCURRENCY", "  "),
        ("BOOKENRICH_SOURCES", ""),
    ]))
    .unwrap();
    assert_eq!(o, EnricherOptions::default());
}

#[test]
fn invalid_variables_name_the_variable() {
    let cases = [
        ("BOOKENRICH_CONCURRENCY", "zero"),
        ("BOOKENRICH_CONCURRENCY", "0"),
        ("BOOKENRICH_CONCURRENCY", "-3"),
        ("BOOKENRICH_SOURCES", "openlibrary,goodreads"),
        ("BOOKENRICH_SOURCES", "google,google"),
        ("BOOKENRICH_SOURCES", ","),
        ("BOOKENRICH_MERGE_POLICY", "best"),
        ("BOOKENRICH_RATE_LIMITS", "openlibrary"),
        ("BOOKENRICH_RATE_LIMITS", "openlibrary=fast"),
        ("BOOKENRICH_RATE_LIMITS", "openlibrary=0"),
        ("BOOKENRICH_RATE_LIMITS", "openlibrary=-1"),
        ("BOOKENRICH_RATE_LIMITS", "=3"),
        ("BOOKENRICH_RATE_LIMITS", "ol=1,openlibrary=2"),
        ("BOOKENRICH_OPEN_LIBRARY_URL", "openlibrary.org"),
        ("BOOKENRICH_OPEN_LIBRARY_URL", "ftp://openlibrary.org"),
        ("BOOKENRICH_GOOGLE_BOOKS_URL", "https://www.googleapis.com/?key=x"),
        ("BOOKENRICH_GOOGLE_BOOKS_URL", "https://user:pw@proxy.example.org"),
        ("BOOKENRICH_OFFLINE", "maybe"),
        ("BOOKENRICH_MAX_ATTEMPTS", "99999999999"),
        ("BOOKENRICH_REQUEST_TIMEOUT", "0"),
        ("BOOKENRICH_REQUEST_TIMEOUT", "NaN"),
        ("BOOKENRICH_CONNECT_TIMEOUT", "soon"),
        ("BOOKENRICH_MAX_BODY_BYTES", "8MiB"),
        ("BOOKENRICH_OPEN_LIBRARY_BATCH_SIZE", "0"),
    ];
    for (name, value) in cases {
        let got = EnricherOptions::from_env_map(&env(&[(name, value)]));
        assert_eq!(config_field(got), name, "{name}={value}");
    }
    let message = EnricherOptions::from_env_map(&env(&[("BOOKENRICH_CONCURRENCY", "zero")]))
        .unwrap_err()
        .to_string();
    assert_eq!(message, "invalid BOOKENRICH_CONCURRENCY: \"zero\" is not a whole number");
}

#[test]
fn invalid_explicit_values_name_the_option() {
    let base = EnricherOptions::default;
    assert_eq!(
        config_field(build(EnricherOptions { concurrency: Some(0), ..base() })),
        "concurrency"
    );
    assert_eq!(
        config_field(build(EnricherOptions {
            open_library_url: Some("not a url".into()),
            ..base()
        })),
        "open_library_url"
    );
    assert_eq!(
        config_field(build(EnricherOptions { max_attempts: Some(0), ..base() })),
        "max_attempts"
    );
    assert_eq!(
        config_field(build(EnricherOptions { request_timeout_secs: Some(-1.0), ..base() })),
        "request_timeout_secs"
    );
    assert_eq!(
        config_field(build(EnricherOptions {
            rate_limits: Some(BTreeMap::from([("google".into(), 0.0)])),
            ..base()
        })),
        "rate_limits"
    );
    // A rate limit for an unknown source is a typo, not silently ignored...
    let typo =
        EnricherOptions { rate_limits: Some(BTreeMap::from([("gogle".into(), 1.0)])), ..base() };
    assert_eq!(config_field(build(typo)), "rate_limits");
    // ...but one for a built-in source that is switched off is fine.
    let only_ol = EnricherOptions {
        sources: Some(vec![BuiltinSource::OpenLibrary]),
        rate_limits: Some(BTreeMap::from([("google".into(), 1.0)])),
        ..base()
    };
    assert_eq!(build(only_ol).unwrap().source_names(), ["open_library"]);
    let twice = EnricherOptions {
        sources: Some(vec![BuiltinSource::GoogleBooks, BuiltinSource::GoogleBooks]),
        ..base()
    };
    assert_eq!(config_field(build(twice)), "sources");
    assert_eq!(config_field(build(EnricherOptions { sources: Some(vec![]), ..base() })), "sources");
}

#[test]
fn the_api_key_is_never_serialised_or_printed() {
    let o =
        EnricherOptions { google_api_key: Some("AIzaSECRET".into()), ..EnricherOptions::default() };
    assert!(!format!("{o:?}").contains("AIzaSECRET"));
    let json = serde_json::to_string(&o).unwrap();
    assert!(!json.contains("AIzaSECRET"), "{json}");
    let enricher = build(o).unwrap();
    assert!(!format!("{enricher:?}").contains("AIzaSECRET"));
}

#[test]
fn options_round_trip_through_json() {
    let json = r#"{
        "sources": ["openlibrary", "google_books"],
        "merge_policy": "first_with_genres",
        "concurrency": 2,
        "rate_limits": {"open_library": 2.0},
        "cache": "/tmp/bookenrich-cache.sqlite",
        "offline": false,
        "google_api_key": "k"
    }"#;
    let o: EnricherOptions = serde_json::from_str(json).unwrap();
    assert_eq!(o.sources, Some(vec![BuiltinSource::OpenLibrary, BuiltinSource::GoogleBooks]));
    assert_eq!(o.cache, Some(CacheSetting::Path("/tmp/bookenrich-cache.sqlite".into())));
    assert_eq!(o.google_api_key.as_deref(), Some("k"));
    let back: EnricherOptions = serde_json::from_str(&serde_json::to_string(&o).unwrap()).unwrap();
    assert_eq!(back, EnricherOptions { google_api_key: None, ..o });

    let unknown = serde_json::from_str::<EnricherOptions>(r#"{"concurency": 3}"#).unwrap_err();
    assert!(unknown.to_string().contains("concurency"), "{unknown}");
    assert!(serde_json::from_str::<EnricherOptions>(r#"{"sources": ["goodreads"]}"#).is_err());
}

#[test]
fn cache_settings() {
    assert_eq!(CacheSetting::parse("off"), Ok(CacheSetting::Off));
    assert_eq!(CacheSetting::parse("OFF"), Ok(CacheSetting::Off));
    assert_eq!(CacheSetting::parse("memory"), Ok(CacheSetting::Memory));
    assert_eq!(CacheSetting::parse("./off"), Ok(CacheSetting::Path("./off".into())));
    assert!(CacheSetting::parse(" ").is_err());
    assert!(CacheSetting::Off.open(false).unwrap().is_none());
    assert!(CacheSetting::Memory.open(false).unwrap().is_some());
}

#[test]
fn source_names() {
    for (text, want) in [
        ("openlibrary", BuiltinSource::OpenLibrary),
        ("open_library", BuiltinSource::OpenLibrary),
        ("Open-Library", BuiltinSource::OpenLibrary),
        ("google", BuiltinSource::GoogleBooks),
        ("google_books", BuiltinSource::GoogleBooks),
        ("GoogleBooks", BuiltinSource::GoogleBooks),
    ] {
        assert_eq!(BuiltinSource::parse(text), Some(want), "{text}");
    }
    assert_eq!(BuiltinSource::parse("amazon"), None);
}

#[test]
fn custom_sources_can_join_or_replace_the_built_in_ones() {
    use crate::fetch::Fetcher;
    use crate::sources::{BookQuery, SourceResult};

    #[derive(Debug)]
    struct Mine;
    #[async_trait::async_trait]
    impl GenreSource for Mine {
        fn name(&self) -> &str {
            "mine"
        }
        async fn lookup(&self, books: &[BookQuery], _fetch: &Fetcher) -> Vec<SourceResult> {
            books.iter().map(|_| Ok(None)).collect()
        }
    }
    let build_with_mine = |options: EnricherOptions| {
        options.into_builder().unwrap().http_client(Arc::new(Unused)).source(Arc::new(Mine)).build()
    };
    let with_rate = EnricherOptions {
        rate_limits: Some(BTreeMap::from([("mine".into(), 5.0)])),
        ..EnricherOptions::default()
    };
    let enricher = build_with_mine(with_rate).unwrap();
    assert_eq!(enricher.source_names(), ["open_library", "google_books", "mine"]);
    assert_eq!(enricher.rate_limits()[2].1.per_second, 5.0);

    let only_mine = EnricherOptions { sources: Some(vec![]), ..EnricherOptions::default() };
    let enricher = build_with_mine(only_mine).unwrap();
    assert_eq!(enricher.source_names(), ["mine"]);
}

#[cfg(feature = "sqlite")]
#[test]
fn a_cache_path_opens_the_persistent_cache_and_rebuilds_a_damaged_one() {
    use crate::cache::{CacheEntry, CacheKey};

    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("nested").join("cache.sqlite");
    let setting = CacheSetting::Path(path.clone());
    let cache = setting.open(false).unwrap().unwrap();
    let key = CacheKey::new("open_library", "/isbn/1.json");
    cache.put(&key, &CacheEntry::found(b"{}".to_vec())).unwrap();
    drop(cache);
    let reopened = setting.open(true).unwrap().unwrap();
    assert_eq!(reopened.get(&key).unwrap().unwrap().body.as_deref(), Some(&b"{}"[..]));
    drop(reopened);

    let damaged = dir.path().join("damaged.sqlite");
    std::fs::write(&damaged, b"this is not a database, just some text of some length").unwrap();
    let fresh = CacheSetting::Path(damaged).open(false).unwrap().unwrap();
    assert_eq!(fresh.get(&key).unwrap(), None);
    let built =
        build(EnricherOptions { cache: Some(setting), ..EnricherOptions::default() }).unwrap();
    assert_eq!(built.source_names().len(), 2);
}

#[test]
fn set_by_key_names_the_option_in_the_callers_spelling() {
    use serde_json::json;
    let cases = [
        (Spelling::Rust, "request_timeout_secs"),
        (Spelling::Python, "request_timeout"),
        (Spelling::Node, "requestTimeout"),
        (Spelling::Cli, "--request-timeout"),
        (Spelling::Env, "BOOKENRICH_REQUEST_TIMEOUT"),
    ];
    for (spelling, name) in cases {
        let mut options = EnricherOptions::default();
        options.set(name, &json!(12.5), spelling).unwrap();
        assert_eq!(options.request_timeout_secs, Some(12.5));
        let err = options.set(name, &json!(0), spelling).unwrap_err();
        assert_eq!(
            err.to_string(),
            format!("invalid {name}: 0 is not a number of seconds between 0 and 86400")
        );
        assert_eq!(config_field(Err::<(), _>(err)), name);
    }
    let mut options = EnricherOptions::default();
    let err = options.set("requestTimeout", &json!(1), Spelling::Python).unwrap_err();
    assert_eq!(err.to_string(), "invalid requestTimeout: is not an option");
}

#[test]
fn every_front_end_reads_values_as_the_environment_does() {
    use serde_json::json;
    let mut o = EnricherOptions::default();
    o.set("sources", &json!(["google", "openlibrary"]), Spelling::Node).unwrap();
    o.set("rateLimits", &json!({"openlibrary": 2.5, "google": 1.0}), Spelling::Node).unwrap();
    o.set("concurrency", &json!(16.0), Spelling::Node).unwrap();
    o.set("offline", &json!(true), Spelling::Node).unwrap();
    o.set("googleDailyBudget", &json!(250), Spelling::Node).unwrap();
    o.set("merge", &json!(null), Spelling::Node).unwrap();
    assert_eq!(o.sources, Some(vec![BuiltinSource::GoogleBooks, BuiltinSource::OpenLibrary]));
    assert_eq!(
        o.rate_limits,
        Some(BTreeMap::from([("google_books".to_owned(), 1.0), ("open_library".to_owned(), 2.5)]))
    );
    assert_eq!(
        (o.concurrency, o.offline, o.google_daily_budget),
        (Some(16), Some(true), Some(250))
    );
    assert_eq!(o.merge_policy, None);

    // The same bad value gives the same words whichever front end sent it.
    for (spelling, name, value) in [
        (Spelling::Env, "BOOKENRICH_CONCURRENCY", json!("0")),
        (Spelling::Python, "concurrency", json!(0)),
        (Spelling::Node, "concurrency", json!(0.0)),
        (Spelling::Cli, "--concurrency", json!(0)),
    ] {
        let err = EnricherOptions::default().set(name, &value, spelling).unwrap_err();
        assert_eq!(
            err.to_string(),
            format!("invalid {name}: must be a whole number of at least 1, got 0")
        );
    }
    let err = EnricherOptions::default().set("concurrency", &json!(2.5), Spelling::Node);
    assert!(err.unwrap_err().to_string().ends_with("got 2.5"));
}

#[test]
fn checks_made_while_building_are_respelled_for_the_caller() {
    let options = EnricherOptions {
        rate_limits: Some(BTreeMap::from([("amazon".to_owned(), 1.0)])),
        ..EnricherOptions::default()
    };
    let err = respelled(build(options).unwrap_err(), Spelling::Node);
    assert_eq!(config_field(Err::<(), _>(err)), "rateLimits");
    let err = respelled(Error::config("request_timeout_secs", "x"), Spelling::Cli);
    assert_eq!(err.to_string(), "invalid --request-timeout: x");
    let unrelated = respelled(Error::config("BOOKENRICH_CACHE", "x"), Spelling::Node);
    assert_eq!(unrelated.to_string(), "invalid BOOKENRICH_CACHE: x");
}

#[test]
fn the_option_list_is_complete_and_unambiguous() {
    let fields = serde_json::to_value(EnricherOptions {
        google_api_key: None,
        ..EnricherOptions::default()
    })
    .unwrap();
    let fields = fields.as_object().unwrap();
    // Every field but the never-serialised key is declared, and every declared one is a field.
    assert_eq!(fields.len() + 1, OPTIONS.len());
    for spec in OPTIONS {
        assert!(spec.secret || fields.contains_key(spec.field), "{}", spec.field);
        for spelling in
            [Spelling::Rust, Spelling::Python, Spelling::Node, Spelling::Cli, Spelling::Env]
        {
            let name = spec.name(spelling);
            assert_eq!(OptionSpec::find(&name, spelling).map(|o| o.field), Some(spec.field));
        }
    }
    let debug = format!(
        "{:?}",
        EnricherOptions { google_api_key: Some("AIzaSECRET".into()), ..EnricherOptions::default() }
    );
    assert!(!debug.contains("AIzaSECRET") && debug.contains("<redacted>"), "{debug}");
}
