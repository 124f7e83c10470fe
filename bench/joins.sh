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
[ -x /usr/bin/time ] || sh tools/install-deps.sh time || { echo "bench joins: /usr/bin/time missing"; exit 1; }
dir=$(mktemp -d /tmp/sigmix-bench-joins.XXXXXX)
trap 'rm -rf "$dir"' EXIT
awk -v n="$rows" -v dir="$dir" -f bench/joins/gen.awk
"$sigmix" cat "$dir/features.jsonl" -o "$dir/features.parquet" >/dev/null || {
    echo "bench joins: cannot write the Parquet feature table"; exit 1; }
echo "machine: $(nproc) cores; one run each; timings are noisy when other jobs run"
mb=$(du -cm "$dir"/dover.jsonl "$dir"/qalign.jsonl "$dir"/fastvqa.jsonl | tail -1 | cut -f1)
echo "features: $rows rows x 30 columns (Parquet $(du -m "$dir/features.parquet" | cut -f1) MB); scores: 3 x $rows keys (JSONL, $mb MB)"
# timed: wall and CPU (user+sys) of one run
timed() {
    local label=$1
    shift
    /usr/bin/time -f "%e %U %S" -o "$dir/time.txt" "$@" > "$dir/cmd.out" || { echo "bench joins: $label failed"; return 1; }
    read -r wall user sys < "$dir/time.txt"
    printf '%-52s %6.2f s wall %6.2f s CPU\n' "$label" "$wall" "$(awk -v u="$user" -v s="$sys" 'BEGIN { print u + s }')"
}
scores=(--scores "$dir/dover.jsonl" --scores "$dir/qalign.jsonl" --scores "$dir/fastvqa.jsonl")
timed "sigmix second-opinion, Parquet in/out (goal <= 0.5 s):" \
    "$sigmix" second-opinion --features "$dir/features.parquet" "${scores[@]}" \
    --out "$dir/out.parquet" --audit-json "$dir/audit.json"
timed "sigmix cat, Parquet -> Parquet (for scale):" "$sigmix" cat "$dir/features.parquet" -o "$dir/copy.parquet"
timed "sigmix second-opinion, JSONL in/out:" \
    "$sigmix" second-opinion --features "$dir/features.jsonl" "${scores[@]}" --out "$dir/out.jsonl"
py=
for cand in python3 /usr/bin/python3; do
    "$cand" -c 'import pandas' 2>/dev/null && { py=$cand; break; }
done
if [ -n "$py" ]; then
    timed "pandas baseline (the Python tool's way), JSONL in/out:" "$py" bench/joins/pandas_baseline.py \
        "$dir/features.jsonl" "$dir/out_pandas.jsonl" "$dir/dover.jsonl" "$dir/qalign.jsonl" \
        "$dir/fastvqa.jsonl"
else
    echo "pandas baseline: skipped (python3-pandas not installed)"
fi
