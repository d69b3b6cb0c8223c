package io.runnel.broker.it.protocol;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.List;

import io.runnel.broker.testing.RawKafkaClient;
import org.apache.kafka.common.message.ConsumerGroupDescribeResponseData;
import org.apache.kafka.common.message.ConsumerGroupHeartbeatResponseData;
import org.apache.kafka.common.message.DeleteGroupsResponseData;
import org.apache.kafka.common.message.DescribeGroupsResponseData;
import org.apache.kafka.common.message.FindCoordinatorResponseData;
import org.apache.kafka.common.message.JoinGroupResponseData;
import org.apache.kafka.common.message.LeaveGroupResponseData;
import org.apache.kafka.common.message.ListGroupsResponseData;
import org.apache.kafka.common.message.OffsetCommitResponseData;
import org.apache.kafka.common.message.OffsetDeleteResponseData;
import org.apache.kafka.common.message.OffsetFetchResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;

import static io.runnel.broker.it.protocol.SweepFixture.DATA_TOPIC;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The sweep's group cases: classic groups walked through FindCoordinator, JoinGroup (with
 * MEMBER_ID_REQUIRED from v4), SyncGroup, Heartbeat, OffsetCommit/OffsetFetch (the commit read
 * back), DescribeGroups, ListGroups, LeaveGroup, DeleteGroups and OffsetDelete, and KIP-848
 * consumer groups through ConsumerGroupHeartbeat and ConsumerGroupDescribe. Each case uses its
 * own group; the API under test goes at the swept version, the others at the highest advertised.
 */
final class GroupCases
{
    private static final int CONSUMER_GROUP_HEARTBEATS = 20;
    private static final long CONSUMER_GROUP_HEARTBEAT_PAUSE_MS = 100;
    /** Below group.min.session.timeout.ms's default (6 s): JoinGroup must refuse it. */
    private static final int TOO_SHORT_SESSION_TIMEOUT_MS = 1;

    private final SweepFixture fixture;

    GroupCases(final SweepFixture fixture)
    {
        this.fixture = fixture;
    }

    private static String at(final ApiKeys api, final short version)
    {
        return api + " v" + version;
    }

    // ---------------------------------------------------------------------------------------
    // Classic groups
    // ---------------------------------------------------------------------------------------

    /** This broker coordinates every group. */
    void findCoordinator(final short version) throws Exception
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
    void joinGroup(final short version) throws Exception
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

    void syncGroup(final short version) throws Exception
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
    void heartbeat(final short version) throws Exception
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
    void leaveGroup(final short version) throws Exception
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
    void offsetCommit(final short version) throws Exception
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
    void offsetFetch(final short version) throws Exception
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

    void describeGroups(final short version) throws Exception
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
    void listGroups(final short version) throws Exception
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
    void deleteGroups(final short version) throws Exception
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
    void offsetDelete(final short version) throws Exception
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
    // Consumer groups (KIP-848)
    // ---------------------------------------------------------------------------------------

    /** A new member joins, is given epoch >= 1 and, within a bounded number of heartbeats, the fixture's partition. */
    void consumerGroupHeartbeat(final short version) throws Exception
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
    void consumerGroupDescribe(final short version) throws Exception
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
}
