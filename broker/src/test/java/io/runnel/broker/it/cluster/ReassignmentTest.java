package io.runnel.broker.it.cluster;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import io.runnel.broker.testing.ChildCluster;
import io.runnel.broker.testing.KafkaTool;
import io.runnel.broker.testing.TestClients;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.NewPartitionReassignment;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.PartitionReassignment;
import org.apache.kafka.clients.admin.RecordsToDelete;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.TopicPartitionInfo;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.tools.reassign.ReassignPartitionsCommand;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

import static io.runnel.broker.it.cluster.ReplicatedTopics.SETTINGS;
import static io.runnel.broker.it.cluster.ReplicatedTopics.WAIT;
import static io.runnel.broker.it.cluster.ReplicatedTopics.awaitTrue;
import static io.runnel.broker.it.cluster.ReplicatedTopics.describeReplicas;
import static io.runnel.broker.it.cluster.ReplicatedTopics.hasPartitionDirectory;
import static io.runnel.broker.it.cluster.ReplicatedTopics.sameTail;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Partition reassignment (KIP-455) between three brokers, each in its own JVM: the AdminClient's
 * alterPartitionReassignments and the stock kafka-reassign-partitions tool move replicas to a broker
 * that had none; the new replica copies the leader's log (from offset 0, or from the leader's log
 * start once DeleteRecords moved it), joins the ISR, and the move completes, handing the leadership
 * over when the old leader was removed; a removed replica's log is deleted; every record an
 * idempotent acks=all producer had acknowledged, before, during and after, reads back once, in
 * order. A reassignment to a broker that is down stays in progress, shows the union of replicas,
 * and can be cancelled.
 */
@Timeout(value = 240, unit = TimeUnit.SECONDS)
class ReassignmentTest
{
    private static final String TOPIC = "moved";
    private static final int PARTITIONS = 2;
    private static final int RECORDS = 1_000;
    /** Partition 1's leader deletes below this before the move: its new replica starts at the leader's log start. */
    private static final long TRIMMED_TO = 500;
    /** Written before the throttled move: four times what one replication message may carry. */
    private static final int THROTTLED_KIB = 4 * 1024;
    /** What one replication message carries at most (whole batches up to 1 MiB), with room for a batch's overrun. */
    private static final long ONE_MESSAGE_BYTES = (1 << 20) + (64 << 10);
    /** How long the test watches a move held back by a 1 B/s throttle. */
    private static final Duration THROTTLED_WATCH = Duration.ofSeconds(5);

    @TempDir(cleanup = CleanupMode.ON_SUCCESS)
    Path root;

