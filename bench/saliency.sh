#!/bin/bash
# Saliency benchmark: 200 rows over 40 distinct 8-frame H.264 clips at
# 960x540 (encoded here with libavcodec/libx264). Times (a) libavcodec
# decoding alone, (b) `sigmix saliency` with the built-in model at --jobs 1
# and --jobs 2. Best of N; reports, never asserts.
set -u
build=${1:-build}
BENCH="$build/bench/saliency/sal_bench"
SIGMIX="$build/sigmix"
[ -x "$SIGMIX" ] || SIGMIX="$build/sigmix"
N=${SAL_BENCH_REPS:-3}
[ -x "$BENCH" ] && [ -x "$SIGMIX" ] || { echo "saliency bench: build first"; exit 0; }
T=$(mktemp -d "${TMPDIR:-/tmp}/sigmix-sal-bench.XXXXXX")
trap 'rm -rf "$T"' EXIT

"$BENCH" gen "$T" 40 960 540 8 || { echo "saliency bench: cannot encode clips"; exit 0; }
for i in $(seq 0 199); do
    printf '{"src": "clip%02d.mp4", "width": 960, "height": 540, "vmaf": %d.5}\n' \
        $((i % 40)) $((i % 100))
done > "$T/table.jsonl"

calc() { awk "BEGIN { printf \"%.6f\", $* }"; }
best_run() { # jobs -> prints "wall cpu" of the fastest run; keeps its audit
    local jobs=$1 best="" bestcpu=""
    for _ in $(seq "$N"); do
        ( TIMEFORMAT='%R %U %S'
          time "$SIGMIX" saliency --input "$T/table.jsonl" --output "$T/out.jsonl" --root "$T" \
            --jobs "$jobs" --quiet --audit-json "$T/audit.json" 2>"$T/err" ) 2>"$T/time" \
            || { echo "saliency bench: sigmix failed: $(cat "$T/err")" >&2; echo "nan nan"; return; }
        local el cpu
        el=$(awk '{ print $1 }' "$T/time")
        cpu=$(awk '{ print $2 + $3 }' "$T/time")
        if [ -z "$best" ] || awk "BEGIN { exit !($el < $best) }"; then
            best=$el
            bestcpu=$cpu
            cp "$T/audit.json" "$T/audit_j$jobs.json"
        fi
    done
    echo "$best $bestcpu"
}
timing() { sed -n '/"timings_s"/,/}/p' "$1" | grep -o "\"$2\": [0-9.e-]*" | awk '{print $2}'; }

dec=$("$BENCH" decode "$N" "$T"/clip*.mp4)
dec_s=$(echo "$dec" | sed 's/.*decode_s=\([0-9.]*\).*/\1/')
dec_cpu=$(echo "$dec" | sed 's/.*cpu_s=\([0-9.]*\).*/\1/')
read -r j1 c1 <<<"$(best_run 1)"
read -r j2 c2 <<<"$(best_run 2)"
echo "saliency: 200 rows, 40 clips x 8 frames, 960x540 H.264, best of $N" \
     "(load average $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) cores: shared machine, noisy)"
echo "  (a) libavcodec decode alone : ${dec_s} s wall, ${dec_cpu} s CPU  ($(calc "40 / $dec_s") clips/s)"
for j in 1 2; do
    w=$([ $j = 1 ] && echo "$j1" || echo "$j2")
    c=$([ $j = 1 ] && echo "$c1" || echo "$c2")
    [ "$w" = nan ] && continue
    echo "  (b) sigmix saliency --jobs $j: $w s wall, $c s CPU (user+sys)"
    a="$T/audit_j$j.json"
    printf '      %.1f clips/s; in-run seconds summed over workers: decode %.3f convert %.3f model %.3f reduce %.3f; outside the run (startup, table read/write) %.3f\n' \
        "$(calc "40 / $w")" "$(timing "$a" decode)" "$(timing "$a" convert)" \
        "$(timing "$a" model)" "$(timing "$a" reduce)" \
        "$(calc "$w - $(timing "$a" wall)")"
done
if [ "$j1" != nan ] && [ "$j2" != nan ]; then
    printf '  ratio (b, jobs 1) / (a): %.2f wall, %.2f CPU (goal <= 1.5)\n' \
        "$(calc "$j1 / $dec_s")" "$(calc "$c1 / $dec_cpu")"
    printf '  speed-up jobs 1 -> 2:    %.2f wall (goal >= 1.7); CPU jobs 2 / jobs 1: %.2f\n' \
        "$(calc "$j1 / $j2")" "$(calc "$c2 / $c1")"
fi
"$BENCH" run "$T" 40 200 1 | sed 's/^/  library only, jobs 1: /'
"$BENCH" run "$T" 40 200 2 | sed 's/^/  library only, jobs 2: /'
