package io.runnel.kernel.conductor;

import io.runnel.kernel.log.PartitionLog;
import io.runnel.kernel.shard.Shard;
import io.runnel.kernel.topic.Partition;
import io.runnel.kernel.topic.Topic;

/**
 * Deletes a topic: it disappears from the store and from view first, then each owning shard
 * gives its partitions back, and the conductor closes and deletes their files. A crash after the
 * first step leaves partition directories, which start-up deletes as orphans.
 */
final class DeleteTopic extends TopicOperation
{
    private final String name;
    private Topic topic;
    private PartitionLog[] released;

    DeleteTopic(final String name, final TopicResultHandler handler, final int replyShard)
    {
        super(handler, replyShard);
        this.name = name;
    }

    @Override
    TopicResult start(final Conductor conductor)
    {
        topic = conductor.registry().delete(name);
        if (topic == null)
        {
            return TopicResult.failed(TopicResult.Outcome.UNKNOWN_TOPIC, "no topic " + name);
        }
        released = new PartitionLog[topic.partitionCount()];
        for (int i = 0; i < topic.partitionCount(); i++)
        {
            final Partition partition = topic.partition(i);
            final int slot = i;
            conductor.send(partition.shard(), new PartitionCommand()
            {
                @Override
                void run(final Shard shard)
                {
                    released[slot] = shard.release(partition);
                }
            });
        }
        return null;
    }

    @Override
    TopicResult finish(final Conductor conductor, final Throwable shardFailure)
    {
        // The answers' volatile countdown orders each shard's write of its slot before this read.
        for (int i = 0; i < released.length; i++)
        {
            if (released[i] != null)
            {
                conductor.retireLog(topic.partition(i), released[i]);
            }
        }
        // A topic created later under this name must not inherit this one's log start offsets.
        conductor.checkpointLogStarts();
        if (shardFailure != null)
        {
            return TopicResult.failed(TopicResult.Outcome.FAILED, "topic " + name + " is deleted, but a shard failed to give up a partition: "
                + shardFailure + "; its files are removed at the next start");
        }
        return TopicResult.done(topic);
    }

    @Override
    void abandon(final Conductor conductor)
    {
        // Nothing to undo: the topic is gone from view; any files left are orphans for the next start-up.
    }
}
