#!/bin/bash
# sigmix cat conversions checked with the test-side Parquet inspector
# (pqw_tool, argument 1): Parquet -> Parquet with --columns/--head/
# --compression/--to, stdout, missing-column errors, atomic outputs; and,
# once the text writers exist, JSONL/CSV output. Skips (77) while the
# Parquet reader is a placeholder.
set -u
bin=${SIGMIX_BIN:?}
tool=${1:?usage: cat_convert.sh PQW_TOOL}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fails=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }

"$tool" emit "$tmp/m.parquet" 40 || { echo "cannot make the test table"; exit 1; }

# Process starts are slow under sanitizers: dump each file once.
# dump FILE: writes FILE.dump; values FILE: its value rows.
dump() { "$tool" dump "$1" > "$1.dump" || { fail "dump $1"; : > "$1.dump"; }; }
values() { grep -v -e '^row_group ' -e '^column ' -e '^rows ' "$1.dump"; }
# Columns of the test table picked by 1-based field numbers $1 (cut -f list), first $2 rows.
pick() { values "$tmp/m.parquet" | cut -f "$1" | head -n "$2"; }

# 1. Whole table: schema and values survive, snappy by default.
dump "$tmp/m.parquet"
"$bin" cat "$tmp/m.parquet" -o "$tmp/full.parquet" || fail "plain conversion"
dump "$tmp/full.parquet"
grep -q '^row_group 0 rows 40 codec SNAPPY$' "$tmp/full.parquet.dump" || fail "default codec"
# JSON columns come back from the reader as text: compare all but the converted type.
diff <(grep '^column' "$tmp/m.parquet.dump" | sed 's/ converted 19$/ converted 0/') \
     <(grep '^column' "$tmp/full.parquet.dump") || fail "schema changed"
diff <(values "$tmp/m.parquet") <(values "$tmp/full.parquet") > /dev/null || fail "values changed"

# 2. --columns keeps the requested order; --head; --compression.
"$bin" cat "$tmp/m.parquet" --columns u,d,s --head 5 -z zstd -o "$tmp/sub.parquet" \
    || fail "columns/head conversion"
dump "$tmp/sub.parquet"
grep '^column' "$tmp/sub.parquet.dump" | cut -d' ' -f2 | tr '\n' ' ' | grep -qx '"u" "d" "s" ' \
    || fail "column order: $(grep '^column' "$tmp/sub.parquet.dump" | tr '\n' ' ')"
grep -q '^row_group 0 rows 5 codec ZSTD$' "$tmp/sub.parquet.dump" \
    || fail "head/codec: $(grep row_group "$tmp/sub.parquet.dump")"
diff <(pick 6,1,4 5 | awk -F'\t' '{print $3"\t"$1"\t"$2}') \
     <(values "$tmp/sub.parquet") || fail "selected values differ"
for z in none:UNCOMPRESSED gzip:GZIP; do
    "$bin" cat "$tmp/m.parquet" -n 3 --compression "${z%:*}" -o "$tmp/z.parquet" || fail "codec $z"
    dump "$tmp/z.parquet"
    grep -q "codec ${z#*:}\$" "$tmp/z.parquet.dump" || fail "codec $z"
done
"$bin" cat "$tmp/m.parquet" --head 0 -o "$tmp/h0.parquet" || fail "--head 0"
dump "$tmp/h0.parquet"
head -1 "$tmp/h0.parquet.dump" | grep -qx 'rows 0 row_groups 0' || fail "--head 0 rows"

# 3. --to decides the format; else the extension; else an error, nothing written.
"$bin" cat "$tmp/m.parquet" --to parquet -c b -o "$tmp/out.data" || fail "--to parquet"
"$tool" dump "$tmp/out.data" > /dev/null || fail "--to parquet output unreadable"
"$bin" cat "$tmp/m.parquet" -o "$tmp/out.data2" 2> "$tmp/err" && fail "unknown extension accepted"
grep -qx "sigmix: $tmp/out.data2: unknown output format (use --to, or a .jsonl, .ndjson, .json, .csv or .parquet name)" \
    "$tmp/err" || fail "unknown extension message: $(cat "$tmp/err")"
[ -e "$tmp/out.data2" ] && fail "file written on error"

