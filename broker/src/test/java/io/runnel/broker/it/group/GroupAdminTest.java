package io.runnel.broker.it.group;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import io.runnel.broker.testing.TestBroker;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.ConsumerGroupListing;
import org.apache.kafka.clients.admin.GroupListing;
import org.apache.kafka.clients.admin.ListConsumerGroupsOptions;
import org.apache.kafka.clients.admin.ListGroupsOptions;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.MemberDescription;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.CloseOptions;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.common.GroupState;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.GroupIdNotFoundException;
import org.apache.kafka.common.errors.GroupNotEmptyException;
import org.apache.kafka.common.errors.GroupSubscribedToTopicException;
import org.apache.kafka.common.errors.UnknownMemberIdException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import static io.runnel.broker.it.group.GroupTesting.awaitCondition;
import static io.runnel.broker.it.group.GroupTesting.describe;
import static io.runnel.broker.it.group.GroupTesting.get;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What an operator sees and does through the Admin API: groups listed (with a state filter)
 * and described (members, their assignment, Stable or Empty), committed offsets listed,
 * altered and deleted, groups deleted (refused while members remain or when unknown), and
 * the lag an operator computes (log end offset minus committed) matching what was really
 * produced and not consumed.
 */
class GroupAdminTest
{
    private static final String TOPIC = "admin-topic";
    private static final int PARTITIONS = 4;
    private static final int PER_PARTITION = 40;
    private static final Duration STABLE_TIMEOUT = Duration.ofSeconds(30);

    @TempDir
    Path dataDir;

    private TestBroker broker;
    private Admin admin;
    private final Map<TopicPartition, Set<Long>> produced = new HashMap<>();
    private final List<ConsumerThread> consumers = new ArrayList<>();

