//! Python bindings of bookenrich: the native module `bookenrich._bookenrich`.
//!
//! A thin layer: each `Py*` type wraps a core type and only converts; the `bookenrich`
//! Python package (python/bookenrich) re-exports everything and adds the `compat` module.
//! Errors map to one exception hierarchy (error.rs); panics become `InternalError`; long
//! work releases the GIL and runs on one lazily created, fork-aware tokio runtime (runtime.rs).

// PyO3 extracts arguments as owned values (`Vec<String>`, `PathBuf`, `Option<Bound<_>>`), so
// "passed by value but not consumed" is how every #[pyfunction] signature looks.
#![expect(clippy::needless_pass_by_value)]

mod convert;
mod dashboard;
mod enricher;
mod error;
mod export;
mod genres;
mod model;
mod options;
mod runtime;
mod source;

use pyo3::prelude::*;

/// The native module; import `bookenrich` instead.
#[pymodule]
mod _bookenrich {
    #[pymodule_export]
    use crate::dashboard::{
        PyDashboardReport, build_dashboard, export_to_dashboard, write_dashboard,
    };
    #[pymodule_export]
    use crate::enricher::{PyEnricher, PyProgress};
    #[pymodule_export]
    use crate::error::{
        _debug_panic, BookEnrichError, CacheError, CancelledError, ConfigError, InternalError,
        InvalidInputError, MissingColumnsError, SourceError,
    };
    #[pymodule_export]
    use crate::export::{PyExport, PyRowProblem, read_export};
    #[pymodule_export]
    use crate::genres::{PyGenreNormalizer, normalize_genres};
    #[pymodule_export]
    use crate::model::{PyBookAnalytics, PyBookInfo, PyEnrichedBook, PySourceFailure};
    #[pymodule_export]
    use crate::source::PyFetch;

    use pyo3::prelude::*;

    #[pymodule_init]
    fn init(m: &Bound<'_, PyModule>) -> PyResult<()> {
        m.add("__version__", bookenrich_core::VERSION)?;
        // Before the interpreter finalizes, not during: see `shutdown_runtime`.
        let shutdown = wrap_pyfunction!(crate::runtime::shutdown_runtime, m)?;
        m.py().import("atexit")?.call_method1("register", (shutdown,))?;
        Ok(())
    }
}
