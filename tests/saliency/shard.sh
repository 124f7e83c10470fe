#!/bin/bash
# Sharded `sigmix saliency`: N = 1, 2, 4, 7 shard processes run concurrently
# (started in reverse order, mixed --jobs) and merged must give the bytes of
# one run, on a table with repeated sources, failures and skipped rows. Then
# the partition's independence from row order, row count and --jobs; a lost,
# a duplicated, a corrupt shard and mixed configurations at merge time; the
# batch environment (Slurm, Kubernetes); SIGTERM and resume of a shard.
# $1: the gen_clip helper.
set -u
GEN=$1
BIN=${SIGMIX_BIN:?}
T=$(mktemp -d "${TMPDIR:-/tmp}/sigmix-sal-shard.XXXXXX")
bgpid=
trap '[ -n "$bgpid" ] && kill "$bgpid" 2>/dev/null; rm -rf "$T"' EXIT
fails=0
# The tests choose shards themselves: a Slurm or Kubernetes job running
# this suite must not leak its own task id into them.
unset SLURM_ARRAY_TASK_ID SLURM_ARRAY_TASK_COUNT SLURM_ARRAY_TASK_MIN SLURM_ARRAY_TASK_MAX \
      JOB_COMPLETION_INDEX

fail() { echo "FAIL: $*"; fails=$((fails + 1)); }
run() {
    local want=$1; shift
    timeout 120 "$BIN" saliency "$@" >"$T/out" 2>"$T/err"
    local got=$?
    [ "$got" -eq "$want" ] || fail "exit $got, expected $want: sigmix saliency $* :: $(cat "$T/err")"
}
err_has() { grep -qF -- "$1" "$T/err" || fail "stderr lacks '$1': $(cat "$T/err")"; }
err_is() { [ "$(cat "$T/err")" = "$1" ] || fail "stderr is not '$1': $(cat "$T/err")"; }
err_lines() { [ "$(grep -c . "$T/err")" -eq "$1" ] || fail "stderr has not $1 line(s): $(cat "$T/err")"; }
absent() { [ ! -e "$1" ] || fail "$1 should not exist"; }
same() { cmp -s "$1" "$2" || fail "$3: $1 and $2 differ"; }

# --- the table: 40 good clips (some rows repeat them), 2 that do not decode,
# one too large for --max-pixels, missing sources, rows that keep values ----
R=$T/root
mkdir -p "$R/sub"
for i in $(seq 0 39); do
    "$GEN" "$R/sub/c$i.yuv" 16 12 3 $((30 + 5 * i)) 220 $((i % 5)) $((i % 4)) 5 1 1 || exit 1
done
"$GEN" "$R/y.y4m" 24 16 3 90 30 4 4 6 1 -1 y4m || exit 1
printf 'not a video' > "$R/bad1.mp4"
printf 'nor this'    > "$R/bad2.mp4"
{
    for i in $(seq 0 39); do
        echo "{\"src\": \"sub/c$i.yuv\", \"width\": 16, \"height\": 12, \"mos\": $i}"
        [ $((i % 3)) -eq 0 ] && echo "{\"src\": \"sub/c$i.yuv\", \"width\": 16, \"height\": 12, \"mos\": -$i}"
        [ $((i % 10)) -eq 4 ] && echo "{\"src\": \"bad$((i % 20 / 10 + 1)).mp4\", \"width\": null, \"height\": null, \"mos\": 1}"
        [ $((i % 13)) -eq 5 ] && echo "{\"src\": \"gone$i.yuv\", \"width\": 16, \"height\": 12, \"mos\": 2}"
        [ $((i % 11)) -eq 7 ] && echo "{\"src\": \"sub/c$i.yuv\", \"width\": 16, \"height\": 12, \"mos\": 3, \"saliency_mean\": 0.5, \"saliency_var\": 0.25}"
    done
    echo '{"src": "y.y4m", "width": null, "height": null, "mos": 4}'
    echo '{"src": "sub/c1.yuv", "width": 64, "height": 64, "mos": 5}'
    echo '{"src": "y.y4m", "width": null, "height": null, "mos": 6}'
} > "$T/in.jsonl"
OPTS=(--root "$R" --max-pixels 2000 --max-frames 3 --quiet)

