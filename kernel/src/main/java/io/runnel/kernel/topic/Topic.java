package io.runnel.kernel.topic;

import java.util.Arrays;
import java.util.Map;

import org.apache.kafka.common.Uuid;

/** An immutable view of a topic: name, id, configuration overrides and partitions. */
public final class Topic
{
    private final String name;
    private final Uuid id;
    private final Map<String, String> configs;
    private final Partition[] partitions;

    Topic(final String name, final Uuid id, final Map<String, String> configs, final int partitionCount, final PartitionPlacement placement)
    {
        this.name = name;
        this.id = id;
        this.configs = Map.copyOf(configs);
        this.partitions = new Partition[partitionCount];
        for (int i = 0; i < partitionCount; i++)
        {
            partitions[i] = new Partition(this, i, placement.shardOf(name, i));
        }
    }

    private Topic(final Topic previous, final int partitionCount, final PartitionPlacement placement)
    {
        this.name = previous.name;
        this.id = previous.id;
        this.configs = previous.configs;
        this.partitions = Arrays.copyOf(previous.partitions, partitionCount);
        for (int i = previous.partitions.length; i < partitionCount; i++)
        {
            partitions[i] = new Partition(this, i, placement.shardOf(name, i));
        }
    }

    Topic withPartitions(final int partitionCount, final PartitionPlacement placement)
    {
        return new Topic(this, partitionCount, placement);
    }

    public String name()
    {
        return name;
    }

    public Uuid id()
    {
        return id;
    }

    public Map<String, String> configs()
    {
        return configs;
    }

    public int partitionCount()
    {
        return partitions.length;
    }

    /** The partition, or null if the index is out of range. */
    public Partition partition(final int index)
    {
        return index >= 0 && index < partitions.length ? partitions[index] : null;
    }

    /** Internal topics (such as __consumer_offsets later) start with two underscores. */
    public boolean isInternal()
    {
        return name.startsWith("__");
    }
}
