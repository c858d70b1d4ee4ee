//! The crate's error type.

use std::path::PathBuf;

mod details;
mod source;

pub use details::{Detail, ErrorKind, message_with_causes, panic_message};
pub use source::{SourceError, SourceErrorKind};

/// Everything that can go wrong in bookenrich, as variants a caller can act on.
///
/// Problems with single rows of an export are *not* errors: they are returned
/// beside the books as [`RowProblem`](crate::csv::RowProblem)s. Failures of
/// single lookups are recorded on each [`EnrichedBook`](crate::EnrichedBook).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A file could not be read or written.
    #[error("{}: {source}", path.display())]
    Io {
        /// The file at fault.
        path: PathBuf,
        /// The underlying I/O error.
        #[source]
        source: std::io::Error,
    },

    /// The input is not a Goodreads library export at all (empty, binary, or another CSV).
    #[error("{file}: not a Goodreads library export: {reason}")]
    NotAnExport {
        /// The file (or `<input>` for in-memory data).
        file: String,
        /// What is wrong with it.
        reason: String,
    },

    /// The export lacks columns bookenrich needs.
    #[error("{file}: missing required column(s): {}", columns.join(", "))]
    MissingColumns {
        /// The file (or `<input>`).
        file: String,
        /// The missing column names, in the export's spelling.
        columns: Vec<String>,
    },

    /// The CSV itself cannot be read past a point (e.g. invalid UTF-8 in the header).
    #[error("{file}: line {line}: {message}")]
    Csv {
        /// The file (or `<input>`).
        file: String,
        /// 1-based line number.
        line: u64,
        /// What is wrong.
        message: String,
    },

    /// A configuration value is invalid; `field` names the option or environment variable.
    #[error("invalid {field}: {message}")]
    Config {
        /// The option, flag or environment variable at fault.
        field: String,
        /// What is wrong with it.
        message: String,
    },

    /// A catalogue lookup failed as a whole (per-book failures are recorded on the books).
    #[error(transparent)]
    Source(#[from] SourceError),

    /// The response cache could not be opened, read or written.
    #[error("cache {}: {message}", path.display())]
    Cache {
        /// The cache file.
        path: PathBuf,
        /// What is wrong.
        message: String,
    },

    /// A dashboard JSON document is not a dashboard: a file read (for `report`), or a
    /// dashboard given as data to be written.
    #[error("{file}: invalid dashboard JSON: {}{message}", at_field(field.as_deref()))]
    Dashboard {
        /// The file (or `<input>` for a dashboard given as data).
        file: String,
        /// The path of the value at fault, as `books[3].my_rating` or `summary.total_books`;
        /// `None` when the document as a whole is at fault (not JSON, not an object).
        field: Option<String>,
        /// What is wrong.
        message: String,
    },

    /// JSON (de)serialisation failed.
    #[error("JSON: {0}")]
    Json(#[from] serde_json::Error),

    /// The work was cancelled before it finished.
    #[error("cancelled")]
    Cancelled,
}

impl Error {
    /// A configuration error for `field`.
    pub fn config(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self::Config { field: field.into(), message: message.into() }
    }

    /// An I/O error on `path`.
    pub fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        Self::Io { path: path.into(), source }
    }
}

/// `"<field>: "` before a message about that field, nothing without one.
fn at_field(field: Option<&str>) -> String {
    field.map(|f| format!("{f}: ")).unwrap_or_default()
}

/// `Result` with bookenrich's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;
