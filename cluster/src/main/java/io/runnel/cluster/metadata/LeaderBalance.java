package io.runnel.cluster.metadata;

import java.util.HashMap;
import java.util.Map;

import io.runnel.cluster.metadata.MetadataImage.Partition;
import io.runnel.cluster.metadata.MetadataImage.Topic;

/**
 * Preferred-leader balancing (Kafka's {@code auto.leader.rebalance.enable}): every
 * {@code checkIntervalMs} the quorum looks, per broker, at the partitions whose preferred replica
 * (the first assigned) it is; where more than {@code imbalancePercent} of them are led by another
 * broker, it moves those it can back to it. Leadership returns to where placement put it after
 * failures moved it, so that load spreads again. Every controller must be given the same settings:
 * the check runs in the replicated state machine, on a replicated timer.
 *
 * @param enabled           auto.leader.rebalance.enable
 * @param checkIntervalMs   leader.imbalance.check.interval.seconds, in ms
 * @param imbalancePercent  leader.imbalance.per.broker.percentage
 */
public record LeaderBalance(boolean enabled, long checkIntervalMs, int imbalancePercent)
{
    /** No automatic balancing (ElectLeaders still moves leaders when asked). */
    public static final LeaderBalance DISABLED = new LeaderBalance(false, 300_000, 10);

    public LeaderBalance
    {
        if (checkIntervalMs <= 0 || imbalancePercent < 0 || imbalancePercent > 100)
        {
            throw new IllegalArgumentException("leader balance: check every " + checkIntervalMs + " ms, imbalance " + imbalancePercent + "%");
        }
    }

    /** Stages the moves of leadership back to preferred replicas that are over the imbalance ratio; returns how many. */
    int rebalance(final MetadataImage image, final MetadataChange change)
    {
        final Map<Integer, int[]> preferredAndNotLeading = new HashMap<>();
        for (final Topic topic : image.topics())
        {
            for (final Partition partition : topic.partitions())
            {
                if (partition.replicas().isEmpty())
                {
                    continue;
                }
                final int[] counts = preferredAndNotLeading.computeIfAbsent(partition.replicas().get(0), id -> new int[2]);
                counts[0]++;
                if (partition.leader() != partition.replicas().get(0))
                {
                    counts[1]++;
                }
            }
        }
        return LeaderElection.electPreferred(image, partition ->
        {
            final int[] counts = preferredAndNotLeading.get(partition.replicas().get(0));
            return counts != null && counts[1] * 100L > (long)imbalancePercent * counts[0];
        }, change);
    }
}