run 1 --input "$T/in.jsonl" --output "$T/single.jsonl" "${OPTS[@]}" --jobs 2
run 1 --input "$T/in.jsonl" --output "$T/single.parquet" "${OPTS[@]}" --jobs 2
for st in '"saliency_status":"decode-failed"' '"saliency_status":"model-failed"' \
          '"saliency_status":"missing-source"' '"saliency_status":"skipped-existing"'; do
    grep -qF "$st" "$T/single.jsonl" || fail "the table lacks $st"
done
clips=$(( 40 + 2 + 1 + 1 ))   # good, undecodable, too large, the y4m

# --- N shards, concurrently, started last to first, then merged --------------------
for n in 1 2 4 7; do
    d=$T/n$n
    mkdir -p "$d"
    pids=()
    for k in $(seq $((n - 1)) -1 0); do
        timeout 120 "$BIN" saliency --input "$T/in.jsonl" --output "$d/out.jsonl" "${OPTS[@]}" \
            --shard "$k/$n" --jobs $((k % 3 + 1)) 2>"$d/err$k" &
        pids+=($!)
    done
    for p in "${pids[@]}"; do
        wait "$p" || fail "N=$n: a shard failed: $(cat "$d"/err*)"
    done
    for k in $(seq 0 $((n - 1))); do
        grep -qxF "saliency: shard $k of $n (--shard $k/$n); results to $d/out.jsonl.shard-$k-of-$n.jsonl" \
            "$d/err$k" || fail "N=$n K=$k: no shard line: $(cat "$d/err$k")"
        absent "$d/out.jsonl.shard-$k-of-$n.partial.jsonl"
    done
    absent "$d/out.jsonl"
    # every clip in exactly one shard
    total=0
    for f in "$d"/out.jsonl.shard-*-of-$n.jsonl; do
        total=$((total + $(grep -c '^{"key"' "$f")))
    done
    [ "$total" -eq "$clips" ] || fail "N=$n: $total clip lines in the shards, expected $clips"
    [ "$(cat "$d"/out.jsonl.shard-* | grep '^{"key"' | cut -c1-75 | sort -u | wc -l)" -eq "$clips" ] \
        || fail "N=$n: a clip in two shards"
    run 1 --input "$T/in.jsonl" --output "$d/out.jsonl" "${OPTS[@]/--quiet/--jobs}" 1 --merge
    err_has "saliency: merge: $n of $n shard files, $clips clips"
    err_has "saliency: merge: $clips clips from shard files, 0 computed here"
    err_has "sigmix: $R/bad1.mp4: decode-failed: "
    err_has "sigmix: $R/sub/c1.yuv: model-failed: frame too large (64x64 > 2000 pixels)"
    same "$d/out.jsonl" "$T/single.jsonl" "N=$n merged"
done
# the failures travel in the shard files, with their status
cat "$T"/n4/out.jsonl.shard-* | grep -qF '"status":"decode-failed","message":"cannot open container' \
    || fail "no decode-failed line in the shard files"
# Parquet output too, from the same shard files (named after that output)
for k in 0 1 2 3; do
    cp "$T/n4/out.jsonl.shard-$k-of-4.jsonl" "$T/n4/out.parquet.shard-$k-of-4.jsonl"
done
run 1 --input "$T/in.jsonl" --output "$T/n4/out.parquet" "${OPTS[@]}" --merge
same "$T/n4/out.parquet" "$T/single.parquet" "Parquet merge"

