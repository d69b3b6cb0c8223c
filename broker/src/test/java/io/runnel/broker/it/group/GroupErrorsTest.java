package io.runnel.broker.it.group;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import io.runnel.broker.testing.RawKafkaClient;
import io.runnel.broker.testing.TestBroker;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.MemberDescription;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.common.GroupState;
import org.apache.kafka.common.TopicPartition;
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

import static io.runnel.broker.it.group.GroupTesting.awaitCondition;
import static io.runnel.broker.it.group.GroupTesting.get;
import static io.runnel.broker.it.group.GroupTesting.missing;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;

/**
 * Group requests a well-behaved consumer never sends, sent over a raw socket next to a real
 * consumer of the group: a commit or heartbeat from a stale or future generation, from a
 * member the group does not know, with oversized metadata, for a group id that is empty or
 * too long. Each gets Kafka's error code, and afterwards the group is intact: still Stable
 * with the same member in the same generation, and that member keeps consuming.
 */
class GroupErrorsTest
{
    private static final String TOPIC = "errors-topic";
    private static final String GROUP = "errors-group";
    private static final int PARTITIONS = 2;
    private static final short OFFSET_COMMIT_VERSION = 9;
    private static final short OFFSET_FETCH_VERSION = 9;
    private static final short HEARTBEAT_VERSION = 4;
    private static final short JOIN_GROUP_VERSION = 9;
    private static final short SYNC_GROUP_VERSION = 5;
    private static final short LEAVE_GROUP_VERSION = 5;
    private static final int MAX_METADATA = 4096;
    private static final int MAX_GROUP_ID = 255;

    @TempDir
    Path dataDir;

    private TestBroker broker;
    private Admin admin;
    private KafkaProducer<byte[], byte[]> producer;
    private ConsumerThread member;
    private ConsumerThread.Snapshot joined;
    private RawKafkaClient raw;
    private int round;

    @BeforeEach
    void startAGroupWithOneConsumingMember() throws Exception
    {
        broker = TestBroker.start(dataDir, Map.of("group.initial.rebalance.delay.ms", "0", "runnel.shards", "2"));
        admin = broker.admin();
        GroupTesting.createTopic(admin, TOPIC, PARTITIONS);
        producer = broker.producer(Map.of());
        member = ConsumerThread.start("member", broker.consumer(Map.of(ConsumerConfig.GROUP_ID_CONFIG, GROUP,
            ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG, 500)), List.of(TOPIC), false);
        awaitCondition(Duration.ofSeconds(30), "the member owns both partitions",
            () -> member.snapshot().generation() > 0 && member.snapshot().assignment().size() == PARTITIONS, member::toString);
        joined = member.snapshot();
        assertKeepsConsuming();
        raw = RawKafkaClient.connect(broker.port());
    }

    @AfterEach
    void stopAll() throws Exception
    {
        raw.close();
        member.close();
        producer.close();
        admin.close();
        broker.close();
    }

    @Test
    @Timeout(60)
    void offsetCommitFromAStaleGenerationIsRefusedWithIllegalGeneration() throws Exception
    {
        final OffsetCommitResponseData response = commit(GROUP, joined.generation() - 1, joined.memberId(), "stale");
        assertEquals(List.of(Errors.ILLEGAL_GENERATION, Errors.ILLEGAL_GENERATION), errors(response));
        assertNothingCommitted();
        assertGroupIntact();
    }

    @Test
    @Timeout(60)
    void offsetCommitFromAnUnknownMemberIsRefusedWithUnknownMemberId() throws Exception
    {
        final OffsetCommitResponseData response = commit(GROUP, joined.generation(), "stranger-" + joined.memberId(), "unknown");
        assertEquals(List.of(Errors.UNKNOWN_MEMBER_ID, Errors.UNKNOWN_MEMBER_ID), errors(response));
        assertNothingCommitted();
        assertGroupIntact();
    }

