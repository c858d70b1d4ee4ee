#!/usr/bin/env bash
# Runs every test of every language: the one command the README gives and .ci/run calls.
#
# It installs what it needs (Debian packages, Python and npm packages, cargo tools) and
# builds the workspace once: cargo, maturin and napi share one target directory and one
# target triple, so the Rust, Python and Node tests reuse the same build.
#
# Stages (each a script in scripts/ci/, run in this order; `STAGES="rust python" ./scripts/test-all.sh` picks some):
#   setup   toolchain components and system packages
#   rust    fmt, clippy (-D warnings), cargo test for the whole workspace, docs
#   python  the bookenrich wheel in a fresh virtualenv, pytest, stubtest
#   cli     the README's main command on the example library, HTML report in headless Chromium
#   load    the concurrency-sensitive and crash-safety tests again with every core saturated
#   node    the napi addon (release), node --test, tsc on the typed example
#   aws     moto workflow tests, CDK synth + template tests, asl-validator
#   fuzz    cargo-fuzz targets for a bounded time each
#   deny    cargo deny check licenses bans sources
#   bench   every benchmark once in quick mode (no timing assertions)
set -euo pipefail
cd "$(dirname "$0")/.."
export ROOT="$PWD"
export CARGO_TERM_COLOR="${CARGO_TERM_COLOR:-never}"
# One target triple for cargo, maturin and napi, so they share one build (see docs/development.md).
export CARGO_BUILD_TARGET="${CARGO_BUILD_TARGET:-x86_64-unknown-linux-gnu}"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$ROOT/target}"
# Every crate is built once per run, so incremental state (GBs of disk) would never be reused.
export CARGO_INCREMENTAL="${CARGO_INCREMENTAL:-0}"

ALL_STAGES="setup rust python cli load node aws bench fuzz deny"
STAGES="${STAGES:-$ALL_STAGES}"
start=$(date +%s)
for stage in $STAGES; do
    script="scripts/ci/$stage.sh"
    if [[ ! -f $script ]]; then
        echo "test-all: unknown stage '$stage' (no $script)" >&2
        exit 2
    fi
    echo "::: stage $stage ($(( $(date +%s) - start ))s elapsed; $(df -h --output=avail "$ROOT" 2>/dev/null | tail -1 | tr -d ' ') free on the target's disk)"
    bash "$script"
done
echo "::: all stages passed in $(( $(date +%s) - start ))s: $STAGES"
