#!/usr/bin/env bash
# Instructions per evaluation of the docs' task-based formula (LANGUAGE.md §8.9) for each
# variant of benches/compare.rs, counted by valgrind's callgrind: the count for 2n evaluations
# minus the count for n, divided by n, so building the history and compiling cancel out.
# Repeatable on one machine whatever else it is doing; then the same for one `check` of the
# 8 KB formula and one language-server edit of it (variants check-8k, lsp-8k, n/1000 runs).
# Usage: benches/instructions.sh [n]
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-20000}
cargo bench --bench instructions --no-run 2>/dev/null
bin=$(cargo bench --bench instructions --no-run --message-format=json 2>/dev/null \
  | grep -o '"executable":"[^"]*instructions[^"]*"' | tail -1 | cut -d'"' -f4)
count() {
  valgrind --tool=callgrind --callgrind-out-file=/dev/null "$bin" "$1" "$2" 2>&1 \
    | sed -n 's/.*Collected : *\([0-9]*\).*/\1/p'
}
printf '%-16s %s\n' variant instructions/evaluation
declare -A per
for v in batch-autoscale hand-written rhai cel-interpreter; do
  m=$n
  [ "$v" = rhai ] || [ "$v" = cel-interpreter ] && m=$((n / 20))
  a=$(count "$v" "$m"); b=$(count "$v" $((2 * m)))
  per[$v]=$(((b - a) / m))
  printf '%-16s %d\n' "$v" "${per[$v]}"
done
for v in batch-autoscale rhai cel-interpreter; do
  printf '%-16s %s× the hand-written floor\n' "$v" "$(awk "BEGIN { printf \"%.2f\", ${per[$v]} / ${per[hand-written]} }")"
done
# The editor paths on benches/formulas/large.formula: one `check`, one LSP edit to diagnostics.
printf '%-16s %s\n' variant instructions/run
for v in check-8k lsp-8k; do
  m=$((n / 1000 > 0 ? n / 1000 : 1))
  a=$(count "$v" "$m"); b=$(count "$v" $((2 * m)))
  printf '%-16s %d\n' "$v" $(((b - a) / m))
done
