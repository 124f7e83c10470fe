#!/bin/bash
# Audit benchmarks (make bench), each `sigmix audit` run writing its JSON
# report to a scratch file, best of BENCH_RUNS:
#  - 30,000-row JSONL, 85 signal columns (~94 MB, gen_audit_table), against
#    the pandas/numpy baseline of the same algorithm (bench/audit/
#    pandas_audit.py, run once; checked to find the same redundant pairs):
#    goals >= 30x faster and >= 10x less memory (peak RSS);
#  - 60,000-row snappy Parquet (pq_benchgen, pyarrow layout, 110 columns),
#    full audit against DuckDB computing only the column stats and every
#    pairwise Pearson (bench/audit/duckdb_stats.js): goal >= 10x faster;
#  - 150,000-row snappy Parquet (~132 MB): goal <= 0.45 s and <= 250 MB;
#  - 150,000-row JSONL (~559 MB, gen_jsonl): goal <= 1.0 s;
#  - the statistics phase alone (bench_audit_stats), a figure.
# Peers are whole processes, like sigmix (start-up included).
source "$(dirname "$0")/lib.sh"
gen=$BENCH_BUILD/bench/audit/gen_audit_table
pqgen=$BENCH_BUILD/bench/parquet/pq_benchgen
jgen=$BENCH_BUILD/bench/tableio/gen_jsonl
stats=$BENCH_BUILD/bench/audit/bench_audit_stats
for exe in "$SIGMIX" "$gen" "$pqgen" "$jgen" "$stats"; do
    [ -x "$exe" ] || { bench_fail "audit" "-" "$exe not built (make bench builds it)"; bench_done; }
done
D=$BENCH_DATA
W=$BENCH_WORK
audit() { bench_measure "$1" "$SIGMIX" audit -i "$2" --out-json "$W/report.json"; }
mb() { awk -v b="$(stat -c %s "$1")" 'BEGIN { printf "%.0f", b / 1048576 }'; }

# --- 30k JSONL vs pandas -----------------------------------------------------
rows=$(q 30000 3000)
f=$D/audit_${rows}_85sig.jsonl
name_t="audit ${rows}-row JSONL, 85 signal cols: time vs pandas"
name_m="audit ${rows}-row JSONL: peak memory vs pandas"
if ! gen_once "$f" "$gen" "$rows" @OUT@ 75; then
    bench_fail "$name_t" ">= 30x faster" "cannot generate $f"
elif ! audit "$BENCH_RUNS" "$f"; then
    bench_fail "$name_t" ">= 30x faster" "sigmix audit: $M_ERR"
else
    sw=$M_WALL sc=$M_CPU sr=$M_RSS
    cp "$W/report.json" "$W/sigmix30k.json"
    echo "  input: $f ($(mb "$f") MB)"
    if ! peer_python; then
        bench_peer_row "$name_t" ">= 30x faster" "$(fmt_t "$sw" "$sc")" "$PEER_WHY"
        bench_peer_row "$name_m" ">= 10x less memory" "$(fmt_t "$sw" "$sc" "$sr")" "$PEER_WHY"
    elif ! bench_measure 1 "$PY" bench/audit/pandas_audit.py "$f" "$W/pandas.json"; then
        bench_skip "$name_t" ">= 30x faster" "pandas baseline failed: $M_ERR"
    else
        pw=$M_WALL pc=$M_CPU pr=$M_RSS
        same=$("$PY" bench/audit/pandas_audit.py --compare "$W/pandas.json" "$W/sigmix30k.json")
        echo "  pandas vs sigmix: $same"
        x=$(div "$pw" "$sw") xc=$(div "$pc" "$sc") xm=$(div "$pr" "$sr")
        bench_result "$name_t" ">= 30x faster" "$(fmt_t "$sw" "$sc")" "pandas $(fmt_t "$pw" "$pc") (1 run)" \
            "${x}x wall, ${xc}x CPU" "$(met_ge "$x" "$xc" 30)"
        m=no
        le 10 "$xm" && m=yes
        [ "$BENCH_QUICK" = 1 ] && m="$m (quick)"
        bench_result "$name_m" ">= 10x less memory" "$((sr / 1024)) MB" "pandas $((pr / 1024)) MB" \
            "${xm}x" "$m"
    fi
