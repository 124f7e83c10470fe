#!/bin/bash
# CLI tests for `sigmix audit`: options, error paths (exit 2, one line,
# nothing written), label parsing, output routing, and golden reports for
# the bundled examples. SIGMIX_REGEN=1 rewrites the golden files.
set -u
bin=${SIGMIX_BIN:?}
src=${SIGMIX_SRC:?}
golden=$src/tests/cli/golden
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
failures=0
checks=0

fail() {
    echo "FAIL: $*" >&2
    failures=$((failures + 1))
}

# run NAME EXPECTED_STATUS ARGS...: runs sigmix in $tmp/work, keeps out/err.
run() {
    local name=$1 want=$2
    shift 2
    checks=$((checks + 1))
    (cd "$tmp/work" && "$bin" "$@" >"$tmp/out" 2>"$tmp/err")
    local st=$?
    [ "$st" = "$want" ] || fail "$name: exit $st, expected $want; stderr: $(head -c 400 "$tmp/err")"
}

expect_err() { # NAME EXACT_STDERR
    [ "$(cat "$tmp/err")" = "$2" ] || fail "$1: stderr was '$(cat "$tmp/err")', expected '$2'"
}

expect_err_like() { # NAME GLOB: one line matching
    local lines
    lines=$(wc -l <"$tmp/err")
    [ "$lines" = 1 ] || fail "$1: stderr has $lines lines, expected 1: $(cat "$tmp/err")"
    # shellcheck disable=SC2053
    [[ "$(cat "$tmp/err")" == $2 ]] || fail "$1: stderr '$(cat "$tmp/err")' does not match '$2'"
}

nothing_written() {
    if [ -n "$(ls -A "$tmp/work/out" 2>/dev/null)" ]; then
        fail "$1: left files behind: $(ls -A "$tmp/work/out")"
    fi
    rm -rf "$tmp/work/out"
}

mkdir -p "$tmp/work/examples"
cp "$src/examples/vmaf_features.jsonl" "$src/examples/ugc_mos.csv" "$src/examples/run.sh" \
    "$tmp/work/examples/"

# ---- usage ---------------------------------------------------------------
run help 0 audit --help
grep -q '^Usage: sigmix audit --input' "$tmp/out" || fail "help: no usage line"
grep -q -- '--families FILE' "$tmp/out" || fail "help: --families missing"
run no-input 2 audit
expect_err no-input "sigmix: audit: at least one --input is required (try 'sigmix help audit')"
run unknown-option 2 audit --frobnicate --input x.csv
expect_err unknown-option "sigmix: audit: unknown option '--frobnicate' (try 'sigmix help audit')"
run missing-value 2 audit --input x.csv --target
expect_err missing-value "sigmix: audit: option '--target' needs a value (try 'sigmix help audit')"
run bad-top-k 2 audit --input x.csv --top-k=-1
expect_err bad-top-k "sigmix: audit: --top-k: '-1' is not a non-negative integer (try 'sigmix help audit')"
run bad-threshold 2 audit --input x.csv --redundancy-threshold 0.9x
expect_err bad-threshold "sigmix: audit: --redundancy-threshold: '0.9x' is not a number between 0 and 1 (try 'sigmix help audit')"
run positional 2 audit --input x.csv extra
expect_err positional "sigmix: audit: unexpected argument 'extra' (try 'sigmix help audit')"

# ---- input errors: exit 2, one line "sigmix: PATH: message", nothing written
run missing-file 2 audit --input lab=nope.jsonl --out-json out/r.json --out-md out/r.md
expect_err missing-file "sigmix: nope.jsonl: cannot open: No such file or directory"
nothing_written missing-file
echo "a,b" >"$tmp/work/table.txt"
run unknown-format 2 audit --input table.txt --out-json out/r.json --out-md out/r.md
expect_err_like unknown-format "sigmix: table.txt: unknown table format*"
nothing_written unknown-format
cp "$tmp/work/table.txt" "$tmp/work/noext"
run no-extension 2 audit --input noext --out-md out/r.md
expect_err_like no-extension "sigmix: noext: unknown table format*"
nothing_written no-extension
echo '[{"key": "a", "label": "A", "patterns": ["(x"]}]' >"$tmp/work/fam.json"
run bad-families 2 audit --families fam.json --input examples/ugc_mos.csv --out-md out/r.md
expect_err_like bad-families "sigmix: fam.json: family 'a' pattern 1: bad pattern (*)"
nothing_written bad-families
rm -rf "$tmp/work/out"

run same-output 2 audit --input examples/ugc_mos.csv --out-json out/r --out-md out/r
expect_err same-output "sigmix: out/r: the JSON and Markdown reports need different paths"
nothing_written same-output
touch "$tmp/work/blocker"
run unwritable 2 audit --input examples/ugc_mos.csv --out-json out/r.json --out-md blocker/r.md
expect_err_like unwritable "sigmix: blocker/r.md: cannot create *"
nothing_written unwritable

printf '{"psnr": 1, "vmaf": 2}\n{"psnr": 2, "vmaf": \n' >"$tmp/work/trunc.jsonl"
run truncated 2 audit --input ugc=examples/ugc_mos.csv --input trunc.jsonl --out-json out/r.json --out-md out/r.md
expect_err_like truncated "sigmix: trunc.jsonl: *"
nothing_written truncated
echo '{"data": []}' >"$tmp/work/obj.json"
run not-rows 2 audit --input obj.json --out-md out/r.md
expect_err_like not-rows "sigmix: obj.json: *"
nothing_written not-rows

# ---- golden reports through the `make run` script ----------------------
checks=$((checks + 1))
(cd "$tmp/work" && sh examples/run.sh "$bin" out >"$tmp/out" 2>"$tmp/err") ||
    fail "examples/run.sh failed: $(cat "$tmp/err")"
