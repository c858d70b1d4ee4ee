#!/usr/bin/env bash
# Fuzz: every cargo-fuzz target for a bounded time, starting from the committed seed corpus.
# A crash, a failed assertion, a leak or a timeout in any target fails the stage (the
# reproducer is kept under fuzz/artifacts/<target>/).
#
#   FUZZ_SECONDS=25     time per target (default 25; the stage, build included, stays under ~8 min)
#   FUZZ_TARGETS="..."  the targets to run (default: all of them)
set -euo pipefail
cd "$ROOT"

seconds="${FUZZ_SECONDS:-25}"
targets="${FUZZ_TARGETS:-export_reader open_library google_books cache_record dashboard_reader genre_normalizer}"

if ! command -v cargo-fuzz >/dev/null; then
    echo "fuzz: installing cargo-fuzz"
    cargo install cargo-fuzz --locked --quiet
fi

# fuzz/ is its own workspace built with sanitizer flags: give it a target directory of
# its own, so neither build invalidates the other. cargo fuzz picks the target triple itself.
target_dir="${CARGO_TARGET_DIR:-$ROOT/target}/fuzz"
unset CARGO_BUILD_TARGET CARGO_TARGET_DIR
# `cargo fuzz` needs nightly-only flags (-Zsanitizer=address); only stable exists here.
export RUSTC_BOOTSTRAP=1

start=$(date +%s)
# The default build: optimised, with debug assertions and overflow checks, and AddressSanitizer.
(cd fuzz && cargo fuzz build --target-dir "$target_dir")
echo "fuzz: targets built in $(( $(date +%s) - start ))s"

# New inputs go to a scratch directory; the committed seeds are only read.
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
for target in $targets; do
    mkdir -p "$work/$target"
    echo "fuzz: $target for ${seconds}s"
    t0=$(date +%s)
    (cd fuzz && cargo fuzz run --target-dir "$target_dir" "$target" "$work/$target" "corpus/$target" -- \
        -max_total_time="$seconds" -rss_limit_mb=2048 -timeout=10 -print_final_stats=1 \
        2> "$work/$target.log") || {
        tail -n 60 "$work/$target.log" >&2
        echo "fuzz: $target FAILED (reproducer under fuzz/artifacts/$target/)" >&2
        exit 1
    }
    grep -E '^stat::(number_of_executed_units|peak_rss_mb|new_units_added)' "$work/$target.log" | tr '\n' ' '
    echo "($(( $(date +%s) - t0 ))s)"
done
# cargo fuzz makes fuzz/artifacts/<target>/ before every run; with nothing found they stay empty, and
# the checkout must be left as it was found (test-all.sh checks). A reproducer is never deleted.
find fuzz/artifacts -depth -type d -empty -delete 2>/dev/null || true
echo "fuzz: all targets passed in $(( $(date +%s) - start ))s"
