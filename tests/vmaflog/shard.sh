#!/bin/bash
# sigmix vmaf-logs --shard / --merge: N = 1, 2, 4, 7 shard processes run
# concurrently (started last to first, mixed --jobs) over 50 logs with 2
# bad ones (--skip-bad), merged byte-identical to one run; a lost shard, a
# duplicated shard, mixed options and inputs, a damaged shard file, and the
# batch-system environment (Slurm arrays, Kubernetes Indexed Jobs).
set -u
S=${SIGMIX_BIN:-build/sigmix}
SRC=${SIGMIX_SRC:-.}
T=$(mktemp -d "${TMPDIR:-/tmp}/vmaflog_shard.XXXXXX")
trap '[ -n "${KEEP:-}" ] || rm -rf "$T"' EXIT
fails=0
ok()   { echo "ok: $1"; }
bad()  { echo "FAIL: $1"; fails=$((fails + 1)); }
check() { if eval "$2"; then ok "$1"; else bad "$1"; fi; }
Q="'"

PY=
for cand in /usr/bin/python3 python3; do
    command -v "$cand" >/dev/null 2>&1 && { PY=$cand; break; }
done
[ -n "$PY" ] || { echo "skip: no python3 for the log generator"; exit 77; }
"$PY" "$SRC/tests/vmaflog/gen_logs.py" "$T/gen" >/dev/null || { echo "generator failed"; exit 1; }

