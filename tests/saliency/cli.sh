#!/bin/bash
# CLI tests of `sigmix saliency`: usage errors, exit codes and the summary
# line, statuses in the written table, root confinement, column suppression,
# audit report, journal resume after an interrupted run, --jobs determinism.
# $1: the gen_clip helper. Needs no ffmpeg CLI.
set -u
GEN=$1
BIN=${SIGMIX_BIN:?}
T=$(mktemp -d "${TMPDIR:-/tmp}/sigmix-sal-cli.XXXXXX")
trap 'rm -rf "$T"' EXIT
fails=0

fail() { echo "FAIL: $*"; fails=$((fails + 1)); }

# run EXPECTED_EXIT ARGS...: runs sigmix, keeps stderr in $T/err
run() {
    local want=$1; shift
    "$BIN" saliency "$@" >"$T/out" 2>"$T/err"
    local got=$?
    [ "$got" -eq "$want" ] || fail "exit $got, expected $want: sigmix saliency $* :: $(cat "$T/err")"
}
err_has() { grep -qF -- "$1" "$T/err" || fail "stderr lacks '$1': $(cat "$T/err")"; }
# err_is LINE: stderr is exactly this one line
err_is() { [ "$(cat "$T/err")" = "$1" ] || fail "stderr is not '$1': $(cat "$T/err")"; }
file_has() { grep -qF -- "$2" "$1" || fail "$1 lacks '$2'"; }
file_lacks() { ! grep -qF -- "$2" "$1" || fail "$1 unexpectedly has '$2'"; }
absent() { [ ! -e "$1" ] || fail "$1 should not exist"; }

mkdir -p "$T/root/sub" "$T/outside"
"$GEN" "$T/root/a.yuv" 64 36 6 50 210 8 6 10 5 2 || exit 1
"$GEN" "$T/root/b.y4m" 48 32 5 100 20 30 10 8 -3 1 y4m || exit 1
"$GEN" "$T/root/sub/c.yuv" 40 24 3 80 160 4 4 6 1 1 || exit 1
"$GEN" "$T/outside/o.yuv" 64 36 6 50 210 8 6 10 5 2 || exit 1
ln -s "$T/outside/o.yuv" "$T/root/link.yuv"
printf 'not a video' > "$T/root/bad.mp4"

cat > "$T/in.jsonl" <<JL
{"src": "a.yuv", "width": 64, "height": 36, "vmaf": 90.5}
{"src": "b.y4m", "width": null, "height": null, "vmaf": 80.0}
{"src": "a.yuv", "width": 64, "height": 36, "vmaf": 91.0}
{"src": "../outside/o.yuv", "width": 64, "height": 36, "vmaf": 70.0}
{"src": "$T/outside/o.yuv", "width": 64, "height": 36, "vmaf": 70.0}
{"src": "link.yuv", "width": 64, "height": 36, "vmaf": 70.0}
{"src": "sub/c.yuv", "width": null, "height": null, "vmaf": 60.0}
{"src": "bad.mp4", "width": null, "height": null, "vmaf": 50.0}
{"src": "a.yuv", "width": 64, "height": 36, "vmaf": 40.0, "saliency_mean": 0.25, "saliency_var": 0.01, "saliency_model_id": "old"}
JL
cat > "$T/ok.jsonl" <<JL
{"src": "a.yuv", "width": 64, "height": 36}
{"src": "b.y4m"}
{"src": "a.yuv", "width": 64, "height": 36}
JL

# --- usage errors: exit 2, nothing written, before any work ------------------
run 2
run 2 --output "$T/u.jsonl"
err_is "sigmix: saliency: --input is required (try 'sigmix help saliency')"
run 2 --input "$T/ok.jsonl"
err_is "sigmix: saliency: --output is required (try 'sigmix help saliency')"
run 2 --input "$T/ok.jsonl" --output "$T/u.jsonl" --temporal-aggregator median
err_is "sigmix: saliency: unknown temporal aggregator 'median' (mean, ema, max, motion-weighted) (try 'sigmix help saliency')"
run 2 --input "$T/ok.jsonl" --output "$T/u.jsonl" --frobnicate
err_is "sigmix: saliency: unknown option or missing value: '--frobnicate' (try 'sigmix help saliency')"
run 2 --input "$T/ok.jsonl" --output "$T/u.jsonl" extra
err_is "sigmix: saliency: unexpected argument 'extra' (try 'sigmix help saliency')"
run 2 --input "$T/ok.jsonl" --output "$T/u.jsonl" --max-pixels 0
err_is "sigmix: saliency: --max-pixels must be an integer in 1..268435456, not '0' (try 'sigmix help saliency')"
for a in 0 1.5 abc; do
    run 2 --input "$T/ok.jsonl" --output "$T/u.jsonl" --temporal-aggregator ema --ema-alpha "$a"
    err_has "--ema-alpha must be a number in (0, 1]"