# --- the partition depends on the clip only ------------------------------------------
S=$T/part
mkdir -p "$S"
tac "$T/in.jsonl" > "$S/rev.jsonl"          # other row order
head -25 "$T/in.jsonl" > "$S/head.jsonl"    # fewer rows
for k in 0 1 2 3; do
    run 0 --input "$S/rev.jsonl" --output "$S/rev.jsonl.out.jsonl" "${OPTS[@]}" --shard "$k/4" --jobs 3
    tail -n +2 "$S/rev.jsonl.out.jsonl.shard-$k-of-4.jsonl" > "$S/a"
    tail -n +2 "$T/n4/out.jsonl.shard-$k-of-4.jsonl" > "$S/b"
    same "$S/a" "$S/b" "row order changed shard $k"
    run 0 --input "$S/head.jsonl" --output "$S/head.out.jsonl" "${OPTS[@]}" --shard "$k/4"
    tail -n +2 "$S/head.out.jsonl.shard-$k-of-4.jsonl" > "$S/c"
    [ -z "$(comm -23 "$S/c" "$S/b")" ] || fail "fewer rows moved a clip out of shard $k"
done
run 0 --input "$T/in.jsonl" --output "$S/j1.jsonl" "${OPTS[@]}" --shard 2/4 --jobs 1
same "$S/j1.jsonl.shard-2-of-4.jsonl" "$T/n4/out.jsonl.shard-2-of-4.jsonl" "--jobs 1 vs 3"

# --- a lost shard is named and computed by the merge ------------------------------------
L=$T/lost
mkdir -p "$L"
cp "$T"/n7/out.jsonl.shard-* "$L/"
rm "$L/out.jsonl.shard-2-of-7.jsonl" "$L/out.jsonl.shard-5-of-7.jsonl"
run 1 --input "$T/in.jsonl" --output "$L/out.jsonl" "${OPTS[@]}" --merge
err_has "sigmix: saliency: merge: shards 2, 5 of 7 missing ($L/out.jsonl.shard-K-of-7.jsonl); computing their clips here"
lost=$(cat "$T/n7/out.jsonl.shard-2-of-7.jsonl" "$T/n7/out.jsonl.shard-5-of-7.jsonl" | grep -c '^{"key"')
same "$L/out.jsonl" "$T/single.jsonl" "merge with lost shards"
# (--quiet hides the counts; ask again without it for the "computed here" figure)
rm "$L/out.jsonl"
run 1 --input "$T/in.jsonl" --output "$L/out.jsonl" --root "$R" --max-pixels 2000 --max-frames 3 --merge
err_has "saliency: merge: $((clips - lost)) clips from shard files, $lost computed here"

