package io.runnel.coordinator.group;

import java.util.List;
import java.util.Map;

import org.apache.kafka.common.message.JoinGroupResponseData;
import org.apache.kafka.common.protocol.Errors;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** OffsetCommit, OffsetFetch and DeleteGroups, without sockets. */
class OffsetCommitTest
{
    private static final String TOPIC = "events";

    private final GroupCoordinatorTestContext context = new GroupCoordinatorTestContext(GroupCoordinatorTestContext.config());

    OffsetCommitTest()
    {
        context.topics.create(TOPIC, 2);
    }

    @Test
    void aStandaloneConsumerCommitsWithoutMemberOrGeneration()
    {
        assertEquals(List.of(Errors.NONE), context.commit("g", -1, "", TOPIC, 1, 33).get());
        assertEquals(33, context.committed("g", TOPIC, 1));
        assertEquals(-1, context.committed("g", TOPIC, 0), "never committed");
    }

    @Test
    void commitsToUnknownPartitionsOrWithTooMuchMetadataAreRefusedOneByOne()
    {
        final GroupCoordinatorTestContext.Pending<List<Errors>> errors = new GroupCoordinatorTestContext.Pending<>();
        context.coordinator.commitOffsets("g", -1, "", null, List.of(
            new GroupCoordinator.CommitRequest(TOPIC, 0, 1, -1, ""),
            new GroupCoordinator.CommitRequest(TOPIC, 2, 1, -1, ""),
            new GroupCoordinator.CommitRequest("nope", 0, 1, -1, ""),
            new GroupCoordinator.CommitRequest(TOPIC, 1, 1, -1, "x".repeat(4097))), errors::complete);
        assertEquals(List.of(Errors.NONE, Errors.UNKNOWN_TOPIC_OR_PARTITION, Errors.UNKNOWN_TOPIC_OR_PARTITION,
            Errors.OFFSET_METADATA_TOO_LARGE), errors.get());
        assertEquals(1, context.log.size(), "only the accepted commit is written");
    }

    @Test
    void aClassicMemberCommitsInItsGenerationButNotWhileTheGroupAwaitsItsAssignment()
    {
        final JoinGroupResponseData joined = context.joinNew("c", "s".getBytes()).get();
        assertEquals(List.of(Errors.REBALANCE_IN_PROGRESS), context.commit("c", 1, joined.memberId(), TOPIC, 0, 1).get());
        context.sync("c", joined.memberId(), 1, Map.of(joined.memberId(), "a".getBytes())).get();
        assertEquals(List.of(Errors.NONE), context.commit("c", 1, joined.memberId(), TOPIC, 0, 2).get());
        assertEquals(List.of(Errors.ILLEGAL_GENERATION), context.commit("c", 0, joined.memberId(), TOPIC, 0, 3).get());
        assertEquals(List.of(Errors.UNKNOWN_MEMBER_ID), context.commit("c", 1, "other", TOPIC, 0, 4).get());
        assertEquals(2, context.committed("c", TOPIC, 0));
    }

    @Test
    void aGroupWithMembersCannotBeDeletedAnEmptyOneLosesItsOffsets()
    {
        final JoinGroupResponseData joined = context.joinNew("c", "s".getBytes()).get();
        context.sync("c", joined.memberId(), 1, Map.of(joined.memberId(), "a".getBytes())).get();
        context.commit("c", 1, joined.memberId(), TOPIC, 0, 2).get();
        final GroupCoordinatorTestContext.Pending<Errors> refused = new GroupCoordinatorTestContext.Pending<>();
        context.coordinator.deleteGroup("c", refused::complete);
        assertEquals(Errors.NON_EMPTY_GROUP, refused.get());

        context.leave("c", joined.memberId()).get();
        final GroupCoordinatorTestContext.Pending<Errors> deleted = new GroupCoordinatorTestContext.Pending<>();
        context.coordinator.deleteGroup("c", deleted::complete);
        assertEquals(Errors.NONE, deleted.get());
        assertEquals(-1, context.committed("c", TOPIC, 0));
        assertTrue(context.coordinator.list().isEmpty());
        assertFalse(context.reloaded().coordinator.list().stream().anyMatch(g -> g.groupId().equals("c")));

        final GroupCoordinatorTestContext.Pending<Errors> again = new GroupCoordinatorTestContext.Pending<>();
        context.coordinator.deleteGroup("c", again::complete);
        assertEquals(Errors.GROUP_ID_NOT_FOUND, again.get());
    }

    @Test
    void offsetsOfAnEmptyGroupExpireOnTheRetentionTimerButAGroupWithMembersKeepsThem()
    {
        context.commit("standalone", -1, "", TOPIC, 0, 1).get();
        final JoinGroupResponseData joined = context.joinNew("live", "s".getBytes()).get();
        context.sync("live", joined.memberId(), 1, Map.of()).get();
        context.commit("live", 1, joined.memberId(), TOPIC, 0, 5).get();
        for (int i = 0; i < 7; i++)
        {
            context.advance(9_000);
            assertEquals(Errors.NONE, context.heartbeat("live", joined.memberId(), 1));
        }
        assertEquals(-1, context.committed("standalone", TOPIC, 0), "expired after 60 s of retention");
        assertEquals(5, context.committed("live", TOPIC, 0), "its group still has a member");
        assertEquals(-1, context.reloaded().committed("standalone", TOPIC, 0));
    }
}
