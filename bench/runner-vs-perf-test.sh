#!/usr/bin/env bash
# Checks that Runnel's load runner (io.runnel.bench.omb.OmbBench) is honest: it and Apache Kafka's own
# kafka-producer-perf-test (org.apache.kafka.tools.ProducerPerformance, kafka-tools 4.3.1 from Maven
# Central) drive ONE Runnel broker with the same settings, alternately, and the publish rates they
# report must agree within 10% (latency, send → acknowledgement in both, is compared too).
#
#   bench/runner-vs-perf-test.sh [output-dir]     (default: results/<today>-runner-vs-perf-test)
#
# For each setting (record size, acks): max rate, 1 topic with 6 partitions, one producer, no consumers,
# no keys, compression none, the same batch.size / linger.ms / enable.idempotence on both sides, a fresh
# topic for every run (deleted after it). Each round runs both tools: perf-test first in odd rounds, the
# runner first in even ones.
#   perf-test: --throughput -1, --num-records sized to take WARMUP_SECONDS + RUN_SECONDS (from a short
#              calibration run, then from the previous round's rate), --warmup-records the first
#              WARMUP_SECONDS' worth; its steady-state summary line is the one compared. Two payload variants
#              (PERF_VARIANTS), the first one judged:
#                payload-file  --payload-file with 1000 pre-generated S-byte payloads (random capital letters,
#                              as --record-size makes): per record the tool only picks one, as the runner
#                              sends one pre-generated payload
#                record-size   --record-size S: the tool refills the payload with S random letters before
#                              every send, on the sending thread; at 1 KiB that, not the broker, can cap it
#   runner:    OmbBench --warmup-seconds WARMUP_SECONDS --duration-seconds RUN_SECONDS with a generated
#              workload (1 topic, 6 partitions, 1 producer, subscriptionsPerTopic 0, producerRate 0).
# Writes, under the output directory: machine.txt, one directory per setting (driver and workload
# files, perf-test output, runner JSON and logs), runnel.log and summary.md (bench/perf-test-compare.py).
#
# Environment:
#   SETTINGS        "size:acks ..." (default "1024:1 100:1 1024:all")
#   ROUNDS          rounds per setting (default 2)
#   PERF_VARIANTS   perf-test payload variants, the first judged (default "payload-file record-size")
#   WARMUP_SECONDS  warm-up of each run, not measured (default 5)
#   RUN_SECONDS     measured seconds of each run (default 25)
#   BATCH_SIZE      producer batch.size (default 131072, as omb-driver/)
#   LINGER_MS       producer linger.ms (default 1, as omb-driver/)
#   PORT            broker port on 127.0.0.1 (default 19392; must be free)
#   CLIENT_JAVA_OPTS JVM options of both client JVMs (default: what kafka-producer-perf-test.sh uses)
#   RUNNEL_HEAP     broker heap (default -Xmx1g -Xms1g)
set -euo pipefail
export LC_ALL=C  # "." decimals in ProducerPerformance's summary line and in awk

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)"
OUT="${1:-$ROOT/results/$(date +%F)-runner-vs-perf-test}"
SETTINGS="${SETTINGS:-1024:1 100:1 1024:all}"
ROUNDS="${ROUNDS:-2}"
PERF_VARIANTS="${PERF_VARIANTS:-payload-file record-size}"
WARMUP_SECONDS="${WARMUP_SECONDS:-5}"
RUN_SECONDS="${RUN_SECONDS:-25}"
BATCH_SIZE="${BATCH_SIZE:-131072}"
LINGER_MS="${LINGER_MS:-1}"
PORT="${PORT:-19392}"
# kafka-producer-perf-test.sh: KAFKA_HEAP_OPTS=-Xmx512M plus kafka-run-class.sh's KAFKA_JVM_PERFORMANCE_OPTS.
CLIENT_JAVA_OPTS="${CLIENT_JAVA_OPTS:--Xmx512M -server -XX:+UseG1GC -XX:MaxGCPauseMillis=20 -XX:InitiatingHeapOccupancyPercent=35 -XX:+ExplicitGCInvokesConcurrent -XX:MaxInlineLevel=15 -Djava.awt.headless=true}"
RUNNEL_HEAP="${RUNNEL_HEAP:--Xmx1g -Xms1g}"
CALIBRATION_BYTES=$((256 * 1024 * 1024))
BOOTSTRAP="127.0.0.1:$PORT"
BENCH_JAR="$ROOT/bench/target/benchmarks.jar"
BROKER_JAR="$ROOT/broker/target/runnel-broker-0.1.0-SNAPSHOT.jar"
TOOLS_LIB="$ROOT/bench/target/kafka-tools/lib"

