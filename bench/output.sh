#!/bin/bash
# Output commit cost (make bench; figure, no goal): the same ~50 MB CSV
# table written by `sigmix cat` through the output rule (temporary file,
# fsync, rename, folder fsync) and to standard output redirected into a
# scratch file (written in place, no fsync). The difference is what
# durability costs. Best of BENCH_RUNS.
source "$(dirname "$0")/lib.sh"
rows=$(q 500000 50000)
name="output commit, $rows-row CSV: atomic+fsync vs stdout"
[ -x "$SIGMIX" ] || { bench_fail "$name" - "$SIGMIX not built"; bench_done; }
in=$BENCH_DATA/output_$rows.csv
gen_once "$in" awk -v n="$rows" -v out=@OUT@ 'BEGIN {
    print "clip,vmaf,psnr_y,ssim,adm2,vif_s0,vif_s1,motion2,ciede,bitrate" > out
    srand(7)
    for (i = 0; i < n; i++)
        printf "c%07d,%.6f,%.6f,%.6f,%.6f,%.6f,%.6f,%.6f,%.6f,%d\n", i, 100 * rand(),
            50 * rand(), rand(), rand(), rand(), rand(), 20 * rand(), 10 * rand(),
            int(1e6 * rand()) > out
}' || { bench_fail "$name" - "cannot generate $in"; bench_done; }
W=$BENCH_WORK
if ! bench_measure "$BENCH_RUNS" "$SIGMIX" cat "$in" --to csv -o "$W/atomic.csv"; then
    bench_fail "$name" - "sigmix cat: $M_ERR"
    bench_done
fi
aw=$M_WALL ac=$M_CPU
# stdout of bench_measure is $W/out: the in-place copy.
if ! bench_measure "$BENCH_RUNS" "$SIGMIX" cat "$in" --to csv; then
    bench_fail "$name" - "sigmix cat to stdout: $M_ERR"
    bench_done
fi
cmp -s "$W/atomic.csv" "$W/out" || bench_fail "$name" - "the two outputs differ"
bench_result "$name ($(du -m "$W/atomic.csv" | cut -f1) MB)" - "atomic: $(fmt_t "$aw" "$ac")" \
    "stdout in place: $(fmt_t "$M_WALL" "$M_CPU")" "$(div "$aw" "$M_WALL")x wall" -
bench_done
