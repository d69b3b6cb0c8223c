package io.runnel.broker.it.protocol;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import io.runnel.broker.testing.RawKafkaClient;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.message.AlterConfigsResponseData;
import org.apache.kafka.common.message.ApiVersionsResponseData;
import org.apache.kafka.common.message.CreatePartitionsResponseData;
import org.apache.kafka.common.message.CreateTopicsResponseData;
import org.apache.kafka.common.message.DeleteTopicsResponseData;
import org.apache.kafka.common.message.DescribeClusterResponseData;
import org.apache.kafka.common.message.DescribeConfigsResponseData;
import org.apache.kafka.common.message.DescribeQuorumResponseData;
import org.apache.kafka.common.message.FetchResponseData;
import org.apache.kafka.common.message.IncrementalAlterConfigsResponseData;
import org.apache.kafka.common.message.InitProducerIdResponseData;
import org.apache.kafka.common.message.ListOffsetsResponseData;
import org.apache.kafka.common.message.MetadataResponseData;
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
    /** KRaft's metadata log, the one partition DescribeQuorum describes. */
    private static final String METADATA_LOG = "__cluster_metadata";

    private final SweepFixture fixture;
    private final Map<ApiKeys, ApiCase> cases = new EnumMap<>(ApiKeys.class);

    ApiCases(final SweepFixture fixture)
    {
        this.fixture = fixture;
        final GroupCases groups = new GroupCases(fixture);
        final LogCases logs = new LogCases(fixture);
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
        // Samples change nothing (validate-only, a topic that does not exist), however the hostile sweep mutates them.
        cases.put(ApiKeys.INCREMENTAL_ALTER_CONFIGS, new ApiCase(v -> encode(SweepRequests.incrementalAlterConfigs(v,
            SweepRequests.TOPIC_RESOURCE, "absent-topic", "retention.ms", "1000", true), v), this::incrementalAlterConfigs));
        cases.put(ApiKeys.ALTER_CONFIGS, new ApiCase(v -> encode(SweepRequests.alterConfigs(v, SweepRequests.TOPIC_RESOURCE, "absent-topic",
            "retention.ms", "1000", true), v), this::alterConfigs));
        cases.put(ApiKeys.DESCRIBE_CLUSTER, new ApiCase(v -> encode(SweepRequests.describeCluster(v), v), this::describeCluster));
        cases.put(ApiKeys.DESCRIBE_QUORUM, new ApiCase(v -> encode(SweepRequests.describeQuorum(METADATA_LOG), v), this::describeQuorum));
        cases.put(ApiKeys.FIND_COORDINATOR, new ApiCase(v -> encode(SweepRequests.findCoordinator(v, "hostile-group"), v),
            groups::findCoordinator));
        cases.put(ApiKeys.JOIN_GROUP, new ApiCase(v -> encode(new ClassicGroupMember(fixture.unique("hostile-join")).joinRequest(v), v),
            groups::joinGroup));
        cases.put(ApiKeys.SYNC_GROUP, new ApiCase(v -> encode(new ClassicGroupMember("hostile-group").syncRequest(v), v), groups::syncGroup));
        cases.put(ApiKeys.HEARTBEAT, new ApiCase(v -> encode(new ClassicGroupMember("hostile-group").heartbeatRequest(1), v),
            groups::heartbeat));
        cases.put(ApiKeys.LEAVE_GROUP, new ApiCase(v -> encode(SweepRequests.leaveGroup(v, "hostile-group", "stranger"), v),
            groups::leaveGroup));
        cases.put(ApiKeys.OFFSET_COMMIT, new ApiCase(v -> encode(SweepRequests.offsetCommit(v, "hostile-group", -1, "",
            DATA_TOPIC, fixture.dataTopicId(), 1, "hostile"), v), groups::offsetCommit));
        cases.put(ApiKeys.OFFSET_FETCH, new ApiCase(v -> encode(SweepRequests.offsetFetch(v, "hostile-group", DATA_TOPIC,
            fixture.dataTopicId()), v), groups::offsetFetch));
        cases.put(ApiKeys.DESCRIBE_GROUPS, new ApiCase(v -> encode(SweepRequests.describeGroups(v, "hostile-group"), v),
            groups::describeGroups));
        cases.put(ApiKeys.LIST_GROUPS, new ApiCase(v -> encode(SweepRequests.listGroups(v), v), groups::listGroups));
        cases.put(ApiKeys.DELETE_GROUPS, new ApiCase(v -> encode(SweepRequests.deleteGroups(v, "absent-group"), v), groups::deleteGroups));
        cases.put(ApiKeys.OFFSET_DELETE, new ApiCase(v -> encode(SweepRequests.offsetDelete(v, "absent-group", DATA_TOPIC), v),
            groups::offsetDelete));
        cases.put(ApiKeys.CONSUMER_GROUP_HEARTBEAT, new ApiCase(v -> encode(SweepRequests.consumerGroupJoin(v,
            fixture.unique("hostile-cg"), DATA_TOPIC), v), groups::consumerGroupHeartbeat));
        cases.put(ApiKeys.CONSUMER_GROUP_DESCRIBE, new ApiCase(v -> encode(SweepRequests.consumerGroupDescribe(v, "hostile-cg"), v),
            groups::consumerGroupDescribe));
        cases.put(ApiKeys.DELETE_RECORDS, new ApiCase(v -> encode(LogCases.deleteRecords("absent-topic", -1), v), logs::deleteRecords));
        cases.put(ApiKeys.DESCRIBE_LOG_DIRS, new ApiCase(v -> encode(LogCases.describeLogDirs(DATA_TOPIC), v), logs::describeLogDirs));
        cases.put(ApiKeys.ALTER_REPLICA_LOG_DIRS, new ApiCase(v -> encode(LogCases.alterReplicaLogDirs("/elsewhere", DATA_TOPIC), v),
            logs::alterReplicaLogDirs));
        cases.put(ApiKeys.OFFSET_FOR_LEADER_EPOCH, new ApiCase(v -> encode(SweepRequests.offsetForLeaderEpoch(v, DATA_TOPIC,
            fixture.dataLeaderEpoch()), v), this::offsetForLeaderEpoch));
        cases.put(ApiKeys.ELECT_LEADERS, new ApiCase(v -> encode(electLeaders(DATA_TOPIC, 0), v), this::electLeaders));
        // A cancel changes nothing however the hostile sweep mutates it: nothing is ever being reassigned on one node.
        cases.put(ApiKeys.ALTER_PARTITION_REASSIGNMENTS, new ApiCase(v -> encode(reassign(DATA_TOPIC, 0, null, true), v),
            this::alterPartitionReassignments));
        cases.put(ApiKeys.LIST_PARTITION_REASSIGNMENTS, new ApiCase(v -> encode(listReassignments(DATA_TOPIC), v),
            this::listPartitionReassignments));
    }

    /** One partition moved to {@code replicas}, or its reassignment cancelled ({@code replicas} null). */
    private static org.apache.kafka.common.message.AlterPartitionReassignmentsRequestData reassign(final String topic, final int partition,
        final List<Integer> replicas, final boolean allowReplicationFactorChange)
    {
        return new org.apache.kafka.common.message.AlterPartitionReassignmentsRequestData().setTimeoutMs(10_000)
            .setAllowReplicationFactorChange(allowReplicationFactorChange)
            .setTopics(List.of(new org.apache.kafka.common.message.AlterPartitionReassignmentsRequestData.ReassignableTopic().setName(topic)
                .setPartitions(List.of(new org.apache.kafka.common.message.AlterPartitionReassignmentsRequestData.ReassignablePartition()
                    .setPartitionIndex(partition).setReplicas(replicas)))));
    }

    /** The reassignments of {@code topic}'s partition 0, or of every partition ({@code topic} null). */
    private static org.apache.kafka.common.message.ListPartitionReassignmentsRequestData listReassignments(final String topic)
    {
        return new org.apache.kafka.common.message.ListPartitionReassignmentsRequestData().setTimeoutMs(10_000).setTopics(topic == null ? null
            : List.of(new org.apache.kafka.common.message.ListPartitionReassignmentsRequestData.ListPartitionReassignmentsTopics()
                .setName(topic).setPartitionIndexes(List.of(0))));
    }

    /** The error of the only partition answered. */
    private static Errors onlyPartitionError(final org.apache.kafka.common.message.AlterPartitionReassignmentsResponseData response)
    {
        assertEquals(Errors.NONE, Errors.forCode(response.errorCode()));
        return Errors.forCode(response.responses().get(0).partitions().get(0).errorCode());
    }

    /**
     * A single node is a cluster of one broker: a partition "moves" to its own replica only, another
     * broker is unknown, nothing is ever being reassigned to cancel, and an unknown partition is named as such.
     */
    private void alterPartitionReassignments(final short version) throws Exception
    {
        final ApiKeys api = ApiKeys.ALTER_PARTITION_REASSIGNMENTS;
        try (RawKafkaClient raw = fixture.raw())
        {
            final MetadataResponseData metadata = raw.request(ApiKeys.METADATA, ApiKeys.METADATA.latestVersion(),
                SweepRequests.metadata(ApiKeys.METADATA.latestVersion(), DATA_TOPIC));
            final List<Integer> replicas = metadata.topics().iterator().next().partitions().get(0).replicaNodes();
            assertEquals(Errors.NONE, onlyPartitionError(raw.request(api, version, reassign(DATA_TOPIC, 0, replicas, true))), at(api, version));
            assertEquals(Errors.NO_REASSIGNMENT_IN_PROGRESS, onlyPartitionError(raw.request(api, version, reassign(DATA_TOPIC, 0, null, true))),
                at(api, version));
            assertEquals(Errors.INVALID_REPLICA_ASSIGNMENT, onlyPartitionError(raw.request(api, version,
                reassign(DATA_TOPIC, 0, List.of(replicas.get(0) + 1), true))), at(api, version));
            assertEquals(Errors.UNKNOWN_TOPIC_OR_PARTITION, onlyPartitionError(raw.request(api, version,
                reassign(DATA_TOPIC, 999, replicas, true))), at(api, version));
        }
    }

    /** Nothing is being reassigned: every way of asking answers no partition. */
    private void listPartitionReassignments(final short version) throws Exception
    {
        try (RawKafkaClient raw = fixture.raw())
        {
            for (final String topic : java.util.Arrays.asList(DATA_TOPIC, "absent-topic", null))
            {
                final org.apache.kafka.common.message.ListPartitionReassignmentsResponseData response = raw.request(
                    ApiKeys.LIST_PARTITION_REASSIGNMENTS, version, listReassignments(topic));
                assertEquals(Errors.NONE, Errors.forCode(response.errorCode()), at(ApiKeys.LIST_PARTITION_REASSIGNMENTS, version));
                assertTrue(response.topics().isEmpty(), "no reassignment of " + topic);
            }
        }
    }

    /** A preferred-leader election of one partition, or of every partition ({@code topic} null). */
    private static org.apache.kafka.common.message.ElectLeadersRequestData electLeaders(final String topic, final int partition)
    {
        final org.apache.kafka.common.message.ElectLeadersRequestData request = new org.apache.kafka.common.message.ElectLeadersRequestData()
            .setTimeoutMs(10_000);
        if (topic == null)
        {
            return request.setTopicPartitions(null);
        }
        final org.apache.kafka.common.message.ElectLeadersRequestData.TopicPartitionsCollection partitions =
            new org.apache.kafka.common.message.ElectLeadersRequestData.TopicPartitionsCollection();
        partitions.add(new org.apache.kafka.common.message.ElectLeadersRequestData.TopicPartitions().setTopic(topic).setPartitions(List.of(partition)));
        return request.setTopicPartitions(partitions);
    }

    /** A single node's only replica leads every partition: no election is needed; an unknown partition is named as such. */
    private void electLeaders(final short version) throws Exception
    {
        try (RawKafkaClient raw = fixture.raw())
        {
            final org.apache.kafka.common.message.ElectLeadersResponseData named = raw.request(ApiKeys.ELECT_LEADERS, version,
                electLeaders(DATA_TOPIC, 0));
            assertEquals(Errors.NONE, Errors.forCode(named.errorCode()), at(ApiKeys.ELECT_LEADERS, version));
            assertEquals(Errors.ELECTION_NOT_NEEDED,
                Errors.forCode(named.replicaElectionResults().get(0).partitionResult().get(0).errorCode()), at(ApiKeys.ELECT_LEADERS, version));

            final org.apache.kafka.common.message.ElectLeadersResponseData unknown = raw.request(ApiKeys.ELECT_LEADERS, version,
                electLeaders(DATA_TOPIC, 999));
            assertEquals(Errors.UNKNOWN_TOPIC_OR_PARTITION,
                Errors.forCode(unknown.replicaElectionResults().get(0).partitionResult().get(0).errorCode()));

            final org.apache.kafka.common.message.ElectLeadersResponseData all = raw.request(ApiKeys.ELECT_LEADERS, version, electLeaders(null, 0));
            assertTrue(all.replicaElectionResults().isEmpty(), "every partition is led by its preferred replica: nothing to elect");
        }
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
     * Produce v0-2 are refused and store nothing: UNSUPPORTED_VERSION for every partition in the
     * v0-2 response layout ([topic [partition, error, base offset, (v2) append time]], (v1+)
     * throttle), on a connection that stays open. (Kafka 4.x advertises them too, KAFKA-18659, but
     * closes the connection; Runnel answers, so a silent close here is a failure.)
     */
    private void produceBeforeV3IsRefused(final short version, final String topic) throws Exception
    {
        try (RawKafkaClient raw = fixture.raw())
        {
            final int correlationId = raw.nextCorrelationId();
            raw.sendFrame(RawKafkaClient.rawBodyPayload(ApiKeys.PRODUCE.id, version, correlationId,
                SweepRequests.produceBeforeV3(version, topic, "old"), PRODUCE_BEFORE_V3_HEADER));
            final ByteBuffer frame = raw.receiveFrameWithin(fixture.answerWait());
            assertNotNull(frame, at(ApiKeys.PRODUCE, version) + ": no answer (closed or silent)");
            assertUnsupportedVersionBeforeV3(version, topic, correlationId, frame);
        }
        assertEquals(List.of(), fixture.values(topic, 0), "a refused produce stores nothing");
    }

    private static void assertUnsupportedVersionBeforeV3(final short version, final String topic, final int correlationId,
        final ByteBuffer frame)
    {
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
            final List<String> expected = new ArrayList<>();
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

    /**
     * A topic key set on a topic of its own, then read back; a broker key validated only; another
     * broker's id refused.
     */
    private void incrementalAlterConfigs(final short version) throws Exception
    {
        final String topic = fixture.unique("altered-v" + version);
        fixture.createTopic(topic, 1);
        final String retention = Long.toString(60_000L + version);
        try (RawKafkaClient raw = fixture.raw())
        {
            final IncrementalAlterConfigsResponseData set = raw.request(ApiKeys.INCREMENTAL_ALTER_CONFIGS, version,
                SweepRequests.incrementalAlterConfigs(version, SweepRequests.TOPIC_RESOURCE, topic, "retention.ms", retention, false));
            assertEquals(Errors.NONE, Errors.forCode(set.responses().get(0).errorCode()), at(ApiKeys.INCREMENTAL_ALTER_CONFIGS, version));
            assertEquals(topic, set.responses().get(0).resourceName());
            assertEquals(retention, topicConfig(raw, topic, "retention.ms"), "retention.ms after IncrementalAlterConfigs v" + version);

            final IncrementalAlterConfigsResponseData dryRun = raw.request(ApiKeys.INCREMENTAL_ALTER_CONFIGS, version,
                SweepRequests.incrementalAlterConfigs(version, SweepRequests.BROKER_RESOURCE, "", "log.retention.ms", "1000", true));
            assertEquals(Errors.NONE, Errors.forCode(dryRun.responses().get(0).errorCode()), at(ApiKeys.INCREMENTAL_ALTER_CONFIGS, version));

            final IncrementalAlterConfigsResponseData otherBroker = raw.request(ApiKeys.INCREMENTAL_ALTER_CONFIGS, version,
                SweepRequests.incrementalAlterConfigs(version, SweepRequests.BROKER_RESOURCE, "7", "log.retention.ms", "1000", false));
            assertEquals(Errors.INVALID_REQUEST, Errors.forCode(otherBroker.responses().get(0).errorCode()), "broker 7 is not this broker");
        }
    }

    /** A topic's overrides replaced by one key: the key it had before is gone. */
    private void alterConfigs(final short version) throws Exception
    {
        final String topic = fixture.unique("replaced-v" + version);
        fixture.createTopic(topic, 1);
        try (RawKafkaClient raw = fixture.raw())
        {
            raw.request(ApiKeys.INCREMENTAL_ALTER_CONFIGS, fixture.maxAdvertised(ApiKeys.INCREMENTAL_ALTER_CONFIGS),
                SweepRequests.incrementalAlterConfigs(version, SweepRequests.TOPIC_RESOURCE, topic, "retention.ms", "60000", false));
            final String maxMessageBytes = Integer.toString(2048 + version);
            final AlterConfigsResponseData response = raw.request(ApiKeys.ALTER_CONFIGS, version,
                SweepRequests.alterConfigs(version, SweepRequests.TOPIC_RESOURCE, topic, "max.message.bytes", maxMessageBytes, false));
            assertEquals(Errors.NONE, Errors.forCode(response.responses().get(0).errorCode()), at(ApiKeys.ALTER_CONFIGS, version));
            assertEquals(maxMessageBytes, topicConfig(raw, topic, "max.message.bytes"));
            assertEquals("604800000", topicConfig(raw, topic, "retention.ms"), "AlterConfigs v" + version + " deletes the keys it leaves out");
        }
    }

    /** One key of a topic, as DescribeConfigs at the highest advertised version reports it. */
    private String topicConfig(final RawKafkaClient raw, final String topic, final String key) throws Exception
    {
        final short version = fixture.maxAdvertised(ApiKeys.DESCRIBE_CONFIGS);
        final DescribeConfigsResponseData response = raw.request(ApiKeys.DESCRIBE_CONFIGS, version, SweepRequests.describeConfigs(version, topic));
        return response.results().get(0).configs().stream().filter(c -> c.name().equals(key)).findFirst().orElseThrow().value();
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

    /** A single node is its own one-voter quorum: it leads, caught up with itself, and names no observers. */
    private void describeQuorum(final short version) throws Exception
    {
        try (RawKafkaClient raw = fixture.raw())
        {
            final int nodeId = raw.<DescribeClusterResponseData>request(ApiKeys.DESCRIBE_CLUSTER, fixture.maxAdvertised(ApiKeys.DESCRIBE_CLUSTER),
                SweepRequests.describeCluster(fixture.maxAdvertised(ApiKeys.DESCRIBE_CLUSTER))).controllerId();
            final DescribeQuorumResponseData response = raw.request(ApiKeys.DESCRIBE_QUORUM, version, SweepRequests.describeQuorum(METADATA_LOG));
            assertEquals(Errors.NONE, Errors.forCode(response.errorCode()), at(ApiKeys.DESCRIBE_QUORUM, version));
            assertEquals(1, response.topics().size(), at(ApiKeys.DESCRIBE_QUORUM, version));
            assertEquals(METADATA_LOG, response.topics().get(0).topicName());
            final DescribeQuorumResponseData.PartitionData partition = response.topics().get(0).partitions().get(0);
            assertEquals(Errors.NONE, Errors.forCode(partition.errorCode()), at(ApiKeys.DESCRIBE_QUORUM, version));
            assertEquals(nodeId, partition.leaderId(), "the node leads its own quorum");
            assertEquals(List.of(nodeId), partition.currentVoters().stream().map(DescribeQuorumResponseData.ReplicaState::replicaId).toList());
            assertEquals(partition.highWatermark(), partition.currentVoters().get(0).logEndOffset(), "caught up with itself");
            assertTrue(partition.observers().isEmpty(), "no observers");
            if (version >= 1)
            {
                assertTrue(partition.currentVoters().get(0).lastCaughtUpTimestamp() > 0, "caught up now");
            }

            final DescribeQuorumResponseData other = raw.request(ApiKeys.DESCRIBE_QUORUM, version, SweepRequests.describeQuorum(DATA_TOPIC));
            assertEquals(Errors.UNKNOWN_TOPIC_OR_PARTITION, Errors.forCode(other.topics().get(0).partitions().get(0).errorCode()),
                "only the metadata log is a quorum's");
        }
    }

    // ---------------------------------------------------------------------------------------
    // Leader epochs
    // ---------------------------------------------------------------------------------------

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
