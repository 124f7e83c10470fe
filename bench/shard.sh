#!/bin/bash
# Sharded saliency (make bench), best of BENCH_RUNS:
#  - one `sigmix saliency` run against 4 concurrent `--shard K/4` runs plus
#    `--merge`, on 32 distinct 960x540 8-frame clips (the saliency bench's
#    clips): goal: the merged table is the single run's, byte for byte; the
#    CPU the 4 shards and the merge cost together is shown against one run;
#  - `--merge` of 150,000 distinct clips from 4 shard files: goal <= 1 s.
#    The clips are hard links to one tiny raw clip (distinct paths, so
#    distinct clips); the 4 shards are computed once, untimed.
source "$(dirname "$0")/lib.sh"
sal=$BENCH_BUILD/bench/saliency/sal_bench
for exe in "$SIGMIX" "$sal"; do
    [ -x "$exe" ] || { bench_fail "shard" "-" "$exe not built (make bench builds it)"; bench_done; }
done
W=$BENCH_WORK
unset SLURM_ARRAY_TASK_ID SLURM_ARRAY_TASK_COUNT SLURM_ARRAY_TASK_MIN SLURM_ARRAY_TASK_MAX JOB_COMPLETION_INDEX

# Runs 4 shards at once, then the merge, in one process tree, so that
# /usr/bin/time adds up their CPU. Shard files are removed first: a shard
# that finds its file reuses it.
cat >"$W/four.sh" <<'EOF'
set -u
sigmix=$1 out=$2
shift 2
rm -f "$out" "$out".shard-*
pids=()
for k in 0 1 2 3; do
    "$sigmix" saliency --output "$out" --shard "$k/4" "$@" &
    pids+=($!)
done
for p in "${pids[@]}"; do wait "$p" || { echo "a shard failed" >&2; exit 1; }; done
exec "$sigmix" saliency --output "$out" --merge --shards 4 "$@"
EOF

# --- one run vs 4 shards + merge --------------------------------------------------
nclips=$(q 32 8)
# The saliency area's clips (made here if it did not run); the table uses
# the first $nclips of them.
nmade=$(q 40 10)
clips=$BENCH_DATA/saliency_${nmade}x960x540x8
name="saliency $nclips clips: 4 concurrent shards + merge vs one run"
goal="same table as one run"
if ! gen_once "$clips" bash -c 'mkdir -p "$1" && "$2" gen "$1" "$3" 960 540 8 >/dev/null' _ @OUT@ "$sal" "$nmade"; then
    bench_fail "$name" "$goal" "sal_bench cannot encode the clips"
else
    for ((i = 0; i < nclips; i++)); do
        printf '{"src": "clip%02d.mp4", "width": 960, "height": 540, "mos": %d}\n' "$i" "$i"
    done >"$W/t32.jsonl"
    opts=(--input "$W/t32.jsonl" --root "$clips" --quiet)
    if ! bench_measure "$BENCH_RUNS" "$SIGMIX" saliency --output "$W/one.jsonl" "${opts[@]}"; then
        bench_fail "$name" "$goal" "sigmix saliency: $M_ERR"
    else
        ow=$M_WALL oc=$M_CPU
        if ! bench_measure "$BENCH_RUNS" bash "$W/four.sh" "$SIGMIX" "$W/merged.jsonl" "${opts[@]}"; then
            bench_fail "$name" "$goal" "shards or merge: $M_ERR"
        else
            same="no: the tables differ"
            cmp -s "$W/one.jsonl" "$W/merged.jsonl" && same=yes
            [ "$BENCH_QUICK" = 1 ] && same="$same (quick)"
            bench_result "$name" "$goal" "4 shards + merge: $(fmt_t "$M_WALL" "$M_CPU")" \
                "one run: $(fmt_t "$ow" "$oc")" "CPU $(div "$M_CPU" "$oc")x, wall $(div "$M_WALL" "$ow")x" "$same"
        fi
    fi
fi