# 48 good logs of every layout in 6 folders (unique stems), 2 bad ones.
L=$T/logs
for d in 0 1 2 3 4 5; do
    mkdir -p "$L/set$d"
    for f in "$T"/gen/*.json "$T"/gen/*.xml "$T"/gen/*.csv "$T"/gen/*.sub; do
        b=$(basename "$f")
        cp "$f" "$L/set$d/s${d}_$b"
    done
done
head -c 700 "$T/gen/a_json231.json" >"$L/set2/zz_trunc.json"
printf 'not a log\n' >"$L/set4/zz_junk.csv"
n_logs=$(find "$L" -type f | wc -l)
check "50 logs" '[ "$n_logs" -eq 50 ]'

O=$T/out
mkdir -p "$O"
"$S" vmaf-logs "$L" --skip-bad -o "$O/one.jsonl" 2>"$T/err"
check "single run: exit 1 (2 bad logs)" '[ $? -eq 1 ]'
"$S" vmaf-logs "$L" --skip-bad --per-frame -o "$O/one_frames.parquet" 2>/dev/null

# --- N = 1, 2, 4, 7 shards at once, started last to first, then merged ------
for n in 1 2 4 7; do
    pids=()
    for ((k = n - 1; k >= 0; k--)); do
        "$S" vmaf-logs "$L" --skip-bad -o "$O/t$n.jsonl" --shard "$k/$n" -j $((k % 3 + 1)) \
            2>"$T/err.$n.$k" &
        pids+=($!)
    done
    st=0
    for p in "${pids[@]}"; do wait "$p" || st=1; done
    check "N=$n: every shard exits 0" '[ $st -eq 0 ]'
    check "N=$n: no table from a shard" '[ ! -e "$O/t$n.jsonl" ]'
    total=$(cat "$O/t$n.jsonl".shard-*-of-$n.jsonl | grep -c '^{"log":')
    check "N=$n: every log in exactly one shard" '[ "$total" -eq 50 ] && [ "$(cat "$O/t$n.jsonl".shard-*-of-$n.jsonl | grep -o "^{\"log\":[0-9]*" | sort -u | wc -l)" -eq 50 ]'
    "$S" vmaf-logs "$L" --skip-bad -o "$O/t$n.jsonl" --merge 2>"$T/merr"
    check "N=$n: merge exit 1 (the bad logs, as one run)" '[ $? -eq 1 ]'
    check "N=$n: merged table byte-identical to one run" 'cmp -s "$O/t$n.jsonl" "$O/one.jsonl"'
    check "N=$n: merge line" 'grep -qx "sigmix vmaf-logs: merge: 50 logs from $n shard files, 0 read here" "$T/merr"'
done
"$S" vmaf-logs "$L" --skip-bad -o "$O/t2.jsonl" --merge --audit-json "$O/t2.prov.json" 2>/dev/null
check "merge report: args record the merge" 'tr -d " \n" <"$O/t2.prov.json" | grep -q "\"merge\":true,\"no_shard_env\":false,.*\"shards\":2,"'
check "merge report: same logs as one run" '[ "$(grep -c "\"key\":" "$O/t2.prov.json")" -eq 50 ]'
check "shard stderr line" 'grep -qx "sigmix vmaf-logs: shard 3 of 7 (--shard 3/7); results to $O/t7.jsonl.shard-3-of-7.jsonl" "$T/err.7.3"'
check "bad logs are error lines in their shard" '[ "$(cat "$O"/t4.jsonl.shard-*-of-4.jsonl | grep -c "\"error\":")" -eq 2 ]'

# Per frame, Parquet.
for k in 3 1 0 2; do
    "$S" vmaf-logs "$L" --skip-bad --per-frame -o "$O/f.parquet" --shard "$k/4" 2>/dev/null ||
        bad "per-frame shard $k"
done
"$S" vmaf-logs "$L" --skip-bad --per-frame -o "$O/f.parquet" --merge 2>/dev/null
check "per-frame Parquet merge byte-identical" 'cmp -s "$O/f.parquet" "$O/one_frames.parquet"'

# --- the partition: independent of order and --jobs -------------------------
paths_of() { grep -o '"path":"[^"]*"' "$1" | sort; }
rev=$(find "$L" -type f | sort -r)
# shellcheck disable=SC2086
"$S" vmaf-logs $rev --skip-bad -o "$O/r.jsonl" --shard 1/4 -j 3 2>/dev/null
check "same logs in shard 1/4 when the logs are listed in reverse" '[ "$(paths_of "$O/r.jsonl.shard-1-of-4.jsonl")" = "$(paths_of "$O/t4.jsonl.shard-1-of-4.jsonl")" ]'
"$S" vmaf-logs "$L" --skip-bad -o "$O/j.jsonl" --shard 2/7 -j 1 2>/dev/null
check "--jobs 1 and 3 give the same shard file" 'cmp -s "$O/j.jsonl.shard-2-of-7.jsonl" "$O/t7.jsonl.shard-2-of-7.jsonl"'
# A subset of the logs keeps each log in its shard.
"$S" vmaf-logs "$L/set1" "$L/set3" -o "$O/sub.jsonl" --shard 1/4 2>/dev/null
check "a subset keeps its logs' shards" '[ "$(paths_of "$O/sub.jsonl.shard-1-of-4.jsonl")" = "$(paths_of "$O/t4.jsonl.shard-1-of-4.jsonl" | grep -e /set1/ -e /set3/)" ]'

# --- lost shards: named, their logs read here, same table --------------------
mkdir -p "$O/lost"
cp "$O"/t7.jsonl.shard-*-of-7.jsonl "$O/lost/"
for f in "$O"/lost/*; do mv "$f" "$O/lost/t.jsonl${f##*t7.jsonl}"; done
rm "$O/lost/t.jsonl.shard-2-of-7.jsonl" "$O/lost/t.jsonl.shard-5-of-7.jsonl"
"$S" vmaf-logs "$L" --skip-bad -o "$O/lost/t.jsonl" --merge 2>"$T/err"
check "lost shards: exit 1 as one run" '[ $? -eq 1 ]'
check "lost shards: named by number" 'grep -qx "sigmix: vmaf-logs: merge: shards 2, 5 of 7 missing ($O/lost/t.jsonl.shard-K-of-7.jsonl); reading their logs here" "$T/err"'
lost=$(cat "$O/t7.jsonl.shard-2-of-7.jsonl" "$O/t7.jsonl.shard-5-of-7.jsonl" | grep -c '^{"log":')
check "lost shards: their logs read here" 'grep -qx "sigmix vmaf-logs: merge: $((50 - lost)) logs from 5 shard files, $lost read here" "$T/err"'
check "lost shards: table identical" 'cmp -s "$O/lost/t.jsonl" "$O/one.jsonl"'

# --- refusals: one line, exit 2, nothing written ---------------------------------
refused() {  # $1 label, $2 exact message, $3 output that must not appear; then arguments
    local label=$1 msg=$2 out=$3
    shift 3
    "$S" vmaf-logs "$@" >/dev/null 2>"$T/err"
    local st=$?
    check "$label" '[ $st -eq 2 ] && [ "$(cat "$T/err")" = "$msg" ] && [ ! -e "$out" ]'
}
mkdir -p "$O/dup"
cp "$O"/t4.jsonl.shard-*-of-4.jsonl "$O/dup/"
for f in "$O"/dup/*; do mv "$f" "$O/dup/t.jsonl${f##*t4.jsonl}"; done
cp "$O/dup/t.jsonl.shard-1-of-4.jsonl" "$O/dup/t.jsonl.shard-01-of-4.jsonl"
refused "duplicate shard (shard-01 beside shard-1)" \
    "sigmix: $O/dup/t.jsonl: shard 1 of 4 twice: $O/dup/t.jsonl.shard-01-of-4.jsonl and $O/dup/t.jsonl.shard-1-of-4.jsonl" \
    "$O/dup/t.jsonl" "$L" --skip-bad -o "$O/dup/t.jsonl" --merge
rm "$O/dup/t.jsonl.shard-01-of-4.jsonl"
cp "$O/dup/t.jsonl.shard-1-of-4.jsonl" "$O/dup/t.jsonl.shard-2-of-4.jsonl"
refused "a renamed copy is a duplicate" \
    "sigmix: $O/dup/t.jsonl: shard 1 of 4 twice: $O/dup/t.jsonl.shard-1-of-4.jsonl and $O/dup/t.jsonl.shard-2-of-4.jsonl" \
    "$O/dup/t.jsonl" "$L" --skip-bad -o "$O/dup/t.jsonl" --merge

mkdir -p "$O/mix"
"$S" vmaf-logs "$L" --skip-bad -o "$O/mix/t.jsonl" --shard 0/2 2>/dev/null
"$S" vmaf-logs "$L" --skip-bad -o "$O/mix/t.jsonl" --shard 1/2 --stats mean 2>/dev/null
refused "mixed options refused" \
    "sigmix: $O/mix/t.jsonl.shard-1-of-2.jsonl: shard 1 of 2 was made with other options (sha256 $(grep -o '"config_sha256":"[0-9a-f]\{12\}' "$O/mix/t.jsonl.shard-1-of-2.jsonl" | cut -d'"' -f4), this run $(grep -o '"config_sha256":"[0-9a-f]\{12\}' "$O/mix/t.jsonl.shard-0-of-2.jsonl" | cut -d'"' -f4)); rerun it or merge with the same logs and options" \
    "$O/mix/t.jsonl" "$L" --skip-bad -o "$O/mix/t.jsonl" --merge
"$S" vmaf-logs "$L" --skip-bad -o "$O/mix/t.jsonl" --shard 1/2 --per-frame 2>/dev/null
refused "per-frame shard in a per-clip merge refused" \
    "sigmix: $O/mix/t.jsonl.shard-1-of-2.jsonl: shard 1 of 2 was made with other options (sha256 $(grep -o '"config_sha256":"[0-9a-f]\{12\}' "$O/mix/t.jsonl.shard-1-of-2.jsonl" | cut -d'"' -f4), this run $(grep -o '"config_sha256":"[0-9a-f]\{12\}' "$O/mix/t.jsonl.shard-0-of-2.jsonl" | cut -d'"' -f4)); rerun it or merge with the same logs and options" \
    "$O/mix/t.jsonl" "$L" --skip-bad -o "$O/mix/t.jsonl" --merge
"$S" vmaf-logs "$L" --skip-bad -o "$O/mix/t.jsonl" --shard 1/2 2>/dev/null
"$S" vmaf-logs "$L/set1" --skip-bad -o "$O/mix/t.jsonl" --shard 0/2 2>/dev/null
refused "shards of other logs refused" \
    "sigmix: $O/mix/t.jsonl.shard-0-of-2.jsonl: shard 0 of 2 was made from other logs (sha256 $(grep -o '"input_sha256":"[0-9a-f]\{12\}' "$O/mix/t.jsonl.shard-0-of-2.jsonl" | cut -d'"' -f4), this run $(grep -o '"input_sha256":"[0-9a-f]\{12\}' "$O/mix/t.jsonl.shard-1-of-2.jsonl" | cut -d'"' -f4)); rerun it or merge with the same logs and options" \
    "$O/mix/t.jsonl" "$L" --skip-bad -o "$O/mix/t.jsonl" --merge
# A log rewritten after the shards ran is another input.
mkdir -p "$O/touch" "$T/logs2"
cp -r "$L"/. "$T/logs2/"
"$S" vmaf-logs "$T/logs2" --skip-bad -o "$O/touch/t.jsonl" --shard 0/1 2>/dev/null
touch -d '2001-01-01' "$T/logs2/set0/s0_b_json200.json"
"$S" vmaf-logs "$T/logs2" --skip-bad -o "$O/touch/t.jsonl" --merge 2>"$T/err"
check "a log changed since the shards: refused" '[ $? -eq 2 ] && grep -q "shard 0 of 1 was made from other logs" "$T/err" && [ ! -e "$O/touch/t.jsonl" ]'

mkdir -p "$O/cut"
cp "$O/t2.jsonl.shard-0-of-2.jsonl" "$O/cut/t.jsonl.shard-0-of-2.jsonl"
cp "$O/t2.jsonl.shard-1-of-2.jsonl" "$O/cut/t.jsonl.shard-1-of-2.jsonl"
lines=$(wc -l <"$O/cut/t.jsonl.shard-1-of-2.jsonl")
head -n $((lines - 1)) "$O/t2.jsonl.shard-1-of-2.jsonl" >"$O/cut/t.jsonl.shard-1-of-2.jsonl"
refused "a shard file cut short" \
    "sigmix: $O/cut/t.jsonl.shard-1-of-2.jsonl: line $((lines - 1)): $((lines - 2)) log lines, the header says $((lines - 1)) (cut short?)" \
    "$O/cut/t.jsonl" "$L" --skip-bad -o "$O/cut/t.jsonl" --merge
head -c 300 "$O/t2.jsonl.shard-1-of-2.jsonl" >"$O/cut/t.jsonl.shard-1-of-2.jsonl"
refused "a shard file cut mid-line" \
    "sigmix: $O/cut/t.jsonl.shard-1-of-2.jsonl: line 2: cut short (no newline)" \
    "$O/cut/t.jsonl" "$L" --skip-bad -o "$O/cut/t.jsonl" --merge
sed 's/"log":\([0-9]*\)/"log":9\1/' "$O/t2.jsonl.shard-1-of-2.jsonl" >"$O/cut/t.jsonl.shard-1-of-2.jsonl"
refused "a shard file with edited log numbers" \
    "sigmix: $O/cut/t.jsonl.shard-1-of-2.jsonl: line 2: log $(sed -n 2p "$O/cut/t.jsonl.shard-1-of-2.jsonl" | grep -o '"log":[0-9]*' | cut -d: -f2) is not one of shard 1 of 2's logs" \
    "$O/cut/t.jsonl" "$L" --skip-bad -o "$O/cut/t.jsonl" --merge
sed '2s/"pooled":\[/"pooled":["0x1p+0",/' "$O/t2.jsonl.shard-1-of-2.jsonl" >"$O/cut/t.jsonl.shard-1-of-2.jsonl"
refused "a shard line with a value too many" \
    "sigmix: $O/cut/t.jsonl.shard-1-of-2.jsonl: line 2: pooled values do not match the metrics and statistics" \
    "$O/cut/t.jsonl" "$L" --skip-bad -o "$O/cut/t.jsonl" --merge
mkdir -p "$O/none"
refused "--merge without shard files" \
    "sigmix: $O/none/t.jsonl: --merge found no shard files ($O/none/t.jsonl.shard-K-of-N.jsonl)" \
    "$O/none/t.jsonl" "$L" -o "$O/none/t.jsonl" --merge
cp "$O/t2.jsonl.shard-0-of-2.jsonl" "$O/none/t.jsonl.shard-0-of-2.jsonl"
cp "$O/t4.jsonl.shard-0-of-4.jsonl" "$O/none/t.jsonl.shard-0-of-4.jsonl"
refused "mixed shard counts without --shards" \
    "sigmix: $O/none/t.jsonl: shard files of different counts (2 and 4); say which with --shards N" \
    "$O/none/t.jsonl" "$L" --skip-bad -o "$O/none/t.jsonl" --merge
"$S" vmaf-logs "$L" --skip-bad -o "$O/none/t.jsonl" --merge --shards 2 2>"$T/err"
check "--shards N picks the count to merge" '[ $? -eq 1 ] && grep -q "shard of 2 missing\|shard 1 of 2 missing" "$T/err" && cmp -s "$O/none/t.jsonl" "$O/one.jsonl"'

# --- flags and environment ---------------------------------------------------------
usage() { echo "sigmix: vmaf-logs: $1 (try ${Q}sigmix help vmaf-logs${Q})"; }
refused "--shard out of range" "$(usage "--shard must be K/N with 0 <= K < N <= 100000, not ${Q}2/2${Q}")" \
    "$O/e.jsonl" "$L" -o "$O/e.jsonl" --shard 2/2
refused "--shard and --merge" "$(usage "--merge and --shard exclude each other")" \
    "$O/e.jsonl" "$L" -o "$O/e.jsonl" --shard 0/2 --merge
refused "--shards alone" "$(usage "--shards N needs a shard index: --shard K/N, SLURM_ARRAY_TASK_ID or JOB_COMPLETION_INDEX (or --merge)")" \
    "$O/e.jsonl" "$L" -o "$O/e.jsonl" --shards 3
refused "--shards read whole, not cut to 20 characters" "$(usage "--shards must be an integer in 1..100000, not ${Q}00000000000000000002x${Q}")" \
    "$O/e.jsonl" "$L" -o "$O/e.jsonl" --shard 0/2 --shards 00000000000000000002x
refused "--shards disagrees with --shard" "$(usage "--shards differs from the N of --shard K/N")" \
    "$O/e.jsonl" "$L" -o "$O/e.jsonl" --shard 0/2 --shards 3

mkdir -p "$O/env"
SLURM_ARRAY_TASK_ID=1 SLURM_ARRAY_TASK_COUNT=2 "$S" vmaf-logs "$L" --skip-bad -o "$O/env/t.jsonl" 2>"$T/err"
check "Slurm COUNT: shard 1 of 2" '[ $? -eq 0 ] && grep -qx "sigmix vmaf-logs: shard 1 of 2 (SLURM_ARRAY_TASK_ID=1, SLURM_ARRAY_TASK_COUNT=2); results to $O/env/t.jsonl.shard-1-of-2.jsonl" "$T/err" && cmp -s "$O/env/t.jsonl.shard-1-of-2.jsonl" "$O/t2.jsonl.shard-1-of-2.jsonl"'
SLURM_ARRAY_TASK_ID=1 SLURM_ARRAY_TASK_MIN=1 SLURM_ARRAY_TASK_MAX=2 "$S" vmaf-logs "$L" --skip-bad -o "$O/env/t.jsonl" 2>"$T/err"
check "Slurm MIN/MAX (--array=1-2): shard 0 of 2" '[ $? -eq 0 ] && grep -qx "sigmix vmaf-logs: shard 0 of 2 (SLURM_ARRAY_TASK_ID=1, SLURM_ARRAY_TASK_MIN=1, SLURM_ARRAY_TASK_MAX=2); results to $O/env/t.jsonl.shard-0-of-2.jsonl" "$T/err"'
SLURM_ARRAY_TASK_ID=1 "$S" vmaf-logs "$L" -o "$O/env/x.jsonl" >/dev/null 2>"$T/err"
check "Slurm without a count refused" '[ $? -eq 2 ] && [ "$(cat "$T/err")" = "sigmix: vmaf-logs: SLURM_ARRAY_TASK_ID is set but neither SLURM_ARRAY_TASK_COUNT nor SLURM_ARRAY_TASK_MIN/MAX (use --shard K/N or --no-shard-env)" ]'
SLURM_ARRAY_TASK_ID=x SLURM_ARRAY_TASK_COUNT=2 "$S" vmaf-logs "$L" -o "$O/env/x.jsonl" >/dev/null 2>"$T/err"
check "Slurm non-numeric refused" '[ $? -eq 2 ] && [ "$(cat "$T/err")" = "sigmix: vmaf-logs: a SLURM_ARRAY_TASK_* variable is not a number (use --shard K/N or --no-shard-env)" ]'
SLURM_ARRAY_TASK_ID=0 SLURM_ARRAY_TASK_COUNT=2 SLURM_ARRAY_TASK_MIN=0 SLURM_ARRAY_TASK_MAX=4 "$S" vmaf-logs "$L" -o "$O/env/x.jsonl" >/dev/null 2>"$T/err"
check "Slurm array with steps refused" '[ $? -eq 2 ] && grep -q "the Slurm array is not contiguous" "$T/err"'
JOB_COMPLETION_INDEX=3 "$S" vmaf-logs "$L" --skip-bad -o "$O/env/t.jsonl" --shards 4 2>"$T/err"
check "JOB_COMPLETION_INDEX with --shards" '[ $? -eq 0 ] && grep -qx "sigmix vmaf-logs: shard 3 of 4 (JOB_COMPLETION_INDEX=3, --shards 4); results to $O/env/t.jsonl.shard-3-of-4.jsonl" "$T/err" && cmp -s "$O/env/t.jsonl.shard-3-of-4.jsonl" "$O/t4.jsonl.shard-3-of-4.jsonl"'
JOB_COMPLETION_INDEX=3 "$S" vmaf-logs "$L" -o "$O/env/x.jsonl" >/dev/null 2>"$T/err"
check "JOB_COMPLETION_INDEX without --shards refused" '[ $? -eq 2 ] && grep -q "^sigmix: vmaf-logs: JOB_COMPLETION_INDEX is set (Kubernetes Indexed Job) but --shards N is not" "$T/err"'
JOB_COMPLETION_INDEX=4 "$S" vmaf-logs "$L" -o "$O/env/x.jsonl" --shards 4 >/dev/null 2>"$T/err"
check "JOB_COMPLETION_INDEX out of range refused" '[ $? -eq 2 ] && [ "$(cat "$T/err")" = "sigmix: vmaf-logs: JOB_COMPLETION_INDEX is not below --shards N" ]'
SLURM_ARRAY_TASK_ID=1 SLURM_ARRAY_TASK_COUNT=2 "$S" vmaf-logs "$L" --skip-bad -o "$O/env/n.jsonl" --no-shard-env 2>/dev/null
check "--no-shard-env: a whole run" '[ $? -eq 1 ] && cmp -s "$O/env/n.jsonl" "$O/one.jsonl"'
SLURM_ARRAY_TASK_ID=0 SLURM_ARRAY_TASK_COUNT=2 "$S" vmaf-logs "$L" --skip-bad -o "$O/env/s.jsonl" --shard 1/2 2>"$T/err"
check "--shard wins over the environment" '[ $? -eq 0 ] && [ -e "$O/env/s.jsonl.shard-1-of-2.jsonl" ] && [ ! -e "$O/env/s.jsonl.shard-0-of-2.jsonl" ]'
cp "$O/t2.jsonl.shard-0-of-2.jsonl" "$O/env/m.jsonl.shard-0-of-2.jsonl"
cp "$O/t2.jsonl.shard-1-of-2.jsonl" "$O/env/m.jsonl.shard-1-of-2.jsonl"
SLURM_ARRAY_TASK_ID=1 SLURM_ARRAY_TASK_COUNT=2 "$S" vmaf-logs "$L" --skip-bad -o "$O/env/m.jsonl" --merge 2>/dev/null
check "--merge inside an array task merges" '[ $? -eq 1 ] && cmp -s "$O/env/m.jsonl" "$O/one.jsonl"'

# A shard run that hits a bad log without --skip-bad fails like one run: no shard file.
"$S" vmaf-logs "$L" -o "$O/nb.jsonl" --shard 0/1 2>"$T/err"
check "bad log without --skip-bad: exit 2, no shard file" '[ $? -eq 2 ] && [ ! -e "$O/nb.jsonl.shard-0-of-1.jsonl" ] && [ -z "$(ls -A "$O" | grep sigmix-tmp)" ]'

echo "$fails failed"
[ "$fails" -eq 0 ]
