package io.runnel.broker.it.group;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

import io.runnel.broker.testing.TestBroker;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.MemberDescription;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerPartitionAssignor;
import org.apache.kafka.clients.consumer.CooperativeStickyAssignor;
import org.apache.kafka.clients.consumer.RangeAssignor;
import org.apache.kafka.clients.consumer.RoundRobinAssignor;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.common.GroupState;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static io.runnel.broker.it.group.GroupTesting.addAll;
import static io.runnel.broker.it.group.GroupTesting.awaitCondition;
import static io.runnel.broker.it.group.GroupTesting.missing;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Partition assignment in a classic consumer group, with each of Kafka's client-side assignors:
 * three members split six partitions, each partition owned by exactly one member; when one
 * member dies without leaving, the group notices at its session timeout and the two survivors
 * take over all six partitions, and no record produced before or during the failure is skipped
 * (at-least-once: survivors commit what they processed when partitions are revoked, and a
 * takeover resumes at the last committed offset).
 */
class GroupAssignmentTest
{
    private static final int PARTITIONS = 6;
    private static final int SESSION_TIMEOUT_MS = 6_000;
    private static final Duration TAKEOVER_MARGIN = Duration.ofSeconds(10);
    private static final Duration STABLE_TIMEOUT = Duration.ofSeconds(30);
    private static final Duration CONSUME_TIMEOUT = Duration.ofSeconds(30);
    private static final int RECORDS_BEFORE_PER_PARTITION = 20;
    /** Bound on the "during" producer: rounds of one record per partition, 50 ms apart. */
    private static final int MAX_DURING_ROUNDS = 600;

    @TempDir
    Path dataDir;

    private final List<AutoCloseable> toClose = new ArrayList<>();
    private final AtomicBoolean producing = new AtomicBoolean(true);

