package io.runnel.cluster.member;

import io.runnel.cluster.metadata.MetadataImage;

/**
 * Kafka's two partition-health gauges, from the metadata image: {@code UnderReplicatedPartitions}
 * (partitions this broker leads whose ISR is smaller than their replica set) and
 * {@code OfflinePartitionsCount} (partitions of the cluster with no leader).
 */
public record PartitionHealth(int underReplicatedLedHere, int offline)
{
    static final PartitionHealth UNKNOWN = new PartitionHealth(-1, -1);

    public static PartitionHealth of(final MetadataImage image, final int nodeId)
    {
        int underReplicated = 0;
        int offline = 0;
        for (final MetadataImage.Topic topic : image.topics())
        {
            for (final MetadataImage.Partition partition : topic.partitions())
            {
                if (partition.leader() == MetadataImage.NO_LEADER)
                {
                    offline++;
                }
                else if (partition.leader() == nodeId && partition.isr().size() < partition.replicas().size())
                {
                    underReplicated++;
                }
            }
        }
        return new PartitionHealth(underReplicated, offline);
    }
}
