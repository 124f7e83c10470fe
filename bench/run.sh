#!/bin/bash
# make bench: run each area's benchmark script, if present. Benchmarks
# report figures; they never fail on timing.
set -u
build=${1:-build}
cd "$(dirname "$0")/.."
failed=""
# Every bench/AREA.sh is one area; a new area needs no edit here.
for script in bench/*.sh; do
    area=$(basename "$script" .sh)
    [ "$area" = run ] && continue
    echo "== bench: $area"
    if ! bash "$script" "$build"; then
        echo "bench $area: failed"
        failed="$failed $area"
    fi
done
# Timing never fails a run; a benchmark that could not run does.
if [ -n "$failed" ]; then
    echo "benchmarks failed:$failed" >&2
    exit 1
fi
