//! `BookAnalytics`, `BookInfo` and `EnrichedBook`: immutable Python views of the core model.

use std::collections::BTreeMap;

use bookenrich_core::dashboard::DashboardBook;
use bookenrich_core::sources::SourceErrorKind;
use bookenrich_core::{BookAnalytics, BookInfo, EnrichedBook, SourceFailure};
use chrono::NaiveDate;
use pyo3::BoundObject;
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use pyo3::type_object::PyTypeInfo;
use pyo3::types::{PyDict, PyTuple, PyType};
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::{Value, json};

use crate::convert::{from_py, to_py};
use crate::error::InvalidInputError;

/// Serialises `value` to a Python dict (JSON-ready: dates as ISO strings).
fn to_dict<'py, T: Serialize>(py: Python<'py>, value: &T) -> PyResult<Bound<'py, PyAny>> {
    let json =
        serde_json::to_value(value).map_err(|e| InvalidInputError::new_err(e.to_string()))?;
    to_py(py, &json)
}

/// Reads a `T` from a mapping laid over `defaults`; unknown keys are an error, not ignored.
fn from_dict<T: Serialize + DeserializeOwned>(
    data: &Bound<'_, PyAny>,
    type_name: &str,
    defaults: Value,
) -> PyResult<T> {
    let Value::Object(given) = from_py(data, type_name)? else {
        return Err(InvalidInputError::new_err(format!(
            "{type_name}.from_dict: expected a mapping"
        )));
    };
    let Value::Object(mut merged) = defaults else {
        return Err(InvalidInputError::new_err(format!(
            "{type_name}.from_dict: internal defaults are not an object"
        )));
    };
    let keys: Vec<String> = given.keys().cloned().collect();
    merged.extend(given);
    // The path names the field at fault ("date_read: input contains invalid characters").
    let value: T = serde_path_to_error::deserialize(Value::Object(merged))
        .map_err(|e| InvalidInputError::new_err(format!("{type_name}.from_dict: {e}")))?;
    // Anything serde skipped is a misspelt or foreign key: say so instead of dropping it.
    let known =
        serde_json::to_value(&value).map_err(|e| InvalidInputError::new_err(e.to_string()))?;
    let unknown: Vec<&str> =
        keys.iter().map(String::as_str).filter(|k| known.get(k).is_none()).collect();
    if !unknown.is_empty() {
        return Err(InvalidInputError::new_err(format!(
            "{type_name}.from_dict: unknown key(s): {}",
            unknown.join(", ")
        )));
    }
    Ok(value)
}

/// `(cls.from_dict, (self.to_dict(),))`, so instances pickle and copy.
fn reduce<'py, T: PyTypeInfo>(
    py: Python<'py>,
    dict: Bound<'py, PyAny>,
) -> PyResult<Bound<'py, PyTuple>> {
    let ctor = py.get_type::<T>().getattr("from_dict")?;
    PyTuple::new(py, [ctor, PyTuple::new(py, [dict])?.into_any()])
}

/// One row of a Goodreads export (see the contract for each field's rules). Immutable.
#[pyclass(frozen, eq, name = "BookAnalytics", module = "bookenrich")]
#[derive(Debug, Clone, PartialEq)]
pub struct PyBookAnalytics {
    pub(crate) inner: BookAnalytics,
}

impl From<BookAnalytics> for PyBookAnalytics {
    fn from(inner: BookAnalytics) -> Self {
        Self { inner }
    }
}

