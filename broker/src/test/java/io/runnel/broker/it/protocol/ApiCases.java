package io.runnel.broker.it.protocol;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import io.runnel.broker.testing.RawKafkaClient;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.message.ApiVersionsResponseData;
import org.apache.kafka.common.message.ConsumerGroupDescribeResponseData;
import org.apache.kafka.common.message.ConsumerGroupHeartbeatResponseData;
import org.apache.kafka.common.message.CreatePartitionsResponseData;
import org.apache.kafka.common.message.CreateTopicsResponseData;
import org.apache.kafka.common.message.DeleteGroupsResponseData;
import org.apache.kafka.common.message.DeleteTopicsResponseData;
import org.apache.kafka.common.message.DescribeClusterResponseData;
import org.apache.kafka.common.message.DescribeConfigsResponseData;
import org.apache.kafka.common.message.DescribeGroupsResponseData;
import org.apache.kafka.common.message.FetchResponseData;
import org.apache.kafka.common.message.FindCoordinatorResponseData;
import org.apache.kafka.common.message.InitProducerIdResponseData;
import org.apache.kafka.common.message.JoinGroupResponseData;
import org.apache.kafka.common.message.LeaveGroupResponseData;
import org.apache.kafka.common.message.ListGroupsResponseData;
import org.apache.kafka.common.message.ListOffsetsResponseData;
import org.apache.kafka.common.message.MetadataResponseData;
import org.apache.kafka.common.message.OffsetCommitResponseData;
import org.apache.kafka.common.message.OffsetDeleteResponseData;
import org.apache.kafka.common.message.OffsetFetchResponseData;
import org.apache.kafka.common.message.OffsetForLeaderEpochResponseData;
import org.apache.kafka.common.message.ProduceResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.Errors;

import static io.runnel.broker.it.protocol.SweepFixture.DATA_TOPIC;
import static io.runnel.broker.it.protocol.SweepFixture.RECORDS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The coverage map of the version sweep: for every API Runnel implements (or is about to), a
 * valid sample request at any version and an exercise that sends real requests with data at
 * that version and checks what comes back. An API missing here cannot be swept: the sweep
 * fails naming it. Requests of other APIs that an exercise needs (a join before a heartbeat)
 * go at the highest advertised version.
 */
final class ApiCases
{
    /** A valid request body at {@code version}, ready to mutate. */
    @FunctionalInterface
    interface Sample
    {
        byte[] body(short version) throws Exception;
    }

    /** Real requests at {@code version}, content checked. */
    @FunctionalInterface
    interface Exercise
    {
        void run(short version) throws Exception;
    }

    record ApiCase(Sample sample, Exercise exercise)
    {
    }

    /** Produce v0-2 are advertised for librdkafka's sake and refused (KAFKA-18659). */
    static final short FIRST_REAL_PRODUCE_VERSION = 3;
    private static final short PRODUCE_BEFORE_V3_HEADER = 1;
    private static final int CONSUMER_GROUP_HEARTBEATS = 20;
    /** Below group.min.session.timeout.ms's default (6 s): JoinGroup must refuse it. */
    private static final int TOO_SHORT_SESSION_TIMEOUT_MS = 1;
    private static final long CONSUMER_GROUP_HEARTBEAT_PAUSE_MS = 100;

    private final SweepFixture fixture;
    private final Map<ApiKeys, ApiCase> cases = new EnumMap<>(ApiKeys.class);