    @Test
    void reassignedReplicasCopyTheLeadersLogJoinTheIsrAndLoseNoAcknowledgedRecord() throws Exception
    {
        try (ChildCluster cluster = new ChildCluster(root, 3, SETTINGS).start();
            Admin admin = TestClients.admin(cluster.bootstrapServers()))
        {
            admin.createTopics(List.of(new NewTopic(TOPIC, PARTITIONS, (short)2))).all().get(60, TimeUnit.SECONDS);
            awaitTrue(() -> replicas(admin, 0).size() == 2 && replicas(admin, 1).size() == 2, "the topic is described");
            final List<List<Integer>> original = List.of(replicas(admin, 0), replicas(admin, 1));
            final List<Acked> acked = new ArrayList<>(produce(cluster.bootstrapServers(), 0));
            final TopicPartition trimmed = new TopicPartition(TOPIC, 1);
            admin.deleteRecords(Map.of(trimmed, RecordsToDelete.beforeOffset(TRIMMED_TO))).all().get(30, TimeUnit.SECONDS);

            // Partition 0 drops its first replica (its leader) for the broker it lacks; partition 1 puts that broker first.
            final int newFor0 = outsider(original.get(0));
            final int newFor1 = outsider(original.get(1));
            final List<Integer> target0 = List.of(original.get(0).get(1), newFor0);
            final List<Integer> target1 = List.of(newFor1, original.get(1).get(0));
            admin.alterPartitionReassignments(Map.of(
                new TopicPartition(TOPIC, 0), Optional.of(new NewPartitionReassignment(target0)),
                trimmed, Optional.of(new NewPartitionReassignment(target1)))).all().get(30, TimeUnit.SECONDS);
            // Written while the new replicas catch up (or just after): acks=all waits for whoever is in sync.
            acked.addAll(produce(cluster.bootstrapServers(), RECORDS));

            awaitTrue(() -> ongoing(admin).isEmpty(), () -> "every reassignment completes; ongoing: " + ongoing(admin));
            awaitTrue(() -> replicas(admin, 0).equals(target0) && replicas(admin, 1).equals(target1)
                && isr(admin, 0).containsAll(target0) && isr(admin, 1).containsAll(target1) && leader(admin, 0) == target0.get(0),
                () -> "describeTopics shows the targets, in sync: " + describe(admin));
            assertEquals(2, isr(admin, 0).size());
            assertEquals(2, isr(admin, 1).size());
            acked.addAll(produce(cluster.bootstrapServers(), 2 * RECORDS));

            // The new replicas hold the leader's batches: all of partition 0's, partition 1's from the leader's log start.
            awaitTrue(() -> sameTail(cluster, TOPIC, 0, leader(admin, 0), newFor0) && sameTail(cluster, TOPIC, 0, newFor0, leader(admin, 0)),
                () -> "partition 0's new replica is its leader's log, batch for batch\n" + describeReplicas(cluster, TOPIC, PARTITIONS));
            awaitTrue(() -> sameTail(cluster, TOPIC, 1, leader(admin, 1), newFor1),
                () -> "partition 1's new replica is its leader's log from the log start\n" + describeReplicas(cluster, TOPIC, PARTITIONS));
            final int removedFrom0 = original.get(0).get(0);
            awaitTrue(() -> !hasDirectory(cluster, removedFrom0, 0), "the removed replica's log is deleted");

            final Map<Integer, List<String>> expected = new TreeMap<>();
            for (final Acked record : acked)
            {
                if (record.partition() != 1 || record.offset() >= TRIMMED_TO)
                {
                    expected.computeIfAbsent(record.partition(), p -> new ArrayList<>()).add(record.value());
                }
            }
            assertEquals(expected, consumeAll(cluster.bootstrapServers(), expected.values().stream().mapToInt(List::size).sum()),
                "every acknowledged record reads back once, in order, from the new replicas' leaders");
        }
    }

