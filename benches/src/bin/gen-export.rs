//! `gen-export ROWS [SEED] > export.csv`: writes a realistic Goodreads export.

use std::io::{self, BufWriter, Write};
use std::process::ExitCode;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some(rows) = args.first().and_then(|r| r.parse::<u64>().ok()) else {
        eprintln!("usage: gen-export ROWS [SEED] > export.csv");
        return ExitCode::from(2);
    };
    let seed = args.get(1).and_then(|s| s.parse().ok()).unwrap_or(42);
    let stdout = io::stdout();
    let mut out = BufWriter::with_capacity(1 << 16, stdout.lock());
    match bookenrich_benches::generate::write_export(&mut out, rows, seed)
        .and_then(|()| out.flush())
    {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("gen-export: {e}");
            ExitCode::FAILURE
        }
    }
}
