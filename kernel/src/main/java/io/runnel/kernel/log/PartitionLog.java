package io.runnel.kernel.log;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import io.runnel.codecs.batch.RecordBatch;
import io.runnel.kernel.producer.ProducerStateManager;
import io.runnel.kernel.threading.ShardThreads;
import org.agrona.concurrent.EpochClock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The log of one partition: an ordered set of segments of which the last is active. Appends
 * assign offsets by patching the batch header in place and write the producer's bytes unchanged;
 * reads resolve (offset, max bytes) to a {@link FileRegion}. Owned by one shard thread: nothing
 * here is synchronised, and only {@link PartitionState} is published to other threads.
 */
public final class PartitionLog implements AutoCloseable
{
    public enum AppendStatus
    {
        /** A replicated batch that does not start at this log's end (a follower's gap or overlap). */
        OFFSET_MISMATCH,
        APPENDED, DUPLICATE, OUT_OF_ORDER_SEQUENCE, INVALID_PRODUCER_EPOCH,
        /** The write failed (disk full, I/O error) or the partition is offline: nothing was appended. */
        STORAGE_ERROR
    }

    public enum ReadStatus
    {
        OK, OFFSET_OUT_OF_RANGE,
        /** The partition is offline after a failed write; see {@link #isOffline()}. */
        STORAGE_ERROR
    }

    /** ListOffsets sentinels, as on the wire. */
    public static final long LATEST_TIMESTAMP = -1L;
    public static final long EARLIEST_TIMESTAMP = -2L;
    public static final long MAX_TIMESTAMP = -3L;

    private static final Logger LOG = LoggerFactory.getLogger(PartitionLog.class);

    private final String name;
    private Path dir;
    private LogConfig config;
    private final EpochClock clock;
    private final PartitionState state;
    private final SegmentList segments = new SegmentList();
    private final ProducerStateManager producerState;
    private final RecordBatch headerFlyweight = new RecordBatch();
    private Segment active;
    private long logStartOffset;
    private long logEndOffset;
    private long highWatermark;
    /** Segment and byte position the high watermark falls in: readers never see bytes past it. */
    private Segment hwSegment;
    private int hwPosition;
    /** End of what is durable here (forced under the fsync policy, written under the page-cache one), and where it lies. */
    private long flushedOffset;
    private Segment flushedSegment;
    private int flushedPosition;
    /**
     * What replication lets readers see: the smallest log end offset of the in-sync replicas on a
     * leader, the leader's high watermark on a follower. Unbounded on a log nobody replicates, whose
     * high watermark is simply what is durable here.
     */
    private long replicaHighWatermark = Long.MAX_VALUE;
    /** The epoch a leader stamps on the batches it appends (0 on a single node). */
    private int leaderEpoch;
    private LeaderEpochCache epochCache;
    private boolean dirty;
    private long lastBaseOffset;
    /** Set when a write or fsync failed; the owning shard retries {@link #tryBringOnline()} until it clears. */
    private boolean offline;
    /** Producer state still names batches a failed fsync rolled back: rebuilt before the log comes back. */
    private boolean producerStateStale;
    /** Free bytes the log dir must have again before the log takes writes: what failed, and index room. */
    private long bytesNeededOnline;

    private PartitionLog(final String name, final Path dir, final LogConfig config, final EpochClock clock, final PartitionState state)
    {
        this.name = name;
        this.dir = dir;
        this.config = config;
        this.clock = clock;
        this.state = state;
        this.producerState = new ProducerStateManager(dir);
    }

    /**
     * Opens (or creates) the log in {@code dir}. After an unclean shutdown the active segment is
     * recovered: every batch checked, a torn or corrupt tail truncated, indexes rebuilt; producer
     * state is then rebuilt from the newest snapshot plus the log after it.
     */
    public static PartitionLog open(final String name, final Path dir, final LogConfig config, final EpochClock clock,
        final PartitionState state, final boolean cleanShutdown)
    {
        return open(name, dir, config, clock, state, cleanShutdown, -1);
    }

    /**
     * As {@link #open(String, Path, LogConfig, EpochClock, PartitionState, boolean)}, with the log
     * start offset last checkpointed for it (-1 if none): the log starts there, or at its first
     * segment if that is later, and segments wholly below it (a deletion a crash cut short) are
     * deleted now.
     */
    public static PartitionLog open(final String name, final Path dir, final LogConfig config, final EpochClock clock,
        final PartitionState state, final boolean cleanShutdown, final long checkpointedLogStart)
    {
        ShardThreads.refuseOnShardThread("opening partition log " + name);
        final PartitionLog log = new PartitionLog(name, dir, config, clock, state);
        log.load(cleanShutdown, checkpointedLogStart);
        return log;
    }