    ApiCases(final SweepFixture fixture)
    {
        this.fixture = fixture;
        cases.put(ApiKeys.PRODUCE, new ApiCase(this::produceSample, this::produce));
        cases.put(ApiKeys.FETCH, new ApiCase(v -> encode(SweepFixture.fetchRequest(v, DATA_TOPIC, fixture.dataTopicId(), 0), v), this::fetch));
        cases.put(ApiKeys.LIST_OFFSETS, new ApiCase(v -> encode(SweepRequests.listOffsets(v, DATA_TOPIC, SweepRequests.LATEST), v),
            this::listOffsets));
        cases.put(ApiKeys.METADATA, new ApiCase(v -> encode(SweepRequests.metadata(v, DATA_TOPIC), v), this::metadata));
        cases.put(ApiKeys.API_VERSIONS, new ApiCase(v -> encode(SweepRequests.apiVersions(v), v), this::apiVersions));
        cases.put(ApiKeys.CREATE_TOPICS, new ApiCase(v -> encode(SweepRequests.createTopics(v, fixture.unique("hostile-create"), 1), v),
            this::createTopics));
        cases.put(ApiKeys.DELETE_TOPICS, new ApiCase(v -> encode(SweepRequests.deleteTopics(v, "absent-topic"), v), this::deleteTopics));
        cases.put(ApiKeys.CREATE_PARTITIONS, new ApiCase(v -> encode(SweepRequests.createPartitions(v, "absent-topic", 2), v),
            this::createPartitions));
        cases.put(ApiKeys.INIT_PRODUCER_ID, new ApiCase(v -> encode(SweepRequests.initProducerId(v), v), this::initProducerId));
        cases.put(ApiKeys.DESCRIBE_CONFIGS, new ApiCase(v -> encode(SweepRequests.describeConfigs(v, DATA_TOPIC), v), this::describeConfigs));
        cases.put(ApiKeys.DESCRIBE_CLUSTER, new ApiCase(v -> encode(SweepRequests.describeCluster(v), v), this::describeCluster));
        cases.put(ApiKeys.FIND_COORDINATOR, new ApiCase(v -> encode(SweepRequests.findCoordinator(v, "hostile-group"), v),
            this::findCoordinator));
        cases.put(ApiKeys.JOIN_GROUP, new ApiCase(v -> encode(new ClassicGroupMember(fixture.unique("hostile-join")).joinRequest(v), v),
            this::joinGroup));
        cases.put(ApiKeys.SYNC_GROUP, new ApiCase(v -> encode(new ClassicGroupMember("hostile-group").syncRequest(v), v), this::syncGroup));
        cases.put(ApiKeys.HEARTBEAT, new ApiCase(v -> encode(new ClassicGroupMember("hostile-group").heartbeatRequest(1), v),
            this::heartbeat));
        cases.put(ApiKeys.LEAVE_GROUP, new ApiCase(v -> encode(SweepRequests.leaveGroup(v, "hostile-group", "stranger"), v),
            this::leaveGroup));
        cases.put(ApiKeys.OFFSET_COMMIT, new ApiCase(v -> encode(SweepRequests.offsetCommit(v, "hostile-group", -1, "",
            DATA_TOPIC, fixture.dataTopicId(), 1, "hostile"), v), this::offsetCommit));
        cases.put(ApiKeys.OFFSET_FETCH, new ApiCase(v -> encode(SweepRequests.offsetFetch(v, "hostile-group", DATA_TOPIC,
            fixture.dataTopicId()), v), this::offsetFetch));
        cases.put(ApiKeys.DESCRIBE_GROUPS, new ApiCase(v -> encode(SweepRequests.describeGroups(v, "hostile-group"), v),
            this::describeGroups));
        cases.put(ApiKeys.LIST_GROUPS, new ApiCase(v -> encode(SweepRequests.listGroups(v), v), this::listGroups));
        cases.put(ApiKeys.DELETE_GROUPS, new ApiCase(v -> encode(SweepRequests.deleteGroups(v, "absent-group"), v), this::deleteGroups));
        cases.put(ApiKeys.OFFSET_DELETE, new ApiCase(v -> encode(SweepRequests.offsetDelete(v, "absent-group", DATA_TOPIC), v),
            this::offsetDelete));
        cases.put(ApiKeys.CONSUMER_GROUP_HEARTBEAT, new ApiCase(v -> encode(SweepRequests.consumerGroupJoin(v,
            fixture.unique("hostile-cg"), DATA_TOPIC), v), this::consumerGroupHeartbeat));
        cases.put(ApiKeys.CONSUMER_GROUP_DESCRIBE, new ApiCase(v -> encode(SweepRequests.consumerGroupDescribe(v, "hostile-cg"), v),
            this::consumerGroupDescribe));
        cases.put(ApiKeys.OFFSET_FOR_LEADER_EPOCH, new ApiCase(v -> encode(SweepRequests.offsetForLeaderEpoch(v, DATA_TOPIC,
            fixture.dataLeaderEpoch()), v), this::offsetForLeaderEpoch));
    }

    Set<ApiKeys> covered()
    {
        return cases.keySet();
    }

    /** The case for {@code api}; fails loudly, naming the API, when the sweep has none. */
    ApiCase caseFor(final ApiKeys api)
    {
        final ApiCase found = cases.get(api);
        if (found == null)
        {
            throw new AssertionError(api + " (key " + api.id + ") is advertised but the version sweep has no case for it: add one to "
                + ApiCases.class.getSimpleName());
        }
        return found;
    }

    /** The request header version of a sample: Produce v0-2 use v1, which kafka-clients 4.x no longer knows. */
    static short headerVersion(final ApiKeys api, final short version)
    {
        if (api == ApiKeys.PRODUCE && version < FIRST_REAL_PRODUCE_VERSION)
        {
            return PRODUCE_BEFORE_V3_HEADER;
        }
        return RawKafkaClient.headerVersion(api.id, version);
    }

    private static byte[] encode(final ApiMessage body, final short version)
    {
        return RawKafkaClient.encode(body, version);
    }

    private static String at(final ApiKeys api, final short version)
    {
        return api + " v" + version;
    }

    // ---------------------------------------------------------------------------------------
    // Data plane
    // ---------------------------------------------------------------------------------------

    private byte[] produceSample(final short version) throws IOException
    {
        if (version < FIRST_REAL_PRODUCE_VERSION)
        {
            return SweepRequests.produceBeforeV3(version, DATA_TOPIC, "hostile");
        }
        return encode(SweepFixture.produceRequest(version, DATA_TOPIC, fixture.dataTopicId(), SweepFixture.batch(List.of("hostile"))),
            version);
    }

    /** Two batches of three to a fresh topic: offsets 0 and 3, then all six read back. */
    private void produce(final short version) throws Exception
    {
        final String topic = fixture.unique("produce-v" + version);
        fixture.createTopic(topic, 1);
        if (version < FIRST_REAL_PRODUCE_VERSION)
        {
            produceBeforeV3IsRefused(version, topic);
            return;
        }
        final Uuid topicId = fixture.topicId(topic);
        final List<String> first = List.of("a", "b", "c");
        final List<String> second = List.of("d", "e", "f");
        try (RawKafkaClient raw = fixture.raw())
        {
            long expectedBase = 0;
            for (final List<String> values : List.of(first, second))
            {
                final ProduceResponseData response = raw.produce(version, SweepFixture.produceRequest(version, topic, topicId,
                    SweepFixture.batch(values)));
                final ProduceResponseData.TopicProduceResponse topicResponse = response.responses().iterator().next();
                if (version >= 13)
                {
                    assertEquals(topicId, topicResponse.topicId());
                }
                else
                {
                    assertEquals(topic, topicResponse.name());
                }
                final ProduceResponseData.PartitionProduceResponse partition = RawKafkaClient.onlyPartition(response);
                assertEquals(Errors.NONE, Errors.forCode(partition.errorCode()), at(ApiKeys.PRODUCE, version));
                assertEquals(expectedBase, partition.baseOffset());
                if (version >= 5)
                {
                    assertEquals(0, partition.logStartOffset());
                }
                expectedBase += values.size();
            }
        }
        assertEquals(List.of("a", "b", "c", "d", "e", "f"), fixture.values(topic, 0));
    }