mask() { # volatile provenance values: times, host, version, the executable
    grep -Eq '"started_utc": "[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z"' "$1" ||
        fail "$1: started_utc missing or malformed"
    grep -Eq '"finished_utc": "[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z"' "$1" ||
        fail "$1: finished_utc missing or malformed"
    local exe
    exe=$(readlink -f "$bin")
    awk -v exe="$exe" -v sha="$(sha256sum "$exe" | cut -c1-64)" '
        { gsub("\"" exe "\"", "\"SIGMIX\""); gsub("\"" sha "\"", "\"SIGMIX_SHA\"") }
        /^ *"(started_utc|finished_utc|host|version)": / { sub(/: ".*"/, ": \"MASKED\"") }
        { print }' "$1"
}
if [ "${SIGMIX_REGEN:-0}" = 1 ]; then
    mkdir -p "$golden"
    mask "$tmp/work/out/audit.json" >"$golden/examples.json"
    cp "$tmp/work/out/audit.md" "$golden/examples.md"
    echo "regenerated $golden"
fi
mask "$tmp/work/out/audit.json" | diff -u "$golden/examples.json" - >"$tmp/diff" ||
    fail "golden JSON differs: $(head -40 "$tmp/diff")"
diff -u "$golden/examples.md" "$tmp/work/out/audit.md" >"$tmp/diff" ||
    fail "golden Markdown differs: $(head -40 "$tmp/diff")"
grep -q '"sha256": "[0-9a-f]\{64\}"' "$tmp/work/out/audit.json" || fail "provenance: no sha256"
grep -q "^reports: out/audit.json out/audit.md" "$tmp/out" || fail "run.sh: no reports line"
rm -rf "$tmp/work/out"

# ---- labels, routing, warnings -----------------------------------------
cp "$tmp/work/examples/ugc_mos.csv" "$tmp/work/a=b.csv"
run label-existing 0 audit --input a=b.csv --out-json out/r.json
grep -q '"label": "a=b"' "$tmp/work/out/r.json" || fail "label-existing: label is not the whole name"
run label-split 0 audit --input " mine =examples/ugc_mos.csv" --out-json out/r.json
grep -q '"label": "mine"' "$tmp/work/out/r.json" || fail "label-split: label not 'mine'"
[ -s "$tmp/err" ] && fail "label-split: unexpected stderr: $(cat "$tmp/err")"
grep -qx '[[]signal-mix[]] tables=1 missing_families=[0-9]* weak_families=[0-9]* wrote=out/r.json' "$tmp/out" ||
    fail "summary line on stdout: $(cat "$tmp/out")"
run md-stdout 0 audit --input examples/ugc_mos.csv --top-k=2
head -1 "$tmp/out" | grep -qx '# Signal-mix audit' || fail "md-stdout: Markdown not on stdout"
grep -q '^[[]signal-mix[]] tables=1 .* wrote=-$' "$tmp/err" || fail "md-stdout: summary not on stderr"
[ "$(grep -c '^| `' "$tmp/out")" -ge 3 ] || fail "md-stdout: no table rows"
run json-stdout 0 audit --input examples/ugc_mos.csv --out-json - --out-md out/x.md
head -1 "$tmp/out" | grep -qx '{' || fail "json-stdout: JSON not on stdout"
run target-warning 0 audit --input examples/ugc_mos.csv --target moss --out-json out/w.json
grep -qx "sigmix: warning: ugc_mos: target column 'moss' not found (closest: 'mos', 'musiq', 'niqe'); continuing without a target" "$tmp/err" ||
    fail "target-warning: $(cat "$tmp/err")"
grep -q '"target": null' "$tmp/work/out/w.json" || fail "target-warning: target not null"
gzip -c "$tmp/work/examples/ugc_mos.csv" >"$tmp/work/ugc_mos.csv.gz"
run gzip 0 audit --input ugc_mos.csv.gz --out-json out/gz.json
run plain 0 audit --input examples/ugc_mos.csv --out-json out/plain.json
# the tables without their label and path (keys are sorted: tables come last)
sed -n '/^  "tables": /,$p' "$tmp/work/out/gz.json" | grep -Ev '^      "(label|path)": ' >"$tmp/a"
sed -n '/^  "tables": /,$p' "$tmp/work/out/plain.json" | grep -Ev '^      "(label|path)": ' >"$tmp/b"
[ "$(wc -l <"$tmp/a")" -gt 100 ] || fail "gzip: report too small"
cmp -s "$tmp/a" "$tmp/b" || fail "gzip input audits differently from plain"

cat >"$tmp/work/extend.json" <<'JSON'
{"mode": "extend", "families": [
  {"key": "ugc_rating_spread", "label": "Rating spread", "question": "How much do viewers disagree?",
   "patterns": ["^std_dev$", "^n_ratings$"], "candidate_metrics": ["rater z-scores"],
   "recommendation": "Keep per-clip rating spread next to the MOS."}]}
JSON
run families-extend 0 audit --families extend.json --input examples/ugc_mos.csv --out-json out/f.json --out-md out/f.md
grep -q '"ugc_rating_spread": \[' "$tmp/work/out/f.json" || fail "families-extend: family missing from JSON"
grep -q '^| Rating spread | How much do viewers disagree? | `ugc_mos`: covered (2/2) | rater z-scores |$' \
    "$tmp/work/out/f.md" || fail "families-extend: coverage row missing"
grep -q '^      "families": "extend.json",$' "$tmp/work/out/f.json" || fail "families-extend: not in provenance args"
grep -q '"canonical_fr"' "$tmp/work/out/f.json" || fail "families-extend: built-ins dropped"

echo "$checks checks, $failures failures"
[ "$failures" = 0 ]
