//! What every front end needs to report an [`Error`] the same way: a stable kind name,
//! the details at fault by name, the message with its causes, and a panic's message.
//!
//! The Python exceptions, the Node error codes and the CLI's exit statuses are tables
//! from [`ErrorKind`]; the attributes they expose are [`Error::details`], under the
//! same names (Python as they are, Node in camelCase).

use std::any::Any;

use super::{Error, SourceError};

/// The kind of an [`Error`], with a name that does not change between versions.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorKind {
    /// [`Error::Io`].
    Io,
    /// [`Error::NotAnExport`].
    NotAnExport,
    /// [`Error::MissingColumns`].
    MissingColumns,
    /// [`Error::Csv`].
    InvalidCsv,
    /// [`Error::Config`].
    Config,
    /// [`Error::Source`].
    SourceFailed,
    /// [`Error::Cache`].
    Cache,
    /// [`Error::Dashboard`].
    InvalidDashboard,
    /// [`Error::Json`]: serialising bookenrich's own values failed, a bug to report.
    Json,
    /// [`Error::Cancelled`].
    Cancelled,
}

impl ErrorKind {
    /// Every kind, for tables that must cover them all.
    pub const ALL: [Self; 10] = [
        Self::Io,
        Self::NotAnExport,
        Self::MissingColumns,
        Self::InvalidCsv,
        Self::Config,
        Self::SourceFailed,
        Self::Cache,
        Self::InvalidDashboard,
        Self::Json,
        Self::Cancelled,
    ];

    /// The stable `snake_case` name, e.g. `invalid_csv`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Io => "io",
            Self::NotAnExport => "not_an_export",
            Self::MissingColumns => "missing_columns",
            Self::InvalidCsv => "invalid_csv",
            Self::Config => "config",
            Self::SourceFailed => "source_failed",
            Self::Cache => "cache",
            Self::InvalidDashboard => "invalid_dashboard",
            Self::Json => "json",
            Self::Cancelled => "cancelled",
        }
    }
}

/// The value of one detail of an error.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Detail {
    /// Text: a file, a field, a URL, a source's name.
    Text(String),
    /// A whole number: a line.
    Number(u64),
    /// A list of names: missing columns.
    List(Vec<String>),
}

impl Error {
    /// The kind of this error.
    pub fn kind(&self) -> ErrorKind {
        match self {
            Self::Io { .. } => ErrorKind::Io,
            Self::NotAnExport { .. } => ErrorKind::NotAnExport,
            Self::MissingColumns { .. } => ErrorKind::MissingColumns,
            Self::Csv { .. } => ErrorKind::InvalidCsv,
            Self::Config { .. } => ErrorKind::Config,
            Self::Source(_) => ErrorKind::SourceFailed,
            Self::Cache { .. } => ErrorKind::Cache,
            Self::Dashboard { .. } => ErrorKind::InvalidDashboard,
            Self::Json(_) => ErrorKind::Json,
            Self::Cancelled => ErrorKind::Cancelled,
        }
    }

    /// What is at fault, by name, in a fixed order: `path` (a file read or written, a
    /// cache), `file` (an input, or `<input>`), `line`, `columns`, `field`, and for a
    /// catalogue `source`, `kind` (its [`SourceErrorKind`](super::SourceErrorKind) name) and `url`.
    pub fn details(&self) -> Vec<(&'static str, Detail)> {
        let text = |s: &str| Detail::Text(s.to_owned());
        match self {
            Self::Io { path, .. } | Self::Cache { path, .. } => {
                vec![("path", Detail::Text(path.display().to_string()))]
            }
            Self::NotAnExport { file, .. } => vec![("file", text(file))],
            Self::Dashboard { file, field, .. } => {
                let mut out = vec![("file", text(file))];
                out.extend(field.as_deref().map(|f| ("field", text(f))));
                out
            }
            Self::MissingColumns { file, columns } => {
                vec![("file", text(file)), ("columns", Detail::List(columns.clone()))]
            }
            Self::Csv { file, line, .. } => {
                vec![("file", text(file)), ("line", Detail::Number(*line))]
            }
            Self::Config { field, .. } => vec![("field", text(field))],
            Self::Source(e) => e.details(),
            Self::Json(_) | Self::Cancelled => Vec::new(),
        }
    }
}

impl SourceError {
    /// `source`, `kind` and, when known, `url` (never with a secret).
    pub fn details(&self) -> Vec<(&'static str, Detail)> {
        let mut out = vec![
            ("source", Detail::Text(self.source_name.clone())),
            ("kind", Detail::Text(self.kind.as_str().to_owned())),
        ];
        if let Some(url) = &self.url {
            out.push(("url", Detail::Text(url.to_string())));
        }
        out
    }
}

/// The error's own message followed by every cause it does not already spell out,
/// each after `": "`, on one line.
pub fn message_with_causes(error: &(dyn std::error::Error + 'static)) -> String {
    let mut message = error.to_string();
    let mut cause = error.source();
    while let Some(c) = cause {
        let text = c.to_string();
        if !message.contains(&text) {
            message.push_str(": ");
            message.push_str(&text);
        }
        cause = c.source();
    }
    message.replace('\n', " ")
}

/// The message a caught panic carried (`panic!` gives a `&str` or a `String`).
pub fn panic_message(payload: &(dyn Any + Send)) -> String {
    payload
        .downcast_ref::<&str>()
        .map(|s| (*s).to_owned())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "unknown panic payload".to_owned())
}

#[cfg(test)]
mod tests {
    use std::path::PathBuf;

    use super::*;
    use crate::error::SourceErrorKind;

    #[test]
    fn kind_names_are_distinct_and_snake_case() {
        let names: Vec<&str> = ErrorKind::ALL.iter().map(|k| k.as_str()).collect();
        let mut unique = names.clone();
        unique.sort_unstable();
        unique.dedup();
        assert_eq!(unique.len(), names.len());
        assert!(names.iter().all(|n| n.bytes().all(|b| b.is_ascii_lowercase() || b == b'_')));
    }

    #[test]
    fn details_name_what_is_at_fault() {
        let csv = Error::Csv { file: "lib.csv".into(), line: 7, message: "bad".into() };
        assert_eq!(csv.kind().as_str(), "invalid_csv");
        assert_eq!(
            csv.details(),
            [("file", Detail::Text("lib.csv".into())), ("line", Detail::Number(7))]
        );
        let source = Error::Source(
            SourceError::new("google_books", SourceErrorKind::QuotaExhausted, "quota")
                .with_url("https://www.googleapis.com/books/v1/volumes?q=isbn:1"),
        );
        assert_eq!(source.kind(), ErrorKind::SourceFailed);
        let names: Vec<&str> = source.details().iter().map(|(n, _)| *n).collect();
        assert_eq!(names, ["source", "kind", "url"]);
        assert_eq!(source.details()[1].1, Detail::Text("quota_exhausted".into()));
        let io = Error::io(PathBuf::from("out.json"), std::io::Error::other("disk full"));
        assert_eq!(io.details(), [("path", Detail::Text("out.json".into()))]);
        assert_eq!(message_with_causes(&io), "out.json: disk full");
    }

    #[test]
    fn panic_messages_are_read_from_either_payload() {
        let s: Box<dyn Any + Send> = Box::new("static");
        let owned: Box<dyn Any + Send> = Box::new(String::from("owned"));
        let other: Box<dyn Any + Send> = Box::new(3_u8);
        assert_eq!(panic_message(s.as_ref()), "static");
        assert_eq!(panic_message(owned.as_ref()), "owned");
        assert_eq!(panic_message(other.as_ref()), "unknown panic payload");
    }
}
