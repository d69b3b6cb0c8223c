package io.runnel.coordinator.group;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;

import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.coordinator.common.runtime.CoordinatorRecord;
import org.apache.kafka.coordinator.group.GroupCoordinatorRecordSerde;
import org.apache.kafka.coordinator.group.generated.ConsumerGroupCurrentMemberAssignmentKey;
import org.apache.kafka.coordinator.group.generated.ConsumerGroupCurrentMemberAssignmentValue;
import org.apache.kafka.coordinator.group.generated.ConsumerGroupMemberMetadataKey;
import org.apache.kafka.coordinator.group.generated.ConsumerGroupMemberMetadataValue;
import org.apache.kafka.coordinator.group.generated.ConsumerGroupMetadataKey;
import org.apache.kafka.coordinator.group.generated.ConsumerGroupMetadataValue;
import org.apache.kafka.coordinator.group.generated.ConsumerGroupTargetAssignmentMemberKey;
import org.apache.kafka.coordinator.group.generated.ConsumerGroupTargetAssignmentMemberValue;
import org.apache.kafka.coordinator.group.generated.ConsumerGroupTargetAssignmentMetadataKey;
import org.apache.kafka.coordinator.group.generated.ConsumerGroupTargetAssignmentMetadataValue;
import org.apache.kafka.coordinator.group.generated.GroupMetadataKey;
import org.apache.kafka.coordinator.group.generated.GroupMetadataValue;
import org.apache.kafka.coordinator.group.generated.OffsetCommitKey;
import org.apache.kafka.coordinator.group.generated.OffsetCommitValue;
import org.apache.kafka.server.common.ApiMessageAndVersion;

/**
 * The records Runnel keeps in {@code __consumer_offsets}, in Kafka's own format: Kafka's
 * generated key/value classes, written at the value versions Kafka 4.4 writes, and Kafka's serde
 * (a big-endian short record type before the key, a short version before the value). A record
 * with a null value (a tombstone) deletes its key. Kafka's tools therefore decode our segments.
 */
final class GroupRecords
{
    /** Kafka writes OffsetCommitValue v4 unless a (long deprecated) expire timestamp is set. */
    private static final short OFFSET_COMMIT_VALUE_VERSION = 4;
    /** Kafka's GroupCoordinatorRecordHelpers writes GroupMetadataValue v3. */
    private static final short GROUP_METADATA_VALUE_VERSION = 3;
    /** The KIP-848 records have a single version. */
    private static final short CONSUMER_GROUP_VALUE_VERSION = 0;
    private static final GroupCoordinatorRecordSerde SERDE = new GroupCoordinatorRecordSerde();

    private GroupRecords()
    {
    }

    // ---------------------------------------------------------------- serde

    static byte[] key(final CoordinatorRecord record)
    {
        return SERDE.serializeKey(record);
    }

    /** @return the value bytes, or null for a tombstone */
    static byte[] value(final CoordinatorRecord record)
    {
        return SERDE.serializeValue(record);
    }

    /**
     * @return the record, or null if it cannot be read: a record type Kafka does not know, or bytes
     *         that are not Kafka's format (such as the layout Runnel used before it wrote Kafka's)
     */
    static CoordinatorRecord read(final ByteBuffer key, final ByteBuffer value)
    {
        try
        {
            return SERDE.deserialize(key.duplicate(), value == null ? null : value.duplicate());
        }
        catch (final RuntimeException ex)
        {
            // Deserializer.UnknownRecordTypeException, or a value that does not parse.
            return null;
        }
    }

    private static CoordinatorRecord record(final ApiMessage key, final ApiMessage value, final short version)
    {
        return CoordinatorRecord.record(key, new ApiMessageAndVersion(value, version));
    }

    // ---------------------------------------------------------------- offsets and classic groups

    static CoordinatorRecord offsetCommit(final String groupId, final String topic, final int partition, final GroupCoordinator.Committed committed)
    {
        return record(new OffsetCommitKey().setGroup(groupId).setTopic(topic).setPartition(partition),
            new OffsetCommitValue().setOffset(committed.offset()).setLeaderEpoch(committed.leaderEpoch())
                .setMetadata(committed.metadata() == null ? "" : committed.metadata()).setCommitTimestamp(committed.commitTimestamp()),
            OFFSET_COMMIT_VALUE_VERSION);
    }

    static CoordinatorRecord offsetCommitTombstone(final String groupId, final String topic, final int partition)
    {
        return CoordinatorRecord.tombstone(new OffsetCommitKey().setGroup(groupId).setTopic(topic).setPartition(partition));
    }

    static CoordinatorRecord groupMetadata(final String groupId, final GroupMetadataValue value)
    {
        return record(new GroupMetadataKey().setGroup(groupId), value, GROUP_METADATA_VALUE_VERSION);
    }

    static CoordinatorRecord groupMetadataTombstone(final String groupId)
    {
        return CoordinatorRecord.tombstone(new GroupMetadataKey().setGroup(groupId));
    }

    // ---------------------------------------------------------------- KIP-848 consumer groups

    static CoordinatorRecord consumerGroupEpoch(final String groupId, final int epoch, final long metadataHash)
    {
        return record(new ConsumerGroupMetadataKey().setGroupId(groupId),
            new ConsumerGroupMetadataValue().setEpoch(epoch).setMetadataHash(metadataHash), CONSUMER_GROUP_VALUE_VERSION);
    }

