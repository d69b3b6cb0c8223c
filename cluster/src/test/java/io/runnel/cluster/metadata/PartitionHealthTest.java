package io.runnel.cluster.metadata;

import io.runnel.cluster.member.PartitionHealth;
import org.apache.kafka.common.protocol.Errors;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** UnderReplicatedPartitions (of the leader) and OfflinePartitionsCount, as a broker computes them from its image. */
class PartitionHealthTest
{
    private final MetadataTestContext context = new MetadataTestContext();

    @Test
    void aFencedReplicaMakesItsLeadersPartitionsUnderReplicatedAndASingleReplicaOnItOffline()
    {
        context.startBrokers(3);
        assertEquals(Errors.NONE, context.createTopic("replicated", 3, 3).error());
        assertEquals(Errors.NONE, context.createTopic("single", 3, 1).error());
        for (int node = 1; node <= 3; node++)
        {
            assertEquals(new PartitionHealth(0, 0), PartitionHealth.of(context.image(), node));
        }

        context.heartbeat(3, true, false);

        int underReplicated = 0;
        for (int node = 1; node <= 2; node++)
        {
            underReplicated += PartitionHealth.of(context.image(), node).underReplicatedLedHere();
        }
        assertEquals(3, underReplicated, "every partition of the replicated topic lost broker 3 from its ISR");
        final long singleOnThree = context.image().topic("single").partitions().stream().filter(p -> p.replicas().equals(java.util.List.of(3)))
            .count();
        assertEquals(singleOnThree, PartitionHealth.of(context.image(), 1).offline(), "the single-replica partitions on broker 3 have no leader");
    }
}
