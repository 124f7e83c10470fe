#!/bin/bash
# sigmix cat, text-table input: standard input (--from), --delimiter and its
# hint, --max-input-bytes (a zstd bomb refused quickly), .pq, empty JSONL,
# 1e400, and CSV text kept byte for byte through csv, parquet and jsonl.
set -u
bin=${SIGMIX_BIN:?}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fails=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }

# status and exact stderr of: sigmix cat ARGS < STDIN_FILE
run() {
    local in=$1
    shift
    "$bin" cat "$@" < "$in" > "$tmp/out" 2> "$tmp/err"
    echo $? > "$tmp/st"
}
status() { cat "$tmp/st"; }

# --help names the new options
"$bin" cat --help > "$tmp/help"
for opt in --from --delimiter --max-input-bytes "TABLE '-'"; do
    grep -qF -- "$opt" "$tmp/help" || fail "--help lacks $opt"
done

# standard input: JSON Lines by default, else --from
printf '{"a": 1e400, "b": "x"}\n{"a": -1e-400}\n' > "$tmp/in.jsonl"
run "$tmp/in.jsonl" -
[ "$(status)" = 0 ] || fail "stdin jsonl: $(cat "$tmp/err")"
printf '{"a":null,"b":"x"}\n{"a":-0.0,"b":null}\n' | cmp -s - "$tmp/out" || fail "stdin jsonl output: $(cat "$tmp/out")"
printf 'a;b\n1;x\n' > "$tmp/in.csv"
run "$tmp/in.csv" - --from csv --delimiter ';'
printf '{"a":1,"b":"x"}\n' | cmp -s - "$tmp/out" || fail "stdin csv: $(cat "$tmp/out" "$tmp/err")"
run "$tmp/in.csv" - -f csv -d ';' --to csv
printf 'a,b\n1,x\n' | cmp -s - "$tmp/out" || fail "stdin csv to csv: $(cat "$tmp/out")"
"$bin" cat "$tmp/in.jsonl" -o "$tmp/t.pq" || fail "write .pq"
head -c 4 "$tmp/t.pq" | grep -q PAR1 || fail ".pq output is not Parquet"
run "$tmp/t.pq" - --from parquet
printf '{"a":null,"b":"x"}\n{"a":-0.0,"b":null}\n' | cmp -s - "$tmp/out" || fail "stdin parquet: $(cat "$tmp/out" "$tmp/err")"
run "$tmp/t.pq" - --from parquet --max-input-bytes 100
[ "$(status)" = 2 ] || fail "stdin parquet limit status"
grep -qx "sigmix: stdin: input exceeds --max-input-bytes (100 bytes)" "$tmp/err" || fail "stdin parquet limit: $(cat "$tmp/err")"
run "$tmp/in.jsonl" - -c b,zz
grep -qx "sigmix: stdin: no column 'zz' (closest: 'b')" "$tmp/err" || fail "stdin missing column: $(cat "$tmp/err")"

# --delimiter: tab, pipe; usage errors
printf 'a\tb\n1\tx y\n' > "$tmp/tab.csv"
run /dev/null "$tmp/tab.csv" -d '\t'
printf '{"a":1,"b":"x y"}\n' | cmp -s - "$tmp/out" || fail "tab delimiter: $(cat "$tmp/out" "$tmp/err")"
run /dev/null "$tmp/tab.csv" --delimiter tab
printf '{"a":1,"b":"x y"}\n' | cmp -s - "$tmp/out" || fail "tab delimiter by name"
printf 'a|b\n1|2\n' > "$tmp/pipe.csv"
run /dev/null "$tmp/pipe.csv" -d '|'
printf '{"a":1,"b":2}\n' | cmp -s - "$tmp/out" || fail "pipe delimiter"
run /dev/null "$tmp/pipe.csv" -d ';;'
grep -qF "sigmix: cat: --delimiter expects one character (',', ';', '\\t', '|'), got ';;'" "$tmp/err" \
    || fail "bad delimiter: $(cat "$tmp/err")"
run /dev/null "$tmp/pipe.csv" --from xml
grep -qF "sigmix: cat: --from expects jsonl, json, csv or parquet, got 'xml'" "$tmp/err" || fail "bad --from"
for bad in 0 -5 12Q 1.5G ""; do
    run /dev/null "$tmp/pipe.csv" --max-input-bytes "$bad"
    [ "$(status)" = 2 ] || fail "--max-input-bytes '$bad' accepted"
    grep -qF "sigmix: cat: --max-input-bytes expects a positive byte count" "$tmp/err" || fail "--max-input-bytes '$bad' message"
done
# the hint when a semicolon file is read with ','
printf 'a;b\n1;2\n3,4\n' > "$tmp/semi.csv"
run /dev/null "$tmp/semi.csv"
[ "$(status)" = 2 ] || fail "semi status"
grep -qx "sigmix: $tmp/semi.csv: warning: the CSV header is one column holding ';': try --delimiter ';'" "$tmp/err" \
    || fail "semi warning: $(cat "$tmp/err")"
grep -qx "sigmix: $tmp/semi.csv: row has 2 fields, the header has 1 (the header looks ';'-separated: try --delimiter ';') (line 3)" "$tmp/err" \
    || fail "semi error: $(cat "$tmp/err")"

# empty JSON Lines: 0 rows, no output, status 0
: > "$tmp/empty.jsonl"
printf '\n \n' > "$tmp/blank.ndjson"
for f in "$tmp/empty.jsonl" "$tmp/blank.ndjson"; do
    run /dev/null "$f"
    [ "$(status)" = 0 ] && [ ! -s "$tmp/out" ] || fail "empty $f: $(cat "$tmp/err")"
done
run "$tmp/empty.jsonl" -
[ "$(status)" = 0 ] || fail "empty stdin"

# a zstd bomb: 128 MiB of newlines; refused at a small limit, quickly
if command -v zstd > /dev/null; then
    head -c 134217728 /dev/zero | tr '\0' '\n' | zstd -q -c > "$tmp/bomb.jsonl.zst"
    run /dev/null "$tmp/bomb.jsonl.zst" --max-input-bytes 16M
    [ "$(status)" = 2 ] || fail "bomb status"
    grep -qx "sigmix: $tmp/bomb.jsonl.zst: decompressed input exceeds --max-input-bytes (16777216 bytes)" "$tmp/err" \
        || fail "bomb message: $(cat "$tmp/err")"
fi

# CSV text survives csv -> csv, csv -> parquet -> csv, csv -> jsonl -> csv
printf 'id,v,s,n\n000123,1,NA,1.5\n007,foo,N/A,-0.0\n12,2,null,\nx,3,naïve → ünïcode,2.5\n' > "$tmp/t.csv"
printf 'id,v,s,n\n000123,1,NA,1.5\n007,foo,N/A,-0.0\n12,2,null,\nx,3,naïve → ünïcode,2.5\n' > "$tmp/want.csv"
"$bin" cat "$tmp/t.csv" -o "$tmp/o.csv" && cmp -s "$tmp/want.csv" "$tmp/o.csv" || fail "csv -> csv: $(cat "$tmp/o.csv")"
for via in parquet jsonl json; do
    "$bin" cat "$tmp/t.csv" -o "$tmp/o.$via" || fail "csv -> $via"
    "$bin" cat "$tmp/o.$via" --to csv > "$tmp/back.csv" || fail "$via -> csv"
    cmp -s "$tmp/want.csv" "$tmp/back.csv" || fail "csv -> $via -> csv: $(cat "$tmp/back.csv")"
done

[ "$fails" -eq 0 ] && echo "cat_text: all checks passed"
exit $((fails > 0))
