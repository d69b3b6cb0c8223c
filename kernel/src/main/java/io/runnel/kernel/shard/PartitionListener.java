package io.runnel.kernel.shard;

import io.runnel.kernel.topic.Partition;

/** Told, on the shard's thread, when the shard takes or gives up a partition (e.g. a coordinator loading its offsets partitions). */
public interface PartitionListener
{
    void onAdopted(Shard shard, Partition partition);

    default void onReleased(final Shard shard, final Partition partition)
    {
    }
}