fi

# --- 60k Parquet vs DuckDB -----------------------------------------------------
rows=$(q 60000 6000)
f=$D/pq_${rows}x110_snappy.parquet
name="full audit ${rows}-row Parquet vs DuckDB stats+Pearson"
if ! gen_once "$f" "$pqgen" @OUT@ "$rows" 110 snappy; then
    bench_fail "$name" ">= 10x faster" "cannot generate $f"
elif ! audit "$BENCH_RUNS" "$f"; then
    bench_fail "$name" ">= 10x faster" "sigmix audit: $M_ERR"
else
    sw=$M_WALL sc=$M_CPU sr=$M_RSS
    echo "  input: $f ($(mb "$f") MB)"
    if ! peer_npm "$DUCKDB_NPM"; then
        bench_peer_row "$name" ">= 10x faster" "$(fmt_t "$sw" "$sc" "$sr")" "$PEER_WHY"
    elif ! bench_measure "$BENCH_RUNS" node bench/audit/duckdb_stats.js "$f" "$W/duckdb.json"; then
        bench_skip "$name" ">= 10x faster" "DuckDB failed: $M_ERR"
    else
        echo "  duckdb (last run): $(cat "$W/out")"
        x=$(div "$M_WALL" "$sw") xc=$(div "$M_CPU" "$sc")
        bench_result "$name" ">= 10x faster" "$(fmt_t "$sw" "$sc" "$sr")" \
            "DuckDB $(fmt_t "$M_WALL" "$M_CPU" "$M_RSS")" "${x}x wall, ${xc}x CPU" "$(met_ge "$x" "$xc" 10)"
    fi
fi

# --- 150k Parquet, 150k JSONL: absolute goals --------------------------------------
rows=$(q 150000 15000)
f=$D/pq_${rows}x110_snappy.parquet
name="audit ${rows}-row Parquet (snappy, 110 cols)"
if ! gen_once "$f" "$pqgen" @OUT@ "$rows" 110 snappy; then
    bench_fail "$name" "<= 0.45 s, <= 250 MB" "cannot generate $f"
elif ! audit "$BENCH_RUNS" "$f"; then
    bench_fail "$name" "<= 0.45 s, <= 250 MB" "sigmix audit: $M_ERR"
else
    echo "  input: $f ($(mb "$f") MB)"
    t=$(met_le "$M_WALL" "$M_CPU" 0.45)
    m=no
    [ "$M_RSS" -le $((250 * 1024)) ] && m=yes
    bench_result "$name, $(mb "$f") MB" "<= 0.45 s, <= 250 MB" "$(fmt_t "$M_WALL" "$M_CPU" "$M_RSS")" - - \
        "time $t; memory $m"
fi
f=$D/tableio_${rows}.jsonl
name="audit ${rows}-row JSONL (110 cols)"
if ! gen_once "$f" "$jgen" "$rows" @OUT@; then
    bench_fail "$name" "<= 1.0 s" "cannot generate $f"
elif ! audit "$BENCH_RUNS" "$f"; then
    bench_fail "$name" "<= 1.0 s" "sigmix audit: $M_ERR"
else
    bench_result "$name, $(mb "$f") MB" "<= 1.0 s" "$(fmt_t "$M_WALL" "$M_CPU" "$M_RSS")" - - \
        "$(met_le "$M_WALL" "$M_CPU" 1.0)"
fi

# --- statistics phase alone (figure) -------------------------------------------------
if "$stats" "$rows" >"$W/stats.txt" 2>&1; then
    sed 's/^/  /' "$W/stats.txt"
    bench_result "audit statistics phase alone, ${rows} rows x 106" - \
        "$(sed -n 's/^stats phase[^:]*: \([0-9.]*\) s wall, \([0-9.]*\) s CPU.*/\1 s wall, \2 s CPU/p' "$W/stats.txt")" - - -
else
    bench_fail "audit statistics phase alone" - "$(head -n 1 "$W/stats.txt")"
fi
bench_done