done
run 2 --input "$T/ok.jsonl" --output "$T/u.jsonl" --max-frames 0
err_is "sigmix: saliency: --max-frames must be an integer in 1..1000000, not '0' (try 'sigmix help saliency')"
run 2 --input "$T/ok.jsonl" --output "$T/u.jsonl" --jobs 0
err_is "sigmix: saliency: --jobs must be an integer in 1..1024, not '0' (try 'sigmix help saliency')"
run 2 --input "$T/ok.jsonl" --output "$T/u.jsonl" --default-width 64
err_has "default width and height must be given together"
run 2 --input "$T/ok.jsonl" --output "$T/u.jsonl" --raw-pix-fmt nonsense
err_has "unknown pixel format 'nonsense'"
run 2 --input "$T/ok.jsonl" --output "$T/u.jsonl" --bogus
err_has "unknown option"
run 2 --input "$T/ok.jsonl" --output "$T/u.txt"
err_is "sigmix: saliency: cannot tell the output format from '$T/u.txt' (use .parquet, .jsonl, .ndjson, .json or .csv) (try 'sigmix help saliency')"
run 2 --input "$T/ok.jsonl" --output "$T/ok.jsonl"
err_has "refusing to write over the input (use --in-place)"
run 2 --input "$T/ok.jsonl" --output "$T/root/../ok.jsonl"
run 2 --input "$T/ok.jsonl" --output "$T/u.jsonl" --root "$T/nowhere"
err_has "root folder not found"
run 2 --input "$T/ok.jsonl" --output "$T/u.jsonl" --path-column path
err_has "path column 'path' not found"
run 2 --input "$T/ok.jsonl" --output "$T/u.jsonl" --status-column src
err_has "output column 'src' is the path column"
absent "$T/u.jsonl"
absent "$T/u.jsonl.partial.jsonl"
"$BIN" saliency --help >"$T/out" 2>&1 || fail "--help exit"
file_has "$T/out" "--temporal-aggregator"

# --- unreadable tables: exit 2, nothing written --------------------------------
run 2 --input "$T/missing.jsonl" --output "$T/u.jsonl"
err_has "$T/missing.jsonl: "
printf '{"src": "a.yuv",\n' > "$T/broken.jsonl"
run 2 --input "$T/broken.jsonl" --output "$T/u.jsonl"
err_has "$T/broken.jsonl: "
absent "$T/u.jsonl"

# --- a mixed table: statuses, confinement, skip, exit 1 ---------------------------
run 1 --input "$T/in.jsonl" --output "$T/out.jsonl" --root "$T/root" --jobs 1 --quiet \
    --audit-json "$T/audit.json" --ffmpeg-bin /opt/ff/ffmpeg
err_has "saliency materialize: total=9 ok=3 skipped=1 failed=5"
[ "$(grep -c . "$T/out.jsonl")" -eq 9 ] || fail "row count"
status_of() { sed -n "${1}p" "$T/out.jsonl" | grep -o '"saliency_status":"[a-z-]*"' | sed 's/.*"\([a-z-]*\)"$/\1/'; }
want=(ok ok ok missing-source missing-source missing-source missing-geometry decode-failed skipped-existing)
for i in "${!want[@]}"; do
    got=$(status_of $((i + 1)))
    [ "$got" = "${want[$i]}" ] || fail "row $((i + 1)): status '$got', expected ${want[$i]}"
done
# kept columns and order; metadata only on computed rows
head -1 "$T/out.jsonl" | grep -q '^{"src":"a.yuv"[, ]*"width":64[, ]*"height":36[, ]*"vmaf":90.5' \
    || fail "input columns not kept first: $(head -1 "$T/out.jsonl")"
