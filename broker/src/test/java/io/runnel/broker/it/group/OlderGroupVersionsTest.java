package io.runnel.broker.it.group;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import io.runnel.broker.testing.RawKafkaClient;
import io.runnel.broker.testing.TestBroker;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.message.HeartbeatRequestData;
import org.apache.kafka.common.message.HeartbeatResponseData;
import org.apache.kafka.common.message.JoinGroupRequestData;
import org.apache.kafka.common.message.JoinGroupResponseData;
import org.apache.kafka.common.message.LeaveGroupRequestData;
import org.apache.kafka.common.message.LeaveGroupResponseData;
import org.apache.kafka.common.message.OffsetCommitRequestData;
import org.apache.kafka.common.message.OffsetCommitResponseData;
import org.apache.kafka.common.message.OffsetFetchRequestData;
import org.apache.kafka.common.message.OffsetFetchResponseData;
import org.apache.kafka.common.message.SyncGroupRequestData;
import org.apache.kafka.common.message.SyncGroupResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The classic group APIs at the old versions non-Java clients send (KafkaJS JoinGroup v5,
 * kafka-python v2, librdkafka v5) and at the newest: JoinGroup errors below v7 (the protocol
 * name cannot be null there), a group walked join/sync/heartbeat/commit/fetch/leave at each
 * version, and OffsetCommit/OffsetFetch v10 naming topics by id.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class OlderGroupVersionsTest
{
    private static final String TOPIC = "older-versions";
    private static final String PROTOCOL = "range";
    private static final short NEWEST_JOIN = 9;
    private static final short FIRST_JOIN_WITH_MEMBER_ID_REQUIRED = 4;

    @TempDir
    Path dataDir;

    private TestBroker broker;
    private RawKafkaClient raw;
    private Uuid topicId;

    /** One walk's versions: JoinGroup, SyncGroup, Heartbeat, OffsetCommit, OffsetFetch, LeaveGroup. */
    private record Versions(int join, int sync, int heartbeat, int commit, int fetch, int leave)
    {
        @Override
        public String toString()
        {
            return "join v" + join + " sync v" + sync + " heartbeat v" + heartbeat + " commit v" + commit + " fetch v" + fetch + " leave v" + leave;
        }
    }

    @BeforeEach
    void start() throws Exception
    {
        broker = TestBroker.start(dataDir, Map.of());
        try (Admin admin = broker.admin())
        {
            admin.createTopics(List.of(new NewTopic(TOPIC, 1, (short)1))).all().get(30, TimeUnit.SECONDS);
            topicId = admin.describeTopics(List.of(TOPIC)).allTopicNames().get(30, TimeUnit.SECONDS).get(TOPIC).topicId();
        }
        raw = RawKafkaClient.connect(broker.port());
    }

    @AfterEach
    void stop() throws Exception
    {
        raw.close();
        broker.close();
    }

    @Test
    void firstJoinFromV4OnIsAnsweredMemberIdRequiredWithAnId() throws Exception
    {
        for (short version = FIRST_JOIN_WITH_MEMBER_ID_REQUIRED; version <= NEWEST_JOIN; version++)
        {
            final JoinGroupResponseData response = raw.request(ApiKeys.JOIN_GROUP, version, join("first-join-v" + version, ""));
            assertEquals(Errors.MEMBER_ID_REQUIRED.code(), response.errorCode(), "v" + version);
            assertFalse(response.memberId().isEmpty(), "v" + version + " names the member id to join with");
            assertEquals(-1, response.generationId(), "v" + version);
        }
    }

    @Test
    void joinErrorsAreAnsweredAtEveryVersion() throws Exception
    {
        for (short version = 0; version <= NEWEST_JOIN; version++)
        {
            final JoinGroupResponseData invalidGroup = raw.request(ApiKeys.JOIN_GROUP, version, join("", ""));
            assertEquals(Errors.INVALID_GROUP_ID.code(), invalidGroup.errorCode(), "v" + version);

            final JoinGroupResponseData noProtocols = raw.request(ApiKeys.JOIN_GROUP, version,
                join("no-protocols-v" + version, "").setProtocols(new JoinGroupRequestData.JoinGroupRequestProtocolCollection()));
            assertEquals(Errors.INCONSISTENT_GROUP_PROTOCOL.code(), noProtocols.errorCode(), "v" + version);
            assertEquals(version >= 7 ? null : "", noProtocols.protocolName(), "v" + version);
        }
    }

    @Test
    void groupWalksThroughAtOldestVersions() throws Exception
    {
        walk(new Versions(0, 0, 0, 2, 1, 0));
    }

    @Test
    void groupWalksThroughAtVersionOne() throws Exception
    {
        walk(new Versions(1, 1, 1, 2, 1, 1));
    }

    @Test
    void groupWalksThroughAtVersionTwo() throws Exception
    {
        walk(new Versions(2, 2, 2, 2, 2, 2));
    }

    @Test
    void groupWalksThroughAtTheVersionsStockClientsSend() throws Exception
    {
        // kafka-python 2.0.2: JoinGroup v2, SyncGroup v1, Heartbeat v1, OffsetCommit v2, OffsetFetch v1, LeaveGroup v1.
        walk(new Versions(2, 1, 1, 2, 1, 1));
        // KafkaJS 2.2.4: JoinGroup v5, SyncGroup v3, Heartbeat v3, OffsetCommit v5, OffsetFetch v4, LeaveGroup v3.
        walk(new Versions(5, 3, 3, 5, 4, 3));
        // librdkafka 2.0.2: JoinGroup v5, SyncGroup v3, Heartbeat v3, OffsetCommit v7, OffsetFetch v7, LeaveGroup v1.
        walk(new Versions(5, 3, 3, 7, 7, 1));
    }

    @Test
    void groupWalksThroughAtEveryMiddleVersion() throws Exception
    {
        walk(new Versions(3, 3, 3, 3, 3, 3));
        walk(new Versions(4, 4, 4, 4, 4, 4));
        walk(new Versions(6, 4, 4, 6, 5, 4));
        walk(new Versions(7, 5, 4, 8, 6, 5));
        walk(new Versions(8, 5, 4, 9, 8, 5));
    }

    @Test
    void groupWalksThroughAtNewestVersionsWithTopicIds() throws Exception
    {
        walk(new Versions(NEWEST_JOIN, 5, 4, 10, 10, 5));
        walk(new Versions(NEWEST_JOIN, 5, 4, 9, 9, 5));
    }

    @Test
    void unknownTopicIdIsRefusedByCommitAndFetchV10() throws Exception
    {
        final Uuid unknown = Uuid.randomUuid();
        final OffsetCommitResponseData committed = raw.request(ApiKeys.OFFSET_COMMIT, (short)10, new OffsetCommitRequestData()
            .setGroupId("unknown-id-group").setGenerationIdOrMemberEpoch(-1).setMemberId("")
            .setTopics(List.of(new OffsetCommitRequestData.OffsetCommitRequestTopic().setTopicId(unknown).setPartitions(List.of(
                new OffsetCommitRequestData.OffsetCommitRequestPartition().setPartitionIndex(0).setCommittedOffset(5))))));
        assertEquals(unknown, committed.topics().get(0).topicId());
        assertEquals(Errors.UNKNOWN_TOPIC_ID.code(), committed.topics().get(0).partitions().get(0).errorCode());

        final OffsetFetchResponseData fetched = raw.request(ApiKeys.OFFSET_FETCH, (short)10, new OffsetFetchRequestData()
            .setGroups(List.of(new OffsetFetchRequestData.OffsetFetchRequestGroup().setGroupId("unknown-id-group")
                .setTopics(List.of(new OffsetFetchRequestData.OffsetFetchRequestTopics().setTopicId(unknown).setPartitionIndexes(List.of(0)))))));
        final OffsetFetchResponseData.OffsetFetchResponseTopics topic = fetched.groups().get(0).topics().get(0);
        assertEquals(unknown, topic.topicId());
        assertEquals(Errors.UNKNOWN_TOPIC_ID.code(), topic.partitions().get(0).errorCode());
    }

    @Test
    void offsetFetchV10OfAllTopicsNamesThemById() throws Exception
    {
        final String group = "all-topics-v10";
        final OffsetCommitResponseData committed = raw.request(ApiKeys.OFFSET_COMMIT, (short)9, new OffsetCommitRequestData()
            .setGroupId(group).setGenerationIdOrMemberEpoch(-1).setMemberId("")
            .setTopics(List.of(new OffsetCommitRequestData.OffsetCommitRequestTopic().setName(TOPIC).setPartitions(List.of(
                new OffsetCommitRequestData.OffsetCommitRequestPartition().setPartitionIndex(0).setCommittedOffset(7))))));
        assertEquals(Errors.NONE.code(), committed.topics().get(0).partitions().get(0).errorCode());
        final OffsetFetchResponseData fetched = raw.request(ApiKeys.OFFSET_FETCH, (short)10, new OffsetFetchRequestData()
            .setGroups(List.of(new OffsetFetchRequestData.OffsetFetchRequestGroup().setGroupId(group).setTopics(null))));
        final OffsetFetchResponseData.OffsetFetchResponseTopics topic = fetched.groups().get(0).topics().get(0);
        assertEquals(topicId, topic.topicId());
        assertEquals(7, topic.partitions().get(0).committedOffset());
    }

    // ---------------------------------------------------------------- the walk

    private void walk(final Versions v) throws Exception
    {
        final String group = "walk-" + v.join + "-" + v.sync + "-" + v.heartbeat + "-" + v.commit + "-" + v.fetch + "-" + v.leave;
        JoinGroupResponseData joined = raw.request(ApiKeys.JOIN_GROUP, (short)v.join, join(group, ""));
        if (v.join >= FIRST_JOIN_WITH_MEMBER_ID_REQUIRED)
        {
            assertEquals(Errors.MEMBER_ID_REQUIRED.code(), joined.errorCode(), v.toString());
            joined = raw.request(ApiKeys.JOIN_GROUP, (short)v.join, join(group, joined.memberId()));
        }
        assertEquals(Errors.NONE.code(), joined.errorCode(), v.toString());
        final String memberId = joined.memberId();
        final int generation = joined.generationId();
        assertEquals(memberId, joined.leader(), v.toString());
        assertEquals(PROTOCOL, joined.protocolName(), v.toString());
        assertEquals(1, joined.members().size(), v.toString());

        final byte[] assignment = {0, 1, 2, 3};
        final SyncGroupRequestData sync = new SyncGroupRequestData().setGroupId(group).setGenerationId(generation).setMemberId(memberId)
            .setAssignments(List.of(new SyncGroupRequestData.SyncGroupRequestAssignment().setMemberId(memberId).setAssignment(assignment)));
        if (v.sync >= 5)
        {
            sync.setProtocolType("consumer").setProtocolName(PROTOCOL);
        }
        final SyncGroupResponseData synced = raw.request(ApiKeys.SYNC_GROUP, (short)v.sync, sync);
        assertEquals(Errors.NONE.code(), synced.errorCode(), v.toString());
        assertArrayEquals(assignment, synced.assignment(), v.toString());

        final HeartbeatResponseData beat = raw.request(ApiKeys.HEARTBEAT, (short)v.heartbeat,
            new HeartbeatRequestData().setGroupId(group).setGenerationId(generation).setMemberId(memberId));
        assertEquals(Errors.NONE.code(), beat.errorCode(), v.toString());

        final boolean commitById = v.commit >= 10;
        final OffsetCommitRequestData.OffsetCommitRequestTopic commitTopic = new OffsetCommitRequestData.OffsetCommitRequestTopic()
            .setPartitions(List.of(new OffsetCommitRequestData.OffsetCommitRequestPartition().setPartitionIndex(0).setCommittedOffset(42)
                .setCommittedMetadata("m")));
        if (commitById)
        {
            commitTopic.setTopicId(topicId);
        }
        else
        {
            commitTopic.setName(TOPIC);
        }
        final OffsetCommitResponseData committed = raw.request(ApiKeys.OFFSET_COMMIT, (short)v.commit, new OffsetCommitRequestData()
            .setGroupId(group).setGenerationIdOrMemberEpoch(generation).setMemberId(memberId).setTopics(List.of(commitTopic)));
        assertEquals(commitById ? topicId : Uuid.ZERO_UUID, committed.topics().get(0).topicId(), v.toString());
        assertEquals(commitById ? "" : TOPIC, committed.topics().get(0).name(), v.toString());
        assertEquals(Errors.NONE.code(), committed.topics().get(0).partitions().get(0).errorCode(), v.toString());

        assertEquals(42, fetchCommitted(group, v.fetch), v.toString());

        final LeaveGroupRequestData leave = new LeaveGroupRequestData().setGroupId(group);
        if (v.leave >= 3)
        {
            leave.setMembers(List.of(new LeaveGroupRequestData.MemberIdentity().setMemberId(memberId)));
        }
        else
        {
            leave.setMemberId(memberId);
        }
        final LeaveGroupResponseData left = raw.request(ApiKeys.LEAVE_GROUP, (short)v.leave, leave);
        assertEquals(Errors.NONE.code(), left.errorCode(), v.toString());
        if (v.leave >= 3)
        {
            assertEquals(Errors.NONE.code(), left.members().get(0).errorCode(), v.toString());
        }
        // The group is empty again: a new member joins a new generation.
        final HeartbeatResponseData after = raw.request(ApiKeys.HEARTBEAT, (short)v.heartbeat,
            new HeartbeatRequestData().setGroupId(group).setGenerationId(generation).setMemberId(memberId));
        assertTrue(after.errorCode() == Errors.UNKNOWN_MEMBER_ID.code() || after.errorCode() == Errors.ILLEGAL_GENERATION.code(),
            v + ": heartbeat after leaving got " + Errors.forCode(after.errorCode()));
    }

    private long fetchCommitted(final String group, final int version) throws Exception
    {
        if (version >= 8)
        {
            final OffsetFetchRequestData.OffsetFetchRequestTopics topic = new OffsetFetchRequestData.OffsetFetchRequestTopics()
                .setPartitionIndexes(List.of(0));
            if (version >= 10)
            {
                topic.setTopicId(topicId);
            }
            else
            {
                topic.setName(TOPIC);
            }
            final OffsetFetchResponseData response = raw.request(ApiKeys.OFFSET_FETCH, (short)version, new OffsetFetchRequestData()
                .setGroups(List.of(new OffsetFetchRequestData.OffsetFetchRequestGroup().setGroupId(group).setTopics(List.of(topic)))));
            final OffsetFetchResponseData.OffsetFetchResponseGroup only = response.groups().get(0);
            assertEquals(Errors.NONE.code(), only.errorCode());
            assertEquals(version >= 10 ? topicId : Uuid.ZERO_UUID, only.topics().get(0).topicId());
            assertEquals(Errors.NONE.code(), only.topics().get(0).partitions().get(0).errorCode());
            return only.topics().get(0).partitions().get(0).committedOffset();
        }
        final OffsetFetchResponseData response = raw.request(ApiKeys.OFFSET_FETCH, (short)version, new OffsetFetchRequestData()
            .setGroupId(group).setTopics(List.of(new OffsetFetchRequestData.OffsetFetchRequestTopic().setName(TOPIC).setPartitionIndexes(List.of(0)))));
        assertEquals(Errors.NONE.code(), response.errorCode());
        final OffsetFetchResponseData.OffsetFetchResponsePartition partition = response.topics().get(0).partitions().get(0);
        assertEquals(Errors.NONE.code(), partition.errorCode());
        return partition.committedOffset();
    }

    private static JoinGroupRequestData join(final String group, final String memberId)
    {
        final JoinGroupRequestData.JoinGroupRequestProtocolCollection protocols = new JoinGroupRequestData.JoinGroupRequestProtocolCollection();
        protocols.add(new JoinGroupRequestData.JoinGroupRequestProtocol().setName(PROTOCOL).setMetadata(subscription()));
        return new JoinGroupRequestData().setGroupId(group).setSessionTimeoutMs(10_000).setRebalanceTimeoutMs(10_000)
            .setMemberId(memberId).setProtocolType("consumer").setProtocols(protocols);
    }

    /** A ConsumerProtocol v0 subscription to the topic: version, topics, user data. */
    private static byte[] subscription()
    {
        final byte[] name = TOPIC.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        final ByteBuffer buffer = ByteBuffer.allocate(2 + 4 + 2 + name.length + 4);
        buffer.putShort((short)0).putInt(1).putShort((short)name.length).put(name).putInt(-1);
        return buffer.array();
    }
}
