package io.runnel.broker.it.protocol;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;

import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.message.AlterConfigsRequestData;
import org.apache.kafka.common.message.ApiVersionsRequestData;
import org.apache.kafka.common.message.ConsumerGroupDescribeRequestData;
import org.apache.kafka.common.message.ConsumerGroupHeartbeatRequestData;
import org.apache.kafka.common.message.CreatePartitionsRequestData;
import org.apache.kafka.common.message.CreateTopicsRequestData;
import org.apache.kafka.common.message.DeleteGroupsRequestData;
import org.apache.kafka.common.message.DeleteTopicsRequestData;
import org.apache.kafka.common.message.DescribeClusterRequestData;
import org.apache.kafka.common.message.DescribeConfigsRequestData;
import org.apache.kafka.common.message.DescribeGroupsRequestData;
import org.apache.kafka.common.message.DescribeQuorumRequestData;
import org.apache.kafka.common.message.FindCoordinatorRequestData;
import org.apache.kafka.common.message.IncrementalAlterConfigsRequestData;
import org.apache.kafka.common.message.InitProducerIdRequestData;
import org.apache.kafka.common.message.LeaveGroupRequestData;
import org.apache.kafka.common.message.ListGroupsRequestData;
import org.apache.kafka.common.message.ListOffsetsRequestData;
import org.apache.kafka.common.message.MetadataRequestData;
import org.apache.kafka.common.message.OffsetCommitRequestData;
import org.apache.kafka.common.message.OffsetDeleteRequestData;
import org.apache.kafka.common.message.OffsetFetchRequestData;
import org.apache.kafka.common.message.OffsetForLeaderEpochRequestData;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.RecordBatch;
import org.apache.kafka.common.record.internal.SimpleRecord;

/**
 * Well-formed request bodies, one builder per API, each setting a field only at the versions
 * that have it (kafka-clients refuses to write a non-default value a version lacks). The sweep
 * sends them with data; the hostile sweep mutates them.
 */
final class SweepRequests
{
    static final int TIMEOUT_MS = 10_000;
    static final long EARLIEST = -2L;
    static final long LATEST = -1L;
    static final long MAX_TIMESTAMP = -3L;
    /** ConfigResource.Type ids on the wire. */
    static final byte TOPIC_RESOURCE = 2;
    static final byte BROKER_RESOURCE = 4;
    /** IncrementalAlterConfigs' SET. */
    static final byte SET_OPERATION = 0;
    /** DescribeCluster v1+: which listeners' endpoints to describe. */
    static final byte BROKER_ENDPOINTS = 1;

    private SweepRequests()
    {
    }

    static ApiVersionsRequestData apiVersions(final short version)
    {
        final ApiVersionsRequestData request = new ApiVersionsRequestData();
        if (version >= 3)
        {
            request.setClientSoftwareName("runnel-version-sweep").setClientSoftwareVersion("1.0");
        }
        return request;
    }

    /**
     * Produce v0-2 as the wire has it (kafka-clients 4.x can no longer write them): acks,
     * timeout, [topic [partition, message set]], the message set in magic 0 (v0-1) or 1 (v2).
     */
    static byte[] produceBeforeV3(final short version, final String topic, final String value)
    {
        final byte magic = version < 2 ? RecordBatch.MAGIC_VALUE_V0 : RecordBatch.MAGIC_VALUE_V1;
        final ByteBuffer messageSet = MemoryRecords.withRecords(magic, Compression.NONE,
            new SimpleRecord(SweepFixture.FIRST_TIMESTAMP, null, value.getBytes(StandardCharsets.UTF_8))).buffer();
        final byte[] name = topic.getBytes(StandardCharsets.UTF_8);
        final ByteBuffer body = ByteBuffer.allocate(2 + 4 + 4 + 2 + name.length + 4 + 4 + 4 + messageSet.remaining());
        body.putShort((short)1).putInt(TIMEOUT_MS);
        body.putInt(1).putShort((short)name.length).put(name);
        body.putInt(1).putInt(0).putInt(messageSet.remaining()).put(messageSet.duplicate());
        return body.array();
    }

    static ListOffsetsRequestData listOffsets(final short version, final String topic, final long timestamp)
    {
        final ListOffsetsRequestData.ListOffsetsPartition partition = new ListOffsetsRequestData.ListOffsetsPartition()
            .setPartitionIndex(0)
            .setTimestamp(timestamp);
        final ListOffsetsRequestData request = new ListOffsetsRequestData()
            .setReplicaId(-1)
            .setTopics(List.of(new ListOffsetsRequestData.ListOffsetsTopic().setName(topic).setPartitions(List.of(partition))));
        if (version >= 10)
        {
            request.setTimeoutMs(TIMEOUT_MS);
        }
        return request;
    }

    static MetadataRequestData metadata(final short version, final String topic)
    {
        final MetadataRequestData request = new MetadataRequestData()
            .setTopics(List.of(new MetadataRequestData.MetadataRequestTopic().setName(topic)));
        if (version >= 4)
        {
            request.setAllowAutoTopicCreation(false);
        }
        return request;
    }

