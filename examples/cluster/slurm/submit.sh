#!/bin/sh
# Submit the array and its merge in one go: ./submit.sh [N]  (default 64 shards)
set -eu
n=${1:-64}
cd "$(dirname "$0")"
mkdir -p logs
jid=$(sbatch --parsable --array=0-$((n - 1)) saliency.sbatch)
sbatch --parsable --dependency=afterok:"${jid%%;*}" merge.sbatch
