package io.runnel.cluster.metadata;

import java.util.List;

import io.runnel.cluster.metadata.MetadataCommand.AlterPartition;
import io.runnel.cluster.metadata.MetadataImage.Partition;
import io.runnel.cluster.metadata.MetadataReply.CommandResult;
import org.apache.kafka.common.protocol.Errors;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

/**
 * auto.leader.rebalance.enable: after a broker's leaderships moved away (it was fenced) and it is
 * back in the ISRs, the quorum's periodic check gives them back to it, its preferred replicas; not
 * before the check, and not while it is out of the ISR.
 */
class LeaderBalanceTest
{
    private static final long CHECK_MS = 30_000;
    private static final long HEARTBEAT_MS = 2_000;

    private final MetadataTestContext context = new MetadataTestContext(new MetadataStateMachine(MetadataTestContext.SESSION_TIMEOUT_MS,
        MetadataLimits.MIN_MESSAGE_LENGTH, new LeaderBalance(true, CHECK_MS, 10), false));

    @Test
    void leadershipReturnsToThePreferredReplicaAtTheNextCheckOnceItIsInSyncAgain()
    {
        context.electLeaderTaking(0);
        context.startBrokers(3);
        assertEquals(Errors.NONE, context.createTopic("orders", 6, 3).error());
        final List<Integer> preferredLeaders = leaders();

        context.heartbeat(1, true, false);
        context.heartbeat(1, false, false);
        assertEquals(0, leaders().stream().filter(leader -> leader == 1).count(), "broker 1 lost its leaderships when fenced");

        context.advance(CHECK_MS, HEARTBEAT_MS, 1, 2, 3);
        assertEquals(0, leaders().stream().filter(leader -> leader == 1).count(), "out of the ISRs, it cannot take them back");

        final MetadataImage.Topic topic = context.image().topic("orders");
        for (final Partition partition : topic.partitions())
        {
            if (!partition.isr().contains(1))
            {
                final List<Integer> grown = new java.util.ArrayList<>(partition.isr());
                grown.add(1);
                final CommandResult result = (CommandResult)context.send(MetadataTestContext.BROKER_SESSION_BASE + partition.leader(),
                    new AlterPartition(context.correlationId(), partition.leader(), context.epoch(partition.leader()), topic.id(),
                        partition.partition(), partition.leaderEpoch(), partition.isr(), grown));
                assertEquals(Errors.NONE, result.error());
            }
        }
        assertNotEquals(preferredLeaders, leaders(), "back in sync, but the check has not run yet");

        context.advance(CHECK_MS, HEARTBEAT_MS, 1, 2, 3);
        assertEquals(preferredLeaders, leaders(), "the check moved every leadership back to its preferred replica");
    }

    private List<Integer> leaders()
    {
        return context.image().topic("orders").partitions().stream().map(Partition::leader).toList();
    }
}
