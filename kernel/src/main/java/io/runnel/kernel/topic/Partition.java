package io.runnel.kernel.topic;

import io.runnel.kernel.log.PartitionLog;
import io.runnel.kernel.log.PartitionState;

/**
 * A partition as every thread sees it: its identity, its owning shard and its published state.
 * The {@link PartitionLog} behind it is touched only by the owning shard's thread.
 */
public final class Partition
{
    private final Topic topic;
    private final int index;
    private final int shard;
    private final PartitionState state = new PartitionState();
    private final String name;
    /** Replaced whole by the conductor when the metadata moves the leader; read by any thread. */
    private volatile Leadership leadership;
    /** Written and read by the owning shard only (after it adopts the log). */
    private PartitionLog log;

    Partition(final Topic topic, final int index, final int shard, final Leadership leadership)
    {
        this.topic = topic;
        this.index = index;
        this.shard = shard;
        this.name = topic.name() + "-" + index;
        this.leadership = leadership;
    }

    /**
     * The topic as it was when this partition was created: its name and id. Its configs may have
     * changed since; the registry's snapshot has the topic as it is now.
     */
    public Topic topic()
    {
        return topic;
    }

    public int index()
    {
        return index;
    }

    /** Id of the shard that owns this partition's log. */
    public int shard()
    {
        return shard;
    }

    /**
     * The partition's current leader epoch, as Metadata reports it and OffsetForLeaderEpoch fences
     * with. A single node's stays 0; in a cluster it moves on each leader change.
     */
    public int leaderEpoch()
    {
        return leadership.leaderEpoch();
    }

    /** Its leader, leader epoch, replicas and in-sync replicas. */
    public Leadership leadership()
    {
        return leadership;
    }

    /** The metadata moved its leader or its replicas. Conductor thread only. */
    public void lead(final Leadership next)
    {
        this.leadership = next;
    }

    public PartitionState state()
    {
        return state;
    }

    /** Directory name, Kafka's convention: {@code <topic>-<partition>}. */
    public String name()
    {
        return name;
    }

    /** The log, or null before the owning shard adopted it. Owning shard's thread only. */
    public PartitionLog log()
    {
        return log;
    }

    public void adopt(final PartitionLog log)
    {
        this.log = log;
    }

    @Override
    public String toString()
    {
        return name;
    }
}
