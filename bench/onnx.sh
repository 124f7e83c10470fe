#!/bin/bash
# Per-frame inference time of saliency_student_v1 (../shared/models) via
# `sigmix model-run --repeat`, at 320x176, 1280x720 and 1920x1080 with 1
# and 2 threads. Reports only (never fails on timing). Side by side with
# onnxruntime when ORT_DIR points at a folder with onnxruntime-node and
# bench/onnx/ort_time.js's copy (see docs/onnx.md); a benchmark aid only.
set -u
build=${1:-build}
cd "$(dirname "$0")/.."
model=${ONNX_BENCH_MODEL:-../shared/models/saliency_student_v1.onnx}
[ -f "$model" ] && model=$(realpath "$model")
if [ ! -f "$model" ]; then
    echo "onnx bench: $model not present, skipped"
    exit 0
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
ort=${ORT_DIR:-}
echo "model: $model (median per run; the machine is shared, so figures are noisy)"
printf '%-10s %-8s %-14s %s\n' size threads sigmix onnxruntime
for size in 320x176 1280x720 1920x1080; do
    w=${size%x*} h=${size#*x}
    "$build/bench/onnx/onnx_mkinput" "$h" "$w" "$tmp/in.f32" || continue
    case $size in 320x176) rep=30 ;; 1280x720) rep=5 ;; *) rep=3 ;; esac
    for t in 1 2; do
        s=$("$build/sigmix" model-run "$model" --input "$tmp/in.f32" --shape "1x3x${h}x${w}" \
            --output "$tmp/out.f32" --threads "$t" --repeat "$rep" | sed -n 's/^median \(.*\) ms per run$/\1 ms/p')
        o=-
        if [ -n "$ort" ] && [ -f "$ort/ort_time.js" ] && command -v node >/dev/null; then
            o=$(cd "$ort" && node ort_time.js "$model" "$h" "$w" "$t" "$rep" "$tmp/in.f32" 2>/dev/null |
                sed -n 's/^ort median \([0-9.]*\) ms.*/\1 ms/p')
        fi
        printf '%-10s %-8s %-14s %s\n' "$size" "$t" "${s:-failed}" "${o:--}"
    done
done
