package io.runnel.cluster.metadata;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;

import io.runnel.cluster.metadata.MetadataCommand.AlterPartition;
import io.runnel.cluster.metadata.MetadataImage.Partition;
import io.runnel.cluster.metadata.MetadataReply.CommandResult;
import org.apache.kafka.common.protocol.Errors;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** A leader changes its partition's ISR through the quorum, and only its own, at its epoch, from the ISR it saw. */
class AlterPartitionTest
{
    private final MetadataTestContext context = new MetadataTestContext();
    private MetadataImage.Topic topic;
    private Partition partition;

    @BeforeEach
    void threeBrokersAndATopicOfThreeReplicas()
    {
        context.startBrokers(3);
        assertEquals(Errors.NONE, context.createTopic("orders", 1, 3).error());
        topic = context.image().topic("orders");
        partition = topic.partitions().get(0);
    }

    @Test
    void theLeaderShrinksAndGrowsItsIsrAndThePartitionEpochMoves()
    {
        final int leader = partition.leader();
        final int follower = partition.replicas().stream().filter(id -> id != leader).findFirst().orElseThrow();
        final List<Integer> shrunk = partition.isr().stream().filter(id -> id != follower).toList();

        assertEquals(Errors.NONE, alter(leader, partition.leaderEpoch(), partition.isr(), shrunk).error());
        final Partition afterShrink = context.image().topic("orders").partitions().get(0);
        assertEquals(shrunk, afterShrink.isr());
        assertEquals(partition.leaderEpoch(), afterShrink.leaderEpoch(), "the leader epoch stays");
        assertEquals(partition.partitionEpoch() + 1, afterShrink.partitionEpoch());

        assertEquals(Errors.NONE, alter(leader, partition.leaderEpoch(), shrunk, partition.isr()).error());
        assertEquals(partition.isr(), context.image().topic("orders").partitions().get(0).isr());
    }

    @Test
    void aStaleLeaderAnotherBrokerOrAStaleIsrIsRefused()
    {
        final int leader = partition.leader();
        final int other = partition.replicas().stream().filter(id -> id != leader).findFirst().orElseThrow();
        final List<Integer> shrunk = List.of(leader);

        assertEquals(Errors.FENCED_LEADER_EPOCH, alter(leader, partition.leaderEpoch() - 1, partition.isr(), shrunk).error());
        assertEquals(Errors.NOT_LEADER_OR_FOLLOWER, alter(other, partition.leaderEpoch(), partition.isr(), List.of(other)).error());
        assertEquals(Errors.INVALID_UPDATE_VERSION, alter(leader, partition.leaderEpoch(), shrunk, shrunk).error());
        assertEquals(Errors.INVALID_REQUEST, alter(leader, partition.leaderEpoch(), partition.isr(), List.of(other)).error(),
            "the ISR must hold its leader");
        assertEquals(Errors.INVALID_REQUEST, alter(leader, partition.leaderEpoch(), partition.isr(), List.of(leader, 9)).error(),
            "only replicas");
        assertEquals(partition, context.image().topic("orders").partitions().get(0), "nothing changed");
    }

    private CommandResult alter(final int nodeId, final int leaderEpoch, final List<Integer> currentIsr, final List<Integer> newIsr)
    {
        return (CommandResult)context.send(MetadataTestContext.BROKER_SESSION_BASE + nodeId, new AlterPartition(context.correlationId(),
            nodeId, context.epoch(nodeId), topic.id(), 0, leaderEpoch, currentIsr, newIsr));
    }
}