# 4. Parquet on a (non-terminal) stdout.
"$bin" cat "$tmp/m.parquet" --to parquet -c i,j > "$tmp/stdout.parquet" || fail "parquet to stdout"
dump "$tmp/stdout.parquet"
diff <(pick 2,5 40) <(values "$tmp/stdout.parquet") > /dev/null || fail "stdout values"
if command -v script > /dev/null; then
    script -qec "$bin cat $tmp/m.parquet --to parquet" /dev/null > "$tmp/tty" 2>&1
    grep -q "refusing to write Parquet to a terminal" "$tmp/tty" || fail "terminal not refused: $(head -c 200 "$tmp/tty")"
fi

# 5. Unknown columns: error names it and the closest names; nothing written.
"$bin" cat "$tmp/m.parquet" -c d,dx -o "$tmp/bad.parquet" 2> "$tmp/err"; st=$?
[ "$st" -eq 2 ] || fail "unknown column status $st"
grep -qx "sigmix: $tmp/m.parquet: no column 'dx' (closest: 'd', 'dr', 'i')" "$tmp/err" \
    || fail "unknown column message: $(cat "$tmp/err")"
[ -e "$tmp/bad.parquet" ] && fail "file written for an unknown column"
ls -A "$tmp" | grep -q 'sigmix-tmp' && fail "temporary file left behind"

# 6. Text output, once the text writers are merged (table-io work).
if "$bin" cat "$tmp/m.parquet" --head 1 > "$tmp/probe.jsonl" 2> "$tmp/err"; then
    g=$SIGMIX_SRC/tests/cat/golden
    "$bin" cat "$tmp/m.parquet" --head 6 -c d,i,b,s,dr > "$tmp/h.jsonl" || fail "jsonl"
    diff "$tmp/h.jsonl" "$g/head6.jsonl" || fail "jsonl golden"
    "$bin" cat "$tmp/m.parquet" --head 6 -c d,i,b,s,dr -o "$tmp/h2.jsonl" || fail "jsonl file"
    cmp -s "$tmp/h.jsonl" "$tmp/h2.jsonl" || fail "stdout and --output differ"
    "$bin" cat "$tmp/m.parquet" --head 4 --to csv -c s,i,b,d > "$tmp/h.csv" || fail "csv"
    diff "$tmp/h.csv" "$g/head4.csv" || fail "csv golden"
    "$bin" cat "$tmp/m.parquet" --head 2 --to json -c u,b > "$tmp/h.json" || fail "json"
    diff "$tmp/h.json" "$g/head2.json" || fail "json golden"
    # Text -> Parquet -> text gives the same text.
    for ext in jsonl csv; do
        "$bin" cat "$tmp/m.parquet" -o "$tmp/a.$ext" &&
        "$bin" cat "$tmp/a.$ext" -o "$tmp/a.$ext.parquet" &&
        "$bin" cat "$tmp/a.$ext.parquet" --to "$ext" > "$tmp/b.$ext" || fail "$ext round trip"
        cmp -s "$tmp/a.$ext" "$tmp/b.$ext" || fail "$ext -> parquet -> $ext changed the text"
    done
    "$bin" cat "$tmp/m.parquet" -z zstd -o "$tmp/z.jsonl" 2> "$tmp/err" && fail "compressed text accepted"
    grep -qx "sigmix: $tmp/z.jsonl: compression is only available for Parquet output" "$tmp/err" \
        || fail "text compression message: $(cat "$tmp/err")"
    [ -e "$tmp/z.jsonl" ] && fail "file written for refused compression"
    # Column selection and errors work the same on a text input.
    "$bin" cat "$tmp/a.jsonl" -c dr,s -n 2 > "$tmp/sel.jsonl" || fail "jsonl --columns"
    diff "$tmp/sel.jsonl" <(printf '%s\n' '{"dr":0.0,"s":""}' '{"dr":0.8414709848078965,"s":"héllo ✓"}') \
        || fail "jsonl --columns output"
    "$bin" cat "$tmp/a.csv" -c uu 2> "$tmp/err"
    grep -qx "sigmix: $tmp/a.csv: no column 'uu' (closest: 'u', 'd', 'i')" "$tmp/err" \
        || fail "csv unknown column: $(cat "$tmp/err")"
else
    grep -q "not implemented" "$tmp/err" || fail "jsonl output: $(cat "$tmp/err")"
    echo "note: text writers not merged yet; text checks skipped"
fi

[ "$fails" -eq 0 ] && echo "cat conversions: all passed"
[ "$fails" -eq 0 ]
