//! The one place where bookenrich errors become JavaScript `Error`s with a stable `code`.
//!
//! Every function of the addon fails with a [`BindingError`]; it is turned into a
//! JS `Error` whose `message` carries the whole cause chain and whose `code` is one
//! of [`Code`]'s strings, plus a few properties that say what is at fault
//! (`path`, `file`, `line`, `columns`, `field`, `source`, `url`).

use std::fmt;

use bookenrich_core::Error as CoreError;
use bookenrich_core::error::{ErrorKind, message_with_causes, panic_message};
use napi::bindgen_prelude::{JsValue, Object};
use napi::{Env, Status};

use crate::number::js_number;

/// The stable `code` of every error the package throws or rejects with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Code {
    /// The export lacks `Book Id`, `Title` or `Author`.
    MissingColumns,
    /// The input is not a Goodreads export at all (empty, binary, another CSV).
    NotAnExport,
    /// The CSV cannot be read past a line (broken quoting, invalid UTF-8 in the header).
    InvalidCsv,
    /// An argument from JavaScript is invalid (wrong type, bad date, unknown option).
    InvalidInput,
    /// A dashboard object or file is not a valid dashboard.
    InvalidDashboard,
    /// A file could not be read or written.
    Io,
    /// An option or `BOOKENRICH_*` environment variable is invalid.
    Config,
    /// A catalogue lookup failed as a whole.
    SourceFailed,
    /// The response cache could not be opened, read or written.
    Cache,
    /// The work was cancelled through an `AbortSignal`.
    Aborted,
    /// A bug in bookenrich (a Rust panic, or a core error the binding does not know).
    Internal,
}

impl Code {
    /// The string JavaScript sees in `error.code`.
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Self::MissingColumns => "MISSING_COLUMNS",
            Self::NotAnExport => "NOT_AN_EXPORT",
            Self::InvalidCsv => "INVALID_CSV",
            Self::InvalidInput => "INVALID_INPUT",
            Self::InvalidDashboard => "INVALID_DASHBOARD",
            Self::Io => "IO",
            Self::Config => "CONFIG",
            Self::SourceFailed => "SOURCE_FAILED",
            Self::Cache => "CACHE",
            Self::Aborted => "ABORTED",
            Self::Internal => "INTERNAL",
        }
    }
}

impl AsRef<str> for Code {
    fn as_ref(&self) -> &str {
        self.as_str()
    }
}

impl fmt::Display for Code {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A value of an extra property on the JS error: the core's [`Detail`].
pub(crate) use bookenrich_core::error::Detail;

/// An error on its way to JavaScript: a code, a message with the cause chain, and details.
// `pub` (not `pub(crate)`): it is the `Error` of the `TryFrom` impls of the exported JS types.
#[derive(Debug, Clone, PartialEq)]
pub struct BindingError {
    /// The stable code.
    pub(crate) code: Code,
    /// The message, cause chain included.
    pub(crate) message: String,
    /// Extra properties set on the JS error object, in this order.
    pub(crate) details: Vec<(&'static str, Detail)>,
}

/// `Result` with a [`BindingError`].
pub(crate) type Result<T, E = BindingError> = std::result::Result<T, E>;

impl BindingError {
    /// An error with `code` and `message` and no details.
    pub(crate) fn new(code: Code, message: impl Into<String>) -> Self {
        Self { code, message: message.into(), details: Vec::new() }
    }

    /// An [`Code::InvalidInput`] error.
    pub(crate) fn invalid_input(message: impl Into<String>) -> Self {
        Self::new(Code::InvalidInput, message)
    }

    /// The error of an aborted enrichment.
    pub(crate) fn aborted() -> Self {
        Self::new(Code::Aborted, "the operation was aborted")
    }

    /// The JS `Error` object for this error, wrapped so napi throws or rejects with it as is.
    ///
    /// Falls back to a plain napi error (same message, napi's code) only if the
    /// environment cannot create objects any more (it is shutting down).
    pub(crate) fn into_napi(self, env: Env) -> napi::Error {
        match self.to_js_object(&env) {
            Ok(obj) => napi::Error::from(obj.to_unknown()),
            Err(_) => {
                napi::Error::new(Status::GenericFailure, format!("{}: {}", self.code, self.message))
            }
        }
    }

    fn to_js_object<'env>(&self, env: &'env Env) -> napi::Result<Object<'env>> {
        let mut obj =
            env.create_error(napi::Error::new(Status::GenericFailure, self.message.clone()))?;
        obj.set("code", self.code.as_str())?;
        for (name, value) in &self.details {
            match value {
                Detail::Text(s) => obj.set(name, s.as_str())?,
                Detail::Number(n) => obj.set(name, js_number(*n))?,
                Detail::List(items) => obj.set(name, items.clone())?,
                // `Detail` is non-exhaustive: a new shape is shown as its debug text.
                other => obj.set(name, format!("{other:?}"))?,
            }
        }
        Ok(obj)
    }

