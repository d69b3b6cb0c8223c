package io.runnel.kernel.topic;

/**
 * Which shard owns a partition. Consecutive partitions of a topic land on consecutive shards, so
 * a topic's load spreads over every core; the topic's hash staggers where each topic starts.
 */
public final class PartitionPlacement
{
    private final int shardCount;

    public PartitionPlacement(final int shardCount)
    {
        this.shardCount = shardCount;
    }

    public int shardOf(final String topic, final int partition)
    {
        return Math.floorMod(topic.hashCode() + partition, shardCount);
    }

    public int shardCount()
    {
        return shardCount;
    }
}
