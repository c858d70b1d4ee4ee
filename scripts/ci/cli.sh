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