    static CoordinatorRecord consumerGroupEpochTombstone(final String groupId)
    {
        return CoordinatorRecord.tombstone(new ConsumerGroupMetadataKey().setGroupId(groupId));
    }

    static CoordinatorRecord memberSubscription(final String groupId, final ConsumerGroup.ConsumerMember member)
    {
        return record(new ConsumerGroupMemberMetadataKey().setGroupId(groupId).setMemberId(member.memberId),
            new ConsumerGroupMemberMetadataValue().setInstanceId(member.instanceId).setRackId(member.rackId)
                .setClientId(member.clientId).setClientHost(member.clientHost)
                .setSubscribedTopicNames(new ArrayList<>(member.subscribedTopics)).setSubscribedTopicRegex(null)
                .setRebalanceTimeoutMs(member.rebalanceTimeoutMs).setServerAssignor(member.serverAssignor),
            CONSUMER_GROUP_VALUE_VERSION);
    }

    static CoordinatorRecord memberSubscriptionTombstone(final String groupId, final String memberId)
    {
        return CoordinatorRecord.tombstone(new ConsumerGroupMemberMetadataKey().setGroupId(groupId).setMemberId(memberId));
    }

    static CoordinatorRecord targetAssignment(final String groupId, final String memberId, final Assignment assignment)
    {
        final List<ConsumerGroupTargetAssignmentMemberValue.TopicPartition> topics = new ArrayList<>();
        assignment.partitions.forEach((topic, partitions) ->
        {
            if (!partitions.isEmpty())
            {
                topics.add(new ConsumerGroupTargetAssignmentMemberValue.TopicPartition().setTopicId(topic)
                    .setPartitions(new ArrayList<>(partitions)));
            }
        });
        return record(new ConsumerGroupTargetAssignmentMemberKey().setGroupId(groupId).setMemberId(memberId),
            new ConsumerGroupTargetAssignmentMemberValue().setTopicPartitions(topics), CONSUMER_GROUP_VALUE_VERSION);
    }

    static CoordinatorRecord targetAssignmentTombstone(final String groupId, final String memberId)
    {
        return CoordinatorRecord.tombstone(new ConsumerGroupTargetAssignmentMemberKey().setGroupId(groupId).setMemberId(memberId));
    }

    static CoordinatorRecord targetAssignmentEpoch(final String groupId, final int assignmentEpoch, final long timestampMs)
    {
        return record(new ConsumerGroupTargetAssignmentMetadataKey().setGroupId(groupId),
            new ConsumerGroupTargetAssignmentMetadataValue().setAssignmentEpoch(assignmentEpoch).setAssignmentTimestamp(timestampMs),
            CONSUMER_GROUP_VALUE_VERSION);
    }

    static CoordinatorRecord targetAssignmentEpochTombstone(final String groupId)
    {
        return CoordinatorRecord.tombstone(new ConsumerGroupTargetAssignmentMetadataKey().setGroupId(groupId));
    }

    static CoordinatorRecord currentAssignment(final String groupId, final ConsumerGroup.ConsumerMember member)
    {
        return record(new ConsumerGroupCurrentMemberAssignmentKey().setGroupId(groupId).setMemberId(member.memberId),
            new ConsumerGroupCurrentMemberAssignmentValue().setMemberEpoch(member.memberEpoch)
                .setPreviousMemberEpoch(member.previousMemberEpoch).setState(member.state)
                .setAssignedPartitions(currentPartitions(member.current))
                .setPartitionsPendingRevocation(currentPartitions(member.revoking)),
            CONSUMER_GROUP_VALUE_VERSION);
    }

    static CoordinatorRecord currentAssignmentTombstone(final String groupId, final String memberId)
    {
        return CoordinatorRecord.tombstone(new ConsumerGroupCurrentMemberAssignmentKey().setGroupId(groupId).setMemberId(memberId));
    }

    private static List<ConsumerGroupCurrentMemberAssignmentValue.TopicPartitions> currentPartitions(final Assignment assignment)
    {
        final List<ConsumerGroupCurrentMemberAssignmentValue.TopicPartitions> topics = new ArrayList<>();
        assignment.partitions.forEach((topic, partitions) ->
        {
            if (!partitions.isEmpty())
            {
                topics.add(new ConsumerGroupCurrentMemberAssignmentValue.TopicPartitions().setTopicId(topic)
                    .setPartitions(new ArrayList<>(partitions)));
            }
        });
        return topics;
    }

    static Assignment fromTarget(final List<ConsumerGroupTargetAssignmentMemberValue.TopicPartition> topics)
    {
        final Assignment assignment = new Assignment();
        for (final ConsumerGroupTargetAssignmentMemberValue.TopicPartition topic : topics)
        {
            addAll(assignment, topic.topicId(), topic.partitions());
        }
        return assignment;
    }

    static Assignment fromCurrent(final List<ConsumerGroupCurrentMemberAssignmentValue.TopicPartitions> topics)
    {
        final Assignment assignment = new Assignment();
        for (final ConsumerGroupCurrentMemberAssignmentValue.TopicPartitions topic : topics)
        {
            addAll(assignment, topic.topicId(), topic.partitions());
        }
        return assignment;
    }

    private static void addAll(final Assignment assignment, final Uuid topic, final List<Integer> partitions)
    {
        if (!partitions.isEmpty())
        {
            assignment.partitions.computeIfAbsent(topic, t -> new TreeSet<>()).addAll(partitions);
        }
    }
}
