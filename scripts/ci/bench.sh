#!/usr/bin/env bash
# Benchmarks, in a quick mode so they cannot rot: every criterion benchmark runs once
# (criterion's test mode, on a 1,000-book library), then pipeline-bench and the
# end-to-end driver run on tiny libraries against the fake catalogue server.
# Nothing here fails on timing; a benchmark that panics, or a job that fails or writes
# a wrong dashboard, fails the stage. Full runs: see docs/performance.md.
set -euo pipefail
ROOT="${ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}"
cd "$ROOT"
export BOOKENRICH_BENCH_SIZES="${BOOKENRICH_BENCH_SIZES:-1000}"

# `cargo test --benches` runs each criterion benchmark once, without measuring.
cargo test -p bookenrich-benches --benches --locked

cargo build -p bookenrich-cli -p bookenrich-benches --bins --locked
target="${CARGO_TARGET_DIR:-$ROOT/target}"
bin="$target/${CARGO_BUILD_TARGET:+$CARGO_BUILD_TARGET/}debug"

"$bin/pipeline-bench" --rows 2000 --runs 1

# The Python stage's virtualenv has the package installed; else the driver tries python3.
python="$target/python-venv/bin/python"
[[ -x $python ]] || python=python3

# Every scenario once, small: clients that are not built are skipped with a message.
"$bin/e2e-bench" --bookenrich "$bin/bookenrich" --python "$python" \
    --scenarios curve,limits,pipeline,offline,import \
    --latency-ms 5 --concurrency 1,8 --books-per-slot 5 --curve-min-books 20 \
    --limit-books 20 --scale 100 --pipeline-rows 2000 --runs 1
