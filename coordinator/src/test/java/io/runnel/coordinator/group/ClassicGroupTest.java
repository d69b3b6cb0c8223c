package io.runnel.coordinator.group;

import java.util.List;
import java.util.Map;

import io.runnel.coordinator.group.GroupCoordinatorTestContext.Pending;
import org.apache.kafka.common.message.JoinGroupResponseData;
import org.apache.kafka.common.message.SyncGroupResponseData;
import org.apache.kafka.common.protocol.Errors;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The classic join/sync/heartbeat/leave protocol, without sockets. */
class ClassicGroupTest
{
    private static final String GROUP = "classic";
    private static final byte[] SUBSCRIPTION = "sub".getBytes();

    private final GroupCoordinatorTestContext context = new GroupCoordinatorTestContext(GroupCoordinatorTestContext.config());

    /** One member joined, synced and stable in generation 1. */
    private String stableSingleMember()
    {
        final JoinGroupResponseData joined = context.joinNew(GROUP, SUBSCRIPTION).get();
        assertEquals(Errors.NONE.code(), joined.errorCode());
        assertEquals(1, joined.generationId());
        assertEquals(joined.memberId(), joined.leader());
        final SyncGroupResponseData synced = context.sync(GROUP, joined.memberId(), 1, Map.of(joined.memberId(), "a0".getBytes())).get();
        assertArrayEquals("a0".getBytes(), synced.assignment());
        return joined.memberId();
    }

    @Test
    void aDynamicMemberIsToldItsMemberIdThenLeadsGenerationOne()
    {
        final JoinGroupResponseData required = context.join(GROUP, "", null, SUBSCRIPTION).get();
        assertEquals(Errors.MEMBER_ID_REQUIRED.code(), required.errorCode());
        assertFalse(required.memberId().isEmpty());

        final JoinGroupResponseData joined = context.join(GROUP, required.memberId(), null, SUBSCRIPTION).get();
        assertEquals(1, joined.generationId());
        assertEquals(required.memberId(), joined.leader());
        assertEquals(1, joined.members().size(), "the leader gets every member's subscription");
        assertEquals(GroupState.COMPLETING_REBALANCE, context.coordinator.describe(GROUP).state());
    }

    @Test
    void anUnknownSecondJoinIdIsRefusedOnceItsPendingDeadlinePassed()
    {
        final JoinGroupResponseData required = context.join(GROUP, "", null, SUBSCRIPTION).get();
        context.advance(10_001);
        assertEquals(Errors.UNKNOWN_MEMBER_ID.code(), context.join(GROUP, required.memberId(), null, SUBSCRIPTION).get().errorCode());
    }

    @Test
    void aFollowersSyncIsHeldUntilTheLeaderSendsTheAssignment()
    {
        final Pending<JoinGroupResponseData> first = context.joinNew(GROUP, SUBSCRIPTION);
        final String leader = first.get().memberId();
        context.sync(GROUP, leader, 1, Map.of(leader, "all".getBytes())).get();

        final Pending<JoinGroupResponseData> second = context.joinNew(GROUP, SUBSCRIPTION);
        assertFalse(second.isDone(), "the newcomer waits for the rebalance");
        assertEquals(Errors.REBALANCE_IN_PROGRESS, context.heartbeat(GROUP, leader, 1), "the leader learns of the rebalance");
        final JoinGroupResponseData leaderRejoined = context.join(GROUP, leader, null, SUBSCRIPTION).get();
        final JoinGroupResponseData follower = second.get();
        assertEquals(2, leaderRejoined.generationId());
        assertEquals(2, leaderRejoined.members().size());
        assertTrue(follower.members().isEmpty(), "followers do not get the members");

        final Pending<SyncGroupResponseData> followerSync = context.sync(GROUP, follower.memberId(), 2, Map.of());
        assertFalse(followerSync.isDone());
        context.sync(GROUP, leader, 2, Map.of(leader, "p0".getBytes(), follower.memberId(), "p1".getBytes())).get();
        assertArrayEquals("p1".getBytes(), followerSync.get().assignment());
        assertEquals(GroupState.STABLE, context.coordinator.describe(GROUP).state());
        assertEquals(Errors.NONE, context.heartbeat(GROUP, follower.memberId(), 2));
    }

    @Test
    void heartbeatsOfAStaleGenerationOrAnUnknownMemberAreRefused()
    {
        final String member = stableSingleMember();
        assertEquals(Errors.NONE, context.heartbeat(GROUP, member, 1));
        assertEquals(Errors.ILLEGAL_GENERATION, context.heartbeat(GROUP, member, 0));
        assertEquals(Errors.UNKNOWN_MEMBER_ID, context.heartbeat(GROUP, "stranger", 1));
        assertEquals(Errors.UNKNOWN_MEMBER_ID, context.heartbeat("no-such-group", member, 1));
    }

