//! The genre normaliser on arbitrary subject strings: never panics, capped, idempotent.
#![no_main]

use bookenrich_core::genres::GenreNormalizer;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let raw: Vec<&str> = text.split('\n').collect();
    let normalizer = GenreNormalizer::default();
    let once = normalizer.normalize(&raw);
    assert!(once.len() <= normalizer.max_genres());
    let names: Vec<&str> = once.iter().map(|g| g.as_str()).collect();
    let twice = normalizer.normalize(&names);
    assert_eq!(twice, once, "normalising twice changed {raw:?}");
});
