package io.runnel.coordinator.group;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Supplier;

import io.runnel.kernel.LogManager;
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
import org.apache.kafka.common.errors.NotCoordinatorException;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.coordinator.common.runtime.CoordinatorRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The group coordinator of one shard (Kafka's coordinator runtime for its shard): the groups of
 * the {@code __consumer_offsets} partitions this shard owns and this node leads, and their
 * committed offsets. Each such partition is loaded into its own {@link OffsetsPartition} (state
 * machine and timers) when this node becomes its leader, by replaying the partition's log, and is
 * dropped when the leadership moves: the partition's new leader, which replicated the same
 * records, loads them in turn. Every operation runs the same way: the {@link GroupStateMachine}
 * validates and returns records; they are appended to the group's offsets partition and replayed
 * into the state machine (the only way state changes); the response goes out once they are
 * committed (durable, and in every in-sync replica). A {@link ShardDuty} on the owning shard's
 * thread: no locks.
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
    /** How often the duty cycle looks for offsets partitions whose leadership moved (both ways). */
    private static final long LEADERSHIP_SWEEP_INTERVAL_MS = 10;

    private final GroupConfig config;
    private final EpochClock clock;
    private final CoordinatorLog log;
    private final Supplier<TopicsImage> topics;
    /** The loaded offsets partitions by index, null where none: walked in partition order without allocating. */
    private final OffsetsPartition[] loaded;
    private int loadedCount;
    private TopicsImage topicsSeen;
    private long lastSweepMs;
    /**
     * Timers have millisecond deadlines: they are polled once a millisecond, not every duty cycle,
     * and again at once while a poll fired some (what they did may have set others due now).
     */
    private long lastTimerPollMs = Long.MIN_VALUE;
    private boolean timersFired;

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
        this.loaded = new OffsetsPartition[config.offsetsTopicPartitions()];
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
        final OffsetsPartition partition = coordinating(request.groupId());
        apply(partition, partition.machine.joinGroup(request, version, clientId, clientHost, clock.time(), respond), null);
    }

    /** {@code respond} runs now, or when the leader's assignment arrives. */
    public void syncGroup(final SyncGroupRequestData request, final Consumer<SyncGroupResponseData> respond)
    {
        final OffsetsPartition partition = coordinating(request.groupId());
        apply(partition, partition.machine.syncGroup(request, clock.time(), respond), null);
    }

    public Errors heartbeat(final String groupId, final String memberId, final String instanceId, final int generation)
    {
        return coordinating(groupId).machine.heartbeat(groupId, memberId, instanceId, generation, clock.time());
    }

    /** {@code respond} gets one error per leaving member (by member id, or by instance id for static members). */
    public void leaveGroup(final String groupId, final List<LeaveGroupRequestData.MemberIdentity> members, final Consumer<List<Errors>> respond)
    {
        final OffsetsPartition partition = coordinating(groupId);
        apply(partition, partition.machine.leaveGroup(groupId, members, clock.time()), respond);
    }

    // ---------------------------------------------------------------- KIP-848 consumer protocol

    /** One heartbeat of the consumer protocol (join, reconcile, leave). */
    public void consumerGroupHeartbeat(final ConsumerGroupHeartbeatRequestData request, final String clientId, final String clientHost,
        final Consumer<ConsumerGroupHeartbeatResponseData> respond)
    {
        final OffsetsPartition partition = coordinating(request.groupId());
        apply(partition, partition.machine.consumerGroupHeartbeat(request, clientId, clientHost, clock.time()), respond);
    }

    /** KIP-848 ConsumerGroupDescribe; null if there is no such consumer-protocol group. */
    public ConsumerGroupDescribeResponseData.DescribedGroup describeConsumerGroup(final String groupId)
    {
        return coordinating(groupId).machine.describeConsumerGroup(groupId);
    }

    // ---------------------------------------------------------------- offsets

    /** {@code respond} gets one error per commit, in order, once the accepted ones are committed. */
    public void commitOffsets(final String groupId, final int generation, final String memberId, final String instanceId,
        final List<CommitRequest> commits, final Consumer<List<Errors>> respond)
    {
        final OffsetsPartition partition = coordinating(groupId);
        apply(partition, partition.machine.commitOffsets(groupId, generation, memberId, instanceId, commits, clock.time()), respond);
    }

    /** Committed offsets of a group: all of them ({@code topics} null) or those asked for (-1 where none); a copy. */
    public Map<String, Map<Integer, Committed>> fetchOffsets(final String groupId, final Map<String, List<Integer>> topicPartitions)
    {
        return coordinating(groupId).machine.fetchOffsets(groupId, topicPartitions);
    }

    /** OffsetDelete: refused for the topics the group is consuming. */
    public void deleteOffsets(final OffsetDeleteRequestData request, final Consumer<OffsetDeleteResponseData> respond)
    {
        final OffsetsPartition partition = coordinating(request.groupId());
        apply(partition, partition.machine.deleteOffsets(request), respond);
    }

    // ---------------------------------------------------------------- groups

    /** DeleteGroups for one group: only an empty group (or one that holds only offsets) can be deleted. */
    public void deleteGroup(final String groupId, final Consumer<Errors> respond)
    {
        final OffsetsPartition partition = coordinating(groupId);
        apply(partition, partition.machine.deleteGroup(groupId), respond);
    }

    /** DescribeGroups for a classic group; null if there is no such group. */
    public GroupView describe(final String groupId)
    {
        return coordinating(groupId).machine.describe(groupId);
    }

    /** The groups of every offsets partition this coordinator serves now, in partition order. */
    public List<ListedGroup> list()
    {
        sweepLeadership(clock.time());
        final List<ListedGroup> all = new ArrayList<>();
        for (final OffsetsPartition partition : loaded)
        {
            if (partition != null)
            {
                all.addAll(partition.machine.list());
            }
        }
        return all;
    }

    // ---------------------------------------------------------------- leadership: load and unload

    /**
     * The loaded offsets partition of {@code groupId}, loading it first if this node has just become
     * its leader.
     *
     * @throws NotCoordinatorException if this node does not lead the group's offsets partition
     *                                 (here): the client looks the coordinator up again.
     */
    private OffsetsPartition coordinating(final String groupId)
    {
        final int index = config.partitionFor(groupId);
        final OffsetsPartition partition = current(index, clock.time());
        if (partition == null)
        {
            throw new NotCoordinatorException("this broker does not lead " + GroupConfig.OFFSETS_TOPIC + "-" + index + ", the partition of group " +
                groupId);
        }
        return partition;
    }

    /** Brings partition {@code index} in line with its leadership now: loaded at the current epoch if led here, else not loaded. */
    private OffsetsPartition current(final int index, final long nowMs)
    {
        final int epoch = log.leaderEpochIfLed(index);
        final OffsetsPartition existing = loaded[index];
        if (existing != null && existing.leaderEpoch == epoch)
        {
            return existing;
        }
        if (existing != null)
        {
            unload(existing);
        }
        return epoch == CoordinatorLog.NOT_LED ? null : load(index, epoch, nowMs);
    }

    /** Loads or unloads the partitions whose leadership moved; cheap enough to run every few milliseconds. */
    private int sweepLeadership(final long nowMs)
    {
        int changed = 0;
        for (int index = 0; index < config.offsetsTopicPartitions(); index++)
        {
            final OffsetsPartition before = loaded[index];
            if (current(index, nowMs) != before)
            {
                changed++;
            }
        }
        return changed;
    }

    /**
     * Replays the partition's records, oldest first, into a fresh state machine: at start-up and
     * whenever this node becomes the partition's leader. Its whole log, past the high watermark too:
     * a new leader's high watermark may lag what the old one acknowledged, and the leader's log is
     * what every replica will hold.
     */
    private OffsetsPartition load(final int index, final int leaderEpoch, final long nowMs)
    {
        final long startNs = System.nanoTime();
        final OffsetsPartition partition = new OffsetsPartition(index, leaderEpoch, config, topics, nowMs);
        partition.applyTimerResult = result -> apply(partition, result, null);
        final int[] counts = new int[2];
        log.forEachRecord(index, (key, value) ->
        {
            final CoordinatorRecord record = GroupRecords.read(key, value);
            if (record == null)
            {
                counts[1]++;
                return;
            }
            partition.machine.replay(record);
            counts[0]++;
        });
        if (counts[1] > 0)
        {
            LOG.warn("{}-{}: skipped {} records that are not in Kafka's group coordinator format", GroupConfig.OFFSETS_TOPIC, index, counts[1]);
        }
        partition.machine.onLoaded(nowMs);
        loaded[index] = partition;
        loadedCount++;
        LOG.info("coordinating the groups of {}-{} at leader epoch {}: {} records loaded in {} ms", GroupConfig.OFFSETS_TOPIC, index,
            leaderEpoch, counts[0], (System.nanoTime() - startNs) / 1_000_000);
        return partition;
    }

    /** This node no longer leads the partition (or leads it at another epoch): its groups go, held requests are answered. */
    private void unload(final OffsetsPartition partition)
    {
        loaded[partition.index] = null;
        loadedCount--;
        partition.machine.onUnloaded();
        LOG.info("no longer coordinating the groups of {}-{} (loaded at leader epoch {})", GroupConfig.OFFSETS_TOPIC, partition.index,
            partition.leaderEpoch);
    }

    // ---------------------------------------------------------------- append, replay, commit

    /**
     * Appends a result's records (one batch to the partition), replays them, and delivers the
     * response and held completions once they are committed. A result without records completes at once.
     */
    private <T> void apply(final OffsetsPartition partition, final CoordinatorResult<T> result, final Consumer<T> respond)
    {
        final List<CoordinatorResult.GroupRecord> records = result.records();
        if (records.isEmpty())
        {
            deliver(result, respond);
            return;
        }
        final List<CoordinatorRecord> batch = new ArrayList<>(records.size());
        for (final CoordinatorResult.GroupRecord record : records)
        {
            batch.add(record.record());
        }
        final long endOffset;
        try
        {
            endOffset = log.append(partition.index, batch, clock.time());
        }
        catch (final RuntimeException ex)
        {
            LOG.warn("{}-{}: group records not appended: {}", GroupConfig.OFFSETS_TOPIC, partition.index, ex.getMessage());
            fail(result, respond);
            return;
        }
        for (final CoordinatorRecord record : batch)
        {
            partition.machine.replay(record);
        }
        log.whenCommitted(partition.index, partition.leaderEpoch, endOffset, committed ->
        {
            if (committed)
            {
                deliver(result, respond);
            }
            else
            {
                // Replayed but not committed: if the leadership moved, the partition is unloaded and
                // its next leader decides what stays; the client retries either way.
                fail(result, respond);
            }
        });
    }

    private static <T> void deliver(final CoordinatorResult<T> result, final Consumer<T> respond)
    {
        result.complete();
        if (respond != null && result.response() != null)
        {
            respond.accept(result.response());
        }
    }

    private static <T> void fail(final CoordinatorResult<T> result, final Consumer<T> respond)
    {
        result.fail();
        if (respond != null && result.response() != null)
        {
            respond.accept(result.response());
        }
    }

    // ---------------------------------------------------------------- duty cycle

    /** Leadership moves (every few ms), expired timers (sessions, rebalance and revocation timeouts, offsets retention), topic changes. */
    @Override
    public int doWork(final long nowMs)
    {
        int work = 0;
        if (nowMs - lastSweepMs >= LEADERSHIP_SWEEP_INTERVAL_MS)
        {
            lastSweepMs = nowMs;
            work += sweepLeadership(nowMs);
        }
        if (loadedCount == 0)
        {
            return work;
        }
        if (nowMs != lastTimerPollMs || timersFired)
        {
            lastTimerPollMs = nowMs;
            int fired = 0;
            for (final OffsetsPartition partition : loaded)
            {
                if (partition != null)
                {
                    fired += partition.timers.poll(nowMs, partition.applyTimerResult);
                }
            }
            timersFired = fired > 0;
            work += fired;
        }
        final TopicsImage image = topics.get();
        if (image != topicsSeen)
        {
            topicsSeen = image;
            for (final OffsetsPartition partition : loaded)
            {
                if (partition != null)
                {
                    apply(partition, partition.machine.onTopicsChanged(nowMs), null);
                }
            }
            work++;
        }
        return work;
    }

    /** For tests: the state machine that holds {@code groupId} (loaded if need be). */
    GroupStateMachine stateMachine(final String groupId)
    {
        return coordinating(groupId).machine;
    }
}
