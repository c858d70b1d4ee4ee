//! The options object of `new Enricher(options)`, read field by field: a value of the wrong
//! type throws `CONFIG` naming the option, what it accepts and what it got, in JavaScript's
//! words (napi's own conversion message names a Rust type and no accepted value).

use std::collections::BTreeMap;
use std::sync::Arc;

use bookenrich_core::Error as CoreError;
use bookenrich_core::sources::GenreSource;
use napi::bindgen_prelude::{FromNapiValue, JsObjectValue, Object, Unknown};
use napi::{JsValue, ValueType};

use crate::enricher::EnricherOptions;
use crate::error::Result;
use crate::source::JsSource;

const SOURCES: &str =
    "an array of source names ('openlibrary', 'google', 'shelves') and source objects";
const SOURCE: &str = "a source name (a string) or a source object";
const MERGE: &str = "'planned', 'union' or 'first_with_genres'";
const WHOLE: &str = "a whole number of at least 1";
const SECONDS: &str = "a number of seconds";
const RATE_LIMITS: &str =
    "an object of requests per second by source, e.g. { openlibrary: 3, google: 1 }";
const CACHE: &str = "'memory', 'off', false, true (in memory) or a file path";
const URL: &str = "a URL string such as 'https://openlibrary.org'";

/// Sources written in JavaScript, with their places in the `sources` list.
pub(crate) type CustomSources = Vec<(usize, Arc<dyn GenreSource>)>;

/// Reads `new Enricher(options)`'s argument; `undefined` and `null` mean no options.
pub(crate) fn read(options: Option<Unknown<'_>>) -> Result<(EnricherOptions, CustomSources)> {
    let Some(value) = options.filter(|v| !absent(*v)) else {
        return Ok((EnricherOptions::default(), Vec::new()));
    };
    if value.get_type().ok() != Some(ValueType::Object) || value.is_array().unwrap_or(false) {
        return Err(wrong("options", "an object of options", value));
    }
    let object =
        Object::from_unknown(value).map_err(|_| wrong("options", "an object of options", value))?;
    let field = |name: &str| -> Option<Unknown<'_>> {
        object.get_named_property::<Unknown<'_>>(name).ok().filter(|v| !absent(*v))
    };
    let (sources, custom) = match sources(field("sources"))? {
        Some((names, custom)) => (Some(names), custom),
        None => (None, Vec::new()),
    };
    let options = EnricherOptions {
        sources,
        merge: typed("merge", MERGE, ValueType::String, field("merge"))?,
        concurrency: typed("concurrency", WHOLE, ValueType::Number, field("concurrency"))?,
        rate_limits: rate_limits(field("rateLimits"))?,
        cache: cache(field("cache"))?,
        open_library_url: typed("openLibraryUrl", URL, ValueType::String, field("openLibraryUrl"))?,
        google_books_url: typed("googleBooksUrl", URL, ValueType::String, field("googleBooksUrl"))?,
        google_api_key: typed(
            "googleApiKey",
            "a string",
            ValueType::String,
            field("googleApiKey"),
        )?,
        contact: typed(
            "contact",
            "an e-mail address or URL string",
            ValueType::String,
            field("contact"),
        )?,
        offline: typed("offline", "true or false", ValueType::Boolean, field("offline"))?,
        max_attempts: typed("maxAttempts", WHOLE, ValueType::Number, field("maxAttempts"))?,
        request_timeout: typed(
            "requestTimeout",
            SECONDS,
            ValueType::Number,
            field("requestTimeout"),
        )?,
        connect_timeout: typed(
            "connectTimeout",
            SECONDS,
            ValueType::Number,
            field("connectTimeout"),
        )?,
        max_body_bytes: typed(
            "maxBodyBytes",
            "a whole number of bytes",
            ValueType::Number,
            field("maxBodyBytes"),
        )?,
        open_library_batch_size: typed(
            "openLibraryBatchSize",
            WHOLE,
            ValueType::Number,
            field("openLibraryBatchSize"),
        )?,
        google_daily_budget: typed(
            "googleDailyBudget",
            WHOLE,
            ValueType::Number,
            field("googleDailyBudget"),
        )?,
    };
    Ok((options, custom))
}

fn absent(value: Unknown<'_>) -> bool {
    matches!(value.get_type(), Ok(ValueType::Undefined | ValueType::Null))
}

/// `value` as a `T` when it is of JS type `kind`.
fn typed<T: FromNapiValue>(
    name: &str,
    accepts: &str,
    kind: ValueType,
    value: Option<Unknown<'_>>,
) -> Result<Option<T>> {
    let Some(v) = value else { return Ok(None) };
    if v.get_type().ok() != Some(kind) {
        return Err(wrong(name, accepts, v));
    }
    T::from_unknown(v).map(Some).map_err(|_| wrong(name, accepts, v))
}

