//! `Enricher`'s keyword arguments, read one by one: a value of the wrong type is a `TypeError`
//! naming the argument, what it accepts and what it got (`PyO3`'s own message names neither the
//! argument nor the accepted values).

use std::path::PathBuf;

use bookenrich_core::config::{CacheSetting, EnricherOptions, Spelling};
use pyo3::conversion::FromPyObjectOwned;
use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyString};
use serde_json::Value;

use crate::error::to_py_err;

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

/// Sets `options.cache` from the `cache` argument: `"memory"`, `"off"`, `False`, `True`, or a
/// path. A str or path is checked by the core, so a bad one is the `ConfigError` (with `.field`)
/// every front end gives for it; a value of another type is a `TypeError`.
pub(crate) fn cache(
    options: &mut EnricherOptions,
    value: Option<&Bound<'_, PyAny>>,
) -> PyResult<()> {
    let Some(v) = value.filter(|v| !v.is_none()) else {
        return Ok(());
    };
    if let Ok(on) = v.cast::<PyBool>() {
        options.cache = Some(if on.is_true() { CacheSetting::Memory } else { CacheSetting::Off });
        return Ok(());
    }
    let set = if let Ok(s) = v.cast::<PyString>() {
        options.set("cache", &Value::String(s.to_cow()?.into_owned()), Spelling::Python)
    } else if v.hasattr("__fspath__")? {
        options.set_cache_path(v.extract::<PathBuf>()?, Spelling::Python)
    } else {
        return Err(wrong("cache", CACHE_ACCEPTS, v));
    };
    set.map_err(to_py_err)
}

pub(crate) fn wrong(name: &str, accepts: &str, value: &Bound<'_, PyAny>) -> PyErr {
    let got = value.repr().map_or_else(|_| "?".to_owned(), |r| r.to_string());
    let type_name = value.get_type().name().map_or_else(|_| "?".to_owned(), |n| n.to_string());
    PyTypeError::new_err(format!("{name} must be {accepts}, not {type_name} {got}"))
}
