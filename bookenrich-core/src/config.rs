//! The one configuration surface of the enricher, shared by the library, the CLI,
//! and the Python and Node bindings.
//!
//! [`EnricherOptions`] is a plain, serde-able struct of `Option`s. Every option can
//! be given in code (or as a CLI flag / binding argument mapped onto the struct), or
//! through an environment variable; an explicit value wins over the environment,
//! which wins over the default:
//!
//! ```
//! # fn demo() -> bookenrich_core::Result<()> {
//! use std::collections::HashMap;
//! use bookenrich_core::config::EnricherOptions;
//! let env = HashMap::from([
//!     ("BOOKENRICH_CONCURRENCY".to_owned(), "4".to_owned()),
//!     ("BOOKENRICH_SOURCES".to_owned(), "openlibrary".to_owned()),
//! ]);
//! let options = EnricherOptions { concurrency: Some(8), ..EnricherOptions::default() }.with_env_map(&env)?;
//! assert_eq!(options.concurrency, Some(8)); // explicit beats environment
//! assert_eq!(options.sources.as_ref().map(Vec::len), Some(1));
//! # Ok(()) }
//! ```
//!
//! See `docs/enrichment.md` for the table of options, variables and defaults.

use std::collections::{BTreeMap, HashMap};
use std::fmt;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use serde::{Deserialize, Serialize};

use crate::cache::{MemoryCache, ResponseCache};
use crate::engine::{
    DEFAULT_CONCURRENCY, Enricher, EnricherBuilder, MergePolicy, RateLimit, RetryPolicy,
};
use crate::error::{Error, Result};
use crate::fetch::{DEFAULT_MAX_BODY_BYTES, DEFAULT_REQUEST_TIMEOUT};
use crate::sources::google_books::GoogleBooksConfig;
use crate::sources::open_library::OpenLibraryConfig;
use crate::sources::{GenreSource, GoogleBooks, OpenLibrary, SHELVES, Shelves};

/// Default Open Library base URL.
pub const DEFAULT_OPEN_LIBRARY_URL: &str = crate::sources::open_library::DEFAULT_BASE_URL;
/// Default Google Books base URL.
pub const DEFAULT_GOOGLE_BOOKS_URL: &str = crate::sources::google_books::DEFAULT_BASE_URL;
/// Default time allowed to open a connection, in seconds.
pub const DEFAULT_CONNECT_TIMEOUT_SECS: f64 = crate::http::DEFAULT_CONNECT_TIMEOUT.as_secs_f64();
/// Default books per Open Library identifier request.
pub const DEFAULT_OPEN_LIBRARY_BATCH_SIZE: usize = crate::sources::open_library::DEFAULT_BATCH_SIZE;
/// Default number of Google Books requests a run may plan for one day: Google's daily quota
/// for one project's API key (written once, by the source).
pub const DEFAULT_GOOGLE_DAILY_BUDGET: u64 = crate::sources::google_books::DEFAULT_DAILY_BUDGET;

mod options;

pub use options::{
    ENV_VARS, EnricherOptions, OPTIONS, OptionSpec, Spelling, markdown_table, respelled,
};

/// A catalogue built into bookenrich.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub enum BuiltinSource {
    /// Open Library (`open_library`; also `openlibrary`, `ol`).
    OpenLibrary,
    /// Google Books (`google_books`; also `google`, `googlebooks`).
    GoogleBooks,
    /// The reader's own shelves from the export (`shelves`); no request, opt-in.
    Shelves,
}

impl BuiltinSource {
    /// The sources a run uses when none are named: both catalogues, Open Library first.
    pub const DEFAULT: [Self; 2] = [Self::OpenLibrary, Self::GoogleBooks];

    /// The source's machine name, as in results and logs.
    pub fn name(self) -> &'static str {
        match self {
            Self::OpenLibrary => crate::sources::open_library::NAME,
            Self::GoogleBooks => crate::sources::google_books::NAME,
            Self::Shelves => SHELVES,
        }
    }

    /// Parses a source name, accepting the usual spellings.
    pub fn parse(value: &str) -> Option<Self> {
        match value.trim().to_ascii_lowercase().replace(['-', '_', ' '], "").as_str() {
            "openlibrary" | "ol" => Some(Self::OpenLibrary),
            "googlebooks" | "google" | "gb" => Some(Self::GoogleBooks),
            SHELVES => Some(Self::Shelves),
            _ => None,
        }
    }
}

