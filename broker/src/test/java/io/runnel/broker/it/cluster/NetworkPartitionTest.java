package io.runnel.broker.it.cluster;

import java.io.IOException;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
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
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import io.runnel.broker.testing.ChildCluster;
import io.runnel.broker.testing.NetworkNamespaces;
import io.runnel.broker.testing.RawKafkaClient;
import io.runnel.broker.testing.TestClients;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.message.MetadataRequestData;
import org.apache.kafka.common.message.MetadataResponseData;
import org.apache.kafka.common.message.ProduceRequestData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.SimpleRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

import static io.runnel.broker.it.cluster.ReplicatedTopics.SETTINGS;
import static io.runnel.broker.it.cluster.ReplicatedTopics.WAIT;
import static io.runnel.broker.it.cluster.ReplicatedTopics.awaitTrue;
import static io.runnel.broker.it.cluster.ReplicatedTopics.describeReplicas;
import static io.runnel.broker.it.cluster.ReplicatedTopics.replicasIdentical;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Issue 12's network cut between nodes. Three brokers, each in a network namespace of its own with an
 * address of its own, so that the network between them can be cut while the test's clients (in the
 * root namespace) still reach all three; RF=3, min.insync.replicas=2, an idempotent acks=all producer
 * writing numbered records to every partition. The leader of a partition is cut off from the other
 * two brokers. It cannot reach the quorum, so it keeps its stale metadata and at first still takes
 * produce requests, but acknowledges none: every acks=all write sent straight to it fails or times
 * out. Once the quorum has answered none of its heartbeats for a session timeout it refuses writes
 * with NOT_LEADER_OR_FOLLOWER, so that clients look for the new leader (a timeout does not make
 * them). The majority fences it, elects new leaders, and acknowledges what the producer sends meanwhile.
 * After the network heals the cut broker drops what only it had, catches up and rejoins every ISR;
 * every acknowledged record reads back exactly once, in order, and the replicas' logs are the same
 * batch for batch.
 */
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class NetworkPartitionTest
{
    private static final String TOPIC = "partitioned";
    private static final int PARTITIONS = 3;
    private static final int NODES = 3;
    /** The producer stops by itself after this many records, whatever happens. */
    private static final int MAX_RECORDS = 400_000;
    /** Sends between two flushes: at most this many records in flight. */
    private static final int CHUNK = 1_000;
    /**
     * The producer paces itself to a chunk per this many ms, so that it cannot run out of records
     * before the test is done with it on a fast machine; it is slower than that on a loaded one.
     */
    private static final long CHUNK_PACE_MS = 100;
    /** Acknowledgements each of the cut broker's partitions gets from its new leader during the cut. */
    private static final int ACKS_DURING_CUT = 500;
    private static final int PROBES = 2;
    /** What a probe asks the broker to wait for its replicas before it answers REQUEST_TIMED_OUT. */
    private static final int PROBE_TIMEOUT_MS = 2_000;
    /** What a broker logs when the quorum has not answered its heartbeats for a session timeout (ClusterMember). */
    private static final String CONTACT_LOST = "has answered no heartbeat for";
    /** What a broker logs when its session with the metadata quorum ends (ClusterMember). */
    private static final String SESSION_LOST = "session with the quorum lost";
    private static final short METADATA_VERSION = 12;
    private static final short PRODUCE_VERSION = 11;

    private static NetworkNamespaces network;

    @TempDir(cleanup = CleanupMode.ON_SUCCESS)
    Path root;

    private final long startNs = System.nanoTime();

    @BeforeAll
    static void makeNetwork() throws IOException
    {
        final String unavailable = NetworkNamespaces.unavailableReason();
        assumeTrue(unavailable == null, () -> "skipped, this test needs network namespaces: " + unavailable);
        network = NetworkNamespaces.create(NODES);
    }

    @AfterAll
    static void deleteNetwork()
    {
        if (network != null)
        {
            network.close();
        }
    }

    @Test
    void aLeaderCutOffFromTheOtherBrokersAcknowledgesNothingAndRejoinsWithTheMajoritysLog() throws Exception
    {
        try (ChildCluster cluster = new ChildCluster(root, NODES, SETTINGS, network::placement).start();
            Admin admin = TestClients.admin(cluster.bootstrapServers()))
        {
            admin.createTopics(List.of(new NewTopic(TOPIC, PARTITIONS, (short)3).configs(Map.of("min.insync.replicas", "2"))))
                .all().get(60, TimeUnit.SECONDS);
            awaitTrue(() -> agreedAndFull(cluster), () -> "every node has every partition with a leader and a full ISR: " + views(cluster));
            note("cluster up in namespaces " + network.namespace(1) + ".." + NODES + ", topic created, every ISR full");
            final Writer writer = new Writer(cluster.bootstrapServers());
            final Thread producing = new Thread(writer, "cut-producer");
            producing.start();
            final Cut cut;
            try
            {
                awaitTrue(() -> writer.ackedCount() > 2_000, "the producer is under way");
                cut = cutOffALeader(cluster, admin, writer);
                heal(cluster, writer, cut.node());
            }
            finally
            {
                writer.stop();
                producing.join(TimeUnit.SECONDS.toMillis(150));
            }
            assertFalse(producing.isAlive(), "the producer stopped");
            note("producer stopped; " + writer.summary());
            assertTrue(writer.failures.isEmpty(), "sends that failed: " + writer.failures);
            for (final String answer : cut.probeAnswers())
            {
                assertNotEquals(Errors.NONE.name(), answer, "node " + cut.node() + ", cut off, acknowledged an acks=all write: " + cut.probeAnswers());
            }

            final Map<Integer, List<ReadBack>> read = consumeAll(cluster.bootstrapServers(), writer.ackedCount());
            assertEveryAcknowledgedRecordReadsBackOnceInOrder(read, writer);
            assertWhatWasAcknowledgedDuringTheCutCameFromTheMajority(read, writer, cut);
            awaitTrue(() -> replicasIdentical(cluster, TOPIC, PARTITIONS),
                () -> "every replica's log is the same, batch for batch:\n" + describeReplicas(cluster, TOPIC, PARTITIONS));
            note("read back and compared; the replicas' logs:\n" + describeReplicas(cluster, TOPIC, PARTITIONS));
        }
    }

    /** The node cut off, the leader epoch of each partition it led then, and what its probes were answered. */
    private record Cut(int node, Map<Integer, Integer> epochs, List<String> probeAnswers)
    {
    }

    /**
     * Cuts a partition leader off from the other brokers, until the majority has replaced it and
     * acknowledges writes, the cut broker has been probed with acks=all writes of its own, and its
     * quorum session has ended.
     */
    private Cut cutOffALeader(final ChildCluster cluster, final Admin admin, final Writer writer) throws Exception
    {
        // Not the active controller's node: a controller failover can fence every broker at once when sessions are
        // this short (an issue-11 defect, see cluster/README.md), which is not what this test is about.
        final int controller = admin.describeCluster().controller().get(30, TimeUnit.SECONDS).id();
        final Map<Integer, PartitionView> before = viewOf(cluster, controller);
        final int cut = before.values().stream().mapToInt(PartitionView::leader).filter(leader -> leader != controller).findFirst()
            .orElseThrow(() -> new AssertionError("the controller " + controller + " leads every partition: " + before));
        final Map<Integer, Integer> epochs = new HashMap<>();
        before.forEach((partition, view) ->
        {
            if (view.leader() == cut)
            {
                epochs.put(partition, view.leaderEpoch());
            }
        });

        final int sessionsLost = count(cluster.node(cut).output(), SESSION_LOST);
        writer.hold();
        network.isolate(cut);
        writer.release(Phase.CUT);
        note("node " + cut + " cut off from the others; it led " + epochs + " (partition=leader epoch); " + writer.summary());
        final int witness = cut % NODES + 1;
        awaitTrue(() -> newLeaders(viewOf(cluster, witness), cut, epochs),
            () -> "the majority elects new leaders for node " + cut + "'s partitions " + epochs.keySet() + ": " + views(cluster));
        note("the majority elected new leaders:" + views(cluster));
        awaitTrue(() -> epochs.keySet().stream().allMatch(p -> writer.acked(p, Phase.CUT).size() >= ACKS_DURING_CUT),
            () -> "the new leaders acknowledge writes during the cut: " + writer.summary());
        note("the new leaders acknowledge writes; " + writer.summary());

        // The cut broker cannot hear that it was replaced, so it still takes itself for the leader: these reach a
        // leader's produce path, which appends them and must not acknowledge them.
        final List<String> probeAnswers = new ArrayList<>();
        for (final int partition : epochs.keySet())
        {
            for (int i = 0; i < PROBES; i++)
            {
                probeAnswers.add(probe(cluster, cut, partition, probeAnswers.size()));
            }
        }
        // Cut off for longer than a session timeout, it knows it has been fenced, and refuses writes rather than time them out.
        awaitTrue(() -> count(cluster.node(cut).output(), CONTACT_LOST) > 0,
            () -> "node " + cut + " notices the quorum answers no heartbeat (its log says '" + CONTACT_LOST + "'): "
                + cluster.node(cut).outputTail(20));
        final int anyPartition = epochs.keySet().iterator().next();
        final String afterContactLost = probe(cluster, cut, anyPartition, probeAnswers.size());
        probeAnswers.add(afterContactLost);
        assertEquals(Errors.NOT_LEADER_OR_FOLLOWER.name(), afterContactLost,
            "node " + cut + ", fenced by now, refuses writes so that clients look for the new leader");
        // Long enough that the cut broker's quorum session has ended too (Aeron's 10 s liveness timeout), so that
        // after the heal it always comes back the same way: a new session, the whole image, registered again.
        awaitTrue(() -> count(cluster.node(cut).output(), SESSION_LOST) > sessionsLost,
            () -> "node " + cut + " loses its quorum session (its log says '" + SESSION_LOST + "'): " + cluster.node(cut).outputTail(20));
        note("probes of node " + cut + " answered " + probeAnswers + ", it says " + viewOf(cluster, cut) + ", and it lost its quorum session; "
            + writer.summary());
        return new Cut(cut, Map.copyOf(epochs), List.copyOf(probeAnswers));
    }

    /** Heals the network and waits until the cut node is back in every ISR, every node agrees, and writes go on. */
    private void heal(final ChildCluster cluster, final Writer writer, final int cut) throws Exception
    {
        writer.hold();
        network.heal();
        writer.release(Phase.HEALED);
        note("network healed; " + writer.summary());
        awaitTrue(() -> agreedAndFull(cluster), () -> "node " + cut + " is back in every ISR, and every node says so: " + views(cluster));
        note("node " + cut + " is back in every ISR:" + views(cluster));
        final int healed = writer.ackedCount();
        awaitTrue(() -> writer.ackedCount() > healed + 2_000, () -> "writes go on after the heal: " + writer.summary());
    }

    private static void assertEveryAcknowledgedRecordReadsBackOnceInOrder(final Map<Integer, List<ReadBack>> read, final Writer writer)
    {
        for (int p = 0; p < PARTITIONS; p++)
        {
            final List<ReadBack> partitionRead = read.getOrDefault(p, List.of());
            assertTrue(partitionRead.stream().noneMatch(ReadBack::isProbe),
                "what only the cut broker had is gone from partition " + p + ": " + partitionRead.stream().filter(ReadBack::isProbe).toList());
            final List<Integer> values = partitionRead.stream().map(ReadBack::number).toList();
            assertEquals(values.size(), values.stream().distinct().count(), "partition " + p + " has no duplicate");
            assertEquals(writer.ackedValues(p), values,
                "partition " + p + " reads back every acknowledged record once, in order (and nothing unacknowledged)");
        }
    }

    /**
     * The cut broker never learnt a leader epoch above the one it had (it could not reach the quorum),
     * so a batch stamped with a higher one was appended, and acknowledged, by a leader the majority
     * elected; the producer was drained before the cut, so every acknowledgement during it is of a
     * record sent during it.
     */
    private static void assertWhatWasAcknowledgedDuringTheCutCameFromTheMajority(final Map<Integer, List<ReadBack>> read, final Writer writer,
        final Cut cut)
    {
        cut.epochs().forEach((partition, epochAtCut) ->
        {
            final Map<Integer, Integer> epochOf = new HashMap<>();
            read.getOrDefault(partition, List.of()).forEach(record -> epochOf.put(record.number(), record.leaderEpoch()));
            final List<Ack> duringCut = writer.acked(partition, Phase.CUT);
            assertFalse(duringCut.isEmpty(), "partition " + partition + " had acknowledgements during the cut");
            for (final Ack ack : duringCut)
            {
                final Integer epoch = epochOf.get(ack.value());
                if (epoch == null || epoch <= epochAtCut)
                {
                    fail("record " + ack.value() + " of partition " + partition + ", acknowledged during the cut, reads back with leader epoch "
                        + epoch + ", not above the cut broker's " + epochAtCut + ": the minority acknowledged it");
                }
            }
        });
    }

    private static int count(final String text, final String what)
    {
        int count = 0;
        for (int at = text.indexOf(what); at >= 0; at = text.indexOf(what, at + what.length()))
        {
            count++;
        }
        return count;
    }

    /** A line in the test's output (Surefire keeps it), so that a failure in CI comes with how the run went. */
    private void note(final String what)
    {
        System.out.printf("[NetworkPartitionTest +%.1fs] %s%n", (System.nanoTime() - startNs) / 1e9, what);
    }

    /** Every node answers Metadata with the same leader, leader epoch and a full ISR for every partition. */
    private static boolean agreedAndFull(final ChildCluster cluster)
    {
        final Map<Integer, PartitionView> first = viewOf(cluster, 1);
        if (first.size() != PARTITIONS || first.values().stream().anyMatch(view -> view.leader() < 0 || view.isr().size() != NODES))
        {
            return false;
        }
        for (int node = 2; node <= cluster.size(); node++)
        {
            if (!viewOf(cluster, node).equals(first))
            {
                return false;
            }
        }
        return true;
    }

    /** Each partition {@code cut} led has, in {@code view}, another leader at a higher epoch. */
    private static boolean newLeaders(final Map<Integer, PartitionView> view, final int cut, final Map<Integer, Integer> epochsAtCut)
    {
        return epochsAtCut.entrySet().stream().allMatch(entry ->
        {
            final PartitionView partition = view.get(entry.getKey());
            return partition != null && partition.leader() >= 0 && partition.leader() != cut && partition.leaderEpoch() > entry.getValue();
        });
    }

    /** A partition as one node's Metadata answer has it. */
    private record PartitionView(int leader, int leaderEpoch, List<Integer> isr)
    {
    }

    /**
     * The topic's partitions as node {@code nodeId} itself answers Metadata (a client would ask any
     * node, and a cut-off one answers from stale metadata); empty while it does not answer.
     */
    private static Map<Integer, PartitionView> viewOf(final ChildCluster cluster, final int nodeId)
    {
        try (RawKafkaClient client = RawKafkaClient.connect(cluster.host(nodeId), cluster.brokerPort(nodeId), Duration.ofSeconds(5)))
        {
            final MetadataResponseData response = client.request(ApiKeys.METADATA, METADATA_VERSION, new MetadataRequestData()
                .setTopics(List.of(new MetadataRequestData.MetadataRequestTopic().setName(TOPIC))).setAllowAutoTopicCreation(false));
            final MetadataResponseData.MetadataResponseTopic topic = response.topics().find(TOPIC);
            if (topic == null || topic.errorCode() != Errors.NONE.code())
            {
                return Map.of();
            }
            final Map<Integer, PartitionView> views = new HashMap<>();
            for (final MetadataResponseData.MetadataResponsePartition partition : topic.partitions())
            {
                views.put(partition.partitionIndex(), new PartitionView(partition.leaderId(), partition.leaderEpoch(),
                    partition.isrNodes().stream().sorted().toList()));
            }
            return views;
        }
        catch (final IOException | RuntimeException ex)
        {
            return Map.of();
        }
    }

    private static String views(final ChildCluster cluster)
    {
        final StringBuilder all = new StringBuilder();
        for (int node = 1; node <= cluster.size(); node++)
        {
            all.append("\n  node ").append(node).append(" says ").append(viewOf(cluster, node));
        }
        return all.toString();
    }

    /**
     * One acks=all record sent straight to node {@code nodeId}, not through a client that would retry
     * elsewhere: the error it was answered with, or what kept it from an answer.
     */
    private static String probe(final ChildCluster cluster, final int nodeId, final int partition, final int n)
    {
        final ByteBuffer records = MemoryRecords.withRecords(Compression.NONE,
            new SimpleRecord(("probe-" + n).getBytes(StandardCharsets.UTF_8))).buffer();
        final ProduceRequestData request = RawKafkaClient.produceRequest((short)-1, TOPIC, partition, records).setTimeoutMs(PROBE_TIMEOUT_MS);
        // Read long past the produce timeout: a broker that answers late still answers here.
        try (RawKafkaClient client = RawKafkaClient.connect(cluster.host(nodeId), cluster.brokerPort(nodeId),
            Duration.ofMillis(5L * PROBE_TIMEOUT_MS)))
        {
            return Errors.forCode(RawKafkaClient.onlyPartition(client.produce(PRODUCE_VERSION, request)).errorCode()).name();
        }
        catch (final SocketTimeoutException ex)
        {
            return "no answer";
        }
        catch (final IOException ex)
        {
            return "failed: " + ex;
        }
    }

    private static Map<Integer, List<ReadBack>> consumeAll(final String bootstrap, final int expected)
    {
        final Map<Integer, List<ReadBack>> read = new HashMap<>();
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
                        .add(new ReadBack(new String(record.value(), StandardCharsets.UTF_8), record.leaderEpoch().orElse(-1)));
                    count++;
                }
            }
        }
        return read;
    }

    /** A record read back: its value and the leader epoch of its batch, the epoch of the leader that appended it. */
    private record ReadBack(String value, int leaderEpoch)
    {
        boolean isProbe()
        {
            return value.startsWith("probe-");
        }

        int number()
        {
            return isProbe() ? -1 : Integer.parseInt(value);
        }
    }

    /** Which network the producer's acknowledgements came in. */
    private enum Phase
    {
        BEFORE, CUT, HEALED
    }

    private record Ack(int value, Phase phase)
    {
    }

    /**
     * The idempotent acks=all producer: numbered records round-robin over the partitions, each
     * acknowledgement noted in order per partition with the phase it came in. {@link #hold} drains
     * it, so a change to the network starts with nothing in flight and every acknowledgement after
     * {@link #release} is of a record sent after the change.
     */
    private static final class Writer implements Runnable
    {
        private final String bootstrap;
        private final Map<Integer, List<Ack>> acked = new ConcurrentHashMap<>();
        private final List<Exception> failures = new CopyOnWriteArrayList<>();
        private final AtomicBoolean stop = new AtomicBoolean();
        private volatile Phase phase = Phase.BEFORE;
        private volatile Gate gate;

        /** A hold: the producer says when it has drained, and waits to be let go. */
        private static final class Gate
        {
            final CountDownLatch drained = new CountDownLatch(1);
            final CountDownLatch released = new CountDownLatch(1);
        }

        Writer(final String bootstrap)
        {
            this.bootstrap = bootstrap;
        }

        @Override
        public void run()
        {
            try (KafkaProducer<byte[], byte[]> producer = TestClients.producer(bootstrap, Map.of("acks", "all", "enable.idempotence", "true",
                "linger.ms", 5, "delivery.timeout.ms", 120_000, "request.timeout.ms", 5_000, "max.block.ms", 60_000)))
            {
                final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(240);
                int value = 0;
                long chunkStart = System.nanoTime();
                while (!stop.get() && value < MAX_RECORDS && System.nanoTime() < deadline)
                {
                    final Gate held = gate;
                    if (held != null)
                    {
                        producer.flush();
                        held.drained.countDown();
                        held.released.await(WAIT.toMillis(), TimeUnit.MILLISECONDS);
                        continue;
                    }
                    send(producer, value++);
                    if (value % CHUNK == 0)
                    {
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

        private void send(final KafkaProducer<byte[], byte[]> producer, final int value)
        {
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
                        acked.computeIfAbsent(partition, p -> Collections.synchronizedList(new ArrayList<>())).add(new Ack(value, phase));
                    }
                });
        }

        /** Stops sending and returns once every record sent so far is acknowledged or failed. */
        void hold() throws InterruptedException
        {
            final Gate held = new Gate();
            gate = held;
            if (!held.drained.await(WAIT.toMillis(), TimeUnit.MILLISECONDS))
            {
                fail("the producer did not drain: " + summary());
            }
        }

        /** Sends again, what is acknowledged from now on counted in {@code next}. */
        void release(final Phase next)
        {
            final Gate held = gate;
            phase = next;
            gate = null;
            held.released.countDown();
        }

        void stop()
        {
            stop.set(true);
            final Gate held = gate;
            if (held != null)
            {
                held.released.countDown();
            }
        }

        int ackedCount()
        {
            return acked.values().stream().mapToInt(List::size).sum();
        }

        List<Ack> acked(final int partition, final Phase in)
        {
            final List<Ack> all = acked.getOrDefault(partition, List.of());
            synchronized (all)
            {
                return all.stream().filter(ack -> ack.phase() == in).toList();
            }
        }

        List<Integer> ackedValues(final int partition)
        {
            final List<Ack> all = acked.getOrDefault(partition, List.of());
            synchronized (all)
            {
                return all.stream().map(Ack::value).toList();
            }
        }

        String summary()
        {
            final StringBuilder summary = new StringBuilder("acknowledged");
            for (int p = 0; p < PARTITIONS; p++)
            {
                summary.append(" p").append(p).append(':');
                for (final Phase in : Phase.values())
                {
                    summary.append(' ').append(in).append('=').append(acked(p, in).size());
                }
            }
            return summary.append(", failures ").append(failures.size()).toString();
        }
    }
}
