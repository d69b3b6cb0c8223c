#!/usr/bin/env bash
# Runs the same end-to-end workloads (io.runnel.bench.e2e.EndToEndThroughput, stock kafka-clients)
# against Apache Kafka (single-node KRaft, from Maven Central) and Runnel on this machine, one
# after the other, each with a fresh data directory, and records throughput, publish latency,
# broker CPU seconds (utime+stime from /proc) and peak RSS (VmHWM) for each.
#
#   bench/side-by-side.sh [output-dir]     (default: results/<today>-side-by-side)
#
# Environment: RECORDS_100B (default 3000000), RECORDS_1KIB (default 1000000),
#              KAFKA_HEAP (default -Xmx1g, as kafka-server-start.sh), RUNNEL_HEAP (default -Xmx1g).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)"
OUT="${1:-$ROOT/results/$(date +%F)-side-by-side}"
RECORDS_100B="${RECORDS_100B:-3000000}"
RECORDS_1KIB="${RECORDS_1KIB:-1000000}"
KAFKA_HEAP="${KAFKA_HEAP:--Xmx1g -Xms1g}"
RUNNEL_HEAP="${RUNNEL_HEAP:--Xmx1g -Xms1g}"
KAFKA_PORT=19094
RUNNEL_PORT=19092
mkdir -p "$OUT"

echo "building Runnel and the load runner…" >&2
(cd "$ROOT" && mvn -q -B -DskipTests package)
KAFKA_LIB="$ROOT/bench/target/apache-kafka/lib"
if [[ ! -d "$KAFKA_LIB" ]]; then
    echo "fetching Apache Kafka from Maven Central…" >&2
    mvn -q -B -f "$ROOT/bench/apache-kafka/pom.xml" dependency:copy-dependencies \
        -DoutputDirectory="$KAFKA_LIB" -DincludeScope=runtime
fi

BROKER_PID=""
DATA=""
stop_broker() {
    if [[ -n "$BROKER_PID" ]]; then
        kill -TERM "$BROKER_PID" 2>/dev/null || true
        wait "$BROKER_PID" 2>/dev/null || true
        BROKER_PID=""
    fi
    [[ -n "$DATA" ]] && rm -rf "$DATA"
    DATA=""
}
trap stop_broker EXIT

await_port() {
    for _ in $(seq 1 120); do
        (exec 3<>/dev/tcp/127.0.0.1/"$1") 2>/dev/null && return 0
        sleep 0.5
    done
    echo "broker on port $1 did not start" >&2
    return 1
}

cpu_seconds() {  # utime + stime of a process, in seconds
    awk -v hz="$(getconf CLK_TCK)" '{print ($14 + $15) / hz}' "/proc/$1/stat"
}

peak_rss_mb() {
    awk '/VmHWM/ {print $2 / 1024}' "/proc/$1/status"
}

start_kafka() {
    DATA="$(mktemp -d)"
    local config="$DATA/server.properties"
    cp "$ROOT/bench/apache-kafka/server.properties" "$config"
    {
        echo "log.dirs=$DATA/log"
        echo "listeners=PLAINTEXT://127.0.0.1:$KAFKA_PORT,CONTROLLER://127.0.0.1:$((KAFKA_PORT + 1))"
        echo "advertised.listeners=PLAINTEXT://127.0.0.1:$KAFKA_PORT"
        echo "controller.quorum.voters=1@127.0.0.1:$((KAFKA_PORT + 1))"
    } >>"$config"
    java -cp "$KAFKA_LIB/*" kafka.tools.StorageTool format -t "$(java -cp "$KAFKA_LIB/*" kafka.tools.StorageTool random-uuid 2>/dev/null | tail -1)" \
        -c "$config" >"$OUT/kafka-format.log" 2>&1
    # shellcheck disable=SC2086
    java $KAFKA_HEAP -XX:+UseG1GC -cp "$KAFKA_LIB/*" kafka.Kafka "$config" >"$OUT/kafka.log" 2>&1 &
    BROKER_PID=$!
    await_port "$KAFKA_PORT"
}

start_runnel() {
    DATA="$(mktemp -d)"
    RUNNEL_JAVA_OPTS="$RUNNEL_HEAP" "$ROOT/bin/runnel" broker --override "log.dirs=$DATA" \
        --override "listeners=PLAINTEXT://127.0.0.1:$RUNNEL_PORT" >"$OUT/runnel.log" 2>&1 &
    BROKER_PID=$!
    await_port "$RUNNEL_PORT"
}

run_workloads() {  # system port
    local system=$1 port=$2
    local cpu_before; cpu_before=$(cpu_seconds "$BROKER_PID")
    for spec in "100 $RECORDS_100B 1" "100 $RECORDS_100B all" "1024 $RECORDS_1KIB 1" "1024 $RECORDS_1KIB all"; do
        read -r size records acks <<<"$spec"
        java -Xmx2g -cp "$ROOT/bench/target/benchmarks.jar" io.runnel.bench.e2e.EndToEndThroughput \
            --bootstrap "127.0.0.1:$port" --record-size "$size" --records "$records" --acks "$acks" --partitions 6 \
            --out "$OUT/$system-${size}b-acks-${acks}.json" >/dev/null
    done
    local cpu_after; cpu_after=$(cpu_seconds "$BROKER_PID")
    echo "{\"system\": \"$system\", \"brokerCpuSeconds\": $(awk -v a="$cpu_after" -v b="$cpu_before" 'BEGIN {print a - b}'), \"peakRssMb\": $(peak_rss_mb "$BROKER_PID"), \"bytesOnDisk\": $(du -sb "$DATA" | cut -f1)}" \
        >"$OUT/$system-broker.json"
}

{
    echo "date: $(date -u +%FT%TZ)"
    echo "host: $(uname -srm)"
    echo "cpus: $(nproc)"
    lscpu | grep -E 'Model name' || true
    free -h | head -2
    java -version 2>&1 | head -1
    echo "apache kafka: $(ls "$KAFKA_LIB" | grep -E '^kafka_2.13-' | sed 's/kafka_2.13-//; s/.jar//')"
    echo "command: bench/side-by-side.sh $*"
} >"$OUT/machine.txt"

echo "Apache Kafka…" >&2
start_kafka
run_workloads kafka "$KAFKA_PORT"
stop_broker

echo "Runnel…" >&2
start_runnel
run_workloads runnel "$RUNNEL_PORT"
stop_broker

python3 "$ROOT/bench/summarize.py" "$OUT" >"$OUT/summary.md"
cat "$OUT/summary.md"