#[pymethods]
impl PyBookAnalytics {
    #[new]
    #[pyo3(signature = (
        goodreads_id, title, author, *, author_lf=None, additional_authors=None, isbn=None, isbn13=None,
        my_rating=None, average_rating=None, publisher=None, binding=None, num_pages=None,
        year_published=None, original_publication_year=None, date_read=None, date_added=None,
        bookshelves=Vec::new(), bookshelves_with_positions=None, reading_status=None, my_review=None,
        has_spoilers=false, private_notes=None, read_count=1, owned_copies=0
    ))]
    #[expect(
        clippy::too_many_arguments,
        reason = "Mirrors the 24 export columns as keyword arguments"
    )]
    fn new(
        goodreads_id: String,
        title: String,
        author: String,
        author_lf: Option<String>,
        additional_authors: Option<String>,
        isbn: Option<String>,
        isbn13: Option<String>,
        my_rating: Option<u8>,
        average_rating: Option<f64>,
        publisher: Option<String>,
        binding: Option<String>,
        num_pages: Option<u32>,
        year_published: Option<i32>,
        original_publication_year: Option<i32>,
        date_read: Option<NaiveDate>,
        date_added: Option<NaiveDate>,
        bookshelves: Vec<String>,
        bookshelves_with_positions: Option<String>,
        reading_status: Option<String>,
        my_review: Option<String>,
        has_spoilers: bool,
        private_notes: Option<String>,
        read_count: u32,
        owned_copies: u32,
    ) -> PyResult<Self> {
        let inner = BookAnalytics {
            goodreads_id,
            title,
            author,
            author_lf,
            additional_authors,
            isbn,
            isbn13,
            my_rating,
            average_rating,
            publisher,
            binding,
            num_pages,
            year_published,
            original_publication_year,
            date_read,
            date_added,
            bookshelves,
            bookshelves_with_positions,
            reading_status,
            my_review,
            has_spoilers,
            private_notes,
            read_count,
            owned_copies,
        };
        // The rules live in the core; Python spells the fields as Rust does.
        inner.validate().map_err(|e| PyValueError::new_err(e.to_string()))?;
        Ok(Self { inner })
    }

    #[getter]
    fn goodreads_id(&self) -> &str {
        &self.inner.goodreads_id
    }
    #[getter]
    fn title(&self) -> &str {
        &self.inner.title
    }
    #[getter]
    fn author(&self) -> &str {
        &self.inner.author
    }
    #[getter]
    fn author_lf(&self) -> Option<&str> {
        self.inner.author_lf.as_deref()
    }
    #[getter]
    fn additional_authors(&self) -> Option<&str> {
        self.inner.additional_authors.as_deref()
    }
    #[getter]
    fn isbn(&self) -> Option<&str> {
        self.inner.isbn.as_deref()
    }
    #[getter]
    fn isbn13(&self) -> Option<&str> {
        self.inner.isbn13.as_deref()
    }
    #[getter]
    fn my_rating(&self) -> Option<u8> {
        self.inner.my_rating
    }
    #[getter]
    fn average_rating(&self) -> Option<f64> {
        self.inner.average_rating
    }
    #[getter]
    fn publisher(&self) -> Option<&str> {
        self.inner.publisher.as_deref()
    }
    #[getter]
    fn binding(&self) -> Option<&str> {
        self.inner.binding.as_deref()
    }
    #[getter]
    fn num_pages(&self) -> Option<u32> {
        self.inner.num_pages
    }
    #[getter]
    fn year_published(&self) -> Option<i32> {
        self.inner.year_published
    }
    #[getter]
    fn original_publication_year(&self) -> Option<i32> {
        self.inner.original_publication_year
    }
    #[getter]
    fn date_read(&self) -> Option<NaiveDate> {
        self.inner.date_read
    }
    #[getter]
    fn date_added(&self) -> Option<NaiveDate> {
        self.inner.date_added
    }
    #[getter]
    fn bookshelves(&self) -> Vec<String> {
        self.inner.bookshelves.clone()
    }
    #[getter]
    fn bookshelves_with_positions(&self) -> Option<&str> {
        self.inner.bookshelves_with_positions.as_deref()
    }
    #[getter]
    fn reading_status(&self) -> Option<&str> {
        self.inner.reading_status.as_deref()
    }
    #[getter]
    fn my_review(&self) -> Option<&str> {
        self.inner.my_review.as_deref()
    }
    #[getter]
    fn has_spoilers(&self) -> bool {
        self.inner.has_spoilers
    }
    #[getter]
    fn private_notes(&self) -> Option<&str> {
        self.inner.private_notes.as_deref()
    }
    #[getter]
    fn read_count(&self) -> u32 {
        self.inner.read_count
    }
    #[getter]
    fn owned_copies(&self) -> u32 {
        self.inner.owned_copies
    }

    /// On the `read` shelf with a date read.
    #[getter]
    fn is_read(&self) -> bool {
        self.inner.is_read()
    }
    /// Rated above zero.
    #[getter]
    fn is_rated(&self) -> bool {
        self.inner.is_rated()
    }
    /// Year of the date read.
    #[getter]
    fn reading_year(&self) -> Option<i32> {
        self.inner.reading_year()
    }
    /// `"YYYY-MM"` of the date read.
    #[getter]
    fn reading_month_year(&self) -> Option<String> {
        self.inner.reading_month_year()
    }
    /// `"Short (<200)"`, `"Medium (200-350)"`, `"Long (350-500)"` or `"Very Long (500+)"`.
    #[getter]
    fn page_category(&self) -> Option<&'static str> {
        self.inner.page_category().map(bookenrich_core::PageCategory::label)
    }
    /// Read more than once.
    #[getter]
    fn was_reread(&self) -> bool {
        self.inner.was_reread()
    }
    /// Has a review that is not blank.
    #[getter]
    fn has_review(&self) -> bool {
        self.inner.has_review()
    }

    /// What a catalogue lookup needs (title, author, ISBNs, Goodreads id).
    fn to_book_info(&self) -> PyBookInfo {
        self.inner.book_info().into()
    }

    /// Every field as JSON-ready data (dates as ISO 8601 strings).
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        to_dict(py, &self.inner)
    }

    /// Builds a book from `to_dict()` output (dates as ISO strings or `datetime.date`).
    #[classmethod]
    fn from_dict(_cls: &Bound<'_, PyType>, data: &Bound<'_, PyAny>) -> PyResult<Self> {
        let defaults =
            json!({"bookshelves": [], "has_spoilers": false, "read_count": 1, "owned_copies": 0});
        let inner: BookAnalytics = from_dict(data, "BookAnalytics", defaults)?;
        inner
            .validate()
            .map_err(|e| InvalidInputError::new_err(format!("BookAnalytics.from_dict: {e}")))?;
        Ok(Self { inner })
    }

    /// The book's record in the dashboard JSON, with genres and covers from `enriched` when given.
    #[pyo3(signature = (enriched=None, *, include_private_notes=false))]
    fn to_dashboard_dict<'py>(
        &self,
        py: Python<'py>,
        enriched: Option<PyRef<'_, PyEnrichedBook>>,
        include_private_notes: bool,
    ) -> PyResult<Bound<'py, PyAny>> {
        let record = DashboardBook::new(
            &self.inner,
            enriched.as_deref().map(|e| &e.inner),
            include_private_notes,
        );
        to_dict(py, &record)
    }

    /// A copy with some fields changed (keyword arguments named like the attributes).
    #[pyo3(signature = (**changes))]
    fn replace(&self, py: Python<'_>, changes: Option<&Bound<'_, PyDict>>) -> PyResult<Self> {
        let dict = to_dict(py, &self.inner)?.cast_into::<PyDict>()?;
        if let Some(changes) = changes {
            dict.update(changes.as_mapping())?;
        }
        let inner: BookAnalytics = from_dict(dict.as_any(), "BookAnalytics", json!({}))?;
        Ok(Self { inner })
    }

    fn __reduce__<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyTuple>> {
        reduce::<Self>(py, to_dict(py, &self.inner)?)
    }

    fn __repr__(&self, py: Python<'_>) -> String {
        let b = &self.inner;
        format!(
            "BookAnalytics(goodreads_id={}, title={}, author={})",
            repr(py, &b.goodreads_id),
            repr(py, &b.title),
            repr(py, &b.author)
        )
    }
}

