//! Open Library responses (Books API batches, searches, work records) through the real source.
#![no_main]

use bookenrich_core::sources::OpenLibrary;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    bookenrich_fuzz::run_source(&OpenLibrary::default(), data);
});
