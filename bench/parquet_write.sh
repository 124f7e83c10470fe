#!/bin/bash
# Parquet write throughput per codec (150k x 110 synthetic table). Reports only.
build=${1:-build}
"$build/bench/parquet_write/bench_parquet_write" 150000 3 "${TMPDIR:-/tmp}"
