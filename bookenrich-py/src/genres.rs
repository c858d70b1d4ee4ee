//! The genre normaliser: raw catalogue subjects to the canonical vocabulary.

use bookenrich_core::genres::{
    AuditBook, DropReason, FictionKind, GenreAudit, GenreNormalizer, dashboard_books_from_path,
};
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList};

use crate::error::{guard, to_py_err};
use crate::model::PyEnrichedBook;

/// The audit as Python dicts and lists, the unknown strings cut to `top`.
fn to_python(
    py: Python<'_>,
    mut audit: GenreAudit,
    top: Option<usize>,
) -> PyResult<Bound<'_, PyAny>> {
    if let Some(n) = top {
        audit.unknown.truncate(n);
    }
    let text = serde_json::to_string(&audit)
        .map_err(|e| PyValueError::new_err(format!("cannot convert the audit: {e}")))?;
    py.import("json")?.call_method1("loads", (text,))
}

/// Normalises one book's raw genre strings with the built-in rules.
#[pyfunction]
pub(crate) fn normalize_genres(raw: Vec<String>) -> PyResult<Vec<String>> {
    guard(|| Ok(bookenrich_core::genres::normalize(&raw).into_iter().map(String::from).collect()))
}

/// A genre normaliser with extra or overriding rules (the TOML format of docs/genres.md).
#[pyclass(frozen, name = "GenreNormalizer", module = "bookenrich")]
pub struct PyGenreNormalizer {
    inner: GenreNormalizer,
}

#[pymethods]
impl PyGenreNormalizer {
    #[new]
    #[pyo3(signature = (rules_toml=None, *, max_genres=None))]
    fn new(rules_toml: Option<&str>, max_genres: Option<usize>) -> PyResult<Self> {
        guard(|| {
            let mut inner = GenreNormalizer::new();
            if let Some(toml) = rules_toml {
                inner = inner.with_rules_toml(toml).map_err(to_py_err)?;
            }
            if let Some(n) = max_genres {
                inner = inner.with_max_genres(n);
            }
            Ok(Self { inner })
        })
    }

    /// Normalises one book's raw genre strings: genres by relevance, then `Fiction`/`Nonfiction`.
    fn normalize(&self, raw: Vec<String>) -> PyResult<Vec<String>> {
        guard(|| Ok(self.inner.normalize(&raw).into_iter().map(String::from).collect()))
    }

    /// Normalises several catalogues' raw strings for one book (one list per catalogue):
    /// a genre more catalogues agree on ranks higher.
    fn normalize_sources(&self, per_source: Vec<Vec<String>>) -> PyResult<Vec<String>> {
        guard(|| {
            let slices: Vec<&[String]> = per_source.iter().map(Vec::as_slice).collect();
            Ok(self.inner.normalize_sources(&slices).into_iter().map(String::from).collect())
        })
    }

    /// `"Fiction"`, `"Nonfiction"`, or `None` when the strings do not tell.
    fn classify(&self, raw: Vec<String>) -> PyResult<Option<&'static str>> {
        guard(|| Ok(self.inner.classify(&raw).map(FictionKind::as_str)))
    }

    /// What the rules make of one raw string: `{"genres": [...], "dropped": [{"text", "reason",
    /// "noise_class"}]}`, `reason` one of `noise`, `mapped_to_nothing`, `unknown`, `topic_of_fiction`.
    fn explain<'py>(&self, py: Python<'py>, raw: &str) -> PyResult<Bound<'py, PyDict>> {
        let explanation = guard(|| Ok(self.inner.explain(raw)))?;
        let dropped = PyList::empty(py);
        for part in &explanation.dropped {
            let (reason, noise_class) = match &part.reason {
                DropReason::Noise(class) => ("noise", Some(class.as_str())),
                DropReason::MappedToNothing => ("mapped_to_nothing", None),
                DropReason::Unknown => ("unknown", None),
                DropReason::TopicOfFiction => ("topic_of_fiction", None),
                _ => ("other", None),
            };
            let item = PyDict::new(py);
            item.set_item("text", &part.text)?;
            item.set_item("reason", reason)?;
            item.set_item("noise_class", noise_class)?;
            dropped.append(item)?;
        }
        let out = PyDict::new(py);
        let genres: Vec<&str> =
            explanation.genres.iter().map(bookenrich_core::genres::Genre::as_str).collect();
        out.set_item("genres", genres)?;
        out.set_item("dropped", dropped)?;
        Ok(out)
    }

    /// The books of enrichment results left without a genre (with their raw catalogue strings)
    /// and the strings no rule knows, most frequent first, each with the rule it would need:
    /// `{"books", "with_genres", "without_genres": [...], "unknown": [{"text", "books",
    /// "examples", "rule"}]}` (the CLI's `genres audit --json`).
    #[pyo3(signature = (results, *, top=None))]
    fn audit<'py>(
        &self,
        py: Python<'py>,
        results: Vec<PyRef<'_, PyEnrichedBook>>,
        top: Option<usize>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let books: Vec<AuditBook> = results.iter().map(|r| AuditBook::from(&r.inner)).collect();
        let audit = guard(|| Ok(self.inner.audit(&books)))?;
        to_python(py, audit, top)
    }

    /// The same audit over a dashboard JSON file (its books and genres; a dashboard keeps no
    /// raw catalogue strings). Errors name the file and the field at fault.
    #[pyo3(signature = (path, *, top=None))]
    fn audit_dashboard<'py>(
        &self,
        py: Python<'py>,
        path: std::path::PathBuf,
        top: Option<usize>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let audit = guard(|| {
            let books = dashboard_books_from_path(&path).map_err(to_py_err)?;
            Ok(self.inner.audit(&books))
        })?;
        to_python(py, audit, top)
    }

    /// The most genres kept per book (the Fiction/Nonfiction marker included).
    #[getter]
    fn max_genres(&self) -> usize {
        self.inner.max_genres()
    }

    /// The canonical genre names, in table order.
    fn vocabulary(&self) -> Vec<String> {
        self.inner.vocabulary().map(|g| g.as_str().to_owned()).collect()
    }

    fn __repr__(&self) -> String {
        format!("GenreNormalizer(max_genres={})", self.inner.max_genres())
    }
}
