//! Google Books responses (volume searches, volume records) through the real source.
#![no_main]

use bookenrich_core::sources::GoogleBooks;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    bookenrich_fuzz::run_source(&GoogleBooks::default(), data);
});
