//! Throughput of the genre normaliser in CPU time, for a loaded machine where criterion's
//! wall-clock numbers say more about the neighbours than about the code. Ignored by default:
//! `cargo test --release -p bookenrich-core --test genre_speed -- --ignored --nocapture`.
#![allow(clippy::unwrap_used)] // Test helpers: a panic is a failure with its message.

use bookenrich_core::genres::GenreNormalizer;

/// CPU seconds this process has used so far (Linux `/proc/self/stat`, in clock ticks of 1/100 s).
fn cpu_seconds() -> f64 {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap();
    let fields: Vec<&str> = stat.rsplit_once(") ").unwrap().1.split(' ').collect();
    let ticks: f64 = fields[11].parse::<f64>().unwrap() + fields[12].parse::<f64>().unwrap();
    ticks / 100.0
}

#[test]
#[ignore = "a measurement, not a check: run it in release mode"]
fn subjects_per_cpu_second() {
    let text = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../tests/fixtures/genre_precision/books.json"),
    )
    .unwrap();
    let set: serde_json::Value = serde_json::from_str(&text).unwrap();
    let lists: Vec<Vec<String>> = set["books"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|b| b["sources"].as_array().unwrap().iter())
        .map(|s| {
            s["strings"]
                .as_array()
                .unwrap()
                .iter()
                .map(|x| x.as_str().unwrap().to_owned())
                .collect()
        })
        .collect();
    let per_pass: usize = lists.iter().map(Vec::len).sum();
    let n = GenreNormalizer::new();
    let (start, mut subjects, mut sink) = (cpu_seconds(), 0usize, 0usize);
    while cpu_seconds() - start < 5.0 {
        for l in &lists {
            sink += n.normalize(l).len();
        }
        subjects += per_pass;
    }
    let secs = cpu_seconds() - start;
    #[expect(clippy::cast_precision_loss, reason = "millions")]
    let rate = subjects as f64 / secs;
    println!(
        "{subjects} subjects in {secs:.2} CPU s: {:.2}M subjects per CPU second ({sink})",
        rate / 1e6
    );
}
