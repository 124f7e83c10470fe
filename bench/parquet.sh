#!/bin/bash
# Parquet reader (make bench; figures, no goal). The 150,000-row x 110-column
# feature table as Parquet once per codec (pq_benchgen, pyarrow-like layout:
# one row group, ~1 MiB v1 pages, PLAIN), read BENCH_RUNS+2 times by
# pq_bench: cold read, warm decode throughput in MB/s of uncompressed column
# data, peak RSS. One result line: warm throughput per codec, 2 threads.
source "$(dirname "$0")/lib.sh"
gen=$BENCH_BUILD/bench/parquet/pq_benchgen
pqb=$BENCH_BUILD/bench/parquet/pq_bench
name="Parquet decode, warm, 2 threads (MB/s of column data)"
for exe in "$gen" "$pqb"; do
    [ -x "$exe" ] || { bench_fail "$name" - "$exe not built (make bench builds it)"; bench_done; }
done
rows=$(q 150000 15000)
reps=$((BENCH_RUNS + 2))
fig=""
for codec in none snappy zstd gzip lz4 brotli; do
    f=$BENCH_DATA/pq_${rows}x110_$codec.parquet
    gen_once "$f" "$gen" @OUT@ "$rows" 110 "$codec" || { bench_fail "$name" - "cannot generate $f"; continue; }
    "$pqb" "$f" "$reps" 0 >"$BENCH_WORK/pq.txt" 2>&1 || { bench_fail "$name" - "$(head -n 1 "$BENCH_WORK/pq.txt")"; continue; }
    sed 's/^/  /' "$BENCH_WORK/pq.txt"
    fig="$fig${fig:+, }$codec $(sed -n 's/.*warm best [0-9.]* s wall (\([0-9]*\) MB\/s).*/\1/p' "$BENCH_WORK/pq.txt")"
done
"$pqb" "$BENCH_DATA/pq_${rows}x110_snappy.parquet" "$reps" 1 2>&1 | sed 's/^/  1 thread: /'
bench_result "$name, ${rows}x110" - "$fig" - - -
bench_done
