//! Every option of the enricher, declared once: its field, key, environment variable,
//! command-line flag, meaning, default and parser.
//!
//! Everything else is generated from the one list in [`declare_options!`]: the fields
//! of [`EnricherOptions`], its redacting `Debug`, [`or`](EnricherOptions::or), the
//! environment reader, [`ENV_VARS`], [`OPTIONS`] (which the front ends and the
//! option table of `docs/enrichment.md` are made from) and
//! [`set`](EnricherOptions::set), which every front end calls with its own spelling
//! of the option so an error names it the way the caller wrote it.
//!
//! Adding an option is one entry in the list below (plus using its value in
//! [`into_builder`](EnricherOptions::into_builder)).

use std::collections::BTreeMap;
use std::fmt;
use std::fmt::Write as _;
use std::path::PathBuf;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::{
    BuiltinSource, CacheSetting, DEFAULT_CONNECT_TIMEOUT_SECS, DEFAULT_GOOGLE_BOOKS_URL,
    DEFAULT_GOOGLE_DAILY_BUDGET, DEFAULT_OPEN_LIBRARY_BATCH_SIZE, DEFAULT_OPEN_LIBRARY_URL,
    parse_attempts, parse_base_url_text, parse_bool, parse_count, parse_merge_policy,
    parse_rate_limits, parse_secs, parse_sources, parse_text,
};
use crate::engine::{DEFAULT_CONCURRENCY, MergePolicy, RetryPolicy};
use crate::error::{Error, Result};
use crate::fetch::{DEFAULT_MAX_BODY_BYTES, DEFAULT_REQUEST_TIMEOUT};

/// Whose spelling of an option's name an error should use.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Spelling {
    /// The field of [`EnricherOptions`], e.g. `request_timeout_secs`.
    Rust,
    /// The Python keyword argument, e.g. `request_timeout`.
    Python,
    /// The Node option, e.g. `requestTimeout`.
    Node,
    /// The command-line flag, e.g. `--request-timeout`.
    Cli,
    /// The environment variable, e.g. `BOOKENRICH_REQUEST_TIMEOUT`.
    Env,
}

/// The description of one option, as the front ends and the docs read it.
#[derive(Debug, Clone, Copy)]
pub struct OptionSpec {
    /// The field of [`EnricherOptions`].
    pub field: &'static str,
    /// The option's key, in `snake_case`: the Python keyword; Node spells it in camelCase.
    pub key: &'static str,
    /// The environment variable.
    pub env: &'static str,
    /// The `bookenrich enrich` flag, when the command has one.
    pub flag: Option<&'static str>,
    /// What the option sets and the values it takes, in one line.
    pub doc: &'static str,
    /// Never shown: not serialised, logged, or echoed back by the bindings.
    pub secret: bool,
    default: fn() -> String,
}

impl OptionSpec {
    /// The default, as the docs show it.
    pub fn default_text(&self) -> String {
        (self.default)()
    }

    /// The option's name in `spelling`.
    pub fn name(&self, spelling: Spelling) -> String {
        match spelling {
            Spelling::Rust => self.field.to_owned(),
            Spelling::Python => self.key.to_owned(),
            Spelling::Node => camel_case(self.key),
            Spelling::Cli => {
                self.flag.map_or_else(|| format!("--{}", self.key.replace('_', "-")), str::to_owned)
            }
            Spelling::Env => self.env.to_owned(),
        }
    }

    /// The option whose name in `spelling` is `name`.
    pub fn find(name: &str, spelling: Spelling) -> Option<&'static Self> {
        OPTIONS.iter().find(|o| o.name(spelling) == name)
    }
}

/// `error` with a configuration error's field in `spelling`, when it names an option
/// (checks made while building name the Rust field or the key).
#[must_use]
pub fn respelled(error: Error, spelling: Spelling) -> Error {
    match error {
        Error::Config { field, message } => {
            let field = OPTIONS
                .iter()
                .find(|o| o.field == field || o.key == field)
                .map_or(field, |o| o.name(spelling));
            Error::Config { field, message }
        }
        other => other,
    }
}

