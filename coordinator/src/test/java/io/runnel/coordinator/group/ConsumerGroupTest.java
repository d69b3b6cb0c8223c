package io.runnel.coordinator.group;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.message.ConsumerGroupHeartbeatRequestData;
import org.apache.kafka.common.message.ConsumerGroupHeartbeatResponseData;
import org.apache.kafka.common.protocol.Errors;
import org.junit.jupiter.api.Test;

import static io.runnel.coordinator.group.GroupCoordinatorTestContext.owned;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The KIP-848 consumer protocol: heartbeats, server-side assignment, reconciliation and fencing, without sockets. */
class ConsumerGroupTest
{
    private static final String GROUP = "kip848";
    private static final String TOPIC = "events";

    private final GroupCoordinatorTestContext context = new GroupCoordinatorTestContext(GroupCoordinatorTestContext.config());
    private final Uuid topicId = context.topics.create(TOPIC, 4);

    @Test
    void aJoiningMemberGetsAMemberIdAnEpochAndEveryPartition()
    {
        final ConsumerGroupHeartbeatResponseData joined = context.consumerJoin(GROUP, null, TOPIC);
        assertEquals(Errors.NONE.code(), joined.errorCode());
        assertTrue(!joined.memberId().isEmpty());
        assertEquals(1, joined.memberEpoch());
        assertEquals(Map.of(topicId, List.of(0, 1, 2, 3)), owned(joined));
        assertEquals("Stable", context.coordinator.describeConsumerGroup(GROUP).groupState());
    }

    @Test
    void aSecondMemberGetsItsShareOnlyAfterTheFirstHasReleasedIt()
    {
        final ConsumerGroupHeartbeatResponseData first = context.consumerJoin(GROUP, null, TOPIC);
        final ConsumerGroupHeartbeatResponseData second = context.consumerJoin(GROUP, null, TOPIC);
        assertEquals(2, second.memberEpoch());
        assertEquals(Map.of(), owned(second), "its partitions are still the first member's");

        final ConsumerGroupHeartbeatResponseData revoke = context.consumerHeartbeat(GROUP, first.memberId(), 1, owned(first));
        assertEquals(1, revoke.memberEpoch(), "the epoch waits until the revocation is confirmed");
        assertEquals(2, owned(revoke).get(topicId).size(), "told to keep two of four");
        assertEquals("Reconciling", context.coordinator.describeConsumerGroup(GROUP).groupState());

        final ConsumerGroupHeartbeatResponseData released = context.consumerHeartbeat(GROUP, first.memberId(), 1, owned(revoke));
        assertEquals(2, released.memberEpoch());
        final ConsumerGroupHeartbeatResponseData granted = context.consumerHeartbeat(GROUP, second.memberId(), 2, Map.of());
        assertEquals(2, owned(granted).get(topicId).size());
        final List<Integer> all = new java.util.ArrayList<>(owned(released).get(topicId));
        all.addAll(owned(granted).get(topicId));
        all.sort(Integer::compare);
        assertEquals(List.of(0, 1, 2, 3), all, "each partition owned exactly once");
        assertEquals("Stable", context.coordinator.describeConsumerGroup(GROUP).groupState());
    }

    @Test
    void aHeartbeatWithAnOldEpochIsFencedAndAnUnknownMemberIsRefused()
    {
        final ConsumerGroupHeartbeatResponseData joined = context.consumerJoin(GROUP, null, TOPIC);
        assertEquals(Errors.FENCED_MEMBER_EPOCH.code(), context.consumerHeartbeat(GROUP, joined.memberId(), 7, Map.of()).errorCode());
        assertEquals(Errors.UNKNOWN_MEMBER_ID.code(), context.consumerHeartbeat(GROUP, "nobody", 1, Map.of()).errorCode());
    }

    @Test
    void aLeavingMembersPartitionsGoToTheOthers()
    {
        final ConsumerGroupHeartbeatResponseData first = context.consumerJoin(GROUP, null, TOPIC);
        final ConsumerGroupHeartbeatResponseData second = context.consumerJoin(GROUP, null, TOPIC);
        final ConsumerGroupHeartbeatResponseData left = context.consumerHeartbeat(new ConsumerGroupHeartbeatRequestData()
            .setGroupId(GROUP).setMemberId(second.memberId()).setMemberEpoch(ConsumerGroup.LEAVE_EPOCH)).get();
        assertEquals(ConsumerGroup.LEAVE_EPOCH, left.memberEpoch());
        final ConsumerGroupHeartbeatResponseData after = context.consumerHeartbeat(GROUP, first.memberId(), 1, owned(first));
        assertEquals(3, after.memberEpoch());
        assertEquals(Map.of(topicId, List.of(0, 1, 2, 3)), owned(after));
        assertEquals(1, context.coordinator.describeConsumerGroup(GROUP).members().size());
    }