impl fmt::Display for BuiltinSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl TryFrom<String> for BuiltinSource {
    type Error = String;

    fn try_from(value: String) -> Result<Self, String> {
        Self::parse(&value).ok_or_else(|| {
            format!("unknown source {value:?} (expected openlibrary, google or shelves)")
        })
    }
}

impl From<BuiltinSource> for String {
    fn from(value: BuiltinSource) -> Self {
        value.name().to_owned()
    }
}

/// Where catalogue answers are cached.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub enum CacheSetting {
    /// No cache: every run asks the catalogues.
    Off,
    /// In memory, for the lifetime of the enricher (default).
    #[default]
    Memory,
    /// A persistent cache file.
    Path(PathBuf),
}

/// Why a blank cache setting is refused.
const BLANK_CACHE: &str = "must be a path, `memory` or `off`";

impl CacheSetting {
    /// Parses `off` (also `none`, `false`, `0`), `memory`, or a path (write `./off`
    /// for a file named `off`).
    pub fn parse(value: &str) -> Result<Self, String> {
        let trimmed = value.trim();
        match trimmed.to_ascii_lowercase().as_str() {
            "" => Err(BLANK_CACHE.to_owned()),
            "off" | "none" | "false" | "0" | "no" => Ok(Self::Off),
            "memory" | "mem" => Ok(Self::Memory),
            _ => Ok(Self::Path(PathBuf::from(trimmed))),
        }
    }

    /// A cache file or directory given as a path (a CLI flag, a Python `os.PathLike`): named
    /// `off` or `memory`, it is still a path. A blank one is refused as [`parse`](Self::parse)
    /// refuses a blank value, so the same input gives the same error in every front end.
    pub fn from_path(path: PathBuf) -> Result<Self, String> {
        if path.as_os_str().to_string_lossy().trim().is_empty() {
            return Err(BLANK_CACHE.to_owned());
        }
        Ok(Self::Path(path))
    }

    /// Opens the cache this setting names (`None` for [`CacheSetting::Off`]).
    ///
    /// A path opens the persistent `SQLite` cache (feature `sqlite`), creating its
    /// directory; a damaged file is moved aside and a fresh cache started (logged as a
    /// warning). Offline runs accept entries of any age: an old answer beats none.
    pub fn open(&self, offline: bool) -> Result<Option<Arc<dyn ResponseCache>>> {
        match self {
            Self::Off => Ok(None),
            Self::Memory => Ok(Some(Arc::new(MemoryCache::new()))),
            Self::Path(path) => open_persistent(path, offline),
        }
    }
}

#[cfg(feature = "sqlite")]
fn open_persistent(
    path: &std::path::Path,
    offline: bool,
) -> Result<Option<Arc<dyn ResponseCache>>> {
    // A damaged file is moved aside, with a warning, by the cache itself.
    let opened = crate::cache::SqliteCache::open_for_run(path, offline)?;
    Ok(Some(Arc::new(opened.cache)))
}

#[cfg(not(feature = "sqlite"))]
fn open_persistent(
    path: &std::path::Path,
    _offline: bool,
) -> Result<Option<Arc<dyn ResponseCache>>> {
    Err(Error::Cache {
        path: path.to_owned(),
        message: "this build has no persistent cache (feature `sqlite`); use `memory` or `off`, \
                  or pass a cache to EnricherBuilder::cache"
            .to_owned(),
    })
}

impl TryFrom<String> for CacheSetting {
    type Error = String;

    fn try_from(value: String) -> Result<Self, String> {
        Self::parse(&value)
    }
}

impl From<CacheSetting> for String {
    fn from(value: CacheSetting) -> Self {
        match value {
            CacheSetting::Off => "off".to_owned(),
            CacheSetting::Memory => "memory".to_owned(),
            CacheSetting::Path(p) => p.to_string_lossy().into_owned(),
        }
    }
}

impl EnricherOptions {
    /// Options read from `env` alone (variable name → value). Empty values count as unset.
    pub fn from_env_map(env: &HashMap<String, String>) -> Result<Self> {
        Self::from_env_lookup(|name| Ok(env.get(name).cloned()))
    }

