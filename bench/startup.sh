#!/bin/bash
# Start-up benchmarks (make bench). The peer is bench/startup/plain.c, a
# program linked with libc only that prints one line, compiled here with the
# compiler (and -O level) that built sigmix, in the same run. Each figure is
# the mean of K starts in a row (spawn_loop), best of BENCH_RUNS, alternating
# the programs so that both see the same machine:
#  - `sigmix --version`: goal <= 3x the plain program;
#  - `sigmix audit` of a 10-row table (report to a scratch file): goal <= 5x.
source "$(dirname "$0")/lib.sh"
loop=$BENCH_BUILD/bench/startup/spawn_loop
gen=$BENCH_BUILD/bench/audit/gen_audit_table
for exe in "$SIGMIX" "$loop" "$gen"; do
    [ -x "$exe" ] || { bench_fail "startup" "-" "$exe not built (make bench builds it)"; bench_done; }
done
W=$BENCH_WORK
# The compiler and optimisation flags of sigmix's own C sources.
read -r -a cc < <(/usr/bin/python3 - "$BENCH_BUILD" <<'EOF' 2>/dev/null
import json, sys
for t in json.load(open(sys.argv[1] + "/meson-info/intro-targets.json")):
    if t["name"] == "sigmix":
        for s in t["target_sources"]:
            if s.get("language") == "c":
                print(" ".join(s["compiler"] + [p for p in s["parameters"] if p.startswith("-O")]))
                sys.exit(0)
EOF
)
[ ${#cc[@]} -gt 0 ] || cc=(cc -O2)
if ! "${cc[@]}" -o "$W/plain" bench/startup/plain.c 2>"$W/cc.err"; then
    bench_skip "sigmix --version vs plain C program" "<= 3x" "cannot compile the plain program with ${cc[*]}: $(head -n 1 "$W/cc.err")"
    bench_skip "sigmix audit, 10-row table vs plain C program" "<= 5x" "no plain program"
    bench_done
fi
echo "  plain program: ${cc[*]} bench/startup/plain.c ($(ldd "$W/plain" 2>/dev/null | grep -c '=>') shared libraries;" \
     "sigmix: $(ldd "$SIGMIX" 2>/dev/null | grep -c '=>'))"
gen_once "$BENCH_DATA/audit_10.jsonl" "$gen" 10 @OUT@ 75 ||
    { bench_fail "sigmix audit, 10-row table" "<= 5x" "cannot generate the table"; bench_done; }

k_version=$(q 100 30)
k_audit=$(q 50 15)
# round KEY K PROGRAM ARGS...: one loop of K starts; keeps the best mean wall
# and CPU per KEY (bw, bc) and the peak RSS (br); ROUND_ERR on failure.
ROUND_ERR=""
declare -A bw bc br
round() {
    local key=$1 k=$2 line w c m
    shift 2
    line=$("$loop" "$k" "$W/stdout.txt" "$@" 2>"$W/err") || { ROUND_ERR=$(head -n 1 "$W/err"); return 1; }
    read -r w c m <<<"$(echo "$line" | sed 's/[a-z_]*=//g')"
    if [ -z "${bw[$key]:-}" ] || le "$w" "${bw[$key]}"; then bw[$key]=$w; fi
    if [ -z "${bc[$key]:-}" ] || le "$c" "${bc[$key]}"; then bc[$key]=$c; fi
    br[$key]=$m
}
ms() { awk -v s="$1" 'BEGIN { printf "%.2f ms", s * 1000 }'; }
err_v="" err_a=""
for ((i = 0; i < BENCH_RUNS; i++)); do
    round plain_v "$k_version" "$W/plain"
    round version "$k_version" "$SIGMIX" --version || err_v=$ROUND_ERR
    round plain_a "$k_audit" "$W/plain"
    round audit "$k_audit" "$SIGMIX" audit -i "$BENCH_DATA/audit_10.jsonl" --out-json "$W/r.json" ||
        err_a=$ROUND_ERR
done
row() { # NAME GOAL LIMIT KEY PLAINKEY ERR
    if [ -n "$6" ] || [ -z "${bw[$4]:-}" ] || [ -z "${bw[$5]:-}" ]; then
        bench_fail "$1" "$2" "${6:-no run}"
        return
    fi
    local x xc
    x=$(div "${bw[$4]}" "${bw[$5]}") xc=$(div "${bc[$4]}" "${bc[$5]}")
    bench_result "$1" "$2" "$(ms "${bw[$4]}") wall, $(ms "${bc[$4]}") CPU, $((br[$4] / 1024)) MB" \
        "plain C $(ms "${bw[$5]}") wall, $(ms "${bc[$5]}") CPU" "${x}x wall, ${xc}x CPU" \
        "$(met_le "$x" "$xc" "$3")"
}
echo "  mean of $k_version (--version) and $k_audit (audit) starts, best of $BENCH_RUNS"
row "sigmix --version vs plain C program" "<= 3x" 3 version plain_v "$err_v"
row "sigmix audit, 10-row table vs plain C program" "<= 5x" 5 audit plain_a "$err_a"
bench_done