    @Test
    @Timeout(60)
    void offsetCommitWithMetadataOverTheLimitIsRefusedForThatPartitionOnly() throws Exception
    {
        final OffsetCommitResponseData response = raw.request(ApiKeys.OFFSET_COMMIT, OFFSET_COMMIT_VERSION, new OffsetCommitRequestData()
            .setGroupId(GROUP).setGenerationIdOrMemberEpoch(joined.generation()).setMemberId(joined.memberId())
            .setTopics(List.of(new OffsetCommitRequestData.OffsetCommitRequestTopic().setName(TOPIC).setPartitions(List.of(
                partition(0, 3, "x".repeat(MAX_METADATA + 1)),
                partition(1, 4, "y".repeat(MAX_METADATA)))))));
        assertEquals(List.of(Errors.OFFSET_METADATA_TOO_LARGE, Errors.NONE), errors(response), "4097 characters are too many, 4096 are fine");
        final Map<TopicPartition, OffsetAndMetadata> committed = get(admin.listConsumerGroupOffsets(GROUP).partitionsToOffsetAndMetadata());
        assertNull(committed.get(new TopicPartition(TOPIC, 0)), "nothing stored for the refused partition");
        assertEquals(new OffsetAndMetadata(4, "y".repeat(MAX_METADATA)), committed.get(new TopicPartition(TOPIC, 1)));
        assertGroupIntact();
    }

    @Test
    @Timeout(60)
    void everyGroupRequestWithAnEmptyOrOverlongGroupIdIsRefusedWithInvalidGroupId() throws Exception
    {
        for (final String badId : List.of("", "g".repeat(MAX_GROUP_ID + 1)))
        {
            final String which = badId.isEmpty() ? "empty group id" : "group id of " + badId.length() + " characters";
            assertEquals(List.of(Errors.INVALID_GROUP_ID, Errors.INVALID_GROUP_ID), errors(commit(badId, -1, "", "bad-id")), "OffsetCommit, " + which);
            assertEquals(Errors.INVALID_GROUP_ID, heartbeat(badId, 1, "someone"), "Heartbeat, " + which);
            final JoinGroupResponseData join = raw.request(ApiKeys.JOIN_GROUP, JOIN_GROUP_VERSION, joinRequest(badId));
            assertEquals(Errors.INVALID_GROUP_ID, Errors.forCode(join.errorCode()), "JoinGroup, " + which);
            final SyncGroupResponseData sync = raw.request(ApiKeys.SYNC_GROUP, SYNC_GROUP_VERSION, new SyncGroupRequestData()
                .setGroupId(badId).setGenerationId(1).setMemberId("someone").setProtocolType("consumer").setProtocolName("range"));
            assertEquals(Errors.INVALID_GROUP_ID, Errors.forCode(sync.errorCode()), "SyncGroup, " + which);
            final LeaveGroupResponseData leave = raw.request(ApiKeys.LEAVE_GROUP, LEAVE_GROUP_VERSION, new LeaveGroupRequestData()
                .setGroupId(badId).setMembers(List.of(new LeaveGroupRequestData.MemberIdentity().setMemberId("someone"))));
            assertEquals(Errors.INVALID_GROUP_ID, Errors.forCode(leave.errorCode()), "LeaveGroup, " + which);
        }
        // The longest valid id is accepted: a standalone commit (no member, generation -1) succeeds.
        final String longest = "g".repeat(MAX_GROUP_ID);
        assertEquals(List.of(Errors.NONE, Errors.NONE), errors(commit(longest, -1, "", "longest")));
        assertEquals(2, get(admin.listConsumerGroupOffsets(longest).partitionsToOffsetAndMetadata()).size());
        assertGroupIntact();
    }

    @Test
    @Timeout(60)
    void offsetFetchWithAnEmptyGroupIdIsRefusedWithInvalidGroupId() throws Exception
    {
        final OffsetFetchResponseData response = raw.request(ApiKeys.OFFSET_FETCH, OFFSET_FETCH_VERSION, new OffsetFetchRequestData()
            .setGroups(List.of(new OffsetFetchRequestData.OffsetFetchRequestGroup().setGroupId("").setTopics(null))));
        assertEquals(Errors.INVALID_GROUP_ID, Errors.forCode(response.groups().get(0).errorCode()), response::toString);
        assertGroupIntact();
    }

    @Test
    @Timeout(60)
    void heartbeatFromAWrongGenerationIsRefusedWithIllegalGeneration() throws Exception
    {
        assertEquals(Errors.ILLEGAL_GENERATION, heartbeat(GROUP, joined.generation() + 1, joined.memberId()), "a future generation");
        assertEquals(Errors.ILLEGAL_GENERATION, heartbeat(GROUP, joined.generation() - 1, joined.memberId()), "a past generation");
        assertEquals(Errors.NONE, heartbeat(GROUP, joined.generation(), joined.memberId()), "the right generation");
        assertGroupIntact();
    }