    private void load(final boolean cleanShutdown, final long checkpointedLogStart)
    {
        final long now = clock.time();
        final List<Long> baseOffsets = new ArrayList<>();
        try
        {
            Files.createDirectories(dir);
            SwapRecovery.recover(dir, config, now);
            try (var files = Files.newDirectoryStream(dir))
            {
                for (final Path file : files)
                {
                    final String fileName = file.getFileName().toString();
                    if (fileName.endsWith(".tmp") || fileName.endsWith(Segment.DELETED_SUFFIX))
                    {
                        Files.deleteIfExists(file);
                    }
                    else if (fileName.endsWith(".log"))
                    {
                        baseOffsets.add(Long.parseLong(fileName.substring(0, fileName.length() - 4)));
                    }
                }
            }
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot open log " + dir, ex);
        }
        baseOffsets.sort(Long::compare);
        epochCache = LeaderEpochCache.load(dir);
        for (int i = 0; i < baseOffsets.size(); i++)
        {
            final boolean last = i == baseOffsets.size() - 1;
            segments.append(Segment.open(dir, baseOffsets.get(i), config, last, now, last && !cleanShutdown));
        }
        if (segments.isEmpty())
        {
            segments.append(Segment.create(dir, 0, config, now));
        }
        active = segments.last();
        if (!cleanShutdown)
        {
            final int truncated = active.recover();
            if (truncated > 0)
            {
                LOG.warn("{}: recovery truncated {} bytes of torn or corrupt batches{} at the end of segment {}; log end offset is now {}",
                    name, truncated, config.preallocate() ? " or unused preallocated space" : "", active.baseOffset(), active.nextOffset());
            }
        }
        logEndOffset = active.nextOffset();
        logStartOffset = Math.min(Math.max(segments.first().baseOffset(), checkpointedLogStart), logEndOffset);
        for (final Segment below : removeSegmentsBelowLogStart())
        {
            below.closeAndDelete();
        }
        rebuildProducerState();
        epochCache.truncateFromEnd(logEndOffset);
        markFlushed();
    }

    private void rebuildProducerState()
    {
        final long snapshotOffset = producerState.loadSnapshot(logEndOffset);
        final long replayFrom = Math.max(snapshotOffset, logStartOffset);
        for (int i = segments.floorIndex(replayFrom); i < segments.size(); i++)
        {
            final Segment segment = segments.get(i);
            int position = segment.positionOf(replayFrom, segment.size());
            while (position >= 0 && position < segment.size())
            {
                final RecordBatch header = segment.headerAt(position, headerFlyweight);
                if (header == null)
                {
                    break;
                }
                if (header.baseOffset() >= replayFrom)
                {
                    producerState.onAppend(header);
                }
                position += header.sizeInBytes();
            }
        }
    }

    /**
     * Appends one validated batch whose bytes lie between {@code bytes}' position and limit and
     * whose header {@code batch} wraps. On {@link AppendStatus#APPENDED} or
     * {@link AppendStatus#DUPLICATE} the batch's base offset is {@link #lastBaseOffset()}.
     */
    public AppendStatus append(final RecordBatch batch, final ByteBuffer bytes)
    {
        if (offline)
        {
            return AppendStatus.STORAGE_ERROR;
        }
        switch (producerState.check(batch))
        {
            case DUPLICATE:
                lastBaseOffset = producerState.duplicateOffset();
                return AppendStatus.DUPLICATE;
            case OUT_OF_ORDER_SEQUENCE:
                return AppendStatus.OUT_OF_ORDER_SEQUENCE;
            case INVALID_EPOCH:
                return AppendStatus.INVALID_PRODUCER_EPOCH;
            default:
                break;
        }
        final long baseOffset = logEndOffset;
        batch.assignOffsetAndEpoch(baseOffset, leaderEpoch);
        if (!write("an append", batch, bytes))
        {
            return AppendStatus.STORAGE_ERROR;
        }
        producerState.onAppend(batch);
        logEndOffset = batch.lastOffset() + 1;
        lastBaseOffset = baseOffset;
        afterAppend();
        return AppendStatus.APPENDED;
    }

