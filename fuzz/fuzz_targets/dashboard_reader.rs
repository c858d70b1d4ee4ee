//! The dashboard JSON reader (used by `bookenrich report`) on arbitrary bytes.
#![no_main]

use bookenrich_core::Dashboard;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(dashboard) = Dashboard::from_json_slice(data, "<fuzz>") else {
        return;
    };
    // What was read can be written, and reads back the same.
    let written = dashboard.to_json_string().unwrap_or_else(|e| panic!("cannot write back: {e}"));
    let again = Dashboard::from_json_slice(written.as_bytes(), "<written>")
        .unwrap_or_else(|e| panic!("written dashboard does not read back: {e}"));
    assert_eq!(again, dashboard);
});
