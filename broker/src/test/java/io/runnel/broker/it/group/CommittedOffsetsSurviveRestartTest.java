package io.runnel.broker.it.group;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

import io.runnel.broker.testing.ChildBroker;
import io.runnel.broker.testing.TestBroker;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import static io.runnel.broker.it.group.GroupTesting.addAll;
import static io.runnel.broker.it.group.GroupTesting.awaitCondition;
import static io.runnel.broker.it.group.GroupTesting.get;
import static io.runnel.broker.it.group.GroupTesting.missing;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Committed offsets are durable group state: consumers commit, go away, the broker restarts
 * (cleanly in this JVM, or killed with SIGKILL in a child JVM), and when the consumers come
 * back they resume exactly at the committed offsets: the first record each sees on a
 * partition is the one at the committed offset, and nothing before it is delivered again.
 */
class CommittedOffsetsSurviveRestartTest
{
    private static final String TOPIC = "resume";
    private static final String GROUP = "resume-group";
    private static final int PARTITIONS = 3;
    private static final int FIRST_BATCH = 100;
    private static final int SECOND_BATCH = 20;
    /** Deliberately in the middle of the log, different per partition. */
    private static final long[] COMMIT_AT = {17, 50, 83};
    private static final Duration CONSUME_TIMEOUT = Duration.ofSeconds(30);
    private static final Map<String, String> OVERRIDES = Map.of("group.initial.rebalance.delay.ms", "0", "runnel.shards", "2");

    @TempDir
    Path dir;

    /** A broker the scenario can restart; its address may change across restarts. */
    private interface RestartableBroker extends AutoCloseable
    {
        String bootstrapServers();

        void restart() throws IOException;

        @Override
        void close();
    }

    @Test
    @Timeout(90)
    void consumersResumeAtTheCommittedOffsetsAfterACleanInProcessRestart() throws Exception
    {
        final TestBroker broker = TestBroker.start(dir.resolve("data"), OVERRIDES);
        try (RestartableBroker restartable = new RestartableBroker()
        {
            @Override
            public String bootstrapServers()
            {
                return broker.bootstrapServers();
            }

            @Override
            public void restart()
            {
                broker.restart();
            }

            @Override
            public void close()
            {
                broker.close();
            }
        })
        {
            commitRestartAndResume(restartable);
        }
    }

    @Test
    @Timeout(120)
    void consumersResumeAtTheCommittedOffsetsAfterTheBrokerIsKilledWithSigkill() throws Exception
    {
        final Path data = dir.resolve("data");
        final ChildBroker[] child = {ChildBroker.start(data, OVERRIDES)};
        try (RestartableBroker restartable = new RestartableBroker()
        {
            @Override
            public String bootstrapServers()
            {
                return child[0].bootstrapServers();
            }

            @Override
            public void restart() throws IOException
            {
                child[0].kill9();
                child[0] = ChildBroker.start(data, OVERRIDES);
            }

            @Override
            public void close()
            {
                child[0].close();
            }
        })
        {
            commitRestartAndResume(restartable);
        }
    }

    private void commitRestartAndResume(final RestartableBroker broker) throws Exception
    {
        final Map<TopicPartition, OffsetAndMetadata> committed = new TreeMap<>(java.util.Comparator.comparing(TopicPartition::toString));
        for (int p = 0; p < PARTITIONS; p++)
        {
            committed.put(new TopicPartition(TOPIC, p), new OffsetAndMetadata(COMMIT_AT[p], "checkpoint-" + p));
        }
        final Map<TopicPartition, Set<Long>> produced = new HashMap<>();
        try (Admin admin = GroupTesting.admin(broker.bootstrapServers());
            KafkaProducer<byte[], byte[]> producer = GroupTesting.producer(broker.bootstrapServers()))
        {
            GroupTesting.createTopic(admin, TOPIC, PARTITIONS);
            addAll(produced, GroupTesting.produce(producer, TOPIC, PARTITIONS, FIRST_BATCH, "first"));

            // A member of the group reads everything, commits (mid-log) offsets and leaves.
            try (KafkaConsumer<byte[], byte[]> consumer = GroupTesting.consumer(broker.bootstrapServers(), Map.of(ConsumerConfig.GROUP_ID_CONFIG, GROUP)))
            {
                consumer.subscribe(List.of(TOPIC));
                final int[] received = {0};
                awaitCondition(CONSUME_TIMEOUT, "the first consumer reads the first batch", () ->
                {
                    for (final ConsumerRecord<byte[], byte[]> ignored : consumer.poll(Duration.ofMillis(100)))
                    {
                        received[0]++;
                    }
                    return received[0] >= PARTITIONS * FIRST_BATCH;
                });
                consumer.commitSync(committed);
            }
            addAll(produced, GroupTesting.produce(producer, TOPIC, PARTITIONS, SECOND_BATCH, "second"));
            assertEquals(committed, get(admin.listConsumerGroupOffsets(GROUP).partitionsToOffsetAndMetadata()), "committed before the restart");
        }

        broker.restart();

        try (Admin admin = GroupTesting.admin(broker.bootstrapServers()))
        {
            assertEquals(committed, get(admin.listConsumerGroupOffsets(GROUP).partitionsToOffsetAndMetadata()),
                "offsets and metadata as committed, after the restart");
        }
        // Two consumers come back; neither commits, so every first read of a partition starts at the restored offset.
        final List<ConsumerThread> consumers = new ArrayList<>();
        try
        {
            for (int i = 0; i < 2; i++)
            {
                consumers.add(ConsumerThread.start("resumed-" + i, GroupTesting.consumer(broker.bootstrapServers(), Map.of(
                    ConsumerConfig.GROUP_ID_CONFIG, GROUP, ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 25)), List.of(TOPIC), false));
            }
            final Map<TopicPartition, Set<Long>> expected = new HashMap<>();
            produced.forEach((tp, offsets) -> offsets.stream().filter(o -> o >= committed.get(tp).offset())
                .forEach(o -> expected.computeIfAbsent(tp, k -> new HashSet<>()).add(o)));
            awaitCondition(CONSUME_TIMEOUT, "the group reads everything from the committed offsets on",
                () -> missing(expected, receivedByAll(consumers)).isEmpty(), () -> "missing " + missing(expected, receivedByAll(consumers)));

            assertEquals(expected, receivedByAll(consumers), "exactly the records at and after the committed offsets");
            for (final ConsumerThread consumer : consumers)
            {
                assertNull(consumer.failure(), consumer::toString);
                final Map<TopicPartition, Long> first = new HashMap<>();
                for (final ConsumerThread.Received record : consumer.received())
                {
                    first.putIfAbsent(record.partition(), record.offset());
                }
                first.forEach((tp, offset) -> assertEquals(committed.get(tp).offset(), offset,
                    () -> consumer.name + " started " + tp + " at " + offset + ", not at the committed offset"));
            }
            assertTrue(consumers.stream().mapToInt(c -> c.received().size()).sum() > 0);
        }
        finally
        {
            for (final ConsumerThread consumer : consumers)
            {
                consumer.close();
            }
        }
    }

    private static Map<TopicPartition, Set<Long>> receivedByAll(final List<ConsumerThread> consumers)
    {
        final Map<TopicPartition, Set<Long>> all = new HashMap<>();
        for (final ConsumerThread consumer : consumers)
        {
            addAll(all, consumer.receivedOffsets());
        }
        return all;
    }
}