    /**
     * A follower's append of a batch as its leader stored it: offsets and leader epoch are kept,
     * the bytes are not touched, and the batch must start at this log's end (else
     * {@link AppendStatus#OFFSET_MISMATCH}, nothing appended). The leader checked sequences and
     * epochs; producer state only records the batch, so that a follower made leader deduplicates
     * as its leader did.
     */
    public AppendStatus appendReplicated(final RecordBatch batch, final ByteBuffer bytes)
    {
        if (offline)
        {
            return AppendStatus.STORAGE_ERROR;
        }
        if (batch.baseOffset() != logEndOffset)
        {
            return AppendStatus.OFFSET_MISMATCH;
        }
        if (!write("a replicated append", batch, bytes))
        {
            return AppendStatus.STORAGE_ERROR;
        }
        producerState.onAppend(batch);
        lastBaseOffset = batch.baseOffset();
        logEndOffset = batch.lastOffset() + 1;
        afterAppend();
        return AppendStatus.APPENDED;
    }

    /**
     * Writes a batch whose offsets and epoch are assigned to the active segment (rolled first if due),
     * starting its epoch in the checkpoint if it is a new one. On failure nothing past the last whole
     * batch counts: the state is as before, the file is cut back to it, and the log goes offline.
     */
    private boolean write(final String what, final RecordBatch batch, final ByteBuffer bytes)
    {
        final int length = bytes.remaining();
        try
        {
            maybeRoll(length);
            epochCache.onAppend(batch.partitionLeaderEpoch(), batch.baseOffset());
            active.append(bytes, batch.lastOffset(), batch.maxTimestamp());
            return true;
        }
        catch (final UncheckedIOException ex)
        {
            takeOffline(what, ex, length + (config.preallocate() ? Segment.PREALLOCATE_CHUNK_BYTES : 0), logEndOffset);
            active.truncateTail();
            return false;
        }
    }

    private void afterAppend()
    {
        if (config.flushPolicy() == FlushPolicy.PAGE_CACHE)
        {
            markFlushed();
        }
        else
        {
            dirty = true;
            state.update(logStartOffset, logEndOffset, highWatermark);
        }
    }

    /**
     * This log's leader epoch from now on: batches appended as leader carry it, and the first of
     * them starts the epoch in the leader epoch checkpoint. Owner thread only.
     */
    public void leaderEpoch(final int epoch)
    {
        leaderEpoch = epoch;
    }

    public int leaderEpoch()
    {
        return leaderEpoch;
    }

    /** Where {@code epoch} ends in this log (OffsetForLeaderEpoch); see {@link LeaderEpochCache#endOffsetFor}. */
    public void endOffsetForEpoch(final int epoch, final long[] out)
    {
        epochCache.endOffsetFor(epoch, logEndOffset, out);
    }

    /** The newest leader epoch of a batch in this log, or -1. */
    public int latestEpoch()
    {
        return epochCache.latestEpoch();
    }

    /**
     * At start-up, a replicated log's high watermark as last checkpointed: it starts there (never
     * below the log start, never above what is durable here), not at the local log end, which may
     * hold what no other replica has; replication moves it on. Before the log is handed to its shard.
     */
    public void restrictHighWatermark(final long checkpointed)
    {
        final long target = Math.max(logStartOffset, Math.min(checkpointed, flushedOffset));
        replicaHighWatermark = target;
        if (target >= highWatermark)
        {
            advanceHighWatermark();
            return;
        }
        placeHighWatermark(target);
        state.update(logStartOffset, logEndOffset, highWatermark);
    }

    /**
     * Replication's bound on what readers see (see {@link #replicaHighWatermark}): the high
     * watermark becomes the smaller of it and what is durable here, and never moves back.
     * {@link Long#MAX_VALUE} lifts the bound. Owner thread only.
     *
     * @return true if the high watermark moved
     */
    public boolean replicaHighWatermark(final long offset)
    {
        replicaHighWatermark = offset;
        return advanceHighWatermark();
    }

    /**
     * A follower whose log ends below its leader's log start (it was away while retention or
     * DeleteRecords trimmed the leader) cannot catch up from where it is: every segment goes and the
     * log starts again, empty, at {@code offset}, as Kafka's truncateFullyAndStartAt. Owner thread only.
     */
    public void truncateFullyAndStartAt(final long offset)
    {
        truncateFullyAndStartAt(offset, offset);
    }