# --- merge of 150k clips ------------------------------------------------------------
rows=$(q 150000 15000)
dir=$BENCH_DATA/shard_merge_$rows
name="saliency --merge of $rows clips from 4 shard files"
# Clips (hard links), the table, and the 4 shard files, made once.
make_merge_data() {
    local d=$1
    mkdir -p "$d/clips" || return 1
    /usr/bin/python3 - "$d" "$rows" 2>"$d/gen.err" <<'EOF' || { tail -n 1 "$d/gen.err" >"$d/shard0.err"; return 1; }
import os, sys
d, n = sys.argv[1], int(sys.argv[2])
# A 16x12 yuv420p clip of 3 frames, deterministic content; one copy per
# 10,000 links (file systems cap the links to one file, ext4 at 65,000).
clip = bytes((i * 37 + (i // 288) * 11) % 251 for i in range(864))
with open(d + "/table.jsonl", "w") as t:
    for i in range(n):
        base = "%s/clip%02d.yuv" % (d, i // 10000)
        if i % 10000 == 0:
            with open(base, "wb") as f:
                f.write(clip)
        sub = "clips/d%03d" % (i // 1000)
        if i % 1000 == 0:
            os.makedirs(os.path.join(d, sub), exist_ok=True)
        p = "%s/c%06d.yuv" % (sub, i)
        os.link(base, os.path.join(d, p))
        t.write('{"src": "%s", "width": 16, "height": 12, "mos": %d}\n' % (p, i % 5))
EOF
    local k pids=()
    for k in 0 1 2 3; do
        "$SIGMIX" saliency --input "$d/table.jsonl" --output "$d/merged.jsonl" --root "$d" --quiet \
            --shard "$k/4" 2>"$d/shard$k.err" &
        pids+=($!)
    done
    for k in "${pids[@]}"; do wait "$k" || return 1; done
}
t0=$(date +%s)
# Made in place: the shard files record the input and --root paths.
if [ ! -f "$dir/complete" ] && ! { rm -rf "$dir" && make_merge_data "$dir" && touch "$dir/complete"; }; then
    bench_fail "$name" "<= 1 s" "cannot make the clips or the 4 shards: $(cat "$dir"/shard*.err 2>/dev/null | head -n 1)"
    rm -rf "$dir"
else
    [ $(($(date +%s) - t0)) -gt 1 ] && echo "  made $rows clips and 4 shard files in $(($(date +%s) - t0)) s (untimed)"
    # The cached data stays read-only: the shard files are copied beside a
    # scratch output (their hashes cover the input, configuration and model,
    # not the output's name), and the merge writes its table there.
    rm -rf "$W/merge150k"
    if ! mkdir -p "$W/merge150k" || ! cp "$dir"/merged.jsonl.shard-[0-3]-of-4.jsonl "$W/merge150k/"; then
        bench_fail "$name" "<= 1 s" "cannot copy the shard files to $W/merge150k"
    elif ! bench_measure "$BENCH_RUNS" "$SIGMIX" saliency --input "$dir/table.jsonl" --output "$W/merge150k/merged.jsonl" \
            --root "$dir" --quiet --merge --shards 4; then
        bench_fail "$name" "<= 1 s" "sigmix saliency --merge: $M_ERR"
    elif grep -qi "missing\|computing" "$BENCH_WORK/err"; then
        # A merge that computed clips itself did not measure the merge.
        bench_fail "$name" "<= 1 s" "the merge reported: $(head -n 1 "$BENCH_WORK/err")"
    elif [ -f "$dir/merged.jsonl" ] && ! cmp -s "$W/merge150k/merged.jsonl" "$dir/merged.jsonl"; then
        bench_fail "$name" "<= 1 s" "the merged table differs from the one made with the data"
    else
        bench_result "$name" "<= 1 s" "$(fmt_t "$M_WALL" "$M_CPU" "$M_RSS")" - - "$(met_le "$M_WALL" "$M_CPU" 1)"
    fi
    rm -rf "$W/merge150k"
fi
bench_done
