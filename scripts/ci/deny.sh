#!/usr/bin/env bash
# Supply chain: the licences of every dependency, banned and duplicate crates, and that
# everything comes from crates.io (deny.toml). Runs offline. The advisory database needs
# the network, so `cargo deny check advisories` is a release step (docs/reliability.md).
set -euo pipefail
cd "$ROOT"
if ! command -v cargo-deny >/dev/null; then
    echo "deny: installing cargo-deny (a few minutes)"
    cargo install cargo-deny --locked --quiet
fi
# The main workspace and the separate fuzz workspace.
cargo deny --all-features --locked check --hide-inclusion-graph licenses bans sources
cargo deny --manifest-path fuzz/Cargo.toml --all-features --locked --config deny.toml check --hide-inclusion-graph licenses bans sources
