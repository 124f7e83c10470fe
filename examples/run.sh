#!/bin/sh
# make run: audit the bundled example tables and write the reports.
set -e
sigmix=$1
out=${2:-out}
dir=$(dirname "$0")
"$sigmix" audit --input "vmaf_features=$dir/vmaf_features.jsonl" \
    --input "ugc_mos=$dir/ugc_mos.csv" \
    --out-json "$out/audit.json" --out-md "$out/audit.md"
echo "reports: $out/audit.json $out/audit.md"