    /// Options read from the process environment alone.
    pub fn from_env() -> Result<Self> {
        Self::from_env_lookup(|name| match std::env::var_os(name) {
            None => Ok(None),
            Some(value) => {
                value.into_string().map(Some).map_err(|_| Error::config(name, "is not valid UTF-8"))
            }
        })
    }

    /// These options, with every unset one taken from `env` when it is set there.
    pub fn with_env_map(self, env: &HashMap<String, String>) -> Result<Self> {
        Ok(self.or(Self::from_env_map(env)?))
    }

    /// These options, with every unset one taken from the process environment.
    pub fn with_env(self) -> Result<Self> {
        Ok(self.or(Self::from_env()?))
    }

    fn from_env_lookup(get: impl Fn(&str) -> Result<Option<String>>) -> Result<Self> {
        let mut options = Self::default();
        for spec in OPTIONS {
            let value = get(spec.env)?.map(|v| v.trim().to_owned()).filter(|v| !v.is_empty());
            if let Some(value) = value {
                options.set(spec.env, &serde_json::Value::String(value), Spelling::Env)?;
            }
        }
        Ok(options)
    }

    /// Checks the options and builds the enricher with the built-in sources, the
    /// reqwest transport (feature `http`) and the configured cache.
    pub fn build(self) -> Result<Enricher> {
        self.into_builder()?.build()
    }

    /// A builder holding these options, to add custom sources, a custom transport or
    /// cache, or a progress callback before [`build`](EnricherBuilder::build).
    ///
    /// Custom sources go after the built-in ones; to use only custom sources, set
    /// `sources` to an empty list.
    pub fn into_builder(self) -> Result<EnricherBuilder> {
        let sources = self.sources.clone().unwrap_or_else(|| BuiltinSource::DEFAULT.to_vec());
        for (i, s) in sources.iter().enumerate() {
            if sources[..i].contains(s) {
                return Err(Error::config("sources", format!("{s} is listed twice")));
            }
        }
        let concurrency = self.concurrency.unwrap_or(DEFAULT_CONCURRENCY);
        if concurrency == 0 {
            return Err(Error::config("concurrency", "must be at least 1"));
        }
        let contact =
            self.contact.as_deref().map(str::trim).filter(|c| !c.is_empty()).map(str::to_owned);
        let open_library_url = base_url(
            "open_library_url",
            self.open_library_url.as_deref(),
            DEFAULT_OPEN_LIBRARY_URL,
        )?;
        let google_books_url = base_url(
            "google_books_url",
            self.google_books_url.as_deref(),
            DEFAULT_GOOGLE_BOOKS_URL,
        )?;
        let batch_size = self.open_library_batch_size.unwrap_or(DEFAULT_OPEN_LIBRARY_BATCH_SIZE);
        if batch_size == 0 {
            return Err(Error::config("open_library_batch_size", "must be at least 1"));
        }
        let retry = RetryPolicy {
            max_attempts: self.max_attempts.unwrap_or(RetryPolicy::default().max_attempts),
            ..RetryPolicy::default()
        };
        retry.validate().map_err(|m| Error::config("max_attempts", m))?;
        let request_timeout = match self.request_timeout_secs {
            Some(s) => secs("request_timeout_secs", s)?,
            None => DEFAULT_REQUEST_TIMEOUT,
        };
        let connect_timeout = secs(
            "connect_timeout_secs",
            self.connect_timeout_secs.unwrap_or(DEFAULT_CONNECT_TIMEOUT_SECS),
        )?;
        let max_body_bytes = self.max_body_bytes.unwrap_or(DEFAULT_MAX_BODY_BYTES);
        let offline = self.offline.unwrap_or(false);
        let cache = self.cache.clone().unwrap_or_default().open(offline)?;

        let mut builder = EnricherBuilder::default()
            .merge_policy(self.merge_policy.unwrap_or_default())
            .concurrency(concurrency)
            .retry_policy(retry)
            .request_timeout(request_timeout)
            .max_body_bytes(max_body_bytes)
            .offline(offline)
            .cache_opt(cache);

        // Plain http only when the user set an http:// base URL explicitly (a local mirror or
        // test server); the defaults are https and then the client refuses http, redirects included.
        let allow_http = open_library_url.scheme() == "http" || google_books_url.scheme() == "http";
        for source in &sources {
            let built: Arc<dyn GenreSource> = match source {
                BuiltinSource::OpenLibrary => Arc::new(OpenLibrary::new(OpenLibraryConfig {
                    base_url: open_library_url.clone(),
                    batch_size,
                    identified: contact.is_some(),
                    ..OpenLibraryConfig::default()
                })),
                BuiltinSource::GoogleBooks => Arc::new(GoogleBooks::new(GoogleBooksConfig {
                    base_url: google_books_url.clone(),
                    api_key: self.google_api_key.clone(),
                })),
                BuiltinSource::Shelves => Arc::new(Shelves::new()),
            };
            builder = builder.source(built);
        }
        if let Some(requests) = self.google_daily_budget
            && sources.contains(&BuiltinSource::GoogleBooks)
        {
            let requests = u64::try_from(requests).unwrap_or(u64::MAX);
            builder = builder.daily_budget(BuiltinSource::GoogleBooks.name(), Some(requests));
        }
        builder = with_rate_limits(builder, self.rate_limits.as_ref(), &sources)?;
        builder = with_http_client(builder, contact, connect_timeout, !allow_http)?;
        Ok(builder)
    }
}

