#!/usr/bin/env bash
# Toolchain components the other stages need.
set -euo pipefail
rustup component add rustfmt clippy >/dev/null 2>&1 || true
command -v cargo-fmt >/dev/null || { echo "setup: rustfmt is missing" >&2; exit 1; }
