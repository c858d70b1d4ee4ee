//! Genre normalisation of the catalogues' raw subject lists (from the recorded fixtures).

use std::hint::black_box;

use bookenrich_benches::fixtures::raw_subject_lists;
use bookenrich_benches::library::bench_sizes;
use bookenrich_core::genres::GenreNormalizer;
use criterion::{BenchmarkId, Criterion, Throughput};

fn genres(c: &mut Criterion) {
    let lists = raw_subject_lists().unwrap_or_else(|e| panic!("fixtures do not parse: {e}"));
    let normalizer = GenreNormalizer::default();
    let strings: usize = lists.iter().map(Vec::len).sum();

    let mut group = c.benchmark_group("genres");
    // One pass over every fixture list: the per-list cost, from 1 to 94 subjects.
    group.throughput(Throughput::Elements(strings as u64));
    group.bench_function("normalize_fixture_lists_per_subject", |b| {
        b.iter(|| {
            black_box(&lists).iter().map(|raw| normalizer.normalize(raw).len()).sum::<usize>()
        });
    });
    group.bench_function("explain_each_subject", |b| {
        b.iter(|| {
            black_box(&lists)
                .iter()
                .flatten()
                .map(|raw| normalizer.explain(raw).genres.len())
                .sum::<usize>()
        });
    });
    // A library: each book gets two sources' lists (Open Library's and Google's shape), cycled.
    for books in bench_sizes() {
        group.throughput(Throughput::Elements(books));
        group.bench_with_input(
            BenchmarkId::new("normalize_library_two_sources", books),
            &books,
            |b, &books| {
                b.iter(|| {
                    let mut total = 0usize;
                    for i in 0..usize::try_from(books).unwrap_or(0) {
                        let a = &lists[i % lists.len()];
                        let g = &lists[(i * 7 + 3) % lists.len()];
                        total += normalizer.normalize_sources(&[a, g]).len();
                    }
                    total
                });
            },
        );
    }
    group.finish();
}

bookenrich_benches::bench_main!(library, genres);
