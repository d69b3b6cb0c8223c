package io.runnel.coordinator.group;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Supplier;

import io.runnel.kernel.LogManager;
import io.runnel.kernel.log.PartitionLog;
import io.runnel.kernel.shard.Shard;
import io.runnel.kernel.shard.ShardDuty;
import org.agrona.concurrent.EpochClock;
import org.apache.kafka.common.message.ConsumerGroupDescribeResponseData;
import org.apache.kafka.common.message.ConsumerGroupHeartbeatRequestData;
import org.apache.kafka.common.message.ConsumerGroupHeartbeatResponseData;
import org.apache.kafka.common.message.JoinGroupRequestData;
import org.apache.kafka.common.message.JoinGroupResponseData;
import org.apache.kafka.common.message.LeaveGroupRequestData;
import org.apache.kafka.common.message.OffsetDeleteRequestData;
import org.apache.kafka.common.message.OffsetDeleteResponseData;
import org.apache.kafka.common.message.SyncGroupRequestData;
import org.apache.kafka.common.message.SyncGroupResponseData;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.coordinator.common.runtime.CoordinatorRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The group coordinator of one shard (Kafka's coordinator runtime for its shard): the groups
 * whose {@code __consumer_offsets} partition this shard owns, and their committed offsets. Every
 * operation runs the same way: the {@link GroupStateMachine} validates and returns records; they
 * are appended to the group's offsets partition and replayed into the state machine (the only
 * way state changes); the response goes out once they are durable. Start-up {@link #load}s the
 * partitions with the same replay, so state after a restart is the state before it. A
 * {@link ShardDuty} on the owning shard's thread: no locks.
 */
public final class GroupCoordinator implements ShardDuty
{
    /** A committed offset as OffsetFetch reports it. */
    public record Committed(long offset, int leaderEpoch, String metadata, long commitTimestamp)
    {
    }

    /** A group as DescribeGroups reports it. */
    public record GroupView(String groupId, GroupState state, String protocolType, String protocolName, List<MemberView> members)
    {
    }

    /** A group as ListGroups reports it: its type ("classic" or "consumer") and state name. */
    public record ListedGroup(String groupId, String type, String protocolType, String state)
    {
    }

    public record MemberView(String memberId, String instanceId, String clientId, String clientHost, byte[] metadata, byte[] assignment)
    {
    }

    /** One partition's commit request. */
    public record CommitRequest(String topic, int partition, long offset, int leaderEpoch, String metadata)
    {
    }

    private static final Logger LOG = LoggerFactory.getLogger(GroupCoordinator.class);

    private final GroupConfig config;
    private final EpochClock clock;
    private final CoordinatorLog log;
    private final Supplier<TopicsImage> topics;
    private final GroupTimers timers;
    private final GroupStateMachine machine;
    private final Consumer<CoordinatorResult<?>> applyTimerResult = result -> apply(result, null);
    private TopicsImage topicsSeen;

    public GroupCoordinator(final Shard shard, final LogManager logManager, final GroupConfig config)
    {
        this(config, shard.clock(), new ShardCoordinatorLog(shard, logManager.registry()), new RegistryTopics(logManager.registry()));
    }

    GroupCoordinator(final GroupConfig config, final EpochClock clock, final CoordinatorLog log, final Supplier<TopicsImage> topics)
    {
        this.config = config;
        this.clock = clock;
        this.log = log;
        this.topics = topics;
        this.timers = new GroupTimers(clock.time());
        this.machine = new GroupStateMachine(config, topics, timers, clock.time());
    }

    public GroupConfig config()
    {
        return config;
    }

    // ---------------------------------------------------------------- classic protocol

    /** {@code respond} runs now, or when the rebalance the member joined completes. */
    public void joinGroup(final JoinGroupRequestData request, final short version, final String clientId, final String clientHost,
        final Consumer<JoinGroupResponseData> respond)
    {
        apply(machine.joinGroup(request, version, clientId, clientHost, clock.time(), respond), null);
    }

    /** {@code respond} runs now, or when the leader's assignment arrives. */
    public void syncGroup(final SyncGroupRequestData request, final Consumer<SyncGroupResponseData> respond)
    {
        apply(machine.syncGroup(request, clock.time(), respond), null);
    }

    public Errors heartbeat(final String groupId, final String memberId, final String instanceId, final int generation)
    {
        return machine.heartbeat(groupId, memberId, instanceId, generation, clock.time());
    }

    /** {@code respond} gets one error per leaving member (by member id, or by instance id for static members). */
    public void leaveGroup(final String groupId, final List<LeaveGroupRequestData.MemberIdentity> members, final Consumer<List<Errors>> respond)
    {
        apply(machine.leaveGroup(groupId, members, clock.time()), respond);
    }

    // ---------------------------------------------------------------- KIP-848 consumer protocol

    /** One heartbeat of the consumer protocol (join, reconcile, leave). */
    public void consumerGroupHeartbeat(final ConsumerGroupHeartbeatRequestData request, final String clientId, final String clientHost,
        final Consumer<ConsumerGroupHeartbeatResponseData> respond)
    {
        apply(machine.consumerGroupHeartbeat(request, clientId, clientHost, clock.time()), respond);
    }

    /** KIP-848 ConsumerGroupDescribe; null if there is no such consumer-protocol group. */
    public ConsumerGroupDescribeResponseData.DescribedGroup describeConsumerGroup(final String groupId)
    {
        return machine.describeConsumerGroup(groupId);
    }

    // ---------------------------------------------------------------- offsets

    /** {@code respond} gets one error per commit, in order, once the accepted ones are durable. */
    public void commitOffsets(final String groupId, final int generation, final String memberId, final String instanceId,
        final List<CommitRequest> commits, final Consumer<List<Errors>> respond)
    {
        apply(machine.commitOffsets(groupId, generation, memberId, instanceId, commits, clock.time()), respond);
    }

    /** Committed offsets of a group: all of them ({@code topics} null) or those asked for (-1 where none); a copy. */
    public Map<String, Map<Integer, Committed>> fetchOffsets(final String groupId, final Map<String, List<Integer>> topicPartitions)
    {
        return machine.fetchOffsets(groupId, topicPartitions);
    }

    /** OffsetDelete: refused for the topics the group is consuming. */
    public void deleteOffsets(final OffsetDeleteRequestData request, final Consumer<OffsetDeleteResponseData> respond)
    {
        apply(machine.deleteOffsets(request), respond);
    }

    // ---------------------------------------------------------------- groups

    /** DeleteGroups for one group: only an empty group (or one that holds only offsets) can be deleted. */
    public void deleteGroup(final String groupId, final Consumer<Errors> respond)
    {
        apply(machine.deleteGroup(groupId), respond);
    }

    /** DescribeGroups for a classic group; null if there is no such group. */
    public GroupView describe(final String groupId)
    {
        return machine.describe(groupId);
    }

    public List<ListedGroup> list()
    {
        return machine.list();
    }

    // ---------------------------------------------------------------- load, replay, append

    /**
     * Replays an offsets partition this shard owns into the state machine: at start-up, for each
     * owned partition, before the shard runs or on its thread.
     */
    public void load(final PartitionLog partitionLog)
    {
        final int[] unreadable = {0};
        OffsetsLogReader.forEachRecord(partitionLog, (key, value) ->
        {
            if (!replayLoaded(key, value))
            {
                unreadable[0]++;
            }
        });
        if (unreadable[0] > 0)
        {
            LOG.warn("{}: skipped {} records that are not in Kafka's group coordinator format", partitionLog.name(), unreadable[0]);
        }
        loaded();
    }

    /** One loaded record, as Kafka's serde wrote it. @return false if it could not be read (skipped). */
    boolean replayLoaded(final ByteBuffer key, final ByteBuffer value)
    {
        final CoordinatorRecord record = GroupRecords.read(key, value);
        if (record != null)
        {
            machine.replay(record);
        }
        return record != null;
    }

    /** After {@link #replayLoaded}: arms the timers of the loaded state. */
    void loaded()
    {
        machine.onLoaded(clock.time());
    }

    /**
     * Appends a result's records (one batch per offsets partition), replays them, and delivers the
     * response and held completions once they are durable. A result without records completes at once.
     */
    private <T> void apply(final CoordinatorResult<T> result, final Consumer<T> respond)
    {
        final List<CoordinatorResult.GroupRecord> records = result.records();
        if (records.isEmpty())
        {
            deliver(result, respond);
            return;
        }
        final Map<Integer, List<CoordinatorRecord>> byPartition = new LinkedHashMap<>();
        for (final CoordinatorResult.GroupRecord record : records)
        {
            byPartition.computeIfAbsent(config.partitionFor(record.groupId()), p -> new ArrayList<>()).add(record.record());
        }
        for (final int partition : byPartition.keySet())
        {
            if (!log.owns(partition))
            {
                LOG.warn("not appending group records: this shard does not own {}-{}", GroupConfig.OFFSETS_TOPIC, partition);
                result.fail();
                if (respond != null && result.response() != null)
                {
                    respond.accept(result.response());
                }
                return;
            }
        }
        final long now = clock.time();
        byPartition.forEach((partition, batch) -> log.append(partition, batch, now));
        for (final CoordinatorResult.GroupRecord record : records)
        {
            machine.replay(record.record());
        }
        log.whenDurable(() -> deliver(result, respond));
    }

    private static <T> void deliver(final CoordinatorResult<T> result, final Consumer<T> respond)
    {
        result.complete();
        if (respond != null && result.response() != null)
        {
            respond.accept(result.response());
        }
    }

    // ---------------------------------------------------------------- duty cycle

    /** Expired timers (sessions, rebalance and revocation timeouts, offsets retention), then topic changes. */
    @Override
    public int doWork(final long nowMs)
    {
        int work = timers.poll(nowMs, applyTimerResult);
        final TopicsImage image = topics.get();
        if (image != topicsSeen)
        {
            topicsSeen = image;
            apply(machine.onTopicsChanged(nowMs), null);
            work++;
        }
        return work;
    }

    /** For tests: the state machine this coordinator drives. */
    GroupStateMachine stateMachine()
    {
        return machine;
    }
}
