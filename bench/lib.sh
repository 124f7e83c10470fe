# shellcheck shell=bash disable=SC2034
# Common helpers for the bench/AREA.sh scripts (sourced, not run). Each area
# measures, then records one result line per benchmark with bench_result;
# bench/run.sh prints every recorded line again as one summary table.
#
# Environment (all optional):
#   BENCH_RUNS=3        best of N for short runs (runs over BENCH_LONG=20 s: once)
#   BENCH_QUICK=1       small inputs (harness testing; the goals are not judged)
#   BENCH_DATA=DIR      generated inputs, kept between runs (deterministic)
#   BENCH_PEERS=DIR     peers installed by the bench (npm packages)
#   BENCH_RESULTS=FILE  where result lines go (set by run.sh)
#   BENCH_SIGMIX=PATH   the sigmix binary to time (default BUILD/sigmix)
# Inputs and peers live outside the repository; outputs go to a per-area
# scratch folder that is removed at exit, never to /dev/null.
set -u
BENCH_BUILD=${1:-build}
cd "$(dirname "${BASH_SOURCE[0]}")/.." || exit 1
BENCH_SRC=$(pwd)
BENCH_AREA=$(basename "$0" .sh)
case $BENCH_BUILD in /*) ;; *) BENCH_BUILD=$BENCH_SRC/$BENCH_BUILD ;; esac
SIGMIX=${BENCH_SIGMIX:-$BENCH_BUILD/sigmix}
case $SIGMIX in /*) ;; *) SIGMIX=$BENCH_SRC/$SIGMIX ;; esac
BENCH_RUNS=${BENCH_RUNS:-${SIGMIX_BENCH_RUNS:-3}}
BENCH_QUICK=${BENCH_QUICK:-0}
[ "$BENCH_QUICK" = 0 ] || BENCH_QUICK=1
BENCH_DATA=${BENCH_DATA:-${TMPDIR:-/tmp}/sigmix-bench-data}
if [ -z "${BENCH_PEERS:-}" ]; then
    if [ -n "${XDG_CACHE_HOME:-}" ]; then BENCH_PEERS=$XDG_CACHE_HOME/sigmix-bench-peers
    else BENCH_PEERS=${TMPDIR:-/tmp}/sigmix-bench-peers; fi
fi
mkdir -p "$BENCH_DATA" "$BENCH_PEERS" || exit 1
BENCH_WORK=$(mktemp -d "${TMPDIR:-/tmp}/sigmix-bench-$BENCH_AREA.XXXXXX") || exit 1
trap 'rm -rf "$BENCH_WORK"' EXIT
if [ -z "${BENCH_RESULTS:-}" ]; then # an area run alone: its own table at exit
    BENCH_RESULTS=$BENCH_WORK/results.tsv
    trap 'bash "$BENCH_SRC/bench/table.sh" "$BENCH_RESULTS"; rm -rf "$BENCH_WORK"' EXIT
fi
BENCH_FAILED=0

# q FULL QUICK: the size for this run
q() { if [ "$BENCH_QUICK" = 1 ]; then echo "$2"; else echo "$1"; fi; }

need_time() {
    [ -x /usr/bin/time ] || sh tools/install-deps.sh time >&2 || return 1
    [ -x /usr/bin/time ]
}

# bench_measure RUNS CMD...: run CMD RUNS times, or once if that run took
# BENCH_LONG seconds (default 20) or more (stdout to $BENCH_WORK/out,
# stderr to $BENCH_WORK/err). Sets M_WALL and M_CPU (user+sys), each the
# best of the runs, and M_RSS (largest peak RSS of the runs, KB). Returns 1
# with M_ERR set if a run fails.
bench_measure() {
    local runs=$1 i w u s m c
    shift
    M_WALL="" M_CPU="" M_RSS=0 M_ERR=""
    need_time || { M_ERR="/usr/bin/time missing"; return 1; }
    for ((i = 0; i < runs; i++)); do
        if ! /usr/bin/time -f '%e %U %S %M' -o "$BENCH_WORK/time" "$@" \
            >"$BENCH_WORK/out" 2>"$BENCH_WORK/err"; then
            M_ERR="$(sed -n 's/^Command exited with non-zero status \(.*\)/exit \1: /p;s/^Command terminated by signal \(.*\)/signal \1: /p' \
                "$BENCH_WORK/time" | head -n 1)$(grep -v '^\[signal-mix\]' "$BENCH_WORK/err" | head -n 1)"
            return 1
        fi
        read -r w u s m < <(tail -n 1 "$BENCH_WORK/time")
        c=$(awk -v u="$u" -v s="$s" 'BEGIN { printf "%.2f", u + s }')
        if [ -z "$M_WALL" ] || awk -v a="$w" -v b="$M_WALL" 'BEGIN { exit !(a < b) }'; then M_WALL=$w; fi
        if [ -z "$M_CPU" ] || awk -v a="$c" -v b="$M_CPU" 'BEGIN { exit !(a < b) }'; then M_CPU=$c; fi
        [ "$m" -gt "$M_RSS" ] && M_RSS=$m
        # Best of N is for short runs: a long one is not repeated.
        le "${BENCH_LONG:-20}" "$w" && break
    done
    return 0
}

# fmt_t WALL CPU [RSS_KB]: "0.41 s wall, 0.62 s CPU[, 180 MB]"
fmt_t() {
    awk -v w="$1" -v c="$2" -v m="${3:-}" 'BEGIN {
        s = sprintf("%.3g s wall, %.3g s CPU", w, c)
        if (m != "") s = s sprintf(", %.0f MB", m / 1024)
        print s }'
}

# le A B: A <= B (numbers)
le() { awk -v a="$1" -v b="$2" 'BEGIN { exit !(a + 0 <= b + 0) }'; }
# div A B: A / B with 3 significant digits ("-" when B is 0)
div() { awk -v a="$1" -v b="$2" 'BEGIN { if (b + 0 == 0) print "-"; else printf "%.3g", a / b }'; }

# verdict WALL_OK CPU_OK: the met? column. Goals are wall-clock; when the
# wall time misses but the CPU time would meet the same bound, the machine
# was probably busy (CPU time barely changes with load).
verdict() {
    local v
    if [ "$1" = 1 ]; then v=yes
    elif [ "$2" = 1 ]; then v="no (CPU: yes)"
    else v=no; fi
    [ "$BENCH_QUICK" = 1 ] && v="$v (quick)"
    echo "$v"
}
# met_le VALUE_WALL VALUE_CPU LIMIT: verdict for "<= LIMIT"
met_le() {
    local a=0 b=0
    le "$1" "$3" && a=1
    le "$2" "$3" && b=1
    verdict $a $b
}
# met_ge VALUE_WALL VALUE_CPU LIMIT: verdict for ">= LIMIT"
met_ge() {
    local a=0 b=0
    le "$3" "$1" && a=1
    [ "$2" != - ] && le "$3" "$2" && b=1
    verdict $a $b
}

# bench_result NAME GOAL SIGMIX PEER RATIO MET: one result line, printed
# now and kept for the summary table.
bench_result() {
    printf 'ok\t%s\t%s\t%s\t%s\t%s\t%s\n' "$1" "$2" "$3" "$4" "$5" "$6" >>"$BENCH_RESULTS"
    printf 'result: %s | goal: %s | sigmix: %s | peer: %s | ratio: %s | met: %s\n' "$@"
}
# bench_skip NAME GOAL REASON: the benchmark could not run, not sigmix's fault
# (a missing peer, model or tool); the run still succeeds.
bench_skip() {
    printf 'skip\t%s\t%s\t-\t-\t-\t%s\n' "$1" "$2" "$3" >>"$BENCH_RESULTS"
    printf 'result: %s | goal: %s | skipped: %s\n' "$1" "$2" "$3"
}
# bench_fail NAME GOAL REASON: sigmix (or a bench program) failed: the run
# exits non-zero.
bench_fail() {
    printf 'fail\t%s\t%s\t-\t-\t-\tFAILED: %s\n' "$1" "$2" "$3" >>"$BENCH_RESULTS"
    printf 'result: %s | goal: %s | FAILED: %s\n' "$1" "$2" "$3"
    BENCH_FAILED=1
}
# bench_peer_row NAME GOAL SIGMIX REASON: sigmix measured, peer missing
bench_peer_row() {
    bench_result "$1" "$2" "$3" "peer unavailable: $4" - -
}

# gen_once FILE CMD...: make FILE with CMD unless it exists; @OUT@ in CMD
# stands for a temporary name with the same extension, renamed to FILE when
# CMD succeeds. Inputs are deterministic, so a cached copy is the same input.
gen_once() {
    local f=$1 part a args=()
    shift
    [ -s "$f" ] && return 0
    part=$(dirname "$f")/part-$$-$(basename "$f")
    for a in "$@"; do args+=("${a//@OUT@/$part}"); done
    rm -rf "$part"
    "${args[@]}" || { rm -rf "$part"; return 1; }
    mv "$part" "$f"
}

# ---- peers ------------------------------------------------------------------
# peer_python: sets PY to a python3 that imports numpy and pandas, installing
# python3-pandas from Debian when missing. Sets PEER_WHY on failure.
peer_python() {
    local cand
    PY="" PEER_WHY=""
    for pass in 1 2; do
        for cand in /usr/bin/python3 python3; do
            if command -v "$cand" >/dev/null 2>&1 && "$cand" -c 'import numpy, pandas' 2>/dev/null; then
                PY=$cand
                return 0
            fi
        done
        [ $pass = 1 ] || break
        sh tools/install-deps.sh python3-numpy python3-pandas >&2 || break
    done
    PEER_WHY="no python3 with numpy and pandas (apt-get install python3-pandas failed)"
    return 1
}

# peer_npm MODULE@VERSION...: install npm packages into $BENCH_PEERS/npm
# (once; nodejs and npm come from Debian when missing). Scripts are not run:
# onnxruntime-node's only fetches optional GPU parts from outside the npm
# registry; its CPU library and DuckDB's platform binary are in the npm
# packages themselves. Sets NODE_PATH for the peer scripts, PEER_WHY on failure.
peer_npm() {
    local dir=$BENCH_PEERS/npm spec name missing=""
    PEER_WHY=""
    if ! command -v node >/dev/null 2>&1; then
        sh tools/install-deps.sh nodejs npm >&2
    elif ! command -v npm >/dev/null 2>&1; then
        sh tools/install-deps.sh npm >&2
    fi
    command -v node >/dev/null 2>&1 || { PEER_WHY="node not installed (apt-get install nodejs failed)"; return 1; }
    export NODE_PATH=$dir/node_modules
    for spec in "$@"; do
        name=${spec%@*}
        [ -n "$name" ] || name=$spec
        node -e "require('$name')" >/dev/null 2>&1 || missing="$missing $spec"
    done
    [ -z "$missing" ] && return 0
    command -v npm >/dev/null 2>&1 || { PEER_WHY="npm not installed (apt-get install npm failed)"; return 1; }
    mkdir -p "$dir"
    echo "bench: installing$missing into $dir (npm registry)" >&2
    # shellcheck disable=SC2086
    if ! (cd "$dir" && npm_config_cache=$BENCH_PEERS/npm-cache timeout 900 npm install --no-audit \
            --no-fund --ignore-scripts --no-package-lock $missing) >"$BENCH_WORK/npm.log" 2>&1; then
        PEER_WHY="npm install$missing failed: $(grep -m1 -i 'err' "$BENCH_WORK/npm.log" | cut -c1-120)"
        return 1
    fi
    for spec in $missing; do
        name=${spec%@*}
        node -e "require('$name')" >"$BENCH_WORK/npm.log" 2>&1 || {
            PEER_WHY="$name installed but does not load: $(grep -m1 -i 'error' "$BENCH_WORK/npm.log" | cut -c1-120)"
            return 1
        }
    done
    return 0
}
# Pinned so that figures stay comparable between runs.
DUCKDB_NPM=${BENCH_DUCKDB_NPM:-@duckdb/node-api@1.5.6-r.1}
ORT_NPM=${BENCH_ORT_NPM:-onnxruntime-node@1.30.0}

bench_done() {
    if [ "$BENCH_FAILED" = 1 ]; then exit 1; fi
    exit 0
}
