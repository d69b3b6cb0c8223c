package io.runnel.kernel.conductor;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import io.runnel.kernel.log.PartitionLog;
import io.runnel.kernel.shard.Shard;
import io.runnel.kernel.topic.Leadership;
import io.runnel.kernel.topic.Partition;
import io.runnel.kernel.topic.Topic;
import io.runnel.kernel.topic.TopicRegistry;
import org.apache.kafka.common.Uuid;

/**
 * A cluster member applies a topic as the metadata quorum committed it: a new topic, more
 * partitions, other configs or moved leaders. The logs of partitions with a replica on this node
 * are opened and handed to their shards before the topic is published, as {@link CreateTopic} does,
 * so a request that sees a partition led here finds its log. Leaderships are swapped in place on
 * the existing partitions, whose logs stay with their shards.
 */
final class ApplyTopicMetadata extends TopicOperation
{
    private final String name;
    private final Uuid id;
    private final Map<String, String> configs;
    private final List<Leadership> leaderships;
    private final List<PartitionLog> opened = new ArrayList<>();
    /** The partition of each log in {@link #opened}, at the same index. */
    private final List<Partition> openedFor = new ArrayList<>();
    private Topic applied;

    ApplyTopicMetadata(final String name, final Uuid id, final Map<String, String> configs, final List<Leadership> leaderships,
        final TopicResultHandler handler, final int replyShard)
    {
        super(handler, replyShard);
        this.name = name;
        this.id = id;
        this.configs = Map.copyOf(configs);
        this.leaderships = List.copyOf(leaderships);
    }

    @Override
    TopicResult start(final Conductor conductor)
    {
        final TopicRegistry registry = conductor.registry();
        final Topic existing = registry.snapshot().topic(id);
        final Topic sameName = registry.snapshot().topic(name);
        if (existing == null && sameName != null)
        {
            // The quorum deletes the old topic (a record of its own) before it creates another under its name.
            return TopicResult.failed(TopicResult.Outcome.INVALID_REQUEST, "topic " + name + " exists here with id " + sameName.id()
                + ", not " + id);
        }
        if (existing != null && leaderships.size() < existing.partitionCount())
        {
            return TopicResult.failed(TopicResult.Outcome.INVALID_REQUEST, "topic " + name + " cannot shrink from "
                + existing.partitionCount() + " to " + leaderships.size() + " partitions");
        }
        final int localNode = registry.localNodeId();
        final int from;
        if (existing == null)
        {
            applied = registry.fromQuorum(name, id, configs, leaderships);
            from = 0;
        }
        else
        {
            for (int i = 0; i < existing.partitionCount(); i++)
            {
                existing.partition(i).lead(leaderships.get(i));
            }
            final Topic grown = leaderships.size() > existing.partitionCount() ? registry.prepareGrowth(existing, leaderships) : existing;
            applied = configs.equals(existing.configs()) ? grown : registry.prepareConfigs(grown, configs);
            from = existing.partitionCount();
            if (!configs.equals(existing.configs()))
            {
                reconfigurePartitions(conductor, applied, conductor.logConfigFor(configs));
            }
        }
        for (int i = from; i < applied.partitionCount(); i++)
        {
            final Partition partition = applied.partition(i);
            if (partition.leadership().hasReplicaOn(localNode))
            {
                opened.add(conductor.openNewLog(applied, partition));
                openedFor.add(partition);
            }
        }
        handOver(conductor);
        return null;
    }

    private void handOver(final Conductor conductor)
    {
        for (int i = 0; i < opened.size(); i++)
        {
            final Partition partition = openedFor.get(i);
            final PartitionLog log = opened.get(i);
            conductor.send(partition.shard(), new PartitionCommand()
            {
                @Override
                void run(final Shard shard)
                {
                    shard.adopt(partition, log);
                }
            });
        }
    }

    @Override
    TopicResult finish(final Conductor conductor, final Throwable shardFailure)
    {
        if (shardFailure != null)
        {
            return TopicResult.failed(TopicResult.Outcome.FAILED, "a shard could not take a partition of " + name + ": " + shardFailure);
        }
        conductor.registry().publish(applied);
        return TopicResult.done(applied);
    }

    @Override
    void abandon(final Conductor conductor)
    {
        conductor.deleteLogsNobodyOwns(opened);
    }
}
