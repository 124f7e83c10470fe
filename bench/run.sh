#!/bin/bash
# make bench: run each area's benchmark script, if present. Benchmarks
# report figures; they never fail on timing.
set -u
build=${1:-build}
cd "$(dirname "$0")/.."
for area in tableio audit parquet parquet_write saliency onnx joins; do
    if [ -x "bench/$area.sh" ] || [ -f "bench/$area.sh" ]; then
        echo "== bench: $area"
        bash "bench/$area.sh" "$build" || echo "bench $area: failed"
    fi
done
