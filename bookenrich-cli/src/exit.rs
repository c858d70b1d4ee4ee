//! Exit codes and the one-line failure every command ends with on unusable input.

use std::process::ExitCode;

use bookenrich_core::Error;

/// Text of `--help` that documents the exit codes.
pub const EXIT_CODES_HELP: &str = "\
Exit codes:
  0  success (row problems and books that could not be enriched are reported, not fatal)
  1  an unexpected internal error
  2  invalid command line or configuration
  3  the input cannot be used (missing file, not a Goodreads export, missing columns, unusable cache)
  4  the output could not be written
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
    /// Output not written.
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
pub struct Failure {
    /// The exit code.
    pub code: Code,
    /// One line, naming the file, field or URL at fault.
    pub message: String,
}

impl Failure {
    /// A failure with `code` and `message`.
    pub fn new(code: Code, message: impl Into<String>) -> Self {
        Self { code, message: message.into() }
    }

    /// A failure reading input.
    pub fn input(e: &Error) -> Self {
        let code = match e {
            Error::Config { .. } => Code::Usage,
            Error::Io { .. }
            | Error::NotAnExport { .. }
            | Error::MissingColumns { .. }
            | Error::Csv { .. }
            | Error::Dashboard { .. }
            | Error::Cache { .. } => Code::Input,
            _ => Code::Internal,
        };
        Self::new(code, one_line(e))
    }

    /// A failure writing output.
    pub fn output(e: &Error) -> Self {
        Self::new(Code::Output, one_line(e))
    }
}

/// The error and its causes on one line.
pub fn one_line(e: &(dyn std::error::Error + 'static)) -> String {
    let mut s = e.to_string();
    let mut cause = e.source();
    while let Some(c) = cause {
        let text = c.to_string();
        if !s.contains(&text) {
            s.push_str(": ");
            s.push_str(&text);
        }
        cause = c.source();
    }
    s.replace('\n', " ")
}