    /**
     * Produce v0-2 answer UNSUPPORTED_VERSION per partition, in the v0-2 response layout
     * ([topic [partition, error, base offset, (v2) append time]], (v1+) throttle), and store nothing.
     */
    private void produceBeforeV3IsRefused(final short version, final String topic) throws Exception
    {
        try (RawKafkaClient raw = fixture.raw())
        {
            final int correlationId = raw.nextCorrelationId();
            raw.sendFrame(RawKafkaClient.rawBodyPayload(ApiKeys.PRODUCE.id, version, correlationId,
                SweepRequests.produceBeforeV3(version, topic, "old"), PRODUCE_BEFORE_V3_HEADER));
            final ByteBuffer frame = raw.receiveFrame();
            assertEquals(correlationId, frame.getInt(), "correlation id");
            assertEquals(1, frame.getInt(), "topics");
            final byte[] name = new byte[frame.getShort()];
            frame.get(name);
            assertEquals(topic, new String(name, StandardCharsets.UTF_8));
            assertEquals(1, frame.getInt(), "partitions");
            assertEquals(0, frame.getInt(), "partition index");
            assertEquals(Errors.UNSUPPORTED_VERSION, Errors.forCode(frame.getShort()), at(ApiKeys.PRODUCE, version));
            assertEquals(-1L, frame.getLong(), "base offset");
            final int rest = (version >= 2 ? 8 : 0) + (version >= 1 ? 4 : 0);
            assertEquals(rest, frame.remaining(), "bytes after the partition");
        }
        assertEquals(List.of(), fixture.values(topic, 0), "a refused produce stores nothing");
    }

    /** The fixture's records from offset 0 and from offset 2, with the partition's offsets. */
    private void fetch(final short version) throws Exception
    {
        for (final long from : new long[] {0, 2})
        {
            final FetchResponseData.PartitionData partition = fixture.fetch(version, DATA_TOPIC, fixture.dataTopicId(), from);
            assertEquals(Errors.NONE, Errors.forCode(partition.errorCode()), at(ApiKeys.FETCH, version));
            assertEquals(RECORDS, partition.highWatermark(), "high watermark");
            if (version >= 4)
            {
                assertEquals(RECORDS, partition.lastStableOffset(), "last stable offset");
            }
            if (version >= 5)
            {
                assertEquals(0, partition.logStartOffset(), "log start offset");
            }
            if (version >= 11)
            {
                assertEquals(-1, partition.preferredReadReplica(), "no preferred read replica");
            }
            final List<String> expected = new java.util.ArrayList<>();
            for (int i = (int)from; i < RECORDS; i++)
            {
                expected.add(SweepFixture.value(i));
            }
            assertEquals(expected, SweepFixture.values(partition, from), at(ApiKeys.FETCH, version) + " from " + from);
        }
    }

    /** Earliest, latest, by timestamp (and max timestamp from v7) against the fixture's known offsets. */
    private void listOffsets(final short version) throws Exception
    {
        try (RawKafkaClient raw = fixture.raw())
        {
            assertEquals(0, listOffset(raw, version, SweepRequests.EARLIEST).offset(), "earliest");
            assertEquals(RECORDS, listOffset(raw, version, SweepRequests.LATEST).offset(), "latest");
            final ListOffsetsResponseData.ListOffsetsPartitionResponse byTime = listOffset(raw, version, SweepFixture.timestamp(2));
            assertEquals(2, byTime.offset(), "first offset at or after record 2's timestamp");
            assertEquals(SweepFixture.timestamp(2), byTime.timestamp(), "record 2's timestamp");
            final ListOffsetsResponseData.ListOffsetsPartitionResponse between = listOffset(raw, version, SweepFixture.timestamp(2) + 1);
            assertEquals(3, between.offset(), "a timestamp between records finds the next one");
            if (version >= 4)
            {
                assertEquals(fixture.dataLeaderEpoch(), byTime.leaderEpoch(), "leader epoch");
            }
            if (version >= 7)
            {
                final ListOffsetsResponseData.ListOffsetsPartitionResponse max = listOffset(raw, version, SweepRequests.MAX_TIMESTAMP);
                assertEquals(RECORDS - 1, max.offset(), "max timestamp");
                assertEquals(SweepFixture.timestamp(RECORDS - 1), max.timestamp());
            }
        }
    }