    /**
     * As {@link #truncateFullyAndStartAt(long)}, with the first segment at {@code baseOffset} and the
     * log start at {@code logStart} inside it: the leader's log starts in the middle of a batch (after
     * DeleteRecords), and a follower stores that batch whole, from its base offset.
     */
    public void truncateFullyAndStartAt(final long baseOffset, final long logStart)
    {
        if (logStart < baseOffset || baseOffset <= logEndOffset && logStartOffset != logEndOffset)
        {
            throw new IllegalArgumentException(name + ": cannot start again at " + baseOffset + " (log start " + logStart
                + ") with offsets " + logStartOffset + "-" + logEndOffset + " in it");
        }
        final List<Segment> dropped = new ArrayList<>(segments);
        segments.removeAll();
        for (final Segment segment : dropped)
        {
            segment.closeAndDelete();
        }
        final Segment fresh = Segment.create(dir, baseOffset, config, clock.time());
        segments.append(fresh);
        final long offset = baseOffset;
        active = fresh;
        logStartOffset = logStart;
        logEndOffset = offset;
        lastBaseOffset = offset;
        // No batch is left, so no epoch: the next fetch names none, and the leader's batches bring theirs.
        epochCache.clear();
        producerState.clear();
        highWatermark = offset;
        hwSegment = active;
        hwPosition = 0;
        LOG.info("{}: emptied to start again at offset {} (log start {}), as its leader's log does", name, offset, logStart);
        markFlushed();
    }

    /**
     * A follower's divergent tail goes (its leader's log ends that epoch at {@code offset}): every
     * batch at or after {@code offset} is dropped, with the segments past it, and producer state and
     * epochs are rebuilt to match. The high watermark never stays past the new end. Owner thread only.
     */
    public void truncateTo(final long offset)
    {
        if (offset >= logEndOffset)
        {
            return;
        }
        final long target = Math.max(offset, logStartOffset);
        while (segments.size() > 1 && segments.last().baseOffset() >= target && segments.last().baseOffset() > logStartOffset)
        {
            final Segment dropped = segments.last();
            segments.removeLast();
            dropped.closeAndDelete();
        }
        active = segments.last();
        active.truncateTo(target);
        logEndOffset = active.nextOffset();
        epochCache.truncateFromEnd(logEndOffset);
        // Snapshots past the new end are deleted as the state is loaded again.
        rebuildProducerState();
        if (highWatermark >= logEndOffset)
        {
            highWatermark = logEndOffset;
            hwSegment = active;
            hwPosition = active.size();
        }
        LOG.info("{}: truncated to offset {} to match its leader", name, logEndOffset);
        markFlushed();
    }

    public long lastBaseOffset()
    {
        return lastBaseOffset;
    }

    /**
     * Retention: takes out of this log the oldest segments that are wholly below the log start
     * offset or, under cleanup.policy delete, past retention.ms (their newest timestamp, or the
     * file's modification time if they have none, is older) or beyond retention.bytes, and moves
     * the log start offset past them, as Kafka's deleteOldSegments does. A segment with offsets at
     * or above the high watermark is never taken. When every segment qualifies, the active one is
     * rolled first, so the log keeps an empty active segment at its end. The caller retires the
     * returned segments (renamed, deleted later): reads in flight may still use them. Owner thread only.
     */
    public List<Segment> removeExpiredSegments(final long nowMs)
    {
        int expired = firstSegmentAtOrAboveLogStart();
        if (config.cleanupPolicy().delete())
        {
            if (config.retentionMs() >= 0)
            {
                while (expired < segments.size() && isWhollyCommitted(segments.get(expired)) &&
                    nowMs - newestTimestamp(segments.get(expired)) > config.retentionMs())
                {
                    expired++;
                }
            }
            if (config.retentionBytes() >= 0)
            {
                long excess = sizeInBytes() - config.retentionBytes();
                for (int i = 0; i < expired; i++)
                {
                    excess -= segments.get(i).size();
                }
                while (expired < segments.size() && isWhollyCommitted(segments.get(expired)) && excess - segments.get(expired).size() >= 0)
                {
                    excess -= segments.get(expired).size();
                    expired++;
                }
            }
        }
        if (expired == segments.size())
        {
            if (active.size() > 0 && !dirty)
            {
                roll();
                markFlushed();
            }
            else
            {
                expired--;
            }
        }
        return removeFirst(expired);
    }

    /**
     * DeleteRecords: every offset below {@code offset} is deleted: the log start offset moves there
     * (never back, never past the high watermark) and the segments wholly below it are taken out of
     * the log for the caller to retire. Owner thread only.
     *
     * @return the segments taken out, or null if {@code offset} is above the high watermark.
     */
    public List<Segment> deleteRecordsBefore(final long offset)
    {
        if (offset > highWatermark)
        {
            return null;
        }
        if (offset > logStartOffset)
        {
            logStartOffset = offset;
            epochCache.truncateFromStart(logStartOffset);
            state.update(logStartOffset, logEndOffset, highWatermark);
        }
        return removeSegmentsBelowLogStart();
    }