# --- refused merges: one line, exit 2, nothing written ------------------------------------
M=$T/bad
reset_bad() { rm -rf "$M"; mkdir -p "$M"; cp "$T"/n4/out.jsonl.shard-* "$M/"; }
merge_refused() { # MESSAGE
    run 2 --input "$T/in.jsonl" --output "$M/out.jsonl" "${OPTS[@]}" --merge
    err_has "$1"
    err_lines 1
    absent "$M/out.jsonl"
    absent "$M/out.jsonl.partial.jsonl"
}
reset_bad
cp "$M/out.jsonl.shard-1-of-4.jsonl" "$M/out.jsonl.shard-01-of-4.jsonl"
merge_refused "sigmix: $M/out.jsonl: shard 1 of 4 twice: $M/out.jsonl.shard-01-of-4.jsonl and $M/out.jsonl.shard-1-of-4.jsonl"
reset_bad   # a copy under another number is a duplicate of the one it holds
cp "$M/out.jsonl.shard-1-of-4.jsonl" "$M/out.jsonl.shard-3-of-4.jsonl"
merge_refused "sigmix: $M/out.jsonl: shard 1 of 4 twice: $M/out.jsonl.shard-1-of-4.jsonl and $M/out.jsonl.shard-3-of-4.jsonl"
reset_bad   # another configuration
run 0 --input "$T/in.jsonl" --output "$M/out.jsonl" "${OPTS[@]}" --shard 2/4 --max-frames 2
merge_refused "sigmix: $M/out.jsonl.shard-2-of-4.jsonl: shard 2 of 4 was made with another configuration (sha256 "
reset_bad
run 0 --input "$T/in.jsonl" --output "$M/out.jsonl" "${OPTS[@]}" --shard 0/4 --temporal-aggregator max
merge_refused "shard 0 of 4 was made with another configuration"
reset_bad   # another input
run 0 --input "$S/head.jsonl" --output "$M/out.jsonl" "${OPTS[@]}" --shard 3/4
merge_refused "sigmix: $M/out.jsonl.shard-3-of-4.jsonl: shard 3 of 4 was made from another input (sha256 "
reset_bad   # a cut or edited file
head -c 300 "$T/n4/out.jsonl.shard-1-of-4.jsonl" > "$M/out.jsonl.shard-1-of-4.jsonl"
merge_refused "sigmix: $M/out.jsonl.shard-1-of-4.jsonl: line 2: cut short (no newline)"
reset_bad
head -n 3 "$T/n4/out.jsonl.shard-0-of-4.jsonl" > "$M/out.jsonl.shard-0-of-4.jsonl"
merge_refused "sigmix: $M/out.jsonl.shard-0-of-4.jsonl: 2 clip lines, the header says"
reset_bad
# The first result line (clips finish in any order, so line 2 may be a
# failure line, which has no "mean").
bad_line=$(awk 'NR > 1 && /"mean"/ { print NR; exit }' "$M/out.jsonl.shard-2-of-4.jsonl")
sed -i "${bad_line}s/\"mean\"/\"mean \"/" "$M/out.jsonl.shard-2-of-4.jsonl"
merge_refused "sigmix: $M/out.jsonl.shard-2-of-4.jsonl: line $bad_line: not a shard result line"
reset_bad   # shards of two counts: which one is meant?
cp "$T/n2/out.jsonl.shard-0-of-2.jsonl" "$M/"
merge_refused "sigmix: $M/out.jsonl: shard files of different counts"
run 1 --input "$T/in.jsonl" --output "$M/out.jsonl" "${OPTS[@]}" --merge --shards 4
same "$M/out.jsonl" "$T/single.jsonl" "merge --shards 4 beside 2-shard files"
rm -rf "$M"; mkdir -p "$M"
merge_refused "sigmix: $M/out.jsonl: --merge found no shard files"
# The shard files load while the table is read; what is wrong is still said
# in the order of the steps: the table first, then the model, then shards.
printf '{"src": "sub/c1.yuv", "width": 16\n' > "$T/broken.jsonl"
run 2 --input "$T/broken.jsonl" --output "$M/out.jsonl" "${OPTS[@]}" --merge --model-path "$T/none.onnx"
err_has "sigmix: $T/broken.jsonl: "
err_lines 1
absent "$M/out.jsonl"
run 2 --input "$T/in.jsonl" --output "$M/out.jsonl" "${OPTS[@]}" --merge --model-path "$T/none.onnx"
err_has "sigmix: $T/none.onnx: "
err_lines 1
absent "$M/out.jsonl"

# --- usage -----------------------------------------------------------------------------------
for bad in 4/4 -1/4 1/0 a/b 1 1/ /4 " 1/4" 1/100001; do
    run 2 --input "$T/in.jsonl" --output "$T/u.jsonl" --shard "$bad"
    err_is "sigmix: saliency: --shard must be K/N with 0 <= K < N <= 100000, not '$bad' (try 'sigmix help saliency')"
