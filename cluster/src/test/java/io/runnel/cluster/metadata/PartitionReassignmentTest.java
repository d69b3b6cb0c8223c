package io.runnel.cluster.metadata;

import java.util.ArrayList;
import java.util.List;

import io.runnel.cluster.metadata.MetadataCommand.AlterPartition;
import io.runnel.cluster.metadata.MetadataCommand.AlterPartitionReassignment;
import io.runnel.cluster.metadata.MetadataImage.Partition;
import io.runnel.cluster.metadata.MetadataReply.CommandResult;
import org.apache.kafka.common.protocol.Errors;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** AlterPartitionReassignments as the quorum decides it (KIP-455): the union while moving, completion on ISR expansion, cancel. */
class PartitionReassignmentTest
{
    private final MetadataTestContext context = new MetadataTestContext();
    /** The partition's replicas as created: {@code [leader, follower]}. */
    private int leader;
    private int follower;
    /** The third broker, no replica of the partition. */
    private int outsider;

    @BeforeEach
    void threeBrokersAndATopicOfTwoReplicas()
    {
        context.startBrokers(3);
        assertEquals(Errors.NONE, context.createTopic("orders", 1, 2).error());
        leader = partition().leader();
        follower = partition().replicas().get(1);
        outsider = 6 - leader - follower;
        assertEquals(List.of(leader, follower), partition().replicas());
        assertEquals(List.of(leader, follower), partition().isr());
    }

    private Partition partition()
    {
        return context.image().topic("orders").partitions().get(0);
    }

    private Errors reassign(final String topic, final int index, final List<Integer> target)
    {
        return reassign(topic, index, target, true);
    }

    private Errors reassign(final String topic, final int index, final List<Integer> target, final boolean allowReplicationFactorChange)
    {
        return ((CommandResult)context.send(new AlterPartitionReassignment(context.correlationId(), topic, index, target,
            allowReplicationFactorChange))).error();
    }

    /** The partition's leader adds {@code joining} to its ISR, as its replica duty does once the replica caught up. */
    private Errors isrJoins(final int joining)
    {
        final Partition now = partition();
        final List<Integer> grown = new ArrayList<>(now.isr());
        grown.add(joining);
        return ((CommandResult)context.send(MetadataTestContext.BROKER_SESSION_BASE + now.leader(), new AlterPartition(context.correlationId(),
            now.leader(), context.epoch(now.leader()), context.image().topic("orders").id(), 0, now.leaderEpoch(), now.isr(), grown))).error();
    }

    @Test
    void aMoveHoldsTheTargetThenTheOriginalReplicasUntilTheNewOneIsInSync()
    {
        final Partition before = partition();

        assertEquals(Errors.NONE, reassign("orders", 0, List.of(follower, outsider)));

        final Partition moving = partition();
        assertEquals(List.of(follower, outsider, leader), moving.replicas(), "target first, then the original replicas not in it");
        assertEquals(List.of(outsider), moving.addingReplicas());
        assertEquals(List.of(leader), moving.removingReplicas());
        assertEquals(before.isr(), moving.isr());
        assertEquals(leader, moving.leader(), "the leader stays until the move completes");
        assertEquals(before.leaderEpoch(), moving.leaderEpoch());
        assertEquals(before.partitionEpoch() + 1, moving.partitionEpoch());
    }

    @Test
    void theMoveCompletesWhenTheNewReplicaJoinsTheIsrAndARemovedLeaderHandsOver()
    {
        final Partition before = partition();
        reassign("orders", 0, List.of(follower, outsider));

        assertEquals(Errors.NONE, isrJoins(outsider));

        final Partition moved = partition();
        assertEquals(List.of(follower, outsider), moved.replicas());
        assertEquals(List.of(follower, outsider), moved.isr(), "ISR ∩ target");
        assertFalse(moved.isReassigning());
        assertEquals(follower, moved.leader(), "the first target replica in sync leads");
        assertEquals(before.leaderEpoch() + 1, moved.leaderEpoch());
    }

    @Test
    void aLeaderInTheTargetKeepsLeadingAtItsEpoch()
    {
        final Partition before = partition();
        reassign("orders", 0, List.of(leader, outsider));

        assertEquals(Errors.NONE, isrJoins(outsider));

        final Partition moved = partition();
        assertEquals(List.of(leader, outsider), moved.replicas());
        assertEquals(List.of(leader, outsider), moved.isr());
        assertEquals(leader, moved.leader());
        assertEquals(before.leaderEpoch(), moved.leaderEpoch());
    }

