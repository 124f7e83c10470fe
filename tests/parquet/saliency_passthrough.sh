#!/bin/bash
# `sigmix saliency` with Parquet in and out keeps the user's footer keys
# (pandas' `pandas` included) next to its own provenance keys, and keeps a
# FLOAT column FLOAT. $1: gen_clip, $2: pq_meta_tool.
set -u
GEN=$1
TOOL=$2
BIN=${SIGMIX_BIN:?}
T=$(mktemp -d "${TMPDIR:-/tmp}/sigmix-pq-sal.XXXXXX")
trap 'rm -rf "$T"' EXIT
fails=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }

"$GEN" "$T/a.yuv" 64 36 6 50 210 8 6 10 5 2 || exit 1
printf '{"src": "a.yuv", "width": 64, "height": 36, "vmaf": 90.5, "f32": 0.5}\n' > "$T/in.jsonl"
"$BIN" cat "$T/in.jsonl" --output "$T/plain.parquet" || exit 1
PANDAS='{"index_columns": [], "columns": [{"name": "f32", "numpy_type": "float32"}]}'
"$TOOL" set "$T/plain.parquet" "$T/in.parquet" pandas "$PANDAS" f32 || exit 1
"$BIN" saliency --input "$T/in.parquet" --output "$T/out.parquet" --root "$T" --quiet 2>"$T/err" ||
    fail "saliency failed: $(cat "$T/err")"
"$TOOL" show "$T/out.parquet" > "$T/show" || fail "cannot read the output"
grep -qxF "meta pandas=$PANDAS" "$T/show" || fail "pandas key lost: $(cat "$T/show")"
grep -q '^meta sigmix.saliency.model_id=spectral_residual_v1$' "$T/show" ||
    fail "provenance key missing: $(cat "$T/show")"
grep -qx 'col f32 physical=4' "$T/show" || fail "FLOAT column not kept: $(cat "$T/show")"
# twice through saliency: its own keys are replaced in place, not repeated
"$BIN" saliency --input "$T/out.parquet" --output "$T/out2.parquet" --root "$T" --quiet \
    --overwrite 2>"$T/err" || fail "second saliency failed: $(cat "$T/err")"
"$TOOL" show "$T/out2.parquet" > "$T/show2" || fail "cannot read the second output"
[ "$(grep -c '^meta sigmix.saliency.model_id=' "$T/show2")" = 1 ] || fail "provenance repeated"
grep -qxF "meta pandas=$PANDAS" "$T/show2" || fail "pandas key lost on the second pass"

[ "$fails" -eq 0 ] || { echo "$fails failure(s)"; exit 1; }
echo "saliency Parquet pass-through: all checks passed"
