//! Reading a Goodreads export: CSV parsing, cell cleaning and book building, in bytes and books per second.

use std::hint::black_box;

use bookenrich_benches::library::{bench_sizes, export_bytes};
use bookenrich_core::csv::{ReadOptions, read_export_bytes};
use criterion::{BenchmarkId, Criterion, Throughput};

fn read_export(c: &mut Criterion) {
    let mut group = c.benchmark_group("read_export");
    // Unread books are kept so every row is turned into a book (the default reader
    // parses every row too, then drops unread ones).
    let options = ReadOptions { include_unread: true, ..ReadOptions::default() };
    for rows in bench_sizes() {
        let data = export_bytes(rows);
        group.throughput(Throughput::ElementsAndBytes { elements: rows, bytes: data.len() as u64 });
        group.bench_with_input(BenchmarkId::from_parameter(rows), &data, |b, data| {
            b.iter(|| {
                let export = read_export_bytes(black_box(data), &options)
                    .unwrap_or_else(|e| panic!("generated export does not read: {e}"));
                assert_eq!(export.books.len() as u64, rows);
                export
            });
        });
    }
    group.finish();
}

// Longer than `library` (500 ms of warm-up, 3 s of measurement), as this benchmark has always run.
bookenrich_benches::bench_main!(samples = 10, warm_up_ms = 500, measure_secs = 3, read_export);
