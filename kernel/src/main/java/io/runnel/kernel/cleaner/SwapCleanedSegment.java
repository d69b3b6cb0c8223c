package io.runnel.kernel.cleaner;

import java.util.ArrayList;
import java.util.List;
import java.util.Queue;

import io.runnel.kernel.conductor.Conductor;
import io.runnel.kernel.log.CleanableSegments;
import io.runnel.kernel.log.PartitionLog;
import io.runnel.kernel.log.Segment;
import io.runnel.kernel.shard.Shard;
import io.runnel.kernel.shard.ShardCommand;
import io.runnel.kernel.topic.Partition;

/**
 * Sent by a cleaner thread to the shard that owns a log: replace exactly these old segments by
 * their compacted copy (its files named {@code .swap}), or refuse if the log no longer holds them
 * as they were (retention took some, the topic went away). Once swapped, the old segments go to
 * the conductor's retirement, which checkpoints, renames them {@code .deleted}, and then renames the
 * copy's files to their live names; a crash anywhere in between is finished by
 * {@link io.runnel.kernel.log.SwapRecovery} at the next load. The answer goes back through the
 * cleaner thread's queue.
 */
final class SwapCleanedSegment implements ShardCommand
{
    /** The owner's answer. */
    record Answer(SwapCleanedSegment command, boolean swapped)
    {
    }

    private final Partition partition;
    private final List<Segment> old;
    private final Segment replacement;
    private final Conductor conductor;
    private final Queue<Object> replies;
    /** Set once the log holds the replacement: a failure after that must not tell the cleaner to delete its files. */
    private boolean swapped;

    SwapCleanedSegment(final Partition partition, final List<CleanableSegments.Sealed> old, final Segment replacement,
        final Conductor conductor, final Queue<Object> replies)
    {
        this.partition = partition;
        this.old = new ArrayList<>(old.size());
        for (final CleanableSegments.Sealed segment : old)
        {
            this.old.add(segment.segment());
        }
        this.replacement = replacement;
        this.conductor = conductor;
        this.replies = replies;
    }

    @Override
    public void execute(final Shard shard)
    {
        final PartitionLog log = partition.log();
        if (log != null && shard.ownedPartitions().contains(partition) && log.replaceCleanedSegments(old, replacement))
        {
            swapped = true;
            conductor.retire(partition, old, log.config().fileDeleteDelayMs(), () -> replacement.renameFiles(""));
        }
        replies.offer(new Answer(this, swapped));
    }

    @Override
    public void onFailure(final Shard shard, final Throwable cause)
    {
        replies.offer(new Answer(this, swapped));
    }
}
