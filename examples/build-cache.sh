#!/usr/bin/env bash
# Rebuilds examples/cache/, the offline cache snapshot of the example library.
#
# The answers come from the project's fake catalogue server, which serves the
# recorded real catalogue responses in tests/fixtures/ (see PROVENANCE.md) and,
# for the other books, records written in exactly the real response shapes
# (tests/fixtures/catalogue/*.json). No real catalogue is contacted. The key only lets
# the default plan ask (the fake) Google for the books Open Library leaves without genres.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build -q -p bookenrich-cli -p bookenrich-fake-catalogue
bin="${CARGO_TARGET_DIR:-target}/${CARGO_BUILD_TARGET:+$CARGO_BUILD_TARGET/}debug"

coproc SERVER { "$bin/fake-catalogue" --port 0 --catalogue tests/fixtures/catalogue/example_library.json; }
trap 'kill $SERVER_PID 2>/dev/null || true' EXIT
read -r line <&"${SERVER[0]}"
url="${line#listening on }"

rm -rf examples/cache && mkdir examples/cache
"$bin/bookenrich" enrich examples/goodreads_library_export.csv --include-unread \
    --open-library-url "$url" --google-books-url "$url" \
    --rate-limit openlibrary=50 --rate-limit google=50 \
    --contact "bookenrich-examples@users.noreply.github.com" \
    --google-api-key "any-key-the-fake-catalogue-accepts" \
    --cache examples/cache -o "$(mktemp)" --quiet
ls -l examples/cache