    @Test
    void theStockToolExecutesAndVerifiesAMoveAndAMoveToADownBrokerCanBeCancelled() throws Exception
    {
        try (ChildCluster cluster = new ChildCluster(root, 3, SETTINGS).start();
            Admin admin = TestClients.admin(cluster.bootstrapServers()))
        {
            admin.createTopics(List.of(new NewTopic(TOPIC, PARTITIONS, (short)2))).all().get(60, TimeUnit.SECONDS);
            awaitTrue(() -> replicas(admin, 0).size() == 2 && replicas(admin, 1).size() == 2, "the topic is described");
            final List<Acked> acked = new ArrayList<>(produce(cluster.bootstrapServers(), 0));
            final List<Integer> before = replicas(admin, 0);
            final List<Integer> target = List.of(outsider(before), before.get(0));
            final Path plan = root.resolve("reassignment.json");
            Files.writeString(plan, "{\"version\":1,\"partitions\":[{\"topic\":\"" + TOPIC + "\",\"partition\":0,\"replicas\":["
                + target.get(0) + "," + target.get(1) + "]}]}");

            final KafkaTool.Run execute = reassign(cluster, plan, "--execute");
            assertEquals(0, execute.status(), execute.out() + execute.err());
            assertTrue(execute.out().contains("Successfully started partition reassignment"), execute.out());
            awaitTrue(() -> verify(cluster, plan).contains("Reassignment of partition " + TOPIC + "-0 is completed."),
                () -> "kafka-reassign-partitions --verify says the move completed: " + verify(cluster, plan));
            assertEquals(target, replicas(admin, 0));

            // A move to a broker that is down cannot complete: the union of replicas shows until it is cancelled.
            final int down = outsider(replicas(admin, 1));
            cluster.kill9(down);
            final List<Integer> stays = replicas(admin, 1);
            final TopicPartition partition1 = new TopicPartition(TOPIC, 1);
            admin.alterPartitionReassignments(Map.of(partition1, Optional.of(new NewPartitionReassignment(List.of(down, stays.get(0))))))
                .all().get(30, TimeUnit.SECONDS);
            final PartitionReassignment union = new PartitionReassignment(List.of(down, stays.get(0), stays.get(1)), List.of(down),
                List.of(stays.get(1)));
            awaitTrue(() -> union.toString().equals(String.valueOf(ongoing(admin).get(partition1))),
                () -> "listPartitionReassignments shows the move in progress, as " + union + ": " + ongoing(admin));
            awaitTrue(() -> replicas(admin, 1).equals(union.replicas()), () -> "describeTopics shows the union while moving: " + describe(admin));
            acked.addAll(produce(cluster.bootstrapServers(), RECORDS));

            admin.alterPartitionReassignments(Map.of(partition1, Optional.empty())).all().get(30, TimeUnit.SECONDS);
            awaitTrue(() -> ongoing(admin).isEmpty(), () -> "cancelled: " + ongoing(admin));
            awaitTrue(() -> Set.copyOf(stays).equals(Set.copyOf(replicas(admin, 1))) && isr(admin, 1).size() == 2,
                () -> "the original replicas, in sync, again: " + describe(admin));

            cluster.startNode(down);
            awaitTrue(() -> isr(admin, 0).size() == 2, "the restarted broker rejoins partition 0's ISR");
            assertFalse(hasDirectory(cluster, down, 1), "it never got partition 1's replica: no log of it");
            final Map<Integer, List<String>> expected = new TreeMap<>();
            acked.forEach(record -> expected.computeIfAbsent(record.partition(), p -> new ArrayList<>()).add(record.value()));
            assertEquals(expected, consumeAll(cluster.bootstrapServers(), acked.size()), "nothing was lost moving or cancelling");
        }
    }

    @Test
    void aThrottledMoveCopiesAtItsRateAndVerifyTakesTheThrottleAwayOnceItCompletes() throws Exception
    {
        try (ChildCluster cluster = new ChildCluster(root, 3, SETTINGS).start();
            Admin admin = TestClients.admin(cluster.bootstrapServers()))
        {
            admin.createTopics(List.of(new NewTopic(TOPIC, PARTITIONS, (short)2))).all().get(60, TimeUnit.SECONDS);
            awaitTrue(() -> replicas(admin, 0).size() == 2, "the topic is described");
            final int written = produceKibibytes(cluster.bootstrapServers(), THROTTLED_KIB);
            final List<Integer> before = replicas(admin, 0);
            final int added = outsider(before);
            final Path plan = root.resolve("throttled.json");
            Files.writeString(plan, "{\"version\":1,\"partitions\":[{\"topic\":\"" + TOPIC + "\",\"partition\":0,\"replicas\":["
                + added + "," + before.get(0) + "]}]}");

            // 1 B/s: the new replica gets one message (at most 1 MiB of batches) and then nothing for days.
            final KafkaTool.Run execute = reassign(cluster, plan, "--execute", "--throttle", "1");
            assertEquals(0, execute.status(), execute.out() + execute.err());
            assertTrue(execute.out().contains("The inter-broker throttle limit was set to 1 B/s"), execute.out());
            final Config topicConfig = topicConfig(admin);
            final Set<String> leaderSide = Set.of(topicConfig.get("leader.replication.throttled.replicas").value().split(","));
            assertTrue(leaderSide.containsAll(Set.of("0:" + before.get(0), "0:" + before.get(1))), leaderSide.toString());
            assertEquals("0:" + added, topicConfig.get("follower.replication.throttled.replicas").value());
            assertEquals("1", brokerConfig(admin, before.get(0)).get("leader.replication.throttled.rate").value());

            final long deadline = System.nanoTime() + THROTTLED_WATCH.toNanos();
            while (System.nanoTime() < deadline)
            {
                assertTrue(ongoing(admin).containsKey(new TopicPartition(TOPIC, 0)), "the throttled move is still in progress");
                final long copied = replicaSize(admin, added);
                assertTrue(copied <= ONE_MESSAGE_BYTES, "the new replica holds " + copied + " bytes of the leader's " + written
                    + " KiB: no more than one message got through the throttle");
                Thread.sleep(500);
            }

            // As the tool's documentation says: --additional with a new --throttle changes the throttle of a move in progress.
            final KafkaTool.Run raise = reassign(cluster, plan, "--execute", "--additional", "--throttle", "1000000000");
            assertEquals(0, raise.status(), raise.out() + raise.err());
            awaitTrue(() -> verify(cluster, plan).contains("Reassignment of partition " + TOPIC + "-0 is completed."),
                () -> "the move completes at the raised throttle: " + verify(cluster, plan));
            final String verified = verify(cluster, plan);
            assertTrue(verified.contains("Clearing broker-level throttles") && verified.contains("Clearing topic-level throttles"), verified);
            awaitTrue(() -> topicConfig(admin).get("leader.replication.throttled.replicas").value().isEmpty()
                && topicConfig(admin).get("follower.replication.throttled.replicas").value().isEmpty()
                && String.valueOf(Long.MAX_VALUE).equals(brokerConfig(admin, before.get(0)).get("leader.replication.throttled.rate").value()),
                () -> "--verify took the throttles away: " + topicConfig(admin) + " " + brokerConfig(admin, before.get(0)));
            awaitTrue(() -> sameTail(cluster, TOPIC, 0, leader(admin, 0), added),
                () -> "the new replica is its leader's log, batch for batch\n" + describeReplicas(cluster, TOPIC, PARTITIONS));
        }
    }