done
run 2 --input "$T/in.jsonl" --output "$T/u.jsonl" --shard 1/4 --merge
err_is "sigmix: saliency: --merge and --shard exclude each other (try 'sigmix help saliency')"
run 2 --input "$T/in.jsonl" --output "$T/u.jsonl" --shard 1/4 --shards 3
err_is "sigmix: saliency: --shards differs from the N of --shard K/N (try 'sigmix help saliency')"
run 2 --input "$T/in.jsonl" --output "$T/u.jsonl" --shards 4
err_is "sigmix: saliency: --shards N needs a shard index: --shard K/N, SLURM_ARRAY_TASK_ID or JOB_COMPLETION_INDEX (or --merge) (try 'sigmix help saliency')"
run 2 --input "$T/in.jsonl" --output "$T/u.jsonl" --shards 0
absent "$T/u.jsonl"

# --- the batch system says which shard -------------------------------------------------------
E=$T/env
mkdir -p "$E"
env_run() { # EXIT ENV... -- ARGS...
    local want=$1; shift
    local vars=()
    while [ "$1" != -- ]; do vars+=("$1"); shift; done
    shift
    env "${vars[@]}" timeout 120 "$BIN" saliency --input "$T/in.jsonl" "${OPTS[@]}" "$@" \
        >"$T/out" 2>"$T/err"
    local got=$?
    [ "$got" -eq "$want" ] || fail "exit $got, expected $want: ${vars[*]} $* :: $(cat "$T/err")"
}
env_run 0 SLURM_ARRAY_TASK_ID=2 SLURM_ARRAY_TASK_COUNT=4 SLURM_ARRAY_TASK_MIN=0 \
    SLURM_ARRAY_TASK_MAX=3 -- --output "$E/s.jsonl"
err_has "saliency: shard 2 of 4 (SLURM_ARRAY_TASK_ID=2, SLURM_ARRAY_TASK_COUNT=4); results to $E/s.jsonl.shard-2-of-4.jsonl"
same "$E/s.jsonl.shard-2-of-4.jsonl" "$T/n4/out.jsonl.shard-2-of-4.jsonl" "Slurm shard"
absent "$E/s.jsonl"
# --array=1-4 without a count: MIN/MAX
env_run 0 SLURM_ARRAY_TASK_ID=4 SLURM_ARRAY_TASK_MIN=1 SLURM_ARRAY_TASK_MAX=4 -- --output "$E/m.jsonl"
err_has "saliency: shard 3 of 4 (SLURM_ARRAY_TASK_ID=4, SLURM_ARRAY_TASK_MIN=1, SLURM_ARRAY_TASK_MAX=4)"
same "$E/m.jsonl.shard-3-of-4.jsonl" "$T/n4/out.jsonl.shard-3-of-4.jsonl" "Slurm MIN/MAX shard"
# Every refusal is one exact line (the library's sigmix_shard_select words
# them, as for vmaf-logs), exit 2, nothing written.
SLURM_NAN="sigmix: saliency: a SLURM_ARRAY_TASK_* variable is not a number (use --shard K/N or --no-shard-env)"
SLURM_FIT="sigmix: saliency: SLURM_ARRAY_TASK_ID does not fit the array (expected SLURM_ARRAY_TASK_MIN..MAX, at most 100000 tasks)"
K8S_NAN="sigmix: saliency: JOB_COMPLETION_INDEX is not a number (use --shard K/N or --no-shard-env)"
env_refused() { # MESSAGE ENV...
    local msg=$1; shift
    env_run 2 "$@" -- --output "$E/x.jsonl"
    err_is "$msg"
    absent "$E/x.jsonl"
    absent "$E/x.jsonl.partial.jsonl"
}
env_refused "sigmix: saliency: the Slurm array is not contiguous (SLURM_ARRAY_TASK_COUNT differs from MAX - MIN + 1); use --array=0-N-1 or --shard K/N" \
    SLURM_ARRAY_TASK_ID=4 SLURM_ARRAY_TASK_COUNT=3 SLURM_ARRAY_TASK_MIN=0 SLURM_ARRAY_TASK_MAX=6
env_refused "sigmix: saliency: SLURM_ARRAY_TASK_ID is set but neither SLURM_ARRAY_TASK_COUNT nor SLURM_ARRAY_TASK_MIN/MAX (use --shard K/N or --no-shard-env)" \
    SLURM_ARRAY_TASK_ID=7
