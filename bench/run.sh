#!/bin/bash
# make bench: run each area's benchmark (bench/AREA.sh), then print every
# result line again as one table: benchmark | goal | sigmix | peer | ratio |
# met?. Benchmarks report; they never fail on timing. A benchmark sigmix
# could not run makes the run exit 1; a missing peer or model is a row that
# says why, not a failure.
#   BENCH_ONLY=audit,onnx   run these areas only (names of bench/*.sh)
#   BENCH_QUICK=1           small inputs, for testing the harness
#   BENCH_RUNS=N            best of N for short runs (default 3; BENCH_LONG=20:
#                           a run of that many seconds is not repeated)
#   BENCH_MARKDOWN=FILE     also write the table as Markdown
#   BENCH_SIGMIX=PATH       time another sigmix binary (bench programs still
#                           come from BUILD)
set -u
build=${1:-build}
cd "$(dirname "$0")/.." || exit 1
areas=""
# Every bench/AREA.sh is one area; a new area needs no edit here. The
# areas with goals come first, the figures-only ones after.
for a in startup audit onnx saliency shard vmaflogs joins; do
    [ -f "bench/$a.sh" ] && areas="$areas $a"
done
for script in bench/*.sh; do
    a=$(basename "$script" .sh)
    case " $areas run lib table " in *" $a "*) continue ;; esac
    areas="$areas $a"
done
if [ -n "${BENCH_ONLY:-}" ]; then
    sel=""
    for a in ${BENCH_ONLY//,/ }; do
        case " $areas " in
        *" $a "*) sel="$sel $a" ;;
        *) echo "bench: no area '$a' (areas:$areas)" >&2; exit 2 ;;
        esac
    done
    areas=$sel
fi
results=$(mktemp "${TMPDIR:-/tmp}/sigmix-bench-results.XXXXXX")
trap 'rm -f "$results"' EXIT
export BENCH_RESULTS=$results
load() { cut -d' ' -f1-3 /proc/loadavg; }
start=$(date +%s)
echo "sigmix bench: $(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) cores, load average $(load)" \
     "$([ "${BENCH_QUICK:-0}" != 0 ] && echo '- QUICK sizes')"
sigmix=${BENCH_SIGMIX:-$build/sigmix}
echo "binary: $sigmix ($("$sigmix" --version 2>&1 | head -n 1))"
failed=""
for area in $areas; do
    echo
    echo "== bench: $area (load average $(load))"
    t0=$(date +%s)
    nfail=$(grep -c '^fail' "$results")
    if ! bash "bench/$area.sh" "$build"; then
        failed="$failed $area"
        # An area that died before recording its failure still shows up.
        [ "$(grep -c '^fail' "$results")" -gt "$nfail" ] ||
            printf 'fail\t%s\t-\t-\t-\t-\tFAILED: exited non-zero, see the log above\n' "$area" >>"$results"
    fi
    echo "   ($area: $(($(date +%s) - t0)) s)"
done
echo
echo "== summary ($(($(date +%s) - start)) s; load average now $(load) on $(nproc) cores)"
bash bench/table.sh "$results"
if [ "${BENCH_QUICK:-0}" != 0 ]; then
    echo "BENCH_QUICK: inputs are smaller than the goals assume; 'met?' is not a verdict on the goals."
fi
echo "Wall times are the goals; with other jobs running they measure the queue too, so CPU time"
echo "(user+sys) is shown beside them, and 'no (CPU: yes)' marks a goal the CPU time would meet."
if [ -n "${BENCH_MARKDOWN:-}" ]; then
    bash bench/table.sh "$results" md >"$BENCH_MARKDOWN" && echo "Markdown table: $BENCH_MARKDOWN"
fi
echo "Generated inputs are kept in ${BENCH_DATA:-${TMPDIR:-/tmp}/sigmix-bench-data} (rm -rf it to free the space)."
# Timing never fails a run; a benchmark that could not run does.
if [ -n "$failed" ]; then
    echo "benchmarks failed:$failed" >&2
    exit 1
fi
