//! ISBN handling: checking ISBN-10/13 values and cleaning the export's `="…"` cells.

use std::hint::black_box;

use bookenrich_benches::library::isbn_inputs;
use bookenrich_core::Isbn;
use bookenrich_core::csv::clean_isbn;
use criterion::{Criterion, Throughput};

/// ISBNs per iteration: a big library's worth.
const COUNT: usize = 10_000;

fn isbn(c: &mut Criterion) {
    let inputs = isbn_inputs(COUNT);
    let cells: Vec<String> = inputs.iter().map(|v| format!("=\"{v}\"")).collect();
    let mut group = c.benchmark_group("isbn");
    group.throughput(Throughput::Elements(COUNT as u64));
    group.bench_function("parse", |b| {
        b.iter(|| black_box(&inputs).iter().filter(|v| Isbn::parse(v).is_ok()).count());
    });
    group.bench_function("clean_export_cell", |b| {
        b.iter(|| black_box(&cells).iter().filter_map(|cell| clean_isbn(cell)).count());
    });
    group.bench_function("parse_and_convert_to_isbn10", |b| {
        b.iter(|| {
            black_box(&inputs)
                .iter()
                .filter_map(|v| Isbn::parse(v).ok())
                .filter_map(|i| i.to_isbn10())
                .count()
        });
    });
    group.finish();
}

bookenrich_benches::bench_main!(quick, isbn);
