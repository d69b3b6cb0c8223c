package io.runnel.kernel.conductor;

import java.util.List;

import io.runnel.kernel.log.PartitionLog;
import io.runnel.kernel.log.Segment;
import io.runnel.kernel.shard.Shard;
import io.runnel.kernel.shard.ShardCommand;
import io.runnel.kernel.topic.Partition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sent by the conductor to every shard each {@code log.retention.check.interval.ms}: the shard
 * takes the expired segments out of each log it owns ({@link PartitionLog#removeExpiredSegments})
 * and hands them to the conductor's {@link SegmentRetirement}, which renames and later deletes
 * their files. The shard itself touches no file but its own logs' rolls.
 */
final class RetentionCheck implements ShardCommand
{
    private static final Logger LOG = LoggerFactory.getLogger(RetentionCheck.class);

    private final SegmentRetirement retirement;

    RetentionCheck(final SegmentRetirement retirement)
    {
        this.retirement = retirement;
    }

    @Override
    public void execute(final Shard shard)
    {
        final long nowMs = shard.clock().time();
        final List<Partition> owned = shard.ownedPartitions();
        for (int i = 0, n = owned.size(); i < n; i++)
        {
            final Partition partition = owned.get(i);
            final PartitionLog log = partition.log();
            if (log == null)
            {
                continue;
            }
            try
            {
                final List<Segment> expired = log.removeExpiredSegments(nowMs);
                if (!expired.isEmpty())
                {
                    LOG.info("{}: {} segment(s) past retention deleted; log start offset is now {}", partition, expired.size(),
                        log.logStartOffset());
                    retirement.retire(partition, expired, log.config().fileDeleteDelayMs(), null);
                }
            }
            catch (final RuntimeException ex)
            {
                LOG.error("{}: retention check failed; the next check tries again", partition, ex);
            }
        }
    }

    @Override
    public void onFailure(final Shard shard, final Throwable cause)
    {
        LOG.error("shard {}: retention check failed; the next check tries again", shard.id(), cause);
    }
}