    static CreateTopicsRequestData createTopics(final short version, final String topic, final int partitions)
    {
        final CreateTopicsRequestData.CreatableTopicCollection topics = new CreateTopicsRequestData.CreatableTopicCollection();
        topics.add(new CreateTopicsRequestData.CreatableTopic().setName(topic).setNumPartitions(partitions).setReplicationFactor((short)1));
        return new CreateTopicsRequestData().setTopics(topics).setTimeoutMs(TIMEOUT_MS);
    }

    static DeleteTopicsRequestData deleteTopics(final short version, final String topic)
    {
        final DeleteTopicsRequestData request = new DeleteTopicsRequestData().setTimeoutMs(TIMEOUT_MS);
        // v6 names topics in a struct that may carry an id instead.
        if (version >= 6)
        {
            request.setTopics(List.of(new DeleteTopicsRequestData.DeleteTopicState().setName(topic)));
        }
        else
        {
            request.setTopicNames(List.of(topic));
        }
        return request;
    }

    static CreatePartitionsRequestData createPartitions(final short version, final String topic, final int count)
    {
        final CreatePartitionsRequestData.CreatePartitionsTopicCollection topics = new CreatePartitionsRequestData.CreatePartitionsTopicCollection();
        topics.add(new CreatePartitionsRequestData.CreatePartitionsTopic().setName(topic).setCount(count).setAssignments(null));
        return new CreatePartitionsRequestData().setTopics(topics).setTimeoutMs(TIMEOUT_MS);
    }

    static InitProducerIdRequestData initProducerId(final short version)
    {
        return new InitProducerIdRequestData().setTransactionalId(null).setTransactionTimeoutMs(60_000);
    }

    static DescribeConfigsRequestData describeConfigs(final short version, final String topic)
    {
        return new DescribeConfigsRequestData().setResources(List.of(new DescribeConfigsRequestData.DescribeConfigsResource()
            .setResourceType(TOPIC_RESOURCE)
            .setResourceName(topic)
            .setConfigurationKeys(null)));
    }

    /** One SET of {@code key} on one resource (type 2 topic, 4 broker). */
    static IncrementalAlterConfigsRequestData incrementalAlterConfigs(final short version, final byte resourceType, final String name,
        final String key, final String value, final boolean validateOnly)
    {
        final IncrementalAlterConfigsRequestData.AlterableConfigCollection configs = new IncrementalAlterConfigsRequestData.AlterableConfigCollection();
        configs.add(new IncrementalAlterConfigsRequestData.AlterableConfig().setName(key).setConfigOperation(SET_OPERATION).setValue(value));
        final IncrementalAlterConfigsRequestData.AlterConfigsResourceCollection resources =
            new IncrementalAlterConfigsRequestData.AlterConfigsResourceCollection();
        resources.add(new IncrementalAlterConfigsRequestData.AlterConfigsResource().setResourceType(resourceType).setResourceName(name)
            .setConfigs(configs));
        return new IncrementalAlterConfigsRequestData().setResources(resources).setValidateOnly(validateOnly);
    }

    /** The whole set of one resource's configs: {@code key} alone. */
    static AlterConfigsRequestData alterConfigs(final short version, final byte resourceType, final String name, final String key,
        final String value, final boolean validateOnly)
    {
        final AlterConfigsRequestData.AlterableConfigCollection configs = new AlterConfigsRequestData.AlterableConfigCollection();
        configs.add(new AlterConfigsRequestData.AlterableConfig().setName(key).setValue(value));
        final AlterConfigsRequestData.AlterConfigsResourceCollection resources = new AlterConfigsRequestData.AlterConfigsResourceCollection();
        resources.add(new AlterConfigsRequestData.AlterConfigsResource().setResourceType(resourceType).setResourceName(name).setConfigs(configs));
        return new AlterConfigsRequestData().setResources(resources).setValidateOnly(validateOnly);
    }

    /** What the AdminClient asks (describeMetadataQuorum): KRaft's metadata log, {@code __cluster_metadata-0}. */
    static DescribeQuorumRequestData describeQuorum(final String topic)
    {
        return new DescribeQuorumRequestData().setTopics(List.of(new DescribeQuorumRequestData.TopicData().setTopicName(topic)
            .setPartitions(List.of(new DescribeQuorumRequestData.PartitionData().setPartitionIndex(0)))));
    }

    static DescribeClusterRequestData describeCluster(final short version)
    {
        final DescribeClusterRequestData request = new DescribeClusterRequestData();
        if (version >= 1)
        {
            request.setEndpointType(BROKER_ENDPOINTS);
        }
        return request;
    }

    static FindCoordinatorRequestData findCoordinator(final short version, final String groupId)
    {
        // v4 batches keys; before it, one key per request.
        return version >= 4
            ? new FindCoordinatorRequestData().setCoordinatorKeys(List.of(groupId))
            : new FindCoordinatorRequestData().setKey(groupId);
    }

