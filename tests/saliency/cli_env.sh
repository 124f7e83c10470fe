#!/bin/bash
# CLI tests of `sigmix saliency` in its environment: automatic jobs under
# taskset, progress lines in batch logs, SIGTERM/SIGINT/SIGHUP then resume
# (byte-identical), inputs checked before hashing (/dev/zero, FIFO), Parquet
# folders, text geometry in mixed columns, --max-pixels, and messages that
# name the path and the likely fix.
# $1: the gen_clip helper.
set -u
GEN=$1
BIN=${SIGMIX_BIN:?}
T=$(mktemp -d "${TMPDIR:-/tmp}/sigmix-sal-env.XXXXXX")
bgpid=
trap '[ -n "$bgpid" ] && kill "$bgpid" 2>/dev/null; rm -rf "$T"' EXIT
fails=0

fail() { echo "FAIL: $*"; fails=$((fails + 1)); }
run() {
    local want=$1; shift
    timeout 60 "$BIN" saliency "$@" >"$T/out" 2>"$T/err"
    local got=$?
    [ "$got" -eq "$want" ] || fail "exit $got, expected $want: sigmix saliency $* :: $(cat "$T/err")"
}
err_has() { grep -qF -- "$1" "$T/err" || fail "stderr lacks '$1': $(cat "$T/err")"; }
err_count() { [ "$(grep -cF -- "$1" "$T/err")" -eq "$2" ] || fail "stderr has '$1' $(grep -cF -- "$1" "$T/err") times, expected $2: $(cat "$T/err")"; }
file_has() { grep -qF -- "$2" "$1" || fail "$1 lacks '$2'"; }
absent() { [ ! -e "$1" ] || fail "$1 should not exist"; }

mkdir -p "$T/root" "$T/outside"
"$GEN" "$T/root/a.yuv" 64 36 6 50 210 8 6 10 5 2 || exit 1
"$GEN" "$T/root/b.y4m" 48 32 5 100 20 30 10 8 -3 1 y4m || exit 1
"$GEN" "$T/root/m.y4m" 160 120 8 60 200 10 10 20 4 3 y4m || exit 1
"$GEN" "$T/outside/o.yuv" 64 36 6 50 210 8 6 10 5 2 || exit 1
cat > "$T/ok.jsonl" <<JL
{"src": "a.yuv", "width": 64, "height": 36}
{"src": "b.y4m"}
{"src": "a.yuv", "width": 32, "height": 18}
JL
# many distinct clips from one small file: each row declares its own geometry
for i in $(seq 0 39); do
    echo "{\"src\": \"m.y4m\", \"width\": $((320 + 2 * i)), \"height\": 240, \"id\": $i}"
done > "$T/many.jsonl"

# --- automatic jobs follow the affinity mask ---------------------------------------
if command -v taskset >/dev/null; then
    taskset -c 0 "$BIN" saliency --input "$T/ok.jsonl" --output "$T/t1.jsonl" --root "$T/root" \
        --quiet --audit-json "$T/t1.json" 2>"$T/err" || fail "taskset run: $(cat "$T/err")"
    file_has "$T/t1.json" '"jobs": 1,'
    file_has "$T/t1.json" '"jobs": null,'
    file_has "$T/t1.json" '"cpus_available": 1,'
    # an explicit --jobs is kept (up to the number of clips)
    taskset -c 0 "$BIN" saliency --input "$T/ok.jsonl" --output "$T/t2.jsonl" --root "$T/root" \
        --quiet --jobs 2 --audit-json "$T/t2.json" 2>"$T/err" || fail "taskset --jobs 2"
    file_has "$T/t2.json" '"jobs": 2,'
    cmp -s "$T/t1.jsonl" "$T/t2.jsonl" || fail "jobs 1 and 2 differ"
else
    echo "note: taskset missing, affinity check skipped (test_env covers it)"
fi

# --- progress: plain lines when stderr is not a terminal -----------------------------
SIGMIX_PROGRESS_INTERVAL=0.05 timeout 60 "$BIN" saliency --input "$T/many.jsonl" \
    --output "$T/p.jsonl" --root "$T/root" --jobs 1 2>"$T/err" || fail "progress run"
grep -Eq '^saliency: [0-9]+/40 rows \([0-9]+%\)  [0-9]+\.[0-9]{2} clips/s  ETA [0-9]+:[0-9]{2}$' \
    "$T/err" || fail "no progress line: $(head -3 "$T/err")"
grep -q $'\r' "$T/err" && fail "terminal control characters in a log"
tail -1 "$T/err" | grep -qF "saliency materialize: total=40 ok=40" || fail "summary last"
# default 30 s: a short run prints none
run 0 --input "$T/ok.jsonl" --output "$T/p2.jsonl" --root "$T/root"
[ "$(grep -c 'rows (' "$T/err")" -eq 0 ] || fail "progress line before 30 s"

