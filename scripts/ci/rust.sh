#!/usr/bin/env bash
# Rust: formatting, lints, every test of the workspace, rustdoc (warnings are errors).
set -euo pipefail
cd "$ROOT"
cargo fmt --all -- --check
cargo clippy --workspace --all-targets --locked -- -D warnings
cargo test --workspace --locked
# The core as a dependency with default-features = false (no reqwest, no SQLite) must build and pass.
cargo test -p bookenrich-core --no-default-features --locked
RUSTDOCFLAGS="-D warnings" cargo doc --workspace --no-deps --locked -q
