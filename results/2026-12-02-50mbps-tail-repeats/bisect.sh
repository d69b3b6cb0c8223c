#!/bin/bash
# Bisects the 50 MB/s publish p99.9 regression over /tmp/bisect-commits.txt (oldest first; the last is bad, 14c0681 before them good).
set -u
OUT=/work/bench-out/bisect; mkdir -p $OUT
mapfile -t C < /tmp/bisect-commits.txt
lo=-1; hi=$((${#C[@]}-1))   # C[lo] good (-1 = 14c0681), C[hi] bad
measure() {
  local c=$1 dir=/work/bis-$1 vals=()
  [ -d $dir ] || git -C /work/main worktree add --detach $dir $c -q
  (cd $dir && mvn -q -B -o -pl broker -am package -DskipTests > $OUT/$c-build.log 2>&1)
  for r in 1 2 3 4; do
    (cd /work/wt-after2 && bin/runnel bench --plan /tmp/tail50.plan --system c=runnel,home=$dir --output $OUT/$c-r$r > $OUT/$c-r$r.log 2>&1)
    v=$(grep -E "^\| 1-topic.*\| c \|" $OUT/$c-r$r/summary.md | head -1 | awk -F'|' '{gsub(/ /,"",$9); print $9}')
    vals+=(${v:-999})
  done
  med=$(printf "%s\n" "${vals[@]}" | sort -n | sed -n 2,3p | awk '{s+=$1} END {print s/2}')
  echo "$c p99.9 runs: ${vals[*]} median $med" >> $OUT/steps.txt
  awk -v m=$med 'BEGIN {exit !(m > 45)}'
}
while [ $((hi-lo)) -gt 1 ]; do
  mid=$(((lo+hi)/2))
  if measure ${C[$mid]}; then hi=$mid; else lo=$mid; fi
done
echo "first bad: ${C[$hi]} (last good: ${C[$lo]:-14c0681})" >> $OUT/steps.txt
touch /work/tasks/BENCH_DONE; touch $OUT/DONE
