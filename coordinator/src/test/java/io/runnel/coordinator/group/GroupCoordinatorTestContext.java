package io.runnel.coordinator.group;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicReference;

import org.agrona.concurrent.CachedEpochClock;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.message.ConsumerGroupHeartbeatRequestData;
import org.apache.kafka.common.message.ConsumerGroupHeartbeatResponseData;
import org.apache.kafka.common.message.JoinGroupRequestData;
import org.apache.kafka.common.message.JoinGroupResponseData;
import org.apache.kafka.common.message.LeaveGroupRequestData;
import org.apache.kafka.common.message.SyncGroupRequestData;
import org.apache.kafka.common.message.SyncGroupResponseData;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.coordinator.common.runtime.CoordinatorRecord;

/**
 * A group coordinator without sockets or a shard (like Kafka's GroupMetadataManagerTestContext):
 * a clock the test moves, topics the test defines, and an in-memory offsets log that keeps every
 * record as the bytes Kafka's serde makes, so {@link #reloaded()} replays exactly what a restart would.
 */
final class GroupCoordinatorTestContext
{
    static final long START_MS = 1_000_000;
    /** Timers fire on the first poll after their deadline; a few polls settle anything they trigger in turn. */
    private static final int MAX_POLLS_PER_ADVANCE = 8;

    final CachedEpochClock clock;
    final GroupConfig config;
    final Topics topics;
    final MemoryLog log;
    final GroupCoordinator coordinator;

    GroupCoordinatorTestContext(final GroupConfig config)
    {
        this(config, clockAt(START_MS), new Topics(), new MemoryLog());
    }

    private static CachedEpochClock clockAt(final long timeMs)
    {
        final CachedEpochClock clock = new CachedEpochClock();
        clock.update(timeMs);
        return clock;
    }

    private GroupCoordinatorTestContext(final GroupConfig config, final CachedEpochClock clock, final Topics topics, final MemoryLog log)
    {
        this.clock = clock;
        this.config = config;
        this.topics = topics;
        this.log = log;
        this.coordinator = new GroupCoordinator(config, clock, log, topics);
    }

    /** Defaults with no initial rebalance delay, and short, distinct timeouts. */
    static GroupConfig config()
    {
        return new GroupConfig(4, 1_000, 300_000, 0, 60_000, 5_000, 4096, 100, 10_000, 1_000, 1);
    }

    /** A restart: a new coordinator on the same clock, topics and log, which it loads record by record. */
    GroupCoordinatorTestContext reloaded()
    {
        final GroupCoordinatorTestContext restarted = new GroupCoordinatorTestContext(config, clock, topics, log);
        // Its first duty cycle loads every partition it leads, as a shard's first cycle after start-up does.
        restarted.coordinator.doWork(clock.time());
        return restarted;
    }

    /** Moves the clock and runs the duty cycle, as the shard would. */
    void advance(final long ms)
    {
        clock.advance(ms);
        for (int i = 0; i < MAX_POLLS_PER_ADVANCE; i++)
        {
            coordinator.doWork(clock.time());
        }
    }

    // ---------------------------------------------------------------- classic protocol

    /** A held or immediate response. */
    static final class Pending<T>
    {
        private final AtomicReference<T> value = new AtomicReference<>();

        void complete(final T response)
        {
            if (!value.compareAndSet(null, response))
            {
                throw new AssertionError("answered twice: " + value.get() + " and " + response);
            }
        }

        boolean isDone()
        {
            return value.get() != null;
        }

        T get()
        {
            if (value.get() == null)
            {
                throw new AssertionError("no response yet");
            }
            return value.get();
        }
    }

    static JoinGroupRequestData joinRequest(final String groupId, final String memberId, final String instanceId, final byte[] subscription)
    {
        final JoinGroupRequestData request = new JoinGroupRequestData().setGroupId(groupId).setMemberId(memberId)
            .setGroupInstanceId(instanceId).setProtocolType("consumer").setSessionTimeoutMs(10_000).setRebalanceTimeoutMs(20_000);
        request.protocols().add(new JoinGroupRequestData.JoinGroupRequestProtocol().setName("range").setMetadata(subscription));
        return request;
    }

