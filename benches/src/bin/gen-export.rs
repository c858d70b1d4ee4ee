//! `gen-export ROWS [SEED] [--all-read] > export.csv`: writes a realistic Goodreads export.
//!
//! By default books are on every shelf (about 57 % read); with `--all-read` every book is
//! read (a heavy reader's library: every row kept and looked up) and is one of the fake
//! catalogue's synthetic books, one in ten without ISBN.

use std::io::{self, BufWriter, Write};
use std::process::ExitCode;

use bookenrich_benches::generate::{synthetic_books, write_export, write_export_of};

fn main() -> ExitCode {
    let mut args: Vec<String> = std::env::args().skip(1).collect();
    let all_read = args.iter().any(|a| a == "--all-read");
    args.retain(|a| a != "--all-read");
    let Some(rows) = args.first().and_then(|r| r.parse::<u64>().ok()) else {
        eprintln!("usage: gen-export ROWS [SEED] [--all-read] > export.csv");
        return ExitCode::from(2);
    };
    let seed = args.get(1).and_then(|s| s.parse().ok()).unwrap_or(42);
    let stdout = io::stdout();
    let mut out = BufWriter::with_capacity(1 << 16, stdout.lock());
    let written = if all_read {
        write_export_of(&mut out, &synthetic_books(rows, 10), seed)
    } else {
        write_export(&mut out, rows, seed)
    };
    match written.and_then(|()| out.flush()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("gen-export: {e}");
            ExitCode::FAILURE
        }
    }
}
