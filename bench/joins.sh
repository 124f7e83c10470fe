#!/bin/bash
# Joins (make bench): 3 competitors' scores (150,000 keys each, JSONL)
# joined onto a 150,000-row x 30-column feature table with `sigmix
# second-opinion`, best of BENCH_RUNS:
#  - Parquet features in and out, plus the audit JSON: goal <= 0.5 s;
#  - JSONL in and out against the same join done the Python tool's way
#    (bench/joins/pandas_baseline.py: pandas table I/O, per-record loops; run
#    once; JSONL because Debian has no pyarrow for pandas to read Parquet).
source "$(dirname "$0")/lib.sh"
rows=$(q 150000 15000)
goal="<= 0.5 s"
name1="second-opinion, 3 x $rows scores onto $rows-row Parquet"
name2="second-opinion, same join in JSONL vs pandas"
[ -x "$SIGMIX" ] || { bench_fail "$name1" "$goal" "$SIGMIX not built"; bench_done; }
d=$BENCH_DATA/joins_$rows
W=$BENCH_WORK
make_joins() {
    mkdir -p "$1" && awk -v n="$rows" -v dir="$1" -f bench/joins/gen.awk &&
        "$SIGMIX" cat "$1/features.jsonl" -o "$1/features.parquet" >"$BENCH_WORK/cat.out"
}
if ! gen_once "$d" make_joins @OUT@; then
    bench_fail "$name1" "$goal" "cannot generate the tables (sigmix cat to Parquet?)"
    bench_done
fi
scores=(--scores "$d/dover.jsonl" --scores "$d/qalign.jsonl" --scores "$d/fastvqa.jsonl")
echo "  features: $rows rows x 30 columns (Parquet $(du -m "$d/features.parquet" | cut -f1) MB);" \
     "scores: 3 x $rows keys (JSONL, $(du -cm "$d"/{dover,qalign,fastvqa}.jsonl | tail -n 1 | cut -f1) MB)"
if ! bench_measure "$BENCH_RUNS" "$SIGMIX" second-opinion --features "$d/features.parquet" "${scores[@]}" \
        --out "$W/out.parquet" --audit-json "$W/audit.json"; then
    bench_fail "$name1" "$goal" "sigmix second-opinion: $M_ERR"
else
    pq="$(fmt_t "$M_WALL" "$M_CPU" "$M_RSS")"
    pw=$M_WALL pc=$M_CPU
    # For scale: the Parquet read and write alone.
    if bench_measure "$BENCH_RUNS" "$SIGMIX" cat "$d/features.parquet" -o "$W/copy.parquet"; then
        echo "  for scale, sigmix cat Parquet -> Parquet of the features: $(fmt_t "$M_WALL" "$M_CPU")"
    fi
    bench_result "$name1" "$goal" "$pq" - - "$(met_le "$pw" "$pc" 0.5)"
fi
if ! bench_measure "$BENCH_RUNS" "$SIGMIX" second-opinion --features "$d/features.jsonl" "${scores[@]}" \
        --out "$W/out.jsonl"; then
    bench_fail "$name2" "-" "sigmix second-opinion (JSONL): $M_ERR"
    bench_done
fi
sw=$M_WALL sc=$M_CPU sr=$M_RSS
if ! peer_python; then
    bench_peer_row "$name2" "-" "$(fmt_t "$sw" "$sc" "$sr")" "$PEER_WHY"
elif ! bench_measure 1 "$PY" bench/joins/pandas_baseline.py "$d/features.jsonl" "$W/out_pandas.jsonl" \
        "$d/dover.jsonl" "$d/qalign.jsonl" "$d/fastvqa.jsonl"; then
    bench_skip "$name2" "-" "pandas baseline failed: $M_ERR"
else
    bench_result "$name2" "-" "$(fmt_t "$sw" "$sc" "$sr")" "pandas $(fmt_t "$M_WALL" "$M_CPU" "$M_RSS") (1 run)" \
        "$(div "$M_WALL" "$sw")x wall, $(div "$M_CPU" "$sc")x CPU" -
fi
bench_done