die() {
    echo "runner-vs-perf-test: $*" >&2
    exit 1
}
for n in "$ROUNDS" "$WARMUP_SECONDS" "$RUN_SECONDS" "$BATCH_SIZE" "$LINGER_MS" "$PORT"; do
    [[ "$n" =~ ^[0-9]+$ ]] || die "ROUNDS, WARMUP_SECONDS, RUN_SECONDS, BATCH_SIZE, LINGER_MS and PORT must be whole numbers"
done
((ROUNDS >= 1 && RUN_SECONDS >= 1)) || die "ROUNDS and RUN_SECONDS must be at least 1"
for v in $PERF_VARIANTS; do
    [[ "$v" == payload-file || "$v" == record-size ]] || die "PERF_VARIANTS: payload-file and/or record-size, not '$v'"
done
[[ -n "${PERF_VARIANTS// /}" ]] || die "PERF_VARIANTS is empty"
read -r -a client_opts <<<"$CLIENT_JAVA_OPTS"
mkdir -p "$OUT"
OUT="$(cd "$OUT" && pwd -P)"

# Build when a jar is missing or a pom or main source is newer than benchmarks.jar.
if [[ ! -f "$BENCH_JAR" || ! -f "$BROKER_JAR" || -n "$(find "$ROOT"/pom.xml "$ROOT"/*/pom.xml "$ROOT"/*/src/main \
    -type f -newer "$BENCH_JAR" -print -quit 2>/dev/null)" ]]; then
    echo "building Runnel and the load runner…" >&2
    started="$(mktemp)"
    (cd "$ROOT" && mvn -q -B -DskipTests package)
    # As bin/runnel does: date the jars to the build's start, so that bin/runnel does not rebuild.
    touch -r "$started" "$BENCH_JAR" "$BROKER_JAR"
    rm -f "$started"
fi
if [[ ! -d "$TOOLS_LIB" ]]; then
    echo "fetching kafka-tools (ProducerPerformance) from Maven Central…" >&2
    mvn -q -B -f "$ROOT/bench/perf-test/pom.xml" dependency:copy-dependencies \
        -DoutputDirectory="$TOOLS_LIB" -DincludeScope=runtime
fi

BROKER_PID=""
DATA=""
stop_broker() {
    if [[ -n "$BROKER_PID" ]]; then
        kill -TERM "$BROKER_PID" 2>/dev/null || true
        for _ in $(seq 1 60); do
            kill -0 "$BROKER_PID" 2>/dev/null || break
            sleep 0.5
        done
        kill -KILL "$BROKER_PID" 2>/dev/null || true
        wait "$BROKER_PID" 2>/dev/null || true
        BROKER_PID=""
    fi
    [[ -n "$DATA" ]] && rm -rf "$DATA"
    DATA=""
}
# Each client runs in the background under timeout, and the script waits for it: a signal to the script
# then interrupts the wait, and the EXIT trap stops the client and the broker.
CLIENT_PID=""
bounded() {  # LIMIT_SECONDS command...
    local limit=$1
    shift
    timeout -k 10 "$limit" "$@" &
    CLIENT_PID=$!
    local rc=0
    wait "$CLIENT_PID" || rc=$?
    CLIENT_PID=""
    ((rc != 124)) || echo "  timed out after ${limit}s: $*" >&2
    return "$rc"
}
cleanup() {
    if [[ -n "$CLIENT_PID" ]]; then
        kill -TERM "$CLIENT_PID" 2>/dev/null || true
        wait "$CLIENT_PID" 2>/dev/null || true
        CLIENT_PID=""
    fi
    stop_broker
}
trap cleanup EXIT
trap 'exit 130' INT TERM

