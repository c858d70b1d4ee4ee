//! `bookenrich report`: a dashboard JSON → one self-contained HTML page with the reading charts.
//!
//! The page needs no network: its stylesheet, script and data are inline and its charts are SVG
//! drawn by that script. Only the cover thumbnails are remote images (`--no-covers` leaves them out).

mod data;
mod html;
mod plain_text;

use std::ffi::OsString;
use std::fs::File;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use bookenrich_core::{Dashboard, Error};

use crate::exit::{Code, Failure};
use data::{DataOptions, ReportData};

/// Arguments of `report`.
#[derive(Debug, clap::Args)]
pub(crate) struct ReportArgs {
    /// The dashboard JSON written by `bookenrich enrich`.
    pub dashboard: PathBuf,
    /// Where to write the HTML page.
    #[arg(short, long, default_value = "report.html")]
    pub output: PathBuf,
    /// Leave the cover images out, so that opening the page contacts no cover host.
    #[arg(long)]
    pub no_covers: bool,
}

/// Runs `report`.
pub(crate) fn run(args: &ReportArgs) -> Result<ExitCode, Failure> {
    let dashboard = Dashboard::from_path(&args.dashboard).map_err(|e| Failure::input(&e))?;
    let data = ReportData::from_dashboard(&dashboard, DataOptions { no_covers: args.no_covers });
    let page = html::render_page(&data)
        .map_err(|e| Failure::new(Code::Internal, format!("cannot encode the report data: {e}")))?;
    write_atomically(&args.output, page.as_bytes()).map_err(|e| Failure::output(&e))?;
    eprintln!(
        "bookenrich: wrote {} ({} books, {} read, {} covers)",
        args.output.display(),
        data.books.len(),
        data.headline.books_read,
        data.covers.len()
    );
    Ok(ExitCode::SUCCESS)
}

/// Writes `bytes` to a temporary file beside `path` and renames it into place, so a failed run
/// never leaves half a page behind.
fn write_atomically(path: &Path, bytes: &[u8]) -> Result<(), Error> {
    let mut tmp_name =
        path.file_name().map_or_else(|| OsString::from("report.html"), OsString::from);
    tmp_name.push(".tmp");
    let tmp = path.with_file_name(tmp_name);
    let result = File::create(&tmp)
        .and_then(|mut f| f.write_all(bytes).and_then(|()| f.sync_all()))
        // Named by the output the user asked for, not by the temporary file.
        .map_err(|e| Error::io(path, e))
        .and_then(|()| std::fs::rename(&tmp, path).map_err(|e| Error::io(path, e)));
    if result.is_err() {
        // Best effort: the error that matters is the one returned.
        let _ = std::fs::remove_file(&tmp);
    }
    result
}
