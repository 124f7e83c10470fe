#!/bin/sh
# Runs every libFuzzer target in a fuzz build for FUZZ_TIME seconds each,
# FUZZ_JOBS at a time, with a scratch corpus outside the repository, and
# prints one line per target: executions, coverage (cov/ft from the final
# "DONE" line), corpus size, peak RSS and findings (crash/leak/timeout/oom
# artifacts). A finding does not end the target's time: libFuzzer is
# restarted for what is left, so one run can report several findings.
#
#   sh fuzz/campaign.sh BUILD_DIR [TARGET...]
#   env: FUZZ_TIME (600), FUZZ_JOBS (2), FUZZ_DIR (/tmp/sigmix-fuzz),
#        FUZZ_ARGS (extra libFuzzer flags)
# Exit status 1 when any target had a finding.
set -u
build=${1:?usage: campaign.sh BUILD_DIR [TARGET...]}
shift
here=$(cd "$(dirname "$0")" && pwd)
time_per=${FUZZ_TIME:-600}
jobs=${FUZZ_JOBS:-2}
dir=${FUZZ_DIR:-/tmp/sigmix-fuzz}
mkdir -p "$dir" || exit 2

# target -> seed folder, read from the meson files so the two never drift.
map=$(sed -n "s/.*\['\(fuzz_[a-z0-9_]*\)', *files([^)]*), *'\([^']*\)'\].*/\1 \2/p" \
    "$here"/*/meson.build)
if [ $# -gt 0 ]; then
    targets="$*"
else
    targets=$(echo "$map" | cut -d' ' -f1)
fi

run_one() {
    t=$1
    seeds=$here/$(echo "$map" | awk -v t="$t" '$1 == t { print $2 }')
    exe=$build/fuzz/$t
    out=$dir/$t
    mkdir -p "$out/corpus" "$out/findings"
    : > "$out/log"
    if [ ! -x "$exe" ]; then
        echo "$t: not built" > "$out/summary"
        return
    fi
    start=$(date +%s)
    left=$time_per
    execs=0
    while [ "$left" -gt 5 ]; do
        # -rss_limit_mb/-timeout: the project's own bounds are 1 GiB and 30 s per
        # input; the fuzzer's limits sit above them so only real blow-ups count.
        "$exe" -max_total_time="$left" -print_final_stats=1 -timeout=30 \
            -rss_limit_mb=2048 -artifact_prefix="$out/findings/" \
            ${FUZZ_ARGS:-} "$out/corpus" "$seeds" >> "$out/log" 2>&1
        n=$(sed -n 's/^stat::number_of_executed_units: *//p' "$out/log" | tail -1)
        execs=$((execs + ${n:-0}))
        # The stats line is printed once per session; clear it so the next
        # session's is not counted twice.
        sed -i 's/^stat::number_of_executed_units:/stat::counted:/' "$out/log"
        left=$((time_per - ($(date +%s) - start)))
    done
    done_line=$(grep -E '^#[0-9]+[[:space:]]+(DONE|pulse|NEW|REDUCE|INITED)' "$out/log" | tail -1)
    cov=$(echo "$done_line" | sed -n 's/.*cov: \([0-9]*\).*/\1/p')
    ft=$(echo "$done_line" | sed -n 's/.*ft: \([0-9]*\).*/\1/p')
    rss=$(sed -n 's/^stat::peak_rss_mb: *//p' "$out/log" | sort -n | tail -1)
    corp=$(ls "$out/corpus" | wc -l)
    # slow-unit-* are libFuzzer's notes on inputs over 10 s of wall time
    # (on a loaded machine, mostly waiting); they are listed, not counted.
    finds=$(cd "$out/findings" && ls | grep -Ec '^(crash|leak|timeout|oom)-')
    slow=$(cd "$out/findings" && ls | grep -c '^slow-unit-')
    printf '%s: %s executions in %ss, cov %s ft %s, corpus %s, peak RSS %s MB, findings %s%s%s\n' \
        "$t" "$execs" "$time_per" "${cov:-?}" "${ft:-?}" "$corp" "${rss:-?}" "$finds" \
        "$([ "$finds" -gt 0 ] && echo " ($(cd "$out/findings" && ls | grep -E '^(crash|leak|timeout|oom)-' | tr '\n' ' '))")" \
        "$([ "$slow" -gt 0 ] && echo ", $slow slow-unit note(s)")" \
        > "$out/summary"
}

# A small job pool: at most $jobs targets at once.
running=0
for t in $targets; do
    run_one "$t" &
    running=$((running + 1))
    if [ "$running" -ge "$jobs" ]; then
        wait
        running=0
    fi
done
wait

status=0
echo "fuzz campaign: FUZZ_TIME=$time_per s per target, scratch in $dir"
for t in $targets; do
    cat "$dir/$t/summary"
    ls "$dir/$t/findings" 2>/dev/null | grep -Eq '^(crash|leak|timeout|oom)-' && status=1
done
exit $status
