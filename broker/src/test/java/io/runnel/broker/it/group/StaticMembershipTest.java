package io.runnel.broker.it.group;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import io.runnel.broker.testing.TestBroker;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.MemberDescription;
import org.apache.kafka.clients.consumer.CloseOptions;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.common.GroupState;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import static io.runnel.broker.it.group.GroupTesting.assertHoldsFor;
import static io.runnel.broker.it.group.GroupTesting.awaitCondition;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Static membership (KIP-345): members with a {@code group.instance.id} that restart within
 * the session timeout take their old place back; the group does not rebalance, its generation
 * stays, the other member is not disturbed (no rebalance callback) and the restarted member
 * gets the assignment it had. A static member that stays away longer than its session timeout
 * is removed like any other.
 */
class StaticMembershipTest
{
    private static final String TOPIC = "static";
    private static final int PARTITIONS = 4;
    private static final int SESSION_TIMEOUT_MS = 10_000;
    private static final int HEARTBEAT_INTERVAL_MS = 500;
    /** Long enough for several heartbeats: a rebalance would have reached the other member by then. */
    private static final Duration QUIET_WINDOW = Duration.ofMillis(HEARTBEAT_INTERVAL_MS * 6L);
    private static final Duration STABLE_TIMEOUT = Duration.ofSeconds(30);

    @TempDir
    Path dataDir;

    private TestBroker broker;
    private Admin admin;
    private final List<ConsumerThread> consumers = new ArrayList<>();

    @BeforeEach
    void startBroker()
    {
        broker = TestBroker.start(dataDir, Map.of("group.initial.rebalance.delay.ms", "0", "runnel.shards", "2"));
        admin = broker.admin();
        GroupTesting.createTopic(admin, TOPIC, PARTITIONS);
        try (KafkaProducer<byte[], byte[]> producer = broker.producer(Map.of()))
        {
            GroupTesting.produce(producer, TOPIC, PARTITIONS, 10, "static");
        }
    }

    @AfterEach
    void stopAll()
    {
        for (final ConsumerThread consumer : consumers)
        {
            consumer.close();
        }
        admin.close();
        broker.close();
    }

    private ConsumerThread staticMember(final String group, final String instanceId, final int sessionTimeoutMs)
    {
        final ConsumerThread member = ConsumerThread.start(instanceId, broker.consumer(Map.of(
            ConsumerConfig.GROUP_ID_CONFIG, group,
            ConsumerConfig.GROUP_INSTANCE_ID_CONFIG, instanceId,
            ConsumerConfig.CLIENT_ID_CONFIG, instanceId,
            ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, sessionTimeoutMs,
            ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG, HEARTBEAT_INTERVAL_MS)), List.of(TOPIC), false);
        consumers.add(member);
        return member;
    }

    @Test
    @Timeout(90)
    void aStaticMemberThatRestartsWithinTheSessionTimeoutGetsItsAssignmentBackWithoutARebalance()
    {
        final String group = "static-restart";
        final ConsumerThread a = staticMember(group, "instance-a", SESSION_TIMEOUT_MS);
        final ConsumerThread b = staticMember(group, "instance-b", SESSION_TIMEOUT_MS);
        awaitStable(List.of(a, b));

        // Restart each member in turn; one of them is the group's leader, so both paths are covered.
        final ConsumerThread a2 = restartWithoutRebalance(group, a, b);
        restartWithoutRebalance(group, b, a2);
    }

