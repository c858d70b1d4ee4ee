//! How long criterion times the benchmarks in `benches/`: one policy, named per kind of work.

/// `criterion_main!` for one benchmark function, with the project's timing for its kind of work:
///
/// - `quick`: per-call work on a small input (an ISBN batch, one source lookup): 20 samples,
///   300 ms of warm-up, 1 s of measurement;
/// - `library`: work on whole generated libraries (1k to 100k books): 10 samples, 300 ms, 2 s;
/// - `samples = N, warm_up_ms = N, measure_secs = N`: a benchmark that needs its own.
///
/// It expands in the benchmark target, where criterion is a dev-dependency (this library does
/// not depend on it).
#[macro_export]
macro_rules! bench_main {
    (quick, $target:path) => {
        $crate::bench_main!(samples = 20, warm_up_ms = 300, measure_secs = 1, $target);
    };
    (library, $target:path) => {
        $crate::bench_main!(samples = 10, warm_up_ms = 300, measure_secs = 2, $target);
    };
    (samples = $samples:literal, warm_up_ms = $warm_up:literal, measure_secs = $measure:literal, $target:path) => {
        ::criterion::criterion_group! {
            name = benches;
            config = ::criterion::Criterion::default()
                .sample_size($samples)
                .warm_up_time(::std::time::Duration::from_millis($warm_up))
                .measurement_time(::std::time::Duration::from_secs($measure));
            targets = $target
        }
        ::criterion::criterion_main!(benches);
    };
}