    @Test
    void aMemberWhoseSessionExpiresIsFencedAndItsPartitionsReassigned()
    {
        final ConsumerGroupHeartbeatResponseData first = context.consumerJoin(GROUP, null, TOPIC);
        ConsumerGroupHeartbeatResponseData second = context.consumerJoin(GROUP, null, TOPIC);
        // Only the second member heartbeats; the first's 10 s session runs out.
        for (int i = 0; i < 3; i++)
        {
            context.advance(4_000);
            second = context.consumerHeartbeat(GROUP, second.memberId(), second.memberEpoch(), owned(second));
        }
        assertEquals(1, context.coordinator.describeConsumerGroup(GROUP).members().size(), "only the heartbeating member is left");
        assertEquals(Errors.UNKNOWN_MEMBER_ID.code(), context.consumerHeartbeat(GROUP, first.memberId(), 1, owned(first)).errorCode());
        assertEquals(3, second.memberEpoch());
        assertEquals(Map.of(topicId, List.of(0, 1, 2, 3)), owned(second));
    }

    @Test
    void aMemberThatDoesNotReleasePartitionsWithinItsRebalanceTimeoutIsFenced()
    {
        final ConsumerGroupHeartbeatResponseData first = context.consumerJoin(GROUP, null, TOPIC);
        ConsumerGroupHeartbeatResponseData second = context.consumerJoin(GROUP, null, TOPIC);
        context.consumerHeartbeat(GROUP, first.memberId(), 1, owned(first));
        // The first member keeps heartbeating but keeps claiming all four partitions.
        for (int i = 0; i < 5; i++)
        {
            context.advance(1_100);
            if (context.coordinator.describeConsumerGroup(GROUP).members().size() == 2)
            {
                context.consumerHeartbeat(GROUP, first.memberId(), 1, owned(first));
            }
            second = context.consumerHeartbeat(GROUP, second.memberId(), second.memberEpoch(), owned(second));
        }
        assertEquals(1, context.coordinator.describeConsumerGroup(GROUP).members().size(), "fenced after the 5 s rebalance timeout");
        assertEquals(Map.of(topicId, List.of(0, 1, 2, 3)), owned(second));
    }

    @Test
    void aStaticMemberThatRejoinsKeepsItsEpochAndPartitions()
    {
        final ConsumerGroupHeartbeatResponseData joined = context.consumerJoin(GROUP, "instance-a", TOPIC);
        final ConsumerGroupHeartbeatResponseData rejoined = context.consumerJoin(GROUP, "instance-a", TOPIC);
        assertTrue(!rejoined.memberId().equals(joined.memberId()));
        assertEquals(joined.memberEpoch(), rejoined.memberEpoch(), "no new group epoch");
        assertEquals(owned(joined), owned(rejoined));
        assertEquals(1, context.coordinator.describeConsumerGroup(GROUP).members().size());
    }

    @Test
    void partitionsAddedToASubscribedTopicAreAssignedInANewEpoch()
    {
        final ConsumerGroupHeartbeatResponseData joined = context.consumerJoin(GROUP, null, TOPIC);
        context.topics.create(TOPIC, 6);
        context.advance(1);
        final ConsumerGroupHeartbeatResponseData grown = context.consumerHeartbeat(GROUP, joined.memberId(), 1, owned(joined));
        assertEquals(2, grown.memberEpoch());
        assertEquals(Map.of(topicId, List.of(0, 1, 2, 3, 4, 5)), owned(grown));
    }

    @Test
    void aClassicGroupWithMembersCannotBeJoinedWithTheConsumerProtocol()
    {
        context.joinNew(GROUP, "sub".getBytes());
        final ConsumerGroupHeartbeatResponseData refused = context.consumerJoin(GROUP, null, TOPIC);
        assertEquals(Errors.GROUP_ID_NOT_FOUND.code(), refused.errorCode());
    }

    @Test
    void commitsOfAConsumerGroupMemberAreCheckedAgainstItsEpoch()
    {
        final ConsumerGroupHeartbeatResponseData joined = context.consumerJoin(GROUP, null, TOPIC);
        assertEquals(List.of(Errors.NONE), context.commit(GROUP, 1, joined.memberId(), TOPIC, 0, 42).get());
        assertEquals(List.of(Errors.STALE_MEMBER_EPOCH), context.commit(GROUP, 0, joined.memberId(), TOPIC, 0, 43).get());
        assertEquals(List.of(Errors.UNKNOWN_MEMBER_ID), context.commit(GROUP, 1, "nobody", TOPIC, 0, 44).get());
        assertEquals(42, context.committed(GROUP, TOPIC, 0));
    }

    @Test
    void theHeartbeatResponseWaitsUntilTheRecordsAreDurable()
    {
        context.log.holdDurability(true);
        final var pending = context.consumerHeartbeat(new ConsumerGroupHeartbeatRequestData().setGroupId(GROUP).setMemberId("")
            .setMemberEpoch(0).setRebalanceTimeoutMs(5_000).setSubscribedTopicNames(List.of(TOPIC)).setTopicPartitions(List.of()));
        assertTrue(!pending.isDone());
        assertNotNull(context.coordinator.describeConsumerGroup(GROUP), "replayed at once");
        context.log.flush();
        assertEquals(1, pending.get().memberEpoch());
    }

    @Test
    void anUnknownGroupHasNoDescription()
    {
        assertNull(context.coordinator.describeConsumerGroup("none"));
        assertEquals(new TreeMap<>(), new TreeMap<>(context.coordinator.fetchOffsets("none", null)));
    }
}