    /** Restarts {@code restarting} under the same instance id and checks that {@code other} sees no rebalance. */
    private ConsumerThread restartWithoutRebalance(final String group, final ConsumerThread restarting, final ConsumerThread other)
    {
        final ConsumerThread.Snapshot before = restarting.snapshot();
        final ConsumerThread.Snapshot otherBefore = other.snapshot();
        final int otherCallbacks = other.rebalanceCallbacks();

        // A static member's close does not send LeaveGroup: it stays in the group, under its old member id.
        restarting.stop(CloseOptions.GroupMembershipOperation.DEFAULT);
        final ConsumerGroupDescription whileAway = GroupTesting.describe(admin, group);
        assertEquals(GroupState.STABLE, whileAway.groupState(), whileAway::toString);
        assertEquals(Set.of(before.memberId(), otherBefore.memberId()), memberIds(whileAway), "both members still in the group while one restarts");

        final long restartedAt = System.nanoTime();
        final ConsumerThread restarted = staticMember(group, restarting.name, SESSION_TIMEOUT_MS);
        awaitCondition(STABLE_TIMEOUT, restarting.name + " is back with an assignment",
            () -> !restarted.snapshot().assignment().isEmpty(), restarted::toString);
        final Duration back = Duration.ofNanos(System.nanoTime() - restartedAt);
        assertTrue(back.toMillis() < SESSION_TIMEOUT_MS, () -> "came back after " + back + ", beyond the session timeout; the test proves nothing");

        final ConsumerThread.Snapshot after = restarted.snapshot();
        assertEquals(before.assignment(), after.assignment(), "the restarted static member gets its old assignment back");
        assertEquals(before.generation(), after.generation(),
            () -> "the group's generation must not change when a static member rejoins within its session timeout; events of "
                + other.name + ": " + other.events());
        assertNotEquals(before.memberId(), after.memberId(), "a restarted static member gets a new member id");

        // The other member is not disturbed, for several heartbeat intervals.
        assertHoldsFor(QUIET_WINDOW, "no rebalance reaches " + other.name,
            () -> other.rebalanceCallbacks() == otherCallbacks && other.snapshot().generation() == otherBefore.generation()
                && other.snapshot().assignment().equals(otherBefore.assignment()),
            () -> other + " events " + other.events());
        final ConsumerGroupDescription described = GroupTesting.describe(admin, group);
        assertEquals(GroupState.STABLE, described.groupState());
        assertEquals(Set.of(after.memberId(), otherBefore.memberId()), memberIds(described), "the new member id replaced the old one");
        for (final MemberDescription member : described.members())
        {
            final ConsumerThread.Snapshot expected = member.consumerId().equals(after.memberId()) ? after : otherBefore;
            assertEquals(expected.assignment(), member.assignment().topicPartitions(), "DescribeGroups shows the kept assignment");
            assertTrue(member.groupInstanceId().isPresent());
        }
        assertNull(other.failure(), other::toString);
        return restarted;
    }

    @Test
    @Timeout(90)
    void aStaticMemberThatStaysAwayLongerThanItsSessionTimeoutIsRemovedAndItsPartitionsMove()
    {
        final int sessionTimeoutMs = 6_000;
        final String group = "static-gone";
        final ConsumerThread a = staticMember(group, "gone-a", sessionTimeoutMs);
        final ConsumerThread b = staticMember(group, "gone-b", sessionTimeoutMs);
        awaitStable(List.of(a, b));
        final int generation = b.snapshot().generation();

        a.stop(CloseOptions.GroupMembershipOperation.DEFAULT);
        awaitCondition(Duration.ofMillis(sessionTimeoutMs).plusSeconds(10), "the remaining member owns every partition",
            () -> b.snapshot().assignment().size() == PARTITIONS, b::toString);
        assertTrue(b.snapshot().generation() > generation, "a rebalance happened");
        final ConsumerGroupDescription described = GroupTesting.describe(admin, group);
        assertEquals(Set.of(b.snapshot().memberId()), memberIds(described));
        assertEquals(Set.of("gone-b"), described.members().stream().map(m -> m.groupInstanceId().orElse("")).collect(Collectors.toSet()));
    }

    private static void awaitStable(final List<ConsumerThread> members)
    {
        awaitCondition(STABLE_TIMEOUT, "the members split the partitions in one generation", () ->
        {
            final Set<Integer> generations = new HashSet<>();
            final List<TopicPartition> owned = new ArrayList<>();
            for (final ConsumerThread member : members)
            {
                generations.add(member.snapshot().generation());
                owned.addAll(member.snapshot().assignment());
            }
            return generations.size() == 1 && !generations.contains(-1) && owned.size() == PARTITIONS && new HashSet<>(owned).size() == PARTITIONS
                && members.stream().allMatch(m -> m.snapshot().assignment().size() == PARTITIONS / members.size());
        }, members::toString);
    }

    private static Set<String> memberIds(final ConsumerGroupDescription description)
    {
        return description.members().stream().map(MemberDescription::consumerId).collect(Collectors.toSet());
    }
}
