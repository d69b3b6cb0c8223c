#!/usr/bin/env bash
# End-to-end produce/consume throughput of a Runnel broker, driven by the stock kafka-clients
# producer and consumer (io.runnel.bench.e2e.EndToEndThroughput), for 100 B and 1 KiB records
# at acks=1 and acks=all. Starts its own broker on 127.0.0.1 with a fresh data directory.
#
#   bench/e2e-throughput.sh [output-dir]      (default: results/<today>-e2e-throughput)
#
# Environment: RECORDS_100B (default 3000000), RECORDS_1KIB (default 1000000), SHARDS (default: broker default).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)"
OUT="${1:-$ROOT/results/$(date +%F)-e2e-throughput}"
PORT="${PORT:-19092}"
RECORDS_100B="${RECORDS_100B:-3000000}"
RECORDS_1KIB="${RECORDS_1KIB:-1000000}"
mkdir -p "$OUT"

echo "building…" >&2
(cd "$ROOT" && mvn -q -B -DskipTests package)

DATA="$(mktemp -d)"
BROKER_ARGS=(--override "log.dirs=$DATA" --override "listeners=PLAINTEXT://127.0.0.1:$PORT")
if [[ -n "${SHARDS:-}" ]]; then
    BROKER_ARGS+=(--override "runnel.shards=$SHARDS")
fi
"$ROOT/bin/runnel" broker "${BROKER_ARGS[@]}" >"$OUT/broker.log" 2>&1 &
BROKER_PID=$!
cleanup() {
    kill -TERM "$BROKER_PID" 2>/dev/null || true
    wait "$BROKER_PID" 2>/dev/null || true
    rm -rf "$DATA"
}
trap cleanup EXIT

for _ in $(seq 1 120); do
    grep -q "listening on" "$OUT/broker.log" && break
    sleep 0.5
done
grep -q "listening on" "$OUT/broker.log" || { echo "broker did not start; see $OUT/broker.log" >&2; exit 1; }

{
    echo "date: $(date -u +%FT%TZ)"
    echo "host: $(uname -srm)"
    echo "cpus: $(nproc)"
    lscpu | grep -E 'Model name|Thread|Core|Socket' || true
    free -h | head -2
    java -version 2>&1 | head -1
    echo "command: bench/e2e-throughput.sh $*"
} >"$OUT/machine.txt"

run() {
    local size=$1 records=$2 acks=$3
    java -Xmx2g -cp "$ROOT/bench/target/benchmarks.jar" io.runnel.bench.e2e.EndToEndThroughput \
        --bootstrap "127.0.0.1:$PORT" --record-size "$size" --records "$records" --acks "$acks" \
        --partitions 6 --out "$OUT/${size}b-acks-${acks}.json"
}
run 100 "$RECORDS_100B" 1
run 100 "$RECORDS_100B" all
run 1024 "$RECORDS_1KIB" 1
run 1024 "$RECORDS_1KIB" all
echo "results in $OUT" >&2