env_refused "$SLURM_NAN" SLURM_ARRAY_TASK_ID=x SLURM_ARRAY_TASK_COUNT=4
env_refused "$SLURM_NAN" SLURM_ARRAY_TASK_ID=1 SLURM_ARRAY_TASK_COUNT=-4
env_refused "$SLURM_FIT" SLURM_ARRAY_TASK_ID=5 SLURM_ARRAY_TASK_COUNT=4
env_refused "$SLURM_FIT" SLURM_ARRAY_TASK_ID=1 SLURM_ARRAY_TASK_COUNT=100001
# Values above 2^40 are not numbers to the batch environment (the library's
# bound); up to LONG_MAX they used to be "does not fit the array".
env_refused "$SLURM_NAN" SLURM_ARRAY_TASK_ID=2000000000000 SLURM_ARRAY_TASK_COUNT=4
env_refused "$SLURM_NAN" SLURM_ARRAY_TASK_ID=1 SLURM_ARRAY_TASK_COUNT=9223372036854775807
env_refused "$SLURM_FIT" SLURM_ARRAY_TASK_ID=1099511627776 SLURM_ARRAY_TASK_COUNT=4
env_refused "$SLURM_NAN" SLURM_ARRAY_TASK_ID=1099511627777 SLURM_ARRAY_TASK_COUNT=4
env_run 2 SLURM_ARRAY_TASK_ID=1 SLURM_ARRAY_TASK_COUNT=4 -- --output "$E/x.jsonl" --shards 3
err_is "sigmix: saliency: --shards differs from the Slurm array's task count"
absent "$E/x.jsonl.shard-1-of-4.jsonl"
# Kubernetes Indexed Job
env_run 0 JOB_COMPLETION_INDEX=1 -- --output "$E/k.jsonl" --shards 4
err_has "saliency: shard 1 of 4 (JOB_COMPLETION_INDEX=1, --shards 4); results to $E/k.jsonl.shard-1-of-4.jsonl"
same "$E/k.jsonl.shard-1-of-4.jsonl" "$T/n4/out.jsonl.shard-1-of-4.jsonl" "Kubernetes shard"
env_refused "sigmix: saliency: JOB_COMPLETION_INDEX is set (Kubernetes Indexed Job) but --shards N is not; give the Job's completions as --shards N, or --no-shard-env" \
    JOB_COMPLETION_INDEX=1
k8s_refused() { # MESSAGE INDEX
    env_run 2 JOB_COMPLETION_INDEX="$2" -- --output "$E/x.jsonl" --shards 4
    err_is "$1"
    absent "$E/x.jsonl.shard-$2-of-4.jsonl"
}
k8s_refused "sigmix: saliency: JOB_COMPLETION_INDEX is not below --shards N" 4
k8s_refused "$K8S_NAN" -1
k8s_refused "$K8S_NAN" " 1"
k8s_refused "$K8S_NAN" $'\t1'   # strtol skipped the tab: it was shard 1
k8s_refused "$K8S_NAN" 2000000000000
# --shard wins over the environment; --no-shard-env ignores it; --merge is one job
env_run 0 SLURM_ARRAY_TASK_ID=0 SLURM_ARRAY_TASK_COUNT=4 -- --output "$E/f.jsonl" --shard 2/4
err_has "saliency: shard 2 of 4 (--shard 2/4)"
env_run 1 SLURM_ARRAY_TASK_ID=2 SLURM_ARRAY_TASK_COUNT=4 JOB_COMPLETION_INDEX=1 -- \
    --output "$E/plain.jsonl" --no-shard-env
same "$E/plain.jsonl" "$T/single.jsonl" "--no-shard-env"
cp "$T"/n4/out.jsonl.shard-* "$E/"
env_run 1 SLURM_ARRAY_TASK_ID=2 SLURM_ARRAY_TASK_COUNT=4 -- --output "$E/out.jsonl" --merge
same "$E/out.jsonl" "$T/single.jsonl" "--merge inside a Slurm array task"

