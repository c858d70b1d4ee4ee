#!/usr/bin/env bash
# Runs every test of every language: the one command the README gives and .ci/run calls.
#
# Each stage installs what it needs and nothing outside the target directory but where noted:
# setup adds the rustfmt and clippy components; python and aws pip-install their pinned test tools
# into a virtualenv under the target directory; cli apt-installs chromium and load stress-ng when
# missing (root or sudo); release apt-installs rustc-web, libstd-rust-web-dev:arm64 (adding dpkg's arm64
# architecture) and qemu-user when missing; node and aws run `npm ci` (node_modules/); fuzz and deny `cargo install` cargo-fuzz and
# cargo-deny when missing. The workspace is built once: cargo, maturin and napi share one target
# directory and one target triple (.cargo/config.toml), so the Rust, Python and Node tests, and the
# README's `cargo run --release`, reuse the same build.
#
# Stages (each a script in scripts/ci/, run in this order; `STAGES="rust python" ./scripts/test-all.sh` picks some):
#   setup   the rustfmt and clippy components
#   rust    fmt, clippy (-D warnings), cargo test for the whole workspace, docs
#   python  the bookenrich package from the checkout in a fresh virtualenv, pytest, stubtest, mypy
#   cli     HTML report in headless Chromium, then the README's main command on a copy of the example
#   load    the concurrency-sensitive and crash-safety tests again with every core saturated
#   node    the napi addon (release), node --test, tsc on the typed example
#   aws     moto workflow tests, CDK synth + template tests, asl-validator
#   release packaging without publishing: workflows lint, cargo publish --dry-run, sdist, npm pack,
#           the aarch64 wheel and addon cross-built and run under qemu-user (docs/development.md)
#   bench   every benchmark once in quick mode (no timing assertions)
#   fuzz    cargo-fuzz targets for a bounded time each
#   deny    cargo deny check licenses bans sources
# At the end, the checkout must be as the run found it (build output aside), or the run fails.
set -euo pipefail
cd "$(dirname "$0")/.."
export ROOT="$PWD"
export CARGO_TERM_COLOR="${CARGO_TERM_COLOR:-never}"
# The triple .cargo/config.toml gives every build (this machine's), spelled out for the stages'
# paths to built binaries; one triple for cargo, maturin and napi (see docs/development.md).
export CARGO_BUILD_TARGET="${CARGO_BUILD_TARGET:-$(rustc -vV | sed -n 's/^host: //p')}"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$ROOT/target}"
# Every crate is built once per run, so incremental state (GBs of disk) would never be reused.
export CARGO_INCREMENTAL="${CARGO_INCREMENTAL:-0}"

# Tests write only to temporary directories: the run must leave the checkout byte for byte as it
# found it, apart from build output. The state is every tracked change plus every untracked or
# ignored path (ignored directories as one entry, as `git status --ignored=matching` lists them),
# each with a hash of its content; build output is left out.
BUILD_OUTPUT='^target/|(^|/)node_modules/|\.node$'
tree_state() {
    git -C "$ROOT" diff HEAD --binary | sha256sum | sed 's/-$/tracked changes/'
    git -C "$ROOT" status --porcelain=v1 -z --untracked-files=all --ignored=matching \
        | while IFS= read -r -d '' entry; do
            path="${entry:3}"
            [[ ${entry:0:2} == '??' || ${entry:0:2} == '!!' ]] || continue
            [[ $path =~ $BUILD_OUTPUT ]] && continue
            if [[ -d "$ROOT/$path" ]]; then
                (cd "$ROOT" && find "$path" -type f -print0 | sort -z | xargs -0 -r sha256sum)
                echo "$path (directory)"
            else
                (cd "$ROOT" && sha256sum "$path")
            fi
        done
}
in_git=false
git -C "$ROOT" rev-parse --verify -q HEAD >/dev/null 2>&1 && in_git=true
$in_git && tree_before=$(tree_state)

ALL_STAGES="setup rust python cli load node aws release bench fuzz deny"
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
if $in_git; then
    tree_after=$(tree_state)
    if [[ "$tree_after" != "$tree_before" ]]; then
        echo "test-all: the tests changed the checkout (they must write only to temporary directories):" >&2
        diff <(echo "$tree_before") <(echo "$tree_after") >&2 || true
        git -C "$ROOT" status --short --ignored=matching >&2
        exit 1
    fi
    echo "::: the checkout is unchanged (build output aside)"
fi
echo "::: all stages passed in $(( $(date +%s) - start ))s: $STAGES"
