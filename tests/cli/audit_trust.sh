#!/bin/bash
# Audit answers that used to be silently wrong or wrongly refused: v/-v
# ranks, exact int64 ranks, exactly collinear columns, --target case,
# threshold ranges, '$' before a final newline, escaped keys in families
# files, and regex patterns whose compilation exploded.
set -u
bin=${SIGMIX_BIN:?}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
failures=0
checks=0
fail() {
    echo "FAIL: $*" >&2
    failures=$((failures + 1))
}
run() { # NAME EXPECTED_STATUS ARGS...
    local name=$1 want=$2
    shift 2
    checks=$((checks + 1))
    (cd "$tmp" && "$bin" "$@" >"$tmp/out" 2>"$tmp/err")
    local st=$?
    [ "$st" = "$want" ] || fail "$name: exit $st, expected $want; stderr: $(head -c 400 "$tmp/err")"
}
has() { # NAME FILE FIXED_STRING: the file holds the string
    grep -qF -- "$3" "$2" || fail "$1: '$3' not in $2"
}
# The target-correlation entry of COLUMN, as one line.
entry() {
    tr -d '\n ' <"$tmp/$1" | grep -o "{\"abs_pearson\":[^,]*,\"column\":\"$2\"[^}]*}"
}

# ---- ranks, int64 ranks, exact r = 1 ---------------------------------
printf 'mos,x,y,y2,big\n1,-1,2,2,9007199254740993\n2,1,4,4,9007199254740992\n3,-1,6,6,9007199254740993\n4,1,8,8,9007199254740992\n5,1,10,10,9007199254740995\n' >"$tmp/t.csv"
run numbers 0 audit --input t.csv --out-json r.json --redundancy-threshold 1
# pandas: x.rank().corr(mos.rank()) = 0.5773502691896257 (was null: -1 and 1 tied)
[ "$(entry r.json x)" = '{"abs_pearson":0.5773502691896257,"column":"x","family":"uncategorized","pearson":0.5773502691896257,"spearman":0.5773502691896257}' ] ||
    fail "ranks: $(entry r.json x)"
# pandas ranks int64 exactly: 0.31622776601683794 (doubles tie above 2^53)
entry r.json big | grep -qF '"spearman":0.31622776601683794}' || fail "int64 ranks: $(entry r.json big)"
# Exactly collinear: r is exactly 1, so --redundancy-threshold 1 lists the pair.
entry r.json y | grep -qF '"pearson":1.0,"spearman":1.0}' || fail "collinear: $(entry r.json y)"
tr -d '\n ' <"$tmp/r.json" | grep -qF '"redundant_pairs":[{"abs_pearson":1.0,"left":"y","left_family":"uncategorized","pearson":1.0,"right":"y2","right_family":"uncategorized"}]' ||
    fail "collinear pair not redundant at threshold 1"

# ---- --target ignores case; exact case wins ------------------------------
printf 'VMAF,vmaf,Vmaf,psnr\n1,5,9,1\n2,4,7,2\n3,3,8,4\n4,2,6,3\n' >"$tmp/c.csv"
run target-exact 0 audit --input c.csv --target Vmaf --out-json r.json
has target-exact "$tmp/r.json" '"target": "Vmaf"'
printf 'Vmaf,psnr\n1,1\n2,2\n3,4\n4,3\n' >"$tmp/c2.csv"
run target-fold 0 audit --input c2.csv --target VMAF --out-json r2.json
has target-fold "$tmp/r2.json" '"target": "Vmaf"'
[ -s "$tmp/err" ] && fail "target-fold: unexpected warning: $(cat "$tmp/err")"
run target-missing 0 audit --input c2.csv --target vmaff --out-json r3.json
[ "$(cat "$tmp/err")" = "sigmix: warning: c2: target column 'vmaff' not found (closest: 'Vmaf', 'psnr'); continuing without a target" ] ||
    fail "target-missing: $(cat "$tmp/err")"