    private static ListOffsetsResponseData.ListOffsetsPartitionResponse listOffset(final RawKafkaClient raw, final short version,
        final long timestamp) throws IOException
    {
        final ListOffsetsResponseData response = raw.request(ApiKeys.LIST_OFFSETS, version,
            SweepRequests.listOffsets(version, DATA_TOPIC, timestamp));
        assertEquals(1, response.topics().size());
        assertEquals(DATA_TOPIC, response.topics().get(0).name());
        final ListOffsetsResponseData.ListOffsetsPartitionResponse partition = response.topics().get(0).partitions().get(0);
        assertEquals(Errors.NONE, Errors.forCode(partition.errorCode()), at(ApiKeys.LIST_OFFSETS, version) + " timestamp " + timestamp);
        return partition;
    }

    // ---------------------------------------------------------------------------------------
    // Cluster and topic admin
    // ---------------------------------------------------------------------------------------

    /** The broker as its own leader, the fixture topic with one partition (and its id from v10). */
    private void metadata(final short version) throws Exception
    {
        try (RawKafkaClient raw = fixture.raw())
        {
            final MetadataResponseData response = raw.request(ApiKeys.METADATA, version, SweepRequests.metadata(version, DATA_TOPIC));
            assertEquals(1, response.brokers().size(), "brokers");
            final MetadataResponseData.MetadataResponseBroker broker = response.brokers().iterator().next();
            assertEquals(fixture.port(), broker.port(), "the broker's advertised port");
            final MetadataResponseData.MetadataResponseTopic topic = response.topics().find(DATA_TOPIC);
            assertNotNull(topic, DATA_TOPIC + " listed");
            assertEquals(Errors.NONE, Errors.forCode(topic.errorCode()), at(ApiKeys.METADATA, version));
            assertEquals(1, topic.partitions().size());
            assertEquals(broker.nodeId(), topic.partitions().get(0).leaderId(), "leader");
            if (version >= 1)
            {
                assertEquals(broker.nodeId(), response.controllerId(), "controller");
            }
            if (version >= 2)
            {
                assertNotNull(response.clusterId(), "cluster id");
            }
            if (version >= 7)
            {
                assertEquals(fixture.dataLeaderEpoch(), topic.partitions().get(0).leaderEpoch());
            }
            if (version >= 10)
            {
                assertEquals(fixture.dataTopicId(), topic.topicId());
            }
        }
    }

    /** The same ranges as the class's first ApiVersions, at every version. */
    private void apiVersions(final short version) throws Exception
    {
        try (RawKafkaClient raw = fixture.raw())
        {
            final ApiVersionsResponseData response = raw.request(ApiKeys.API_VERSIONS, version, SweepRequests.apiVersions(version));
            assertEquals(Errors.NONE, Errors.forCode(response.errorCode()), at(ApiKeys.API_VERSIONS, version));
            assertEquals(ranges(fixture.advertised()), ranges(response));
        }
    }

    private static Set<String> ranges(final ApiVersionsResponseData response)
    {
        return response.apiKeys().stream().map(k -> k.apiKey() + ":" + k.minVersion() + "-" + k.maxVersion()).collect(Collectors.toSet());
    }

    /** A two-partition topic that Metadata then lists with two partitions. */
    private void createTopics(final short version) throws Exception
    {
        final String topic = fixture.unique("created-v" + version);
        try (RawKafkaClient raw = fixture.raw())
        {
            final CreateTopicsResponseData response = raw.request(ApiKeys.CREATE_TOPICS, version, SweepRequests.createTopics(version, topic, 2));
            final CreateTopicsResponseData.CreatableTopicResult result = response.topics().find(topic);
            assertNotNull(result, topic + " answered");
            assertEquals(Errors.NONE, Errors.forCode(result.errorCode()), at(ApiKeys.CREATE_TOPICS, version));
            if (version >= 5)
            {
                assertEquals(2, result.numPartitions());
                assertEquals(1, result.replicationFactor());
            }
            if (version >= 7)
            {
                assertFalse(Uuid.ZERO_UUID.equals(result.topicId()), "topic id");
            }
        }
        assertEquals(2, fixture.partitionCount(topic), "the created topic's partitions");
    }

    /** A topic that exists, then does not. */
    private void deleteTopics(final short version) throws Exception
    {
        final String topic = fixture.unique("deleted-v" + version);
        fixture.createTopic(topic, 1);
        try (RawKafkaClient raw = fixture.raw())
        {
            final DeleteTopicsResponseData response = raw.request(ApiKeys.DELETE_TOPICS, version, SweepRequests.deleteTopics(version, topic));
            assertEquals(1, response.responses().size());
            final DeleteTopicsResponseData.DeletableTopicResult result = response.responses().iterator().next();
            assertEquals(topic, result.name());
            assertEquals(Errors.NONE, Errors.forCode(result.errorCode()), at(ApiKeys.DELETE_TOPICS, version));
        }
        assertTrue(fixture.awaitTopicGone(topic), topic + " still listed after DeleteTopics v" + version);
    }

    /** One partition grown to three. */
    private void createPartitions(final short version) throws Exception
    {
        final String topic = fixture.unique("grown-v" + version);
        fixture.createTopic(topic, 1);
        try (RawKafkaClient raw = fixture.raw())
        {
            final CreatePartitionsResponseData response = raw.request(ApiKeys.CREATE_PARTITIONS, version,
                SweepRequests.createPartitions(version, topic, 3));
            assertEquals(1, response.results().size());
            assertEquals(topic, response.results().get(0).name());
            assertEquals(Errors.NONE, Errors.forCode(response.results().get(0).errorCode()), at(ApiKeys.CREATE_PARTITIONS, version));
        }
        assertEquals(3, fixture.partitionCount(topic), "partitions after CreatePartitions v" + version);
    }

