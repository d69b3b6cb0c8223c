#!/bin/bash
# Flat-out 1 KiB acks=all, writeback off vs on, alternating; machine-wide CPU (all processes, kernel threads included)
# from /proc/stat around each bench invocation, and the writeback thread's own CPU (sampled while the broker runs).
set -u
OUT=${OUT:-/tmp/writeback-cpu}; mkdir -p $OUT; cp results/2026-12-04-standard-writeback/flat-out-acks-all-cpu/max-all.plan $OUT/; cd /work/wt-bench
tot() { awk '/^cpu /{print $2+$3+$4+$6+$7+$8}' /proc/stat; }   # user nice system irq softirq steal... (busy jiffies, no idle/iowait)
for r in 1 2; do
  for s in off=runnel,runnel.writeback.bytes=0 on=runnel; do
    name=${s%%=*}; b=$(tot); t0=$(date +%s.%N)
    ( while sleep 1; do p=$(pgrep -f io.runnel.broker.RunnelMain | head -1); [ -n "$p" ] || continue;
        for t in /proc/$p/task/*; do [ "$(cat $t/comm 2>/dev/null)" = runnel-writebac ] && awk '{print $14+$15}' $t/stat > $OUT/wb-$name-$r.ticks; done; done ) & SAMPLER=$!
    RUNNEL_NO_REBUILD=1 bin/runnel bench --plan $OUT/max-all.plan --system $s --output $OUT/$name-$r > $OUT/$name-$r.log 2>&1
    kill $SAMPLER; e=$(tot); t1=$(date +%s.%N)
    echo "$name round $r busy_jiffies=$((e-b)) seconds=$(echo "$t1-$t0" | bc) writeback_thread_ticks=$(cat $OUT/wb-$name-$r.ticks 2>/dev/null || echo 0)" >> $OUT/cpu.txt
  done
done
touch $OUT/DONE
