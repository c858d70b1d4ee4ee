//! Aggregation and dashboard writing: merging results into books by id, the summary,
//! and the pretty-printed JSON the dashboard reads.

use std::hint::black_box;
use std::io;

use bookenrich_benches::fixtures::raw_subject_lists;
use bookenrich_benches::library::{bench_sizes, books, enrichment_results};
use bookenrich_core::genres::GenreNormalizer;
use bookenrich_core::{DashboardOptions, build_dashboard, write_dashboard_json};
use criterion::{BenchmarkId, Criterion, Throughput};

/// Counts bytes written and drops them, so writing is timed without a growing buffer.
struct CountingSink(u64);

impl io::Write for CountingSink {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.0 += buf.len() as u64;
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

fn dashboard(c: &mut Criterion) {
    let lists = raw_subject_lists().unwrap_or_else(|e| panic!("fixtures do not parse: {e}"));
    let normalizer = GenreNormalizer::default();
    // Fixed id and time: every iteration builds the same document.
    let options = DashboardOptions {
        export_id: Some("00000000-0000-4000-8000-000000000000".to_owned()),
        timestamp: Some(chrono_epoch()),
        ..DashboardOptions::default()
    };
    let mut group = c.benchmark_group("dashboard");
    for rows in bench_sizes() {
        let books = books(rows).unwrap_or_else(|e| panic!("generated export: {e}"));
        let results = enrichment_results(&books, &lists, &normalizer);
        let mut sink = CountingSink(0);
        build_dashboard(&books, &results, &options)
            .write_json(&mut sink)
            .unwrap_or_else(|e| panic!("dashboard JSON: {e}"));
        let json_bytes = sink.0;

        group.throughput(Throughput::Elements(rows));
        group.bench_with_input(BenchmarkId::new("build", rows), &rows, |b, _| {
            b.iter(|| build_dashboard(black_box(&books), black_box(&results), &options));
        });
        let built = build_dashboard(&books, &results, &options);
        group.throughput(Throughput::ElementsAndBytes { elements: rows, bytes: json_bytes });
        group.bench_with_input(BenchmarkId::new("write_json", rows), &rows, |b, _| {
            b.iter(|| {
                let mut sink = CountingSink(0);
                built.write_json(&mut sink).unwrap_or_else(|e| panic!("dashboard JSON: {e}"));
                sink.0
            });
        });
        group.bench_with_input(BenchmarkId::new("build_and_write", rows), &rows, |b, _| {
            b.iter(|| {
                let mut sink = CountingSink(0);
                build_dashboard(black_box(&books), black_box(&results), &options)
                    .write_json(&mut sink)
                    .unwrap_or_else(|e| panic!("dashboard JSON: {e}"));
                sink.0
            });
        });
        group.bench_with_input(BenchmarkId::new("streamed_write", rows), &rows, |b, _| {
            b.iter(|| {
                let mut sink = CountingSink(0);
                write_dashboard_json(black_box(&books), black_box(&results), &options, &mut sink)
                    .unwrap_or_else(|e| panic!("dashboard JSON: {e}"));
                sink.0
            });
        });
    }
    group.finish();
}

fn chrono_epoch() -> chrono::DateTime<chrono::Utc> {
    chrono::DateTime::<chrono::Utc>::UNIX_EPOCH
}

bookenrich_benches::bench_main!(library, dashboard);
