#!/bin/bash
# Cross-check the audit's numbers against numpy/pandas (the reference tool's
# libraries) to 1e-9 on the bundled examples and, when present, the shared
# 3000-row feature table. Skips when no python3 with numpy and pandas exists.
set -u
bin=${SIGMIX_BIN:?}
src=${SIGMIX_SRC:?}
py=""
# Debian's interpreter first: python3-numpy/pandas install there, and a
# python3 earlier on PATH (pyenv, venv) may lack them.
for cand in /usr/bin/python3 python3; do
    if command -v "$cand" >/dev/null 2>&1 && "$cand" -c 'import numpy, pandas' 2>/dev/null; then
        py=$cand
        break
    fi
done
if [ -z "$py" ]; then
    # Installed but unusable is a broken setup, not a reason to skip.
    if dpkg-query -W -f='${Status}' python3-numpy python3-pandas 2>/dev/null | grep -q "install ok installed"; then
        echo "FAIL: python3-numpy/pandas are installed but no python3 imports them"
        exit 1
    fi
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
# Hostile values: v/-v ranks, integers above 2^53, exactly collinear and
# badly conditioned (1e9 offset, 3e-4 spread) columns, gaps.
awk 'BEGIN {
    print "mos,flag,sym,big,twice,dup,cond,cond2,gappy";
    for (i = 1; i <= 40; i++) {
        u = (i * 7919 % 101) / 101;
        printf "%d,%d,%d,%s,%d,%d,%.17g,%.17g,%s\n", i, (i % 3 ? 1 : -1), ((i * 13) % 9) - 4,
            "900719925474099" (i % 4), 2 * i, 2 * i, 1e9 + 3e-4 * u, 1e9 + 3e-4 * u + 1e-6 * (i % 5),
            (i % 4 ? sprintf("%.6f", u) : "");
    }
}' >"$tmp/hostile.csv"
check "$tmp/hostile.csv"
check "$src/examples/vmaf_features.jsonl"
check "$src/examples/ugc_mos.csv"
shared=${SIGMIX_SHARED:-}/parquet-writers/feat.jsonl
[ -f "$shared" ] && check "$shared"
exit $status
