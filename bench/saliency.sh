#!/bin/bash
# Saliency (make bench): 200 rows over 40 distinct 8-frame H.264 clips at
# 960x540 (encoded once with libavcodec/libx264 by sal_bench, kept in
# BENCH_DATA). Best of BENCH_RUNS:
#  - libavcodec decoding alone (sal_bench decode: the peer) against `sigmix
#    saliency --jobs 1` with the built-in model: goal <= 1.5x decode alone;
#  - `--jobs 2` against `--jobs 1`: goal >= 1.7x faster (wall; on a busy
#    machine the second core is not there to measure).
# Then the library alone (sal_bench run) and the run's own time breakdown.
source "$(dirname "$0")/lib.sh"
sal=$BENCH_BUILD/bench/saliency/sal_bench
for exe in "$SIGMIX" "$sal"; do
    [ -x "$exe" ] || { bench_fail "saliency" "-" "$exe not built (make bench builds it)"; bench_done; }
done
W=$BENCH_WORK
nclips=$(q 40 10)
nrows=$((nclips * 5))
clips=$BENCH_DATA/saliency_${nclips}x960x540x8
name1="saliency $nclips clips 960x540 x 8 frames, --jobs 1 vs decode alone"
name2="saliency $nclips clips, --jobs 2 vs --jobs 1"
if ! gen_once "$clips" bash -c 'mkdir -p "$1" && "$2" gen "$1" "$3" 960 540 8 >/dev/null' _ @OUT@ "$sal" "$nclips"; then
    bench_fail "$name1" "<= 1.5x decode alone" "sal_bench cannot encode the clips"
    bench_done
fi
for ((i = 0; i < nrows; i++)); do
    printf '{"src": "clip%02d.mp4", "width": 960, "height": 540, "vmaf": %d.5}\n' $((i % nclips)) $((i % 100))
done >"$W/table.jsonl"

if ! dec=$("$sal" decode "$BENCH_RUNS" "$clips"/clip*.mp4 2>"$W/dec.err"); then
    bench_fail "$name1" "<= 1.5x decode alone" "sal_bench decode: $(head -n 1 "$W/dec.err")"
    bench_done
fi
dw=$(echo "$dec" | sed -n 's/.*decode_s=\([0-9.]*\).*/\1/p')
dc=$(echo "$dec" | sed -n 's/.*cpu_s=\([0-9.]*\).*/\1/p')
sal_run() { # JOBS
    bench_measure "$BENCH_RUNS" "$SIGMIX" saliency --input "$W/table.jsonl" --output "$W/out$1.jsonl" \
        --root "$clips" --jobs "$1" --quiet --audit-json "$W/audit$1.json"
}
if ! sal_run 1; then
    bench_fail "$name1" "<= 1.5x decode alone" "sigmix saliency: $M_ERR"
    bench_done
fi
w1=$M_WALL c1=$M_CPU r1=$M_RSS
x=$(div "$w1" "$dw") xc=$(div "$c1" "$dc")
bench_result "$name1" "<= 1.5x decode alone" "$(fmt_t "$w1" "$c1" "$r1")" \
    "libavcodec decode alone $(fmt_t "$dw" "$dc")" "${x}x wall, ${xc}x CPU" "$(met_le "$x" "$xc" 1.5)"
if ! sal_run 2; then
    bench_fail "$name2" ">= 1.7x faster" "sigmix saliency --jobs 2: $M_ERR"
else
    x=$(div "$w1" "$M_WALL")
    bench_result "$name2" ">= 1.7x faster" "--jobs 2: $(fmt_t "$M_WALL" "$M_CPU")" \
        "--jobs 1: $(fmt_t "$w1" "$c1")" "${x}x wall (CPU jobs 2 / jobs 1: $(div "$M_CPU" "$c1"))" \
        "$(met_ge "$x" - 1.7)"
fi
# The run's own breakdown (seconds summed over workers) from its report.
timing() { sed -n '/"timings_s"/,/}/p' "$1" | grep -o "\"$2\": [0-9.e-]*" | awk '{ printf "%.3f", $2 }'; }
echo "  jobs 1 in-run seconds: decode $(timing "$W/audit1.json" decode), convert $(timing "$W/audit1.json" convert)," \
     "model $(timing "$W/audit1.json" model), reduce $(timing "$W/audit1.json" reduce)," \
     "run $(timing "$W/audit1.json" wall) of $w1 s wall"
for j in 1 2; do
    "$sal" run "$clips" "$nclips" "$nrows" "$j" 2>&1 | sed "s/^/  library only, jobs $j: /"
done
bench_done
