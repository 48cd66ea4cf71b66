#!/usr/bin/env bash
# The year replay end to end through the command-line tool, and its peak memory:
#
#   benches/replay_year.sh [BINARY]    (default: target/release/batch-autoscale; build it with
#                                       `cargo build --release` first)
#
# Writes the year of 30-second samples with benches/year_csv.py (once, into
# ${YEAR_CSV_DIR:-target/year-csv}), then times with hyperfine (min of 10 runs, as the machine
# may be shared) and measures peak memory with /usr/bin/time -v:
#   replay examples/task-based.formula -m year-wide.csv --interval PT5M --format json
#   the same over year-long.csv, and with --format csv
#   the same with one evaluation only (--start = --end = the first sample): the ingest.
set -euo pipefail
cd "$(dirname "$0")/.."
bin=${1:-${CARGO_TARGET_DIR:-target}/release/batch-autoscale}
dir=${YEAR_CSV_DIR:-${CARGO_TARGET_DIR:-target}/year-csv}
[ -f "$dir/year-long.csv" ] || python3 benches/year_csv.py "$dir"
first=2025-01-01T00:00:00Z
run="$bin replay examples/task-based.formula --interval PT5M"
commands=(
  "$run -m $dir/year-wide.csv --format json"
  "$run -m $dir/year-long.csv --format json"
  "$run -m $dir/year-wide.csv --format csv"
  "$run -m $dir/year-wide.csv --format json --start $first --end $first"
)
hyperfine -N --warmup 1 --runs "${RUNS:-10}" --output=null "${commands[@]}" --export-json "$dir/hyperfine.json" >/dev/null
python3 - "$dir/hyperfine.json" <<'PY'
import json, sys
for r in json.load(open(sys.argv[1]))["results"]:
    print(f"min {r['min']*1000:7.1f} ms  median {r['median']*1000:7.1f} ms  user+sys (mean) {(r['user']+r['system'])*1000:6.1f} ms  {r['command']}")
PY
for c in "${commands[@]}"; do
  /usr/bin/time -f "peak %M KB  $c" $c >/dev/null 2>"$dir/time.txt" || true
  tail -1 "$dir/time.txt"
done
