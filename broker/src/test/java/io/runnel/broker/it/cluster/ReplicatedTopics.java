package io.runnel.broker.it.cluster;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.StringJoiner;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import java.util.stream.Stream;

import io.runnel.broker.testing.ChildCluster;
import io.runnel.broker.testing.TestClients;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartitionInfo;

import static org.junit.jupiter.api.Assertions.fail;

/**
 * What the replication tests share: the cluster's settings, a topic's leaders and ISRs as the
 * AdminClient reports them, and the replicas' logs compared as files.
 */
final class ReplicatedTopics
{
    /** Replication on, and short sessions and lag limits, so a fault shows within seconds. */
    static final Map<String, String> SETTINGS = Map.of(
        "runnel.replication.enable", "true",
        "replica.lag.time.max.ms", "3000",
        "broker.session.timeout.ms", "3000",
        "broker.heartbeat.interval.ms", "500");
    static final Duration WAIT = Duration.ofSeconds(90);
    /** A RecordBatch header up to and including its last offset delta. */
    private static final int BATCH_HEADER_BYTES = 27;
    /** A failure message lists this many of a log's last batches. */
    private static final int MAX_BATCHES_DESCRIBED = 40;

    private ReplicatedTopics()
    {
    }

    /** The leader's node id, or -1 while there is none or the cluster does not answer. */
    static int leaderOf(final Admin admin, final String topic, final int partition)
    {
        try
        {
            final TopicPartitionInfo info = admin.describeTopics(List.of(topic)).allTopicNames().get(10, TimeUnit.SECONDS)
                .get(topic).partitions().get(partition);
            return info.leader() == null || info.leader().isEmpty() ? -1 : info.leader().id();
        }
        catch (final Exception ex)
        {
            return -1;
        }
    }

    /** Each partition's ISR size, in partition order; empty while the cluster does not answer. */
    static List<Integer> isrSizes(final Admin admin, final String topic)
    {
        try
        {
            return admin.describeTopics(List.of(topic)).allTopicNames().get(10, TimeUnit.SECONDS).get(topic).partitions().stream()
                .map(partition -> partition.isr().size()).toList();
        }
        catch (final Exception ex)
        {
            return List.of();
        }
    }

    /** Whether every partition of the topic is led by its preferred replica (its first); false while the cluster does not answer. */
    static boolean ledByPreferredReplicas(final Admin admin, final String topic)
    {
        try
        {
            return admin.describeTopics(List.of(topic)).allTopicNames().get(10, TimeUnit.SECONDS).get(topic).partitions().stream()
                .allMatch(p -> p.leader() != null && p.leader().id() == p.replicas().get(0).id());
        }
        catch (final Exception ex)
        {
            return false;
        }
    }

    static void awaitTrue(final BooleanSupplier condition, final String what) throws InterruptedException
    {
        awaitTrue(condition, () -> what);
    }

    /** As {@link #awaitTrue(BooleanSupplier, String)}, {@code what} asked for only on a timeout (to say how things stand then). */
    static void awaitTrue(final BooleanSupplier condition, final Supplier<String> what) throws InterruptedException
    {
        final long deadline = System.nanoTime() + WAIT.toNanos();
        while (!condition.getAsBoolean())
        {
            if (System.nanoTime() > deadline)
            {
                fail("timed out waiting until " + what.get());
            }
            Thread.sleep(100);
        }
    }

    /**
     * Each partition's segment files hold the same bytes on every node, so the same batches (read as
     * files; the page cache has what the brokers wrote), and none is empty.
     */
    static boolean replicasIdentical(final ChildCluster cluster, final String topic, final int partitions)
    {
        try
        {
            for (int p = 0; p < partitions; p++)
            {
                byte[] first = null;
                for (int node = 1; node <= cluster.size(); node++)
                {
                    final byte[] log = logBytes(cluster.dataDir(node), topic, p);
                    if (first == null)
                    {
                        first = log;
                    }
                    else if (!Arrays.equals(first, log))
                    {
                        return false;
                    }
                }
                if (first.length == 0)
                {
                    return false;
                }
            }
            return true;
        }
        catch (final IOException ex)
        {
            return false;
        }
    }

    /** Each node's batches of each partition, as baseOffset-lastOffset@leaderEpoch: where replicas differ, for a failure message. */
    static String describeReplicas(final ChildCluster cluster, final String topic, final int partitions)
    {
        final StringJoiner joiner = new StringJoiner("\n");
        for (int p = 0; p < partitions; p++)
        {
            for (int node = 1; node <= cluster.size(); node++)
            {
                String batches;
                try
                {
                    batches = batches(logBytes(cluster.dataDir(node), topic, p));
                }
                catch (final IOException ex)
                {
                    batches = ex.toString();
                }
                joiner.add(topic + "-" + p + " on node " + node + ": " + batches);
            }
        }
        return joiner.toString();
    }