/// What a catalogue lookup needs to know about a book. Immutable.
#[pyclass(frozen, eq, name = "BookInfo", module = "bookenrich")]
#[derive(Debug, Clone, PartialEq)]
pub struct PyBookInfo {
    pub(crate) inner: BookInfo,
}

impl From<BookInfo> for PyBookInfo {
    fn from(inner: BookInfo) -> Self {
        Self { inner }
    }
}

#[pymethods]
impl PyBookInfo {
    #[new]
    #[pyo3(signature = (title, author, isbn13=None, isbn=None, goodreads_id=None, bookshelves=None))]
    fn new(
        title: String,
        author: String,
        isbn13: Option<String>,
        isbn: Option<String>,
        goodreads_id: Option<String>,
        bookshelves: Option<Vec<String>>,
    ) -> Self {
        let bookshelves = bookshelves.unwrap_or_default();
        Self { inner: BookInfo { title, author, isbn, isbn13, goodreads_id, bookshelves } }
    }

    #[getter]
    fn title(&self) -> &str {
        &self.inner.title
    }
    #[getter]
    fn author(&self) -> &str {
        &self.inner.author
    }
    #[getter]
    fn isbn13(&self) -> Option<&str> {
        self.inner.isbn13.as_deref()
    }
    #[getter]
    fn isbn(&self) -> Option<&str> {
        self.inner.isbn.as_deref()
    }
    #[getter]
    fn goodreads_id(&self) -> Option<&str> {
        self.inner.goodreads_id.as_deref()
    }
    /// The reader's shelves (read by the `shelves` source).
    #[getter]
    fn bookshelves(&self) -> Vec<String> {
        self.inner.bookshelves.clone()
    }

