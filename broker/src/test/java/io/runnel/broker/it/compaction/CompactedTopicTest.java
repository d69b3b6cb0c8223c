package io.runnel.broker.it.compaction;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import io.runnel.broker.testing.TestBroker;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
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
 * cleanup.policy=compact end to end, with stock clients: many updates per key and tombstones in
 * small segments, two cleaner threads that look for work every 100 ms; read from the beginning, the topic holds the
 * newest value of every key and, once delete.retention.ms has passed, nothing of a deleted key.
 * An idempotent producer keeps producing across the cleans; the group coordinator, whose
 * __consumer_offsets is compacted the same way, loads the right state from a cleaned log.
 */
class CompactedTopicTest
{
    private static final String TOPIC = "compacted";
    private static final TopicPartition PARTITION = new TopicPartition(TOPIC, 0);
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final int KEYS = 40;
    private static final int UPDATES_PER_KEY = 30;
    private static final int DELETED_KEYS = 10;
    private static final String PADDING = "p".repeat(40);

    @TempDir
    Path dataDir;
    private TestBroker broker;

    @AfterEach
    void stop()
    {
        if (broker != null)
        {
            broker.close();
        }
    }

    private static Map<String, String> cleanerEveryHundredMs()
    {
        return Map.of("log.cleaner.backoff.ms", "100", "log.cleaner.threads", "2", "log.cleaner.dedupe.buffer.size", "8388608",
            "offsets.topic.num.partitions", "1");
    }

    private static Map<String, String> compactedTopicConfigs()
    {
        return Map.of("cleanup.policy", "compact", "segment.bytes", "4096", "min.cleanable.dirty.ratio", "0.01",
            "delete.retention.ms", "500");
    }

    private static byte[] bytes(final String text)
    {
        return text == null ? null : text.getBytes(StandardCharsets.UTF_8);
    }

    private static String text(final byte[] bytes)
    {
        return bytes == null ? null : new String(bytes, StandardCharsets.UTF_8);
    }

    @Test
    @Timeout(value = 90, unit = TimeUnit.SECONDS)
    void readFromTheStartACompactedTopicHoldsTheNewestValuePerKeyAndNothingOfADeletedKey() throws Exception
    {
        broker = TestBroker.start(dataDir, cleanerEveryHundredMs());
        try (Admin admin = broker.admin())
        {
            admin.createTopics(List.of(new NewTopic(TOPIC, 1, (short)1).configs(compactedTopicConfigs()))).all().get();
        }
        final Map<String, String> expected = new LinkedHashMap<>();
        int produced = 0;
        try (KafkaProducer<byte[], byte[]> producer = broker.producer(Map.of(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true,
            ProducerConfig.ACKS_CONFIG, "all", ProducerConfig.LINGER_MS_CONFIG, 0, ProducerConfig.BATCH_SIZE_CONFIG, 1024)))
        {
            final List<Future<RecordMetadata>> sends = new ArrayList<>();
            for (int update = 0; update < UPDATES_PER_KEY; update++)
            {
                for (int k = 0; k < KEYS; k++)
                {
                    final String value = "u" + update + "-" + PADDING;
                    sends.add(producer.send(new ProducerRecord<>(TOPIC, bytes("key-" + k), bytes(value))));
                    expected.put("key-" + k, value);
                    produced++;
                }
            }
            for (int k = 0; k < DELETED_KEYS; k++)
            {
                sends.add(producer.send(new ProducerRecord<>(TOPIC, bytes("key-" + k), null)));
                expected.remove("key-" + k);
                produced++;
            }
            for (final Future<RecordMetadata> send : sends)
            {
                send.get();
            }
            // The same producer goes on across the cleans: every send must succeed in sequence.
            final long deadline = System.nanoTime() + WAIT.toNanos();
            int round = 0;
            Map<String, String> read = Map.of();
            List<String> deletedSeen = List.of("not read yet");
            while (System.nanoTime() < deadline)
            {
                for (int k = DELETED_KEYS; k < KEYS; k++)
                {
                    final String value = "live" + round + "-" + PADDING;
                    producer.send(new ProducerRecord<>(TOPIC, bytes("key-" + k), bytes(value))).get();
                    expected.put("key-" + k, value);
                    produced++;
                }
                round++;
                final List<ConsumerRecord<byte[], byte[]>> records = readFromTheStart();
                read = lastValuePerKey(records);
                deletedSeen = new ArrayList<>();
                for (final ConsumerRecord<byte[], byte[]> record : records)
                {
                    final int k = Integer.parseInt(text(record.key()).substring("key-".length()));
                    if (k < DELETED_KEYS)
                    {
                        deletedSeen.add(text(record.key()) + "=" + text(record.value()));
                    }
                }
                if (deletedSeen.isEmpty() && records.size() < produced / 4 && round >= 3)
                {
                    break;
                }
                Thread.sleep(200);
            }
            assertEquals(expected, read, "the newest value of every key, and no deleted key");
            assertEquals(List.of(), deletedSeen, "tombstones are gone once delete.retention.ms has passed, and the deleted keys with them");
        }
        final List<String> checkpoint = java.nio.file.Files.readAllLines(dataDir.resolve("cleaner-offset-checkpoint"));
        assertEquals("0", checkpoint.get(0), "Kafka's checkpoint format, version 0");
        assertTrue(checkpoint.stream().anyMatch(line -> line.startsWith(TOPIC + " 0 ")), "the first dirty offset is checkpointed: " + checkpoint);
    }

