#!/bin/bash
# vmaf-logs (make bench): 10,000 per-clip libvmaf 3.x JSON logs (300 frames
# x 20 metrics each, ~2.3 GB, tests/vmaflog/gen_logs.py --bench, kept in
# BENCH_DATA) to one per-clip Parquet table with --jobs 2, best of
# BENCH_RUNS (the first run also warms the page cache). Goal <= 3 s. Peer:
# the same pooling with Python json + numpy (bench/vmaflogs/baseline.py, as
# hand-written pipelines do it), run on a subset and extrapolated.
source "$(dirname "$0")/lib.sh"
n=$(q 10000 500)
sub=$(q 500 100)
goal="<= 3 s"
name="vmaf-logs, $n JSON logs -> Parquet, --jobs 2"
logs=$BENCH_DATA/vmaflogs_$n
[ -x "$SIGMIX" ] || { bench_fail "$name" "$goal" "$SIGMIX not built"; bench_done; }
if ! gen_once "$logs" /usr/bin/python3 tests/vmaflog/gen_logs.py --bench @OUT@ "$n"; then
    bench_fail "$name" "$goal" "cannot generate the logs (tests/vmaflog/gen_logs.py)"
    bench_done
fi
mb=$(du -sm "$logs" | cut -f1)
name="vmaf-logs, $n JSON logs ($mb MB) -> Parquet, --jobs 2"
if ! bench_measure "$BENCH_RUNS" "$SIGMIX" vmaf-logs "$logs" --jobs 2 -o "$BENCH_WORK/out.parquet"; then
    bench_fail "$name" "$goal" "sigmix vmaf-logs: $M_ERR"
    bench_done
fi
sw=$M_WALL sc=$M_CPU sr=$M_RSS
mine="$(fmt_t "$sw" "$sc" "$sr"), $(awk -v m="$mb" -v w="$sw" 'BEGIN { printf "%.0f", m / w }') MB/s"
if ! peer_python; then
    bench_peer_row "$name" "$goal" "$mine" "$PEER_WHY"
    bench_done
fi
ls "$logs"/*.json | head -n "$sub" >"$BENCH_WORK/subset"
if ! bench_measure 1 xargs -a "$BENCH_WORK/subset" "$PY" bench/vmaflogs/baseline.py; then
    bench_result "$name" "$goal" "$mine" "python baseline failed: $M_ERR" - "$(met_le "$sw" "$sc" 3)"
    bench_done
fi
# Whole process over the subset, scaled to all logs (start-up is a small part).
pw=$(awk -v w="$M_WALL" -v s="$sub" -v n="$n" 'BEGIN { printf "%.1f", w * n / s }')
pc=$(awk -v c="$M_CPU" -v s="$sub" -v n="$n" 'BEGIN { printf "%.1f", c * n / s }')
bench_result "$name" "$goal" "$mine" \
    "Python json+numpy ~$pw s wall, ~$pc s CPU (1 core; $sub logs x $((n / sub)))" \
    "$(div "$pw" "$sw")x wall, $(div "$pc" "$sc")x CPU" "$(met_le "$sw" "$sc" 3)"
bench_done
