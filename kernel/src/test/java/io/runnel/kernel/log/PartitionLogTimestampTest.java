package io.runnel.kernel.log;

import static io.runnel.kernel.log.LogFixture.appendOk;
import static io.runnel.kernel.log.LogFixture.batchWithTimestamps;
import static io.runnel.kernel.log.LogFixture.config;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** ListOffsets: offsetForTimestamp with the EARLIEST / LATEST / MAX_TIMESTAMP sentinels and real timestamps. */
class PartitionLogTimestampTest
{
    @RegisterExtension
    final OpenLogs logs = new OpenLogs("t-0", LogConfig.defaults());

    private static long[] lookup(final PartitionLog log, final long timestamp)
    {
        final long[] out = {Long.MIN_VALUE, Long.MIN_VALUE};
        log.offsetForTimestamp(timestamp, out);
        return out;
    }

    /**
     * Offsets and timestamps: 0:1000 1:1001 2:1002 | 3:2000 4:5000 5:3000 | 6:4000.
     * The maximum timestamp (5000) is in the middle of the middle batch.
     */
    private static void appendSample(final PartitionLog log)
    {
        appendOk(log, batchWithTimestamps(1000, 1001, 1002));
        appendOk(log, batchWithTimestamps(2000, 5000, 3000));
        appendOk(log, batchWithTimestamps(4000));
    }

    @Test
    void earliestIsTheLogStartOffset()
    {
        final PartitionLog log = logs.open(LogConfig.defaults(), true);
        appendSample(log);

        assertArrayEquals(new long[] {0, -1}, lookup(log, PartitionLog.EARLIEST_TIMESTAMP));
    }

    @Test
    void latestIsTheHighWatermark()
    {
        final PartitionLog log = logs.open(LogConfig.defaults(), true);
        assertArrayEquals(new long[] {0, -1}, lookup(log, PartitionLog.LATEST_TIMESTAMP));

        appendSample(log);

        assertArrayEquals(new long[] {7, -1}, lookup(log, PartitionLog.LATEST_TIMESTAMP));
    }

    @Test
    void maxTimestampIsTheRecordWithTheLargestTimestamp()
    {
        final PartitionLog log = logs.open(LogConfig.defaults(), true);
        appendSample(log);

        assertArrayEquals(new long[] {4, 5000}, lookup(log, PartitionLog.MAX_TIMESTAMP));
    }

    @Test
    void maxTimestampOfAnEmptyLogIsNone()
    {
        final PartitionLog log = logs.open(LogConfig.defaults(), true);

        assertArrayEquals(new long[] {-1, -1}, lookup(log, PartitionLog.MAX_TIMESTAMP));
    }

    @Test
    void timestampFindsTheFirstRecordAtOrAfterIt()
    {
        final PartitionLog log = logs.open(LogConfig.defaults(), true);
        appendSample(log);

        assertArrayEquals(new long[] {0, 1000}, lookup(log, 0));
        assertArrayEquals(new long[] {0, 1000}, lookup(log, 1000));
        assertArrayEquals(new long[] {1, 1001}, lookup(log, 1001));
        assertArrayEquals(new long[] {3, 2000}, lookup(log, 1500));
        assertArrayEquals(new long[] {4, 5000}, lookup(log, 2001), "first by offset, not the closest timestamp");
        assertArrayEquals(new long[] {4, 5000}, lookup(log, 4500));
        assertArrayEquals(new long[] {4, 5000}, lookup(log, 5000));
    }

    @Test
    void timestampAfterEveryRecordFindsNothing()
    {
        final PartitionLog log = logs.open(LogConfig.defaults(), true);
        appendSample(log);

        assertArrayEquals(new long[] {-1, -1}, lookup(log, 5001));
    }

    @Test
    void timestampLookupSpansSegmentsAndSurvivesReopen()
    {
        final LogConfig config = config(1024, 1, FlushPolicy.PAGE_CACHE);
        final PartitionLog log = logs.open(config, true);
        for (int i = 0; i < 100; i++)
        {
            final long t = 10_000 + 10L * i;
            appendOk(log, batchWithTimestamps(t, t + 1, t + 2, t + 3, t + 4));
        }
        assertTrue(log.segmentCount() > 3, "segments: " + log.segmentCount());

        checkSpanningLookups(log);
        logs.close(log);
        checkSpanningLookups(logs.open(config, true));
    }

    private static void checkSpanningLookups(final PartitionLog log)
    {
        // Batch i holds offsets 5i..5i+4 with timestamps 10000+10i .. 10000+10i+4.
        assertArrayEquals(new long[] {0, 10_000}, lookup(log, 10_000));
        assertArrayEquals(new long[] {5 * 37 + 2, 10_372}, lookup(log, 10_372));
        assertArrayEquals(new long[] {5 * 38, 10_380}, lookup(log, 10_375));
        assertArrayEquals(new long[] {5 * 99 + 4, 10_994}, lookup(log, 10_994));
        assertArrayEquals(new long[] {-1, -1}, lookup(log, 10_995));
        assertArrayEquals(new long[] {499, 10_994}, lookup(log, PartitionLog.MAX_TIMESTAMP));
        assertArrayEquals(new long[] {500, -1}, lookup(log, PartitionLog.LATEST_TIMESTAMP));
        assertArrayEquals(new long[] {0, -1}, lookup(log, PartitionLog.EARLIEST_TIMESTAMP));
    }

    @Test
    void timestampLookupWorksAfterCrashRecovery()
    {
        final PartitionLog log = logs.open(LogConfig.defaults(), true);
        appendSample(log);
        logs.crash(log); // indexes untrimmed

        final PartitionLog recovered = logs.open(LogConfig.defaults(), false);

        assertArrayEquals(new long[] {3, 2000}, lookup(recovered, 1500));
        assertArrayEquals(new long[] {4, 5000}, lookup(recovered, PartitionLog.MAX_TIMESTAMP));
    }
}