    /** Two idempotent producers get two different ids. */
    private void initProducerId(final short version) throws Exception
    {
        try (RawKafkaClient raw = fixture.raw())
        {
            final InitProducerIdResponseData first = raw.request(ApiKeys.INIT_PRODUCER_ID, version, SweepRequests.initProducerId(version));
            final InitProducerIdResponseData second = raw.request(ApiKeys.INIT_PRODUCER_ID, version, SweepRequests.initProducerId(version));
            for (final InitProducerIdResponseData response : List.of(first, second))
            {
                assertEquals(Errors.NONE, Errors.forCode(response.errorCode()), at(ApiKeys.INIT_PRODUCER_ID, version));
                assertTrue(response.producerId() >= 0, "producer id " + response.producerId());
                assertTrue(response.producerEpoch() >= 0, "producer epoch " + response.producerEpoch());
            }
            assertTrue(first.producerId() != second.producerId(), "two producers, two ids");
        }
    }

    /** The fixture topic's configs include the keys every Kafka topic has. */
    private void describeConfigs(final short version) throws Exception
    {
        try (RawKafkaClient raw = fixture.raw())
        {
            final DescribeConfigsResponseData response = raw.request(ApiKeys.DESCRIBE_CONFIGS, version,
                SweepRequests.describeConfigs(version, DATA_TOPIC));
            assertEquals(1, response.results().size());
            final DescribeConfigsResponseData.DescribeConfigsResult result = response.results().get(0);
            assertEquals(Errors.NONE, Errors.forCode(result.errorCode()), at(ApiKeys.DESCRIBE_CONFIGS, version));
            assertEquals(DATA_TOPIC, result.resourceName());
            final Map<String, String> configs = result.configs().stream()
                .collect(Collectors.toMap(DescribeConfigsResponseData.DescribeConfigsResourceResult::name,
                    c -> String.valueOf(c.value())));
            assertEquals("delete", configs.get("cleanup.policy"), "cleanup.policy in " + configs.keySet());
            assertTrue(configs.containsKey("retention.ms"), "retention.ms in " + configs.keySet());
            assertTrue(configs.containsKey("segment.bytes"), "segment.bytes in " + configs.keySet());
        }
    }

    /** The one broker, on the port the test connected to. */
    private void describeCluster(final short version) throws Exception
    {
        try (RawKafkaClient raw = fixture.raw())
        {
            final DescribeClusterResponseData response = raw.request(ApiKeys.DESCRIBE_CLUSTER, version,
                SweepRequests.describeCluster(version));
            assertEquals(Errors.NONE, Errors.forCode(response.errorCode()), at(ApiKeys.DESCRIBE_CLUSTER, version));
            assertNotNull(response.clusterId());
            assertEquals(1, response.brokers().size());
            final DescribeClusterResponseData.DescribeClusterBroker broker = response.brokers().iterator().next();
            assertEquals(fixture.port(), broker.port());
            assertEquals(broker.brokerId(), response.controllerId());
        }
    }

    // ---------------------------------------------------------------------------------------
    // Classic groups
    // ---------------------------------------------------------------------------------------

    /** This broker coordinates every group. */
    private void findCoordinator(final short version) throws Exception
    {
        final String group = fixture.unique("coordinated-v" + version);
        try (RawKafkaClient raw = fixture.raw())
        {
            final FindCoordinatorResponseData response = raw.request(ApiKeys.FIND_COORDINATOR, version,
                SweepRequests.findCoordinator(version, group));
            if (version >= 4)
            {
                assertEquals(1, response.coordinators().size());
                final FindCoordinatorResponseData.Coordinator coordinator = response.coordinators().get(0);
                assertEquals(group, coordinator.key());
                assertEquals(Errors.NONE, Errors.forCode(coordinator.errorCode()), at(ApiKeys.FIND_COORDINATOR, version));
                assertEquals(fixture.port(), coordinator.port());
            }
            else
            {
                assertEquals(Errors.NONE, Errors.forCode(response.errorCode()), at(ApiKeys.FIND_COORDINATOR, version));
                assertEquals(fixture.port(), response.port());
            }
        }
    }

    /**
     * A session timeout below the broker's minimum is refused (an error response at this
     * version); then join (with MEMBER_ID_REQUIRED first from v4), sync, and the member is Stable.
     */
    private void joinGroup(final short version) throws Exception
    {
        final ClassicGroupMember member = new ClassicGroupMember(fixture.unique("join-v" + version));
        try (RawKafkaClient raw = fixture.raw())
        {
            final JoinGroupResponseData refused = raw.request(ApiKeys.JOIN_GROUP, version,
                member.joinRequest(version, TOO_SHORT_SESSION_TIMEOUT_MS));
            assertEquals(Errors.INVALID_SESSION_TIMEOUT, Errors.forCode(refused.errorCode()), at(ApiKeys.JOIN_GROUP, version));
            member.join(raw, version);
            member.sync(raw, fixture.maxAdvertised(ApiKeys.SYNC_GROUP));
            assertStable(raw, member);
        }
    }

    private void syncGroup(final short version) throws Exception
    {
        final ClassicGroupMember member = new ClassicGroupMember(fixture.unique("sync-v" + version));
        try (RawKafkaClient raw = fixture.raw())
        {
            member.join(raw, fixture.maxAdvertised(ApiKeys.JOIN_GROUP));
            member.sync(raw, version);
            assertStable(raw, member);
        }
    }

