package io.runnel.coordinator.group;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Predicate;

import io.runnel.coordinator.group.GroupCoordinator.Committed;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.coordinator.group.generated.OffsetCommitValue;

/**
 * Committed offsets (Kafka's {@code OffsetMetadataManager}): one OffsetCommit record per group,
 * topic and partition; a tombstone deletes it. Handlers validate and return records;
 * {@link #replay} is the only code that changes the offsets.
 */
final class OffsetManager
{
    private static final Committed NONE_COMMITTED = new Committed(-1, -1, "", -1);

    private final GroupConfig config;
    private final Map<String, Map<String, Map<Integer, Committed>>> offsets = new HashMap<>();

    OffsetManager(final GroupConfig config)
    {
        this.config = config;
    }

    void replay(final String groupId, final String topic, final int partition, final OffsetCommitValue value)
    {
        if (value != null)
        {
            offsets.computeIfAbsent(groupId, g -> new HashMap<>()).computeIfAbsent(topic, t -> new TreeMap<>())
                .put(partition, new Committed(value.offset(), value.leaderEpoch(), value.metadata(), value.commitTimestamp()));
            return;
        }
        final Map<String, Map<Integer, Committed>> groupOffsets = offsets.get(groupId);
        final Map<Integer, Committed> topicOffsets = groupOffsets == null ? null : groupOffsets.get(topic);
        if (topicOffsets != null && topicOffsets.remove(partition) != null && topicOffsets.isEmpty())
        {
            groupOffsets.remove(topic);
            if (groupOffsets.isEmpty())
            {
                offsets.remove(groupId);
            }
        }
    }

    boolean hasOffsets(final String groupId)
    {
        return offsets.containsKey(groupId);
    }

    Iterable<String> groupIds()
    {
        return offsets.keySet();
    }

    /**
     * Adds the records of the commits that pass the per-partition checks to {@code result};
     * {@code groupError} (null if none) fails them all.
     *
     * @return one error per commit, in order
     */
    List<Errors> commit(final String groupId, final Errors groupError, final List<GroupCoordinator.CommitRequest> commits,
        final TopicsImage topics, final long nowMs, final CoordinatorResult<?> result)
    {
        final List<Errors> errors = new ArrayList<>(commits.size());
        for (final GroupCoordinator.CommitRequest commit : commits)
        {
            Errors error = groupError;
            if (error == null)
            {
                if (commit.partition() < 0 || commit.partition() >= topics.partitionCount(commit.topic()))
                {
                    error = Errors.UNKNOWN_TOPIC_OR_PARTITION;
                }
                else if (commit.metadata() != null && commit.metadata().length() > config.maxMetadataBytes())
                {
                    error = Errors.OFFSET_METADATA_TOO_LARGE;
                }
            }
            errors.add(error == null ? Errors.NONE : error);
            if (error == null)
            {
                result.record(groupId, GroupRecords.offsetCommit(groupId, commit.topic(), commit.partition(),
                    new Committed(commit.offset(), commit.leaderEpoch(), commit.metadata(), nowMs)));
            }
        }
        return errors;
    }

    /** Committed offsets of a group: all of them ({@code topics} null) or those asked for (-1 where none). A copy. */
    Map<String, Map<Integer, Committed>> fetch(final String groupId, final Map<String, List<Integer>> topics)
    {
        final Map<String, Map<Integer, Committed>> stored = offsets.getOrDefault(groupId, Map.of());
        final Map<String, Map<Integer, Committed>> result = new TreeMap<>();
        if (topics == null)
        {
            stored.forEach((topic, partitions) -> result.put(topic, new TreeMap<>(partitions)));
            return result;
        }
        topics.forEach((topic, partitions) ->
        {
            final Map<Integer, Committed> found = new TreeMap<>();
            final Map<Integer, Committed> forTopic = stored.getOrDefault(topic, Map.of());
            for (final int partition : partitions)
            {
                found.put(partition, forTopic.getOrDefault(partition, NONE_COMMITTED));
            }
            result.put(topic, found);
        });
        return result;
    }

    /** Tombstones for the committed ones among {@code partitions} of a topic. */
    void delete(final String groupId, final String topic, final List<Integer> partitions, final CoordinatorResult<?> result)
    {
        final Map<Integer, Committed> forTopic = offsets.getOrDefault(groupId, Map.of()).get(topic);
        if (forTopic == null)
        {
            return;
        }
        for (final int partition : partitions)
        {
            if (forTopic.containsKey(partition))
            {
                result.record(groupId, GroupRecords.offsetCommitTombstone(groupId, topic, partition));
            }
        }
    }

    /** Tombstones for every offset of a group (DeleteGroups). */
    void deleteAll(final String groupId, final CoordinatorResult<?> result)
    {
        offsets.getOrDefault(groupId, Map.of()).forEach((topic, partitions) -> partitions.keySet().forEach(partition ->
            result.record(groupId, GroupRecords.offsetCommitTombstone(groupId, topic, partition))));
    }

    /**
     * offsets.retention.minutes: tombstones for the offsets, older than the retention period, of
     * groups that have no members ({@code hasMembers}).
     */
    CoordinatorResult<Void> expire(final long nowMs, final Predicate<String> hasMembers)
    {
        final CoordinatorResult<Void> result = new CoordinatorResult<>();
        offsets.forEach((groupId, topics) ->
        {
            if (hasMembers.test(groupId))
            {
                return;
            }
            topics.forEach((topic, partitions) -> partitions.forEach((partition, committed) ->
            {
                if (nowMs - committed.commitTimestamp() >= config.offsetsRetentionMs())
                {
                    result.record(groupId, GroupRecords.offsetCommitTombstone(groupId, topic, partition));
                }
            }));
        });
        return result;
    }
}
