package io.runnel.broker.it;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.BiFunction;

import io.runnel.broker.testing.RawKafkaClient;
import io.runnel.broker.testing.TestBroker;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.message.AlterConfigsRequestData;
import org.apache.kafka.common.message.ApiVersionsResponseData;
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
import org.apache.kafka.common.message.AlterReplicaLogDirsRequestData;
import org.apache.kafka.common.message.DeleteRecordsRequestData;
import org.apache.kafka.common.message.DescribeLogDirsRequestData;
import org.apache.kafka.common.message.HeartbeatRequestData;
import org.apache.kafka.common.message.IncrementalAlterConfigsRequestData;
import org.apache.kafka.common.message.InitProducerIdRequestData;
import org.apache.kafka.common.message.JoinGroupRequestData;
import org.apache.kafka.common.message.LeaveGroupRequestData;
import org.apache.kafka.common.message.ListGroupsRequestData;
import org.apache.kafka.common.message.ListOffsetsRequestData;
import org.apache.kafka.common.message.MetadataRequestData;
import org.apache.kafka.common.message.OffsetCommitRequestData;
import org.apache.kafka.common.message.OffsetDeleteRequestData;
import org.apache.kafka.common.message.OffsetFetchRequestData;
import org.apache.kafka.common.message.OffsetForLeaderEpochRequestData;
import org.apache.kafka.common.message.ResponseHeaderData;
import org.apache.kafka.common.message.SyncGroupRequestData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.ByteBufferAccessor;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.AbstractResponse;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every control-plane (API, version) that ApiVersions advertises is asked once, on one
 * connection, with a request that names real topics and groups; each is answered, the answer
 * parses at its version, and no answer carries UNSUPPORTED_VERSION or UNKNOWN_SERVER_ERROR (what
 * a response the broker could not write at that version comes back as). Produce and Fetch have
 * tests of their own.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ControlPlaneVersionsTest
{
    private static final String TOPIC = "versions";
    private static final String GROWN = "versions-grown";
    private static final String GROUP = "versions-group";
    private static final Set<ApiKeys> DATA_PLANE = Set.of(ApiKeys.PRODUCE, ApiKeys.FETCH);
    private static final Set<Errors> BROKEN = Set.of(Errors.UNSUPPORTED_VERSION, Errors.UNKNOWN_SERVER_ERROR, Errors.CORRUPT_MESSAGE);

    @TempDir
    Path dataDir;

    private Uuid topicId;

    @Test
    void everyAdvertisedControlPlaneVersionIsAnswered() throws Exception
    {
        try (TestBroker broker = TestBroker.start(dataDir, Map.of()))
        {
            try (Admin admin = broker.admin())
            {
                admin.createTopics(List.of(new NewTopic(TOPIC, 1, (short)1), new NewTopic(GROWN, 1, (short)1))).all().get(30, TimeUnit.SECONDS);
                topicId = admin.describeTopics(List.of(TOPIC)).allTopicNames().get(30, TimeUnit.SECONDS).get(TOPIC).topicId();
            }
            try (KafkaProducer<byte[], byte[]> producer = broker.producer(Map.of()))
            {
                producer.send(new ProducerRecord<>(TOPIC, 0, null, new byte[] {1})).get(30, TimeUnit.SECONDS);
            }
            final Map<ApiKeys, BiFunction<Short, Integer, ApiMessage>> requests = requests();
            final List<String> broken = new ArrayList<>();
            int asked = 0;
            try (RawKafkaClient raw = RawKafkaClient.connect(broker.port()))
            {
                final ApiVersionsResponseData advertised = raw.apiVersions((short)3);
                // The order matters where one request needs another's work: topics are created before they are deleted.
                for (final ApiKeys api : requests.keySet())
                {
                    final ApiVersionsResponseData.ApiVersion range = advertised.apiKeys().find(api.id);
                    assertTrue(range != null, api + " is advertised");
                    for (short version = range.minVersion(); version <= range.maxVersion(); version++)
                    {
                        final ApiMessage request = requests.get(api).apply(version, (int)version);
                        final Map<Errors, Integer> errors = answer(raw, api, version, request);
                        asked++;
                        for (final Errors error : errors.keySet())
                        {
                            if (BROKEN.contains(error))
                            {
                                broken.add(api + " v" + version + ": " + errors);
                            }
                        }
                    }
                }
                for (final ApiVersionsResponseData.ApiVersion range : advertised.apiKeys())
                {
                    final ApiKeys api = ApiKeys.forId(range.apiKey());
                    assertTrue(DATA_PLANE.contains(api) || requests.containsKey(api), api + " is advertised but not asked here");
                }
            }
            assertEquals(List.of(), broken, "of " + asked + " (API, version) pairs asked");
        }
    }

    private static Map<Errors, Integer> answer(final RawKafkaClient raw, final ApiKeys api, final short version, final ApiMessage request)
        throws Exception
    {
        final int correlationId = raw.send(api, version, request);
        final ByteBuffer frame = raw.receiveFrame();
        final ByteBufferAccessor accessor = new ByteBufferAccessor(frame);
        final ResponseHeaderData header = new ResponseHeaderData(accessor, api.responseHeaderVersion(version));
        assertEquals(correlationId, header.correlationId(), api + " v" + version);
        final AbstractResponse response = AbstractResponse.parseResponse(api, accessor, version);
        return response.errorCounts();
    }

    /** One request per API, by version; the int is the version again, for names that must differ per version. */
    private Map<ApiKeys, BiFunction<Short, Integer, ApiMessage>> requests()
    {
        final Map<ApiKeys, BiFunction<Short, Integer, ApiMessage>> out = new java.util.LinkedHashMap<>();
        out.put(ApiKeys.API_VERSIONS, (v, n) -> RawKafkaClient.apiVersionsRequest());
        out.put(ApiKeys.METADATA, (v, n) -> new MetadataRequestData().setAllowAutoTopicCreation(v < 4)
            .setTopics(List.of(new MetadataRequestData.MetadataRequestTopic().setName(TOPIC))));
        out.put(ApiKeys.DESCRIBE_CLUSTER, (v, n) -> new DescribeClusterRequestData());
        out.put(ApiKeys.DESCRIBE_QUORUM, (v, n) -> new DescribeQuorumRequestData().setTopics(List.of(new DescribeQuorumRequestData.TopicData()
            .setTopicName("__cluster_metadata").setPartitions(List.of(new DescribeQuorumRequestData.PartitionData().setPartitionIndex(0))))));
        out.put(ApiKeys.LIST_OFFSETS, (v, n) -> new ListOffsetsRequestData().setReplicaId(-1).setTopics(List.of(
            new ListOffsetsRequestData.ListOffsetsTopic().setName(TOPIC).setPartitions(List.of(
                new ListOffsetsRequestData.ListOffsetsPartition().setPartitionIndex(0).setTimestamp(-1))))));
        out.put(ApiKeys.OFFSET_FOR_LEADER_EPOCH, (v, n) -> new OffsetForLeaderEpochRequestData().setReplicaId(v >= 3 ? -1 : -2)
            .setTopics(new OffsetForLeaderEpochRequestData.OffsetForLeaderTopicCollection(List.of(
                new OffsetForLeaderEpochRequestData.OffsetForLeaderTopic().setTopic(TOPIC).setPartitions(List.of(
                    new OffsetForLeaderEpochRequestData.OffsetForLeaderPartition().setPartition(0).setCurrentLeaderEpoch(0).setLeaderEpoch(0))))
                .iterator())));
        out.put(ApiKeys.CREATE_TOPICS, (v, n) -> new CreateTopicsRequestData().setTimeoutMs(30_000).setTopics(
            new CreateTopicsRequestData.CreatableTopicCollection(List.of(new CreateTopicsRequestData.CreatableTopic()
                .setName("created-v" + n).setNumPartitions(1).setReplicationFactor((short)1)).iterator())));
        out.put(ApiKeys.DELETE_TOPICS, (v, n) -> v >= 6 ?
            new DeleteTopicsRequestData().setTimeoutMs(30_000).setTopics(List.of(new DeleteTopicsRequestData.DeleteTopicState().setName("created-v" + (n + 1)))) :
            new DeleteTopicsRequestData().setTimeoutMs(30_000).setTopicNames(List.of("created-v" + (n + 1))));
        out.put(ApiKeys.CREATE_PARTITIONS, (v, n) -> new CreatePartitionsRequestData().setTimeoutMs(30_000).setTopics(
            new CreatePartitionsRequestData.CreatePartitionsTopicCollection(List.of(new CreatePartitionsRequestData.CreatePartitionsTopic()
                .setName(GROWN).setCount(n + 2).setAssignments(null)).iterator())));
        out.put(ApiKeys.INIT_PRODUCER_ID, (v, n) -> new InitProducerIdRequestData().setTransactionalId(null).setTransactionTimeoutMs(60_000));
        out.put(ApiKeys.DESCRIBE_CONFIGS, (v, n) -> new DescribeConfigsRequestData().setResources(List.of(
            new DescribeConfigsRequestData.DescribeConfigsResource().setResourceType((byte)2).setResourceName(TOPIC).setConfigurationKeys(null))));
        out.put(ApiKeys.INCREMENTAL_ALTER_CONFIGS, (v, n) ->
        {
            final IncrementalAlterConfigsRequestData.AlterableConfigCollection configs = new IncrementalAlterConfigsRequestData.AlterableConfigCollection();
            configs.add(new IncrementalAlterConfigsRequestData.AlterableConfig().setName("retention.ms").setConfigOperation((byte)0)
                .setValue(Integer.toString(60_000 + n)));
            final IncrementalAlterConfigsRequestData.AlterConfigsResourceCollection resources = new IncrementalAlterConfigsRequestData.AlterConfigsResourceCollection();
            resources.add(new IncrementalAlterConfigsRequestData.AlterConfigsResource().setResourceType((byte)2).setResourceName(TOPIC).setConfigs(configs));
            return new IncrementalAlterConfigsRequestData().setResources(resources);
        });
        out.put(ApiKeys.ALTER_CONFIGS, (v, n) ->
        {
            final AlterConfigsRequestData.AlterableConfigCollection configs = new AlterConfigsRequestData.AlterableConfigCollection();
            configs.add(new AlterConfigsRequestData.AlterableConfig().setName("retention.ms").setValue(Integer.toString(70_000 + n)));
            final AlterConfigsRequestData.AlterConfigsResourceCollection resources = new AlterConfigsRequestData.AlterConfigsResourceCollection();
            resources.add(new AlterConfigsRequestData.AlterConfigsResource().setResourceType((byte)2).setResourceName(TOPIC).setConfigs(configs));
            return new AlterConfigsRequestData().setResources(resources);
        });
        out.put(ApiKeys.FIND_COORDINATOR, (v, n) -> v >= 4 ? new FindCoordinatorRequestData().setCoordinatorKeys(List.of(GROUP)) :
            new FindCoordinatorRequestData().setKey(GROUP));
        out.put(ApiKeys.OFFSET_COMMIT, (v, n) ->
        {
            final OffsetCommitRequestData.OffsetCommitRequestTopic topic = new OffsetCommitRequestData.OffsetCommitRequestTopic()
                .setPartitions(List.of(new OffsetCommitRequestData.OffsetCommitRequestPartition().setPartitionIndex(0).setCommittedOffset(n)));
            return new OffsetCommitRequestData().setGroupId(GROUP).setGenerationIdOrMemberEpoch(-1).setMemberId("")
                .setTopics(List.of(v >= 10 ? topic.setTopicId(topicId) : topic.setName(TOPIC)));
        });
        out.put(ApiKeys.OFFSET_FETCH, (v, n) ->
        {
            if (v < 8)
            {
                return new OffsetFetchRequestData().setGroupId(GROUP).setTopics(List.of(
                    new OffsetFetchRequestData.OffsetFetchRequestTopic().setName(TOPIC).setPartitionIndexes(List.of(0))));
            }
            final OffsetFetchRequestData.OffsetFetchRequestTopics topic = new OffsetFetchRequestData.OffsetFetchRequestTopics().setPartitionIndexes(List.of(0));
            return new OffsetFetchRequestData().setGroups(List.of(new OffsetFetchRequestData.OffsetFetchRequestGroup().setGroupId(GROUP)
                .setTopics(List.of(v >= 10 ? topic.setTopicId(topicId) : topic.setName(TOPIC)))));
        });
        out.put(ApiKeys.JOIN_GROUP, (v, n) ->
        {
            final JoinGroupRequestData.JoinGroupRequestProtocolCollection protocols = new JoinGroupRequestData.JoinGroupRequestProtocolCollection();
            protocols.add(new JoinGroupRequestData.JoinGroupRequestProtocol().setName("range").setMetadata(new byte[0]));
            // Joins that need no rebalance wait: v4+ is told MEMBER_ID_REQUIRED; below v4 the first member of a new group completes its join.
            return new JoinGroupRequestData().setGroupId("join-v" + n).setSessionTimeoutMs(10_000).setRebalanceTimeoutMs(10_000)
                .setMemberId("").setProtocolType("consumer").setProtocols(protocols);
        });
        out.put(ApiKeys.SYNC_GROUP, (v, n) -> new SyncGroupRequestData().setGroupId(GROUP).setGenerationId(1).setMemberId("nobody")
            .setProtocolType(v >= 5 ? "consumer" : null).setProtocolName(v >= 5 ? "range" : null));
        out.put(ApiKeys.HEARTBEAT, (v, n) -> new HeartbeatRequestData().setGroupId(GROUP).setGenerationId(1).setMemberId("nobody"));
        out.put(ApiKeys.LEAVE_GROUP, (v, n) -> v >= 3 ?
            new LeaveGroupRequestData().setGroupId(GROUP).setMembers(List.of(new LeaveGroupRequestData.MemberIdentity().setMemberId("nobody"))) :
            new LeaveGroupRequestData().setGroupId(GROUP).setMemberId("nobody"));
        out.put(ApiKeys.DESCRIBE_GROUPS, (v, n) -> new DescribeGroupsRequestData().setGroups(List.of(GROUP, "join-v0", "no-such-group")));
        out.put(ApiKeys.LIST_GROUPS, (v, n) -> new ListGroupsRequestData());
        // Offset 0: nothing is below it, so the topic keeps its record for the requests after this one.
        out.put(ApiKeys.DELETE_RECORDS, (v, n) -> new DeleteRecordsRequestData().setTimeoutMs(10_000).setTopics(List.of(
            new DeleteRecordsRequestData.DeleteRecordsTopic().setName(TOPIC).setPartitions(List.of(
                new DeleteRecordsRequestData.DeleteRecordsPartition().setPartitionIndex(0).setOffset(0))))));
        out.put(ApiKeys.DESCRIBE_LOG_DIRS, (v, n) -> new DescribeLogDirsRequestData().setTopics(null));
        // Every partition: a single node's are all led by their only replica, so the answer names none.
        out.put(ApiKeys.ELECT_LEADERS, (v, n) -> new org.apache.kafka.common.message.ElectLeadersRequestData().setTimeoutMs(10_000)
            .setTopicPartitions(null));
        // A cancel: nothing is being reassigned on a single node, so the answer is NO_REASSIGNMENT_IN_PROGRESS and nothing moves.
        out.put(ApiKeys.ALTER_PARTITION_REASSIGNMENTS, (v, n) -> new org.apache.kafka.common.message.AlterPartitionReassignmentsRequestData()
            .setTimeoutMs(10_000).setTopics(List.of(new org.apache.kafka.common.message.AlterPartitionReassignmentsRequestData.ReassignableTopic()
                .setName(TOPIC).setPartitions(List.of(new org.apache.kafka.common.message.AlterPartitionReassignmentsRequestData.ReassignablePartition()
                    .setPartitionIndex(0).setReplicas(null))))));
        out.put(ApiKeys.LIST_PARTITION_REASSIGNMENTS, (v, n) -> new org.apache.kafka.common.message.ListPartitionReassignmentsRequestData()
            .setTimeoutMs(10_000).setTopics(null));
        out.put(ApiKeys.ALTER_REPLICA_LOG_DIRS, (v, n) ->
        {
            final AlterReplicaLogDirsRequestData.AlterReplicaLogDirTopicCollection topics =
                new AlterReplicaLogDirsRequestData.AlterReplicaLogDirTopicCollection();
            topics.add(new AlterReplicaLogDirsRequestData.AlterReplicaLogDirTopic().setName(TOPIC).setPartitions(List.of(0)));
            final AlterReplicaLogDirsRequestData.AlterReplicaLogDirCollection dirs = new AlterReplicaLogDirsRequestData.AlterReplicaLogDirCollection();
            dirs.add(new AlterReplicaLogDirsRequestData.AlterReplicaLogDir().setPath(dataDir.toAbsolutePath().toString()).setTopics(topics));
            return new AlterReplicaLogDirsRequestData().setDirs(dirs);
        });
        out.put(ApiKeys.OFFSET_DELETE, (v, n) -> new OffsetDeleteRequestData().setGroupId(GROUP).setTopics(
            new OffsetDeleteRequestData.OffsetDeleteRequestTopicCollection(List.of(new OffsetDeleteRequestData.OffsetDeleteRequestTopic()
                .setName(TOPIC).setPartitions(List.of(new OffsetDeleteRequestData.OffsetDeleteRequestPartition().setPartitionIndex(0)))).iterator())));
        out.put(ApiKeys.DELETE_GROUPS, (v, n) -> new DeleteGroupsRequestData().setGroupsNames(List.of("no-such-group", "join-v1")));
        out.put(ApiKeys.CONSUMER_GROUP_HEARTBEAT, (v, n) -> new ConsumerGroupHeartbeatRequestData().setGroupId("consumer-v" + n)
            .setMemberId(Uuid.randomUuid().toString()).setMemberEpoch(0).setRebalanceTimeoutMs(10_000)
            .setSubscribedTopicNames(List.of(TOPIC)).setTopicPartitions(List.of()));
        out.put(ApiKeys.CONSUMER_GROUP_DESCRIBE, (v, n) -> new ConsumerGroupDescribeRequestData().setGroupIds(List.of("consumer-v0", "no-such-group")));
        return out;
    }
}