# ---- thresholds: usage errors, exit 2, one line, nothing written ---------
for bad in "--min-finite-ratio 1.5" "--redundancy-threshold 95" "--complement-threshold nan" \
           "--complement-threshold -0.2" "--redundancy-threshold inf" "--top-k -3" "--top-k 2.5"; do
    # shellcheck disable=SC2086
    run "threshold $bad" 2 audit --input t.csv $bad --out-json rep/r.json --out-md rep/r.md
    set -- $bad
    case $1 in
    --top-k) want="sigmix: audit: --top-k: '$2' is not a non-negative integer (try 'sigmix help audit')" ;;
    *) want="sigmix: audit: $1: '$2' is not a number between 0 and 1 (try 'sigmix help audit')" ;;
    esac
    [ "$(cat "$tmp/err")" = "$want" ] || fail "threshold $bad: stderr '$(cat "$tmp/err")'"
    [ -s "$tmp/out" ] && fail "threshold $bad: stdout not empty"
    [ -e "$tmp/rep" ] && fail "threshold $bad: wrote something"
done
run threshold-edges 0 audit --input t.csv --min-finite-ratio 0 --redundancy-threshold 1 \
    --complement-threshold 0.0 --out-json r.json

# ---- '$' before a final newline, as Python's re.search ------------------
printf '{"mos": 1, "clip_id\\n": 7, "adm2\\n": 0.5}\n{"mos": 2, "clip_id\\n": 3, "adm2\\n": 0.7}\n{"mos": 3, "clip_id\\n": 5, "adm2\\n": 0.6}\n' >"$tmp/nl.jsonl"
run newline 0 audit --input nl.jsonl --out-json nl.json
tr -d '\n ' <"$tmp/nl.json" | grep -qF '"signal_columns":["adm2\n"]' || fail "newline: clip_id\\n is not metadata"
tr -d '\n ' <"$tmp/nl.json" | grep -qF '"canonical_fr":["adm2\n"]' || fail "newline: adm2\\n not in canonical_fr"

# ---- families files: escaped keys; exploding patterns refused -----------
printf '{"\\u006dode": "extend", "fam\\u0069lies": [{"\\u006bey": "spread", "l\\u0061bel": "Spread", "patterns": ["^x$"]}]}' >"$tmp/esc.json"
run escaped-keys 0 audit --families esc.json --input t.csv --out-json e.json
has escaped-keys "$tmp/e.json" '"spread": ['
has escaped-keys "$tmp/e.json" '"canonical_fr": ['
printf '[{"key": "a", "label": "A", "patterns": ["aee[ee]ee*++++++++++++", "aee[ee]ee*++++++++++++"]}]' >"$tmp/boom.json"
start=$(date +%s%N)
run regex-blowup 2 audit --families boom.json --input t.csv --out-json b.json
elapsed=$((($(date +%s%N) - start) / 1000000))
[ "$(cat "$tmp/err")" = "sigmix: boom.json: family 'a' pattern 1: pattern 'aee[ee]ee*++++++++++++' too complex (stacked repetition operators)" ] ||
    fail "regex-blowup: $(cat "$tmp/err")"
[ -e "$tmp/b.json" ] && fail "regex-blowup: wrote a report"
# Generous for a loaded machine; the check itself is timed in test_families.
[ "$elapsed" -lt 5000 ] || fail "regex-blowup: took $elapsed ms"

# Two inputs under one label: a warning, and both still audited.
mkdir -p "$tmp/d1" "$tmp/d2"
cp "$tmp/t.csv" "$tmp/d1/t.csv"
cp "$tmp/t.csv" "$tmp/d2/t.csv"
run same-label 0 audit --input d1/t.csv --input d2/t.csv --out-json sl.json
[ "$(cat "$tmp/err")" = "sigmix: warning: label 't' is given to two inputs (d1/t.csv and d2/t.csv); the reports cannot tell them apart (name them with LABEL=PATH)" ] ||
    fail "same-label: stderr '$(cat "$tmp/err")'"
has same-label "$tmp/sl.json" '"path": "d2/t.csv"'
run distinct-labels 0 audit --input a=d1/t.csv --input b=d2/t.csv --out-json dl.json
[ -s "$tmp/err" ] && fail "distinct-labels: warned: $(cat "$tmp/err")"

echo "$checks checks, $failures failures"
[ "$failures" = 0 ]
