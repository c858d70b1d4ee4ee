//! Exit codes and the one-line failure every command ends with on unusable input.

use std::process::ExitCode;

use bookenrich_core::Error;
use bookenrich_core::error::{ErrorKind, message_with_causes};

/// Text of `--help` that documents the exit codes.
pub(crate) const EXIT_CODES_HELP: &str = "\
Exit codes:
  0  success (row problems and books that could not be enriched are reported, not fatal)
  1  an unexpected internal error
  2  invalid command line or configuration
  3  the input cannot be used (missing file, not a Goodreads export, missing columns, unusable cache)
  4  the output could not be written: the dashboard (the previous file is kept), or answers
     the response cache could not save (the dashboard is written; the next run asks again)
  5  some books could not be enriched and --strict was given
  130 interrupted (Ctrl-C); no dashboard written";

/// A command's exit status other than success.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Code {
    /// Unexpected internal error.
    Internal = 1,
    /// Bad flags or configuration.
    Usage = 2,
    /// Unusable input.
    Input = 3,
    /// Output not written: the dashboard, or the cache's answers.
    Output = 4,
    /// Partial result under `--strict`.
    Incomplete = 5,
    /// Interrupted by Ctrl-C.
    Interrupted = 130,
}

impl From<Code> for ExitCode {
    fn from(code: Code) -> Self {
        ExitCode::from(code as u8)
    }
}

/// Why a command stopped: an exit code and a one-line reason.
#[derive(Debug)]
pub(crate) struct Failure {
    /// The exit code.
    pub code: Code,
    /// One line, naming the file, field or URL at fault.
    pub message: String,
}

impl Failure {
    /// A failure with `code` and `message`.
    pub(crate) fn new(code: Code, message: impl Into<String>) -> Self {
        Self { code, message: message.into() }
    }

    /// A failure reading input.
    pub(crate) fn input(e: &Error) -> Self {
        Self::new(input_code(e.kind()), one_line(e))
    }

    /// A failure writing output.
    pub(crate) fn output(e: &Error) -> Self {
        Self::new(Code::Output, one_line(e))
    }
}

/// The exit status of each kind of core error met while reading input: the command's one table.
fn input_code(kind: ErrorKind) -> Code {
    match kind {
        ErrorKind::Config => Code::Usage,
        ErrorKind::Io
        | ErrorKind::NotAnExport
        | ErrorKind::MissingColumns
        | ErrorKind::InvalidCsv
        | ErrorKind::InvalidDashboard
        | ErrorKind::Cache => Code::Input,
        ErrorKind::Cancelled => Code::Interrupted,
        // Serialising our own values failed, or a kind this command does not know: a bug.
        _ => Code::Internal,
    }
}

/// The error and its causes on one line.
pub(crate) fn one_line(e: &(dyn std::error::Error + 'static)) -> String {
    message_with_causes(e)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kind_has_its_exit_status() {
        let codes: Vec<(&str, u8)> =
            ErrorKind::ALL.iter().map(|k| (k.as_str(), input_code(*k) as u8)).collect();
        assert_eq!(
            codes,
            [
                ("io", 3),
                ("not_an_export", 3),
                ("missing_columns", 3),
                ("invalid_csv", 3),
                ("config", 2),
                ("source_failed", 1),
                ("cache", 3),
                ("invalid_dashboard", 3),
                ("json", 1),
                ("cancelled", 130)
            ]
        );
    }
}