    @AfterEach
    void closeAll() throws Exception
    {
        producing.set(false);
        for (int i = toClose.size() - 1; i >= 0; i--)
        {
            toClose.get(i).close();
        }
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(classes = {RangeAssignor.class, RoundRobinAssignor.class, CooperativeStickyAssignor.class})
    @Timeout(120)
    void threeMembersShareSixPartitionsAndTwoSurvivorsTakeOverFromOneThatDiesWithoutLeaving(final Class<?> assignor) throws Exception
    {
        final String topic = "assign-" + assignor.getSimpleName();
        final String group = "group-" + assignor.getSimpleName();
        final TestBroker broker = TestBroker.start(dataDir, Map.of("group.initial.rebalance.delay.ms", "0", "runnel.shards", "2"));
        toClose.add(broker);
        final Admin admin = broker.admin();
        toClose.add(admin);
        GroupTesting.createTopic(admin, topic, PARTITIONS);
        final KafkaProducer<byte[], byte[]> producer = broker.producer(Map.of());
        toClose.add(producer);
        final Map<TopicPartition, Set<Long>> produced = new HashMap<>(GroupTesting.produce(producer, topic, PARTITIONS,
            RECORDS_BEFORE_PER_PARTITION, "before"));

        final List<ConsumerThread> members = new ArrayList<>();
        for (int i = 0; i < 3; i++)
        {
            final ConsumerThread member = ConsumerThread.start("m" + i, broker.consumer(Map.of(
                ConsumerConfig.GROUP_ID_CONFIG, group,
                ConsumerConfig.CLIENT_ID_CONFIG, group + "-m" + i,
                ConsumerConfig.PARTITION_ASSIGNMENT_STRATEGY_CONFIG, assignor.getName(),
                ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, SESSION_TIMEOUT_MS,
                ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG, 500,
                ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 10)), List.of(topic), true);
            members.add(member);
            toClose.add(member);
        }

        // 1. Every partition is owned by exactly one of the three members, two each.
        awaitCondition(STABLE_TIMEOUT, "three members own the six partitions exactly once, in one generation",
            () -> ownsExactlyOnce(members), () -> members.toString());
        for (final ConsumerThread member : members)
        {
            assertEquals(2, member.snapshot().assignment().size(), () -> "balanced assignment: " + members);
        }
        final ConsumerGroupDescription stable = GroupTesting.describe(admin, group);
        assertEquals(GroupState.STABLE, stable.groupState());
        assertEquals(3, stable.members().size());
        assertEquals(((ConsumerPartitionAssignor)assignor.getDeclaredConstructor().newInstance()).name(), stable.partitionAssignor(),
            "the group reports the assignor its members chose");
        assertEquals(allPartitions(topic), assignedIn(stable), "DescribeGroups shows the same assignment the members hold");

        // 2. One member dies without leaving: close(REMAIN_IN_GROUP) sends no LeaveGroup.
        final ConsumerThread victim = members.get(1);
        final String victimId = victim.snapshot().memberId();
        final List<ConsumerThread> survivors = List.of(members.get(0), members.get(2));
        final long crashedAt = System.nanoTime();
        victim.crash();
        final ConsumerGroupDescription afterCrash = GroupTesting.describe(admin, group);
        assertTrue(afterCrash.members().stream().anyMatch(m -> m.consumerId().equals(victimId)),
            () -> "REMAIN_IN_GROUP must not send LeaveGroup: the dead member stays until its session expires; " + afterCrash);
        assertEquals(GroupState.STABLE, afterCrash.groupState());

        // 3. Records keep arriving while the group recovers.
        final AtomicReference<Map<TopicPartition, Set<Long>>> during = new AtomicReference<>(new HashMap<>());
        final Thread duringProducer = new Thread(() ->
        {
            final Map<TopicPartition, Set<Long>> acked = new HashMap<>();
            try
            {
                for (int round = 0; round < MAX_DURING_ROUNDS && producing.get(); round++)
                {
                    addAll(acked, GroupTesting.produce(producer, topic, PARTITIONS, 1, "during-" + round));
                    GroupTesting.pause(50);
                }
            }
            catch (final RuntimeException ex)
            {
                if (producing.get())
                {
                    ex.printStackTrace();
                }
            }
            finally
            {
                during.set(acked);
            }
        }, "during-producer");
        duringProducer.start();

        final Duration takeover = awaitCondition(Duration.ofMillis(SESSION_TIMEOUT_MS).plus(TAKEOVER_MARGIN),
            "the two survivors own all six partitions exactly once",
            () -> ownsExactlyOnce(survivors), () -> survivors + " events " + survivors.get(0).events() + " / " + survivors.get(1).events());
        final Duration sinceCrash = Duration.ofNanos(System.nanoTime() - crashedAt);
        for (final ConsumerThread survivor : survivors)
        {
            assertEquals(3, survivor.snapshot().assignment().size(), () -> "balanced takeover: " + survivors);
        }
        // The dead member was removed by session expiry, not by a LeaveGroup: that takes about a session timeout.
        assertTrue(sinceCrash.toMillis() >= SESSION_TIMEOUT_MS - 1_500,
            () -> "takeover after " + sinceCrash + " is sooner than the session timeout allows");
        final ConsumerGroupDescription afterTakeover = GroupTesting.describe(admin, group);
        assertEquals(2, afterTakeover.members().size(), afterTakeover::toString);
        assertTrue(afterTakeover.members().stream().noneMatch(m -> m.consumerId().equals(victimId)));

        // 4. Let a few more rounds arrive after the takeover, then stop producing.
        final int consumedBefore = totalReceived(survivors);
        awaitCondition(Duration.ofSeconds(10), "survivors consume after the takeover",
            () -> totalReceived(survivors) > consumedBefore + PARTITIONS);
        producing.set(false);
        duringProducer.join(30_000);
        addAll(produced, during.get());
        assertTrue(during.get().values().stream().mapToInt(Set::size).sum() > 0, "records were produced during the failure");

        // 5. Nothing produced is skipped: every acknowledged offset reaches some member.
        awaitCondition(CONSUME_TIMEOUT, "every produced record is consumed by some member",
            () -> missing(produced, receivedByAll(members)).isEmpty(),
            () -> "missing " + missing(produced, receivedByAll(members)));
        for (final ConsumerThread member : members)
        {
            assertNull(member.failure(), () -> member.name + " failed");
        }
        System.out.printf("%s: takeover %d ms after the crash (%d ms of waiting), %d records produced, %d received (%d redelivered)%n",
            assignor.getSimpleName(), sinceCrash.toMillis(), takeover.toMillis(), produced.values().stream().mapToInt(Set::size).sum(),
            members.stream().mapToInt(m -> m.received().size()).sum(),
            members.stream().mapToInt(m -> m.received().size()).sum() - produced.values().stream().mapToInt(Set::size).sum());
        for (final ConsumerThread member : members)
        {
            // Kafka accepts a commit of the current generation while the group prepares a
            // rebalance: that is when eager assignors call onPartitionsRevoked.
            assertEquals(List.of(), member.commitFailures(), () -> member.name + ": a synchronous commit in onPartitionsRevoked was refused; events "
                + member.events());
        }
    }

    /** The members' latest snapshots agree on one generation and hold every partition exactly once. */
    private static boolean ownsExactlyOnce(final List<ConsumerThread> members)
    {
        final Set<Integer> generations = new HashSet<>();
        final List<TopicPartition> owned = new ArrayList<>();
        for (final ConsumerThread member : members)
        {
            final ConsumerThread.Snapshot snapshot = member.snapshot();
            generations.add(snapshot.generation());
            owned.addAll(snapshot.assignment());
        }
        return generations.size() == 1 && !generations.contains(-1) && owned.size() == PARTITIONS && new HashSet<>(owned).size() == PARTITIONS;
    }

    private static Set<TopicPartition> allPartitions(final String topic)
    {
        return new HashSet<>(GroupTesting.partitions(topic, PARTITIONS));
    }

    private static Set<TopicPartition> assignedIn(final ConsumerGroupDescription description)
    {
        final List<TopicPartition> all = new ArrayList<>();
        for (final MemberDescription member : description.members())
        {
            all.addAll(member.assignment().topicPartitions());
        }
        assertEquals(all.size(), new HashSet<>(all).size(), () -> "a partition assigned twice: " + description);
        return new HashSet<>(all);
    }

    private static int totalReceived(final List<ConsumerThread> members)
    {
        return members.stream().mapToInt(m -> m.received().size()).sum();
    }

    private static Map<TopicPartition, Set<Long>> receivedByAll(final List<ConsumerThread> members)
    {
        final Map<TopicPartition, Set<Long>> all = new HashMap<>();
        for (final ConsumerThread member : members)
        {
            addAll(all, member.receivedOffsets());
        }
        return all;
    }
}