# on a terminal (a pty from script(1)): a bar redrawn on one line, never wider than it
if command -v script >/dev/null; then
    script -qfec "stty cols 60; '$BIN' saliency --input '$T/many.jsonl' --output '$T/tty.jsonl' \
        --root '$T/root' --jobs 1" "$T/typescript" > "$T/tty_out" 2>&1 || fail "tty run"
    tr '\r' '\n' < "$T/tty_out" | sed 's/^\x1b\[K//' > "$T/tty_lines"
    grep -Eq '^saliency \[[#.]+\] [0-9]+/40 rows' "$T/tty_lines" || fail "no bar: $(cat -v "$T/tty_out")"
    awk 'length($0) > 59 { bad = 1 } END { exit bad }' "$T/tty_lines" \
        || fail "a line wider than the terminal: $(cat -v "$T/tty_out")"
    grep -q 'rows (' "$T/tty_lines" && [ "$(grep -c 'rows (' "$T/tty_out")" -eq 1 ] \
        || fail "the bar is not redrawn on one line"
fi

# --- signals: stop cleanly, keep the journal, resume byte-identical ------------------
run 0 --input "$T/many.jsonl" --output "$T/ref.jsonl" --root "$T/root" --quiet --jobs 1
interrupt() { # SIG EXPECTED_EXIT
    local sig=$1 want=$2 out="$T/int_$1.jsonl" j="$T/int_$1.jsonl.partial.jsonl"
    rm -f "$out" "$j"
    "$BIN" saliency --input "$T/many.jsonl" --output "$out" --root "$T/root" --quiet --jobs 1 \
        2>"$T/err_$sig" &
    bgpid=$!
    for _ in $(seq 1 1500); do   # until the first clips are journaled
        [ -s "$j" ] && break
        sleep 0.01
    done
    kill -"$sig" "$bgpid"
    wait "$bgpid"
    local got=$?
    bgpid=
    [ "$got" -eq "$want" ] || fail "SIG$sig: exit $got, expected $want: $(cat "$T/err_$sig")"
    absent "$out"
    local kept
    kept=$(grep -c . "$j")
    [ "$kept" -ge 1 ] && [ "$kept" -lt 40 ] || fail "SIG$sig: journal has $kept lines"
    grep -qxF "saliency: interrupted; $kept of 40 clips kept in $j; rerun the same command to resume" \
        "$T/err_$sig" || fail "SIG$sig message: $(cat "$T/err_$sig")"
    [ "$(grep -c . "$T/err_$sig")" -eq 1 ] || fail "SIG$sig: more than one line: $(cat "$T/err_$sig")"
    # rerun: the journal's clips are reused and the table is the uninterrupted one
    run 0 --input "$T/many.jsonl" --output "$out" --root "$T/root" --quiet --jobs 1 \
        --audit-json "$T/int_$sig.json"
    file_has "$T/int_$sig.json" "\"from_journal\": $kept"
    cmp -s "$out" "$T/ref.jsonl" || fail "SIG$sig: resumed table differs from an uninterrupted run"
    absent "$j"
}
interrupt TERM 143
interrupt INT 130
interrupt HUP 129

# --- inputs are checked before they are hashed ---------------------------------------
run 2 --input /dev/zero --output "$T/z.jsonl"
err_has "sigmix: /dev/zero: not a regular file or a Parquet folder"
absent "$T/z.jsonl"
mkfifo "$T/fifo.jsonl"
( cat "$T/ok.jsonl" > "$T/fifo.jsonl" ) 2>/dev/null &
bgpid=$!
run 2 --input "$T/fifo.jsonl" --output "$T/f.jsonl" --root "$T/root"
err_has "sigmix: $T/fifo.jsonl: not a regular file or a Parquet folder"
kill "$bgpid" 2>/dev/null; wait "$bgpid" 2>/dev/null; bgpid=
run 2 --input "$T/ok.jsonl" --output "$T/f.jsonl" --model-path /dev/zero
err_has "sigmix: /dev/zero: not a regular file"

# --- a Parquet folder is an input, as for cat -----------------------------------------------
run 0 --input "$T/ok.jsonl" --output "$T/pq.parquet" --root "$T/root" --quiet --status-column ""
mkdir -p "$T/pqdir/part=1"
"$BIN" cat "$T/ok.jsonl" -o "$T/pqdir/part=1/a.parquet" 2>/dev/null \
    || "$BIN" cat --output "$T/pqdir/part=1/a.parquet" "$T/ok.jsonl" 2>/dev/null \
    || cp "$T/pq.parquet" "$T/pqdir/part=1/a.parquet"
cp "$T/pq.parquet" "$T/pqdir/b.parquet"
run 0 --input "$T/pqdir" --output "$T/fromdir.jsonl" --root "$T/root" --quiet \
    --audit-json "$T/dir.json"
