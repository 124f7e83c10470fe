#!/bin/bash
# The audit must give the same numbers on every Parquet writer's copy of the
# shared feature table as on its JSONL ground truth (../shared/parquet-writers).
set -u
bin=${SIGMIX_BIN:?}
dir=${SIGMIX_SHARED:?}/parquet-writers
if [ ! -f "$dir/feat.jsonl" ]; then
    echo "skip: $dir/feat.jsonl not found (shared corpus absent)"
    exit 77
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
failures=0
tables() { # the per-table results without label, path and provenance (keys sorted: tables last)
    sed -n '/^  "tables": /,$p' "$1" | grep -Ev '^      "(label|path)": '
}
"$bin" audit --input "$dir/feat.jsonl" --out-json "$tmp/truth.json" --out-md "$tmp/truth.md" \
    >/dev/null || { echo "FAIL: audit of feat.jsonl"; exit 1; }
tables "$tmp/truth.json" >"$tmp/truth.tables"
[ "$(wc -l <"$tmp/truth.tables")" -gt 1000 ] || { echo "FAIL: truth report too small"; exit 1; }
n=0
for f in "$dir"/duckdb_*.parquet; do
    n=$((n + 1))
    if ! "$bin" audit --input "$f" --out-json "$tmp/p.json" >/dev/null 2>"$tmp/err"; then
        echo "FAIL: $(basename "$f"): $(cat "$tmp/err")"
        failures=$((failures + 1))
        continue
    fi
    tables "$tmp/p.json" | diff -q "$tmp/truth.tables" - >/dev/null || {
        echo "FAIL: $(basename "$f") audits differently from feat.jsonl"
        failures=$((failures + 1))
    }
done
echo "$n files, $failures failures"
[ "$n" -gt 0 ] && [ "$failures" = 0 ]
