package io.runnel.bench.sidebyside;

import java.nio.file.Files;
import java.nio.file.Path;

import org.HdrHistogram.Histogram;
import org.HdrHistogram.HistogramLogReader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

class IntervalLatenciesTest
{
    @TempDir
    Path dir;

    private static Histogram of(final long... micros)
    {
        final Histogram h = new Histogram(FixedRateProducer.HIGHEST_LATENCY_MICROS, 3);
        for (final long v : micros)
        {
            h.recordValue(v);
        }
        return h;
    }

    private static IntervalLatencies threeIntervals()
    {
        final IntervalLatencies latencies = new IntervalLatencies();
        latencies.add(of(100, 200), 1_000, 1_500);
        latencies.add(of(5_000), 1_500, 2_000);
        latencies.add(of(300, 300, 300), 2_000, 2_500);
        return latencies;
    }

    @Test
    void sumsTheIntervalsThatOverlapAWindowAndSpansThem()
    {
        final IntervalLatencies latencies = threeIntervals();
        // Up to a last shrink at 1,700 ms: the first two intervals (the second holds that moment).
        final Histogram upToShrink = latencies.between(1_000, 1_700);
        assertEquals(3, upToShrink.getTotalCount());
        assertEquals(5_000, upToShrink.getMaxValue(), 5);
        assertEquals(1_000, upToShrink.getStartTimeStamp());
        assertEquals(2_000, upToShrink.getEndTimeStamp());
        final Histogram all = latencies.total();
        assertEquals(6, all.getTotalCount());
        assertEquals(2_500, all.getEndTimeStamp());
        // Intervals that only touch the window's ends are left out.
        assertEquals(1, latencies.between(1_500, 2_000).getTotalCount());
    }

    @Test
    void writesAnHdrHistogramLogThatReadsBackIntervalByInterval() throws Exception
    {
        final Path hlog = dir.resolve("x.hlog");
        threeIntervals().write(hlog, "test");
        final HistogramLogReader reader = new HistogramLogReader(hlog.toFile());
        assertEquals(2, ((Histogram)reader.nextIntervalHistogram()).getTotalCount());
        assertEquals(1, ((Histogram)reader.nextIntervalHistogram()).getTotalCount());
        assertEquals(3, ((Histogram)reader.nextIntervalHistogram()).getTotalCount());
        assertNull(reader.nextIntervalHistogram());
        assertEquals(true, Files.readString(hlog).startsWith("#test"));
    }
}