    private List<Segment> removeSegmentsBelowLogStart()
    {
        return removeFirst(firstSegmentAtOrAboveLogStart());
    }

    /** Index of the segment that holds the log start offset: every segment before it is below it. */
    private int firstSegmentAtOrAboveLogStart()
    {
        int below = 0;
        while (below < segments.size() - 1 && segments.get(below + 1).baseOffset() <= logStartOffset)
        {
            below++;
        }
        return below;
    }

    private List<Segment> removeFirst(final int count)
    {
        if (count <= 0)
        {
            return List.of();
        }
        final List<Segment> removed = new ArrayList<>(segments.subList(0, count));
        segments.removeFirst(count);
        logStartOffset = Math.max(logStartOffset, segments.first().baseOffset());
        epochCache.truncateFromStart(logStartOffset);
        state.update(logStartOffset, logEndOffset, highWatermark);
        return removed;
    }

    /**
     * Compaction: a copy of what the cleaner may rewrite, the sealed segments wholly below the high
     * watermark (see {@link CleanableSegments}). Owner thread only.
     */
    public CleanableSegments cleanableSegments()
    {
        final List<CleanableSegments.Sealed> sealed = new ArrayList<>();
        int i = 0;
        for (; i < segments.size() - 1; i++)
        {
            final Segment segment = segments.get(i);
            if (segment.nextOffset() > highWatermark || segment == hwSegment)
            {
                break;
            }
            sealed.add(new CleanableSegments.Sealed(segment, segment.baseOffset(), segment.nextOffset(), segment.size(),
                segment.logFile(), segment.maxTimestamp()));
        }
        final java.util.Map<Long, Long> producers = new java.util.HashMap<>();
        producerState.forEachProducer(entry ->
        {
            if (entry.lastOffset() >= 0)
            {
                producers.put(entry.producerId(), entry.lastOffset());
            }
        });
        return new CleanableSegments(logStartOffset, segments.get(i).baseOffset(), sealed, producers, config);
    }

    /**
     * Compaction's swap: replaces {@code old}, if this log still holds exactly those segments in a
     * row and none of them is active or holds the high watermark, by {@code replacement}, their
     * compacted copy starting at the same base offset and ending at the same next offset. The
     * caller retires {@code old} (reads in flight may still use them). Owner thread only.
     *
     * @return false, changing nothing, if the log no longer holds {@code old} as it was.
     */
    public boolean replaceCleanedSegments(final List<Segment> old, final Segment replacement)
    {
        if (old.isEmpty())
        {
            return false;
        }
        final int from = segments.indexOf(old.get(0));
        if (from < 0 || from + old.size() >= segments.size())
        {
            return false;
        }
        for (int k = 0; k < old.size(); k++)
        {
            final Segment segment = segments.get(from + k);
            if (segment != old.get(k) || segment == hwSegment)
            {
                return false;
            }
        }
        if (replacement.baseOffset() != old.get(0).baseOffset() || replacement.nextOffset() != old.get(old.size() - 1).nextOffset())
        {
            return false;
        }
        segments.replace(from, old.size(), replacement);
        return true;
    }

    private boolean isWhollyCommitted(final Segment segment)
    {
        return segment.nextOffset() <= highWatermark && segment.nextOffset() > segment.baseOffset();
    }

    private static long newestTimestamp(final Segment segment)
    {
        return segment.maxTimestamp() >= 0 ? segment.maxTimestamp() : segment.lastModifiedMs();
    }

    /** Bytes of every segment of this log. */
    public long sizeInBytes()
    {
        long bytes = 0;
        for (int i = 0; i < segments.size(); i++)
        {
            bytes += segments.get(i).size();
        }
        return bytes;
    }

    private void maybeRoll(final int incomingBytes)
    {
        final boolean full = (long)active.size() + incomingBytes > config.segmentBytes();
        final boolean old = clock.time() - active.createdMs() >= config.segmentMs();
        if (active.size() > 0 && (full || old || active.isIndexFull()))
        {
            roll();
        }
    }

    /**
     * Seals the active segment and starts a new one at the log end offset. Under the fsync policy
     * the segment is forced first, so what waits for a group commit is always in the active
     * segment alone (a failed fsync rolls back only there). Each step that can fail (fsync,
     * snapshot, new files on a full disk) comes before the log changes, so a failure leaves the
     * log as it was and the next append tries again.
     *
     * @throws UncheckedIOException if a file cannot be written or created
     */
    public void roll()
    {
        if (config.flushPolicy() == FlushPolicy.FSYNC && dirty)
        {
            flushIfDirty();
            if (offline)
            {
                throw new UncheckedIOException(new IOException("fsync before rolling " + name + " failed"));
            }
        }
        producerState.takeSnapshot(logEndOffset);
        final Segment next = Segment.create(dir, logEndOffset, config, clock.time());
        try
        {
            active.seal();
        }
        catch (final UncheckedIOException ex)
        {
            // Its empty files must not outlive the failed roll: a later start would take them for the log's end.
            next.closeAndDelete();
            throw ex;
        }
        active = next;
        segments.append(active);
    }