    @BeforeEach
    void startBroker()
    {
        broker = TestBroker.start(dataDir, Map.of("group.initial.rebalance.delay.ms", "0", "runnel.shards", "2"));
        admin = broker.admin();
        GroupTesting.createTopic(admin, TOPIC, PARTITIONS);
        try (KafkaProducer<byte[], byte[]> producer = broker.producer(Map.of()))
        {
            GroupTesting.addAll(produced, GroupTesting.produce(producer, TOPIC, PARTITIONS, PER_PARTITION, "admin"));
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

    @Test
    @Timeout(60)
    void listAndDescribeShowAStableGroupWithItsMembersAndTheirAssignmentAndAnEmptyGroupOnceTheyLeave()
    {
        final String group = "described";
        final List<ConsumerThread> members = startGroup(group, 2);

        assertEquals(Set.of(group), listed(GroupState.STABLE), "listed under Stable");
        assertEquals(Set.of(), listed(GroupState.EMPTY), "not listed under Empty");
        assertTrue(get(admin.listGroups(ListGroupsOptions.forConsumerGroups()).all()).stream().map(GroupListing::groupId)
            .anyMatch(group::equals), "listGroups for consumer groups includes it");

        final ConsumerGroupDescription stable = describe(admin, group);
        assertEquals(GroupState.STABLE, stable.groupState());
        assertEquals("range", stable.partitionAssignor(), "the default assignor of the Java client comes first");
        assertFalse(stable.isSimpleConsumerGroup());
        assertEquals(broker.port(), stable.coordinator().port(), "this broker coordinates the group");
        assertEquals(members.stream().map(m -> m.snapshot().memberId()).collect(Collectors.toSet()),
            stable.members().stream().map(MemberDescription::consumerId).collect(Collectors.toSet()), "its members");
        final List<TopicPartition> assigned = new ArrayList<>();
        for (final MemberDescription member : stable.members())
        {
            final ConsumerThread consumer = members.stream().filter(m -> m.snapshot().memberId().equals(member.consumerId())).findFirst().orElseThrow();
            assertEquals(consumer.snapshot().assignment(), member.assignment().topicPartitions(), "the assignment the member holds");
            assertEquals("described-" + consumer.name, member.clientId());
            assertTrue(member.host().contains("127.0.0.1"), member::host);
            assigned.addAll(member.assignment().topicPartitions());
        }
        assertEquals(new HashSet<>(GroupTesting.partitions(TOPIC, PARTITIONS)), new HashSet<>(assigned));
        assertEquals(PARTITIONS, assigned.size(), "each partition once");

        for (final ConsumerThread member : members)
        {
            member.stop(CloseOptions.GroupMembershipOperation.LEAVE_GROUP);
        }
        final ConsumerGroupDescription empty = describe(admin, group);
        assertEquals(GroupState.EMPTY, empty.groupState(), empty::toString);
        assertEquals(List.of(), List.copyOf(empty.members()));
        assertEquals(Set.of(group), listed(GroupState.EMPTY), "listed under Empty");
        assertEquals(Set.of(), listed(GroupState.STABLE), "no longer under Stable");
    }

    /** Partitions that some member is assigned and whose position there is {@link #PER_PARTITION}. */
    private static int ownedAtEnd(final List<ConsumerThread> members)
    {
        int owned = 0;
        for (final ConsumerThread member : members)
        {
            owned += member.call(consumer ->
            {
                int atEnd = 0;
                for (final TopicPartition partition : consumer.assignment())
                {
                    atEnd += consumer.position(partition) == PER_PARTITION ? 1 : 0;
                }
                return atEnd;
            });
        }
        return owned;
    }

    @Test
    @Timeout(60)
    void committedOffsetsAreListedAndLagIsWhatWasProducedButNotConsumed()
    {
        final String group = "lagging";
        final List<ConsumerThread> members = startGroup(group, 2);
        final int all = PARTITIONS * PER_PARTITION;
        awaitCondition(Duration.ofSeconds(30), "the group consumes the first " + all + " records",
            () -> consumedByGroup(members).values().stream().mapToInt(Set::size).sum() == all, members::toString);
        // The records may have been consumed by one member before the other joined: commit only once the
        // settled assignment covers every partition and each owner's position has reached its end.
        awaitCondition(Duration.ofSeconds(30), "every partition owned by a member positioned at its end",
            () -> ownedAtEnd(members) == PARTITIONS, members::toString);
        for (final ConsumerThread member : members)
        {
            member.call(consumer ->
            {
                consumer.commitSync();
                return null;
            });
        }
        final Map<TopicPartition, Set<Long>> consumed = consumedByGroup(members);
        for (final ConsumerThread member : members)
        {
            member.stop(CloseOptions.GroupMembershipOperation.LEAVE_GROUP);
        }

        final Map<TopicPartition, OffsetAndMetadata> committed = get(admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata());
        final Map<TopicPartition, Long> expectedCommitted = new HashMap<>();
        consumed.forEach((tp, offsets) -> expectedCommitted.put(tp, (long)offsets.size()));
        final Map<TopicPartition, Long> committedOffsets = new HashMap<>();
        committed.forEach((tp, offset) -> committedOffsets.put(tp, offset.offset()));
        assertEquals(expectedCommitted, committedOffsets, "commitSync() committed each partition's position");

        // More records arrive, unevenly, while nobody consumes.
        final int[] extra = {5, 0, 7, 11};
        try (KafkaProducer<byte[], byte[]> producer = broker.producer(Map.of()))
        {
            for (int p = 0; p < PARTITIONS; p++)
            {
                for (int i = 0; i < extra[p]; i++)
                {
                    final var metadata = get(producer.send(new org.apache.kafka.clients.producer.ProducerRecord<>(TOPIC, p, null, new byte[] {1})));
                    produced.get(new TopicPartition(TOPIC, p)).add(metadata.offset());
                }
            }
        }
        final Map<TopicPartition, Long> lag = lag(group);
        long totalLag = 0;
        for (int p = 0; p < PARTITIONS; p++)
        {
            final TopicPartition tp = new TopicPartition(TOPIC, p);
            assertEquals(produced.get(tp).size() - consumed.get(tp).size(), lag.get(tp), () -> "lag of " + tp + " = produced - consumed");
            assertEquals(extra[p], lag.get(tp));
            totalLag += lag.get(tp);
        }
        assertEquals(23, totalLag);
    }

    @Test
    @Timeout(60)
    void offsetsCanBeAlteredAndDeletedOnlyWhileNobodyConsumesThem()
    {
        final String group = "altered";
        final List<ConsumerThread> members = startGroup(group, 1);
        final TopicPartition p0 = new TopicPartition(TOPIC, 0);
        final TopicPartition p1 = new TopicPartition(TOPIC, 1);

        // While the group is active, an Admin commit (no member, no generation) is refused,
        final Throwable alterWhileActive = assertThrows(RuntimeException.class,
            () -> get(admin.alterConsumerGroupOffsets(group, Map.of(p0, new OffsetAndMetadata(3))).all()));
        assertInstanceOf(UnknownMemberIdException.class, alterWhileActive, alterWhileActive::toString);
        // and so is deleting the offsets of a topic it is subscribed to.
        members.get(0).call(consumer ->
        {
            consumer.commitSync(Map.of(p0, new OffsetAndMetadata(1), p1, new OffsetAndMetadata(2)));
            return null;
        });
        final Throwable deleteWhileSubscribed = assertThrows(RuntimeException.class,
            () -> get(admin.deleteConsumerGroupOffsets(group, Set.of(p1)).all()));
        assertInstanceOf(GroupSubscribedToTopicException.class, deleteWhileSubscribed, deleteWhileSubscribed::toString);
        members.get(0).stop(CloseOptions.GroupMembershipOperation.LEAVE_GROUP);

        // Once the group is empty, both work.
        get(admin.alterConsumerGroupOffsets(group, Map.of(p0, new OffsetAndMetadata(30, "rewound by an operator"))).all());
        assertEquals(new OffsetAndMetadata(30, "rewound by an operator"),
            get(admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata()).get(p0));
        get(admin.deleteConsumerGroupOffsets(group, Set.of(p1)).all());
        final Map<TopicPartition, OffsetAndMetadata> remaining = get(admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata());
        assertEquals(Map.of(p0, new OffsetAndMetadata(30, "rewound by an operator")), withoutNulls(remaining), "p1's offset is gone");

        // A consumer of the group now starts p0 at the altered offset and p1 from the beginning (auto.offset.reset=earliest).
        final ConsumerThread resumed = start(group, "resumed");
        awaitCondition(Duration.ofSeconds(30), "the resumed consumer reads p0 and p1",
            () -> resumed.receivedOffsets().containsKey(p0) && resumed.receivedOffsets().containsKey(p1), resumed::toString);
        final Map<TopicPartition, Long> first = new HashMap<>();
        resumed.received().forEach(r -> first.putIfAbsent(r.partition(), r.offset()));
        assertEquals(30L, first.get(p0));
        assertEquals(0L, first.get(p1));
    }

    @Test
    @Timeout(60)
    void deletingAGroupIsRefusedWhileItHasMembersAndForAnUnknownGroup()
    {
        final String group = "deleted";
        final List<ConsumerThread> members = startGroup(group, 1);
        members.get(0).call(consumer ->
        {
            consumer.commitSync(Map.of(new TopicPartition(TOPIC, 0), new OffsetAndMetadata(7)));
            return null;
        });

        final Throwable nonEmpty = assertThrows(RuntimeException.class, () -> get(admin.deleteConsumerGroups(List.of(group)).all()));
        assertInstanceOf(GroupNotEmptyException.class, nonEmpty, nonEmpty::toString);
        final Throwable unknown = assertThrows(RuntimeException.class, () -> get(admin.deleteConsumerGroups(List.of("never-existed")).all()));
        assertInstanceOf(GroupIdNotFoundException.class, unknown, unknown::toString);
        assertEquals(GroupState.STABLE, describe(admin, group).groupState(), "a refused delete leaves the group alone");

        members.get(0).stop(CloseOptions.GroupMembershipOperation.LEAVE_GROUP);
        get(admin.deleteConsumerGroups(List.of(group)).all());
        assertEquals(Map.of(), withoutNulls(get(admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata())), "its offsets are gone");
        assertFalse(get(admin.listConsumerGroups().all()).stream().map(ConsumerGroupListing::groupId).anyMatch(group::equals), "no longer listed");
        final Throwable described = assertThrows(RuntimeException.class, () -> describe(admin, group));
        assertInstanceOf(GroupIdNotFoundException.class, described, described::toString);
        final Throwable again = assertThrows(RuntimeException.class, () -> get(admin.deleteConsumerGroups(List.of(group)).all()));
        assertInstanceOf(GroupIdNotFoundException.class, again, "deleting twice: the second time it is unknown");
    }

    // ---------------------------------------------------------------- helpers

    private ConsumerThread start(final String group, final String name)
    {
        final ConsumerThread consumer = ConsumerThread.start(name, broker.consumer(Map.of(
            ConsumerConfig.GROUP_ID_CONFIG, group,
            ConsumerConfig.CLIENT_ID_CONFIG, group + "-" + name,
            ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG, 500)), List.of(TOPIC), false);
        consumers.add(consumer);
        return consumer;
    }

    private List<ConsumerThread> startGroup(final String group, final int size)
    {
        final List<ConsumerThread> members = new ArrayList<>();
        for (int i = 0; i < size; i++)
        {
            members.add(start(group, "m" + i));
        }
        awaitCondition(STABLE_TIMEOUT, "the group is stable with every partition assigned once", () ->
        {
            final Set<Integer> generations = new HashSet<>();
            final List<TopicPartition> owned = new ArrayList<>();
            for (final ConsumerThread member : members)
            {
                generations.add(member.snapshot().generation());
                owned.addAll(member.snapshot().assignment());
            }
            return generations.size() == 1 && !generations.contains(-1) && owned.size() == PARTITIONS && new HashSet<>(owned).size() == PARTITIONS;
        }, members::toString);
        awaitCondition(STABLE_TIMEOUT, "the coordinator reports the group Stable", () -> describe(admin, group).groupState() == GroupState.STABLE);
        return members;
    }

    private Set<String> listed(final GroupState state)
    {
        final Collection<ConsumerGroupListing> listings = get(admin.listConsumerGroups(new ListConsumerGroupsOptions().inGroupStates(Set.of(state))).all());
        for (final ConsumerGroupListing listing : listings)
        {
            assertEquals(state, listing.groupState().orElseThrow(), listing::toString);
        }
        return listings.stream().map(ConsumerGroupListing::groupId).collect(Collectors.toSet());
    }

    /** What kafka-consumer-groups calls LAG: log end offset minus committed offset. */
    private Map<TopicPartition, Long> lag(final String group)
    {
        final Map<TopicPartition, OffsetAndMetadata> committed = get(admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata());
        final Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
        committed.keySet().forEach(tp -> latest.put(tp, OffsetSpec.latest()));
        final Map<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo> ends = get(admin.listOffsets(latest).all());
        final Map<TopicPartition, Long> lag = new HashMap<>();
        committed.forEach((tp, offset) -> lag.put(tp, ends.get(tp).offset() - offset.offset()));
        return lag;
    }

    private static Map<TopicPartition, Set<Long>> consumedByGroup(final List<ConsumerThread> members)
    {
        final Map<TopicPartition, Set<Long>> all = new HashMap<>();
        for (final ConsumerThread member : members)
        {
            GroupTesting.addAll(all, member.receivedOffsets());
        }
        return all;
    }

    private static <K, V> Map<K, V> withoutNulls(final Map<K, V> map)
    {
        final Map<K, V> result = new HashMap<>();
        map.forEach((k, v) ->
        {
            if (v != null)
            {
                result.put(k, v);
            }
        });
        return result;
    }
}
