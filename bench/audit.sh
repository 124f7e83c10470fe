#!/bin/bash
# Audit benchmark (make bench): generate the synthetic feature table at
# 30,000 and 150,000 rows as JSONL and CSV (under BUILD/bench-data, never
# committed), time `sigmix audit` on each (best of 3 wall, peak RSS from
# /usr/bin/time -v), then time the statistics phase alone. Reports only.
set -u
build=${1:-build}
cd "$(dirname "$0")/.."
sigmix=$build/sigmix
gen=$build/bench/audit/gen_audit_table
stats=$build/bench/audit/bench_audit_stats
data=$build/bench-data
runs=${SIGMIX_BENCH_RUNS:-3}
rows_list=${SIGMIX_BENCH_ROWS:-"30000 150000"}

for exe in "$sigmix" "$gen" "$stats"; do
    [ -x "$exe" ] || { echo "bench audit: $exe not built (run make build)"; exit 1; }
done
if [ ! -x /usr/bin/time ]; then
    sh tools/install-deps.sh time || { echo "bench audit: /usr/bin/time missing"; exit 1; }
fi
mkdir -p "$data"

# Generate once per size/format; the generator is deterministic.
for rows in $rows_list; do
    for ext in jsonl csv; do
        f=$data/audit_${rows}.$ext
        [ -s "$f" ] || "$gen" "$rows" "$f" || { echo "bench audit: cannot write $f"; exit 1; }
    done
done

echo "machine: $(nproc) cores; timings are noisy when other jobs run (best of $runs)"
printf '%-22s %9s %9s %12s %12s\n' "input" "rows" "MB" "wall best s" "peak RSS MB"
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
for rows in $rows_list; do
    for ext in jsonl csv; do
        f=$data/audit_${rows}.$ext
        best="" rss=""
        for _ in $(seq "$runs"); do
            /usr/bin/time -v "$sigmix" audit --input "$f" --out-json "$out/r.json" \
                --out-md "$out/r.md" >/dev/null 2>"$out/time" || { cat "$out/time"; continue; }
            w=$(awk -F': ' '/Elapsed \(wall clock\)/ {n = split($2, p, ":"); s = 0;
                for (i = 1; i <= n; i++) s = s * 60 + p[i]; print s}' "$out/time")
            m=$(awk -F': ' '/Maximum resident set size/ {printf "%.0f", $2 / 1024}' "$out/time")
            if [ -z "$best" ] || awk -v a="$w" -v b="$best" 'BEGIN {exit !(a < b)}'; then
                best=$w
            fi
            if [ -z "$rss" ] || [ "$m" -gt "$rss" ]; then
                rss=$m
            fi
        done
        mb=$(awk -v b="$(stat -c %s "$f")" 'BEGIN {printf "%.0f", b / 1048576}')
        printf '%-22s %9s %9s %12s %12s\n' "$(basename "$f")" "$rows" "$mb" "${best:-failed}" "${rss:-?}"
    done
done
echo "statistics phase alone (table already in memory):"
for rows in $rows_list; do
    "$stats" "$rows"
done