    /**
     * Group commit: forces what was appended since the last flush, then exposes it to readers. If
     * the fsync fails, what it covered is rolled back (its acknowledgements see it is not below the
     * high watermark, see {@link #isCommitted}) and the log goes offline.
     *
     * @return true if there was something to flush
     */
    public boolean flushIfDirty()
    {
        if (!dirty)
        {
            return false;
        }
        try
        {
            active.flush();
        }
        catch (final UncheckedIOException ex)
        {
            takeOffline("an fsync", ex, active.size() - (flushedSegment == active ? flushedPosition : 0), flushedOffset);
            rollBackToHighWatermark();
            return true;
        }
        markFlushed();
        return true;
    }

    /**
     * After a failed fsync nothing past the high watermark may be trusted (Linux may have dropped
     * the dirty pages): the log end goes back to it, in memory and in the file, and producer state
     * forgets the batches, so an idempotent producer's retry is appended again, not taken for a duplicate.
     */
    private void rollBackToHighWatermark()
    {
        final int position = flushedSegment == active ? flushedPosition : 0;
        active.rollBackTo(position, flushedOffset);
        logEndOffset = flushedOffset;
        dirty = false;
        producerStateStale = true;
        state.update(logStartOffset, logEndOffset, highWatermark);
        tryRebuildProducerState();
    }

    private void tryRebuildProducerState()
    {
        try
        {
            rebuildProducerState();
            producerStateStale = false;
        }
        catch (final UncheckedIOException ex)
        {
            LOG.debug("{}: producer state not rebuilt yet", name, ex);
        }
    }

    /** The one log line of a partition going offline. */
    private void takeOffline(final String what, final UncheckedIOException ex, final long bytesFailed, final long logEndAfter)
    {
        bytesNeededOnline = Math.max(bytesNeededOnline, Math.max(bytesFailed, 0) + 2L * MappedIndex.BACKING_CHUNK_BYTES);
        if (offline)
        {
            return;
        }
        offline = true;
        state.offline(true);
        LOG.error("{}: {} failed, partition offline (produce, fetch and ListOffsets answer KAFKA_STORAGE_ERROR until it "
            + "recovers); log end offset is {}: {}", name, what, logEndAfter, describe(ex));
    }

    private static String describe(final UncheckedIOException ex)
    {
        final Throwable cause = ex.getCause() != null ? ex.getCause() : ex;
        return ex.getMessage() + " (" + cause + ")";
    }

    /**
     * The owning shard's retry of an offline log: cuts a torn tail back to the last whole batch,
     * rebuilds producer state if a rollback left it stale, and takes writes again once the log
     * dir has room for what failed (a full disk stays offline quietly until space is freed; an
     * I/O error shows again on the next write). Owner thread only.
     *
     * @return true if the log is online
     */
    public boolean tryBringOnline()
    {
        if (!offline)
        {
            return true;
        }
        if (!active.truncateTail())
        {
            return false;
        }
        if (producerStateStale)
        {
            tryRebuildProducerState();
            if (producerStateStale)
            {
                return false;
            }
        }
        if (dir.toFile().getUsableSpace() < bytesNeededOnline)
        {
            return false;
        }
        offline = false;
        bytesNeededOnline = 0;
        state.offline(false);
        LOG.info("{}: back online, taking writes at offset {}", name, logEndOffset);
        return true;
    }

    /** True after a failed write or fsync, until {@link #tryBringOnline()} succeeds. */
    public boolean isOffline()
    {
        return offline;
    }

    /**
     * True if {@code offset} is below the high watermark: an acknowledgement that waited for a
     * group commit checks this, since a failed fsync rolls its batch back.
     */
    public boolean isCommitted(final long offset)
    {
        return offset < highWatermark;
    }

    /**
     * True if {@code offset} is durable here (what acks=1 waits for): below the flushed end, which a
     * failed fsync rolls back.
     */
    public boolean isFlushed(final long offset)
    {
        return offset < flushedOffset;
    }

    /** End of what is durable on this replica: what it reports to its leader, what the leader counts for itself. */
    public long flushedOffset()
    {
        return flushedOffset;
    }