    Pending<JoinGroupResponseData> join(final JoinGroupRequestData request)
    {
        final Pending<JoinGroupResponseData> pending = new Pending<>();
        coordinator.joinGroup(request, (short)9, "client", "/127.0.0.1", pending::complete);
        return pending;
    }

    Pending<JoinGroupResponseData> join(final String groupId, final String memberId, final String instanceId, final byte[] subscription)
    {
        return join(joinRequest(groupId, memberId, instanceId, subscription));
    }

    /** A dynamic member's first join: KIP-394's MEMBER_ID_REQUIRED round trip, then the real join. @return the held join */
    Pending<JoinGroupResponseData> joinNew(final String groupId, final byte[] subscription)
    {
        final JoinGroupResponseData required = join(groupId, "", null, subscription).get();
        if (required.errorCode() != Errors.MEMBER_ID_REQUIRED.code())
        {
            throw new AssertionError("expected MEMBER_ID_REQUIRED, got " + required);
        }
        return join(groupId, required.memberId(), null, subscription);
    }

    Pending<SyncGroupResponseData> sync(final String groupId, final String memberId, final int generation, final Map<String, byte[]> assignments)
    {
        final SyncGroupRequestData request = new SyncGroupRequestData().setGroupId(groupId).setMemberId(memberId)
            .setGenerationId(generation).setProtocolType("consumer").setProtocolName("range");
        assignments.forEach((member, assignment) -> request.assignments().add(
            new SyncGroupRequestData.SyncGroupRequestAssignment().setMemberId(member).setAssignment(assignment)));
        final Pending<SyncGroupResponseData> pending = new Pending<>();
        coordinator.syncGroup(request, pending::complete);
        return pending;
    }

    Errors heartbeat(final String groupId, final String memberId, final int generation)
    {
        return coordinator.heartbeat(groupId, memberId, null, generation);
    }

    Pending<List<Errors>> leave(final String groupId, final String memberId)
    {
        final Pending<List<Errors>> pending = new Pending<>();
        coordinator.leaveGroup(groupId, List.of(new LeaveGroupRequestData.MemberIdentity().setMemberId(memberId)), pending::complete);
        return pending;
    }

    Pending<List<Errors>> commit(final String groupId, final int generation, final String memberId, final String topic,
        final int partition, final long offset)
    {
        final Pending<List<Errors>> pending = new Pending<>();
        coordinator.commitOffsets(groupId, generation, memberId, null,
            List.of(new GroupCoordinator.CommitRequest(topic, partition, offset, -1, "meta-" + offset)), pending::complete);
        return pending;
    }

    long committed(final String groupId, final String topic, final int partition)
    {
        return coordinator.fetchOffsets(groupId, Map.of(topic, List.of(partition))).get(topic).get(partition).offset();
    }

    // ---------------------------------------------------------------- KIP-848

    Pending<ConsumerGroupHeartbeatResponseData> consumerHeartbeat(final ConsumerGroupHeartbeatRequestData request)
    {
        final Pending<ConsumerGroupHeartbeatResponseData> pending = new Pending<>();
        coordinator.consumerGroupHeartbeat(request, "client", "/127.0.0.1", pending::complete);
        return pending;
    }

    /** A joining member's first heartbeat: epoch 0 with its subscription. */
    ConsumerGroupHeartbeatResponseData consumerJoin(final String groupId, final String instanceId, final String... topicNames)
    {
        return consumerHeartbeat(new ConsumerGroupHeartbeatRequestData().setGroupId(groupId).setMemberId("").setMemberEpoch(0)
            .setInstanceId(instanceId).setRebalanceTimeoutMs(5_000).setSubscribedTopicNames(List.of(topicNames))
            .setTopicPartitions(List.of())).get();
    }

