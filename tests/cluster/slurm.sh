#!/bin/bash
# A real one-node Slurm: this test installs Debian's slurm-wlm and munge if
# they are missing, writes a slurm.conf for this machine (CPUs from nproc)
# with every state, spool, pid and log file in a scratch folder, starts
# munged, slurmctld and slurmd itself (in the foreground, in the background),
# submits examples/cluster/slurm/saliency.sbatch as a 4-task array and
# merge.sbatch with --dependency=afterok, waits (bounded), compares the
# table with one plain run, and stops every daemon it started.
# Exit 77 (skipped) with the reason when the daemons cannot run here.
# $1: the gen_clip helper. Env: SIGMIX_BIN, SIGMIX_SRC.
set -u
GEN=$1
BIN=${SIGMIX_BIN:?}
SRC=${SIGMIX_SRC:?}
EX=$SRC/examples/cluster/slurm
fails=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }
skip() { echo "SKIP: $*"; exit 77; }

[ "$(id -u)" -eq 0 ] || skip "needs root to run slurmctld/slurmd (SlurmUser=root)"
if ! command -v slurmctld >/dev/null || ! command -v slurmd >/dev/null \
   || ! command -v munged >/dev/null || ! command -v sbatch >/dev/null; then
    command -v apt-get >/dev/null || skip "slurm-wlm/munge missing and no apt-get"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q slurm-wlm munge >/dev/null 2>&1 \
        || skip "cannot install slurm-wlm and munge with apt-get"
fi