fn camel_case(key: &str) -> String {
    let mut out = String::with_capacity(key.len());
    let mut upper = false;
    for c in key.chars() {
        if c == '_' {
            upper = true;
        } else if upper {
            out.push(c.to_ascii_uppercase());
            upper = false;
        } else {
            out.push(c);
        }
    }
    out
}

/// A value from a binding or a flag as the text its parser reads, so every front end
/// and the environment accept and reject the same values with the same words: a list
/// is comma-separated, a map is `key=value` pairs, a whole float is a whole number.
fn as_text(value: &Value) -> Option<String> {
    match value {
        Value::Null => None,
        Value::String(s) => Some(s.trim().to_owned()),
        Value::Bool(b) => Some(b.to_string()),
        Value::Number(n) => Some(match n.as_f64() {
            // JavaScript numbers arrive as floats: 16.0 means 16.
            #[expect(clippy::cast_possible_truncation, reason = "whole and in range, so exact")]
            Some(f) if n.is_f64() && f.fract() == 0.0 && f.abs() < 9.0e15 => (f as i64).to_string(),
            _ => n.to_string(),
        }),
        Value::Array(items) => Some(items.iter().filter_map(as_text).collect::<Vec<_>>().join(",")),
        Value::Object(map) => Some(
            map.iter()
                .filter_map(|(k, v)| as_text(v).map(|v| format!("{k}={v}")))
                .collect::<Vec<_>>()
                .join(","),
        ),
    }
}

/// Shows a default the way the docs write it.
trait Shown {
    fn shown(&self) -> String;
}

impl Shown for usize {
    fn shown(&self) -> String {
        self.to_string()
    }
}

impl Shown for u64 {
    fn shown(&self) -> String {
        self.to_string()
    }
}

impl Shown for u32 {
    fn shown(&self) -> String {
        self.to_string()
    }
}

impl Shown for f64 {
    fn shown(&self) -> String {
        self.to_string()
    }
}

impl Shown for std::time::Duration {
    fn shown(&self) -> String {
        self.as_secs_f64().to_string()
    }
}

impl Shown for &str {
    fn shown(&self) -> String {
        format!("`{self}`")
    }
}

impl Shown for MergePolicy {
    fn shown(&self) -> String {
        format!("`{}`", self.as_str())
    }
}