    /// Every field as a dict.
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        to_dict(py, &self.inner)
    }

    /// Builds a `BookInfo` from `to_dict()` output.
    #[classmethod]
    fn from_dict(_cls: &Bound<'_, PyType>, data: &Bound<'_, PyAny>) -> PyResult<Self> {
        Ok(Self { inner: from_dict(data, "BookInfo", json!({}))? })
    }

    fn __reduce__<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyTuple>> {
        reduce::<Self>(py, to_dict(py, &self.inner)?)
    }

    fn __repr__(&self, py: Python<'_>) -> String {
        let b = &self.inner;
        // The shelves only when there are some, so the common repr stays short.
        let shelves = if b.bookshelves.is_empty() {
            String::new()
        } else {
            format!(", bookshelves={}", repr(py, &b.bookshelves))
        };
        format!(
            "BookInfo(title={}, author={}, isbn13={}, isbn={}, goodreads_id={}{shelves})",
            repr(py, &b.title),
            repr(py, &b.author),
            repr(py, &b.isbn13),
            repr(py, &b.isbn),
            repr(py, &b.goodreads_id)
        )
    }
}

/// Python's `repr()` of a value, for `__repr__`s.
pub(crate) fn repr<'py, T>(py: Python<'py>, value: T) -> String
where
    T: IntoPyObject<'py>,
{
    value
        .into_pyobject(py)
        .ok()
        .and_then(|v| v.into_bound().into_any().repr().ok())
        .map_or_else(|| "?".to_owned(), |r| r.to_string())
}

/// One source's failure for one book, in a form code can act on. Immutable.
#[pyclass(frozen, eq, name = "SourceFailure", module = "bookenrich")]
#[derive(Debug, Clone, PartialEq)]
pub struct PySourceFailure {
    inner: SourceFailure,
}

impl From<SourceFailure> for PySourceFailure {
    fn from(inner: SourceFailure) -> Self {
        Self { inner }
    }
}