    /// A panic payload as an [`Code::Internal`] error.
    pub(crate) fn from_panic(payload: &(dyn std::any::Any + Send)) -> Self {
        let what = panic_message(payload);
        Self::new(
            Code::Internal,
            format!("internal error in bookenrich (a Rust panic; please report it): {what}"),
        )
    }
}

impl fmt::Display for BindingError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.code, self.message)
    }
}

impl std::error::Error for BindingError {}

/// The code of each kind of core error: the binding's one table. The properties are
/// the core's [`CoreError::details`], under the same names (all one word, so camelCase
/// changes none of them).
fn code(kind: ErrorKind) -> Code {
    match kind {
        ErrorKind::Io => Code::Io,
        ErrorKind::NotAnExport => Code::NotAnExport,
        ErrorKind::MissingColumns => Code::MissingColumns,
        ErrorKind::InvalidCsv => Code::InvalidCsv,
        ErrorKind::Config => Code::Config,
        ErrorKind::SourceFailed => Code::SourceFailed,
        ErrorKind::Cache => Code::Cache,
        ErrorKind::InvalidDashboard => Code::InvalidDashboard,
        ErrorKind::Cancelled => Code::Aborted,
        // Serialising bookenrich's own values failed, or a kind this binding does not
        // know: both are bugs to report, not user mistakes.
        _ => Code::Internal,
    }
}

impl From<CoreError> for BindingError {
    fn from(e: CoreError) -> Self {
        if matches!(e, CoreError::Cancelled) {
            return Self::aborted();
        }
        Self { code: code(e.kind()), message: message_with_causes(&e), details: e.details() }
    }
}

#[cfg(test)]
mod tests {
    use bookenrich_core::sources::SourceError;

    use super::*;

    #[test]
    fn every_kind_has_its_code() {
        let codes: Vec<&str> = ErrorKind::ALL.iter().map(|k| code(*k).as_str()).collect();
        assert_eq!(
            codes,
            [
                "IO",
                "NOT_AN_EXPORT",
                "MISSING_COLUMNS",
                "INVALID_CSV",
                "CONFIG",
                "SOURCE_FAILED",
                "CACHE",
                "INVALID_DASHBOARD",
                "INTERNAL",
                "ABORTED"
            ]
        );
    }

    #[test]
    fn core_errors_map_to_stable_codes_and_details() {
        let e = BindingError::from(CoreError::MissingColumns {
            file: "lib.csv".into(),
            columns: vec!["Title".into(), "Author".into()],
        });
        assert_eq!(e.code.as_str(), "MISSING_COLUMNS");
        assert_eq!(e.message, "lib.csv: missing required column(s): Title, Author");
        assert_eq!(e.details[1], ("columns", Detail::List(vec!["Title".into(), "Author".into()])));

        let io = std::io::Error::new(std::io::ErrorKind::NotFound, "No such file or directory");
        let e = BindingError::from(CoreError::io("/nope.csv", io));
        assert_eq!(e.code, Code::Io);
        assert_eq!(e.message, "/nope.csv: No such file or directory");

        assert_eq!(BindingError::from(CoreError::Cancelled).code, Code::Aborted);
        assert_eq!(
            BindingError::from(CoreError::config("concurrency", "must be at least 1")).code,
            Code::Config
        );
    }

    #[test]
    fn source_errors_name_source_kind_and_url() {
        let se = SourceError::new(
            "google_books",
            bookenrich_core::sources::SourceErrorKind::QuotaExhausted,
            "HTTP 429",
        )
        .with_url("http://127.0.0.1:9/books/v1/volumes");
        let e = BindingError::from(CoreError::Source(se));
        assert_eq!(e.code, Code::SourceFailed);
        assert!(e.details.contains(&("kind", Detail::Text("quota_exhausted".into()))));
        assert!(
            e.details
                .contains(&("url", Detail::Text("http://127.0.0.1:9/books/v1/volumes".into())))
        );
    }

    #[test]
    fn the_cause_chain_is_in_the_message_once() {
        #[derive(Debug)]
        struct Outer(std::io::Error);
        impl fmt::Display for Outer {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("opening the cache")
            }
        }
        impl std::error::Error for Outer {
            fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
                Some(&self.0)
            }
        }
        let e = Outer(std::io::Error::other("disk full"));
        assert_eq!(message_with_causes(&e), "opening the cache: disk full");
    }

    #[test]
    fn panics_become_internal_errors_with_the_payload() {
        let payload: Box<dyn std::any::Any + Send> = Box::new("boom");
        let e = BindingError::from_panic(payload.as_ref());
        assert_eq!(e.code, Code::Internal);
        assert!(e.message.ends_with("boom"));
    }
}
