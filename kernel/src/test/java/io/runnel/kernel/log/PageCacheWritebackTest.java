package io.runnel.kernel.log;

import static io.runnel.kernel.log.LogFixture.appendOk;
import static io.runnel.kernel.log.LogFixture.batch;
import static io.runnel.kernel.log.LogFixture.config;
import static io.runnel.kernel.log.LogFixture.consume;
import static io.runnel.kernel.log.LogFixture.offsets;
import static io.runnel.kernel.log.LogFixture.range;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The page-cache policy's background writeback: a segment is handed over once per threshold of
 * appended bytes, never twice while one handover waits, and the writeback itself (a real
 * fdatasync) is harmless to the log, even on a segment closed under it.
 */
class PageCacheWritebackTest
{
    private static final long WAIT_SECONDS = 10;

    @RegisterExtension
    final OpenLogs logs = new OpenLogs("writeback-0", config(1 << 20, 4096, FlushPolicy.PAGE_CACHE));

    /** A writer that records each segment it is given and, while {@code gate} is closed, holds the thread there. */
    private static final class RecordingWriter implements PageCacheWriteback.Writer
    {
        final BlockingQueue<Segment> written = new LinkedBlockingQueue<>();
        volatile CountDownLatch gate = new CountDownLatch(0);

        @Override
        public void writeBack(final Segment segment) throws java.io.IOException
        {
            written.add(segment);
            try
            {
                gate.await(WAIT_SECONDS, TimeUnit.SECONDS);
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
            }
        }
    }

    private static int batchBytes()
    {
        return batch(10).sizeInBytes();
    }

    @Test
    void aSegmentIsHandedOverOncePerThresholdOfAppendedBytes() throws InterruptedException
    {
        final PartitionLog log = logs.open(true);
        final RecordingWriter writer = new RecordingWriter();
        final int threshold = 3 * batchBytes();
        try (PageCacheWriteback writeback = new PageCacheWriteback(threshold, writer))
        {
            writeback.start();
            for (int i = 0; i < 2; i++)
            {
                appendOk(log, batch(10));
                writeback.afterAppend(log);
            }
            assertNull(writer.written.poll(200, TimeUnit.MILLISECONDS), "two batches are under the threshold");

            appendOk(log, batch(10));
            writeback.afterAppend(log);
            assertSame(log.activeSegment(), writer.written.poll(WAIT_SECONDS, TimeUnit.SECONDS), "the third batch reaches it");

            for (int i = 0; i < 2; i++)
            {
                appendOk(log, batch(10));
                writeback.afterAppend(log);
            }
            assertNull(writer.written.poll(200, TimeUnit.MILLISECONDS), "the count starts again at the handover");
        }
    }

    @Test
    void appendsWhileAHandoverWaitsQueueNoSecondOneAndAreWrittenByTheNext() throws InterruptedException
    {
        final PartitionLog log = logs.open(true);
        final RecordingWriter writer = new RecordingWriter();
        final CountDownLatch gate = new CountDownLatch(1);
        writer.gate = gate;
        try (PageCacheWriteback writeback = new PageCacheWriteback(batchBytes(), writer))
        {
            writeback.start();
            appendOk(log, batch(10));
            writeback.afterAppend(log);
            // The thread now holds the first handover in the writer; the segment is free to be claimed again.
            assertSame(log.activeSegment(), writer.written.poll(WAIT_SECONDS, TimeUnit.SECONDS));

            appendOk(log, batch(10));
            writeback.afterAppend(log);
            appendOk(log, batch(10));
            writeback.afterAppend(log);
            appendOk(log, batch(10));
            writeback.afterAppend(log);
            gate.countDown();

            assertSame(log.activeSegment(), writer.written.poll(WAIT_SECONDS, TimeUnit.SECONDS), "one more writeback covers them");
            assertNull(writer.written.poll(300, TimeUnit.MILLISECONDS), "three appends past the threshold queued one handover, not three");
        }
    }

    @Test
    void theRealWritebackLeavesTheLogAsItWasAndANewSegmentIsHandedOverAfterARoll() throws InterruptedException
    {
        final PartitionLog log = logs.open(true);
        final BlockingQueue<Segment> written = new LinkedBlockingQueue<>();
        try (PageCacheWriteback writeback = new PageCacheWriteback(1, segment ->
        {
            segment.writeBack();
            written.add(segment);
        }))
        {
            writeback.start();
            appendOk(log, batch(10));
            writeback.afterAppend(log);
            final Segment first = written.poll(WAIT_SECONDS, TimeUnit.SECONDS);
            assertSame(log.activeSegment(), first);

            log.roll();
            appendOk(log, batch(10));
            writeback.afterAppend(log);
            assertSame(log.activeSegment(), written.poll(WAIT_SECONDS, TimeUnit.SECONDS), "the new active segment");
        }
        assertEquals(range(0, 20), offsets(consume(log, 0, 1 << 20)));
    }

    @Test
    void aSegmentClosedUnderItsWritebackHasNothingLeftToWrite()
    {
        final PartitionLog log = logs.open(true);
        appendOk(log, batch(10));
        final Segment segment = log.activeSegment();
        logs.close(log);

        assertDoesNotThrow(segment::writeBack);
    }
}