/// Adds the configured rate limits, by canonical source name.
fn with_rate_limits(
    mut builder: EnricherBuilder,
    rate_limits: Option<&BTreeMap<String, f64>>,
    sources: &[BuiltinSource],
) -> Result<EnricherBuilder> {
    for (name, per_second) in rate_limits.into_iter().flatten() {
        let limit = RateLimit::per_second(*per_second);
        limit.validate().map_err(|m| Error::config("rate_limits", format!("{name}: {m}")))?;
        let name = match BuiltinSource::parse(name) {
            // A limit for a built-in source that is switched off is kept for when it is on
            // (one environment serves several runs), not an error.
            Some(builtin) if !sources.contains(&builtin) => continue,
            Some(builtin) => builtin.name().to_owned(),
            // Other names must match a custom source added to the builder.
            None => name.clone(),
        };
        builder = builder.rate_limit(name, limit);
    }
    Ok(builder)
}

#[cfg(feature = "http")]
fn with_http_client(
    builder: EnricherBuilder,
    contact: Option<String>,
    connect_timeout: Duration,
    https_only: bool,
) -> Result<EnricherBuilder> {
    let config = crate::http::ReqwestClientConfig { contact, connect_timeout, https_only };
    Ok(builder.http_client(Arc::new(crate::http::ReqwestClient::new(&config)?)))
}

#[cfg(not(feature = "http"))]
#[expect(clippy::unnecessary_wraps, reason = "the same signature as with the `http` feature")]
fn with_http_client(
    builder: EnricherBuilder,
    _contact: Option<String>,
    _connect_timeout: Duration,
    _https_only: bool,
) -> Result<EnricherBuilder> {
    // The builder refuses to build without a transport unless the run is offline.
    Ok(builder)
}

fn base_url(field: &str, value: Option<&str>, default: &str) -> Result<url::Url> {
    parse_base_url(value.unwrap_or(default)).map_err(|m| Error::config(field, m))
}

/// A base URL: `http` or `https`, a host, no credentials, query or fragment.
fn parse_base_url(value: &str) -> Result<url::Url, String> {
    let url = url::Url::parse(value.trim()).map_err(|e| format!("{value:?} is not a URL: {e}"))?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(format!("{value:?} must start with https:// (or http:// for a local server)"));
    }
    if url.host_str().is_none_or(str::is_empty) {
        return Err(format!("{value:?} has no host"));
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err("must not contain credentials".to_owned());
    }
    if url.query().is_some() || url.fragment().is_some() {
        return Err(format!("{value:?} must be scheme://host[:port] without query or fragment"));
    }
    Ok(url)
}