sed -n 1p "$T/out.jsonl" | grep -qF '"saliency_model_id":"spectral_residual_v1"' || fail "model id"
sed -n 1p "$T/out.jsonl" | grep -qF '"saliency_aggregator":"mean"' || fail "aggregator"
sed -n 4p "$T/out.jsonl" | grep -qF '"saliency_model_id":null' || fail "failed row metadata"
sed -n 9p "$T/out.jsonl" | grep -qF '"saliency_mean":0.25' || fail "skipped row value"
sed -n 9p "$T/out.jsonl" | grep -qF '"saliency_model_id":"old"' || fail "skipped row metadata"
sed -n 9p "$T/out.jsonl" | grep -qF '"saliency_aggregator":null' || fail "skipped row invented metadata"
m1=$(sed -n 1p "$T/out.jsonl" | grep -o '"saliency_mean":[0-9.e-]*')
m3=$(sed -n 3p "$T/out.jsonl" | grep -o '"saliency_mean":[0-9.e-]*')
[ -n "$m1" ] && [ "$m1" = "$m3" ] || fail "duplicate rows differ: $m1 / $m3"
# the audit report
for k in '"input": ' '"output": ' '"config": ' '"temporal_aggregator": "mean"' \
         '"model_id": "spectral_residual_v1"' '"total": 9' '"ok": 3' '"skipped_existing": 1' \
         '"failed": 5' '"missing-source": 3' '"missing-geometry": 1' '"decode-failed": 1' \
         '"model-failed": 0' '"input_sha256": "' '"argv": [' '"started_utc": "' \
         '"finished_utc": "' '"version": "' '"distinct": 4' '"ema_alpha": 0.6,' \
         '"schema": "ai-run-provenance-v1"' '"ffmpeg_bin": "/opt/ff/ffmpeg"' \
         '"ffprobe_bin": "ffprobe"'; do
    file_has "$T/audit.json" "$k"
done
sha=$(sha256sum "$T/in.jsonl" | cut -d' ' -f1)
file_has "$T/audit.json" "\"input_sha256\": \"$sha\""
# golden layout (upstream's keys, sorted, ADR-0661 provenance); volatile values masked.
# SIGMIX_REGEN=1 rewrites it.
golden=${SIGMIX_SRC:?}/tests/saliency/golden/audit.json
exe=$(readlink -f "$BIN")
awk -v t="$T" -v exe="$exe" -v esha="$(sha256sum "$exe" | cut -c1-64)" -v isha="$sha" \
    -v isize="$(stat -c %s "$T/in.jsonl")" '
    { gsub(t, "T"); gsub("\"" exe "\"", "\"SIGMIX\""); gsub(esha, "SIGMIX_SHA"); gsub(isha, "INPUT_SHA") }
    /^ *"(started_utc|finished_utc|host|version)": / { sub(/: ".*"/, ": \"MASKED\"") }
    /^ *"timings_s": \{/ { timing = 1 }
    timing && /^ *"(decode|convert|model|reduce|wall)": / { sub(/: [^,]*/, ": 0") }
    timing && /^ *\}/ { timing = 0 }
    /^ *"cpus_available": / { sub(/: [0-9]+/, ": 0") }
    /^ *"(size|input_size)": / && $2 ~ "^" isize ",?$" { sub(isize, "\"INPUT_SIZE\"") }
    { print }' "$T/audit.json" >"$T/audit.masked"
if [ "${SIGMIX_REGEN:-0}" = 1 ]; then mkdir -p "$(dirname "$golden")"; cp "$T/audit.masked" "$golden"; fi
diff -u "$golden" "$T/audit.masked" >"$T/diff" || fail "saliency audit golden differs: $(head -40 "$T/diff")"
python3 -c 'import json,sys; t=open(sys.argv[1]).read(); assert t == json.dumps(json.loads(t), indent=2, sort_keys=True) + "\n"' \
    "$T/audit.json" || fail "audit report is not sorted/indented as json.dumps(indent=2, sort_keys=True)"
absent "$T/out.jsonl.partial.jsonl"
# per-clip messages without --quiet
run 1 --input "$T/in.jsonl" --output "$T/out2.jsonl" --root "$T/root" --jobs 1
err_has "bad.mp4: decode-failed: "
err_has "sub/c.yuv: missing-geometry: "

# --- outside root allowed, overwrite, defaults: all ok, exit 0 -------------------
run 1 --input "$T/in.jsonl" --output "$T/all.jsonl" --root "$T/root" --allow-outside-root \
    --overwrite --default-width 40 --default-height 24 --temporal-aggregator ema \
    --ema-alpha 0.25 --model-id mine --quiet
err_has "saliency materialize: total=9 ok=8 skipped=0 failed=1"
[ "$(grep -c '"saliency_ema_alpha":0.25' "$T/all.jsonl")" -eq 8 ] || fail "ema alpha column"
[ "$(grep -c '"saliency_model_id":"mine"' "$T/all.jsonl")" -eq 8 ] || fail "model id override"
run 0 --input "$T/ok.jsonl" --output "$T/ok_out.jsonl" --root "$T/root" --quiet
err_has "saliency materialize: total=3 ok=3 skipped=0 failed=0"

# --- column suppression and renaming --------------------------------------------
run 0 --input "$T/ok.jsonl" --output "$T/sup.jsonl" --root "$T/root" --quiet \
    --status-column "" --model-id-column "" --aggregator-column agg --ema-alpha-column ""
