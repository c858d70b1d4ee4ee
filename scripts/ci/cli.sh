#!/usr/bin/env bash
# CLI stage: the README's main command on the example library, and the HTML report in headless Chromium.
# Each part is its own block; a failing command fails the stage (set -e).
set -euo pipefail
ROOT="${ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}"
cd "$ROOT"

# ---------------------------------------------------------------------------------------------
# HTML report (`bookenrich report`)
# The page renders in headless Chromium with no console message, its script finishes and every
# chart holds the expected data points (bookenrich-cli/tests/report_browser.rs, #[ignore]d in a
# plain `cargo test` because it needs Chromium), plus the browser-free page checks (report_html.rs).
# ---------------------------------------------------------------------------------------------
if [[ -z "${CHROMIUM:-}" && ! -x /usr/bin/chromium ]]; then
    echo "cli: installing chromium for the report test"
    sudo=""
    [[ $(id -u) -eq 0 ]] || sudo="sudo"
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends chromium
fi
cargo test -p bookenrich-cli --locked --test report_html --test report_browser -- --include-ignored
# ------------------------------------------------------------------------------ end HTML report

# ---------------------------------------------------------------------------------------------
# The README's first command, exactly as a newcomer types it: the example library enriched offline
# from the bundled cache snapshot must give a dashboard with genres. It runs in a scratch directory
# holding a copy of examples/, so its relative paths resolve there and its dashboard.json never
# lands on (or replaces) the user's. The scratch directory is under target/ (ignored build output)
# because cargo finds the workspace by walking up from the working directory: the command then
# builds exactly what it builds for the user, in the same target directory.
# ---------------------------------------------------------------------------------------------
readme_command=$(grep -m1 -E '^cargo run --release -p bookenrich-cli -- enrich ' README.md)
echo "cli: $readme_command"
mkdir -p "$ROOT/target"
scratch=$(mktemp -d "$ROOT/target/readme-command.XXXXXX")
trap 'rm -rf "$scratch"' EXIT
cp -R examples "$scratch/examples"
(cd "$scratch" && bash -euo pipefail -c "$readme_command")
diff -r examples "$scratch/examples" >&2 || { echo "cli: the README command changed its copy of examples/ (the cache snapshot must be read-only offline)" >&2; exit 1; }
python3 - "$scratch/dashboard.json" examples/dashboard.json <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
books = d["books"]
with_genres = [b for b in books if b["genres"]]
assert len(books) == 16, len(books)
assert len(with_genres) >= 15, [b["title"] for b in books if not b["genres"]]
assert d["summary"]["genre_enriched_books"] == len(with_genres)

# examples/dashboard.json is what the command writes; only the export's id and time differ per run.
def stable(value):
    if isinstance(value, dict):
        return {k: stable(v) for k, v in value.items() if k not in ("export_id", "export_timestamp")}
    if isinstance(value, list):
        return [stable(v) for v in value]
    return value
committed = json.load(open(sys.argv[2]))
if stable(d) != stable(committed):
    changed = [b["title"] for b, c in zip(books, committed["books"]) if stable(b) != stable(c)]
    sys.exit(f"cli: examples/dashboard.json is not what the README command writes now (books that differ: "
             f"{changed or 'none; see summary/metadata'}); regenerate it with the README command")
print(f"cli: README command ok: {len(with_genres)}/{len(books)} books with genres, "
      f"{d['summary']['unique_genres']} distinct genres")
PY
# --------------------------------------------------------------------------- end README command