    /** A member of the current generation is NONE; one generation behind is ILLEGAL_GENERATION. */
    private void heartbeat(final short version) throws Exception
    {
        try (RawKafkaClient raw = fixture.raw())
        {
            final ClassicGroupMember member = stableMember(raw, "heartbeat-v" + version);
            assertEquals(Errors.NONE, member.heartbeat(raw, version, member.generationId), at(ApiKeys.HEARTBEAT, version));
            assertEquals(Errors.ILLEGAL_GENERATION, member.heartbeat(raw, version, member.generationId + 1),
                at(ApiKeys.HEARTBEAT, version) + " with a future generation");
        }
    }

    /** The member leaves and the group is Empty. */
    private void leaveGroup(final short version) throws Exception
    {
        try (RawKafkaClient raw = fixture.raw())
        {
            final ClassicGroupMember member = stableMember(raw, "leave-v" + version);
            final LeaveGroupResponseData response = raw.request(ApiKeys.LEAVE_GROUP, version,
                SweepRequests.leaveGroup(version, member.groupId, member.memberId));
            assertEquals(Errors.NONE, Errors.forCode(response.errorCode()), at(ApiKeys.LEAVE_GROUP, version));
            if (version >= 3)
            {
                assertEquals(1, response.members().size());
                assertEquals(member.memberId, response.members().get(0).memberId());
                assertEquals(Errors.NONE.code(), response.members().get(0).errorCode());
            }
            final DescribeGroupsResponseData.DescribedGroup group = describe(raw, fixture.maxAdvertised(ApiKeys.DESCRIBE_GROUPS), member.groupId);
            assertEquals("Empty", group.groupState());
            assertEquals(0, group.members().size());
        }
    }

    /** A member's commit at this version, read back. */
    private void offsetCommit(final short version) throws Exception
    {
        try (RawKafkaClient raw = fixture.raw())
        {
            final ClassicGroupMember member = stableMember(raw, "commit-v" + version);
            final OffsetCommitResponseData response = raw.request(ApiKeys.OFFSET_COMMIT, version, SweepRequests.offsetCommit(version,
                member.groupId, member.generationId, member.memberId, DATA_TOPIC, fixture.dataTopicId(), 3, "meta-v" + version));
            assertEquals(1, response.topics().size());
            final OffsetCommitResponseData.OffsetCommitResponseTopic topic = response.topics().get(0);
            if (version >= 10)
            {
                assertEquals(fixture.dataTopicId(), topic.topicId());
            }
            else
            {
                assertEquals(DATA_TOPIC, topic.name());
            }
            assertEquals(Errors.NONE, Errors.forCode(topic.partitions().get(0).errorCode()), at(ApiKeys.OFFSET_COMMIT, version));
            assertCommitted(raw, fixture.maxAdvertised(ApiKeys.OFFSET_FETCH), member.groupId, 3, "meta-v" + version);
        }
    }

    /** An admin-style commit (generation -1, no member) read back at this version; an uncommitted group reads -1. */
    private void offsetFetch(final short version) throws Exception
    {
        final String group = fixture.unique("fetch-offsets-v" + version);
        try (RawKafkaClient raw = fixture.raw())
        {
            assertCommitted(raw, version, group, -1, "");
            commitAsAdmin(raw, group, 4);
            assertCommitted(raw, version, group, 4, "admin");
        }
    }

    private void commitAsAdmin(final RawKafkaClient raw, final String group, final long offset) throws IOException
    {
        final short commitVersion = fixture.maxAdvertised(ApiKeys.OFFSET_COMMIT);
        final OffsetCommitResponseData commit = raw.request(ApiKeys.OFFSET_COMMIT, commitVersion, SweepRequests.offsetCommit(commitVersion,
            group, -1, "", DATA_TOPIC, fixture.dataTopicId(), offset, "admin"));
        assertEquals(Errors.NONE.code(), commit.topics().get(0).partitions().get(0).errorCode(), "admin commit");
    }

    private void assertCommitted(final RawKafkaClient raw, final short version, final String group, final long offset,
        final String metadata) throws IOException
    {
        final OffsetFetchResponseData response = raw.request(ApiKeys.OFFSET_FETCH, version,
            SweepRequests.offsetFetch(version, group, DATA_TOPIC, fixture.dataTopicId()));
        final String what = at(ApiKeys.OFFSET_FETCH, version) + " of " + group;
        if (version >= 8)
        {
            assertEquals(1, response.groups().size(), what);
            final OffsetFetchResponseData.OffsetFetchResponseGroup answered = response.groups().get(0);
            assertEquals(group, answered.groupId());
            assertEquals(Errors.NONE, Errors.forCode(answered.errorCode()), what);
            final OffsetFetchResponseData.OffsetFetchResponseTopics topic = answered.topics().get(0);
            if (version >= 10)
            {
                assertEquals(fixture.dataTopicId(), topic.topicId());
            }
            else
            {
                assertEquals(DATA_TOPIC, topic.name());
            }
            final OffsetFetchResponseData.OffsetFetchResponsePartitions partition = topic.partitions().get(0);
            assertEquals(Errors.NONE, Errors.forCode(partition.errorCode()), what);
            assertEquals(offset, partition.committedOffset(), what);
            if (offset >= 0)
            {
                assertEquals(metadata, partition.metadata(), what);
            }
        }
        else
        {
            if (version >= 2)
            {
                assertEquals(Errors.NONE, Errors.forCode(response.errorCode()), what);
            }
            final OffsetFetchResponseData.OffsetFetchResponseTopic topic = response.topics().get(0);
            assertEquals(DATA_TOPIC, topic.name());
            final OffsetFetchResponseData.OffsetFetchResponsePartition partition = topic.partitions().get(0);
            assertEquals(Errors.NONE, Errors.forCode(partition.errorCode()), what);
            assertEquals(offset, partition.committedOffset(), what);
            if (offset >= 0)
            {
                assertEquals(metadata, partition.metadata(), what);
            }
        }
    }