/// Parses a comma-separated source list (`openlibrary,google`), as `BOOKENRICH_SOURCES` is read;
/// command lines use it too, so every front end accepts and rejects the same lists.
pub fn parse_sources(value: &str) -> Result<Vec<BuiltinSource>, String> {
    let mut out = Vec::new();
    for part in value.split(',').map(str::trim).filter(|p| !p.is_empty()) {
        let source = BuiltinSource::try_from(part.to_owned())?;
        if out.contains(&source) {
            return Err(format!("{source} is listed twice"));
        }
        out.push(source);
    }
    if out.is_empty() {
        return Err("no source given".to_owned());
    }
    Ok(out)
}

/// Parses comma-separated `SOURCE=REQUESTS_PER_SECOND` pairs (`openlibrary=3,google=1`), as
/// `BOOKENRICH_RATE_LIMITS` is read; command lines use it too.
pub fn parse_rate_limits(value: &str) -> Result<BTreeMap<String, f64>, String> {
    let mut out = BTreeMap::new();
    for part in value.split(',').map(str::trim).filter(|p| !p.is_empty()) {
        let (name, rate) = part.split_once('=').ok_or_else(|| {
            format!("{part:?} is not SOURCE=REQUESTS_PER_SECOND (e.g. openlibrary=3)")
        })?;
        let name = name.trim();
        if name.is_empty() {
            return Err(format!("{part:?} has no source name"));
        }
        let rate: f64 = rate
            .trim()
            .parse()
            .map_err(|_| format!("{:?} is not a number (in {part:?})", rate.trim()))?;
        RateLimit::per_second(rate).validate().map_err(|m| format!("{name}: {m}"))?;
        let key =
            BuiltinSource::parse(name).map_or_else(|| name.to_owned(), |s| s.name().to_owned());
        if out.insert(key, rate).is_some() {
            return Err(format!("{name} is given twice"));
        }
    }
    if out.is_empty() {
        return Err("no rate limit given".to_owned());
    }
    Ok(out)
}

fn parse_count(value: &str) -> Result<usize, String> {
    match value.parse::<usize>() {
        Ok(n) if n >= 1 => Ok(n),
        Ok(n) => Err(format!("must be a whole number of at least 1, got {n}")),
        Err(_) if value.parse::<f64>().is_ok_and(f64::is_finite) => {
            Err(format!("must be a whole number of at least 1, got {value}"))
        }
        Err(_) => Err(format!("{value:?} is not a whole number")),
    }
}

fn parse_attempts(value: &str) -> Result<u32, String> {
    parse_count(value).and_then(|n| u32::try_from(n).map_err(|_| format!("{n} is too large")))
}

fn parse_merge_policy(value: &str) -> Result<MergePolicy, String> {
    MergePolicy::parse(value)
        .ok_or_else(|| format!("{value:?} is not \"planned\", \"union\" or \"first_with_genres\""))
}

/// A base URL, checked, kept as written.
fn parse_base_url_text(value: &str) -> Result<String, String> {
    parse_base_url(value).map(|_| value.to_owned())
}

/// Free text (a contact, an API key): any value is accepted.
#[expect(clippy::unnecessary_wraps, reason = "every option's parser has this signature")]
fn parse_text(value: &str) -> Result<String, String> {
    Ok(value.to_owned())
}

fn parse_bool(value: &str) -> Result<bool, String> {
    match value.to_ascii_lowercase().as_str() {
        "1" | "true" | "yes" | "on" => Ok(true),
        "0" | "false" | "no" | "off" => Ok(false),
        _ => Err(format!("{value:?} is not a yes/no value (1, true, yes, on, 0, false, no, off)")),
    }
}

/// A number of seconds, checked, kept as written (the options hold seconds).
fn parse_secs(value: &str) -> Result<f64, String> {
    let n: f64 = value.parse().map_err(|_| format!("{value:?} is not a number of seconds"))?;
    checked_secs(n).map(|_| n)
}

fn checked_secs(n: f64) -> Result<Duration, String> {
    if !n.is_finite() || n <= 0.0 || n > 86_400.0 {
        return Err(format!("{n} is not a number of seconds between 0 and 86400"));
    }
    Ok(Duration::from_secs_f64(n))
}

fn secs(field: &str, n: f64) -> Result<Duration> {
    checked_secs(n).map_err(|m| Error::config(field, m))
}

#[cfg(test)]
#[expect(clippy::float_cmp, clippy::unnecessary_literal_bound)]
mod tests;