    private static KafkaTool.Run reassign(final ChildCluster cluster, final Path plan, final String... args) throws Exception
    {
        final List<String> all = new ArrayList<>(List.of("--bootstrap-server", cluster.bootstrapServers(), "--reassignment-json-file",
            plan.toString()));
        all.addAll(List.of(args));
        return KafkaTool.run("kafka-reassign-partitions", ReassignPartitionsCommand::main, all.toArray(String[]::new));
    }

    private static Config topicConfig(final Admin admin)
    {
        return describeConfig(admin, new ConfigResource(ConfigResource.Type.TOPIC, TOPIC));
    }

    private static Config brokerConfig(final Admin admin, final int nodeId)
    {
        return describeConfig(admin, new ConfigResource(ConfigResource.Type.BROKER, Integer.toString(nodeId)));
    }

    private static Config describeConfig(final Admin admin, final ConfigResource resource)
    {
        try
        {
            return admin.describeConfigs(List.of(resource)).all().get(10, TimeUnit.SECONDS).get(resource);
        }
        catch (final Exception ex)
        {
            throw new AssertionError("describeConfigs " + resource, ex);
        }
    }

    /** Bytes of partition 0 on broker {@code nodeId}, as DescribeLogDirs reports them (0 while it has none). */
    private static long replicaSize(final Admin admin, final int nodeId) throws Exception
    {
        final var dirs = admin.describeLogDirs(List.of(nodeId)).allDescriptions().get(10, TimeUnit.SECONDS).get(nodeId);
        return dirs.values().stream().map(dir -> dir.replicaInfos().get(new TopicPartition(TOPIC, 0)))
            .filter(java.util.Objects::nonNull).mapToLong(info -> info.size()).sum();
    }

    /** {@code kib} records of 1 KiB into partition 0, acks=all; returns {@code kib}. */
    private static int produceKibibytes(final String bootstrap, final int kib) throws Exception
    {
        try (KafkaProducer<byte[], byte[]> producer = TestClients.producer(bootstrap, Map.of("acks", "all", "linger.ms", 5)))
        {
            final List<Future<RecordMetadata>> sent = new ArrayList<>();
            for (int i = 0; i < kib; i++)
            {
                sent.add(producer.send(new ProducerRecord<>(TOPIC, 0, null, new byte[1024])));
            }
            for (final Future<RecordMetadata> one : sent)
            {
                one.get(60, TimeUnit.SECONDS);
            }
        }
        return kib;
    }

    private static String verify(final ChildCluster cluster, final Path plan)
    {
        try
        {
            final KafkaTool.Run run = reassign(cluster, plan, "--verify");
            return run.status() + ": " + run.out() + run.err();
        }
        catch (final Exception ex)
        {
            return ex.toString();
        }
    }