#[pymethods]
impl PySourceFailure {
    /// A failure of `source`; `retryable` defaults to what the core says of `kind`, `message` to
    /// `"SOURCE: KIND"`.
    #[new]
    #[pyo3(signature = (source, kind, message=None, *, retryable=None))]
    fn new(
        source: String,
        kind: &str,
        message: Option<String>,
        retryable: Option<bool>,
    ) -> PyResult<Self> {
        let kind: SourceErrorKind = serde_json::from_value(Value::String(kind.to_owned()))
            .map_err(|e| InvalidInputError::new_err(format!("SourceFailure: kind: {e}")))?;
        let message = message.unwrap_or_else(|| format!("{source}: {}", kind.as_str()));
        let retryable = retryable.unwrap_or_else(|| kind.is_retryable());
        Ok(Self { inner: SourceFailure { source, kind, retryable, message: message.into() } })
    }

    /// The source's name, e.g. `"open_library"`.
    #[getter]
    fn source(&self) -> &str {
        &self.inner.source
    }
    /// What kind of failure, e.g. `"rate_limited"`, `"server"`, `"timeout"`, `"quota_exhausted"`.
    #[getter]
    fn kind(&self) -> String {
        self.inner.kind.as_str().to_owned()
    }
    /// Whether looking the book up again later may succeed.
    #[getter]
    fn retryable(&self) -> bool {
        self.inner.retryable
    }
    /// The failure as `EnrichedBook.error` writes it: `SOURCE: MESSAGE[ (URL)]`.
    #[getter]
    fn message(&self) -> &str {
        &self.inner.message
    }

    fn __str__(&self) -> &str {
        &self.inner.message
    }

    fn __repr__(&self, py: Python<'_>) -> String {
        format!(
            "SourceFailure(source={}, kind={}, retryable={}, message={})",
            repr(py, &self.inner.source),
            repr(py, self.kind()),
            if self.inner.retryable { "True" } else { "False" },
            repr(py, &*self.inner.message)
        )
    }
}

/// The result of enriching one book. Immutable.
#[pyclass(frozen, eq, name = "EnrichedBook", module = "bookenrich")]
#[derive(Debug, Clone, PartialEq)]
pub struct PyEnrichedBook {
    pub(crate) inner: EnrichedBook,
}

impl From<EnrichedBook> for PyEnrichedBook {
    fn from(inner: EnrichedBook) -> Self {
        Self { inner }
    }
}

