package io.runnel.broker.it.compaction;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import io.runnel.broker.testing.ChildBroker;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * kill -9 of a broker while its cleaner compacts, at random points, over several rounds on the same
 * log directory: after every restart, reading the topic from the start gives every key's newest
 * acknowledged value and never brings a deleted key back. The cleaner is throttled so that a clean
 * takes long enough for the kill to land in the middle of one (reading, writing .cleaned, swapping).
 */
class KillNineDuringCleaningTest
{
    private static final String TOPIC = "compacted";
    private static final TopicPartition PARTITION = new TopicPartition(TOPIC, 0);
    private static final int ROUNDS = 4;
    private static final int KEYS = 30;
    private static final int UPDATES_PER_ROUND = 12;
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final String PADDING = "v".repeat(100);
    private static final Map<String, String> OVERRIDES = Map.of("log.cleaner.backoff.ms", "20",
        "log.cleaner.io.max.bytes.per.second", "400000", "log.cleaner.dedupe.buffer.size", "1048576");

    @TempDir
    Path root;
    private ChildBroker broker;

    @AfterEach
    void stop()
    {
        if (broker != null)
        {
            broker.close();
        }
    }

    @Test
    @Timeout(value = 150, unit = TimeUnit.SECONDS)
    void aKillAtAnyPointOfACleanLosesNoNewestValueAndResurrectsNoDeletedKey() throws Exception
    {
        final Path dataDir = root.resolve("data");
        final Random random = new Random(20261202L);
        final Map<String, String> expected = new HashMap<>();
        final StringBuilder outputs = new StringBuilder();
        for (int round = 0; round < ROUNDS; round++)
        {
            broker = ChildBroker.start(dataDir, OVERRIDES);
            if (round == 0)
            {
                try (Admin admin = broker.admin())
                {
                    admin.createTopics(List.of(new NewTopic(TOPIC, 1, (short)1).configs(Map.of("cleanup.policy", "compact",
                        "segment.bytes", "4096", "min.cleanable.dirty.ratio", "0.01", "delete.retention.ms", "100")))).all().get();
                }
            }
            else
            {
                assertEquals(expected, newestPerKey(readFromTheStart()), "round " + round + ": after kill -9 and restart");
                final String output = broker.output();
                System.out.println("round " + round + ": the kill cut a clean short: " +
                    (output.contains("completed an interrupted compaction") ? "after its swap file was written" :
                        output.contains("left by a compaction a crash cut short") ? "while it wrote .cleaned files" : "no (between cleans)"));
            }
            produceRound(round, random, expected);
            // Let the cleaner work for a random while, then kill it wherever it is.
            Thread.sleep(random.nextInt(1500));
            broker.kill9();
            outputs.append(broker.output());
            broker = null;
        }
        broker = ChildBroker.start(dataDir, OVERRIDES);
        final List<ConsumerRecord<byte[], byte[]>> records = readFromTheStart();
        assertEquals(expected, newestPerKey(records), "after the last kill -9");
        outputs.append(broker.output());
        assertTrue(outputs.toString().contains("cleaned offsets"), "the cleaner did clean in at least one of the brokers' lives");
    }

    /** Updates every key several times, deletes some (and revives some deleted ones); every send acknowledged. */
    private void produceRound(final int round, final Random random, final Map<String, String> expected) throws Exception
    {
        try (KafkaProducer<byte[], byte[]> producer = broker.producer(Map.of(ProducerConfig.ACKS_CONFIG, "all",
            ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true, ProducerConfig.LINGER_MS_CONFIG, 0, ProducerConfig.BATCH_SIZE_CONFIG, 2048)))
        {
            final List<Future<RecordMetadata>> sends = new ArrayList<>();
            for (int update = 0; update < UPDATES_PER_ROUND; update++)
            {
                for (int k = 0; k < KEYS; k++)
                {
                    final String key = "key-" + k;
                    if (random.nextInt(10) == 0)
                    {
                        sends.add(producer.send(new ProducerRecord<>(TOPIC, bytes(key), null)));
                        expected.remove(key);
                    }
                    else
                    {
                        final String value = "r" + round + "u" + update + "-" + PADDING;
                        sends.add(producer.send(new ProducerRecord<>(TOPIC, bytes(key), bytes(value))));
                        expected.put(key, value);
                    }
                }
            }
            for (final Future<RecordMetadata> send : sends)
            {
                send.get();
            }
        }
    }

    private List<ConsumerRecord<byte[], byte[]>> readFromTheStart()
    {
        final List<ConsumerRecord<byte[], byte[]>> records = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> consumer = broker.consumer(Map.of()))
        {
            consumer.assign(List.of(PARTITION));
            consumer.seekToBeginning(List.of(PARTITION));
            final long end = consumer.endOffsets(List.of(PARTITION)).get(PARTITION);
            final long deadline = System.nanoTime() + WAIT.toNanos();
            while (consumer.position(PARTITION) < end && System.nanoTime() < deadline)
            {
                consumer.poll(Duration.ofMillis(200)).forEach(records::add);
            }
            assertEquals(end, consumer.position(PARTITION), "read to the end");
        }
        return records;
    }

    /** What a consumer reading from the start ends with: the last value of each key; a tombstone (or nothing) for deleted ones. */
    private static Map<String, String> newestPerKey(final List<ConsumerRecord<byte[], byte[]>> records)
    {
        final Map<String, String> values = new HashMap<>();
        long previous = -1;
        for (final ConsumerRecord<byte[], byte[]> record : records)
        {
            assertTrue(record.offset() > previous, "offsets increase");
            previous = record.offset();
            final String key = new String(record.key(), StandardCharsets.UTF_8);
            if (record.value() == null)
            {
                values.remove(key);
            }
            else
            {
                values.put(key, new String(record.value(), StandardCharsets.UTF_8));
            }
        }
        return values;
    }

    private static byte[] bytes(final String text)
    {
        return text == null ? null : text.getBytes(StandardCharsets.UTF_8);
    }
}