    private static boolean hasDirectory(final ChildCluster cluster, final int nodeId, final int partition)
    {
        try
        {
            return hasPartitionDirectory(cluster, nodeId, TOPIC, partition);
        }
        catch (final java.io.IOException ex)
        {
            return true;
        }
    }

    /** The broker of 1..3 that is not among {@code replicas} (a topic of two replicas on three brokers). */
    private static int outsider(final List<Integer> replicas)
    {
        return 6 - replicas.get(0) - replicas.get(1);
    }

    private static TopicPartitionInfo partition(final Admin admin, final int partition) throws Exception
    {
        return admin.describeTopics(List.of(TOPIC)).allTopicNames().get(10, TimeUnit.SECONDS).get(TOPIC).partitions().get(partition);
    }

    private static List<Integer> replicas(final Admin admin, final int partition)
    {
        try
        {
            return partition(admin, partition).replicas().stream().map(Node::id).toList();
        }
        catch (final Exception ex)
        {
            return List.of();
        }
    }

    private static List<Integer> isr(final Admin admin, final int partition)
    {
        try
        {
            return partition(admin, partition).isr().stream().map(Node::id).toList();
        }
        catch (final Exception ex)
        {
            return List.of();
        }
    }

    private static int leader(final Admin admin, final int partition)
    {
        return ReplicatedTopics.leaderOf(admin, TOPIC, partition);
    }

    private static String describe(final Admin admin)
    {
        try
        {
            return admin.describeTopics(List.of(TOPIC)).allTopicNames().get(10, TimeUnit.SECONDS).get(TOPIC).partitions().toString();
        }
        catch (final Exception ex)
        {
            return ex.toString();
        }
    }

    private static Map<TopicPartition, PartitionReassignment> ongoing(final Admin admin)
    {
        try
        {
            return admin.listPartitionReassignments().reassignments().get(10, TimeUnit.SECONDS);
        }
        catch (final Exception ex)
        {
            return Map.of(new TopicPartition("unanswered: " + ex, 0), new PartitionReassignment(List.of(), List.of(), List.of()));
        }
    }

    /** One acknowledged record: where it went, and what it holds. */
    private record Acked(int partition, long offset, String value)
    {
    }

    /** {@link #RECORDS} numbered records from {@code from}, round robin over the partitions, idempotent and acks=all; in send order. */
    private static List<Acked> produce(final String bootstrap, final int from) throws Exception
    {
        final List<Acked> acked = new ArrayList<>();
        for (final RecordMetadata metadata : ReplicatedTopics.produceNumbered(bootstrap, TOPIC, PARTITIONS, from, RECORDS))
        {
            acked.add(new Acked(metadata.partition(), metadata.offset(), Integer.toString(from + acked.size())));
        }
        return acked;
    }

    /** Every partition from its earliest offset, until {@code atMost} records came or the wait ran out. */
    private static Map<Integer, List<String>> consumeAll(final String bootstrap, final int atMost)
    {
        final Map<Integer, List<String>> read = new TreeMap<>();
        try (KafkaConsumer<byte[], byte[]> consumer = TestClients.consumer(bootstrap, Map.of()))
        {
            final List<TopicPartition> assigned = List.of(new TopicPartition(TOPIC, 0), new TopicPartition(TOPIC, 1));
            consumer.assign(assigned);
            consumer.seekToBeginning(assigned);
            final long deadline = System.nanoTime() + WAIT.toNanos();
            int count = 0;
            // Past what was acknowledged, briefly, so a duplicate would show.
            long quietUntil = Long.MAX_VALUE;
            while (System.nanoTime() < Math.min(deadline, quietUntil))
            {
                for (final ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(200)))
                {
                    read.computeIfAbsent(record.partition(), p -> new ArrayList<>()).add(new String(record.value(), StandardCharsets.UTF_8));
                    count++;
                }
                if (count >= atMost && quietUntil == Long.MAX_VALUE)
                {
                    quietUntil = System.nanoTime() + TimeUnit.SECONDS.toNanos(1);
                }
            }
        }
        return read;
    }
}
