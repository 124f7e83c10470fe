#!/bin/bash
# vmaf-logs benchmark: 10,000 per-clip libvmaf 3.x JSON logs (300 frames x
# 20 metrics each) -> one per-clip Parquet table, --jobs 2. The logs are
# generated once into a scratch folder under /tmp (never committed; removed
# afterwards unless SIGMIX_BENCH_KEEP=1). Runs sigmix twice (the first run
# also warms the page cache) and a Python json+numpy baseline on a subset,
# extrapolated. Reports figures; never fails on timing.
set -u
build=${1:-build}
src=$(cd "$(dirname "$0")/../.." && pwd)
S=$build/sigmix
N=${SIGMIX_VMAFLOGS_N:-10000}
SUB=${SIGMIX_VMAFLOGS_PY_SUBSET:-500}
dir=${SIGMIX_VMAFLOGS_DIR:-/tmp/sigmix-vmaflogs-bench}
PY=
for cand in /usr/bin/python3 python3; do
    command -v "$cand" >/dev/null 2>&1 && { PY=$cand; break; }
done
[ -n "$PY" ] || { echo "vmaflogs: no python3 to generate logs; skipped"; exit 0; }
if [ "$(ls "$dir/logs" 2>/dev/null | wc -l)" -ne "$N" ]; then
    rm -rf "$dir"
    mkdir -p "$dir"
    "$PY" "$src/tests/vmaflog/gen_logs.py" --bench "$dir/logs" "$N" || exit 1
fi
bytes=$(du -sb "$dir/logs" | cut -f1)
mb=$(awk -v b="$bytes" 'BEGIN { printf "%.0f", b / 1e6 }')
echo "  $N logs, $mb MB (300 frames x 20 metrics each)"
for run in 1 2; do
    /usr/bin/time -f "%e %U %S" -o "$dir/time" \
        "$S" vmaf-logs "$dir/logs" --jobs 2 -o "$dir/out.parquet" 2>"$dir/err" \
        || { cat "$dir/err"; exit 1; }
    read -r wall user sys <"$dir/time"
    awk -v w="$wall" -v u="$user" -v s="$sys" -v mb="$mb" -v r="$run" 'BEGIN {
        printf "  sigmix run %d: %.2f s wall (%.2f s user + %.2f s sys), %.0f MB/s\n",
               r, w, u, s, mb / w }'
done
tail -1 "$dir/err" | sed 's/^/  /'
if "$PY" -c 'import numpy' 2>/dev/null; then
    ls "$dir/logs"/*.json | head -n "$SUB" >"$dir/subset"
    out=$(xargs "$PY" "$src/bench/vmaflogs/baseline.py" <"$dir/subset")
    secs=${out##*seconds=}
    awk -v s="$secs" -v n="$SUB" -v N="$N" -v w="$wall" 'BEGIN {
        printf "  python json+numpy: %.2f s for %d logs (one core), ~%.0f s for %d extrapolated; sigmix %.0fx faster\n",
               s, n, s * N / n, N, (s * N / n) / w }'
else
    echo "  python json+numpy baseline skipped: no numpy"
fi
[ "${SIGMIX_BENCH_KEEP:-0}" = 1 ] || rm -rf "$dir"
