#!/usr/bin/python3
"""kafka-python driver for Runnel's client matrix; see ../README.md.

    driver.py BOOTSTRAP TOPIC GROUP produce COUNT CODECS ACKS   (CODECS, ACKS comma-separated)
    driver.py BOOTSTRAP TOPIC GROUP consume COUNT
    driver.py BOOTSTRAP TOPIC GROUP admin

Prints one JSON line; exits non-zero when the phase did not complete.
"""
import json
import logging
import sys
import time

from kafka import KafkaAdminClient, KafkaConsumer, KafkaProducer, TopicPartition
from kafka.admin import ConfigResource, ConfigResourceType, NewTopic
from kafka.structs import OffsetAndMetadata

KEYS = 7
DEADLINE_SECONDS = 60


def produce(bootstrap, topic, count, codecs, acks_levels):
    results = []
    for codec in codecs:
        for acks in acks_levels:
            producer = KafkaProducer(bootstrap_servers=bootstrap, acks=acks if acks == "all" else int(acks),
                                     compression_type=None if codec == "none" else codec, linger_ms=5)
            futures = [producer.send(topic, key=b"k%d" % (i % KEYS), value=b"%s-%s-%d" % (codec.encode(), acks.encode(), i))
                       for i in range(count)]
            producer.flush(DEADLINE_SECONDS)
            errors = [str(f.exception) for f in futures if f.failed()]
            delivered = sum(1 for f in futures if f.succeeded())
            producer.close(10)
            results.append({"codec": codec, "acks": acks, "delivered": delivered, "errors": errors[:5]})
            if delivered != count:
                # The first level that fails is the one to look at; the rest would only add waiting.
                return {"produced": results}, False
    return {"produced": results}, all(r["delivered"] == count for r in results)


def consume(bootstrap, topic, group, count):
    consumer = KafkaConsumer(bootstrap_servers=bootstrap, group_id=group, auto_offset_reset="earliest",
                             enable_auto_commit=False)
    consumer.subscribe([topic])
    records = []
    next_offsets = {}
    deadline = time.monotonic() + DEADLINE_SECONDS
    while len(records) < count and time.monotonic() < deadline:
        for batch in consumer.poll(timeout_ms=1000, max_records=count - len(records)).values():
            for msg in batch:
                records.append([msg.partition, msg.offset, msg.key.decode(), msg.value.decode()])
                next_offsets[msg.partition] = msg.offset + 1
    # Commit exactly what was taken, so the next run with this group starts right after it.
    if next_offsets:
        consumer.commit({TopicPartition(topic, p): OffsetAndMetadata(o, None) for p, o in next_offsets.items()})
    consumer.close(autocommit=False)
    return {"records": records, "committed": next_offsets}, len(records) == count


def admin(bootstrap, topic, group):
    client = KafkaAdminClient(bootstrap_servers=bootstrap)
    client.create_topics([NewTopic(topic, num_partitions=3, replication_factor=1)], timeout_ms=30000)
    configs = client.describe_configs([ConfigResource(ConfigResourceType.TOPIC, topic)])
    entries = {e[0]: e[1] for e in configs[0].resources[0][4]}
    groups = [g[0] for g in client.list_consumer_groups()]
    described = {d.group: {"state": d.state, "protocol_type": d.protocol_type}
                 for d in client.describe_consumer_groups([group])}
    offsets = {"%s-%d" % (tp.topic, tp.partition): om.offset
               for tp, om in client.list_consumer_group_offsets(group).items()}
    client.delete_topics([topic], timeout_ms=30000)
    client.close()
    return {"created": topic, "cleanup.policy": entries.get("cleanup.policy"), "listed_groups": groups,
            "groups": described, "offsets": offsets}, True


def main(argv):
    # The client's own warnings go to stderr, which the test shows when a phase fails.
    logging.basicConfig(level=logging.WARNING, stream=sys.stderr)
    bootstrap, topic, group, phase = argv[1:5]
    if phase == "produce":
        result, ok = produce(bootstrap, topic, int(argv[5]), argv[6].split(","), argv[7].split(","))
    elif phase == "consume":
        result, ok = consume(bootstrap, topic, group, int(argv[5]))
    elif phase == "admin":
        result, ok = admin(bootstrap, topic, group)
    else:
        raise SystemExit("unknown phase " + phase)
    print(json.dumps(result))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