[ "$(grep -c . "$T/fromdir.jsonl")" -eq 6 ] || fail "folder rows: $(cat "$T/fromdir.jsonl")"
sha=$( (cd "$T/pqdir" && sha256sum b.parquet part=1/a.parquet) | sha256sum | cut -d' ' -f1)
file_has "$T/dir.json" "\"input_sha256\": \"$sha\""
# a folder that contains itself is refused before it is read
ln -s .. "$T/pqdir/part=1/loop"
run 2 --input "$T/pqdir" --output "$T/loop.jsonl" --root "$T/root" --quiet
err_has "sigmix: $T/pqdir: part=1/loop: a symlink loop (the folder contains itself)"
absent "$T/loop.jsonl"
rm "$T/pqdir/part=1/loop"

# --- geometry as numeric text in a mixed-type column ------------------------------------------
cat > "$T/mixed.jsonl" <<JL
{"src": "a.yuv", "width": "64", "height": "36"}
{"src": "a.yuv", "width": 64, "height": 36}
JL
run 0 --input "$T/mixed.jsonl" --output "$T/mixed_out.jsonl" --root "$T/root" --quiet
err_has "saliency materialize: total=2 ok=2 skipped=0 failed=0"

# --- --max-pixels ---------------------------------------------------------------------------
run 2 --input "$T/ok.jsonl" --output "$T/mp.jsonl" --max-pixels 0
err_has "--max-pixels must be an integer in 1..268435456, not '0'"
printf '{"src": "a.yuv", "width": 8192, "height": 8192}\n{"src": "a.yuv", "width": 64, "height": 36}\n' \
    > "$T/huge.jsonl"
run 1 --input "$T/huge.jsonl" --output "$T/mp.jsonl" --root "$T/root"
err_has "a.yuv: model-failed: frame too large (8192x8192 > 33177600 pixels)"
grep -q '"saliency_status":"model-failed"' "$T/mp.jsonl" || fail "max-pixels status"
run 1 --input "$T/ok.jsonl" --output "$T/mp.jsonl" --root "$T/root" --max-pixels 1000
err_has "b.y4m: model-failed: frame too large (48x32 > 1000 pixels)"
"$BIN" saliency --help > "$T/out"
file_has "$T/out" "--max-pixels N"

# --- messages that name the path and the likely fix ----------------------------------------
run 2 --input "$T/ok.jsonl" --output "$T/m.jsonl" --path-column source
err_has "sigmix: $T/ok.jsonl: path column 'source' not found (columns: 'src', 'width', 'height'; see --path-column)"
printf 'not an onnx model' > "$T/bogus.onnx"
run 2 --input "$T/ok.jsonl" --output "$T/m.jsonl" --model-path "$T/bogus.onnx"
grep -q "^sigmix: $T/bogus.onnx: " "$T/err" || fail "model error does not name the model: $(cat "$T/err")"
grep -q "sigmix: saliency:" "$T/err" && fail "model error says 'saliency': $(cat "$T/err")"
run 1 --input "$T/ok.jsonl" --output "$T/m.jsonl" --root "$T/outside"
err_count "no row's clip was found (3 rows missing-source); --root ($T/outside) or --path-column (src) may be wrong" 1
printf '{"src": "../outside/o.yuv", "width": 64, "height": 36}\n{"src": "a.yuv", "width": 64, "height": 36}\n' \
    > "$T/esc.jsonl"
run 1 --input "$T/esc.jsonl" --output "$T/m.jsonl" --root "$T/root"
err_has "../outside/o.yuv: missing-source: resolves outside the root (--allow-outside-root accepts it)"
grep -q "no row's clip was found" "$T/err" && fail "all-missing warning with a found clip"
printf '%s\n' '{"src": "a.yuv", "width": 64, "height": 36, "saliency_mean": 0.5, "saliency_var": 0.1, "saliency_model_id": "other_v2"}' \
    '{"src": "a.yuv", "width": 64, "height": 36, "saliency_mean": 0.5, "saliency_var": 0.1, "saliency_model_id": "other_v2"}' \
    '{"src": "a.yuv", "width": 64, "height": 36, "saliency_mean": 0.5, "saliency_var": 0.1, "saliency_model_id": "spectral_residual_v1"}' \
    > "$T/other.jsonl"
run 0 --input "$T/other.jsonl" --output "$T/m.jsonl" --root "$T/root"
err_count "warning: 2 rows keep saliency values made by another model (saliency_model_id is not 'spectral_residual_v1'); use --overwrite to recompute them" 1
run 0 --input "$T/other.jsonl" --output "$T/m.jsonl" --root "$T/root" --overwrite
grep -q "another model" "$T/err" && fail "other-model warning with --overwrite"

if [ "$fails" -ne 0 ]; then
    echo "$fails failure(s)"
    exit 1
fi
echo "saliency CLI environment: all checks passed"