file_lacks "$T/sup.jsonl" "saliency_status"
file_lacks "$T/sup.jsonl" "saliency_model_id"
file_lacks "$T/sup.jsonl" "saliency_ema_alpha"
file_has "$T/sup.jsonl" '"agg":"mean"'

# --- skip existing, then --overwrite -----------------------------------------------
run 0 --input "$T/ok_out.jsonl" --output "$T/again.jsonl" --root "$T/root" --quiet
err_has "saliency materialize: total=3 ok=0 skipped=3 failed=0"
[ "$(grep -c '"saliency_status":"skipped-existing"' "$T/again.jsonl")" -eq 3 ] || fail "skips"
run 0 --input "$T/ok_out.jsonl" --output "$T/again.jsonl" --root "$T/root" --quiet --overwrite
err_has "saliency materialize: total=3 ok=3 skipped=0 failed=0"

# --- in place -------------------------------------------------------------------------
cp "$T/ok.jsonl" "$T/inplace.jsonl"
run 0 --input "$T/inplace.jsonl" --in-place --root "$T/root" --quiet
file_has "$T/inplace.jsonl" '"saliency_status":"ok"'

# --- --jobs determinism: byte-identical tables -----------------------------------------
for red in motion-weighted; do  # all four reducers: test_run
    run 1 --input "$T/in.jsonl" --output "$T/j1.jsonl" --root "$T/root" --quiet --jobs 1 \
        --temporal-aggregator "$red" --default-width 40 --default-height 24
    run 1 --input "$T/in.jsonl" --output "$T/j2.jsonl" --root "$T/root" --quiet --jobs 2 \
        --temporal-aggregator "$red" --default-width 40 --default-height 24
    cmp -s "$T/j1.jsonl" "$T/j2.jsonl" || fail "--jobs 1 and 2 differ ($red)"
done
grep -qF '"saliency_aggregator":"motion-weighted"' "$T/j2.jsonl" || fail "motion-weighted name"

# --- interrupted run, then resume from the journal ---------------------------------------
# The final write fails (the output is a link to a full device, written in
# place: ENOSPC at the commit), so the run stops after journaling every clip:
# the state an interruption leaves. The device is a scratch copy of /dev/full
# where one can be made, and stays a character device.
full=/dev/full
mknod "$T/full" c 1 7 2>/dev/null && full=$T/full
ln -s "$full" "$T/res.jsonl"
run 2 --input "$T/ok.jsonl" --output "$T/res.jsonl" --root "$T/root" --quiet
err_has "sigmix: $T/res.jsonl: "
[ -c "$full" ] || fail "$full is no longer a character device"
[ -s "$T/res.jsonl.partial.jsonl" ] || fail "journal missing after failed write"
[ "$(grep -c . "$T/res.jsonl.partial.jsonl")" -eq 2 ] || fail "journal lines"
rm "$T/res.jsonl"
printf '{"key":"0123' >> "$T/res.jsonl.partial.jsonl"   # cut mid-line
run 0 --input "$T/ok.jsonl" --output "$T/res.jsonl" --root "$T/root" --quiet \
    --audit-json "$T/res_audit.json"
file_has "$T/res_audit.json" '"from_journal": 2'
absent "$T/res.jsonl.partial.jsonl"
cmp -s "$T/res.jsonl" "$T/ok_out.jsonl" || fail "resumed table differs from a fresh run"

# --- other output formats -------------------------------------------------------------------
run 0 --input "$T/ok.jsonl" --output "$T/o.csv" --root "$T/root" --quiet
head -1 "$T/o.csv" | grep -q 'saliency_mean' || fail "csv header"
run 0 --input "$T/ok.jsonl" --output "$T/o.json" --root "$T/root" --quiet
file_has "$T/o.json" '"saliency_status":"ok"'
# Parquet out, then back in: every row now holds values and is skipped
run 0 --input "$T/ok.jsonl" --output "$T/o.parquet" --root "$T/root" --quiet
# the footer's key/value metadata records what computed the columns
grep -aq 'sigmix.saliency.model_id' "$T/o.parquet" ||
    fail "parquet footer lacks the saliency provenance"
run 0 --input "$T/o.parquet" --output "$T/o_back.jsonl" --root "$T/root" --quiet
err_has "saliency materialize: total=3 ok=0 skipped=3 failed=0"
file_has "$T/o_back.jsonl" '"saliency_model_id":"spectral_residual_v1"'

if [ "$fails" -ne 0 ]; then
    echo "$fails failure(s)"
    exit 1
fi
echo "saliency CLI: all checks passed"
