#!/usr/bin/env bash
# The request planner's measured goals (issue #13, docs/performance.md "The request planner"):
# synthetic libraries of 100, 1,000 and 10,000 books (one in three without ISBN) against the fake
# catalogue at the published limits ×20 (Open Library 60 req/s, Google 20 req/s, server burst 2,
# 50 ms latency), through the CLI: the plan, a cold run without and with a Google key, a second
# run, and `union` for comparison (up to UNION_UP_TO books, default 1,000). Prints one JSON object per
# measurement.
#
#   benches/scripts/planner.sh [SIZES...]        (default: 100 1000 10000)
#
# Needs the CLI, the fake catalogue and e2e-bench built (cargo build -p bookenrich-cli
# -p bookenrich-fake-catalogue -p bookenrich-benches --bins); uses $CARGO_TARGET_DIR.
set -euo pipefail
cd "$(dirname "$0")/../.."
bin="${CARGO_TARGET_DIR:-target}/${CARGO_BUILD_TARGET:+$CARGO_BUILD_TARGET/}${PROFILE:-debug}"
scale=20
ol=$((3 * scale)); google=$((1 * scale))
work="$(mktemp -d)"
trap 'rm -rf "$work"; kill "${SERVER_PID:-0}" 2>/dev/null || true' EXIT

coproc SERVER { "$bin/fake-catalogue" --port 0 --synthetic --latency-ms 50 \
    --rate-limit "openlibrary=$ol/2" --rate-limit "google=$google/2" --google-daily-quota $((1000 * scale)); }
read -r line <&"${SERVER[0]}"
url="${line#listening on }"

stats() { curl -s "$url/__stats"; }
reset() { curl -s -X POST "$url/__reset" >/dev/null; }

# run LABEL CSV CACHE [extra args...]: one enrich, its summary, plan line and the server's view.
run() {
    local label=$1 csv=$2 cache=$3; shift 3
    reset
    local start end
    start=$(date +%s.%N)
    "$bin/bookenrich" enrich "$csv" --json-log -o "$work/out.json" \
        --open-library-url "$url" --google-books-url "$url" \
        --rate-limit "openlibrary=$ol" --rate-limit "google=$google" \
        --contact bench@bookenrich.invalid --cache "$cache" "$@" 2>"$work/log" >/dev/null
    end=$(date +%s.%N)
    # The server's stats go through a file: a union run's per-URL counts exceed the argument limit.
    stats > "$work/stats.json"
    python3 - "$label" "$work/log" "$start" "$end" "$work/stats.json" <<'PY'
import json, sys
label, log, start, end = sys.argv[1], sys.argv[2], float(sys.argv[3]), float(sys.argv[4])
stats = json.load(open(sys.argv[5]))
lines = [json.loads(l) for l in open(log) if l.startswith("{")]
summary = next(l for l in lines if l.get("event") == "summary")["run"]
plan = next((l["plan"] for l in lines if l.get("event") == "plan"), None)
books = summary["books"]
print(json.dumps({
    "run": label, "books": books, "wall_seconds": round(end - start, 2),
    "wall_seconds_unscaled": round((end - start) * 20, 1),
    "requests": summary["requests"], "requests_per_book": round(summary["requests"] / books, 4),
    "by_api": stats["requests_by_api"], "served_429": stats["served_429"],
    "with_genres": summary["with_genres"],
    "plan_expected": plan and plan["requests_expected"], "plan_max": plan and plan["requests_max"],
    "plan_seconds_unscaled": plan and round(plan["seconds_expected"] * 20, 1),
}))
PY
}

for n in "${@:-100 1000 10000}"; do
    for size in $n; do
        dir="$work/lib-$size"
        # The export: e2e-bench writes synthetic-$size.csv (one in three without ISBN) into --dir.
        "$bin/e2e-bench" --scenarios limits --clients cli --limit-books "$size" --isbn-less-every 3 \
            --scale 1000 --latency-ms 0 --dir "$dir" >/dev/null 2>&1 || true
        csv="$dir/synthetic-$size.csv"
        [[ -f $csv ]] || { echo "no export for $size books" >&2; exit 1; }
        run "planned, no key, cold" "$csv" "$work/c-$size-a"
        run "planned, no key, second" "$csv" "$work/c-$size-a"
        run "planned, key, cold" "$csv" "$work/c-$size-b" --google-api-key bench-key
        run "planned, key, second" "$csv" "$work/c-$size-b" --google-api-key bench-key
        # union asks Google for every book (about 1.7 requests each at 20/s): up to 1,000 books
        # by default, UNION_UP_TO=N for more.
        if (( size <= ${UNION_UP_TO:-1000} )); then
            run "union, key, cold" "$csv" "$work/c-$size-c" --google-api-key bench-key --merge union
            run "union, no key, cold" "$csv" "$work/c-$size-d" --merge union
        fi
    done
done