    @Test
    @Timeout(60)
    void heartbeatAndLeaveFromAnUnknownMemberAreRefusedWithUnknownMemberId() throws Exception
    {
        assertEquals(Errors.UNKNOWN_MEMBER_ID, heartbeat(GROUP, joined.generation(), "stranger"));
        final LeaveGroupResponseData leave = raw.request(ApiKeys.LEAVE_GROUP, LEAVE_GROUP_VERSION, new LeaveGroupRequestData()
            .setGroupId(GROUP).setMembers(List.of(new LeaveGroupRequestData.MemberIdentity().setMemberId("stranger"))));
        assertEquals(Errors.UNKNOWN_MEMBER_ID, Errors.forCode(leave.members().get(0).errorCode()), leave::toString);
        assertGroupIntact();
    }

    // ---------------------------------------------------------------- requests

    private OffsetCommitResponseData commit(final String group, final int generation, final String memberId, final String tag) throws Exception
    {
        return raw.request(ApiKeys.OFFSET_COMMIT, OFFSET_COMMIT_VERSION, new OffsetCommitRequestData()
            .setGroupId(group).setGenerationIdOrMemberEpoch(generation).setMemberId(memberId)
            .setTopics(List.of(new OffsetCommitRequestData.OffsetCommitRequestTopic().setName(TOPIC).setPartitions(List.of(
                partition(0, 1_000, tag), partition(1, 1_000, tag))))));
    }

    private static OffsetCommitRequestData.OffsetCommitRequestPartition partition(final int index, final long offset, final String metadata)
    {
        return new OffsetCommitRequestData.OffsetCommitRequestPartition().setPartitionIndex(index).setCommittedOffset(offset)
            .setCommittedLeaderEpoch(-1).setCommittedMetadata(metadata);
    }

    private static List<Errors> errors(final OffsetCommitResponseData response)
    {
        final List<Errors> errors = new ArrayList<>();
        response.topics().forEach(t -> t.partitions().forEach(p -> errors.add(Errors.forCode(p.errorCode()))));
        return errors;
    }

    private Errors heartbeat(final String group, final int generation, final String memberId) throws Exception
    {
        final HeartbeatResponseData response = raw.request(ApiKeys.HEARTBEAT, HEARTBEAT_VERSION, new HeartbeatRequestData()
            .setGroupId(group).setGenerationId(generation).setMemberId(memberId));
        return Errors.forCode(response.errorCode());
    }

    private static JoinGroupRequestData joinRequest(final String group)
    {
        final JoinGroupRequestData.JoinGroupRequestProtocolCollection protocols = new JoinGroupRequestData.JoinGroupRequestProtocolCollection();
        protocols.add(new JoinGroupRequestData.JoinGroupRequestProtocol().setName("range").setMetadata(new byte[0]));
        return new JoinGroupRequestData().setGroupId(group).setSessionTimeoutMs(10_000).setRebalanceTimeoutMs(10_000)
            .setMemberId("").setProtocolType("consumer").setProtocols(protocols);
    }

    // ---------------------------------------------------------------- the group is intact

    private void assertNothingCommitted()
    {
        assertEquals(Map.of(), get(admin.listConsumerGroupOffsets(GROUP).partitionsToOffsetAndMetadata()), "a refused commit stores nothing");
    }

    /** Still Stable, same single member, same generation, and the member keeps consuming. */
    private void assertGroupIntact()
    {
        final ConsumerGroupDescription described = GroupTesting.describe(admin, GROUP);
        assertEquals(GroupState.STABLE, described.groupState(), described::toString);
        assertEquals(List.of(joined.memberId()), described.members().stream().map(MemberDescription::consumerId).toList());
        assertKeepsConsuming();
        assertEquals(joined, member.snapshot(), "same member, generation and assignment");
        assertNull(member.failure(), member::toString);
        assertFalse(member.events().stream().anyMatch(e -> e.startsWith("revoked") || e.startsWith("lost")),
            () -> "no rebalance: " + member.events());
        assertEquals(new HashSet<>(GroupTesting.partitions(TOPIC, PARTITIONS)), Set.copyOf(described.members().iterator().next()
            .assignment().topicPartitions()));
    }

    private void assertKeepsConsuming()
    {
        final Map<TopicPartition, Set<Long>> sent = GroupTesting.produce(producer, TOPIC, PARTITIONS, 1, "round-" + round++);
        awaitCondition(Duration.ofSeconds(15), "the member consumes newly produced records",
            () -> missing(sent, member.receivedOffsets()).isEmpty(), member::toString);
    }
}