port_open() {
    (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

broker_alive() {
    kill -0 "$BROKER_PID" 2>/dev/null || die "the broker exited (see $OUT/runnel.log)"
}

# topics --create NAME | --delete REGEX: kafka-topics (TopicCommand from the same kafka-tools).
topics() {
    local action=$1 topic=$2
    local extra=()
    [[ "$action" == --create ]] && extra=(--partitions 6 --replication-factor 1 --config min.insync.replicas=1)
    bounded 60 java -Xmx256M -cp "$TOOLS_LIB/*" org.apache.kafka.tools.TopicCommand --bootstrap-server "$BOOTSTRAP" \
        "$action" --topic "$topic" "${extra[@]}" >>"$OUT/topics.log" 2>&1
}

# perf_test DIR NAME VARIANT SIZE ACKS RECORDS WARMUP_RECORDS: one ProducerPerformance run on a fresh topic.
perf_test() {
    local dir=$1 name=$2 variant=$3 size=$4 acks=$5 records=$6 warmup_records=$7
    local topic="perf-test-$name-$(date +%s%N)"
    local payload=(--record-size "$size")
    [[ "$variant" == payload-file ]] && payload=(--payload-file "$dir/payloads.txt")
    broker_alive
    topics --create "$topic"
    echo "  perf-test $name: $records records ($warmup_records warm-up)" >&2
    local limit=$((4 * (WARMUP_SECONDS + RUN_SECONDS) + 120))
    bounded "$limit" java "${client_opts[@]}" -cp "$TOOLS_LIB/*" org.apache.kafka.tools.ProducerPerformance \
        --bootstrap-server "$BOOTSTRAP" --topic "$topic" --num-records "$records" --warmup-records "$warmup_records" \
        --throughput -1 "${payload[@]}" --reporting-interval 5000 \
        --command-property "acks=$acks" "enable.idempotence=$(idempotence "$acks")" compression.type=none \
        "linger.ms=$LINGER_MS" "batch.size=$BATCH_SIZE" "request.timeout.ms=30000" \
        >"$dir/$name.txt" 2>"$dir/$name.stderr"
    topics --delete "$topic" || echo "  (could not delete $topic)" >&2
}

# runner DIR NAME: one OmbBench run of DIR/workload.yaml with DIR/driver.yaml (a fresh topic each time).
runner() {
    local dir=$1 name=$2
    broker_alive
    echo "  runner $name: ${WARMUP_SECONDS}s warm-up + ${RUN_SECONDS}s" >&2
    local limit=$((WARMUP_SECONDS + RUN_SECONDS + 120))
    bounded "$limit" java "${client_opts[@]}" -cp "$BENCH_JAR" io.runnel.bench.omb.OmbBench \
        --driver "$dir/driver.yaml" --bootstrap "$BOOTSTRAP" --warmup-seconds "$WARMUP_SECONDS" \
        --duration-seconds "$RUN_SECONDS" --output "$dir/$name" "$dir/workload.yaml" >"$dir/$name.log" 2>&1
    topics --delete 'omb-.*' || echo "  (could not delete the runner's topic)" >&2
}

idempotence() {
    [[ "$1" == all ]] && echo true || echo false
}

# rate_of FILE [steady]: records/sec of ProducerPerformance's whole-run (or steady-state) summary line.
rate_of() {
    local pattern='^[0-9]+ records sent,'
    [[ "${2:-}" == steady ]] && pattern='^[0-9]+ steady state records sent,'
    grep -E "$pattern" "$1" | tail -1 | sed -E 's/^[^,]*, ([0-9.]+) records\/sec.*/\1/'
}

write_settings() {  # DIR SIZE ACKS
    local dir=$1 size=$2 acks=$3
    cat >"$dir/driver.yaml" <<EOF
# Generated by bench/runner-vs-perf-test.sh: the producer settings perf-test gets as --command-property.
name: Runnel
driverClass: io.openmessaging.benchmark.driver.kafka.KafkaBenchmarkDriver
replicationFactor: 1
reset: true
topicConfig: |
  min.insync.replicas=1
commonConfig: |
  bootstrap.servers=$BOOTSTRAP
  request.timeout.ms=30000
producerConfig: |
  acks=$acks
  enable.idempotence=$(idempotence "$acks")
  compression.type=none
  linger.ms=$LINGER_MS
  batch.size=$BATCH_SIZE
consumerConfig: |
  auto.offset.reset=earliest
EOF
    # perf-test's --payload-file: one payload a line, each exactly SIZE bytes of random capital letters.
    python3 -c 'import random, sys
r = random.Random(0)
n = int(sys.argv[1])
sys.stdout.write("".join("".join(chr(65 + r.randrange(26)) for _ in range(n)) + "\n" for _ in range(1000)))' "$size" >"$dir/payloads.txt"
    cat >"$dir/workload.yaml" <<EOF
# Generated by bench/runner-vs-perf-test.sh: what kafka-producer-perf-test does, as an OMB workload.
name: 1-topic-6-partitions-${size}b-acks-$acks-max-rate-no-consumers
topics: 1
partitionsPerTopic: 6
keyDistributor: NO_KEY
messageSize: $size
subscriptionsPerTopic: 0
consumerPerSubscription: 1
producersPerTopic: 1
producerRate: 0
consumerBacklogSizeGB: 0
testDurationMinutes: 1
warmupDurationMinutes: 1
EOF
}

{
    echo "date: $(date -u +%FT%TZ)"
    echo "host: $(uname -srm)"
    echo "cpus: $(nproc)"
    lscpu | grep -E 'Model name' || true
    free -h | head -2
    java -version 2>&1 | head -1
    echo "runnel: $(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown)$(git -C "$ROOT" diff --quiet 2>/dev/null || echo ' (uncommitted changes)')"
    echo "perf-test: $(ls "$TOOLS_LIB" | grep -E '^kafka-tools-[0-9]' | sed 's/.jar$//'), $(ls "$TOOLS_LIB" | grep -E '^kafka-clients-' | sed 's/.jar$//')"
    echo "runner: io.runnel.bench.omb.OmbBench, kafka-clients-$(unzip -p "$BENCH_JAR" kafka/kafka-version.properties 2>/dev/null | sed -n 's/^version=//p')"
    echo "client JVM options: $CLIENT_JAVA_OPTS"
    echo "broker: bin/runnel broker, RUNNEL_JAVA_OPTS=$RUNNEL_HEAP, 127.0.0.1:$PORT"
    echo "perf-test variants: $PERF_VARIANTS (the first judged)"
    echo "settings: $SETTINGS; rounds $ROUNDS; warm-up ${WARMUP_SECONDS}s; measured ${RUN_SECONDS}s; batch.size=$BATCH_SIZE linger.ms=$LINGER_MS compression.type=none"
    echo "command: bench/runner-vs-perf-test.sh $*"
} >"$OUT/machine.txt"

port_open "$PORT" && die "something already listens on 127.0.0.1:$PORT; set PORT to a free port"
DATA="$(mktemp -d)"
RUNNEL_JAVA_OPTS="$RUNNEL_HEAP" "$ROOT/bin/runnel" broker --override "log.dirs=$DATA" \
    --override "listeners=PLAINTEXT://$BOOTSTRAP" >"$OUT/runnel.log" 2>&1 &
BROKER_PID=$!
for _ in $(seq 1 120); do
    port_open "$PORT" && break
    broker_alive
    sleep 0.5
done
port_open "$PORT" || die "the broker did not open 127.0.0.1:$PORT within 60 s"

for setting in $SETTINGS; do
    size="${setting%%:*}"
    acks="${setting##*:}"
    [[ "$size" =~ ^[0-9]+$ && ("$acks" == 0 || "$acks" == 1 || "$acks" == all) ]] || die "bad setting '$setting' (size:acks)"
    dir="$OUT/${size}b-acks-$acks"
    mkdir -p "$dir"
    write_settings "$dir" "$size" "$acks"
    echo "setting ${size} B, acks=$acks" >&2
    # Calibration (not compared): how many records take WARMUP_SECONDS + RUN_SECONDS, from the steady state
    # of a short run (the whole-run rate of a short run is mostly JIT warm-up).
    declare -A rate=()
    for v in $PERF_VARIANTS; do
        records=$((CALIBRATION_BYTES / size))
        perf_test "$dir" "calibration-$v" "$v" "$size" "$acks" "$records" $((records / 2))
        rate[$v]="$(rate_of "$dir/calibration-$v.txt" steady)"
        [[ -n "${rate[$v]}" ]] || die "no steady-state summary line in $dir/calibration-$v.txt"
    done
    for round in $(seq 1 "$ROUNDS"); do
        order="perf-test runner"
        ((round % 2 == 1)) || order="runner perf-test"
        for tool in $order; do
            if [[ "$tool" == runner ]]; then
                runner "$dir" "round-$round-runner"
                continue
            fi
            for v in $PERF_VARIANTS; do
                records="$(awk -v r="${rate[$v]}" -v s=$((WARMUP_SECONDS + RUN_SECONDS)) 'BEGIN {printf "%d", r * s}')"
                warmup_records="$(awk -v r="${rate[$v]}" -v s="$WARMUP_SECONDS" 'BEGIN {printf "%d", r * s}')"
                ((records > warmup_records)) || records=$((warmup_records + 1))
                name="round-$round-perf-test-$v"
                perf_test "$dir" "$name" "$v" "$size" "$acks" "$records" "$warmup_records"
                rate[$v]="$(rate_of "$dir/$name.txt" steady)"
                [[ -n "${rate[$v]}" ]] || die "no steady-state summary line in $dir/$name.txt"
            done
        done
    done
done
stop_broker

python3 "$ROOT/bench/perf-test-compare.py" "$OUT" >"$OUT/summary.md"
cat "$OUT/summary.md"
