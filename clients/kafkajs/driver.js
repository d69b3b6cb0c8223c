#!/usr/bin/env node
// KafkaJS driver for Runnel's client matrix; see ../README.md.
//
//   driver.js BOOTSTRAP TOPIC GROUP produce COUNT CODECS ACKS   (CODECS, ACKS comma-separated)
//   driver.js BOOTSTRAP TOPIC GROUP consume COUNT
//   driver.js BOOTSTRAP TOPIC GROUP admin
//
// Prints one JSON line; exits non-zero when the phase did not complete.
'use strict';
const { Kafka, CompressionTypes, CompressionCodecs, logLevel } = require('kafkajs');
const SnappyCodec = require('kafkajs-snappy');
const LZ4Codec = require('kafkajs-lz4');

// gzip is built into KafkaJS; snappy and lz4 come from plugins (zstd has none that builds on Node 20).
CompressionCodecs[CompressionTypes.Snappy] = SnappyCodec;
CompressionCodecs[CompressionTypes.LZ4] = new LZ4Codec().codec;

const KEYS = 7;
const DEADLINE_MS = 60000;
const CODECS = { none: CompressionTypes.None, gzip: CompressionTypes.GZIP, snappy: CompressionTypes.Snappy, lz4: CompressionTypes.LZ4 };
const ACKS = { 0: 0, 1: 1, all: -1 };

async function produce(kafka, topic, count, codecs, acksLevels)
{
    const producer = kafka.producer();
    await producer.connect();
    const results = [];
    for (const codec of codecs)
    {
        for (const acks of acksLevels)
        {
            const messages = [];
            for (let i = 0; i < count; i++)
            {
                messages.push({ key: `k${i % KEYS}`, value: `${codec}-${acks}-${i}` });
            }
            const result = { codec, acks, delivered: 0, errors: [] };
            try
            {
                await producer.send({ topic, messages, acks: ACKS[acks], compression: CODECS[codec] });
                result.delivered = count;
            }
            catch (e)
            {
                result.errors.push(String(e));
            }
            results.push(result);
            if (result.delivered !== count)
            {
                // The first level that fails is the one to look at; the rest would only add waiting.
                await producer.disconnect();
                return [{ produced: results }, false];
            }
        }
    }
    await producer.disconnect();
    return [{ produced: results }, results.every((r) => r.delivered === count)];
}

async function consume(kafka, topic, group, count)
{
    const consumer = kafka.consumer({ groupId: group });
    await consumer.connect();
    await consumer.subscribe({ topics: [topic], fromBeginning: true });
    const records = [];
    const nextOffsets = {};
    let done;
    const finished = new Promise((resolve) => { done = resolve; });
    await consumer.run({
        autoCommit: false,
        eachMessage: async ({ partition, message }) =>
        {
            // Records past COUNT are fetched but neither reported nor committed.
            if (records.length < count)
            {
                records.push([partition, Number(message.offset), message.key.toString(), message.value.toString()]);
                nextOffsets[partition] = Number(message.offset) + 1;
                if (records.length === count)
                {
                    done();
                }
            }
        },
    });
    const timer = setTimeout(done, DEADLINE_MS);
    await finished;
    clearTimeout(timer);
    // Commit exactly what was taken, so the next run with this group starts right after it
    // (while the consumer still runs: KafkaJS commits only through a running group).
    const offsets = Object.entries(nextOffsets).map(([p, o]) => ({ topic, partition: Number(p), offset: String(o) }));
    if (offsets.length > 0)
    {
        await consumer.commitOffsets(offsets);
    }
    await consumer.disconnect();
    return [{ records, committed: nextOffsets }, records.length === count];
}

async function admin(kafka, topic, group)
{
    const client = kafka.admin();
    await client.connect();
    await client.createTopics({ topics: [{ topic, numPartitions: 3, replicationFactor: 1 }], waitForLeaders: true });
    const metadata = await client.fetchTopicMetadata({ topics: [topic] });
    const configs = await client.describeConfigs({ resources: [{ type: 2, name: topic, configNames: ['cleanup.policy'] }], includeSynonyms: false });
    const listed = (await client.listGroups()).groups.map((g) => g.groupId);
    const described = {};
    for (const g of (await client.describeGroups([group])).groups)
    {
        described[g.groupId] = { state: g.state, protocol_type: g.protocolType };
    }
    const offsets = {};
    for (const t of await client.fetchOffsets({ groupId: group }))
    {
        for (const p of t.partitions)
        {
            offsets[`${t.topic}-${p.partition}`] = Number(p.offset);
        }
    }
    await client.deleteTopics({ topics: [topic] });
    await client.disconnect();
    const entry = configs.resources[0].configEntries.find((e) => e.configName === 'cleanup.policy');
    return [{ created: topic, partitions: metadata.topics[0].partitions.length, 'cleanup.policy': entry && entry.configValue,
        listed_groups: listed, groups: described, offsets }, true];
}

async function main(argv)
{
    const [bootstrap, topic, group, phase] = argv.slice(2, 6);
    // Logs go to stderr: stdout carries only the result line.
    const logCreator = () => ({ namespace, log }) => console.error(JSON.stringify({ namespace, ...log }));
    const kafka = new Kafka({ clientId: 'runnel-matrix', brokers: bootstrap.split(','), logLevel: logLevel.WARN, logCreator });
    let outcome;
    if (phase === 'produce')
    {
        outcome = await produce(kafka, topic, Number(argv[6]), argv[7].split(','), argv[8].split(','));
    }
    else if (phase === 'consume')
    {
        outcome = await consume(kafka, topic, group, Number(argv[6]));
    }
    else if (phase === 'admin')
    {
        outcome = await admin(kafka, topic, group);
    }
    else
    {
        throw new Error(`unknown phase ${phase}`);
    }
    console.log(JSON.stringify(outcome[0]));
    process.exitCode = outcome[1] ? 0 : 1;
}

main(process.argv).catch((e) =>
{
    console.log(JSON.stringify({ error: String(e && e.stack || e) }));
    process.exit(1);
});
