#!/bin/bash
# sigmix cat: options, usage errors and input errors (exit 2, exact
# messages, nothing written). Needs no table reader.
set -u
bin=${SIGMIX_BIN:?}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fails=0

# expect STATUS STDERR_SUBSTRING -- ARGS...
expect() {
    local want=$1 msg=$2
    shift 3
    "$bin" cat "$@" >"$tmp/out" 2>"$tmp/err"
    local got=$?
    if [ "$got" -ne "$want" ] || ! grep -qF -- "$msg" "$tmp/err"; then
        echo "FAIL: sigmix cat $*: status $got (want $want), stderr:"; cat "$tmp/err"
        echo "  (wanted: $msg)"
        fails=$((fails + 1))
    fi
    if [ "$want" -ne 0 ] && [ -s "$tmp/out" ]; then
        echo "FAIL: sigmix cat $*: wrote to stdout on error"; fails=$((fails + 1))
    fi
}

"$bin" cat --help >"$tmp/help" || { echo "FAIL: --help status"; fails=$((fails + 1)); }
for opt in --columns --head --to --output --compression; do
    grep -qF -- "$opt" "$tmp/help" || { echo "FAIL: --help lacks $opt"; fails=$((fails + 1)); }
done
expect 2 "sigmix: cat: missing TABLE argument" --
expect 2 "sigmix: cat: expected one TABLE, got an extra argument 'b'" -- a b
expect 2 "sigmix: cat: --head expects a non-negative integer, got '-1'" -- --head -1 x.jsonl
expect 2 "sigmix: cat: --head expects a non-negative integer, got '3x'" -- --head 3x x.jsonl
expect 2 "sigmix: cat: --to expects jsonl, json, csv or parquet, got 'xml'" -- --to xml x.jsonl
expect 2 "sigmix: cat: --compression expects snappy, zstd, gzip or none, got 'lzo'" -- -z lzo x.jsonl
expect 2 "sigmix: cat: empty column name in --columns: 'a,,b'" -- --columns a,,b x.jsonl
expect 2 "sigmix: cat: column listed twice in --columns: 'a'" -- -c a,b,a x.jsonl
expect 2 "sigmix: cat: unknown option '--bogus'" -- --bogus x.jsonl
expect 2 "sigmix: cat: missing value for option '--output'" -- x.jsonl --output
expect 2 "sigmix: cat: missing value for option '--to' (try 'sigmix help cat')" -- --to
# Input errors name the path; nothing is left at --output.
expect 2 "sigmix: $tmp/none.jsonl: " -- "$tmp/none.jsonl" --output "$tmp/o.parquet"
expect 2 "sigmix: $tmp/none.parquet: " -- "$tmp/none.parquet" -o "$tmp/o.csv"
expect 2 "sigmix: $tmp/x.txt: unknown table format" -- "$tmp/x.txt"
[ -e "$tmp/o.parquet" ] || [ -e "$tmp/o.csv" ] && { echo "FAIL: output left behind"; fails=$((fails + 1)); }
ls "$tmp" | grep -q tmp && { echo "FAIL: temporary file left behind"; fails=$((fails + 1)); }

[ "$fails" -eq 0 ] && echo "cat usage: all passed"
[ "$fails" -eq 0 ]
