#!/bin/bash
# 10 alternating before/after pairs of the 50 MB/s tail scenario; publish p99.9 of each into /tmp/t50/values.txt
set -u
OUT=/tmp/t50; mkdir -p $OUT; : > $OUT/values.txt
cd /work/wt-bench
for r in $(seq 1 10); do
  if [ $((r % 2)) -eq 1 ]; then order="--system before=runnel,home=/work/wt-before --system after=runnel"; else order="--system after=runnel --system before=runnel,home=/work/wt-before"; fi
  RUNNEL_NO_REBUILD=1 bin/runnel bench --plan /work/main/results/2026-12-02-50mbps-tail-repeats/tail50.plan $order --output $OUT/r$r > $OUT/r$r.log 2>&1
  for s in before after; do
    v=$(grep -E "^\| 1-topic.*\| $s \|" $OUT/r$r/summary.md | head -1 | awk -F'|' '{gsub(/ /,"",$9); print $9}')
    e=$(grep -E "^\| 1-topic.*\| $s \|" $OUT/r$r/summary.md | head -1 | awk -F'|' '{gsub(/ /,"",$13); print $13}')
    echo "r$r $s pub_p99.9=${v:-NA} e2e_p99.9=${e:-NA}" >> $OUT/values.txt
  done
done
touch $OUT/DONE
