package io.runnel.kernel.log;

/**
 * The few facts about a partition that threads other than its owner may read without asking:
 * written only by the owning shard, read by any (long-poll wake-ups, Metadata, ListOffsets latest).
 */
public final class PartitionState
{
    private volatile long logStartOffset;
    private volatile long logEndOffset;
    private volatile long highWatermark;
    private volatile boolean offline;

    public long logStartOffset()
    {
        return logStartOffset;
    }

    public long logEndOffset()
    {
        return logEndOffset;
    }

    /** Offsets below this are committed and visible to consumers. */
    public long highWatermark()
    {
        return highWatermark;
    }

    /**
     * True while the partition's log is offline after a failed write: Metadata reports it as an
     * offline replica with KAFKA_STORAGE_ERROR.
     */
    public boolean isOffline()
    {
        return offline;
    }

    void offline(final boolean isOffline)
    {
        offline = isOffline;
    }

    void update(final long logStart, final long logEnd, final long hw)
    {
        logStartOffset = logStart;
        logEndOffset = logEnd;
        highWatermark = hw;
    }
}
