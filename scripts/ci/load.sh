#!/usr/bin/env bash
# Under load: the concurrency-sensitive tests (processes sharing one cache, fault injection,
# cancellation, crash safety) once more while every core is saturated, so a test that only
# passes on an idle machine fails here and not at random on a busy CI machine.
#
# The load is stress-ng (Debian package, installed if missing) with two CPU hogs per core,
# or busy shell loops where it cannot be installed; it stops with this stage.
set -euo pipefail
ROOT="${ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}"
cd "$ROOT"
export CARGO_BUILD_TARGET="${CARGO_BUILD_TARGET:-x86_64-unknown-linux-gnu}"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$ROOT/target}"

tests=(-p bookenrich-core --test cache_processes --test faults --test engine
       -p bookenrich-cli --test crash)
# Built before the load starts: the load is for the tests, not for the compiler.
cargo test --locked "${tests[@]}" --no-run

if ! command -v stress-ng >/dev/null && command -v apt-get >/dev/null; then
    apt-get install -y -qq stress-ng >/dev/null 2>&1 \
        || { apt-get update -qq >/dev/null 2>&1 && apt-get install -y -qq stress-ng >/dev/null 2>&1; } \
        || true
fi
hogs=$(( 2 * $(nproc) ))
load=()
stop_load() { [[ ${#load[@]} -eq 0 ]] || kill "${load[@]}" 2>/dev/null || true; }
trap stop_load EXIT
if command -v stress-ng >/dev/null; then
    stress-ng --cpu "$hogs" --timeout 1200s --quiet &
    load+=($!)
    echo "load: stress-ng --cpu $hogs"
else
    for _ in $(seq "$hogs"); do
        (while :; do :; done) &
        load+=($!)
    done
    echo "load: $hogs busy shell loops (stress-ng could not be installed)"
fi

# Bounded: a hang under load fails the stage instead of the whole CI run's time limit.
timeout 1200 cargo test --locked "${tests[@]}"
echo "load: concurrency-sensitive tests passed with $hogs CPU hogs on $(nproc) cores"
