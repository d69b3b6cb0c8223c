package io.runnel.kernel.log;

import static io.runnel.kernel.log.LogFixture.appendOk;
import static io.runnel.kernel.log.LogFixture.batch;
import static io.runnel.kernel.log.LogFixture.config;
import static io.runnel.kernel.log.LogFixture.consume;
import static io.runnel.kernel.log.LogFixture.offsets;
import static io.runnel.kernel.log.LogFixture.range;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** fsync policy: with FSYNC, appended bytes become visible (high watermark) only after the group commit. */
class PartitionLogFlushPolicyTest
{
    @RegisterExtension
    final OpenLogs logs = new OpenLogs("f-0", LogConfig.defaults());

    @Test
    void pageCachePolicyExposesAppendsImmediately()
    {
        final PartitionLog log = logs.open(config(1 << 20, 4096, FlushPolicy.PAGE_CACHE), true);

        appendOk(log, batch(3));

        assertEquals(3, log.highWatermark());
        assertEquals(3, log.state().highWatermark());
        assertFalse(log.flushIfDirty());
    }

    @Test
    void fsyncPolicyAdvancesTheHighWatermarkOnlyAfterFlushIfDirty()
    {
        final PartitionLog log = logs.open(config(1 << 20, 4096, FlushPolicy.FSYNC), true);
        appendOk(log, batch(3));
        appendOk(log, batch(2));

        assertEquals(5, log.logEndOffset());
        assertEquals(5, log.state().logEndOffset());
        assertEquals(0, log.highWatermark());
        assertEquals(0, log.state().highWatermark());
        final FileRegion region = new FileRegion();
        assertEquals(PartitionLog.ReadStatus.OK, log.read(0, 1 << 20, region));
        assertEquals(0, region.length(), "unflushed bytes are not visible to consumers");
        assertEquals(PartitionLog.ReadStatus.OK, log.read(3, 1 << 20, region), "in the log, not yet visible: an empty read");
        assertEquals(0, region.length());
        assertEquals(PartitionLog.ReadStatus.OFFSET_OUT_OF_RANGE, log.read(6, 1 << 20, region));
        final long[] latest = new long[2];
        log.offsetForTimestamp(PartitionLog.LATEST_TIMESTAMP, latest);
        assertEquals(0, latest[0], "ListOffsets latest is the high watermark");

        assertTrue(log.flushIfDirty());

        assertEquals(5, log.highWatermark());
        assertEquals(5, log.state().highWatermark());
        assertEquals(range(0, 5), offsets(consume(log, 0, 1 << 20)));
        assertFalse(log.flushIfDirty(), "nothing new to flush");
    }

    @Test
    void fsyncPolicyHidesBytesAppendedAfterTheLastFlush()
    {
        final PartitionLog log = logs.open(config(1 << 20, 4096, FlushPolicy.FSYNC), true);
        appendOk(log, batch(3));
        log.flushIfDirty();
        appendOk(log, batch(4));

        assertEquals(3, log.highWatermark());
        assertEquals(range(0, 3), offsets(consume(log, 0, 1 << 20)));
        final FileRegion region = new FileRegion();
        log.read(0, 1 << 20, region);
        assertEquals(batch(3).sizeInBytes(), region.length(), "the read stops at the high watermark's byte position");

        assertTrue(log.flushIfDirty());
        assertEquals(range(0, 7), offsets(consume(log, 0, 1 << 20)));
    }

    @Test
    void fsyncPolicyForcesASegmentAsItRollsAndTheActiveOneAtTheGroupCommit()
    {
        final PartitionLog log = logs.open(config(1024, 1, FlushPolicy.FSYNC), true);
        for (int i = 0; i < 20; i++)
        {
            appendOk(log, batch(5));
        }
        assertTrue(log.segmentCount() > 1);
        // A sealed segment is durable: what a failed fsync must roll back is then in the active segment alone.
        assertTrue(log.highWatermark() > 0 && log.highWatermark() < 100, "high watermark " + log.highWatermark());
        assertEquals(range(0, log.highWatermark()), offsets(consume(log, 0, 1)));

        assertTrue(log.flushIfDirty());

        assertEquals(100, log.highWatermark());
        assertEquals(range(0, 100), offsets(consume(log, 0, 1)));
    }

    @Test
    void timestampLookupNeverPointsPastTheHighWatermark()
    {
        final PartitionLog log = logs.open(config(1 << 20, 4096, FlushPolicy.FSYNC), true);
        appendOk(log, LogFixture.batchWithTimestamps(1000, 1001));
        log.flushIfDirty();
        appendOk(log, LogFixture.batchWithTimestamps(9000, 9001)); // not yet flushed: offsets 2..3
        final long[] out = new long[2];

        log.offsetForTimestamp(5000, out);
        assertEquals(-1, out[0], "the only record at or after 5000 is above the high watermark");

        log.flushIfDirty();
        log.offsetForTimestamp(5000, out);
        assertEquals(2, out[0]);
        assertEquals(9000, out[1]);
    }

    @Test
    void maxTimestampLookupNeverPointsPastTheHighWatermark()
    {
        final PartitionLog log = logs.open(config(1 << 20, 4096, FlushPolicy.FSYNC), true);
        appendOk(log, LogFixture.batchWithTimestamps(1000, 1001));
        log.flushIfDirty();
        appendOk(log, LogFixture.batchWithTimestamps(9000, 9001)); // not yet flushed: offsets 2..3
        final long[] out = new long[2];

        log.offsetForTimestamp(PartitionLog.MAX_TIMESTAMP, out);
        assertTrue(out[0] < log.highWatermark(), "MAX_TIMESTAMP answered offset " + out[0] + " >= high watermark "
            + log.highWatermark());

        log.flushIfDirty();
        log.offsetForTimestamp(PartitionLog.MAX_TIMESTAMP, out);
        assertEquals(3, out[0]);
        assertEquals(9001, out[1]);
    }

    @Test
    void flushPolicyNamesParse()
    {
        assertEquals(FlushPolicy.FSYNC, FlushPolicy.parse("fsync"));
        assertEquals(FlushPolicy.PAGE_CACHE, FlushPolicy.parse(" PageCache "));
        assertEquals(FlushPolicy.PAGE_CACHE, FlushPolicy.parse("page_cache"));
        assertThrows(IllegalArgumentException.class, () -> FlushPolicy.parse("sometimes"));
    }
}