    private void describeGroups(final short version) throws Exception
    {
        try (RawKafkaClient raw = fixture.raw())
        {
            final ClassicGroupMember member = stableMember(raw, "describe-v" + version);
            final DescribeGroupsResponseData.DescribedGroup group = describe(raw, version, member.groupId);
            assertEquals(Errors.NONE, Errors.forCode(group.errorCode()), at(ApiKeys.DESCRIBE_GROUPS, version));
            assertEquals("Stable", group.groupState());
            assertEquals(ClassicGroupMember.PROTOCOL_TYPE, group.protocolType());
            assertEquals(ClassicGroupMember.PROTOCOL, group.protocolData());
            assertEquals(1, group.members().size());
            final DescribeGroupsResponseData.DescribedGroupMember described = group.members().get(0);
            assertEquals(member.memberId, described.memberId());
            assertEquals(RawKafkaClient.CLIENT_ID, described.clientId());
            assertEquals(ByteBuffer.wrap(ClassicGroupMember.ASSIGNMENT), ByteBuffer.wrap(described.memberAssignment()));
        }
    }

    /** A Stable group is listed with its protocol type (and state from v4, type from v5). */
    private void listGroups(final short version) throws Exception
    {
        try (RawKafkaClient raw = fixture.raw())
        {
            final ClassicGroupMember member = stableMember(raw, "list-v" + version);
            final ListGroupsResponseData response = raw.request(ApiKeys.LIST_GROUPS, version, SweepRequests.listGroups(version));
            assertEquals(Errors.NONE, Errors.forCode(response.errorCode()), at(ApiKeys.LIST_GROUPS, version));
            final ListGroupsResponseData.ListedGroup listed = response.groups().stream()
                .filter(g -> g.groupId().equals(member.groupId)).findFirst().orElse(null);
            assertNotNull(listed, member.groupId + " listed");
            assertEquals(ClassicGroupMember.PROTOCOL_TYPE, listed.protocolType());
            if (version >= 4)
            {
                assertEquals("Stable", listed.groupState());
            }
            if (version >= 5)
            {
                assertEquals("classic", listed.groupType());
            }
        }
    }

    /** An empty group with a commit is deleted, and with it its offsets. */
    private void deleteGroups(final short version) throws Exception
    {
        final String group = fixture.unique("deleted-group-v" + version);
        try (RawKafkaClient raw = fixture.raw())
        {
            commitAsAdmin(raw, group, 2);
            final DeleteGroupsResponseData response = raw.request(ApiKeys.DELETE_GROUPS, version, SweepRequests.deleteGroups(version, group));
            final DeleteGroupsResponseData.DeletableGroupResult result = response.results().find(group);
            assertNotNull(result, group + " answered");
            assertEquals(Errors.NONE, Errors.forCode(result.errorCode()), at(ApiKeys.DELETE_GROUPS, version));
            assertCommitted(raw, fixture.maxAdvertised(ApiKeys.OFFSET_FETCH), group, -1, "");
        }
    }

    /** One partition's commit deleted from an empty group. */
    private void offsetDelete(final short version) throws Exception
    {
        final String group = fixture.unique("offset-delete-v" + version);
        try (RawKafkaClient raw = fixture.raw())
        {
            commitAsAdmin(raw, group, 2);
            final OffsetDeleteResponseData response = raw.request(ApiKeys.OFFSET_DELETE, version,
                SweepRequests.offsetDelete(version, group, DATA_TOPIC));
            assertEquals(Errors.NONE, Errors.forCode(response.errorCode()), at(ApiKeys.OFFSET_DELETE, version));
            final OffsetDeleteResponseData.OffsetDeleteResponseTopic topic = response.topics().find(DATA_TOPIC);
            assertNotNull(topic);
            assertEquals(Errors.NONE.code(), topic.partitions().find(0).errorCode());
            assertCommitted(raw, fixture.maxAdvertised(ApiKeys.OFFSET_FETCH), group, -1, "");
        }
    }

    private ClassicGroupMember stableMember(final RawKafkaClient raw, final String prefix) throws IOException
    {
        final ClassicGroupMember member = new ClassicGroupMember(fixture.unique(prefix));
        member.join(raw, fixture.maxAdvertised(ApiKeys.JOIN_GROUP));
        member.sync(raw, fixture.maxAdvertised(ApiKeys.SYNC_GROUP));
        return member;
    }

    private static DescribeGroupsResponseData.DescribedGroup describe(final RawKafkaClient raw, final short version, final String group)
        throws IOException
    {
        final DescribeGroupsResponseData response = raw.request(ApiKeys.DESCRIBE_GROUPS, version, SweepRequests.describeGroups(version, group));
        assertEquals(1, response.groups().size());
        final DescribeGroupsResponseData.DescribedGroup described = response.groups().get(0);
        assertEquals(group, described.groupId());
        return described;
    }

