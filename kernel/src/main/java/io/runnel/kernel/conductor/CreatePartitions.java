package io.runnel.kernel.conductor;

import java.util.ArrayList;
import java.util.List;

import io.runnel.kernel.log.PartitionLog;
import io.runnel.kernel.topic.Topic;

/** Grows a topic: new partitions' logs opened here, handed to their shards, then the grown topic persisted and published. */
final class CreatePartitions extends TopicOperation
{
    private final String name;
    private final int newCount;
    private final List<PartitionLog> opened = new ArrayList<>();
    private Topic grown;

    CreatePartitions(final String name, final int newCount, final TopicResultHandler handler, final int replyShard)
    {
        super(handler, replyShard);
        this.name = name;
        this.newCount = newCount;
    }

    @Override
    TopicResult start(final Conductor conductor)
    {
        final Topic existing = conductor.registry().snapshot().topic(name);
        if (existing == null)
        {
            return TopicResult.failed(TopicResult.Outcome.UNKNOWN_TOPIC, "no topic " + name);
        }
        if (newCount <= existing.partitionCount())
        {
            return TopicResult.failed(TopicResult.Outcome.INVALID_PARTITIONS,
                "topic has " + existing.partitionCount() + " partitions; the new count must be larger, was " + newCount);
        }
        grown = conductor.registry().prepareGrowth(existing, newCount);
        openAndHandOver(conductor, grown, existing.partitionCount(), newCount, opened);
        return null;
    }

    @Override
    TopicResult finish(final Conductor conductor, final Throwable shardFailure)
    {
        if (shardFailure != null)
        {
            return TopicResult.failed(TopicResult.Outcome.FAILED, "a shard could not take a new partition of " + name + ": " + shardFailure);
        }
        conductor.registry().publish(grown);
        return TopicResult.done(grown);
    }

    @Override
    void abandon(final Conductor conductor)
    {
        conductor.deleteLogsNobodyOwns(opened);
    }
}
