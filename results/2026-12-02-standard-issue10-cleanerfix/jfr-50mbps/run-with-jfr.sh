#!/bin/bash
# usage: jfr50.sh HOME LABEL PORT
set -u
HOME_DIR=$1; LABEL=$2; PORT=$3
OUT=/work/bench-out/jfr; mkdir -p $OUT; rm -rf $OUT/data-$LABEL
cd $HOME_DIR
RUNNEL_JAVA_OPTS="-Xmx1g -Xms1g -XX:StartFlightRecording=filename=$OUT/$LABEL.jfr,settings=profile,dumponexit=true" \
  bin/runnel broker --override log.dirs=$OUT/data-$LABEL --override listeners=PLAINTEXT://127.0.0.1:$PORT > $OUT/$LABEL-broker.log 2>&1 &
BPID=$!
for i in $(seq 1 60); do (echo > /dev/tcp/127.0.0.1/$PORT) 2>/dev/null && break; sleep 1; done
timeout 120 java -cp /work/wt-after/bench/target/benchmarks.jar io.runnel.bench.omb.OmbBench --driver omb-driver/runnel-acks-1.yaml --bootstrap 127.0.0.1:$PORT --warmup-seconds 10 --duration-seconds 40 --output $OUT/$LABEL-omb.json bench/workloads/1-topic-6-partitions-1kb-50mb.yaml > $OUT/$LABEL-omb.log 2>&1
JPID=$(pgrep -f "log.dirs=$OUT/data-$LABEL" | while read p; do if grep -q java /proc/$p/cmdline 2>/dev/null; then echo $p; fi; done | tail -1)
grep -E "VmHWM|VmRSS" /proc/$JPID/status > $OUT/$LABEL-rss.txt 2>/dev/null
jstat -gc $JPID > $OUT/$LABEL-jstat.txt 2>&1
kill -TERM $JPID; sleep 8; kill -9 $BPID 2>/dev/null
echo done $LABEL