W=$(mktemp -d "${TMPDIR:-/tmp}/sigmix-slurm.XXXXXX")
chmod 755 "$W"
pids=()
cleanup() {
    # Jobs first (their steps are children of slurmd), then the daemons,
    # each by the pid this script got when it started it.
    if [ -n "${jids:-}" ]; then
        scancel $jids >/dev/null 2>&1
        for _ in $(seq 1 50); do
            [ -z "$(squeue -h 2>/dev/null)" ] && break
            sleep 0.2
        done
    fi
    for ((i = ${#pids[@]} - 1; i >= 0; i--)); do
        kill "${pids[$i]}" 2>/dev/null
    done
    for p in "${pids[@]}"; do
        for _ in $(seq 1 50); do
            kill -0 "$p" 2>/dev/null || break
            sleep 0.1
        done
        kill -9 "$p" 2>/dev/null
        wait "$p" 2>/dev/null
    done
    rm -rf "$W"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

# A free TCP port (none of ours collide: they come from different draws).
free_port() {
    local p
    for _ in $(seq 1 100); do
        p=$((20000 + RANDOM % 30000))
        if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then
            echo "$p"
            return
        fi
    done
    echo 0
}

# --- munge with its own key and socket ------------------------------------------------
mkdir -p "$W/munge" "$W/state" "$W/spool" "$W/out" "$W/logs"
chmod 700 "$W/munge"
if command -v mungekey >/dev/null; then
    mungekey -c -k "$W/munge/munge.key" >/dev/null 2>&1
fi
[ -s "$W/munge/munge.key" ] || dd if=/dev/urandom of="$W/munge/munge.key" bs=1024 count=1 2>/dev/null
chmod 400 "$W/munge/munge.key"
SOCK=$W/munge/munge.sock
munged -F --force --key-file="$W/munge/munge.key" --socket="$SOCK" \
    --pid-file="$W/munge/munged.pid" --log-file="$W/munge/munged.log" \
    --seed-file="$W/munge/munged.seed" >/dev/null 2>&1 &
pids+=($!)
for _ in $(seq 1 50); do
    [ -S "$SOCK" ] && break
    sleep 0.1
done
[ -S "$SOCK" ] || skip "munged did not start: $(tail -3 "$W/munge/munged.log" 2>/dev/null)"

# --- slurm.conf for this one machine --------------------------------------------------------
HOST=$(hostname -s)
CPUS=$(nproc)
MEM=$(awk '/^MemTotal:/ { print int($2 / 1024 / 2) }' /proc/meminfo)
CTLD_PORT=$(free_port)
SLURMD_PORT=$(free_port)
while [ "$SLURMD_PORT" = "$CTLD_PORT" ]; do SLURMD_PORT=$(free_port); done
export SLURM_CONF=$W/slurm.conf
: > "$W/plugstack.conf"
cat > "$SLURM_CONF" <<EOF
ClusterName=sigmixtest
SlurmctldHost=$HOST
SlurmUser=root
SlurmdUser=root
SlurmctldPort=$CTLD_PORT
SlurmdPort=$SLURMD_PORT
AuthType=auth/munge
AuthInfo=socket=$SOCK
CredType=cred/munge
StateSaveLocation=$W/state
SlurmdSpoolDir=$W/spool
SlurmctldPidFile=$W/slurmctld.pid
SlurmdPidFile=$W/slurmd.pid
SlurmctldLogFile=$W/slurmctld.log
SlurmdLogFile=$W/slurmd.log
PlugStackConfig=$W/plugstack.conf
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
MpiDefault=none
ReturnToService=2
SlurmctldTimeout=30
SlurmdTimeout=30
MinJobAge=600
NodeName=$HOST CPUs=$CPUS RealMemory=$MEM State=UNKNOWN
PartitionName=sigmix Nodes=$HOST Default=YES MaxTime=INFINITE State=UP
EOF
[ "$CTLD_PORT" != 0 ] && [ "$SLURMD_PORT" != 0 ] || skip "no free TCP port"

slurmctld -D -c -f "$SLURM_CONF" >"$W/slurmctld.out" 2>&1 &
pids+=($!)
slurmd -D -N "$HOST" -f "$SLURM_CONF" >"$W/slurmd.out" 2>&1 &
pids+=($!)
up=
for _ in $(seq 1 120); do
    state=$(scontrol show node "$HOST" 2>/dev/null | sed -n 's/.*State=\([A-Z+_]*\).*/\1/p')
    case $state in IDLE*) up=1; break ;; esac
    for p in "${pids[@]}"; do
        kill -0 "$p" 2>/dev/null || break 2
    done
    sleep 0.5
done
daemon_logs() { # the last lines of each daemon log that exists, on one line
    local f
    for f in "$W/slurmctld.out" "$W/slurmd.out" "$W/slurmctld.log" "$W/slurmd.log"; do
        [ -s "$f" ] && printf '%s: %s; ' "${f##*/}" "$(tail -n 2 "$f" | tr '\n' ' ')"
    done
}
[ -n "$up" ] || skip "slurmctld/slurmd did not come up (node state '${state:-none}'): $(daemon_logs)"
echo "slurm up: node $HOST, $CPUS CPUs, ports $CTLD_PORT/$SLURMD_PORT"

# --- the data: clips, a table with repeats, a failure, a missing source, a kept row ------------
D=$W/data
mkdir -p "$D/clips"
for i in $(seq 0 15); do
    "$GEN" "$D/clips/c$i.yuv" 16 12 3 $((40 + 7 * i)) 210 $((i % 4)) 2 5 1 1 || exit 1
done
printf 'not a video' > "$D/clips/bad.mp4"
{
    for i in $(seq 0 15); do
        echo "{\"src\": \"c$i.yuv\", \"width\": 16, \"height\": 12, \"id\": $i}"
        [ $((i % 4)) -eq 1 ] && echo "{\"src\": \"c$i.yuv\", \"width\": 16, \"height\": 12, \"id\": -$i}"
    done
    echo '{"src": "bad.mp4", "width": null, "height": null, "id": 100}'
    echo '{"src": "gone.yuv", "width": 16, "height": 12, "id": 101}'
    echo '{"src": "c3.yuv", "width": 16, "height": 12, "id": 102, "saliency_mean": 0.5, "saliency_var": 0.1}'
} > "$D/table.jsonl"
OPTS="--max-frames 3 --frame-samples 3"

# --- the example scripts, as a user submits them (options on the command line win) ---------
export SIGMIX=$BIN INPUT=$D/table.jsonl OUTPUT=$W/out/table.parquet CLIP_ROOT=$D/clips \
       SALIENCY_OPTS=$OPTS
unset SLURM_ARRAY_TASK_ID SLURM_ARRAY_TASK_COUNT SLURM_ARRAY_TASK_MIN SLURM_ARRAY_TASK_MAX \
      JOB_COMPLETION_INDEX
cd "$W" || exit 1
aid=$(sbatch --parsable --array=0-3 --cpus-per-task=1 --mem-per-cpu=64M --time=10 \
      --output="$W/logs/task-%a.log" "$EX/saliency.sbatch") || fail "sbatch array"
aid=${aid%%;*}
mid=$(sbatch --parsable --dependency=afterok:"$aid" --cpus-per-task=1 --mem=64M --time=10 \
      --output="$W/logs/merge.log" "$EX/merge.sbatch") || fail "sbatch merge"
mid=${mid%%;*}
jids="$aid $mid"
echo "array job $aid, merge job $mid"

job_state() { scontrol show job "$1" 2>/dev/null | sed -n 's/.*JobState=\([A-Z_]*\).*/\1/p' | head -1; }
deadline=$((SECONDS + 300))
while [ $SECONDS -lt $deadline ]; do
    ms=$(job_state "$mid")
    case $ms in COMPLETED|FAILED|CANCELLED|TIMEOUT|NODE_FAIL|OUT_OF_MEMORY) break ;; esac
    # a failed array task leaves the merge pending forever
    scontrol show job "$mid" 2>/dev/null | grep -q 'Reason=DependencyNeverSatisfied' && break
    sleep 1
done
ms=$(job_state "$mid")
[ "$ms" = COMPLETED ] || [ "$ms" = FAILED ] \
    || fail "merge job did not finish in time (state '${ms:-?}'): $(squeue 2>&1 | tail -5)"
for k in 0 1 2 3; do
    log=$W/logs/task-$k.log
    grep -qxF "saliency: shard $k of 4 (SLURM_ARRAY_TASK_ID=$k, SLURM_ARRAY_TASK_COUNT=4); results to $OUTPUT.shard-$k-of-4.jsonl" \
        "$log" || fail "task $k log lacks its shard line: $(cat "$log" 2>&1)"
    grep -q $'\r' "$log" 2>/dev/null && fail "task $k log has terminal control characters"
    [ -s "$OUTPUT.shard-$k-of-4.jsonl" ] || fail "no shard file $k"
done
# The merge found failures, as one machine would: exit 1 (FAILED to Slurm).
grep -qF "saliency: merge: 4 of 4 shard files, 17 clips" "$W/logs/merge.log" \
    || fail "merge log: $(cat "$W/logs/merge.log" 2>&1)"
grep -qF "saliency: merge: 17 clips from shard files, 0 computed here" "$W/logs/merge.log" \
    || fail "the merge recomputed clips: $(cat "$W/logs/merge.log" 2>&1)"
grep -qF "decode-failed" "$W/logs/merge.log" || fail "the merge does not name the failed clip"
[ -s "$OUTPUT.audit.json" ] || fail "no audit report from the merge"

# --- one plain run with the same options --------------------------------------------------------
# shellcheck disable=SC2086
"$BIN" saliency --input "$INPUT" --output "$W/single.parquet" --root "$CLIP_ROOT" $OPTS \
    --quiet --no-shard-env 2>"$W/single.err"
[ $? -eq 1 ] || fail "single run: $(cat "$W/single.err")"
cmp -s "$OUTPUT" "$W/single.parquet" || fail "the Slurm table differs from one run"

if [ "$fails" -ne 0 ]; then
    echo "--- slurmctld.log"; tail -20 "$W/slurmctld.log"
    echo "--- slurmd.log"; tail -20 "$W/slurmd.log"
    for f in "$W"/logs/*; do echo "--- $f"; cat "$f"; done
    echo "$fails failure(s)"
    exit 1
fi
echo "slurm array + merge: identical to one run"