    static LeaveGroupRequestData leaveGroup(final short version, final String groupId, final String memberId)
    {
        final LeaveGroupRequestData request = new LeaveGroupRequestData().setGroupId(groupId);
        // v3 batches members; before it, one member id.
        if (version >= 3)
        {
            final LeaveGroupRequestData.MemberIdentity member = new LeaveGroupRequestData.MemberIdentity().setMemberId(memberId);
            if (version >= 5)
            {
                member.setReason("version sweep");
            }
            request.setMembers(List.of(member));
        }
        else
        {
            request.setMemberId(memberId);
        }
        return request;
    }

    static OffsetCommitRequestData offsetCommit(final short version, final String groupId, final int generation,
        final String memberId, final String topic, final Uuid topicId, final long offset, final String metadata)
    {
        final OffsetCommitRequestData.OffsetCommitRequestTopic committed = new OffsetCommitRequestData.OffsetCommitRequestTopic()
            .setPartitions(List.of(new OffsetCommitRequestData.OffsetCommitRequestPartition()
                .setPartitionIndex(0)
                .setCommittedOffset(offset)
                .setCommittedMetadata(metadata)));
        // v10 names topics by id only.
        if (version >= 10)
        {
            committed.setTopicId(topicId);
        }
        else
        {
            committed.setName(topic);
        }
        return new OffsetCommitRequestData()
            .setGroupId(groupId)
            .setGenerationIdOrMemberEpoch(generation)
            .setMemberId(memberId)
            .setTopics(List.of(committed));
    }

    static OffsetFetchRequestData offsetFetch(final short version, final String groupId, final String topic, final Uuid topicId)
    {
        // v8 batches groups; before it, one group per request.
        if (version < 8)
        {
            return new OffsetFetchRequestData()
                .setGroupId(groupId)
                .setTopics(List.of(new OffsetFetchRequestData.OffsetFetchRequestTopic().setName(topic).setPartitionIndexes(List.of(0))));
        }
        final OffsetFetchRequestData.OffsetFetchRequestTopics topics = new OffsetFetchRequestData.OffsetFetchRequestTopics()
            .setPartitionIndexes(List.of(0));
        if (version >= 10)
        {
            topics.setTopicId(topicId);
        }
        else
        {
            topics.setName(topic);
        }
        return new OffsetFetchRequestData().setGroups(List.of(new OffsetFetchRequestData.OffsetFetchRequestGroup()
            .setGroupId(groupId)
            .setTopics(List.of(topics))));
    }

    static DescribeGroupsRequestData describeGroups(final short version, final String groupId)
    {
        return new DescribeGroupsRequestData().setGroups(List.of(groupId));
    }

    static ListGroupsRequestData listGroups(final short version)
    {
        return new ListGroupsRequestData();
    }

    static DeleteGroupsRequestData deleteGroups(final short version, final String groupId)
    {
        return new DeleteGroupsRequestData().setGroupsNames(List.of(groupId));
    }

    static OffsetDeleteRequestData offsetDelete(final short version, final String groupId, final String topic)
    {
        final OffsetDeleteRequestData.OffsetDeleteRequestTopicCollection topics = new OffsetDeleteRequestData.OffsetDeleteRequestTopicCollection();
        topics.add(new OffsetDeleteRequestData.OffsetDeleteRequestTopic()
            .setName(topic)
            .setPartitions(List.of(new OffsetDeleteRequestData.OffsetDeleteRequestPartition().setPartitionIndex(0))));
        return new OffsetDeleteRequestData().setGroupId(groupId).setTopics(topics);
    }

    /** A first heartbeat (epoch 0) subscribing to {@code topic}; v1 members name themselves (KIP-1082). */
    static ConsumerGroupHeartbeatRequestData consumerGroupJoin(final short version, final String groupId, final String topic)
    {
        return new ConsumerGroupHeartbeatRequestData()
            .setGroupId(groupId)
            .setMemberId(version >= 1 ? Uuid.randomUuid().toString() : "")
            .setMemberEpoch(0)
            .setRebalanceTimeoutMs(TIMEOUT_MS)
            .setSubscribedTopicNames(List.of(topic))
            .setTopicPartitions(List.of());
    }

    static ConsumerGroupDescribeRequestData consumerGroupDescribe(final short version, final String groupId)
    {
        return new ConsumerGroupDescribeRequestData().setGroupIds(List.of(groupId));
    }

    static OffsetForLeaderEpochRequestData offsetForLeaderEpoch(final short version, final String topic, final int leaderEpoch)
    {
        final OffsetForLeaderEpochRequestData.OffsetForLeaderTopicCollection topics = new OffsetForLeaderEpochRequestData.OffsetForLeaderTopicCollection();
        topics.add(new OffsetForLeaderEpochRequestData.OffsetForLeaderTopic()
            .setTopic(topic)
            .setPartitions(List.of(new OffsetForLeaderEpochRequestData.OffsetForLeaderPartition()
                .setPartition(0)
                .setCurrentLeaderEpoch(leaderEpoch)
                .setLeaderEpoch(leaderEpoch))));
        final OffsetForLeaderEpochRequestData request = new OffsetForLeaderEpochRequestData().setTopics(topics);
        if (version >= 3)
        {
            // A consumer, not a follower.
            request.setReplicaId(-1);
        }
        return request;
    }
}