#[pymethods]
impl PyEnrichedBook {
    #[new]
    #[pyo3(signature = (
        *, goodreads_id=None, title=String::new(), author=String::new(), genres_by_source=BTreeMap::new(),
        final_genres=Vec::new(), thumbnail_url=None, small_thumbnail_url=None, sources_matched=Vec::new(),
        genre_sources=Vec::new(), identifiers=BTreeMap::new(), processing_log=Vec::new(), error=None,
        failures=Vec::new(), from_cache=false
    ))]
    #[expect(clippy::too_many_arguments, reason = "One keyword argument per field")]
    fn new(
        goodreads_id: Option<String>,
        title: String,
        author: String,
        genres_by_source: BTreeMap<String, Vec<String>>,
        final_genres: Vec<String>,
        thumbnail_url: Option<String>,
        small_thumbnail_url: Option<String>,
        sources_matched: Vec<String>,
        genre_sources: Vec<String>,
        identifiers: BTreeMap<String, Vec<String>>,
        processing_log: Vec<String>,
        error: Option<String>,
        failures: Vec<PyRef<'_, PySourceFailure>>,
        from_cache: bool,
    ) -> Self {
        Self {
            inner: EnrichedBook {
                goodreads_id,
                title,
                author,
                genres_by_source,
                // Not a constructor argument: a result built in Python has no classification numbers.
                classifications: BTreeMap::new(),
                final_genres,
                thumbnail_url,
                small_thumbnail_url,
                sources_matched,
                genre_sources,
                identifiers,
                processing_log,
                error: error.map(Into::into),
                failures: failures.iter().map(|f| f.inner.clone()).collect(),
                from_cache,
            },
        }
    }

    #[getter]
    fn goodreads_id(&self) -> Option<&str> {
        self.inner.goodreads_id.as_deref()
    }
    #[getter]
    fn title(&self) -> &str {
        &self.inner.title
    }
    #[getter]
    fn author(&self) -> &str {
        &self.inner.author
    }
    /// Raw genre strings per source, exactly as each catalogue returned them.
    #[getter]
    fn genres_by_source(&self) -> BTreeMap<String, Vec<String>> {
        self.inner.genres_by_source.clone()
    }
    /// The clean genres for the dashboard, most relevant first.
    #[getter]
    fn final_genres(&self) -> Vec<String> {
        self.inner.final_genres.clone()
    }
    #[getter]
    fn thumbnail_url(&self) -> Option<&str> {
        self.inner.thumbnail_url.as_deref()
    }
    #[getter]
    fn small_thumbnail_url(&self) -> Option<&str> {
        self.inner.small_thumbnail_url.as_deref()
    }
    /// Sources that found the book.
    #[getter]
    fn sources_matched(&self) -> Vec<String> {
        self.inner.sources_matched.clone()
    }
    /// Sources whose genres made it into `final_genres`.
    #[getter]
    fn genre_sources(&self) -> Vec<String> {
        self.inner.genre_sources.clone()
    }
    /// Identifiers each source matched, e.g. `{"open_library": ["/works/OL45804W"]}`.
    #[getter]
    fn identifiers(&self) -> BTreeMap<String, Vec<String>> {
        self.inner.identifiers.clone()
    }
    /// What happened, step by step.
    #[getter]
    fn processing_log(&self) -> Vec<String> {
        self.inner.processing_log.clone()
    }
    /// Why the lookup failed, when it did: every message of `failures`, joined by `"; "`.
    #[getter]
    fn error(&self) -> Option<&str> {
        self.inner.error.as_deref()
    }
    /// Each source that failed for this book (empty when none did).
    #[getter]
    fn failures(&self) -> Vec<PySourceFailure> {
        self.inner.failures.iter().cloned().map(PySourceFailure::from).collect()
    }
    /// Some source failed in a way that looking the book up again later may fix.
    #[getter]
    fn is_retryable(&self) -> bool {
        self.inner.is_retryable()
    }
    /// Every answer came from the cache.
    #[getter]
    #[expect(clippy::wrong_self_convention, reason = "The field's name, not a conversion")]
    fn from_cache(&self) -> bool {
        self.inner.from_cache
    }
    /// At least one genre was found.
    #[getter]
    fn has_genres(&self) -> bool {
        self.inner.has_genres()
    }

    /// Every field as JSON-ready data.
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        to_dict(py, &self.inner)
    }

    /// Builds a result from `to_dict()` output; missing fields take their defaults.
    #[classmethod]
    fn from_dict(_cls: &Bound<'_, PyType>, data: &Bound<'_, PyAny>) -> PyResult<Self> {
        let defaults = serde_json::to_value(EnrichedBook::default())
            .map_err(|e| InvalidInputError::new_err(e.to_string()))?;
        Ok(Self { inner: from_dict(data, "EnrichedBook", defaults)? })
    }

    fn __reduce__<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyTuple>> {
        reduce::<Self>(py, to_dict(py, &self.inner)?)
    }

    fn __repr__(&self, py: Python<'_>) -> String {
        let e = &self.inner;
        format!(
            "EnrichedBook(goodreads_id={}, title={}, final_genres={}, error={})",
            repr(py, &e.goodreads_id),
            repr(py, &e.title),
            repr(py, &e.final_genres),
            repr(py, e.error.as_deref())
        )
    }
}
