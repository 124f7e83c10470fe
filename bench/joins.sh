#!/bin/bash
# Joins benchmark (make bench): 3 competitors' scores (150,000 keys each)
# joined onto a 150,000-row Parquet feature table with `sigmix
# second-opinion`, run once (the machine is shared); then, when
# python3-pandas is installed, the same join the Python tool's way on the
# JSONL copy of the table. Data is generated under /tmp and removed.
# Reports only; never fails on timing.
set -u
build=${1:-build}
cd "$(dirname "$0")/.."
sigmix=$(pwd)/$build/sigmix
rows=${SIGMIX_BENCH_ROWS:-150000}
[ -x "$sigmix" ] || { echo "bench joins: $sigmix not built"; exit 1; }
dir=$(mktemp -d /tmp/sigmix-bench-joins.XXXXXX)
trap 'rm -rf "$dir"' EXIT
awk -v n="$rows" -v dir="$dir" -f bench/joins/gen.awk
"$sigmix" cat "$dir/features.jsonl" -o "$dir/features.parquet" >/dev/null || {
    echo "bench joins: cannot write the Parquet feature table"; exit 1; }
echo "machine: $(nproc) cores; one run each; timings are noisy when other jobs run"
mb=$(du -cm "$dir"/dover.jsonl "$dir"/qalign.jsonl "$dir"/fastvqa.jsonl | tail -1 | cut -f1)
echo "features: $rows rows x 30 columns (Parquet $(du -m "$dir/features.parquet" | cut -f1) MB); scores: 3 x $rows keys (JSONL, $mb MB)"
t0=$(date +%s.%N)
"$sigmix" second-opinion --features "$dir/features.parquet" \
    --scores "$dir/dover.jsonl" --scores "$dir/qalign.jsonl" --scores "$dir/fastvqa.jsonl" \
    --out "$dir/out.parquet" --audit-json "$dir/audit.json" || { echo "bench joins: sigmix failed"; exit 1; }
t1=$(date +%s.%N)
printf 'sigmix second-opinion (Parquet in, Parquet out): %.3f s wall (goal <= 0.5 s)\n' \
    "$(echo "$t1 - $t0" | bc -l)"
t0=$(date +%s.%N)
"$sigmix" second-opinion --features "$dir/features.jsonl" \
    --scores "$dir/dover.jsonl" --scores "$dir/qalign.jsonl" --scores "$dir/fastvqa.jsonl" \
    --out "$dir/out.jsonl" || { echo "bench joins: sigmix failed"; exit 1; }
t1=$(date +%s.%N)
printf 'sigmix second-opinion (JSONL in, JSONL out):     %.3f s wall\n' "$(echo "$t1 - $t0" | bc -l)"
if python3 -c 'import pandas' 2>/dev/null; then
    s=$(python3 bench/joins/pandas_baseline.py "$dir/features.jsonl" "$dir/out_pandas.jsonl" \
        "$dir/dover.jsonl" "$dir/qalign.jsonl" "$dir/fastvqa.jsonl") &&
        echo "pandas baseline (JSONL in, JSONL out):          $s s wall" ||
        echo "pandas baseline: failed"
else
    echo "pandas baseline: skipped (python3-pandas not installed)"
fi
