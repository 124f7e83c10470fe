#!/bin/bash
# Parquet writer (make bench; figures, no goal): write throughput per codec
# of a 150,000 x 110 synthetic table, best of BENCH_RUNS, files in a scratch
# folder. One result line: MB/s per codec.
source "$(dirname "$0")/lib.sh"
exe=$BENCH_BUILD/bench/parquet_write/bench_parquet_write
rows=$(q 150000 15000)
name="Parquet write, ${rows}x110 (MB/s of column data)"
[ -x "$exe" ] || { bench_fail "$name" - "$exe not built (make bench builds it)"; bench_done; }
if ! "$exe" "$rows" "$BENCH_RUNS" "$BENCH_WORK" >"$BENCH_WORK/w.txt" 2>&1; then
    bench_fail "$name" - "$(tail -n 1 "$BENCH_WORK/w.txt")"
    bench_done
fi
sed 's/^/  /' "$BENCH_WORK/w.txt"
bench_result "$name" - "$(awk '/MB\/s/ { printf "%s%s %.0f", n++ ? ", " : "", $1, $4 }' "$BENCH_WORK/w.txt")" - - -
bench_done
