package io.runnel.broker.it.cluster;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.function.Supplier;

import io.runnel.broker.testing.ChildCluster;
import io.runnel.broker.testing.RawKafkaClient;
import io.runnel.broker.testing.TestClients;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.CreateTopicsOptions;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.TopicPartitionInfo;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.message.MetadataRequestData;
import org.apache.kafka.common.message.MetadataResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Three combined broker+controller nodes, each in its own JVM, under real faults: kill -9 of the
 * active controller while topics are being created, kill -9 of a broker that leads partitions,
 * and a restart of the whole cluster from its folders. Driven by stock kafka-clients only (plus a
 * raw Metadata request to ask one particular node).
 */
@Timeout(value = 240, unit = TimeUnit.SECONDS)
class ClusterFaultsTest
{
    private static final Duration WAIT = Duration.ofSeconds(60);
    /** Short sessions so a killed broker is fenced within seconds. */
    private static final Map<String, String> FAST_SESSIONS = Map.of(
        "broker.session.timeout.ms", "3000",
        "broker.heartbeat.interval.ms", "500");

    /** Kept when a test fails: each node's output is there ({@code node-<id>-broker-<n>.log}). */
    @TempDir(cleanup = CleanupMode.ON_SUCCESS)
    Path root;

    @Test
    void killingTheActiveControllerLosesNoCreatedTopicAndTheNodeRejoins() throws Exception
    {
        try (ChildCluster cluster = new ChildCluster(root, 3, FAST_SESSIONS).start();
            Admin admin = TestClients.admin(cluster.bootstrapServers()))
        {
            final int controller = admin.describeCluster().controller().get(30, TimeUnit.SECONDS).id();
            // The creator thread adds, the test thread reads; failures are shown if too few creates succeed.
            final Set<String> created = ConcurrentHashMap.newKeySet();
            final AtomicBoolean stop = new AtomicBoolean();
            final List<String> failures = new CopyOnWriteArrayList<>();
            final CompletableFuture<Void> creator = CompletableFuture.runAsync(() ->
            {
                // One topic at a time; a failed or timed-out create is simply not counted as created.
                for (int i = 0; i < 500 && !stop.get(); i++)
                {
                    final String name = "t-" + i;
                    try
                    {
                        admin.createTopics(List.of(new NewTopic(name, 2, (short)1)), new CreateTopicsOptions().timeoutMs(15_000))
                            .all().get(20, TimeUnit.SECONDS);
                        created.add(name);
                    }
                    catch (final Exception ex)
                    {
                        // Lost in the failover, or already created by a retried request: checked below either way.
                        failures.add(name + ": " + ex);
                    }
                }
            });
            awaitTrue(() -> created.size() >= 5, "topics created before the kill");
            cluster.kill9(controller);
            final int createdAtKill = created.size();
            awaitTrue(() -> created.size() >= createdAtKill + 5, () -> "topics created after the controller was killed; failures " + failures);
            stop.set(true);
            creator.get(60, TimeUnit.SECONDS);

            awaitTrue(() -> controllerOf(admin) != controller && controllerOf(admin) > 0, "another controller elected");
            final Set<String> listed = admin.listTopics().names().get(30, TimeUnit.SECONDS);
            assertTrue(listed.containsAll(created), "every acknowledged topic exists: missing " + missing(created, listed));

            cluster.startNode(controller);
            awaitTrue(() -> topicsOnNode(cluster.node(controller).port()).containsAll(created),
                "the restarted node's Metadata lists every topic");
            // It serves again: once unfenced (listed by DescribeCluster) it leads partitions of a topic made now.
            awaitTrue(() -> brokersOf(admin).contains(controller), "the restarted node is listed as a live broker");
            admin.createTopics(List.of(new NewTopic("after-rejoin", 6, (short)1))).all().get(60, TimeUnit.SECONDS);
            awaitTrue(() -> leadersOf(admin, "after-rejoin").contains(controller), "the rejoined node leads partitions again");
        }
    }

