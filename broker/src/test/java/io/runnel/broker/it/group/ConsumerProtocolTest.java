package io.runnel.broker.it.group;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import io.runnel.broker.testing.TestBroker;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.GroupState;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The KIP-848 consumer protocol ({@code group.protocol=consumer}) with the server-side assignors. */
class ConsumerProtocolTest
{
    private static final int PARTITIONS = 6;

    @TempDir
    Path dataDir;

    @Test
    void threeConsumersShareSixPartitionsAndTheSurvivorsTakeOverWhenOneLeaves() throws Exception
    {
        for (final String assignor : List.of("uniform", "range"))
        {
            final String topic = "kip848-" + assignor;
            final String group = "g-" + assignor;
            try (TestBroker broker = TestBroker.start(dataDir.resolve(assignor), Map.of("group.consumer.heartbeat.interval.ms", "300",
                "runnel.shards", "2")))
            {
                try (Admin admin = broker.admin())
                {
                    admin.createTopics(List.of(new NewTopic(topic, PARTITIONS, (short)1))).all().get();
                }
                final List<KafkaConsumer<byte[], byte[]>> consumers = new ArrayList<>();
                for (int i = 0; i < 3; i++)
                {
                    final KafkaConsumer<byte[], byte[]> consumer = broker.consumer(Map.of("group.id", group,
                        "group.protocol", "consumer", "group.remote.assignor", assignor));
                    consumer.subscribe(List.of(topic));
                    consumers.add(consumer);
                }
                awaitAssignment(consumers, topic, 3);

                try (Admin admin = broker.admin())
                {
                    final ConsumerGroupDescription description = admin.describeConsumerGroups(List.of(group)).all().get().get(group);
                    assertEquals(3, description.members().size());
                    assertEquals(GroupState.STABLE, description.groupState());
                }

                consumers.remove(2).close();
                awaitAssignment(consumers, topic, 2);

                try (KafkaProducer<byte[], byte[]> producer = broker.producer(Map.of()))
                {
                    for (int i = 0; i < 60; i++)
                    {
                        producer.send(new ProducerRecord<>(topic, i % PARTITIONS, null, new byte[] {(byte)i}));
                    }
                    producer.flush();
                }
                final Set<Long> seen = new HashSet<>();
                final long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
                while (seen.size() < 60 && System.nanoTime() < deadline)
                {
                    for (final KafkaConsumer<byte[], byte[]> consumer : consumers)
                    {
                        for (final ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(50)))
                        {
                            seen.add(record.partition() * 1000L + record.offset());
                        }
                    }
                }
                assertEquals(60, seen.size());
                consumers.forEach(KafkaConsumer::close);
            }
        }
    }

    @Test
    void survivorsTakeOverFromAMemberThatDiesWithoutLeavingWithinTheSessionTimeout() throws Exception
    {
        final int sessionTimeoutMs = 4_000;
        try (TestBroker broker = TestBroker.start(dataDir, Map.of("group.consumer.heartbeat.interval.ms", "300",
            "group.consumer.session.timeout.ms", Integer.toString(sessionTimeoutMs))))
        {
            try (Admin admin = broker.admin())
            {
                admin.createTopics(List.of(new NewTopic("crash", PARTITIONS, (short)1))).all().get();
            }
            try (CrashableConsumer victim = CrashableConsumer.start(broker.bootstrapServers(), "crash-group", "consumer", "crash"))
            {
                victim.awaitAssigned(Duration.ofSeconds(60));
                final List<KafkaConsumer<byte[], byte[]>> consumers = new ArrayList<>();
                for (int i = 0; i < 2; i++)
                {
                    final KafkaConsumer<byte[], byte[]> consumer = broker.consumer(Map.of("group.id", "crash-group", "group.protocol", "consumer"));
                    consumer.subscribe(List.of("crash"));
                    consumers.add(consumer);
                }
                try (Admin admin = broker.admin())
                {
                    awaitMembers(admin, "crash-group", 3, consumers);
                    // SIGKILL: no leave heartbeat; its partitions move only when its session expires.
                    victim.kill9();
                    assertEquals(3, admin.describeConsumerGroups(List.of("crash-group")).all().get().get("crash-group").members().size(),
                        "the dead member is still a member until its session expires");
                }
                final long start = System.nanoTime();
                awaitAssignment(consumers, "crash", 2);
            final long tookMs = (System.nanoTime() - start) / 1_000_000;
                assertTrue(tookMs < sessionTimeoutMs + 10_000, "takeover within the session timeout (plus heartbeats), took " + tookMs + " ms");
                consumers.forEach(KafkaConsumer::close);
            }
        }
    }

    /** Polls the local members (their application thread completes reconciliation) until the group is stable. */
    private static void awaitMembers(final Admin admin, final String group, final int members,
        final List<KafkaConsumer<byte[], byte[]>> local) throws Exception
    {
        final long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (System.nanoTime() < deadline)
        {
            local.forEach(consumer -> consumer.poll(Duration.ofMillis(50)));
            final ConsumerGroupDescription description = admin.describeConsumerGroups(List.of(group)).all().get().get(group);
            if (description.members().size() == members && description.groupState() == GroupState.STABLE)
            {
                return;
            }
        }
        throw new AssertionError(group + " never reached " + members + " stable members");
    }

    /** Polls every consumer until together they own each partition exactly once. */
    private static void awaitAssignment(final List<KafkaConsumer<byte[], byte[]>> consumers, final String topic, final int members)
    {
        final long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (System.nanoTime() < deadline)
        {
            final List<TopicPartition> owned = new ArrayList<>();
            boolean everyoneHasSome = true;
            for (final KafkaConsumer<byte[], byte[]> consumer : consumers)
            {
                consumer.poll(Duration.ofMillis(50));
                owned.addAll(consumer.assignment());
                everyoneHasSome &= !consumer.assignment().isEmpty();
            }
            if (owned.size() == PARTITIONS && new HashSet<>(owned).size() == PARTITIONS && everyoneHasSome)
            {
                return;
            }
        }
        final List<Set<TopicPartition>> assignments = new ArrayList<>();
        consumers.forEach(c -> assignments.add(c.assignment()));
        assertTrue(false, members + " members never owned " + topic + "'s partitions exactly once: " + assignments);
    }
}