    /**
     * log.cleaner.* keys are dynamic, as in Kafka: changing them restarts the cleaner's threads
     * with the new settings, and compaction goes on.
     */
    @Test
    @Timeout(value = 90, unit = TimeUnit.SECONDS)
    void cleanerSettingsChangedAtRunTimeRestartTheCleanerWhichKeepsCompacting() throws Exception
    {
        broker = TestBroker.start(dataDir, Map.of("log.cleaner.backoff.ms", "100", "log.cleaner.threads", "1",
            "log.cleaner.dedupe.buffer.size", "8388608"));
        try (Admin admin = broker.admin())
        {
            admin.createTopics(List.of(new NewTopic(TOPIC, 1, (short)1).configs(compactedTopicConfigs()))).all().get();
            final org.apache.kafka.common.config.ConfigResource cluster =
                new org.apache.kafka.common.config.ConfigResource(org.apache.kafka.common.config.ConfigResource.Type.BROKER, "");
            admin.incrementalAlterConfigs(Map.of(cluster, List.of(
                new org.apache.kafka.clients.admin.AlterConfigOp(new org.apache.kafka.clients.admin.ConfigEntry("log.cleaner.threads", "2"),
                    org.apache.kafka.clients.admin.AlterConfigOp.OpType.SET),
                new org.apache.kafka.clients.admin.AlterConfigOp(
                    new org.apache.kafka.clients.admin.ConfigEntry("log.cleaner.io.max.bytes.per.second", "50000000"),
                    org.apache.kafka.clients.admin.AlterConfigOp.OpType.SET)))).all().get(30, TimeUnit.SECONDS);
        }
        int produced = 0;
        try (KafkaProducer<byte[], byte[]> producer = broker.producer(Map.of(ProducerConfig.LINGER_MS_CONFIG, 0,
            ProducerConfig.BATCH_SIZE_CONFIG, 1024)))
        {
            final long deadline = System.nanoTime() + WAIT.toNanos();
            int round = 0;
            while (System.nanoTime() < deadline)
            {
                for (int k = 0; k < KEYS; k++)
                {
                    producer.send(new ProducerRecord<>(TOPIC, bytes("key-" + k), bytes("r" + round + "-" + PADDING))).get();
                    produced++;
                }
                round++;
                final List<ConsumerRecord<byte[], byte[]>> records = readFromTheStart();
                if (round >= 10 && records.size() < produced / 3)
                {
                    assertEquals(KEYS, lastValuePerKey(records).size(), "every key is still there");
                    return;
                }
                Thread.sleep(100);
            }
        }
        throw new AssertionError("the restarted cleaner did not compact " + produced + " records within " + WAIT);
    }

