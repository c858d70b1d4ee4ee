//! `Enricher`'s keyword arguments, read one by one: a value of the wrong type is a `TypeError`
//! naming the argument, what it accepts and what it got (`PyO3`'s own message names neither the
//! argument nor the accepted values).

use std::path::PathBuf;

use bookenrich_core::config::CacheSetting;
use pyo3::conversion::FromPyObjectOwned;
use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyString};

use crate::error::ConfigError;

/// What `cache` accepts, for its error messages.
const CACHE_ACCEPTS: &str = "\"memory\", \"off\", False, True (in memory) or a path";

/// `value` as a `T` (never a bool: no option but `offline` takes one), or `None` when it is
/// absent or `None`; `accepts` says what `name` takes.
pub(crate) fn arg<'py, T: FromPyObjectOwned<'py>>(
    name: &str,
    accepts: &str,
    value: Option<&Bound<'py, PyAny>>,
) -> PyResult<Option<T>> {
    match value.filter(|v| !v.is_none()) {
        None => Ok(None),
        // bool is an int in Python, but True is not a count or a rate.
        Some(v) if v.is_instance_of::<PyBool>() => Err(wrong(name, accepts, v)),
        Some(v) => v.extract::<T>().map(Some).map_err(|_| wrong(name, accepts, v)),
    }
}

/// `True` or `False`.
pub(crate) fn flag(name: &str, value: Option<&Bound<'_, PyAny>>) -> PyResult<Option<bool>> {
    match value.filter(|v| !v.is_none()) {
        None => Ok(None),
        Some(v) => v
            .cast::<PyBool>()
            .map(|b| Some(b.is_true()))
            .map_err(|_| wrong(name, "True or False", v)),
    }
}

/// The `cache` argument: `"memory"`, `"off"`, `False`, `True`, or a path.
pub(crate) fn cache(value: Option<&Bound<'_, PyAny>>) -> PyResult<Option<CacheSetting>> {
    let Some(v) = value.filter(|v| !v.is_none()) else {
        return Ok(None);
    };
    if let Ok(on) = v.cast::<PyBool>() {
        return Ok(Some(if on.is_true() { CacheSetting::Memory } else { CacheSetting::Off }));
    }
    if let Ok(s) = v.cast::<PyString>() {
        return CacheSetting::parse(&s.to_cow()?)
            .map(Some)
            .map_err(|m| ConfigError::new_err(format!("invalid cache: {m} ({CACHE_ACCEPTS})")));
    }
    if v.hasattr("__fspath__")? {
        return Ok(Some(CacheSetting::Path(v.extract::<PathBuf>()?)));
    }
    Err(wrong("cache", CACHE_ACCEPTS, v))
}

pub(crate) fn wrong(name: &str, accepts: &str, value: &Bound<'_, PyAny>) -> PyErr {
    let got = value.repr().map_or_else(|_| "?".to_owned(), |r| r.to_string());
    let type_name = value.get_type().name().map_or_else(|_| "?".to_owned(), |n| n.to_string());
    PyTypeError::new_err(format!("{name} must be {accepts}, not {type_name} {got}"))
}
