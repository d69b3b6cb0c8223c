package io.runnel.broker.it.cluster;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import io.runnel.broker.testing.ChildCluster;
import io.runnel.broker.testing.KafkaTool;
import io.runnel.broker.testing.TestClients;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.TopicPartitionInfo;
import org.apache.kafka.common.errors.NotEnoughReplicasException;
import org.apache.kafka.tools.TopicCommand;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

import static io.runnel.broker.it.cluster.ReplicatedTopics.SETTINGS;
import static io.runnel.broker.it.cluster.ReplicatedTopics.WAIT;
import static io.runnel.broker.it.cluster.ReplicatedTopics.awaitTrue;
import static io.runnel.broker.it.cluster.ReplicatedTopics.isrSizes;
import static io.runnel.broker.it.cluster.ReplicatedTopics.leaderOf;
import static io.runnel.broker.it.cluster.ReplicatedTopics.replicasIdentical;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Partition replication between three brokers, each in its own JVM (replication is still behind
 * {@code runnel.replication.enable}): what an idempotent acks=all producer had acknowledged is on
 * every replica, batch for batch, and survives kill -9 of the leader, read back from the leader
 * the quorum elects from the in-sync replicas; {@code min.insync.replicas} refuses acks=all writes
 * while the ISR is too small, and the killed broker catches up and rejoins the ISR.
 */
@Timeout(value = 240, unit = TimeUnit.SECONDS)
class ReplicationTest
{
    private static final String TOPIC = "replicated";
    /** min.insync.replicas=3 of 3: acks=all needs every replica in sync. */
    private static final String STRICT = "strict";
    private static final int PARTITIONS = 3;
    private static final int RECORDS = 3_000;

    @TempDir(cleanup = CleanupMode.ON_SUCCESS)
    Path root;

    @Test
    void acknowledgedRecordsAreOnEveryReplicaAndSurviveKillingTheLeader() throws Exception
    {
        try (ChildCluster cluster = new ChildCluster(root, 3, SETTINGS).start();
            Admin admin = TestClients.admin(cluster.bootstrapServers()))
        {
            admin.createTopics(List.of(new NewTopic(TOPIC, PARTITIONS, (short)3),
                new NewTopic(STRICT, 1, (short)3).configs(Map.of("min.insync.replicas", "3")))).all().get(60, TimeUnit.SECONDS);
            final TopicDescription created = TestClients.describeOnceLed(admin, TOPIC);
            for (final TopicPartitionInfo partition : created.partitions())
            {
                assertEquals(3, partition.replicas().size(), partition.toString());
            }

            final Map<Integer, List<String>> acked = produce(cluster.bootstrapServers(), 0);
            awaitTrue(() -> replicasIdentical(cluster, TOPIC, PARTITIONS), "every replica's log is the leader's, byte for byte");

            final int victim = leaderOf(admin, TOPIC, 0);
            cluster.kill9(victim);
            awaitTrue(() -> leaderOf(admin, TOPIC, 0) != victim && leaderOf(admin, TOPIC, 0) >= 0, "partition 0 has a new leader");
            assertNotEquals(victim, leaderOf(admin, TOPIC, 0));

            awaitTrue(() -> isrSizes(admin, STRICT).equals(List.of(2)), "the killed broker left the ISR");
            final KafkaTool.Run underReplicated = KafkaTool.run("kafka-topics", TopicCommand::main, "--bootstrap-server",
                cluster.bootstrapServers(), "--describe", "--under-replicated-partitions", "--topic", STRICT);
            assertEquals(0, underReplicated.status(), underReplicated.err());
            assertTrue(underReplicated.out().contains("Topic: " + STRICT) && underReplicated.out().contains("Partition: 0"),
                "kafka-topics lists the partition that lost a replica: " + underReplicated.out());
            final Exception refused = assertThrows(Exception.class, () -> produceOne(cluster.bootstrapServers(), STRICT));
            assertTrue(hasCause(refused, NotEnoughReplicasException.class), "min.insync.replicas=3 with 2 in sync: " + refused);

            final Map<Integer, List<String>> more = produce(cluster.bootstrapServers(), RECORDS);
            more.forEach((partition, values) -> acked.computeIfAbsent(partition, p -> new ArrayList<>()).addAll(values));
            assertEquals(acked, consumeAll(cluster.bootstrapServers()),
                "every acknowledged record reads back once, in order, after the leader was killed");

            cluster.startNode(victim);
            awaitTrue(() -> replicasIdentical(cluster, TOPIC, PARTITIONS), "the restarted broker catches up to the same logs");
            awaitTrue(() -> isrSizes(admin, TOPIC).equals(List.of(3, 3, 3)) && isrSizes(admin, STRICT).equals(List.of(3)),
                "the restarted broker rejoins every ISR");
            produceOne(cluster.bootstrapServers(), STRICT);

            // Its leaderships moved away when it was killed; kafka-leader-election gives them back (ElectLeaders PREFERRED).
            final KafkaTool.Run election = KafkaTool.run("kafka-leader-election", org.apache.kafka.tools.LeaderElectionCommand::main,
                "--bootstrap-server", cluster.bootstrapServers(), "--election-type", "PREFERRED", "--all-topic-partitions");
            assertEquals(0, election.status(), election.out() + election.err());
            awaitTrue(() -> ReplicatedTopics.ledByPreferredReplicas(admin, TOPIC) && ReplicatedTopics.ledByPreferredReplicas(admin, STRICT),
                "every partition is led by its preferred replica again");
            assertEquals(acked, consumeAll(cluster.bootstrapServers()), "and nothing was lost moving them");
        }
    }