# --- SIGTERM: a preempted shard keeps its clips; the rerun computes only the rest --------------
"$GEN" "$R/m.y4m" 160 120 8 60 200 10 10 20 4 3 y4m || exit 1
for i in $(seq 0 39); do
    echo "{\"src\": \"m.y4m\", \"width\": $((320 + 2 * i)), \"height\": 240, \"id\": $i}"
done > "$T/many.jsonl"
P=$T/pre
mkdir -p "$P"
run 0 --input "$T/many.jsonl" --output "$P/ref.jsonl" --root "$R" --quiet --jobs 1 --shard 0/1
j=$P/int.jsonl.shard-0-of-1.partial.jsonl
"$BIN" saliency --input "$T/many.jsonl" --output "$P/int.jsonl" --root "$R" --quiet --jobs 1 \
    --shard 0/1 2>"$T/err" &
bgpid=$!
for _ in $(seq 1 1500); do
    [ -s "$j" ] && break
    sleep 0.01
done
kill -TERM "$bgpid"
wait "$bgpid"
got=$?
bgpid=
[ "$got" -eq 143 ] || fail "SIGTERM shard: exit $got: $(cat "$T/err")"
absent "$P/int.jsonl.shard-0-of-1.jsonl"
kept=$(grep -c . "$j")
[ "$kept" -ge 1 ] && [ "$kept" -lt 40 ] || fail "SIGTERM shard: journal has $kept lines"
err_has "saliency: interrupted; $kept of 40 clips kept in $j; rerun the same command to resume"
run 0 --input "$T/many.jsonl" --output "$P/int.jsonl" --root "$R" --quiet --jobs 1 --shard 0/1
err_has "saliency: shard 0 of 1: clips=40 ok=40 failed=0 reused=$kept; wrote $P/int.jsonl.shard-0-of-1.jsonl"
tail -n +2 "$P/int.jsonl.shard-0-of-1.jsonl" > "$P/a"
tail -n +2 "$P/ref.jsonl.shard-0-of-1.jsonl" > "$P/b"
same "$P/a" "$P/b" "resumed shard"
absent "$j"
# a requeued task whose first run had finished computes nothing again
run 0 --input "$T/many.jsonl" --output "$P/int.jsonl" --root "$R" --quiet --jobs 1 --shard 0/1
err_has "reused=40;"

# --- rows resolved on several threads ------------------------------------------------
# A table of 20,000+ rows is classified (sources resolved and stat'ed) in
# parts, one per CPU; one CPU must give the same bytes. The rows repeat the
# table above, so parts start and end inside runs of one source.
if command -v taskset >/dev/null && [ "$(nproc)" -gt 1 ]; then
    for _ in $(seq 1 400); do cat "$T/in.jsonl"; done > "$T/big.jsonl"
    [ "$(grep -c . "$T/big.jsonl")" -gt 16384 ] || fail "big table too small"
    run 1 --input "$T/big.jsonl" --output "$T/big_all.jsonl" "${OPTS[@]}" --jobs 2
    timeout 120 taskset -c 0 "$BIN" saliency --input "$T/big.jsonl" --output "$T/big_one.jsonl" \
        "${OPTS[@]}" --jobs 2 2>"$T/err"
    [ $? -eq 1 ] || fail "one-CPU run of the big table: $(cat "$T/err")"
    same "$T/big_all.jsonl" "$T/big_one.jsonl" "rows classified on all CPUs vs one"
    [ "$(grep -c '"saliency_status":"missing-source"' "$T/big_all.jsonl")" -eq \
      $((400 * $(grep -c '"saliency_status":"missing-source"' "$T/single.jsonl"))) ] ||
        fail "big table: missing-source rows"
fi

if [ "$fails" -ne 0 ]; then
    echo "$fails failure(s)"
    exit 1
fi
echo "all shard tests passed"
