#!/bin/bash
# ONNX inference (make bench): saliency_student_v1 (SIGMIX_SHARED/models)
# at 320x176, 640x360, 960x544 and 1920x1080 with 1 and 2 threads, against
# onnxruntime-node from npm (bench/onnx/ort_time.js) on the same input
# tensor, alternating the two. Wall: the median per run inside the process
# (`sigmix model-run --repeat R` and ort_time.js, start-up and model load
# excluded). CPU per run: sigmix's from two processes, (CPU of R runs - CPU
# of 1 run) / (R - 1); onnxruntime's from process.cpuUsage() over its runs.
# Goal: sigmix <= 0.9x onnxruntime's time.
source "$(dirname "$0")/lib.sh"
mk=$BENCH_BUILD/bench/onnx/onnx_mkinput
shared=${SIGMIX_SHARED:-../shared}
model=${ONNX_BENCH_MODEL:-$shared/models/saliency_student_v1.onnx}
goal="<= 0.9x onnxruntime"
sizes=$(q "320x176 640x360 960x544 1920x1080" "320x176 640x360")
row_name() { echo "ONNX saliency_student_v1 $1, $2 thread$([ "$2" = 1 ] || echo s)"; }
if [ ! -f "$model" ]; then
    for size in $sizes; do for t in 1 2; do
        bench_skip "$(row_name "$size" "$t")" "$goal" "$model absent (set SIGMIX_SHARED)"
    done; done
    bench_done
fi
model=$(realpath "$model")
[ -x "$mk" ] || { bench_fail "onnx" "-" "$mk not built (make bench builds it)"; bench_done; }
ort=1
peer_npm "$ORT_NPM" || ort=0
W=$BENCH_WORK
cpu_of() { awk '{ printf "%.4f", $2 + $3 }' "$W/time"; }
for size in $sizes; do
    w=${size%x*} h=${size#*x}
    "$mk" "$h" "$w" "$W/in.f32" || { bench_fail "ONNX input $size" "-" "onnx_mkinput failed"; continue; }
    case $size in 320x176) rep=$(q 20 8) ;; 640x360) rep=$(q 8 3) ;; 960x544) rep=5 ;; *) rep=3 ;; esac
    for t in 1 2; do
        name=$(row_name "$size" "$t")
        run() { # REPEAT: sigmix model-run, timed
            /usr/bin/time -f '%e %U %S %M' -o "$W/time" "$SIGMIX" model-run "$model" --input "$W/in.f32" \
                --shape "1x3x${h}x${w}" --output "$W/out.f32" --threads "$t" --repeat "$1" \
                >"$W/out" 2>"$W/err"
        }
        if ! need_time || ! run 1; then
            bench_fail "$name" "$goal" "sigmix model-run: $(head -n 1 "$W/err")"
            continue
        fi
        c1=$(cpu_of)
        run "$rep" || { bench_fail "$name" "$goal" "sigmix model-run: $(head -n 1 "$W/err")"; continue; }
        cr=$(cpu_of)
        rss=$(awk '{ print $4 }' "$W/time")
        sm=$(sed -n 's/^median \([0-9.]*\) ms per run$/\1/p' "$W/out")
        [ -n "$sm" ] || { bench_fail "$name" "$goal" "no 'median ... ms per run' line from model-run"; continue; }
        sc=$(awk -v a="$cr" -v b="$c1" -v r="$rep" 'BEGIN { v = (a - b) / (r - 1) * 1000; printf "%.1f", v < 0 ? 0 : v }')
        mine="$sm ms wall, $sc ms CPU per run, $((rss / 1024)) MB"
        if [ $ort = 0 ]; then
            bench_peer_row "$name" "$goal" "$mine" "$PEER_WHY"
            continue
        fi
        if ! node bench/onnx/ort_time.js "$model" "$h" "$w" "$t" "$rep" "$W/in.f32" >"$W/ort" 2>"$W/ort.err"; then
            bench_skip "$name" "$goal" "onnxruntime failed: $(head -n 1 "$W/ort.err")"
            continue
        fi
        read -r om oc <<<"$(sed -n 's/^ort median \([0-9.]*\) ms per run, cpu \([0-9.]*\) ms per run$/\1 \2/p' "$W/ort")"
        x=$(div "$sm" "$om") xc=$(div "$sc" "$oc")
        bench_result "$name" "$goal" "$mine" "onnxruntime $om ms wall, $oc ms CPU" \
            "${x}x wall, ${xc}x CPU" "$(met_le "$x" "$xc" 0.9)"
    done
done
bench_done
