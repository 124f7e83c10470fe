#!/bin/bash
# Cross-check the audit's numbers against numpy/pandas (the reference tool's
# libraries) to 1e-9 on the bundled examples and, when present, the shared
# 3000-row feature table. Skips when no python3 with numpy and pandas exists.
set -u
bin=${SIGMIX_BIN:?}
src=${SIGMIX_SRC:?}
py=""
for cand in python3 /usr/bin/python3; do
    if command -v "$cand" >/dev/null 2>&1 && "$cand" -c 'import numpy, pandas' 2>/dev/null; then
        py=$cand
        break
    fi
done
if [ -z "$py" ]; then
    echo "skip: no python3 with numpy and pandas"
    exit 77
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
status=0
check() { # TABLE
    "$bin" audit --input "$1" --out-json "$tmp/r.json" >/dev/null || { status=1; return; }
    "$py" "$src/tests/cli/numpy_check.py" "$tmp/r.json" "$1" || status=1
}
check "$src/examples/vmaf_features.jsonl"
check "$src/examples/ugc_mos.csv"
shared=${SIGMIX_SHARED:-}/parquet-writers/feat.jsonl
[ -f "$shared" ] && check "$shared"
exit $status