    @Test
    @Timeout(value = 90, unit = TimeUnit.SECONDS)
    void theGroupCoordinatorLoadsTheRightStateFromACleanedOffsetsTopic() throws Exception
    {
        broker = TestBroker.start(dataDir, cleanerEveryHundredMs());
        // Small segments, so that the cleaner has something to clean within the test (Kafka's default is 100 MiB).
        broker.broker().logManager().createTopic("__consumer_offsets", 1, Map.of("cleanup.policy", "compact", "segment.bytes", "2048",
            "min.cleanable.dirty.ratio", "0.01", "delete.retention.ms", "200"));
        final TopicPartition data = new TopicPartition("data", 0);
        try (Admin admin = broker.admin())
        {
            admin.createTopics(List.of(new NewTopic("data", 1, (short)1))).all().get();
            for (int commit = 1; commit <= 300; commit++)
            {
                admin.alterConsumerGroupOffsets("kept", Map.of(data, new OffsetAndMetadata(commit))).all().get();
            }
            for (int commit = 1; commit <= 50; commit++)
            {
                admin.alterConsumerGroupOffsets("deleted", Map.of(data, new OffsetAndMetadata(commit))).all().get();
            }
            admin.deleteConsumerGroups(List.of("deleted")).all().get();
            // More commits push the tombstones out of the active segment, where the cleaner can reach them.
            for (int commit = 301; commit <= 400; commit++)
            {
                admin.alterConsumerGroupOffsets("kept", Map.of(data, new OffsetAndMetadata(commit))).all().get();
            }
        }
        final long deadline = System.nanoTime() + WAIT.toNanos();
        int offsetsRecords = Integer.MAX_VALUE;
        while (System.nanoTime() < deadline && offsetsRecords > 100)
        {
            offsetsRecords = readFromTheStart(new TopicPartition("__consumer_offsets", 0)).size();
            Thread.sleep(200);
        }
        assertTrue(offsetsRecords <= 100, "the offsets topic was compacted: " + offsetsRecords + " records of 450 left");

        broker.restart();

        try (Admin admin = broker.admin())
        {
            assertEquals(400, admin.listConsumerGroupOffsets("kept").partitionsToOffsetAndMetadata().get().get(data).offset());
            final Map<TopicPartition, OffsetAndMetadata> deleted = admin.listConsumerGroupOffsets("deleted").partitionsToOffsetAndMetadata().get();
            assertTrue(deleted.isEmpty() || deleted.get(data) == null, "a deleted group stays deleted: " + deleted);
            assertFalse(admin.listGroups().all().get().stream().anyMatch(group -> group.groupId().equals("deleted")));
        }
    }

    private List<ConsumerRecord<byte[], byte[]>> readFromTheStart()
    {
        return readFromTheStart(PARTITION);
    }

    private List<ConsumerRecord<byte[], byte[]>> readFromTheStart(final TopicPartition partition)
    {
        final List<ConsumerRecord<byte[], byte[]>> records = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> consumer = broker.consumer(Map.of()))
        {
            consumer.assign(List.of(partition));
            consumer.seekToBeginning(List.of(partition));
            final long end = consumer.endOffsets(List.of(partition)).get(partition);
            final long deadline = System.nanoTime() + WAIT.toNanos();
            while (consumer.position(partition) < end && System.nanoTime() < deadline)
            {
                consumer.poll(Duration.ofMillis(200)).forEach(records::add);
            }
            assertEquals(end, consumer.position(partition), "read to the end");
        }
        return records;
    }

    private static Map<String, String> lastValuePerKey(final List<ConsumerRecord<byte[], byte[]>> records)
    {
        final Map<String, String> values = new HashMap<>();
        long previous = -1;
        for (final ConsumerRecord<byte[], byte[]> record : records)
        {
            assertTrue(record.offset() > previous, "offsets increase");
            previous = record.offset();
            if (record.value() == null)
            {
                values.remove(text(record.key()));
            }
            else
            {
                values.put(text(record.key()), text(record.value()));
            }
        }
        assertNull(values.get(null));
        return new LinkedHashMap<>(values);
    }
}
