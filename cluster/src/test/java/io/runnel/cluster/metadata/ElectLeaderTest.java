package io.runnel.cluster.metadata;

import io.runnel.cluster.metadata.MetadataCommand.ElectLeader;
import io.runnel.cluster.metadata.MetadataImage.Partition;
import io.runnel.cluster.metadata.MetadataReply.CommandResult;
import org.apache.kafka.common.protocol.Errors;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** ElectLeaders as the quorum decides it, preferred and unclean, one partition at a time. */
class ElectLeaderTest
{
    private final MetadataTestContext context = new MetadataTestContext();

    @BeforeEach
    void threeBrokersAndATopicOfThreeReplicas()
    {
        context.startBrokers(3);
        assertEquals(Errors.NONE, context.createTopic("orders", 1, 3).error());
    }

    private Partition partition()
    {
        return context.image().topic("orders").partitions().get(0);
    }

    private Errors elect(final boolean unclean, final String topic, final int index)
    {
        return ((CommandResult)context.send(new ElectLeader(context.correlationId(), unclean, topic, index))).error();
    }

    @Test
    void preferredElectionMovesLeadershipBackOnlyWhenThePreferredReplicaIsInSync()
    {
        final int preferred = partition().replicas().get(0);
        assertEquals(Errors.ELECTION_NOT_NEEDED, elect(false, "orders", 0));

        context.heartbeat(preferred, true, false);
        assertEquals(Errors.PREFERRED_LEADER_NOT_AVAILABLE, elect(false, "orders", 0), "fenced and out of the ISR");
        context.heartbeat(preferred, false, false);
        assertEquals(Errors.PREFERRED_LEADER_NOT_AVAILABLE, elect(false, "orders", 0), "usable, but not in sync yet");

        final Partition moved = partition();
        final java.util.List<Integer> grown = new java.util.ArrayList<>(moved.isr());
        grown.add(preferred);
        context.send(MetadataTestContext.BROKER_SESSION_BASE + moved.leader(), new MetadataCommand.AlterPartition(context.correlationId(),
            moved.leader(), context.epoch(moved.leader()), context.image().topic("orders").id(), 0, moved.leaderEpoch(), moved.isr(), grown));
        assertEquals(Errors.NONE, elect(false, "orders", 0));
        assertEquals(preferred, partition().leader());
        assertEquals(moved.leaderEpoch() + 1, partition().leaderEpoch());
    }

    @Test
    void uncleanElectionGivesALeaderlessPartitionAnyLiveReplicaAndAnIsrOfItAlone()
    {
        assertEquals(Errors.ELECTION_NOT_NEEDED, elect(true, "orders", 0), "it has a leader");
        final Partition before = partition();
        // Fence the replicas one by one: the last in sync keeps its ISR place and the partition has no leader.
        for (final int replica : before.replicas())
        {
            context.heartbeat(replica, true, false);
        }
        assertEquals(MetadataImage.NO_LEADER, partition().leader());
        assertEquals(Errors.ELIGIBLE_LEADERS_NOT_AVAILABLE, elect(true, "orders", 0), "no replica is usable");

        final int outOfSync = before.replicas().stream().filter(id -> !partition().isr().contains(id)).findFirst().orElseThrow();
        context.heartbeat(outOfSync, false, false);
        assertEquals(MetadataImage.NO_LEADER, partition().leader(), "an out-of-sync replica does not lead by itself");
        assertEquals(Errors.NONE, elect(true, "orders", 0));
        assertEquals(outOfSync, partition().leader());
        assertEquals(java.util.List.of(outOfSync), partition().isr());
    }

    @Test
    void withUncleanElectionEnabledALeaderlessPartitionGoesToAnOutOfSyncReplicaByItself()
    {
        final MetadataTestContext allowing = new MetadataTestContext(new MetadataStateMachine(MetadataTestContext.SESSION_TIMEOUT_MS,
            MetadataLimits.MIN_MESSAGE_LENGTH, LeaderBalance.DISABLED, false));
        allowing.startBrokers(3);
        assertEquals(Errors.NONE, allowing.createTopic("lenient", 1, 3,
            new MetadataCommand.ConfigEntry(UncleanElection.KEY, "true")).error());
        assertEquals(Errors.NONE, allowing.createTopic("strict", 1, 3).error());
        final Partition lenient = allowing.image().topic("lenient").partitions().get(0);
        final int lastInSync = lenient.replicas().get(2);
        allowing.heartbeat(lenient.replicas().get(0), true, false);
        allowing.heartbeat(lenient.replicas().get(1), true, false);
        allowing.heartbeat(lastInSync, true, false);

        final int returned = lenient.replicas().get(0);
        final java.util.List<Integer> strictIsr = allowing.image().topic("strict").partitions().get(0).isr();
        allowing.heartbeat(returned, false, false);

        final Partition after = allowing.image().topic("lenient").partitions().get(0);
        assertEquals(returned, after.leader(), "the topic allows it: the out-of-sync replica leads");
        assertEquals(java.util.List.of(returned), after.isr());
        final Partition strict = allowing.image().topic("strict").partitions().get(0);
        assertEquals(strictIsr.contains(returned) ? returned : MetadataImage.NO_LEADER, strict.leader(),
            "a topic without the override is led only by an in-sync replica");
        assertEquals(strictIsr, strict.isr());
    }

    @Test
    void anUnknownTopicOrPartitionIsNamedAsSuch()
    {
        assertEquals(Errors.UNKNOWN_TOPIC_OR_PARTITION, elect(false, "absent", 0));
        assertEquals(Errors.UNKNOWN_TOPIC_OR_PARTITION, elect(false, "orders", 7));
    }
}
