#!/usr/bin/env bash
# AWS (deploy/aws): the Lambda handlers run end to end in moto (upload -> orchestrator -> Distributed
# Map of processors against the fake catalogue -> aggregator -> GET /data), compared with the CLI's
# dashboard; CDK synth + template tests (IAM, routes, state machine, bucket privacy); asl-validator
# on the synthesized definition; ruff and mypy --strict on the handlers, the CDK app and the tests.
# Needs Node >= 20 (jsii, asl-validator) and npm.
set -euo pipefail
ROOT="${ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}"
# The same triple and target directory as cargo, maturin and napi, so the build is shared (see test-all.sh).
export CARGO_BUILD_TARGET="${CARGO_BUILD_TARGET:-x86_64-unknown-linux-gnu}"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$ROOT/target}"
PYTHON="${PYTHON:-python3}"
# The python stage's virtualenv (scripts/ci/python.sh); created here the same way if absent.
VENV="$CARGO_TARGET_DIR/python-venv"
# No bytecode beside the sources, the linters' caches in the target directory: tests leave the checkout as they
# found it (test-all.sh checks).
export PYTHONDONTWRITEBYTECODE=1
export MYPY_CACHE_DIR="$CARGO_TARGET_DIR/mypy-cache/aws"
export RUFF_CACHE_DIR="$CARGO_TARGET_DIR/ruff-cache"

node -e '
  const major = Number(process.versions.node.split(".")[0])
  if (major < 20) { console.error(`aws: Node ${process.versions.node} is too old (the CDK needs >= 20)`); process.exit(1) }'

# The fake Open Library + Google Books server, and the CLI whose dashboard the workflow must equal.
cargo build --locked -p bookenrich-fake-catalogue --bin fake-catalogue -p bookenrich-cli --bin bookenrich
export BOOKENRICH_FAKE_CATALOGUE="$CARGO_TARGET_DIR/$CARGO_BUILD_TARGET/debug/fake-catalogue"
export BOOKENRICH_CLI="$CARGO_TARGET_DIR/$CARGO_BUILD_TARGET/debug/bookenrich"

if [[ ! -x "$VENV/bin/python" ]]; then
    "$PYTHON" -m venv "$VENV"
fi
PY="$VENV/bin/python"
# The package as the python stage installs it (dev profile, shared target: a no-op rebuild when that
# stage ran), reinstalled so that it is this checkout's and matches the CLI built above.
MATURIN_PEP517_ARGS="--profile dev --locked" \
    "$PY" -m pip install --quiet --disable-pip-version-check --force-reinstall --no-deps "$ROOT/bookenrich-py"
"$PY" -m pip install --quiet --disable-pip-version-check -r "$ROOT/deploy/aws/requirements-test.txt"

cd "$ROOT/deploy/aws"
# The fake catalogue's Python client (shared with bookenrich-py/tests) is linted with the tests.
"$PY" -m ruff check . ../../tests/fake-catalogue/python
"$PY" -m ruff format --check . ../../tests/fake-catalogue/python
"$PY" -m mypy --strict --ignore-missing-imports functions/bookenrich_aws infra/bookenrich_infra build_layer.py app.py
MYPYPATH=functions:infra:tests:../../tests/fake-catalogue/python:. "$PY" -m mypy --strict --ignore-missing-imports --explicit-package-bases tests
npm ci --no-audit --no-fund
export JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION=20
export BOOKENRICH_REQUIRE_ASL_VALIDATOR=1
"$PY" -m pytest -p no:cacheprovider tests
echo "aws: workflow in moto matches the CLI, template and definition checks passed"
