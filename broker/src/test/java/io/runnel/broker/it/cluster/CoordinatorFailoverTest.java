package io.runnel.broker.it.cluster;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import io.runnel.broker.testing.ChildCluster;
import io.runnel.broker.testing.TestClients;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.RetriableException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

import static io.runnel.broker.it.cluster.ReplicatedTopics.awaitTrue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Group coordination follows the leaders of {@code __consumer_offsets}, replicated three times:
 * two consumer groups (the classic protocol and KIP-848's) consume a topic, committing after every
 * poll, while their coordinator's broker is killed (SIGKILL) and later another coordinator is shut
 * down (SIGTERM). The groups keep consuming through both, every record is consumed, the final
 * commits are the log ends, and no committed offset is ever seen to go backwards. The leader balance
 * (checked every 5 s here) moves leaderships, coordinators' too, back to the returned brokers on the
 * way: afterwards every partition is led by its preferred replica again.
 */
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class CoordinatorFailoverTest
{
    private static final String TOPIC = "orders";
    private static final int PARTITIONS = 3;
    private static final int RECORDS = 24_000;
    private static final List<String> GROUPS = List.of("classic-group", "consumer-group");
    private static final Duration CONSUME_LIMIT = Duration.ofSeconds(200);

    @TempDir(cleanup = CleanupMode.ON_SUCCESS)
    Path root;

    @Test
    void groupsKeepConsumingAndCommittedOffsetsNeverGoBackThroughCoordinatorKillAndShutdown() throws Exception
    {
        final Map<String, String> settings = new HashMap<>(ReplicatedTopics.SETTINGS);
        settings.put("group.initial.rebalance.delay.ms", "0");
        settings.put("leader.imbalance.check.interval.seconds", "5");
        // The end asks for every partition on its preferred replica. Kafka's default of 10% leaves a broker alone while
        // fewer than a tenth of its preferred partitions are led elsewhere: in one CI run 1 of its 18 stayed with another
        // leader (its preferred replica rejoined the ISR just after a balance pass moved the other 17) and the wait timed out.
        settings.put("leader.imbalance.per.broker.percentage", "0");
        try (ChildCluster cluster = new ChildCluster(root, 3, settings).start();
            Admin admin = TestClients.admin(cluster.bootstrapServers()))
        {
            admin.createTopics(List.of(new NewTopic(TOPIC, PARTITIONS, (short)3).configs(Map.of("min.insync.replicas", "2"))))
                .all().get(60, TimeUnit.SECONDS);
            produce(cluster.bootstrapServers());

            final AtomicBoolean stop = new AtomicBoolean();
            final List<Throwable> failures = new CopyOnWriteArrayList<>();
            final Map<String, Set<Integer>> consumed = new ConcurrentHashMap<>();
            final List<Thread> threads = new ArrayList<>();
            for (final String group : GROUPS)
            {
                consumed.put(group, ConcurrentHashMap.newKeySet());
                threads.add(start("consume-" + group, () -> consume(cluster.bootstrapServers(), group, consumed.get(group), stop), failures));
            }
            final CommitWatch watch = new CommitWatch(cluster.bootstrapServers());
            threads.add(start("commit-watch", () -> watch.run(stop), failures));
            try
            {
                awaitTrue(() -> GROUPS.stream().allMatch(g -> consumed.get(g).size() > 2_000), "both groups are consuming");

                final int killed = coordinatorOf(admin, GROUPS.get(0));
                cluster.kill9(killed);
                awaitTrue(() -> coordinatorOf(admin, GROUPS.get(0)) > 0 && coordinatorOf(admin, GROUPS.get(0)) != killed,
                    "the classic group has a new coordinator after kill -9 of " + killed);
                awaitMoreConsumed(consumed);
                cluster.startNode(killed);

                final int stopped = coordinatorOf(admin, GROUPS.get(1));
                cluster.stop(stopped);
                awaitTrue(() -> coordinatorOf(admin, GROUPS.get(1)) > 0 && coordinatorOf(admin, GROUPS.get(1)) != stopped,
                    "the KIP-848 group has a new coordinator after SIGTERM of " + stopped);
                awaitMoreConsumed(consumed);
                cluster.startNode(stopped);

                // The members run on until everything is consumed and committed, as applications would.
                final long deadline = System.nanoTime() + CONSUME_LIMIT.toNanos();
                while (!GROUPS.stream().allMatch(g -> consumed.get(g).size() == RECORDS && committedToTheEnd(admin, g))
                    && System.nanoTime() < deadline)
                {
                    Thread.sleep(200);
                }
            }
            finally
            {
                stop.set(true);
                for (final Thread thread : threads)
                {
                    thread.join(TimeUnit.SECONDS.toMillis(60));
                }
            }
            assertTrue(failures.isEmpty(), "consumers or the watch failed: " + failures);
            for (final String group : GROUPS)
            {
                assertEquals(RECORDS, consumed.get(group).size(), group + " consumed every record");
                final Map<TopicPartition, OffsetAndMetadata> committed =
                    admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get(30, TimeUnit.SECONDS);
                for (int p = 0; p < PARTITIONS; p++)
                {
                    assertEquals(RECORDS / PARTITIONS, committed.get(new TopicPartition(TOPIC, p)).offset(),
                        group + " committed the end of partition " + p);
                }
            }
            awaitTrue(() -> ReplicatedTopics.ledByPreferredReplicas(admin, TOPIC) && ReplicatedTopics.ledByPreferredReplicas(admin, "__consumer_offsets"),
                "the leader balance gave every partition back to its preferred replica");
            assertTrue(watch.observations > 0, "the watch saw commits");
            assertTrue(watch.backwards.isEmpty(), "committed offsets that went backwards: " + watch.backwards);
        }
    }

    private static boolean committedToTheEnd(final Admin admin, final String group)
    {
        try
        {
            final Map<TopicPartition, OffsetAndMetadata> committed =
                admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get(5, TimeUnit.SECONDS);
            for (int p = 0; p < PARTITIONS; p++)
            {
                final OffsetAndMetadata offset = committed.get(new TopicPartition(TOPIC, p));
                if (offset == null || offset.offset() != RECORDS / PARTITIONS)
                {
                    return false;
                }
            }
            return true;
        }
        catch (final Exception ex)
        {
            return false;
        }
    }

    private static Thread start(final String name, final ThrowingRunnable body, final List<Throwable> failures)
    {
        final Thread thread = new Thread(() ->
        {
            try
            {
                body.run();
            }
            catch (final Throwable ex)
            {
                failures.add(ex);
            }
        }, name);
        thread.start();
        return thread;
    }

    private interface ThrowingRunnable
    {
        void run() throws Exception;
    }

    private static void produce(final String bootstrap) throws Exception
    {
        try (KafkaProducer<byte[], byte[]> producer = TestClients.producer(bootstrap, Map.of("acks", "all", "linger.ms", 5)))
        {
            for (int value = 0; value < RECORDS; value++)
            {
                producer.send(new ProducerRecord<>(TOPIC, value % PARTITIONS, null, Integer.toString(value).getBytes(StandardCharsets.UTF_8)));
            }
            producer.flush();
        }
    }

    /**
     * One member of {@code group}, slowed to ~1,000 records a second so the faults land mid-stream;
     * commits synchronously after every poll. A commit that fails over a coordinator move is
     * retried by the next poll's commit, as an application would.
     */
    private static void consume(final String bootstrap, final String group, final Set<Integer> consumed, final AtomicBoolean stop)
    {
        final String protocol = group.startsWith("classic") ? "classic" : "consumer";
        try (KafkaConsumer<byte[], byte[]> consumer = TestClients.consumer(bootstrap, Map.of("group.id", group, "group.protocol", protocol,
            "max.poll.records", 50, "request.timeout.ms", 5_000, "default.api.timeout.ms", 20_000)))
        {
            consumer.subscribe(List.of(TOPIC));
            final long deadline = System.nanoTime() + CONSUME_LIMIT.toNanos() + TimeUnit.SECONDS.toNanos(60);
            while (!stop.get() && System.nanoTime() < deadline)
            {
                for (final ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(200)))
                {
                    consumed.add(Integer.parseInt(new String(record.value(), StandardCharsets.UTF_8)));
                }
                try
                {
                    consumer.commitSync(Duration.ofSeconds(10));
                }
                catch (final RetriableException | org.apache.kafka.clients.consumer.CommitFailedException
                    | org.apache.kafka.common.errors.RebalanceInProgressException ex)
                {
                    // The coordinator moved or the group is rebalancing: the next poll's commit covers it.
                }
                sleepQuietly(40);
            }
        }
    }

    /** Polls the groups' committed offsets through the admin client and notes any that is lower than one seen before. */
    private static final class CommitWatch
    {
        private final String bootstrap;
        private final Map<String, Long> highest = new HashMap<>();
        final List<String> backwards = new CopyOnWriteArrayList<>();
        volatile int observations;

        CommitWatch(final String bootstrap)
        {
            this.bootstrap = bootstrap;
        }

        void run(final AtomicBoolean stop)
        {
            try (Admin admin = TestClients.admin(bootstrap))
            {
                while (!stop.get())
                {
                    for (final String group : GROUPS)
                    {
                        observe(admin, group);
                    }
                    sleepQuietly(100);
                }
            }
        }

        private void observe(final Admin admin, final String group)
        {
            final Map<TopicPartition, OffsetAndMetadata> committed;
            try
            {
                committed = admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get(5, TimeUnit.SECONDS);
            }
            catch (final Exception ex)
            {
                return; // the coordinator is moving: nothing observed
            }
            committed.forEach((partition, offset) ->
            {
                if (offset == null)
                {
                    return;
                }
                observations++;
                final String key = group + "/" + partition;
                final Long before = highest.get(key);
                if (before != null && offset.offset() < before)
                {
                    backwards.add(key + ": " + before + " then " + offset.offset());
                }
                highest.merge(key, offset.offset(), Math::max);
            });
        }
    }

    /** The group's coordinator's node id, or -1 while none answers. */
    private static int coordinatorOf(final Admin admin, final String group)
    {
        try
        {
            return admin.describeConsumerGroups(List.of(group)).all().get(10, TimeUnit.SECONDS).get(group).coordinator().id();
        }
        catch (final Exception ex)
        {
            return -1;
        }
    }

    private static void awaitMoreConsumed(final Map<String, Set<Integer>> consumed) throws InterruptedException
    {
        final Map<String, Integer> before = new HashMap<>();
        GROUPS.forEach(g -> before.put(g, consumed.get(g).size()));
        awaitTrue(() -> GROUPS.stream().allMatch(g -> consumed.get(g).size() >= Math.min(RECORDS, before.get(g) + 1_000)),
            "both groups consume on after the fault");
    }

    private static void sleepQuietly(final long ms)
    {
        try
        {
            Thread.sleep(ms);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
    }
}
