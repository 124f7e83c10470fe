#!/bin/bash
# Hostile inputs end in a named error or a bounded result. Every case runs
# under tests/hostile/bounded, which measures the child's peak RSS and wall
# time with wait4's rusage: a case passes only within 1 GiB and 30 s, with
# an exit status the contract allows and, for refusals, one stderr line
# that names the input. Inputs are generated here (bombs, wide tables,
# symlink loops), plus every fuzz seed and parquet-testing's bad_data.
set -u
bin=${SIGMIX_BIN:?}
src=${SIGMIX_SRC:?}
bounded=${SIGMIX_BOUNDED:?}
shared=${SIGMIX_SHARED:-$src/../shared}
tmp=$(mktemp -d)
trap 'chmod -R u+w "$tmp" 2>/dev/null; rm -rf "$tmp"' EXIT
MAX_S=30
MAX_MB=1024
failures=0
checks=0

fail() {
    echo "FAIL: $*" >&2
    failures=$((failures + 1))
}

# case NAME ALLOWED_STATUSES ERR_GLOB ARGS...: ERR_GLOB '' means any stderr.
case_() {
    local name=$1 allowed=$2 glob=$3
    shift 3
    checks=$((checks + 1))
    "$bounded" "$MAX_S" "$MAX_MB" -- "$bin" "$@" >"$tmp/out" 2>"$tmp/err"
    local st=$?
    local cost
    cost=$(tail -n 1 "$tmp/err")
    case " $allowed " in
        *" $st "*) ;;
        *) fail "$name: status $st (allowed: $allowed); $cost; stderr: $(head -c 300 "$tmp/err")"
           return ;;
    esac
    if [ -n "$glob" ]; then
        local msg
        msg=$(head -n -1 "$tmp/err")
        # shellcheck disable=SC2053
        [[ "$msg" == $glob ]] || fail "$name: stderr '$msg' does not match '$glob'"
    fi
    echo "ok: $name ($cost)"
}

mkdir -p "$tmp/in" "$tmp/out.d"

# ---- compression bomb: 1 GB of blank lines in 35 KB of zstd -----------------
head -c 1000000000 /dev/zero | tr '\0' '\n' | zstd -q -1 -o "$tmp/in/bomb.jsonl.zst"
case_ zstd-bomb-bounded "0" '' cat "$tmp/in/bomb.jsonl.zst" --output "$tmp/out.d/bomb.jsonl"
case_ zstd-bomb-limit "2" "sigmix: $tmp/in/bomb.jsonl.zst: *max-input-bytes*" \
    cat "$tmp/in/bomb.jsonl.zst" --max-input-bytes 100M --output "$tmp/out.d/bomb2.jsonl"
[ -e "$tmp/out.d/bomb2.jsonl" ] && fail "zstd-bomb-limit: wrote an output"

# ---- 10,000 columns, mostly NaN: pair state must not grow with p^2 ----------
awk 'BEGIN {
    srand(7); p = 10000; n = 30
    printf "mos"; for (j = 0; j < p; j++) printf ",c%d", j; printf "\n"
    for (i = 0; i < n; i++) {
        printf "%.3f", 1 + i / 6
        for (j = 0; j < p; j++) printf ",%s", (rand() < 0.9 ? "nan" : sprintf("%.4f", rand()))
        printf "\n"
    }
}' >"$tmp/in/wide.csv"
case_ wide-10000-columns "0" '' audit --input "$tmp/in/wide.csv" \
    --out-json "$tmp/out.d/wide.json" --out-md "$tmp/out.d/wide.md"

# ---- regular-expression blow-up in a families file -------------------------
printf '[{"key": "k", "label": "K", "patterns": ["aee[ee]ee*++++++++++++", "aee[ee]ee*++++++++++++"]}]\n' \
    >"$tmp/in/fam.json"
case_ families-regex-bomb "2" "sigmix: $tmp/in/fam.json: *" audit --input "$src/examples/ugc_mos.csv" \
    --families "$tmp/in/fam.json" --out-json "$tmp/out.d/fam.json"
[ -e "$tmp/out.d/fam.json" ] && fail "families-regex-bomb: wrote a report"

# ---- a Parquet folder with symlink loops ----------------------------------
mkdir -p "$tmp/in/ds/part"
"$bin" cat "$src/examples/ugc_mos.csv" --output "$tmp/in/ds/part/a.parquet" 2>/dev/null ||
    fail "setup: cannot write a Parquet file"
ln -s .. "$tmp/in/ds/part/up"
ln -s ../.. "$tmp/in/ds/part/up2"
case_ parquet-symlink-loops "2" "sigmix: $tmp/in/ds*loop*" cat "$tmp/in/ds" --head 1

# ---- endless and blocking inputs ------------------------------------------
# (saliency only in builds that have it: tests/hostile/meson.build)
if [ "${SIGMIX_HAVE_SALIENCY:-1}" = 1 ]; then
    case_ saliency-dev-zero "2" "sigmix: /dev/zero: *" saliency --input /dev/zero \
        --output "$tmp/out.d/sal.jsonl"
fi
case_ cat-dev-zero-jsonl "2" "sigmix: *" cat /dev/zero --from jsonl --max-input-bytes 64M \
    --output "$tmp/out.d/z.jsonl"

# ---- every fuzz seed, as the format it was written for ---------------------
seed_cases() { # FORMAT DIR
    local f
    for f in "$2"/*; do
        [ -f "$f" ] || continue
        case_ "seed-$1-$(basename "$f")" "0 2" '' cat - --from "$1" --output "$tmp/out.d/seed.jsonl" \
            <"$f"
    done
}
for d in "$src"/fuzz/table/corpus_jsonl; do seed_cases jsonl "$d"; done
for d in "$src"/fuzz/table/corpus_json; do seed_cases json "$d"; done
for d in "$src"/fuzz/table/corpus_csv; do seed_cases csv "$d"; done
for f in "$src"/fuzz/parquet/corpus/*; do
    [ -f "$f" ] || continue
    cp "$f" "$tmp/in/seed.parquet"
    case_ "seed-parquet-$(basename "$f")" "0 2" '' cat "$tmp/in/seed.parquet" \
        --output "$tmp/out.d/seed.jsonl"
done
if [ -d "$shared/parquet-testing/bad_data" ]; then
    for f in "$shared"/parquet-testing/bad_data/*.parquet; do
        case_ "bad_data-$(basename "$f")" "0 2" '' cat "$f" --output "$tmp/out.d/bad.jsonl"
    done
else
    echo "skip: $shared/parquet-testing absent (bad_data cases not run)"
fi

echo "hostile: $checks checks, $failures failures"
[ "$failures" = 0 ]
