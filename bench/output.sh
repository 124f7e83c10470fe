#!/bin/bash
# Output commit cost (make bench): the same ~50 MB CSV table written by
# `sigmix cat` once through the output rule (temporary file, fsync, rename,
# folder fsync) and once to standard output redirected into a file (written
# in place, no fsync). The difference is what durability costs. Best of N;
# reports, never asserts. Scratch files stay in the build folder.
set -u
build=${1:-build}
cd "$(dirname "$0")/.."
sigmix="$build/sigmix"
reps=${OUTPUT_BENCH_REPS:-3}
rows=${OUTPUT_BENCH_ROWS:-500000}
if [ ! -x "$sigmix" ]; then
    echo "output bench: $sigmix not built"
    exit 0
fi
data="$build/bench-output"
mkdir -p "$data"
in="$data/in_${rows}.csv"
if [ ! -s "$in" ]; then
    awk -v n="$rows" 'BEGIN {
        print "clip,vmaf,psnr_y,ssim,adm2,vif_s0,vif_s1,motion2,ciede,bitrate"
        srand(7)
        for (i = 0; i < n; i++)
            printf "c%07d,%.6f,%.6f,%.6f,%.6f,%.6f,%.6f,%.6f,%.6f,%d\n", i, 100 * rand(),
                50 * rand(), rand(), rand(), rand(), rand(), 20 * rand(), 10 * rand(),
                int(1e6 * rand())
    }' > "$in.part" && mv "$in.part" "$in"
fi
best() { # CMD...: best wall seconds of $reps runs
    local b="" t
    for _ in $(seq "$reps"); do
        local s e
        s=$(date +%s.%N)
        "$@" || { echo "output bench: '$*' failed" >&2; return 1; }
        e=$(date +%s.%N)
        t=$(awk "BEGIN{print $e - $s}")
        if [ -z "$b" ] || awk "BEGIN{exit !($t < $b)}"; then b=$t; fi
    done
    echo "$b"
}
atomic() { "$sigmix" cat "$in" --to csv -o "$data/out_atomic.csv"; }
inplace() { "$sigmix" cat "$in" --to csv > "$data/out_stdout.csv"; }
ta=$(best atomic) || exit 0
ti=$(best inplace) || exit 0
mb=$(du -m "$data/out_atomic.csv" | cut -f1)
cmp -s "$data/out_atomic.csv" "$data/out_stdout.csv" || echo "output bench: outputs differ!"
echo "output commit, ${mb} MB CSV ($rows rows): temporary+fsync+rename $ta s," \
     "stdout in place (no fsync) $ti s; best of $reps"