    @Test
    void aKilledBrokersPartitionsGoLeaderlessThenComeBackWithEveryAcknowledgedRecord() throws Exception
    {
        final int partitions = 6;
        final int records = 3_000;
        try (ChildCluster cluster = new ChildCluster(root, 3, FAST_SESSIONS).start();
            Admin admin = TestClients.admin(cluster.bootstrapServers()))
        {
            admin.createTopics(List.of(new NewTopic("acked", partitions, (short)1))).all().get(60, TimeUnit.SECONDS);
            final int controller = admin.describeCluster().controller().get(30, TimeUnit.SECONDS).id();
            final int victim = controller == 1 ? 2 : 1;
            final Set<Integer> victimsPartitions = partitionsLedBy(admin, "acked", victim);
            assertTrue(!victimsPartitions.isEmpty(), "the victim leads some partitions");

            final Map<Integer, Set<String>> acked = new HashMap<>();
            try (KafkaProducer<byte[], byte[]> producer = TestClients.producer(cluster.bootstrapServers(), Map.of("acks", "all", "linger.ms", 5)))
            {
                final List<Future<RecordMetadata>> sent = new ArrayList<>();
                for (int i = 0; i < records; i++)
                {
                    sent.add(producer.send(new ProducerRecord<>("acked", i % partitions, null, Integer.toString(i).getBytes(StandardCharsets.UTF_8))));
                }
                for (int i = 0; i < records; i++)
                {
                    final RecordMetadata metadata = sent.get(i).get(60, TimeUnit.SECONDS);
                    acked.computeIfAbsent(metadata.partition(), p -> new HashSet<>()).add(Integer.toString(i));
                }
            }
            cluster.kill9(victim);

            awaitTrue(() -> partitionsWithoutLeader(admin, "acked").equals(victimsPartitions),
                "exactly the killed broker's partitions have no leader after the session timeout");

            cluster.startNode(victim);
            awaitTrue(() -> partitionsLedBy(admin, "acked", victim).equals(victimsPartitions),
                "the restarted broker leads its partitions again");

            try (KafkaConsumer<byte[], byte[]> consumer = TestClients.consumer(cluster.bootstrapServers(), Map.of()))
            {
                final List<TopicPartition> assigned = new ArrayList<>();
                for (int p = 0; p < partitions; p++)
                {
                    assigned.add(new TopicPartition("acked", p));
                }
                consumer.assign(assigned);
                consumer.seekToBeginning(assigned);
                final Map<Integer, Set<String>> read = new HashMap<>();
                final long deadline = System.nanoTime() + WAIT.toNanos();
                int count = 0;
                while (count < records && System.nanoTime() < deadline)
                {
                    for (final ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(200)))
                    {
                        if (read.computeIfAbsent(record.partition(), p -> new HashSet<>()).add(new String(record.value(), StandardCharsets.UTF_8)))
                        {
                            count++;
                        }
                    }
                }
                assertEquals(acked, read, "every acknowledged record reads back from its partition");
            }
        }
    }

    @Test
    void aWholeClusterRestartKeepsTopicsIdsConfigsAndCommittedOffsets() throws Exception
    {
        restartsWithEverythingKept(ChildCluster::stopAll);
    }

    @Test
    void aWholeClusterKilledByKill9RestartsWithTopicsIdsConfigsAndCommittedOffsets() throws Exception
    {
        restartsWithEverythingKept(ChildCluster::close);
    }

    /** Makes topics (one with a config override) and a group's committed offsets, takes the whole cluster down with {@code down}, restarts it. */
    private void restartsWithEverythingKept(final Consumer<ChildCluster> down) throws Exception
    {
        final Map<String, Uuid> ids = new HashMap<>();
        final Map<TopicPartition, OffsetAndMetadata> committed = new HashMap<>();
        try (ChildCluster cluster = new ChildCluster(root, 3, FAST_SESSIONS).start())
        {
            try (Admin admin = TestClients.admin(cluster.bootstrapServers()))
            {
                admin.createTopics(List.of(
                    new NewTopic("kept-a", 3, (short)1).configs(Map.of("retention.ms", "123456789")),
                    new NewTopic("kept-b", 4, (short)1))).all().get(60, TimeUnit.SECONDS);
                // One override given at creation, one set afterwards through the quorum (IncrementalAlterConfigs).
                admin.incrementalAlterConfigs(Map.of(new ConfigResource(ConfigResource.Type.TOPIC, "kept-b"),
                    List.of(new AlterConfigOp(new ConfigEntry("retention.bytes", "987654321"), AlterConfigOp.OpType.SET))))
                    .all().get(30, TimeUnit.SECONDS);
                for (final TopicDescription description : admin.describeTopics(List.of("kept-a", "kept-b")).allTopicNames().get(30, TimeUnit.SECONDS).values())
                {
                    ids.put(description.name(), description.topicId());
                }
                try (KafkaProducer<byte[], byte[]> producer = TestClients.producer(cluster.bootstrapServers(), Map.of("acks", "all")))
                {
                    for (int i = 0; i < 40; i++)
                    {
                        producer.send(new ProducerRecord<>("kept-b", i % 4, null, Integer.toString(i).getBytes(StandardCharsets.UTF_8))).get(30, TimeUnit.SECONDS);
                    }
                }
                try (KafkaConsumer<byte[], byte[]> consumer = TestClients.consumer(cluster.bootstrapServers(), Map.of("group.id", "kept-group")))
                {
                    consumer.subscribe(List.of("kept-b"));
                    int seen = 0;
                    final long deadline = System.nanoTime() + WAIT.toNanos();
                    while (seen < 40 && System.nanoTime() < deadline)
                    {
                        seen += consumer.poll(Duration.ofMillis(200)).count();
                    }
                    assertEquals(40, seen, "the group read every record");
                    consumer.commitSync(Duration.ofSeconds(30));
                }
                committed.putAll(admin.listConsumerGroupOffsets("kept-group").partitionsToOffsetAndMetadata().get(30, TimeUnit.SECONDS));
                assertEquals(4, committed.size(), "an offset per partition was committed");
            }
            down.accept(cluster);
            cluster.start();
            try (Admin admin = TestClients.admin(cluster.bootstrapServers()))
            {
                final Map<String, TopicDescription> described = admin.describeTopics(List.of("kept-a", "kept-b")).allTopicNames().get(30, TimeUnit.SECONDS);
                assertEquals(ids.get("kept-a"), described.get("kept-a").topicId(), "kept-a keeps its topic id");
                assertEquals(ids.get("kept-b"), described.get("kept-b").topicId(), "kept-b keeps its topic id");
                assertEquals(3, described.get("kept-a").partitions().size());
                assertEquals(4, described.get("kept-b").partitions().size());
                final ConfigResource keptA = new ConfigResource(ConfigResource.Type.TOPIC, "kept-a");
                final ConfigResource keptB = new ConfigResource(ConfigResource.Type.TOPIC, "kept-b");
                final Map<ConfigResource, Config> configs = admin.describeConfigs(List.of(keptA, keptB)).all().get(30, TimeUnit.SECONDS);
                assertEquals("123456789", configs.get(keptA).get("retention.ms").value(), "kept-a keeps its creation-time override");
                assertEquals("987654321", configs.get(keptB).get("retention.bytes").value(), "kept-b keeps its altered config");
                awaitTrue(() -> committed.equals(offsetsOf(admin, "kept-group")), "the group keeps its committed offsets");
            }
        }
    }

    // ---------------------------------------------------------------- helpers

    private static int controllerOf(final Admin admin)
    {
        try
        {
            return admin.describeCluster().controller().get(10, TimeUnit.SECONDS).id();
        }
        catch (final Exception ex)
        {
            return -1;
        }
    }

    private static Set<Integer> brokersOf(final Admin admin)
    {
        final Set<Integer> ids = new HashSet<>();
        try
        {
            for (final Node node : admin.describeCluster().nodes().get(10, TimeUnit.SECONDS))
            {
                ids.add(node.id());
            }
        }
        catch (final Exception ex)
        {
            // Not answered now: the caller polls again.
        }
        return ids;
    }

    private static Map<TopicPartition, OffsetAndMetadata> offsetsOf(final Admin admin, final String group)
    {
        try
        {
            return admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get(10, TimeUnit.SECONDS);
        }
        catch (final Exception ex)
        {
            return Map.of();
        }
    }

    private static Set<Integer> leadersOf(final Admin admin, final String topic)
    {
        final Set<Integer> leaders = new HashSet<>();
        for (final TopicPartitionInfo partition : partitionsOf(admin, topic))
        {
            if (partition.leader() != null && !partition.leader().isEmpty())
            {
                leaders.add(partition.leader().id());
            }
        }
        return leaders;
    }

    private static Set<Integer> partitionsLedBy(final Admin admin, final String topic, final int nodeId)
    {
        final Set<Integer> led = new TreeSet<>();
        for (final TopicPartitionInfo partition : partitionsOf(admin, topic))
        {
            if (partition.leader() != null && !partition.leader().isEmpty() && partition.leader().id() == nodeId)
            {
                led.add(partition.partition());
            }
        }
        return led;
    }

    private static Set<Integer> partitionsWithoutLeader(final Admin admin, final String topic)
    {
        final Set<Integer> leaderless = new TreeSet<>();
        for (final TopicPartitionInfo partition : partitionsOf(admin, topic))
        {
            if (partition.leader() == null || partition.leader().isEmpty())
            {
                leaderless.add(partition.partition());
            }
        }
        return leaderless;
    }

    private static List<TopicPartitionInfo> partitionsOf(final Admin admin, final String topic)
    {
        try
        {
            return admin.describeTopics(List.of(topic)).allTopicNames().get(10, TimeUnit.SECONDS).get(topic).partitions();
        }
        catch (final Exception ex)
        {
            return List.of();
        }
    }

    /** The topics one particular node's Metadata lists (a raw request: an AdminClient picks its own node). */
    private static Set<String> topicsOnNode(final int port)
    {
        try (RawKafkaClient raw = RawKafkaClient.connect(port))
        {
            final MetadataResponseData metadata = raw.request(ApiKeys.METADATA, (short)12, new MetadataRequestData().setTopics(null));
            final Set<String> names = new HashSet<>();
            for (final MetadataResponseData.MetadataResponseTopic topic : metadata.topics())
            {
                names.add(topic.name());
            }
            return names;
        }
        catch (final IOException | RuntimeException ex)
        {
            return Set.of();
        }
    }

    private static Set<String> missing(final Set<String> expected, final Set<String> actual)
    {
        final Set<String> missing = new TreeSet<>(expected);
        missing.removeAll(actual);
        return missing;
    }

    /** Polls {@code condition} every 200 ms until it holds, failing after {@link #WAIT}. */
    private static void awaitTrue(final BooleanSupplier condition, final String what) throws InterruptedException
    {
        awaitTrue(condition, () -> what);
    }

    private static void awaitTrue(final BooleanSupplier condition, final Supplier<String> what) throws InterruptedException
    {
        final long deadline = System.nanoTime() + WAIT.toNanos();
        while (!condition.getAsBoolean())
        {
            if (System.nanoTime() > deadline)
            {
                fail("timed out waiting: " + what.get());
            }
            Thread.sleep(200);
        }
    }
}
