#!/bin/bash
# usage: run.sh OUTDIR ROUNDS system-spec...   (runs the 50 MB/s plan ROUNDS times, systems in given order)
set -u
OUT=$1; ROUNDS=$2; shift 2; mkdir -p $OUT
cd /work/wt-bench
args=(); for s in "$@"; do args+=(--system "$s"); done
for r in $(seq 1 $ROUNDS); do
  RUNNEL_NO_REBUILD=1 bin/runnel bench --plan /work/main/results/2026-12-02-50mbps-tail-repeats/tail50.plan "${args[@]}" --output $OUT/r$r > $OUT/r$r.log 2>&1
done
touch $OUT/DONE