    @Test
    void aFollowerThatFellBehindTheLeadersLogStartStartsAgainThereAndRejoinsTheIsr() throws Exception
    {
        try (ChildCluster cluster = new ChildCluster(root, 3, SETTINGS).start();
            Admin admin = TestClients.admin(cluster.bootstrapServers()))
        {
            admin.createTopics(List.of(new NewTopic("trimmed", 1, (short)3))).all().get(60, TimeUnit.SECONDS);
            final TopicPartitionInfo created = TestClients.describeOnceLed(admin, "trimmed").partitions().get(0);
            final int follower = created.replicas().stream().map(node -> node.id()).filter(id -> id != created.leader().id())
                .findFirst().orElseThrow();
            cluster.kill9(follower);
            try (KafkaProducer<byte[], byte[]> producer = TestClients.producer(cluster.bootstrapServers(), Map.of("acks", "all")))
            {
                final List<Future<RecordMetadata>> sent = new ArrayList<>();
                for (int i = 0; i < 1_000; i++)
                {
                    // 100-byte values: a 16 KiB batch holds some 140 of them, so offset 900 lies well past offset 0's batch.
                    sent.add(producer.send(new ProducerRecord<>("trimmed", 0, null, String.format("%0100d", i).getBytes(StandardCharsets.UTF_8))));
                }
                for (final Future<RecordMetadata> record : sent)
                {
                    record.get(60, TimeUnit.SECONDS);
                }
            }
            final TopicPartition partition = new TopicPartition("trimmed", 0);
            admin.deleteRecords(Map.of(partition, org.apache.kafka.clients.admin.RecordsToDelete.beforeOffset(900))).all()
                .get(30, TimeUnit.SECONDS);

            // The follower that stayed up follows the leader's log start: it deletes below 900 too, and checkpoints it.
            final int stayed = created.replicas().stream().map(node -> node.id())
                .filter(id -> id != created.leader().id() && id != follower).findFirst().orElseThrow();
            awaitTrue(() -> readQuietly(cluster.dataDir(stayed).resolve("log-start-offset-checkpoint")).contains("trimmed 0 900"),
                "the live follower's log starts at the leader's log start, 900");

            cluster.startNode(follower);
            awaitTrue(() -> isrSizes(admin, "trimmed").equals(List.of(3)), "the follower rejoins the ISR");
            final List<Long> bases;
            try (Stream<Path> files = Files.find(cluster.dataDir(follower), 3, (path, attributes) ->
                path.getParent().getFileName().toString().equals("trimmed-0") && path.getFileName().toString().endsWith(".log")))
            {
                bases = files.map(path -> Long.parseLong(path.getFileName().toString().replace(".log", ""))).toList();
            }
            // It starts again at the batch that holds the leader's log start, 900: what lay below went, unfetched.
            assertEquals(1, bases.size(), bases.toString());
            assertTrue(bases.get(0) > 0 && bases.get(0) <= 900, bases.toString());
            // Whichever node leads now (a kill can move leadership) has checkpointed the high watermark.
            awaitTrue(() ->
            {
                final int leader = leaderOf(admin, "trimmed", 0);
                return leader > 0 && readQuietly(cluster.dataDir(leader).resolve("replication-offset-checkpoint")).contains("trimmed 0 1000");
            }, "the leader checkpoints the high watermark of its replicated partition");

            // Whoever leads next serves the same earliest offset: nothing the leader deleted comes back.
            final int oldLeader = leaderOf(admin, "trimmed", 0);
            cluster.stop(oldLeader);
            awaitTrue(() -> leaderOf(admin, "trimmed", 0) > 0 && leaderOf(admin, "trimmed", 0) != oldLeader, "another replica leads");
            assertEquals(900, admin.listOffsets(Map.of(partition, org.apache.kafka.clients.admin.OffsetSpec.earliest())).all()
                .get(30, TimeUnit.SECONDS).get(partition).offset(), "the new leader's earliest offset is the deleted-to offset");
        }
    }

