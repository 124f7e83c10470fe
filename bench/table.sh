#!/bin/bash
# table.sh RESULTS.tsv [md]: the summary table of recorded result lines
# (status, benchmark, goal, sigmix, peer, ratio, met), aligned text or
# Markdown (for docs/PERFORMANCE.md).
set -u
[ -s "$1" ] || { echo "(no results)"; exit 0; }
awk -F'\t' -v md="${2:-}" '
{
    n++
    for (i = 2; i <= 7; i++) {
        c[n, i] = $i
        if (length($i) > w[i]) w[i] = length($i)
    }
}
END {
    split("benchmark|goal|sigmix|peer|ratio|met?", h, "|")
    for (i = 2; i <= 7; i++) if (length(h[i - 1]) > w[i]) w[i] = length(h[i - 1])
    if (md != "") {
        print "| benchmark | goal | sigmix | peer | ratio | met? |"
        print "|---|---|---|---|---|---|"
        for (r = 1; r <= n; r++) {
            line = "|"
            for (i = 2; i <= 7; i++) line = line " " c[r, i] " |"
            print line
        }
        exit
    }
    line = ""
    for (i = 2; i <= 7; i++) line = line sprintf("%-*s%s", w[i], h[i - 1], i < 7 ? " | " : "")
    print line
    line = ""
    for (i = 2; i <= 7; i++) {
        d = sprintf("%*s", w[i], "")
        gsub(/ /, "-", d)
        line = line d (i < 7 ? "-+-" : "")
    }
    print line
    for (r = 1; r <= n; r++) {
        line = ""
        for (i = 2; i <= 7; i++) line = line sprintf("%-*s%s", w[i], c[r, i], i < 7 ? " | " : "")
        print line
    }
}' "$1"
