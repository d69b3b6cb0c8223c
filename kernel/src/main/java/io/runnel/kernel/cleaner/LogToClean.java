package io.runnel.kernel.cleaner;

import java.util.List;
import java.util.function.ToLongFunction;

import io.runnel.kernel.log.CleanableSegments;
import io.runnel.kernel.log.LogConfig;
import io.runnel.kernel.topic.Partition;

/**
 * One compacted log as a candidate for cleaning, measured as Kafka's {@code LogToClean} and
 * {@code LogCleanerManager} measure it: the clean part lies below the first dirty offset (the
 * checkpoint), the cleanable part from there up to the first uncleanable offset (the active
 * segment, or the first segment holding a record newer than min.compaction.lag.ms).
 *
 * @param partition              the partition
 * @param view                   what its owning shard said of its log
 * @param firstDirtyOffset       where the last clean stopped (the log start if never cleaned, or if out of range)
 * @param firstUncleanableOffset the cleaner reads no record at or above this
 * @param cleanBytes             bytes of the segments wholly below the first dirty offset
 * @param cleanableBytes         bytes of the segments from the first dirty offset to the first uncleanable one
 * @param needCompactionNow      a dirty record is older than max.compaction.lag.ms
 * @param deleteHorizonDue       a tombstone kept by an earlier clean has passed its delete horizon (KIP-534)
 */
record LogToClean(Partition partition, CleanableSegments view, long firstDirtyOffset, long firstUncleanableOffset, long cleanBytes,
    long cleanableBytes, boolean needCompactionNow, boolean deleteHorizonDue)
{
    /**
     * @param checkpointed        the first dirty offset from the cleaner's checkpoint, -1 if none
     * @param earliestHorizonMs   the earliest delete horizon the last clean left in the log, Long.MAX_VALUE if none
     * @param firstBatchTimestamp the max timestamp of a segment's first batch (read from its file), for max.compaction.lag.ms
     */
    static LogToClean of(final Partition partition, final CleanableSegments view, final long checkpointed, final long nowMs,
        final long earliestHorizonMs, final ToLongFunction<CleanableSegments.Sealed> firstBatchTimestamp)
    {
        final LogConfig config = view.config();
        final List<CleanableSegments.Sealed> segments = view.segments();
        // Out of range: the log was trimmed past it, or the topic was deleted and created again.
        final long firstDirty = checkpointed < view.logStartOffset() || checkpointed > view.firstUncleanableOffset() ?
            view.logStartOffset() : checkpointed;
        long firstUncleanable = view.firstUncleanableOffset();
        CleanableSegments.Sealed firstDirtySegment = null;
        for (final CleanableSegments.Sealed segment : segments)
        {
            if (segment.nextOffset() <= firstDirty)
            {
                continue;
            }
            if (firstDirtySegment == null)
            {
                firstDirtySegment = segment;
            }
            if (config.minCompactionLagMs() > 0 && segment.maxTimestamp() > nowMs - config.minCompactionLagMs())
            {
                firstUncleanable = Math.min(firstUncleanable, segment.baseOffset());
                break;
            }
        }
        long clean = 0;
        long cleanable = 0;
        for (final CleanableSegments.Sealed segment : segments)
        {
            if (segment.nextOffset() <= firstDirty)
            {
                clean += segment.size();
            }
            else if (segment.baseOffset() < firstUncleanable)
            {
                cleanable += segment.size();
            }
        }
        boolean needNow = false;
        if (config.maxCompactionLagMs() < Long.MAX_VALUE && firstDirtySegment != null && cleanable > 0)
        {
            final long earliest = firstBatchTimestamp.applyAsLong(firstDirtySegment);
            needNow = earliest >= 0 && earliest < nowMs - config.maxCompactionLagMs();
        }
        final boolean horizonDue = earliestHorizonMs <= nowMs && !segments.isEmpty();
        return new LogToClean(partition, view, firstDirty, firstUncleanable, clean, cleanable, needNow, horizonDue);
    }

    /** Share of the log that is cleanable, as Kafka's cleanableRatio. */
    double dirtyRatio()
    {
        final long total = cleanBytes + cleanableBytes;
        return total == 0 ? 0 : (double)cleanableBytes / total;
    }

    /**
     * Worth a clean now: dirtier than min.cleanable.dirty.ratio (strictly, as Kafka's
     * LogCleanerManager compares, so a ratio of 1.0 holds a log uncleaned), or a record waited too
     * long, or tombstones are due for removal.
     */
    boolean isCleanable()
    {
        return cleanableBytes > 0 && (dirtyRatio() > view.config().minCleanableDirtyRatio() || needCompactionNow) || deleteHorizonDue;
    }
}
