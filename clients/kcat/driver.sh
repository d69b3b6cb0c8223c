#!/usr/bin/env bash
# kcat (librdkafka) driver for Runnel's client matrix; see ../README.md.
#
#   driver.sh BOOTSTRAP TOPIC GROUP produce COUNT CODECS ACKS   (CODECS, ACKS comma-separated)
#   driver.sh BOOTSTRAP TOPIC GROUP consume COUNT
#   driver.sh BOOTSTRAP TOPIC GROUP admin
#
# Prints one JSON line; exits non-zero when the phase did not complete. kcat has no admin calls
# beyond metadata, so "admin" is its metadata listing (-L -J).
set -euo pipefail

KEYS=7
DEADLINE_SECONDS=60
bootstrap="$1" topic="$2" group="$3" phase="$4"
shift 4

produce() {
    local count="$1" codec acks i rc failed ok=0 results=() log
    log="$(mktemp)"
    local IFS=,
    for codec in $2; do
        for acks in $3; do
            # kcat reports each undelivered message on stderr ("Delivery failed for message");
            # message.timeout.ms bounds how long it retries one.
            rc=0
            for ((i = 0; i < count; i++)); do
                printf 'k%d:%s-%s-%d\n' $((i % KEYS)) "$codec" "$acks" "$i"
            done | timeout "$DEADLINE_SECONDS" kcat -P -b "$bootstrap" -t "$topic" -K: -z "$codec" \
                -X acks="$acks" -X linger.ms=5 -X message.timeout.ms=30000 2>"$log" || rc=$?
            cat "$log" >&2
            failed="$(grep -c 'Delivery failed' "$log" || true)"
            results+=("{\"codec\":\"$codec\",\"acks\":\"$acks\",\"delivered\":$((rc == 0 ? count - failed : 0)),\"exit\":$rc}")
            # The first level that fails is the one to look at; the rest would only add waiting.
            if ((rc != 0 || failed != 0)); then
                ok=1
                break 2
            fi
        done
    done
    rm -f "$log"
    echo "{\"produced\":[${results[*]}]}"
    return "$ok"
}

consume() {
    local count="$1" lines
    # -G joins GROUP; kcat stores the offset of each record it prints and commits the stored
    # offsets when it leaves after COUNT records, so the next run starts right after them.
    lines="$(timeout "$DEADLINE_SECONDS" kcat -b "$bootstrap" -G "$group" "$topic" -c "$count" -q \
        -X auto.offset.reset=earliest -f '%p\t%o\t%k\t%s\n')" || true
    awk -F'\t' -v count="$count" '
        { records = records (NR > 1 ? "," : "") sprintf("[%d,%d,\"%s\",\"%s\"]", $1, $2, $3, $4) }
        END { printf "{\"records\":[%s]}\n", records; exit (NR == count ? 0 : 1) }' <<<"$lines"
}

admin() {
    timeout "$DEADLINE_SECONDS" kcat -b "$bootstrap" -L -J -t "$topic"
}

case "$phase" in
    produce) produce "$@" ;;
    consume) consume "$@" ;;
    admin) admin ;;
    *) echo "unknown phase $phase" >&2; exit 2 ;;
esac
