#!/bin/bash
# threads.sh OUT WAIT SECONDS: after WAIT s, samples CPU per thread name of every Runnel broker JVM for SECONDS s.
out=$1; wait=${2:-45}; secs=${3:-50}
snap() { for p in $(pgrep -f 'RunnelMain' ); do for t in /proc/$p/task/*; do
  s=$(cat $t/stat 2>/dev/null) || continue; name=$(cat $t/comm); rest=${s##*) }; set -- $rest
  echo "$p ${t##*/} ${name// /_} $((${12}+${13}))"; done; done; }
until [ "$(pgrep -f RunnelMain | wc -l)" -ge 3 ]; do sleep 1; done; sleep $wait; snap > $out.a; sleep $secs; snap > $out.b
join <(awk '{print $1"/"$2, $3, $4}' $out.a | sort) <(awk '{print $1"/"$2, $3, $4}' $out.b | sort) \
 | awk -v secs=$secs '{n=$2; gsub(/[-0-9]+$/,"",n); d[n]+=($5-$3)/100; t+=($5-$3)/100} END {for (k in d) printf "%8.2f %s\n", d[k], k; printf "%8.2f TOTAL (%.2f cores)\n", t, t/secs}' | sort -rn > $out
