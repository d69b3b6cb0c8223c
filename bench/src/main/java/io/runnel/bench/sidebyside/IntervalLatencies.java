package io.runnel.bench.sidebyside;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.HdrHistogram.Histogram;
import org.HdrHistogram.HistogramLogWriter;

/**
 * A phase's latencies as consecutive interval histograms (each stamped with its start and end, ms
 * since the epoch), so that a part of the phase can be summed after the fact (the cleaning phase
 * counts only up to the cleaner's last shrink) and the whole can be written as an HdrHistogram log.
 */
final class IntervalLatencies
{
    private final List<Histogram> intervals = new ArrayList<>();

    /** Adds the next interval; its start and end timestamps are set here. */
    void add(final Histogram interval, final long startMs, final long endMs)
    {
        interval.setStartTimeStamp(startMs);
        interval.setEndTimeStamp(endMs);
        intervals.add(interval);
    }

    /**
     * The sum of every interval that overlaps (fromMs, toMs), its time stamps spanning those intervals. An interval that
     * only touches an end is left out: one ends at the moment of each size sample, so a window up to a sample's time
     * takes the interval that ends there and not the one that begins there.
     */
    Histogram between(final long fromMs, final long toMs)
    {
        final Histogram sum = new Histogram(FixedRateProducer.HIGHEST_LATENCY_MICROS, 3);
        long start = Long.MAX_VALUE;
        long end = Long.MIN_VALUE;
        for (final Histogram interval : intervals)
        {
            if (interval.getEndTimeStamp() > fromMs && interval.getStartTimeStamp() < toMs)
            {
                sum.add(interval);
                start = Math.min(start, interval.getStartTimeStamp());
                end = Math.max(end, interval.getEndTimeStamp());
            }
        }
        // The sum spans the intervals it holds (Histogram.add leaves the time stamps alone).
        if (start <= end)
        {
            sum.setStartTimeStamp(start);
            sum.setEndTimeStamp(end);
        }
        return sum;
    }

    /** The sum of every interval. */
    Histogram total()
    {
        return between(Long.MIN_VALUE, Long.MAX_VALUE);
    }

    int size()
    {
        return intervals.size();
    }

    /** Writes every interval into an HdrHistogram log (values in microseconds). */
    void write(final Path hlog, final String comment) throws IOException
    {
        try (PrintStream out = new PrintStream(Files.newOutputStream(hlog), true, StandardCharsets.UTF_8))
        {
            final HistogramLogWriter writer = new HistogramLogWriter(out);
            writer.outputComment(comment);
            writer.outputLogFormatVersion();
            if (!intervals.isEmpty())
            {
                writer.outputStartTime(intervals.get(0).getStartTimeStamp());
                writer.setBaseTime(intervals.get(0).getStartTimeStamp());
            }
            writer.outputLegend();
            for (final Histogram interval : intervals)
            {
                writer.outputIntervalHistogram(interval);
            }
        }
    }
}