    private static String readQuietly(final Path file)
    {
        try
        {
            return Files.readString(file);
        }
        catch (final IOException ex)
        {
            return "";
        }
    }

    /** One acks=all record, not retried, so that a refusal reaches the caller as itself and not as a delivery timeout. */
    private static void produceOne(final String bootstrap, final String topic) throws Exception
    {
        try (KafkaProducer<byte[], byte[]> producer = TestClients.producer(bootstrap, Map.of("acks", "all", "retries", 0,
            "enable.idempotence", "false", "delivery.timeout.ms", 6_000, "request.timeout.ms", 2_000, "linger.ms", 0)))
        {
            producer.send(new ProducerRecord<>(topic, 0, null, "one".getBytes(StandardCharsets.UTF_8))).get(30, TimeUnit.SECONDS);
        }
    }

    private static boolean hasCause(final Throwable failure, final Class<? extends Throwable> type)
    {
        for (Throwable cause = failure; cause != null; cause = cause.getCause())
        {
            if (type.isInstance(cause))
            {
                return true;
            }
        }
        return false;
    }

    private static Map<Integer, List<String>> produce(final String bootstrap, final int from) throws Exception
    {
        final Map<Integer, List<String>> acked = new HashMap<>();
        int value = from;
        for (final RecordMetadata metadata : ReplicatedTopics.produceNumbered(bootstrap, TOPIC, PARTITIONS, from, RECORDS))
        {
            acked.computeIfAbsent(metadata.partition(), p -> new ArrayList<>()).add(Integer.toString(value++));
        }
        return acked;
    }

    private static Map<Integer, List<String>> consumeAll(final String bootstrap)
    {
        final Map<Integer, List<String>> read = new HashMap<>();
        try (KafkaConsumer<byte[], byte[]> consumer = TestClients.consumer(bootstrap, Map.of()))
        {
            final List<TopicPartition> assigned = new ArrayList<>();
            for (int p = 0; p < PARTITIONS; p++)
            {
                assigned.add(new TopicPartition(TOPIC, p));
            }
            consumer.assign(assigned);
            consumer.seekToBeginning(assigned);
            final long deadline = System.nanoTime() + WAIT.toNanos();
            int count = 0;
            while (count < 2 * RECORDS && System.nanoTime() < deadline)
            {
                for (final ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(200)))
                {
                    read.computeIfAbsent(record.partition(), p -> new ArrayList<>()).add(new String(record.value(), StandardCharsets.UTF_8));
                    count++;
                }
            }
        }
        return read;
    }
}
