#!/usr/bin/env bash
# Python: the bookenrich package installed from the checkout (`pip install ./bookenrich-py`) into a
# fresh virtualenv under the target directory, then pytest (warnings are errors), mypy's stubtest on
# the native module's stubs, and mypy --strict on the package and the tests.
set -euo pipefail
ROOT="${ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}"
# The same triple and target directory as cargo and napi, so the build is shared (see test-all.sh).
export CARGO_BUILD_TARGET="${CARGO_BUILD_TARGET:-x86_64-unknown-linux-gnu}"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$ROOT/target}"
PYTHON="${PYTHON:-python3}"
VENV="$CARGO_TARGET_DIR/python-venv"
# No bytecode beside the sources, mypy's cache in the target directory, no pytest cache: tests leave the
# checkout as they found it (test-all.sh checks).
export PYTHONDONTWRITEBYTECODE=1
export MYPY_CACHE_DIR="$CARGO_TARGET_DIR/mypy-cache/python"

"$PYTHON" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 9) else "python: bookenrich needs Python >= 3.9")'

# The fake Open Library + Google Books server the enrichment tests start.
cargo build --locked -p bookenrich-fake-catalogue --bin fake-catalogue
export BOOKENRICH_FAKE_CATALOGUE="$CARGO_TARGET_DIR/$CARGO_BUILD_TARGET/debug/fake-catalogue"

rm -rf "$VENV"
"$PYTHON" -m venv "$VENV"
PY="$VENV/bin/python"
"$PY" -m pip install --quiet --disable-pip-version-check "pytest==9.2.0" "mypy==2.4.1"

# The user's install path: PEP 517 through maturin. The dev profile (and the exported triple and
# target directory) reuse the dependencies the Rust stage built; release wheels are built as
# docs/python.md describes.
MATURIN_PEP517_ARGS="--profile dev --locked" \
    "$PY" -m pip install --quiet --disable-pip-version-check "$ROOT/bookenrich-py"

cd "$ROOT/bookenrich-py"
# Run from the installed package, not the source tree.
"$PY" -c 'import bookenrich, sys; p = bookenrich.__file__; sys.exit(0 if "site-packages" in p else f"python: imported {p}, not the installed package")'
"$PY" -m pytest -p no:cacheprovider -W error tests
# stubtest writes its mypy cache into the working directory whatever MYPY_CACHE_DIR says: a scratch one.
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
(cd "$scratch" && "$PY" -m mypy.stubtest bookenrich._bookenrich)
"$PY" -m mypy --strict tests
(cd python && "$PY" -m mypy --strict bookenrich)

# The package claims CPython >= 3.9 (an abi3-py39 extension), but no 3.9 interpreter can be installed
# here (Debian bookworm has 3.11; the registries ship no CPython 3.9) and the pinned test tools need
# >= 3.10. So the claim is checked without one: the Python sources use nothing newer than 3.9
# (vermin), and the wheel's extension uses only the stable ABI of 3.9 (abi3audit).
"$PY" -m pip install --quiet --disable-pip-version-check "vermin==1.9.2" "abi3audit==0.0.26"
"$VENV/bin/vermin" --no-tips --violations -t=3.9- python/bookenrich
MATURIN_PEP517_ARGS="--profile dev --locked" \
    "$PY" -m pip wheel --quiet --disable-pip-version-check --no-deps -w "$scratch/wheels" "$ROOT/bookenrich-py"
"$PY" -m abi3audit --strict --report "$scratch"/wheels/bookenrich-*-cp39-abi3-*.whl
echo "python: package installed from the checkout, tests passed, stubs match the extension"
