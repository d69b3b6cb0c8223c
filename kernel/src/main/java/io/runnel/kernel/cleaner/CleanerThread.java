package io.runnel.kernel.cleaner;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import io.runnel.kernel.log.CleanableSegments;
import io.runnel.kernel.log.Segment;
import io.runnel.kernel.shard.Shard;
import io.runnel.kernel.shard.ShardCommand;
import io.runnel.kernel.topic.Partition;
import org.agrona.concurrent.Agent;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One cleaner thread's duty cycle: ask every shard for its compacted logs, take the dirtiest one
 * no other cleaner thread is cleaning, clean it ({@link Cleaner}), checkpoint where the clean
 * stopped. Returns no work when nothing is worth cleaning, and the idle strategy then sleeps
 * log.cleaner.backoff.ms. Shards are only ever sent commands; their answers arrive in this
 * thread's queue.
 */
final class CleanerThread implements Agent
{
    private static final Logger LOG = LoggerFactory.getLogger(CleanerThread.class);
    /** How long to wait between polls of the answer queue. */
    private static final long POLL_PARK_NS = TimeUnit.MILLISECONDS.toNanos(1);
    /** A round whose shards have not all answered by then is given up (a shard that busy only delays the cleaner). */
    private static final long DESCRIBE_TIMEOUT_NS = TimeUnit.SECONDS.toNanos(30);

    /** Where a batch header holds maxTimestamp. */
    private static final int MAX_TIMESTAMP_OFFSET = 35;

    private final int id;
    private final LogCleaner cleaner;
    private final CleanerConfig config;
    private final Throttler throttler;
    /**
     * Allocated when the thread starts, as Kafka's cleaner allocates its map at start-up: zeroing
     * log.cleaner.dedupe.buffer.size (128 MiB by default) at the first clean, while the broker serves,
     * stalled the shards on a 2-core machine (50 MB/s produce p99.9 8.8 → 87 ms,
     * results/2026-12-02-50mbps-tail-bisect). Every broker with consumer groups has a compacted log.
     */
    private OffsetMap map;
    private Cleaner segmentCleaner;
    private final Queue<Object> replies = new ConcurrentLinkedQueue<>();
    private long round;

    CleanerThread(final int id, final LogCleaner cleaner, final CleanerConfig config, final Throttler throttler)
    {
        this.id = id;
        this.cleaner = cleaner;
        this.config = config;
        this.throttler = throttler;
    }

    @Override
    public void onStart()
    {
        map = new OffsetMap(config.dedupeBufferPerThread(), config.ioBufferLoadFactor());
        segmentCleaner = new Cleaner(map, config.ioBufferPerThread(), throttler, cleaner::isStopping);
    }

    @Override
    public int doWork()
    {
        if (cleaner.isStopping())
        {
            return 0;
        }
        final long describedAt = cleaner.cleansFinished();
        final List<DescribeCompactedLogs.Described> logs = describeAll();
        if (logs == null)
        {
            return 0;
        }
        final long nowMs = cleaner.clock().time();
        final List<LogToClean> cleanable = new ArrayList<>();
        for (final DescribeCompactedLogs.Described described : logs)
        {
            if (cleaner.isBackingOff(described.partition(), nowMs))
            {
                continue;
            }
            final LogToClean candidate = LogToClean.of(described.partition(), described.view(),
                cleaner.checkpoint().firstDirtyOffset(described.partition()), nowMs,
                cleaner.earliestDeleteHorizon(described.partition()), CleanerThread::firstBatchTimestamp);
            if (candidate.isCleanable())
            {
                cleanable.add(candidate);
            }
        }
        // The dirtiest first; a log another cleaner thread holds is passed over for the next one.
        cleanable.sort((a, b) -> Double.compare(b.dirtyRatio(), a.dirtyRatio()));
        LogToClean filthiest = null;
        for (final LogToClean candidate : cleanable)
        {
            if (cleaner.claim(candidate.partition(), describedAt))
            {
                filthiest = candidate;
                break;
            }
        }
        if (filthiest == null)
        {
            return 0;
        }
        try
        {
            clean(filthiest, nowMs);
        }
        finally
        {
            cleaner.release(filthiest.partition());
        }
        return 1;
    }