    private void markFlushed()
    {
        dirty = false;
        flushedOffset = logEndOffset;
        flushedSegment = active;
        flushedPosition = active.size();
        if (!advanceHighWatermark())
        {
            state.update(logStartOffset, logEndOffset, highWatermark);
        }
    }

    /** The high watermark at {@code target}, a batch boundary, and the segment and byte position readers stop at. */
    private void placeHighWatermark(final long target)
    {
        final Segment segment = segments.get(segments.floorIndex(target));
        final int position = segment.positionOf(target, segment.size());
        highWatermark = target;
        hwSegment = segment;
        hwPosition = position < 0 ? segment.size() : position;
    }

    /** The high watermark moves up to min(flushed end, replication's bound), at a batch boundary. */
    private boolean advanceHighWatermark()
    {
        final long target = Math.min(flushedOffset, replicaHighWatermark);
        if (target == flushedOffset)
        {
            if (hwSegment == flushedSegment && hwPosition == flushedPosition && highWatermark == flushedOffset)
            {
                return false;
            }
            highWatermark = flushedOffset;
            hwSegment = flushedSegment;
            hwPosition = flushedPosition;
        }
        else if (target > highWatermark || hwSegment == null)
        {
            // Replicas acknowledge whole batches, so the target is a batch boundary below the flushed end.
            placeHighWatermark(target);
        }
        else
        {
            return false;
        }
        state.update(logStartOffset, logEndOffset, highWatermark);
        return true;
    }

    /**
     * Resolves a fetch at {@code offset} to file bytes: from the batch that holds the offset, up to
     * {@code maxBytes} (but always the whole first batch, so a consumer can make progress) and
     * never past the high watermark. An empty region means the offset is the high watermark.
     */
    public ReadStatus read(final long offset, final int maxBytes, final FileRegion region)
    {
        return read(offset, maxBytes, region, highWatermark, hwSegment, hwPosition);
    }

    /**
     * A leader's read for a follower: as {@link #read}, but up to the log end, past the high
     * watermark, since the high watermark moves only once followers have what lies beyond it.
     */
    public ReadStatus readForReplica(final long offset, final int maxBytes, final FileRegion region)
    {
        return read(offset, maxBytes, region, logEndOffset, active, active.size());
    }

    private ReadStatus read(final long offset, final int maxBytes, final FileRegion region, final long endOffset,
        final Segment endSegment, final int endPosition)
    {
        region.clear();
        if (offline)
        {
            return ReadStatus.STORAGE_ERROR;
        }
        // Out of range is outside the log, as in Kafka, not past the high watermark: a new leader's
        // high watermark can lag the offsets its predecessor let consumers read, and a consumer
        // there must wait for it (an empty answer), not be reset to auto.offset.reset.
        if (offset < logStartOffset || offset > logEndOffset)
        {
            return ReadStatus.OFFSET_OUT_OF_RANGE;
        }
        if (offset >= endOffset || maxBytes <= 0)
        {
            return ReadStatus.OK;
        }
        for (int i = segments.floorIndex(offset); i < segments.size(); i++)
        {
            final Segment segment = segments.get(i);
            if (segment.baseOffset() > endSegment.baseOffset())
            {
                break;
            }
            final int end = segment == endSegment ? endPosition : segment.size();
            final int position = segment.positionOf(offset, end);
            if (position >= 0)
            {
                final int firstBatch = segment.lastFoundBatchSize();
                final int length = Math.min(end - position, Math.max(maxBytes, firstBatch));
                region.set(segment.channel(), position, length, firstBatch);
                return ReadStatus.OK;
            }
        }
        return ReadStatus.OK;
    }

    /**
     * ListOffsets: fills {@code out} with (offset, timestamp) for a timestamp or one of the
     * sentinels; offset -1 when no record is at or after the timestamp.
     */
    public void offsetForTimestamp(final long timestamp, final long[] out)
    {
        out[1] = -1;
        if (timestamp == LATEST_TIMESTAMP)
        {
            out[0] = highWatermark;
            return;
        }
        if (timestamp == EARLIEST_TIMESTAMP)
        {
            out[0] = logStartOffset;
            return;
        }
        if (timestamp == MAX_TIMESTAMP)
        {
            // The answer must be readable: under the fsync policy, commit what this cycle appended first.
            flushIfDirty();
            maxTimestampOffset(out);
            return;
        }
        out[0] = -1;
        for (final Segment segment : segments)
        {
            if (segment.maxTimestamp() < timestamp)
            {
                continue;
            }
            final long scanFrom = segment.timeIndexScanStart(timestamp);
            int position = segment.positionOf(scanFrom, segment.size());
            while (position >= 0 && position < segment.size())
            {
                final RecordBatch header = segment.headerAt(position, headerFlyweight);
                if (header == null || header.baseOffset() >= highWatermark)
                {
                    return;
                }
                final int size = header.sizeInBytes();
                if (header.maxTimestamp() >= timestamp)
                {
                    final ByteBuffer bytes = segment.readBatch(position);
                    if (bytes != null && RecordLookup.firstAtOrAfter(bytes, timestamp, out))
                    {
                        return;
                    }
                }
                position += size;
            }
        }
    }

