package io.runnel.coordinator.group;

import java.util.List;
import java.util.Map;

import org.apache.kafka.common.errors.NotCoordinatorException;
import org.apache.kafka.common.message.JoinGroupResponseData;
import org.apache.kafka.common.protocol.Errors;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A coordinator serves the groups of the offsets partitions this node leads, and only while it
 * leads them: the leadership moving away drops the partition's groups and answers the requests
 * they held; moving back (at a new epoch) loads the partition again from its records.
 */
class LeadershipMoveTest
{
    private static final String TOPIC = "events";

    private final GroupCoordinatorTestContext context = new GroupCoordinatorTestContext(GroupCoordinatorTestContext.config());

    LeadershipMoveTest()
    {
        context.topics.create(TOPIC, 4);
    }

    private int partitionOf(final String groupId)
    {
        return context.config.partitionFor(groupId);
    }

    @Test
    void groupsOfAPartitionLedElsewhereAreRefusedWithNotCoordinator()
    {
        assertEquals(List.of(Errors.NONE), context.commit("g", -1, "", TOPIC, 0, 42).get());

        context.log.ledElsewhere(partitionOf("g"), true);

        assertThrows(NotCoordinatorException.class, () -> context.committed("g", TOPIC, 0));
        assertThrows(NotCoordinatorException.class, () -> context.commit("g", -1, "", TOPIC, 0, 43));
        context.advance(20);
        assertTrue(context.coordinator.list().stream().noneMatch(group -> group.groupId().equals("g")), "not listed once unloaded");
    }

    @Test
    void aJoinHeldForARebalanceIsAnsweredWhenTheLeadershipMoves()
    {
        final JoinGroupResponseData first = context.joinNew("classic", "s1".getBytes()).get();
        context.sync("classic", first.memberId(), 1, Map.of(first.memberId(), "a1".getBytes())).get();
        final GroupCoordinatorTestContext.Pending<JoinGroupResponseData> newcomer = context.joinNew("classic", "s2".getBytes());
        assertFalse(newcomer.isDone(), "held until the first member rejoins");

        context.log.ledElsewhere(partitionOf("classic"), true);
        context.advance(20);

        assertEquals(Errors.NOT_COORDINATOR.code(), newcomer.get().errorCode());
    }

    @Test
    void leadershipComingBackLoadsTheRecordsWrittenMeanwhileByTheOtherLeader()
    {
        assertEquals(List.of(Errors.NONE), context.commit("g", -1, "", TOPIC, 1, 10).get());
        final int partition = partitionOf("g");
        context.log.ledElsewhere(partition, true);
        context.advance(20);

        // The other leader's coordinator (same replicated log) commits on.
        final GroupCoordinatorTestContext other = context.reloaded();
        context.log.ledElsewhere(partition, false);
        other.advance(20);
        assertEquals(List.of(Errors.NONE), other.commit("g", -1, "", TOPIC, 1, 20).get());
        context.log.ledElsewhere(partition, true);
        other.advance(20);

        context.log.ledElsewhere(partition, false);
        assertEquals(20, context.committed("g", TOPIC, 1), "reloaded at the new epoch, with the other leader's commit");
    }

    @Test
    void aCommitWhoseLeadershipMovesBeforeItIsReplicatedFailsWithoutAcknowledging()
    {
        context.log.holdDurability(true);
        final GroupCoordinatorTestContext.Pending<List<Errors>> commit = context.commit("g", -1, "", TOPIC, 2, 7);
        assertFalse(commit.isDone(), "waits for the in-sync replicas");

        context.log.ledElsewhere(partitionOf("g"), true);
        context.log.flush();

        assertEquals(List.of(Errors.COORDINATOR_NOT_AVAILABLE), commit.get(), "never acknowledged as committed");
    }
}