    private void clean(final LogToClean log, final long nowMs)
    {
        final long startNs = System.nanoTime();
        try
        {
            if (segmentCleaner == null)
            {
                map = new OffsetMap(config.dedupeBufferPerThread(), config.ioBufferLoadFactor());
                segmentCleaner = new Cleaner(map, config.ioBufferPerThread(), throttler, cleaner::isStopping);
            }
            final Cleaner.Outcome outcome = segmentCleaner.clean(log, nowMs, (old, replacement) -> swap(log.partition(), old, replacement));
            if (!outcome.completed())
            {
                cleaner.backOff(log.partition(), nowMs);
                return;
            }
            cleaner.onCleaned(log.partition(), outcome.firstDirtyOffset(), outcome.earliestDeleteHorizon());
            final double seconds = Math.max(1e-9, (System.nanoTime() - startNs) / 1e9);
            LOG.info("{}: cleaned offsets [{}, {}) in {} group(s), dirty ratio {}: {} of {} records kept, {} of {} bytes; {} MB/s read; map {} of {} slots",
                log.partition(), log.firstDirtyOffset(), outcome.firstDirtyOffset(), outcome.groups(),
                String.format("%.2f", log.dirtyRatio()), outcome.recordsRetained(), outcome.recordsRead(), outcome.bytesWritten(),
                outcome.bytesRead(), String.format("%.1f", outcome.bytesRead() / seconds / 1e6), map.size(), map.slots());
        }
        catch (final IOException | RuntimeException ex)
        {
            LOG.error("{}: clean failed; the log is left as it was and tried again later", log.partition(), ex);
            cleaner.backOff(log.partition(), nowMs);
        }
    }

    /** Asks every shard for its compacted logs; @return every answer, or null if stopping or a shard did not answer in time. */
    private List<DescribeCompactedLogs.Described> describeAll()
    {
        final long thisRound = ++round;
        final Shard[] shards = cleaner.shards();
        for (final Shard shard : shards)
        {
            if (!send(shard, new DescribeCompactedLogs(thisRound, replies)))
            {
                return null;
            }
        }
        final List<DescribeCompactedLogs.Described> logs = new ArrayList<>();
        int answers = 0;
        final long deadline = System.nanoTime() + DESCRIBE_TIMEOUT_NS;
        while (answers < shards.length)
        {
            final Object reply = replies.poll();
            if (reply instanceof DescribeCompactedLogs.Answer answer && answer.round() == thisRound)
            {
                logs.addAll(answer.logs());
                answers++;
            }
            else if (reply == null)
            {
                if (cleaner.isStopping() || System.nanoTime() - deadline > 0)
                {
                    return null;
                }
                LockSupport.parkNanos(POLL_PARK_NS);
            }
        }
        return logs;
    }

    /** Offers the cleaned group to its owner and waits for the answer, for as long as the cleaner runs. */
    private Cleaner.SwapAnswer swap(final Partition partition, final List<CleanableSegments.Sealed> old, final Segment replacement)
    {
        final SwapCleanedSegment command = new SwapCleanedSegment(partition, old, replacement, cleaner.conductor(), replies);
        if (!send(cleaner.shards()[partition.shard()], command))
        {
            return Cleaner.SwapAnswer.REFUSED;
        }
        while (true)
        {
            final Object reply = replies.poll();
            if (reply instanceof SwapCleanedSegment.Answer answer && answer.command() == command)
            {
                return answer.swapped() ? Cleaner.SwapAnswer.SWAPPED : Cleaner.SwapAnswer.REFUSED;
            }
            if (reply == null)
            {
                // Never delete the files while the command may still run: only a shutdown ends the wait.
                if (cleaner.isStopping())
                {
                    return Cleaner.SwapAnswer.UNKNOWN;
                }
                LockSupport.parkNanos(POLL_PARK_NS);
            }
        }
    }

    /** @return false if stopping before the shard's inbox took the command. */
    private boolean send(final Shard shard, final ShardCommand command)
    {
        while (!shard.offer(command))
        {
            if (cleaner.isStopping())
            {
                return false;
            }
            LockSupport.parkNanos(POLL_PARK_NS);
        }
        return true;
    }

    /** The max timestamp of a segment's first batch, read from its file; -1 if unreadable. */
    private static long firstBatchTimestamp(final CleanableSegments.Sealed segment)
    {
        final ByteBuffer header = ByteBuffer.allocate(MAX_TIMESTAMP_OFFSET + Long.BYTES);
        try (FileChannel channel = FileChannel.open(segment.logFile(), StandardOpenOption.READ))
        {
            while (header.hasRemaining())
            {
                if (channel.read(header, header.position()) < 0)
                {
                    return -1;
                }
            }
            return header.getLong(MAX_TIMESTAMP_OFFSET);
        }
        catch (final IOException ex)
        {
            return -1;
        }
    }

    @Override
    public void onClose()
    {
        if (map != null)
        {
            map.free();
        }
    }

    @Override
    public String roleName()
    {
        return "runnel-log-cleaner-" + id;
    }
}
