#!/bin/bash
# Table-io benchmark: generate a 150,000-row x 110-column JSON Lines table
# (~600 MB) and time reading it (best of 3) with 2 threads and 1 thread,
# plus gzip and CSV variants of a 30,000-row table. Reports; never fails
# on timing. Figures are noisy when the machine is shared.
set -u
build=${1:-build}
dir=${SIGMIX_BENCH_DIR:-$build/bench-data}
mkdir -p "$dir"
gen=$build/bench/tableio/gen_jsonl
read=$build/bench/tableio/tableio_read
[ -f "$dir/t150k.jsonl" ] || "$gen" 150000 "$dir/t150k.jsonl"
[ -f "$dir/t30k.jsonl" ] || "$gen" 30000 "$dir/t30k.jsonl"
[ -f "$dir/t30k.jsonl.gz" ] || gzip -c "$dir/t30k.jsonl" > "$dir/t30k.jsonl.gz"
[ -f "$dir/t30k.csv" ] || "$read" "$dir/t30k.jsonl" --write "$dir/t30k.csv" > /dev/null
for t in 2 1; do
    /usr/bin/time -f "  peak RSS %M KB" "$read" "$dir/t150k.jsonl" --repeat 3 --threads $t
done
"$read" "$dir/t150k.jsonl" --repeat 3 --columns vmaf_mean,mos,psnr_y_mean
"$read" "$dir/t30k.jsonl.gz" --repeat 3
"$read" "$dir/t30k.csv" --repeat 3
