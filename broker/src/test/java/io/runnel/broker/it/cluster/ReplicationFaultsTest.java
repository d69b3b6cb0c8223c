package io.runnel.broker.it.cluster;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import io.runnel.broker.testing.ChildCluster;
import io.runnel.broker.testing.RawKafkaClient;
import io.runnel.broker.testing.TestClients;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.message.DescribeQuorumRequestData;
import org.apache.kafka.common.message.DescribeQuorumResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

import static io.runnel.broker.it.cluster.ReplicatedTopics.SETTINGS;
import static io.runnel.broker.it.cluster.ReplicatedTopics.WAIT;
import static io.runnel.broker.it.cluster.ReplicatedTopics.awaitTrue;
import static io.runnel.broker.it.cluster.ReplicatedTopics.leaderOf;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Durability under faults, as Jepsen checks a queue: three brokers in their own JVMs, RF=3,
 * min.insync.replicas=2, an idempotent acks=all producer writing numbered records to every partition
 * while, in turn, a leader's broker is killed (SIGKILL), paused past its session timeout (SIGSTOP)
 * and resumed, and shut down cleanly (SIGTERM), each brought back before the next. Afterwards every
 * acknowledged record reads back exactly once, in the order it was acknowledged per partition.
 */
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class ReplicationFaultsTest
{
    private static final String TOPIC = "jepsen";
    private static final int PARTITIONS = 3;
    /** Records between the producer's flushes: at most this many are in flight. */
    private static final int CHUNK = 1_000;
    /**
     * A chunk takes at least this long (at most 2,000 records a second): the producer must still be
     * writing when the last fault is over, however slowly the faults go by (a producer flat out once
     * reached its count during the last fault, and no acknowledgement could follow).
     */
    private static final long CHUNK_PACE_MS = 500;
    /** The producer stops by itself after 240 s or this many records (more than 240 s of chunks), faults or not. */
    private static final int MAX_RECORDS = 500_000;

    @TempDir(cleanup = CleanupMode.ON_SUCCESS)
    Path root;

    @Test
    void noAcknowledgedRecordIsLostOrDuplicatedThroughKillPauseAndShutdownOfLeaders() throws Exception
    {
        try (ChildCluster cluster = new ChildCluster(root, 3, SETTINGS).start();
            Admin admin = TestClients.admin(cluster.bootstrapServers()))
        {
            admin.createTopics(List.of(new NewTopic(TOPIC, PARTITIONS, (short)3).configs(Map.of("min.insync.replicas", "2"))))
                .all().get(60, TimeUnit.SECONDS);
            final Map<Integer, List<Integer>> acked = new ConcurrentHashMap<>();
            final List<Exception> failures = new CopyOnWriteArrayList<>();
            final AtomicBoolean stop = new AtomicBoolean();
            final AtomicInteger sent = new AtomicInteger();
            final Thread producing = new Thread(() -> produce(cluster.bootstrapServers(), acked, failures, stop, sent), "jepsen-producer");
            producing.start();
            try
            {
                awaitTrue(() -> ackedCount(acked) > 2_000, "the producer is under way");

                final int killed = leaderOf(admin, TOPIC, 0);
                cluster.kill9(killed);
                awaitTrue(() -> leaderOf(admin, TOPIC, 0) >= 0 && leaderOf(admin, TOPIC, 0) != killed, "partition 0 has a new leader after kill -9");
                cluster.startNode(killed);
                awaitFullIsr(admin, "the killed broker is back in every ISR");
                awaitProgress(acked);

                // The active controller's node if it leads a partition: its pause fails the quorum over too, and with
                // sessions this short the election outlasts them (each broker gets a fresh session from the new term).
                final int controller = admin.describeCluster().controller().get(30, TimeUnit.SECONDS).id();
                final int pausedPartition = partitionLedBy(admin, controller);
                final int paused = leaderOf(admin, TOPIC, pausedPartition);
                cluster.pause(paused);
                // Past the session timeout, so it is fenced and replaced, and past Aeron's default 10 s after which a
                // node's own Aeron clients took the frozen time for a dead driver (see PauseTolerance).
                Thread.sleep(15_000);
                cluster.resume(paused);
                awaitTrue(() -> leaderOf(admin, TOPIC, pausedPartition) >= 0 && leaderOf(admin, TOPIC, pausedPartition) != paused,
                    "the paused leader's partition got a new leader");
                awaitFullIsr(admin, "the paused broker is back in every ISR");
                final long committed = admin.describeMetadataQuorum().quorumInfo().get(30, TimeUnit.SECONDS).highWatermark();
                awaitTrue(() -> voterLogEnd(cluster, paused) >= committed,
                    () -> "the paused node's quorum member lives on: it replicates what the quorum committed since (" + committed
                        + "); the quorum now: " + quorumNow(admin));
                awaitProgress(acked);

                final int stopped = leaderOf(admin, TOPIC, 2);
                cluster.stop(stopped);
                awaitTrue(() -> leaderOf(admin, TOPIC, 2) >= 0 && leaderOf(admin, TOPIC, 2) != stopped, "partition 2 has a new leader after SIGTERM");
                cluster.startNode(stopped);
                awaitFullIsr(admin, "the stopped broker is back in every ISR");
                awaitProgress(acked);
            }
            finally
            {
                stop.set(true);
                producing.join(TimeUnit.SECONDS.toMillis(150));
            }
            assertTrue(failures.isEmpty(), "sends that failed: " + failures);

            final Map<Integer, List<Integer>> read = consumeAll(cluster.bootstrapServers(), ackedCount(acked));
            for (int p = 0; p < PARTITIONS; p++)
            {
                final List<Integer> partitionRead = read.getOrDefault(p, List.of());
                assertEquals(partitionRead.size(), partitionRead.stream().distinct().count(), "partition " + p + " has no duplicate");
                assertEquals(acked.getOrDefault(p, List.of()), partitionRead,
                    "partition " + p + " reads back every acknowledged record once, in order (and nothing unacknowledged)");
            }
        }
    }

    /** Numbered records round-robin over the partitions, each acknowledgement noted in order per partition. */
    private static void produce(final String bootstrap, final Map<Integer, List<Integer>> acked, final List<Exception> failures,
        final AtomicBoolean stop, final AtomicInteger sent)
    {
        try (KafkaProducer<byte[], byte[]> producer = TestClients.producer(bootstrap, Map.of("acks", "all", "enable.idempotence", "true",
            "linger.ms", 5, "delivery.timeout.ms", 120_000, "request.timeout.ms", 5_000, "max.block.ms", 60_000)))
        {
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(240);
            long chunkStart = System.nanoTime();
            while (!stop.get() && sent.get() < MAX_RECORDS && System.nanoTime() < deadline)
            {
                final int value = sent.getAndIncrement();
                final int partition = value % PARTITIONS;
                producer.send(new ProducerRecord<>(TOPIC, partition, null, Integer.toString(value).getBytes(StandardCharsets.UTF_8)),
                    (metadata, exception) ->
                    {
                        if (exception != null)
                        {
                            failures.add(exception);
                        }
                        else
                        {
                            acked.computeIfAbsent(partition, p -> Collections.synchronizedList(new ArrayList<>())).add(value);
                        }
                    });
                if (value % CHUNK == CHUNK - 1)
                {
                    // Bounded in flight: the callbacks of the last chunk come first.
                    producer.flush();
                    final long restMs = CHUNK_PACE_MS - TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - chunkStart);
                    if (restMs > 0)
                    {
                        Thread.sleep(restMs);
                    }
                    chunkStart = System.nanoTime();
                }
            }
            producer.flush();
        }
        catch (final Exception ex)
        {
            failures.add(ex);
        }
    }

    /** A partition of the topic led by {@code nodeId}, else any partition with a leader. */
    private static int partitionLedBy(final Admin admin, final int nodeId)
    {
        int any = -1;
        for (int p = 0; p < PARTITIONS; p++)
        {
            final int leader = leaderOf(admin, TOPIC, p);
            if (leader == nodeId)
            {
                return p;
            }
            if (leader >= 0)
            {
                any = p;
            }
        }
        if (any < 0)
        {
            throw new IllegalStateException("no partition of " + TOPIC + " has a leader");
        }
        return any;
    }

    /**
     * Voter {@code nodeId}'s log end as that node itself reports it (its consensus module's commit
     * position); -1 while unknown. Asked of that node over a connection of its own: the AdminClient
     * sends DescribeQuorum to whichever broker it likes, and a follower other than the leader knows
     * nothing of a third voter's progress.
     */
    private static long voterLogEnd(final ChildCluster cluster, final int nodeId)
    {
        try (RawKafkaClient client = RawKafkaClient.connect(cluster.host(nodeId), cluster.brokerPort(nodeId), Duration.ofSeconds(10)))
        {
            final short version = 1;
            final int correlationId = client.send(ApiKeys.DESCRIBE_QUORUM, version, new DescribeQuorumRequestData()
                .setTopics(List.of(new DescribeQuorumRequestData.TopicData().setTopicName("__cluster_metadata")
                    .setPartitions(List.of(new DescribeQuorumRequestData.PartitionData().setPartitionIndex(0))))));
            final DescribeQuorumResponseData response = client.receive(ApiKeys.DESCRIBE_QUORUM, version, correlationId);
            return response.topics().get(0).partitions().get(0).currentVoters().stream()
                .filter(voter -> voter.replicaId() == nodeId).mapToLong(DescribeQuorumResponseData.ReplicaState::logEndOffset)
                .findFirst().orElse(-1);
        }
        catch (final Exception ex)
        {
            return -1;
        }
    }

    /** The quorum as DescribeQuorum shows it, for a failure message. */
    private static String quorumNow(final Admin admin)
    {
        try
        {
            return admin.describeMetadataQuorum().quorumInfo().get(10, TimeUnit.SECONDS).toString();
        }
        catch (final Exception ex)
        {
            return "unknown (" + ex + ")";
        }
    }

    private static int ackedCount(final Map<Integer, List<Integer>> acked)
    {
        return acked.values().stream().mapToInt(List::size).sum();
    }

    /** The producer gets more acknowledgements after a fault: writes resumed. */
    private static void awaitProgress(final Map<Integer, List<Integer>> acked) throws InterruptedException
    {
        final int before = ackedCount(acked);
        awaitTrue(() -> ackedCount(acked) > before + CHUNK, () -> "acknowledgements resume (" + ackedCount(acked) + " acknowledged, "
            + before + " before)");
    }

    private static Map<Integer, List<Integer>> consumeAll(final String bootstrap, final int expected)
    {
        final Map<Integer, List<Integer>> read = new HashMap<>();
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
            int idlePolls = 0;
            while (System.nanoTime() < deadline && (count < expected || idlePolls < 10))
            {
                final var records = consumer.poll(Duration.ofMillis(200));
                idlePolls = records.isEmpty() ? idlePolls + 1 : 0;
                for (final ConsumerRecord<byte[], byte[]> record : records)
                {
                    read.computeIfAbsent(record.partition(), p -> new ArrayList<>())
                        .add(Integer.parseInt(new String(record.value(), StandardCharsets.UTF_8)));
                    count++;
                }
            }
        }
        return read;
    }

    private static void awaitFullIsr(final Admin admin, final String what) throws InterruptedException
    {
        awaitTrue(() ->
        {
            try
            {
                return admin.describeTopics(List.of(TOPIC)).allTopicNames().get(10, TimeUnit.SECONDS).get(TOPIC).partitions().stream()
                    .allMatch(partition -> partition.isr().size() == 3 && partition.leader() != null);
            }
            catch (final Exception ex)
            {
                return false;
            }
        }, what);
    }
}