    private void assertStable(final RawKafkaClient raw, final ClassicGroupMember member) throws IOException
    {
        final DescribeGroupsResponseData.DescribedGroup group = describe(raw, fixture.maxAdvertised(ApiKeys.DESCRIBE_GROUPS), member.groupId);
        assertEquals("Stable", group.groupState());
        assertEquals(member.memberId, group.members().get(0).memberId());
    }

    // ---------------------------------------------------------------------------------------
    // Consumer groups (KIP-848) and leader epochs
    // ---------------------------------------------------------------------------------------

    /** A new member joins, is given epoch >= 1 and, within a bounded number of heartbeats, the fixture's partition. */
    private void consumerGroupHeartbeat(final short version) throws Exception
    {
        try (RawKafkaClient raw = fixture.raw())
        {
            final ConsumerGroupHeartbeatResponseData joined = joinConsumerGroup(raw, version, fixture.unique("cg-v" + version));
            assertTrue(joined.memberEpoch() >= 1, "member epoch " + joined.memberEpoch());
        }
    }

    private ConsumerGroupHeartbeatResponseData joinConsumerGroup(final RawKafkaClient raw, final short version, final String group)
        throws Exception
    {
        final var request = SweepRequests.consumerGroupJoin(version, group, DATA_TOPIC);
        ConsumerGroupHeartbeatResponseData response = raw.request(ApiKeys.CONSUMER_GROUP_HEARTBEAT, version, request);
        assertEquals(Errors.NONE, Errors.forCode(response.errorCode()), at(ApiKeys.CONSUMER_GROUP_HEARTBEAT, version));
        assertFalse(response.memberId() == null || response.memberId().isEmpty(), "member id");
        if (version >= 1)
        {
            assertEquals(request.memberId(), response.memberId(), "v1 members keep the id they chose");
        }
        assertTrue(response.heartbeatIntervalMs() > 0, "heartbeat interval");
        for (int beat = 0; beat < CONSUMER_GROUP_HEARTBEATS && !assigned(response); beat++)
        {
            Thread.sleep(CONSUMER_GROUP_HEARTBEAT_PAUSE_MS);
            final ConsumerGroupHeartbeatResponseData next = raw.request(ApiKeys.CONSUMER_GROUP_HEARTBEAT, version,
                request.duplicate().setMemberId(response.memberId()).setMemberEpoch(response.memberEpoch())
                    .setSubscribedTopicNames(null).setRebalanceTimeoutMs(-1).setTopicPartitions(null));
            assertEquals(Errors.NONE, Errors.forCode(next.errorCode()), at(ApiKeys.CONSUMER_GROUP_HEARTBEAT, version));
            // A heartbeat without news leaves the assignment null: keep the one already given.
            response = next.assignment() == null ? next.setAssignment(response.assignment()) : next;
        }
        assertTrue(assigned(response), "the only member is assigned " + DATA_TOPIC + "-0: " + response);
        return response;
    }

    private boolean assigned(final ConsumerGroupHeartbeatResponseData response)
    {
        return response.assignment() != null && response.assignment().topicPartitions().stream()
            .anyMatch(tp -> tp.topicId().equals(fixture.dataTopicId()) && tp.partitions().contains(0));
    }

    /** The member just joined, described with its subscription. */
    private void consumerGroupDescribe(final short version) throws Exception
    {
        final String group = fixture.unique("cg-describe-v" + version);
        try (RawKafkaClient raw = fixture.raw())
        {
            final ConsumerGroupHeartbeatResponseData joined = joinConsumerGroup(raw, fixture.maxAdvertised(ApiKeys.CONSUMER_GROUP_HEARTBEAT),
                group);
            final ConsumerGroupDescribeResponseData response = raw.request(ApiKeys.CONSUMER_GROUP_DESCRIBE, version,
                SweepRequests.consumerGroupDescribe(version, group));
            assertEquals(1, response.groups().size());
            final ConsumerGroupDescribeResponseData.DescribedGroup described = response.groups().get(0);
            assertEquals(Errors.NONE, Errors.forCode(described.errorCode()), at(ApiKeys.CONSUMER_GROUP_DESCRIBE, version));
            assertEquals(group, described.groupId());
            assertEquals(1, described.members().size());
            final ConsumerGroupDescribeResponseData.Member member = described.members().get(0);
            assertEquals(joined.memberId(), member.memberId());
            assertEquals(List.of(DATA_TOPIC), member.subscribedTopicNames());
        }
    }

    /** The end offset of the current leader epoch is the log end offset. */
    private void offsetForLeaderEpoch(final short version) throws Exception
    {
        try (RawKafkaClient raw = fixture.raw())
        {
            final OffsetForLeaderEpochResponseData response = raw.request(ApiKeys.OFFSET_FOR_LEADER_EPOCH, version,
                SweepRequests.offsetForLeaderEpoch(version, DATA_TOPIC, fixture.dataLeaderEpoch()));
            final OffsetForLeaderEpochResponseData.OffsetForLeaderTopicResult topic = response.topics().find(DATA_TOPIC);
            assertNotNull(topic, DATA_TOPIC + " answered");
            final OffsetForLeaderEpochResponseData.EpochEndOffset partition = topic.partitions().get(0);
            assertEquals(Errors.NONE, Errors.forCode(partition.errorCode()), at(ApiKeys.OFFSET_FOR_LEADER_EPOCH, version));
            assertEquals(fixture.dataLeaderEpoch(), partition.leaderEpoch());
            assertEquals(RECORDS, partition.endOffset(), "end offset of the current epoch");
        }
    }
}
