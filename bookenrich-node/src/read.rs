//! `readGoodreadsCsv`: reading an export from a path or from bytes.

use bookenrich_core::csv::{Export, ReadOptions, read_export_bytes, read_export_path};
use napi::Env;
use napi::bindgen_prelude::{Either, PromiseRaw, Uint8Array};
use napi_derive::napi;

use crate::book::GoodreadsExport;
use crate::error::{BindingError, Result};
use crate::guard;

/// Options of `readGoodreadsCsv`.
#[napi(object)]
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ReadCsvOptions {
    /// Keep every row, not only read books (default `false`).
    pub include_unread: Option<bool>,
    /// Stop after this many books have been kept.
    pub limit: Option<u32>,
    /// Largest accepted cell in bytes (default 1 MiB); a row with a larger cell is reported as a problem.
    pub max_field_bytes: Option<u32>,
}

impl From<ReadCsvOptions> for ReadOptions {
    fn from(o: ReadCsvOptions) -> Self {
        let defaults = ReadOptions::default();
        Self {
            include_unread: o.include_unread.unwrap_or(defaults.include_unread),
            limit: o.limit.map(|l| l as usize),
            max_field_bytes: o.max_field_bytes.map_or(defaults.max_field_bytes, |b| b as usize),
        }
    }
}

/// Where an export comes from.
pub(crate) enum Input {
    Path(String),
    Bytes(Vec<u8>),
}

impl Input {
    /// Takes the JS argument; the bytes are copied, as the caller may reuse its buffer once we return.
    pub(crate) fn from_js(path_or_bytes: Either<String, Uint8Array>) -> Self {
        match path_or_bytes {
            Either::A(path) => Self::Path(path),
            Either::B(bytes) => Self::Bytes(bytes.to_vec()),
        }
    }

    /// Reads the export (blocking: call it on a worker thread).
    pub(crate) fn read(&self, options: &ReadOptions) -> Result<Export> {
        match self {
            Self::Path(path) if path.is_empty() => {
                Err(BindingError::invalid_input("the path is empty"))
            }
            Self::Path(path) => Ok(read_export_path(path, options)?),
            Self::Bytes(bytes) => Ok(read_export_bytes(bytes, options)?),
        }
    }
}

/// Reads a Goodreads library export from a file path or from its bytes (a `Buffer` or `Uint8Array`).
///
/// Resolves to the books and the rows that could not be used; rejects with code
/// `MISSING_COLUMNS`, `NOT_AN_EXPORT`, `INVALID_CSV` or `IO`.
#[napi(ts_return_type = "Promise<GoodreadsExport>")]
pub fn read_goodreads_csv(
    env: &Env,
    path_or_bytes: Either<String, Uint8Array>,
    options: Option<ReadCsvOptions>,
) -> napi::Result<PromiseRaw<'_, GoodreadsExport>> {
    let input = Input::from_js(path_or_bytes);
    let options = ReadOptions::from(options.unwrap_or_default());
    // Every failure, a bad argument included, rejects the Promise.
    guard::promise(env, async move {
        guard::blocking(move || -> Result<GoodreadsExport> { Ok(input.read(&options)?.into()) })
            .await
    })
}
