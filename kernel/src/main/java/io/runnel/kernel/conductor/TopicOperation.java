package io.runnel.kernel.conductor;

import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import io.runnel.kernel.log.LogConfig;
import io.runnel.kernel.log.PartitionLog;
import io.runnel.kernel.shard.Shard;
import io.runnel.kernel.shard.ShardCommand;
import io.runnel.kernel.topic.Partition;
import io.runnel.kernel.topic.Topic;

/**
 * One control-plane change, run by the conductor one at a time, in arrival order: {@link #start}
 * does the file work and sends commands to the shards involved; once every shard has answered,
 * {@link #finish} makes the change visible and yields the result.
 */
abstract class TopicOperation
{
    private final TopicResultHandler handler;
    private final int replyShard;
    private final AtomicInteger shardsPending = new AtomicInteger();
    private volatile Throwable shardFailure;
    private Conductor conductor;

    TopicOperation(final TopicResultHandler handler, final int replyShard)
    {
        this.handler = handler;
        this.replyShard = replyShard;
    }

    TopicResultHandler handler()
    {
        return handler;
    }

    /** The shard to answer on, or -1 to answer on the conductor's thread (external callers). */
    int replyShard()
    {
        return replyShard;
    }

    /**
     * Does the file work and sends shard commands through {@link Conductor#send}.
     *
     * @return the result if the operation is over already (e.g. refused), else null.
     */
    abstract TopicResult start(Conductor conductor);

    /** Runs once every shard command has answered: publish, clean up, and say what happened. */
    abstract TopicResult finish(Conductor conductor, Throwable shardFailure);

    /** Undoes what {@link #start} did when it threw part-way. */
    abstract void abandon(Conductor conductor);

    /**
     * The first half of creating or growing a topic: opens the logs of partitions
     * {@code [from, to)}, each added to {@code opened} as it opens, and only once all are open
     * sends each to its shard to adopt. A failure while opening therefore leaves no log with a
     * shard, and {@link #abandon} may delete every log in {@code opened}.
     */
    void openAndHandOver(final Conductor conductor, final Topic topic, final int from, final int to, final List<PartitionLog> opened)
    {
        for (int i = from; i < to; i++)
        {
            opened.add(conductor.openNewLog(topic, topic.partition(i)));
        }
        for (int i = from; i < to; i++)
        {
            final Partition partition = topic.partition(i);
            final PartitionLog log = opened.get(i - from);
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

    /**
     * Sends each partition of {@code topic} to its owning shard to take {@code config} (resolved
     * here, on the conductor, so a shard only swaps it in); {@link #finish} runs once all have.
     */
    void reconfigurePartitions(final Conductor conductor, final Topic topic, final LogConfig config)
    {
        for (int i = 0; i < topic.partitionCount(); i++)
        {
            final Partition partition = topic.partition(i);
            conductor.send(partition.shard(), new PartitionCommand()
            {
                @Override
                void run(final Shard shard)
                {
                    final PartitionLog log = partition.log();
                    if (log != null)
                    {
                        log.reconfigure(config);
                    }
                }
            });
        }
    }

    /** Called by the conductor before {@link #start}: shards' answers wake it. */
    void runBy(final Conductor conductor)
    {
        this.conductor = conductor;
    }

    private void answered()
    {
        if (shardsPending.decrementAndGet() == 0 && conductor != null)
        {
            conductor.wake();
        }
    }

    boolean shardsAnswered()
    {
        return shardsPending.get() == 0;
    }

    Throwable shardFailure()
    {
        return shardFailure;
    }

    /** A command for one shard, answered back to this operation whether it succeeds or fails. */
    abstract class PartitionCommand implements ShardCommand
    {
        PartitionCommand()
        {
            shardsPending.incrementAndGet();
        }

        abstract void run(Shard shard);

        @Override
        public final void execute(final Shard shard)
        {
            run(shard);
            answered();
        }

        @Override
        public final void onFailure(final Shard shard, final Throwable cause)
        {
            shardFailure = cause;
            answered();
        }
    }
}
