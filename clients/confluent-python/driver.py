#!/usr/bin/python3
"""confluent-kafka-python (librdkafka) driver for Runnel's client matrix; see ../README.md.

    driver.py BOOTSTRAP TOPIC GROUP produce COUNT CODECS ACKS   (CODECS, ACKS comma-separated)
    driver.py BOOTSTRAP TOPIC GROUP consume COUNT
    driver.py BOOTSTRAP TOPIC GROUP admin

Prints one JSON line; exits non-zero when the phase did not complete.
"""
import json
import logging
import sys
import time

from confluent_kafka import Consumer, Producer, TopicPartition
from confluent_kafka.admin import AdminClient, ConfigResource, NewTopic

KEYS = 7
DEADLINE_SECONDS = 60


def produce(bootstrap, topic, count, codecs, acks_levels):
    results = []
    for codec in codecs:
        for acks in acks_levels:
            errors = []
            delivered = [0]

            def on_delivery(err, _msg):
                if err is not None:
                    errors.append(str(err))
                else:
                    delivered[0] += 1

            producer = Producer({"bootstrap.servers": bootstrap, "compression.type": codec, "acks": acks,
                                 "linger.ms": 5, "message.timeout.ms": 30000})
            for i in range(count):
                producer.produce(topic, key="k%d" % (i % KEYS), value="%s-%s-%d" % (codec, acks, i),
                                 on_delivery=on_delivery)
                producer.poll(0)
            left = producer.flush(DEADLINE_SECONDS)
            results.append({"codec": codec, "acks": acks, "delivered": delivered[0], "undelivered": left,
                            "errors": errors[:5]})
            if delivered[0] != count:
                # The first level that fails is the one to look at; the rest would only add waiting.
                return {"produced": results}, False
    return {"produced": results}, all(r["delivered"] == count for r in results)


def consume(bootstrap, topic, group, count):
    consumer = Consumer({"bootstrap.servers": bootstrap, "group.id": group, "auto.offset.reset": "earliest",
                         "enable.auto.commit": False})
    consumer.subscribe([topic])
    records = []
    next_offsets = {}
    deadline = time.monotonic() + DEADLINE_SECONDS
    while len(records) < count and time.monotonic() < deadline:
        msg = consumer.poll(1.0)
        if msg is None:
            continue
        if msg.error():
            return {"error": str(msg.error()), "records": records}, False
        records.append([msg.partition(), msg.offset(), msg.key().decode(), msg.value().decode()])
        next_offsets[msg.partition()] = msg.offset() + 1
    # Commit exactly what was taken, so the next run with this group starts right after it.
    if next_offsets:
        consumer.commit(offsets=[TopicPartition(topic, p, o) for p, o in next_offsets.items()], asynchronous=False)
    consumer.close()
    return {"records": records, "committed": next_offsets}, len(records) == count


def admin(bootstrap, topic, group):
    client = AdminClient({"bootstrap.servers": bootstrap})
    client.create_topics([NewTopic(topic, num_partitions=3, replication_factor=1)])[topic].result(30)
    partitions = 0
    deadline = time.monotonic() + DEADLINE_SECONDS
    while partitions != 3 and time.monotonic() < deadline:
        metadata = client.list_topics(topic, timeout=10).topics[topic]
        partitions = len(metadata.partitions) if metadata.error is None else 0
    configs = client.describe_configs([ConfigResource("topic", topic)])
    entries = list(configs.values())[0].result(30)
    groups = client.list_groups(timeout=30)
    described = {g.id: {"state": g.state, "protocol_type": g.protocol_type} for g in groups}
    client.delete_topics([topic])[topic].result(30)
    return {"created": topic, "partitions": partitions,
            "cleanup.policy": entries["cleanup.policy"].value,
            "groups": described}, True


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