    /**
     * Whether {@code follower}'s log of the partition holds the same batches as {@code leader}'s, byte
     * for byte, from the follower's first batch to the end: the whole log when both start at the same
     * offset, the leader's tail when the follower started at the leader's log start. False while either
     * has none, or while they differ.
     */
    static boolean sameTail(final ChildCluster cluster, final String topic, final int partition, final int leader, final int follower)
    {
        try
        {
            final byte[] led = logBytes(cluster.dataDir(leader), topic, partition);
            final byte[] followed = logBytes(cluster.dataDir(follower), topic, partition);
            return followed.length > 0 && led.length >= followed.length
                && Arrays.equals(led, led.length - followed.length, led.length, followed, 0, followed.length);
        }
        catch (final IOException ex)
        {
            return false;
        }
    }

    /** Whether node {@code nodeId} has a live directory of the partition (one being deleted, renamed away, does not count). */
    static boolean hasPartitionDirectory(final ChildCluster cluster, final int nodeId, final String topic, final int partition)
        throws IOException
    {
        try (Stream<Path> found = Files.find(cluster.dataDir(nodeId), 3, (path, attributes) -> attributes.isDirectory()
            && path.getFileName().toString().equals(topic + "-" + partition)))
        {
            return found.findAny().isPresent();
        }
    }

    /** Every segment of one partition on one node, concatenated in offset order. */
    private static byte[] logBytes(final Path nodeDir, final String topic, final int partition) throws IOException
    {
        final List<Path> partitionDirs;
        try (Stream<Path> found = Files.find(nodeDir, 3, (path, attributes) -> attributes.isDirectory()
            && path.getFileName().toString().equals(topic + "-" + partition)))
        {
            partitionDirs = found.toList();
        }
        if (partitionDirs.size() != 1)
        {
            throw new IOException("no single directory of " + topic + "-" + partition + " under " + nodeDir + ": " + partitionDirs);
        }
        final List<Path> segments;
        try (Stream<Path> files = Files.list(partitionDirs.get(0)))
        {
            segments = files.filter(path -> path.getFileName().toString().endsWith(".log")).sorted().toList();
        }
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        for (final Path segment : segments)
        {
            bytes.write(Files.readAllBytes(segment));
        }
        return trimPreallocated(bytes.toByteArray());
    }

    /** Preallocated segments end in zeros past their last batch: they do not count. */
    private static byte[] trimPreallocated(final byte[] bytes)
    {
        int end = bytes.length;
        while (end > 0 && bytes[end - 1] == 0)
        {
            end--;
        }
        return Arrays.copyOf(bytes, end);
    }

    /** A log's last batches, by the RecordBatch header: base offset (8 bytes), length (4), partition leader epoch (4), ..., last offset delta at 23. */
    private static String batches(final byte[] log)
    {
        final ByteBuffer buffer = ByteBuffer.wrap(log);
        final List<String> all = new ArrayList<>();
        String torn = "";
        while (buffer.remaining() >= BATCH_HEADER_BYTES)
        {
            final int start = buffer.position();
            final long baseOffset = buffer.getLong(start);
            final int length = buffer.getInt(start + 8);
            final int epoch = buffer.getInt(start + 12);
            final int lastOffsetDelta = buffer.getInt(start + 23);
            if (length <= 0 || start + 12 + length > log.length)
            {
                torn = " (torn at byte " + start + ")";
                break;
            }
            all.add(baseOffset + "-" + (baseOffset + lastOffsetDelta) + "@" + epoch);
            buffer.position(start + 12 + length);
        }
        final List<String> last = all.subList(Math.max(0, all.size() - MAX_BATCHES_DESCRIBED), all.size());
        return all.size() + " batches, " + log.length + " bytes, the last " + String.join(" ", last) + torn;
    }

    /**
     * Records numbered {@code from} to {@code from + count - 1} (the number as the value), round robin over
     * {@code partitions} partitions of {@code topic}, idempotent and acks=all; their acknowledgements, in send order.
     */
    static List<RecordMetadata> produceNumbered(final String bootstrap, final String topic, final int partitions, final int from,
        final int count) throws Exception
    {
        try (KafkaProducer<byte[], byte[]> producer = TestClients.producer(bootstrap,
            Map.of("acks", "all", "enable.idempotence", "true", "linger.ms", 5, "delivery.timeout.ms", 60_000)))
        {
            final List<Future<RecordMetadata>> sent = new ArrayList<>();
            for (int i = from; i < from + count; i++)
            {
                sent.add(producer.send(new ProducerRecord<>(topic, i % partitions, null, Integer.toString(i).getBytes(StandardCharsets.UTF_8))));
            }
            final List<RecordMetadata> acked = new ArrayList<>();
            for (final Future<RecordMetadata> one : sent)
            {
                acked.add(one.get(60, TimeUnit.SECONDS));
            }
            return acked;
        }
    }
}
