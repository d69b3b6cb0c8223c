package io.runnel.kernel.topic;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import org.apache.kafka.common.Uuid;

/** An immutable view of a topic: name, id, configuration overrides and partitions. */
public final class Topic
{
    private final String name;
    private final byte[] nameUtf8;
    private final Uuid id;
    private final Map<String, String> configs;
    private final Partition[] partitions;

    Topic(final String name, final Uuid id, final Map<String, String> configs, final int partitionCount, final PartitionPlacement placement)
    {
        this.name = name;
        this.nameUtf8 = name.getBytes(StandardCharsets.UTF_8);
        this.id = id;
        this.configs = Map.copyOf(configs);
        this.partitions = new Partition[partitionCount];
        for (int i = 0; i < partitionCount; i++)
        {
            partitions[i] = new Partition(this, i, placement.shardOf(name, i), placement.initialLeadership());
        }
    }

    private Topic(final Topic previous, final int partitionCount, final PartitionPlacement placement)
    {
        this.name = previous.name;
        this.nameUtf8 = previous.nameUtf8;
        this.id = previous.id;
        this.configs = previous.configs;
        this.partitions = Arrays.copyOf(previous.partitions, partitionCount);
        for (int i = previous.partitions.length; i < partitionCount; i++)
        {
            partitions[i] = new Partition(this, i, placement.shardOf(name, i), placement.initialLeadership());
        }
    }

    /** A topic the metadata quorum describes: its id, and each partition's leadership, are the quorum's. */
    Topic(final String name, final Uuid id, final Map<String, String> configs, final List<Leadership> leaderships,
        final PartitionPlacement placement)
    {
        this.name = name;
        this.nameUtf8 = name.getBytes(StandardCharsets.UTF_8);
        this.id = id;
        this.configs = Map.copyOf(configs);
        this.partitions = new Partition[leaderships.size()];
        for (int i = 0; i < partitions.length; i++)
        {
            partitions[i] = new Partition(this, i, placement.shardOf(name, i), leaderships.get(i));
        }
    }

    private Topic(final Topic previous, final Map<String, String> configs)
    {
        this.name = previous.name;
        this.nameUtf8 = previous.nameUtf8;
        this.id = previous.id;
        this.configs = Map.copyOf(configs);
        this.partitions = previous.partitions;
    }

    Topic withPartitions(final int partitionCount, final PartitionPlacement placement)
    {
        return new Topic(this, partitionCount, placement);
    }

    /** The same partitions (their logs stay with their shards), and more after them led as {@code leaderships} say, from index {@code partitionCount()} on. */
    Topic withPartitions(final List<Leadership> leaderships, final PartitionPlacement placement)
    {
        final Topic grown = new Topic(this, leaderships.size(), placement);
        for (int i = partitions.length; i < leaderships.size(); i++)
        {
            grown.partitions[i].lead(leaderships.get(i));
        }
        return grown;
    }

    /** The same topic, the same partitions (their logs stay with their shards), with other config overrides. */
    Topic withConfigs(final Map<String, String> newConfigs)
    {
        return new Topic(this, newConfigs);
    }

    public String name()
    {
        return name;
    }

    /** The name as UTF-8, as the protocol carries it: the hot path compares and copies these bytes instead of making Strings. Do not modify. */
    public byte[] nameUtf8()
    {
        return nameUtf8;
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
