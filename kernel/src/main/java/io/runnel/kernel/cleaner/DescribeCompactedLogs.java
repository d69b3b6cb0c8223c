package io.runnel.kernel.cleaner;

import java.util.ArrayList;
import java.util.List;
import java.util.Queue;

import io.runnel.kernel.log.CleanableSegments;
import io.runnel.kernel.log.PartitionLog;
import io.runnel.kernel.shard.Shard;
import io.runnel.kernel.shard.ShardCommand;
import io.runnel.kernel.topic.Partition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sent by a cleaner thread to each shard: the shard copies what the cleaner may know of every
 * compacted log it owns ({@link PartitionLog#cleanableSegments}) and answers through the thread's
 * queue. The cleaner never touches a shard's objects itself.
 */
final class DescribeCompactedLogs implements ShardCommand
{
    /** One compacted log of the answering shard. */
    record Described(Partition partition, CleanableSegments view)
    {
    }

    /** The answer of one shard to one round. */
    record Answer(long round, int shardId, List<Described> logs)
    {
    }

    private static final Logger LOG = LoggerFactory.getLogger(DescribeCompactedLogs.class);

    private final long round;
    private final Queue<Object> replies;

    DescribeCompactedLogs(final long round, final Queue<Object> replies)
    {
        this.round = round;
        this.replies = replies;
    }

    @Override
    public void execute(final Shard shard)
    {
        final List<Described> logs = new ArrayList<>();
        final List<Partition> owned = shard.ownedPartitions();
        for (int i = 0, n = owned.size(); i < n; i++)
        {
            final Partition partition = owned.get(i);
            final PartitionLog log = partition.log();
            if (log != null && log.config().cleanupPolicy().compact())
            {
                try
                {
                    logs.add(new Described(partition, log.cleanableSegments()));
                }
                catch (final RuntimeException ex)
                {
                    LOG.error("{}: cannot describe the log for the cleaner; it is left out of this round", partition, ex);
                }
            }
        }
        replies.offer(new Answer(round, shard.id(), logs));
    }

    @Override
    public void onFailure(final Shard shard, final Throwable cause)
    {
        replies.offer(new Answer(round, shard.id(), List.of()));
    }
}