    /** A member's heartbeat reporting what it owns (the partitions of {@code owned}, by topic id). */
    ConsumerGroupHeartbeatResponseData consumerHeartbeat(final String groupId, final String memberId, final int epoch,
        final Map<Uuid, List<Integer>> owned)
    {
        final List<ConsumerGroupHeartbeatRequestData.TopicPartitions> partitions = new ArrayList<>();
        owned.forEach((topic, list) -> partitions.add(new ConsumerGroupHeartbeatRequestData.TopicPartitions().setTopicId(topic).setPartitions(list)));
        return consumerHeartbeat(new ConsumerGroupHeartbeatRequestData().setGroupId(groupId).setMemberId(memberId)
            .setMemberEpoch(epoch).setTopicPartitions(partitions)).get();
    }

    static Map<Uuid, List<Integer>> owned(final ConsumerGroupHeartbeatResponseData response)
    {
        final Map<Uuid, List<Integer>> owned = new TreeMap<>();
        if (response.assignment() != null)
        {
            response.assignment().topicPartitions().forEach(tp -> owned.put(tp.topicId(), new ArrayList<>(tp.partitions())));
        }
        return owned;
    }

    // ---------------------------------------------------------------- the whole visible state

    /**
     * Everything the coordinator would tell a client about its groups, in a canonical text form:
     * listing, classic and consumer descriptions, committed offsets. Two coordinators with the
     * same text have the same state as far as any request can tell.
     */
    String visibleState()
    {
        final StringBuilder out = new StringBuilder();
        final Map<String, GroupCoordinator.ListedGroup> listed = new TreeMap<>();
        coordinator.list().forEach(g -> listed.put(g.groupId() + "/" + g.type(), g));
        for (final GroupCoordinator.ListedGroup group : listed.values())
        {
            out.append(group).append('\n');
            final GroupCoordinator.GroupView view = coordinator.describe(group.groupId());
            if (view != null)
            {
                out.append("  classic ").append(view.state()).append(' ').append(view.protocolType()).append(' ').append(view.protocolName()).append('\n');
                for (final GroupCoordinator.MemberView member : view.members())
                {
                    out.append("    ").append(member.memberId()).append(' ').append(member.instanceId()).append(' ')
                        .append(new String(member.metadata())).append(" -> ").append(new String(member.assignment())).append('\n');
                }
            }
            final var described = coordinator.describeConsumerGroup(group.groupId());
            if (described != null)
            {
                out.append("  consumer ").append(described).append('\n');
            }
            out.append("  offsets ").append(coordinator.fetchOffsets(group.groupId(), null)).append('\n');
        }
        return out.toString();
    }

    // ---------------------------------------------------------------- fakes

    /** Topics the test creates and grows; each change is a new image, as the registry's snapshots are. */
    static final class Topics implements java.util.function.Supplier<TopicsImage>
    {
        private Image image = new Image(Map.of());

        Uuid create(final String name, final int partitions)
        {
            final Map<String, TopicInfo> next = new HashMap<>(image.byName);
            final TopicInfo existing = next.get(name);
            final Uuid id = existing != null ? existing.id : Uuid.randomUuid();
            next.put(name, new TopicInfo(name, id, partitions));
            image = new Image(next);
            return id;
        }

        @Override
        public TopicsImage get()
        {
            return image;
        }

        private record TopicInfo(String name, Uuid id, int partitions)
        {
        }

        private static final class Image implements TopicsImage
        {
            private final Map<String, TopicInfo> byName;

            Image(final Map<String, TopicInfo> byName)
            {
                this.byName = byName;
            }

            @Override
            public Uuid topicId(final String name)
            {
                final TopicInfo topic = byName.get(name);
                return topic == null ? null : topic.id;
            }

