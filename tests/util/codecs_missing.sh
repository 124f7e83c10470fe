#!/bin/bash
# The codec libraries are opened on first need (src/util/codecs.c). With
# stand-ins that have their sonames but none of their symbols first on
# LD_LIBRARY_PATH (argument 1: their folder), every command that needs
# one stops with one line naming the library and the symbol, exit 2 and
# nothing written; commands that need none (JSON Lines in and out, the
# audit, --version) work as before.
set -u
bin=${SIGMIX_BIN:?}
src=${SIGMIX_SRC:?}
fake=${1:?folder of the stand-in libraries}
# meson puts the stand-ins' folder on LD_LIBRARY_PATH for every run (the
# test depends on them): only the runs below that ask for them get them
unset LD_LIBRARY_PATH
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fails=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }
in=$src/examples/vmaf_features.jsonl

# inputs made with the real libraries
"$bin" cat "$in" -o "$tmp/a.jsonl.zst" || fail "write zst"
"$bin" cat "$in" -o "$tmp/a.jsonl.gz" || fail "write gz"
"$bin" cat "$in" -o "$tmp/a.parquet" -z zstd || fail "write parquet"
"$bin" cat "$in" -o "$tmp/s.parquet" || fail "write snappy parquet"

# run ARGS with the stand-ins: status, stderr and that OUT was not written
expect() {
    local want=$1 out=$2
    shift 2
    LD_LIBRARY_PATH=$fake "$bin" "$@" > "$tmp/stdout" 2> "$tmp/err"
    local st=$?
    [ "$st" = 2 ] || fail "$*: status $st, want 2"
    [ "$(cat "$tmp/err")" = "$want" ] || fail "$*: stderr '$(cat "$tmp/err")', want '$want'"
    [ ! -e "$out" ] || fail "$*: $out was written"
    ls "$tmp" | grep -q '^\.' && fail "$*: temporary left behind"
    rm -f "$out"
}

Z="cannot load libz.so.1: symbol inflateInit2_ not found"
ZS="cannot load libzstd.so.1: symbol ZSTD_isError not found"
CSV="cannot load libcsv.so.3: symbol csv_init not found"

expect "sigmix: $tmp/a.jsonl.zst: $ZS" "$tmp/b.jsonl" cat "$tmp/a.jsonl.zst" -o "$tmp/b.jsonl"
expect "sigmix: $tmp/a.jsonl.gz: $Z" "$tmp/b.jsonl" cat "$tmp/a.jsonl.gz" -o "$tmp/b.jsonl"
expect "sigmix: $src/examples/ugc_mos.csv: $CSV" "$tmp/b.jsonl" \
    cat "$src/examples/ugc_mos.csv" -o "$tmp/b.jsonl"
expect "sigmix: $tmp/a.parquet: $ZS" "$tmp/b.jsonl" cat "$tmp/a.parquet" -o "$tmp/b.jsonl"
# sigmix's own Parquet files carry page CRCs (zlib's crc32)
expect "sigmix: $tmp/s.parquet: $Z" "$tmp/b.jsonl" cat "$tmp/s.parquet" -o "$tmp/b.jsonl"
expect "sigmix: $tmp/c.jsonl.zst: $ZS" "$tmp/c.jsonl.zst" cat "$in" -o "$tmp/c.jsonl.zst"
expect "sigmix: $tmp/c.jsonl.gz: $Z" "$tmp/c.jsonl.gz" cat "$in" -o "$tmp/c.jsonl.gz"
expect "sigmix: $tmp/c.csv: $CSV" "$tmp/c.csv" cat "$in" -o "$tmp/c.csv"
expect "sigmix: $tmp/c.parquet: $Z" "$tmp/c.parquet" cat "$in" -o "$tmp/c.parquet"
# the HTML report's heatmap is a PNG (zlib); the JSON report commits with it or not at all
expect "sigmix: $tmp/r.html: cannot load libz.so.1 for the HTML report's heatmap image" "$tmp/r.html" \
    audit -i "$in" --out-html "$tmp/r.html" --out-json "$tmp/r2.json"
[ ! -e "$tmp/r2.json" ] || fail "audit --out-html: the JSON report was written alone"

# nothing of them needed: same bytes as without the stand-ins
LD_LIBRARY_PATH=$fake "$bin" --version > "$tmp/v" 2>&1 || fail "--version"
LD_LIBRARY_PATH=$fake "$bin" cat "$in" -o "$tmp/d.jsonl" 2> "$tmp/err" || fail "cat jsonl: $(cat "$tmp/err")"
"$bin" cat "$in" -o "$tmp/e.jsonl" || fail "cat jsonl (real)"
cmp -s "$tmp/d.jsonl" "$tmp/e.jsonl" || fail "cat jsonl output differs"
LD_LIBRARY_PATH=$fake "$bin" audit -i "$in" --out-json "$tmp/r.json" 2> "$tmp/err" > /dev/null ||
    fail "audit: $(cat "$tmp/err")"
[ -s "$tmp/r.json" ] || fail "audit wrote no report"

[ "$fails" = 0 ] && echo "codecs_missing: all passed"
[ "$fails" = 0 ]