macro_rules! declare_options {
    ($(
        $(#[$attr:meta])*
        $field:ident: $ty:ty {
            key: $key:literal,
            env: $env:literal,
            flag: $flag:expr,
            doc: $doc:literal,
            default: $default:expr,
            parse: $parse:expr,
            $(secret: $secret:literal,)?
        }
    )+) => {
        /// Every option of the enricher; `None` means "from the environment, else the default".
        ///
        /// Serialises without the API key. Errors name the option (`concurrency`) or, for
        /// values read from the environment, the variable (`BOOKENRICH_CONCURRENCY`); values
        /// given through [`set`](Self::set) are named as the caller spells them.
        #[derive(Clone, Default, PartialEq, Serialize, Deserialize)]
        #[serde(default, deny_unknown_fields)]
        pub struct EnricherOptions {
            $(
                #[doc = $doc]
                $(#[$attr])*
                pub $field: Option<$ty>,
            )+
        }

        /// Every option, in the order of the docs' table.
        pub const OPTIONS: &[OptionSpec] = &[$(
            OptionSpec {
                field: stringify!($field),
                key: $key,
                env: $env,
                flag: $flag,
                doc: $doc,
                secret: false $(|| $secret)?,
                default: || $default,
            },
        )+];

        /// The environment variables read by [`EnricherOptions::with_env`], with what each sets.
        pub const ENV_VARS: &[(&str, &str)] = &[$(($env, $doc)),+];

        impl fmt::Debug for EnricherOptions {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                let mut d = f.debug_struct("EnricherOptions");
                $(
                    if false $(|| $secret)? {
                        d.field(stringify!($field), &self.$field.as_ref().map(|_| "<redacted>"));
                    } else {
                        d.field(stringify!($field), &self.$field);
                    }
                )+
                d.finish()
            }
        }

        impl EnricherOptions {
            /// Each field of `self`, or of `fallback` where `self` has none.
            #[must_use]
            pub fn or(self, fallback: Self) -> Self {
                Self { $($field: self.$field.or(fallback.$field),)+ }
            }

            /// Sets the option named `name` in `spelling` from `value` (`null` unsets it).
            ///
            /// Text is read as the option's environment variable is; numbers, booleans,
            /// lists and maps are read as their text (`[a, b]` as `a,b`, `{a: 1}` as
            /// `a=1`), so every front end accepts the same values. An error names the
            /// option in `spelling`.
            pub fn set(&mut self, name: &str, value: &Value, spelling: Spelling) -> Result<()> {
                let Some(spec) = OptionSpec::find(name, spelling) else {
                    return Err(Error::config(name, "is not an option"));
                };
                let text = as_text(value);
                match spec.field {
                    $(stringify!($field) => {
                        self.$field = text
                            .map(|t| $parse(&t))
                            .transpose()
                            .map_err(|m| Error::config(spec.name(spelling), m))?;
                    })+
                    _ => unreachable!("OPTIONS and the fields come from one list"),
                }
                Ok(())
            }
        }
    };
}

impl EnricherOptions {
    /// Sets `cache` to `path` given as a path ([`CacheSetting::from_path`]: never `memory` or
    /// `off`, whatever the file is called); an error names the option as `spelling` spells it.
    pub fn set_cache_path(&mut self, path: PathBuf, spelling: Spelling) -> Result<()> {
        let setting = CacheSetting::from_path(path)
            .map_err(|m| respelled(Error::config("cache", m), spelling))?;
        self.cache = Some(setting);
        Ok(())
    }
}

declare_options! {
    sources: Vec<BuiltinSource> {
        key: "sources",
        env: "BOOKENRICH_SOURCES",
        flag: Some("--sources"),
        doc: "sources, in order, comma-separated: `openlibrary`, `google`, `shelves` (opt-in)",
        default: BuiltinSource::DEFAULT.iter().map(|s| format!("`{}`", s.name())).collect::<Vec<_>>().join(", "),
        parse: parse_sources,
    }
    merge_policy: MergePolicy {
        key: "merge",
        env: "BOOKENRICH_MERGE_POLICY",
        flag: Some("--merge"),
        doc: "how the sources' genres are combined: `planned` (later sources only for books still without genres), `union` or `first_with_genres`",
        default: MergePolicy::default().shown(),
        parse: parse_merge_policy,
    }
    concurrency: usize {
        key: "concurrency",
        env: "BOOKENRICH_CONCURRENCY",
        flag: Some("--concurrency"),
        doc: "requests in flight at once, all sources",
        default: DEFAULT_CONCURRENCY.shown(),
        parse: parse_count,
    }
    rate_limits: BTreeMap<String, f64> {
        key: "rate_limits",
        env: "BOOKENRICH_RATE_LIMITS",
        flag: Some("--rate-limit"),
        doc: "requests per second per source, e.g. `openlibrary=3,google=1`",
        default: "Open Library 3 with a `contact`, 1 without; Google 1".to_owned(),
        parse: parse_rate_limits,
    }
    open_library_url: String {
        key: "open_library_url",
        env: "BOOKENRICH_OPEN_LIBRARY_URL",
        flag: Some("--open-library-url"),
        doc: "Open Library `scheme://host[:port]` (a path prefix is kept)",
        default: DEFAULT_OPEN_LIBRARY_URL.shown(),
        parse: parse_base_url_text,
    }
    google_books_url: String {
        key: "google_books_url",
        env: "BOOKENRICH_GOOGLE_BOOKS_URL",
        flag: Some("--google-books-url"),
        doc: "Google Books `scheme://host[:port]`",
        default: DEFAULT_GOOGLE_BOOKS_URL.shown(),
        parse: parse_base_url_text,
    }
    contact: String {
        key: "contact",
        env: "BOOKENRICH_CONTACT",
        flag: Some("--contact"),
        doc: "contact (e-mail or URL) sent in the User-Agent",
        default: "none".to_owned(),
        parse: parse_text,
    }
    #[serde(skip_serializing)]
    google_api_key: String {
        key: "google_api_key",
        env: "GOOGLE_BOOKS_API_KEY",
        flag: Some("--google-api-key"),
        doc: "Google Books API key (never serialised, logged or cached)",
        default: "none".to_owned(),
        parse: parse_text,
        secret: true,
    }
    cache: CacheSetting {
        key: "cache",
        env: "BOOKENRICH_CACHE",
        flag: Some("--cache"),
        doc: "response cache: a path, `memory`, or `off`",
        default: "`memory` (the CLI: a file in the user's cache directory)".to_owned(),
        parse: CacheSetting::parse,
    }
    offline: bool {
        key: "offline",
        env: "BOOKENRICH_OFFLINE",
        flag: Some("--offline"),
        doc: "answer from the cache only: `1`/`true`/`yes` or `0`/`false`/`no`",
        default: "false".to_owned(),
        parse: parse_bool,
    }
    max_attempts: u32 {
        key: "max_attempts",
        env: "BOOKENRICH_MAX_ATTEMPTS",
        flag: None,
        doc: "attempts per request, the first included",
        default: RetryPolicy::default().max_attempts.shown(),
        parse: parse_attempts,
    }
    request_timeout_secs: f64 {
        key: "request_timeout",
        env: "BOOKENRICH_REQUEST_TIMEOUT",
        flag: None,
        doc: "seconds allowed per request",
        default: DEFAULT_REQUEST_TIMEOUT.shown(),
        parse: parse_secs,
    }
    connect_timeout_secs: f64 {
        key: "connect_timeout",
        env: "BOOKENRICH_CONNECT_TIMEOUT",
        flag: None,
        doc: "seconds allowed to connect",
        default: DEFAULT_CONNECT_TIMEOUT_SECS.shown(),
        parse: parse_secs,
    }
    max_body_bytes: usize {
        key: "max_body_bytes",
        env: "BOOKENRICH_MAX_BODY_BYTES",
        flag: None,
        doc: "largest response body accepted, in bytes",
        default: DEFAULT_MAX_BODY_BYTES.shown(),
        parse: parse_count,
    }
    open_library_batch_size: usize {
        key: "open_library_batch_size",
        env: "BOOKENRICH_OPEN_LIBRARY_BATCH_SIZE",
        flag: None,
        doc: "ISBNs per Open Library Books API request",
        default: DEFAULT_OPEN_LIBRARY_BATCH_SIZE.shown(),
        parse: parse_count,
    }
    google_daily_budget: usize {
        key: "google_daily_budget",
        env: "BOOKENRICH_GOOGLE_DAILY_BUDGET",
        flag: None,
        doc: "Google Books requests a run may plan for one day (Google allows 1,000 a day per API key); kept in the cache across runs",
        default: DEFAULT_GOOGLE_DAILY_BUDGET.shown(),
        parse: parse_count,
    }
}

/// The option table of `docs/enrichment.md`, generated from [`OPTIONS`].
pub fn markdown_table() -> String {
    let mut out = String::from(
        "| Rust field | Python | Node | Environment variable | CLI flag | Default | Meaning |\n\
         |---|---|---|---|---|---|---|\n",
    );
    for o in OPTIONS {
        let flag = o.flag.map_or_else(|| "—".to_owned(), |f| format!("`{f}`"));
        let _ = writeln!(
            out,
            "| `{}` | `{}` | `{}` | `{}` | {flag} | {} | {} |",
            o.field,
            o.name(Spelling::Python),
            o.name(Spelling::Node),
            o.env,
            o.default_text(),
            o.doc
        );
    }
    out
}