    @Test
    void aTargetAlreadyInSyncCompletesAtOnce()
    {
        reassign("orders", 0, List.of(follower));

        final Partition moved = partition();
        assertEquals(List.of(follower), moved.replicas());
        assertEquals(List.of(follower), moved.isr());
        assertEquals(follower, moved.leader());
        assertFalse(moved.isReassigning());
    }

    @Test
    void aCancelPutsTheOriginalReplicasBack()
    {
        final Partition before = partition();
        reassign("orders", 0, List.of(outsider, follower));

        assertEquals(Errors.NONE, reassign("orders", 0, null));

        final Partition reverted = partition();
        assertEquals(List.of(follower, leader), reverted.replicas(), "the original replicas, in the union's order (as Kafka)");
        assertEquals(before.isr(), reverted.isr());
        assertFalse(reverted.isReassigning());
        assertEquals(leader, reverted.leader());
        assertEquals(before.leaderEpoch(), reverted.leaderEpoch());
    }

    @Test
    void aMoveWaitsForEveryTargetReplicaInSyncAndACancelDropsTheAddedOnesFromTheIsr()
    {
        final Partition before = partition();
        assertEquals(Errors.NONE, ((CommandResult)context.send(MetadataTestContext.BROKER_SESSION_BASE + leader, new AlterPartition(
            context.correlationId(), leader, context.epoch(leader), context.image().topic("orders").id(), 0, before.leaderEpoch(),
            before.isr(), List.of(leader)))).error(), "the follower fell behind");
        reassign("orders", 0, List.of(outsider, follower));

        assertEquals(Errors.NONE, isrJoins(outsider));
        assertTrue(partition().isReassigning(), "the follower, in the target, is still out of sync");
        assertEquals(List.of(leader, outsider), partition().isr());

        assertEquals(Errors.NONE, reassign("orders", 0, null));
        assertEquals(List.of(follower, leader), partition().replicas());
        assertEquals(List.of(leader), partition().isr(), "ISR ∩ original");
        assertFalse(partition().isReassigning());
    }

    @Test
    void aNewTargetReplacesAReassignmentInProgressOverTheOriginalReplicas()
    {
        reassign("orders", 0, List.of(outsider, follower));

        assertEquals(Errors.NONE, reassign("orders", 0, List.of(follower, leader)));

        final Partition reordered = partition();
        assertEquals(List.of(follower, leader), reordered.replicas(), "the outsider is no longer added");
        assertEquals(List.of(leader, follower), reordered.isr());
        assertFalse(reordered.isReassigning());
    }

    @Test
    void fencingABrokerDuringAMoveKeepsTheReassignment()
    {
        reassign("orders", 0, List.of(follower, outsider));

        context.heartbeat(leader, true, false);

        final Partition moving = partition();
        assertEquals(List.of(follower), moving.isr());
        assertEquals(follower, moving.leader(), "the first in-sync replica of the union leads");
        assertEquals(List.of(outsider), moving.addingReplicas());
        assertEquals(List.of(leader), moving.removingReplicas());

        assertEquals(Errors.NONE, isrJoins(outsider));
        assertEquals(List.of(follower, outsider), partition().replicas());
        assertFalse(partition().isReassigning());
    }

    @Test
    void refusalsCarryKafkasErrors()
    {
        assertEquals(Errors.UNKNOWN_TOPIC_OR_PARTITION, reassign("absent", 0, List.of(1)));
        assertEquals(Errors.UNKNOWN_TOPIC_OR_PARTITION, reassign("orders", 1, List.of(1)));
        assertEquals(Errors.NO_REASSIGNMENT_IN_PROGRESS, reassign("orders", 0, null));
        assertEquals(Errors.INVALID_REPLICA_ASSIGNMENT, reassign("orders", 0, List.of()));
        assertEquals(Errors.INVALID_REPLICA_ASSIGNMENT, reassign("orders", 0, List.of(outsider, outsider)));
        assertEquals(Errors.INVALID_REPLICA_ASSIGNMENT, reassign("orders", 0, List.of(outsider, 99)), "no broker 99 is registered");
        assertEquals(Errors.INVALID_REPLICATION_FACTOR, reassign("orders", 0, List.of(1, 2, 3), false));
        assertEquals(Errors.NONE, reassign("orders", 0, List.of(follower, outsider), false), "the same replication factor");
        assertTrue(partition().isReassigning());
    }
}