/// Built-in source names and (prepared, see bookenrich.cjs) source objects, in order.
fn sources(value: Option<Unknown<'_>>) -> Result<Option<(Vec<String>, CustomSources)>> {
    let name = "sources";
    let Some(v) = value else { return Ok(None) };
    if !v.is_array().unwrap_or(false) {
        return Err(wrong(name, SOURCES, v));
    }
    let array = Object::from_unknown(v).map_err(|_| wrong(name, SOURCES, v))?;
    let length: u32 = array.get_named_property("length").map_err(|_| wrong(name, SOURCES, v))?;
    let (mut names, mut custom) = (Vec::new(), Vec::new());
    for i in 0..length {
        let item: Unknown<'_> = array.get_element(i).map_err(|_| wrong(name, SOURCES, v))?;
        let what = format!("{name}[{i}]");
        match item.get_type() {
            Ok(ValueType::String) => {
                names.push(String::from_unknown(item).map_err(|_| wrong(&what, SOURCE, item))?);
            }
            Ok(ValueType::Object) => {
                let object = Object::from_unknown(item).map_err(|_| wrong(&what, SOURCE, item))?;
                let place = usize::try_from(i).unwrap_or(usize::MAX);
                custom.push((place, Arc::new(JsSource::new(&object)?) as Arc<dyn GenreSource>));
            }
            _ => return Err(wrong(&what, SOURCE, item)),
        }
    }
    Ok(Some((names, custom)))
}

fn rate_limits(value: Option<Unknown<'_>>) -> Result<Option<BTreeMap<String, f64>>> {
    let name = "rateLimits";
    let Some(v) = value else { return Ok(None) };
    if v.get_type().ok() != Some(ValueType::Object) || v.is_array().unwrap_or(false) {
        return Err(wrong(name, RATE_LIMITS, v));
    }
    let object = Object::from_unknown(v).map_err(|_| wrong(name, RATE_LIMITS, v))?;
    let keys = Object::keys(&object).map_err(|_| wrong(name, RATE_LIMITS, v))?;
    let mut out = BTreeMap::new();
    for key in keys {
        let item: Unknown<'_> =
            object.get_named_property(&key).map_err(|_| wrong(name, RATE_LIMITS, v))?;
        let rate = typed::<f64>(
            &format!("{name}.{key}"),
            "a number of requests per second",
            ValueType::Number,
            Some(item),
        )?;
        if let Some(rate) = rate {
            out.insert(key, rate);
        }
    }
    Ok(Some(out))
}

/// `'memory'`, `'off'`, a path, or a boolean: `false` is off, `true` the default in-memory cache.
fn cache(value: Option<Unknown<'_>>) -> Result<Option<String>> {
    let Some(v) = value else { return Ok(None) };
    match v.get_type() {
        Ok(ValueType::Boolean) => {
            let on = bool::from_unknown(v).map_err(|_| wrong("cache", CACHE, v))?;
            Ok(Some(if on { "memory" } else { "off" }.to_owned()))
        }
        _ => typed("cache", CACHE, ValueType::String, Some(v)),
    }
}

fn wrong(name: &str, accepts: &str, value: Unknown<'_>) -> crate::error::BindingError {
    CoreError::config(name, format!("expected {accepts}, got {}", describe(value))).into()
}

/// A value as a JS programmer would name it: `false`, `"lots"`, `3`, `an array`, `null`.
fn describe(value: Unknown<'_>) -> String {
    match value.get_type() {
        Ok(ValueType::String) => {
            String::from_unknown(value).map_or_else(|_| "a string".to_owned(), |s| format!("{s:?}"))
        }
        Ok(ValueType::Number) => {
            f64::from_unknown(value).map_or_else(|_| "a number".to_owned(), |n| n.to_string())
        }
        Ok(ValueType::Boolean) => {
            bool::from_unknown(value).map_or_else(|_| "a boolean".to_owned(), |b| b.to_string())
        }
        Ok(ValueType::Null) => "null".to_owned(),
        Ok(ValueType::Undefined) => "undefined".to_owned(),
        Ok(ValueType::Object) if value.is_array().unwrap_or(false) => "an array".to_owned(),
        Ok(ValueType::Object) => "an object".to_owned(),
        Ok(ValueType::Function) => "a function".to_owned(),
        Ok(other) => format!("a {other}"),
        Err(_) => "a value of unknown type".to_owned(),
    }
}
