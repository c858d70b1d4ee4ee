//! The genre normaliser: raw catalogue subjects to the canonical vocabulary.

use bookenrich_core::genres::GenreNormalizer;
use pyo3::prelude::*;

use crate::error::{guard, to_py_err};

/// Normalises one book's raw genre strings with the built-in rules.
#[pyfunction]
pub fn normalize_genres(raw: Vec<String>) -> PyResult<Vec<String>> {
    guard(|| {
        Ok(bookenrich_core::genres::normalize(&raw)
            .into_iter()
            .map(String::from)
            .collect())
    })
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
        guard(|| {
            Ok(self
                .inner
                .normalize(&raw)
                .into_iter()
                .map(String::from)
                .collect())
        })
    }

    /// The most genres kept per book (the Fiction/Nonfiction marker included).
    #[getter]
    fn max_genres(&self) -> usize {
        self.inner.max_genres()
    }

    /// The canonical genre names, in table order.
    fn vocabulary(&self) -> Vec<String> {
        self.inner
            .vocabulary()
            .map(|g| g.as_str().to_owned())
            .collect()
    }

    fn __repr__(&self) -> String {
        format!("GenreNormalizer(max_genres={})", self.inner.max_genres())
    }
}
