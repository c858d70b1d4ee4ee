//! JSON-shaped data between Rust (`serde_json::Value`) and Python (dicts, lists, str, int, float, bool, None).
//!
//! Every structured value crosses the boundary this way, so the Python dicts have exactly the
//! keys, order and values of the JSON bookenrich writes.

use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyDict, PyFloat, PyInt, PyList, PyMapping, PyString, PyTuple};
use serde_json::{Map, Number, Value};

/// Nesting deeper than this is refused (it can only be a reference cycle or a mistake).
const MAX_DEPTH: usize = 64;

/// The Python value of a JSON value.
pub(crate) fn to_py<'py>(py: Python<'py>, value: &Value) -> PyResult<Bound<'py, PyAny>> {
    Ok(match value {
        Value::Null => py.None().into_bound(py),
        Value::Bool(b) => PyBool::new(py, *b).to_owned().into_any(),
        Value::Number(n) => {
            if let Some(i) = n.as_i64() {
                i.into_pyobject(py)?.into_any()
            } else if let Some(u) = n.as_u64() {
                u.into_pyobject(py)?.into_any()
            } else {
                PyFloat::new(py, n.as_f64().unwrap_or(f64::NAN)).into_any()
            }
        }
        Value::String(s) => PyString::new(py, s).into_any(),
        Value::Array(items) => {
            let list = PyList::empty(py);
            for item in items {
                list.append(to_py(py, item)?)?;
            }
            list.into_any()
        }
        Value::Object(map) => {
            let dict = PyDict::new(py);
            for (k, v) in map {
                dict.set_item(k, to_py(py, v)?)?;
            }
            dict.into_any()
        }
    })
}

/// The JSON value of a Python value; `what` names it in errors (e.g. `"books[3]"`).
///
/// Accepts None, bool, int, float (finite), str, `datetime.date`/`datetime` (as ISO 8601),
/// mappings with str keys, lists and tuples.
pub(crate) fn from_py(obj: &Bound<'_, PyAny>, what: &str) -> PyResult<Value> {
    from_py_at(obj, what, 0)
}

fn from_py_at(obj: &Bound<'_, PyAny>, what: &str, depth: usize) -> PyResult<Value> {
    if depth > MAX_DEPTH {
        return Err(PyValueError::new_err(format!(
            "{what}: nested more than {MAX_DEPTH} levels deep"
        )));
    }
    if obj.is_none() {
        return Ok(Value::Null);
    }
    // bool before int: Python's bool is an int subclass.
    if let Ok(b) = obj.cast::<PyBool>() {
        return Ok(Value::Bool(b.is_true()));
    }
    if obj.is_instance_of::<PyInt>() {
        if let Ok(i) = obj.extract::<i64>() {
            return Ok(Value::from(i));
        }
        if let Ok(u) = obj.extract::<u64>() {
            return Ok(Value::from(u));
        }
        return Err(PyValueError::new_err(format!("{what}: integer {obj} is out of range")));
    }
    if let Ok(f) = obj.cast::<PyFloat>() {
        let v = f.value();
        return Number::from_f64(v)
            .map(Value::Number)
            .ok_or_else(|| PyValueError::new_err(format!("{what}: {v} is not a finite number")));
    }
    if let Ok(s) = obj.cast::<PyString>() {
        return Ok(Value::String(s.to_cow()?.into_owned()));
    }
    if let Ok(list) = obj.cast::<PyList>() {
        return list
            .iter()
            .enumerate()
            .map(|(i, item)| from_py_at(&item, &format!("{what}[{i}]"), depth + 1))
            .collect::<PyResult<Vec<_>>>()
            .map(Value::Array);
    }
    if let Ok(tuple) = obj.cast::<PyTuple>() {
        return tuple
            .iter()
            .enumerate()
            .map(|(i, item)| from_py_at(&item, &format!("{what}[{i}]"), depth + 1))
            .collect::<PyResult<Vec<_>>>()
            .map(Value::Array);
    }
    if let Ok(dict) = obj.cast::<PyDict>() {
        return dict_to_map(dict.iter(), what, depth);
    }
    if let Ok(mapping) = obj.cast::<PyMapping>() {
        let items = mapping.items()?;
        let pairs: Vec<(Bound<'_, PyAny>, Bound<'_, PyAny>)> = items.extract()?;
        return dict_to_map(pairs.into_iter(), what, depth);
    }
    if is_date(obj)? {
        let iso: String = obj.call_method0("isoformat")?.extract()?;
        return Ok(Value::String(iso));
    }
    let type_name = obj.get_type().name().map_or_else(|_| "?".to_owned(), |n| n.to_string());
    Err(PyTypeError::new_err(format!(
        "{what}: unsupported type {type_name} (expected JSON-like data)"
    )))
}

fn dict_to_map<'py>(
    items: impl Iterator<Item = (Bound<'py, PyAny>, Bound<'py, PyAny>)>,
    what: &str,
    depth: usize,
) -> PyResult<Value> {
    let mut map = Map::new();
    for (k, v) in items {
        let key: String = k
            .extract()
            .map_err(|_| PyTypeError::new_err(format!("{what}: keys must be str, found {k:?}")))?;
        let value = from_py_at(&v, &format!("{what}[{key:?}]"), depth + 1)?;
        map.insert(key, value);
    }
    Ok(Value::Object(map))
}

/// Whether `obj` is a `datetime.date` (or `datetime.datetime`).
fn is_date(obj: &Bound<'_, PyAny>) -> PyResult<bool> {
    let py = obj.py();
    let date = py.import("datetime")?.getattr("date")?;
    obj.is_instance(&date)
}