    private void maxTimestampOffset(final long[] out)
    {
        Segment best = null;
        for (final Segment segment : segments)
        {
            if (segment.maxTimestamp() >= 0 && (best == null || segment.maxTimestamp() > best.maxTimestamp()))
            {
                best = segment;
            }
        }
        out[0] = -1;
        if (best == null)
        {
            return;
        }
        final int position = best.positionOf(best.offsetOfMaxTimestamp(), best.size());
        final ByteBuffer bytes = position < 0 ? null : best.readBatch(position);
        if (bytes != null)
        {
            RecordLookup.maxTimestamp(bytes, out);
        }
    }

    /** The segment appends go to. Owner thread only. */
    Segment activeSegment()
    {
        return active;
    }

    public String name()
    {
        return name;
    }

    public Path dir()
    {
        return dir;
    }

    public LogConfig config()
    {
        return config;
    }

    /**
     * Applies new settings (a topic's or the broker's configs changed at run time). They take effect
     * from the next append, roll and retention check; segments already written stay as they are.
     * Owner thread only.
     */
    public void reconfigure(final LogConfig newConfig)
    {
        this.config = newConfig;
    }

    public PartitionState state()
    {
        return state;
    }

    public long logStartOffset()
    {
        return logStartOffset;
    }

    public long logEndOffset()
    {
        return logEndOffset;
    }

    public long highWatermark()
    {
        return highWatermark;
    }

    public int segmentCount()
    {
        return segments.size();
    }

    public ProducerStateManager producerState()
    {
        return producerState;
    }

    /**
     * Clean close: flushes, snapshots producer state and trims indexes so the next start can skip
     * recovery. An offline log gets one more try at cutting a torn tail; if that fails, the next
     * start finds the tail does not parse and recovers the segment anyway.
     */
    @Override
    public void close()
    {
        if (offline)
        {
            active.truncateTail();
        }
        // On a failing disk every file is still closed; the first failure is thrown after.
        UncheckedIOException failure = null;
        for (final Segment segment : segments)
        {
            try
            {
                segment.flush();
            }
            catch (final UncheckedIOException ex)
            {
                failure = failure == null ? ex : failure;
            }
        }
        if (producerStateStale)
        {
            tryRebuildProducerState();
        }
        if (!producerStateStale && failure == null)
        {
            // A stale state would name rolled-back batches; without a snapshot the next start replays the log.
            try
            {
                producerState.takeSnapshot(logEndOffset);
            }
            catch (final UncheckedIOException ex)
            {
                failure = ex;
            }
        }
        for (final Segment segment : segments)
        {
            try
            {
                segment.close();
            }
            catch (final UncheckedIOException ex)
            {
                failure = failure == null ? ex : failure;
            }
        }
        if (failure != null)
        {
            throw failure;
        }
    }

    /**
     * Renames the log's directory (a deleted topic's partition waits under a new name until its
     * files are removed, so a new topic of the same name can be created at once). Open files,
     * mappings and regions already handed out are unaffected. Not on a shard thread; the log must
     * no longer be owned by one.
     */
    public void moveTo(final Path newDir)
    {
        ShardThreads.refuseOnShardThread("renaming partition log " + name);
        try
        {
            Files.move(dir, newDir, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot rename " + dir + " to " + newDir, ex);
        }
        dir = newDir;
        epochCache.relocate(newDir);
        for (final Segment segment : segments)
        {
            segment.relocate(newDir);
        }
    }

    /** Closes and removes every file of the log (topic deletion). */
    public void closeAndDelete()
    {
        ShardThreads.refuseOnShardThread("deleting partition log " + name);
        for (final Segment segment : segments)
        {
            segment.closeAndDelete();
        }
        try (var files = Files.newDirectoryStream(dir))
        {
            for (final Path file : files)
            {
                Files.deleteIfExists(file);
            }
            Files.deleteIfExists(dir);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot delete " + dir, ex);
        }
    }
}