            @Override
            public String topicName(final Uuid id)
            {
                for (final TopicInfo topic : byName.values())
                {
                    if (topic.id.equals(id))
                    {
                        return topic.name;
                    }
                }
                return null;
            }

            @Override
            public int partitionCount(final String name)
            {
                final TopicInfo topic = byName.get(name);
                return topic == null ? -1 : topic.partitions;
            }
        }
    }

    /**
     * The offsets topic in memory: every record as Kafka's serde writes it, per partition, in
     * append order. Durability can be held back to see what waits for it.
     */
    static final class MemoryLog implements CoordinatorLog
    {
        private final Map<Integer, List<byte[][]>> partitions = new TreeMap<>();
        private final List<byte[][]> appendOrder = new ArrayList<>();
        private final List<Runnable> awaitingDurability = new ArrayList<>();
        private boolean holdDurability;
        private int batches;

        /** Offsets partitions another broker leads now, by index; the rest are led here at {@link #leaderEpoch}. */
        private final java.util.Set<Integer> ledElsewhere = new java.util.TreeSet<>();
        private int leaderEpoch;

        @Override
        public int leaderEpochIfLed(final int partition)
        {
            return ledElsewhere.contains(partition) ? NOT_LED : leaderEpoch;
        }

        @Override
        public void forEachRecord(final int partition, final java.util.function.BiConsumer<ByteBuffer, ByteBuffer> sink)
        {
            for (final byte[][] record : partitions.getOrDefault(partition, List.of()))
            {
                sink.accept(ByteBuffer.wrap(record[0]), record[1] == null ? null : ByteBuffer.wrap(record[1]));
            }
        }

        @Override
        public long append(final int partition, final List<CoordinatorRecord> records, final long timestampMs)
        {
            batches++;
            for (final CoordinatorRecord record : records)
            {
                final byte[][] bytes = {GroupRecords.key(record), GroupRecords.value(record)};
                partitions.computeIfAbsent(partition, p -> new ArrayList<>()).add(bytes);
                appendOrder.add(bytes);
            }
            return partitions.get(partition).size();
        }

        @Override
        public void whenCommitted(final int partition, final int epoch, final long endOffset, final java.util.function.Consumer<Boolean> done)
        {
            final Runnable ack = () -> done.accept(!ledElsewhere.contains(partition) && epoch == leaderEpoch);
            if (holdDurability)
            {
                awaitingDurability.add(ack);
            }
            else
            {
                ack.run();
            }
        }

        /** The partition's leadership moves to another broker (true) or back here at a new epoch (false). */
        void ledElsewhere(final int partition, final boolean elsewhere)
        {
            if (elsewhere)
            {
                ledElsewhere.add(partition);
            }
            else
            {
                ledElsewhere.remove(partition);
            }
            leaderEpoch++;
        }

        void holdDurability(final boolean hold)
        {
            holdDurability = hold;
        }

        /** Everything appended so far becomes durable: the acks that waited run. */
        void flush()
        {
            final List<Runnable> acks = new ArrayList<>(awaitingDurability);
            awaitingDurability.clear();
            acks.forEach(Runnable::run);
        }

        List<byte[][]> all()
        {
            return appendOrder;
        }

        /** The records as Kafka's serde reads them back. */
        List<CoordinatorRecord> records()
        {
            final List<CoordinatorRecord> records = new ArrayList<>();
            for (final byte[][] bytes : appendOrder)
            {
                records.add(GroupRecords.read(ByteBuffer.wrap(bytes[0]), bytes[1] == null ? null : ByteBuffer.wrap(bytes[1])));
            }
            return records;
        }

        int size()
        {
            return appendOrder.size();
        }

        int batches()
        {
            return batches;
        }

        /** Adds raw bytes, as another writer (or an older Runnel) might have left them. */
        void appendRaw(final byte[] key, final byte[] value)
        {
            appendOrder.add(new byte[][] {key, value});
        }
    }
}
