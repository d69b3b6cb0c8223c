package io.runnel.kernel.topic;

/**
 * Where a new partition lives: which shard owns it on this node, and, on a single node, that this
 * node leads it. Consecutive partitions of a topic land on consecutive shards, so a topic's load
 * spreads over every core; the topic's hash staggers where each topic starts. In a cluster the
 * metadata quorum decides the leader instead, and the conductor replaces the leadership.
 */
public final class PartitionPlacement
{
    private final int shardCount;
    private final int localNodeId;

    /** A placement on node 0 (tests and tools). */
    public PartitionPlacement(final int shardCount)
    {
        this(shardCount, 0);
    }

    public PartitionPlacement(final int shardCount, final int localNodeId)
    {
        this.shardCount = shardCount;
        this.localNodeId = localNodeId;
    }

    public int shardOf(final String topic, final int partition)
    {
        return Math.floorMod(topic.hashCode() + partition, shardCount);
    }

    /** A new partition's leadership until the metadata says otherwise: this node's. */
    public Leadership initialLeadership()
    {
        return Leadership.singleNode(localNodeId);
    }

    public int shardCount()
    {
        return shardCount;
    }

    public int localNodeId()
    {
        return localNodeId;
    }
}