    @Test
    void theLastMemberLeavingEmptiesTheGroupInANewGeneration()
    {
        final String member = stableSingleMember();
        assertEquals(List.of(Errors.NONE), context.leave(GROUP, member).get());
        final GroupCoordinator.GroupView view = context.coordinator.describe(GROUP);
        assertEquals(GroupState.EMPTY, view.state());
        assertTrue(view.members().isEmpty());
        assertEquals(List.of(Errors.UNKNOWN_MEMBER_ID), context.leave(GROUP, member).get());
    }

    @Test
    void aStaticMemberThatRestartsTakesItsPlaceAndAssignmentWithoutARebalance()
    {
        final JoinGroupResponseData joined = context.join(GROUP, "", "instance-1", SUBSCRIPTION).get();
        assertEquals(Errors.NONE.code(), joined.errorCode(), "static members skip MEMBER_ID_REQUIRED");
        context.sync(GROUP, joined.memberId(), 1, Map.of(joined.memberId(), "mine".getBytes())).get();

        final JoinGroupResponseData restarted = context.join(GROUP, "", "instance-1", "restarted-sub".getBytes()).get();
        assertNotEquals(joined.memberId(), restarted.memberId());
        assertEquals(1, restarted.generationId(), "same generation: no rebalance");
        assertTrue(restarted.skipAssignment(), "a returning leader does not reassign (KIP-814)");
        assertEquals(GroupState.STABLE, context.coordinator.describe(GROUP).state());
        assertArrayEquals("mine".getBytes(), context.sync(GROUP, restarted.memberId(), 1, Map.of()).get().assignment());
        assertEquals(Errors.FENCED_INSTANCE_ID, context.coordinator.heartbeat(GROUP, joined.memberId(), "instance-1", 1),
            "the old incarnation is fenced");
    }

    @Test
    void aSessionThatExpiresOnTheTimerWheelRemovesTheMember()
    {
        final String member = stableSingleMember();
        context.advance(9_000);
        assertEquals(Errors.NONE, context.heartbeat(GROUP, member, 1), "a heartbeat renews the session");
        context.advance(9_000);
        assertEquals(GroupState.STABLE, context.coordinator.describe(GROUP).state(), "still within the renewed session");
        context.advance(1_001);
        assertEquals(GroupState.EMPTY, context.coordinator.describe(GROUP).state());
        assertEquals(Errors.UNKNOWN_MEMBER_ID, context.heartbeat(GROUP, member, 1));
    }

    @Test
    void membersThatDoNotRejoinBeforeTheRebalanceTimeoutAreEvicted()
    {
        final String leader = stableSingleMember();
        final Pending<JoinGroupResponseData> newcomer = context.joinNew(GROUP, SUBSCRIPTION);
        // The old leader keeps its session alive by heartbeating (told REBALANCE_IN_PROGRESS) but never rejoins.
        for (int i = 0; i < 3; i++)
        {
            context.advance(6_000);
            assertEquals(Errors.REBALANCE_IN_PROGRESS, context.heartbeat(GROUP, leader, 1));
        }
        assertFalse(newcomer.isDone());
        context.advance(2_001);
        final JoinGroupResponseData joined = newcomer.get();
        assertEquals(2, joined.generationId());
        assertEquals(joined.memberId(), joined.leader(), "the newcomer leads what is left");
        assertEquals(Errors.UNKNOWN_MEMBER_ID, context.heartbeat(GROUP, leader, 1));
    }

    @Test
    void aJoinWithAnotherProtocolTypeIsInconsistent()
    {
        stableSingleMember();
        final var request = GroupCoordinatorTestContext.joinRequest(GROUP, "", null, SUBSCRIPTION).setProtocolType("connect");
        assertEquals(Errors.INCONSISTENT_GROUP_PROTOCOL.code(), context.join(request).get().errorCode());
    }

    @Test
    void theSyncResponsesWaitUntilTheGenerationsRecordIsDurable()
    {
        final JoinGroupResponseData joined = context.joinNew(GROUP, SUBSCRIPTION).get();
        context.log.holdDurability(true);
        final Pending<SyncGroupResponseData> sync = context.sync(GROUP, joined.memberId(), 1, Map.of(joined.memberId(), "a".getBytes()));
        assertFalse(sync.isDone(), "held until the GroupMetadata record is durable");
        assertEquals(GroupState.STABLE, context.coordinator.describe(GROUP).state(), "replayed at once");
        context.log.flush();
        assertArrayEquals("a".getBytes(), sync.get().assignment());
    }
}
