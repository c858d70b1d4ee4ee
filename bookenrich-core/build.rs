//! Tells the unit tests whether the recorded catalogue responses are present.
//!
//! They are in the repository (`tests/data/`) but not in the published crate: most of them come
//! from projects under AGPL-3.0 or the Anti-Capitalist Software License (see
//! `tests/fixtures/PROVENANCE.md`), which the crate's MIT OR Apache-2.0 cannot carry. The unit
//! tests built on them are compiled only where they exist (`cfg(recorded_responses)`), so the
//! crate's tests also build and pass from the `.crate` file.

fn main() {
    println!("cargo::rustc-check-cfg=cfg(recorded_responses)");
    println!("cargo::rerun-if-changed=tests/data");
    if std::path::Path::new("tests/data").is_dir() {
        println!("cargo::rustc-cfg=recorded_responses");
    }
}
