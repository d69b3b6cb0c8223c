package io.runnel.kernel.log;

import java.io.IOException;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Under the page-cache flush policy, has the kernel write appended log data back a few MiB at a
 * time, from a thread of its own, instead of leaving it all to the kernel's flusher.
 *
 * <p>Why: Linux writes back dirty pages once they are {@code vm.dirty_expire_centisecs} (30 s)
 * old. A broker that has taken 30 s of appends then gets all of them written back at once, and
 * while ext4 allocates their blocks a shard's {@code pwrite} into the same file waits: 60-450 ms
 * stalls, one per run, 30-36 s after a 50 MB/s load starts
 * (results/2026-12-04-50mbps-writeback-stall). Forcing each active segment's data every
 * {@code thresholdBytes} keeps each writeback, and so each wait, small.
 *
 * <p>This changes no acknowledgement: under the page-cache policy a produce is acknowledged once
 * in the page cache, as before. The shard's cost is a comparison per append and one queue offer
 * per {@code thresholdBytes}; the fsync waits on this thread. A full queue (the disk is slower
 * than the appends) drops the handover, and the kernel's flusher writes those bytes as before.
 */
public final class PageCacheWriteback implements AutoCloseable
{
    /** Segments waiting: more than there are shards times a few partitions each, well under any memory concern. */
    static final int QUEUE_CAPACITY = 1024;
    private static final long POLL_MS = 100;
    private static final Logger LOG = LoggerFactory.getLogger(PageCacheWriteback.class);

    /** What writes one segment back; the fdatasync in production, a recorder in tests. */
    interface Writer
    {
        void writeBack(Segment segment) throws IOException;
    }

    private final int thresholdBytes;
    private final Writer writer;
    private final BlockingQueue<Segment> queue = new ArrayBlockingQueue<>(QUEUE_CAPACITY);
    private final Thread thread;
    private volatile boolean running = true;
    private boolean failureLogged;

    /**
     * @param thresholdBytes bytes appended to a segment between two writebacks (runnel.writeback.bytes), at least 1
     */
    public PageCacheWriteback(final int thresholdBytes)
    {
        this(thresholdBytes, Segment::writeBack);
    }

    PageCacheWriteback(final int thresholdBytes, final Writer writer)
    {
        if (thresholdBytes < 1)
        {
            throw new IllegalArgumentException("the writeback threshold must be at least 1 byte, was " + thresholdBytes);
        }
        this.thresholdBytes = thresholdBytes;
        this.writer = writer;
        this.thread = new Thread(this::run, "runnel-writeback");
        thread.setDaemon(true);
    }

    public void start()
    {
        thread.start();
    }

    /** Shard thread, after an append to {@code log} under the page-cache policy. */
    public void afterAppend(final PartitionLog log)
    {
        final Segment segment = log.activeSegment();
        if (segment.claimWriteback(thresholdBytes) && !queue.offer(segment))
        {
            segment.writebackNotQueued();
        }
    }

    private void run()
    {
        while (running)
        {
            final Segment segment;
            try
            {
                segment = queue.poll(POLL_MS, TimeUnit.MILLISECONDS);
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
                return;
            }
            if (segment != null)
            {
                // Cleared first: appends during the fsync claim the segment again and are written next.
                segment.writebackNotQueued();
                writeBack(segment);
            }
        }
    }

    private void writeBack(final Segment segment)
    {
        try
        {
            writer.writeBack(segment);
        }
        catch (final IOException | RuntimeException ex)
        {
            // Not an acknowledgement's business under this policy; the partition's own next write or fsync
            // takes it offline if the disk is failing. Logged once: the kernel would have failed silently.
            if (!failureLogged)
            {
                failureLogged = true;
                LOG.error("background writeback of {} failed (further failures are not logged): {}", segment.logFile(), ex.toString());
            }
        }
    }

    @Override
    public void close()
    {
        // No interrupt: it would close the channel of a segment whose fsync it cut short.
        running = false;
        if (thread.isAlive())
        {
            try
            {
                thread.join(TimeUnit.SECONDS.toMillis(5));
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
            }
        }
    }
}
