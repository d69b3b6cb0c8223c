package io.runnel.bench.sidebyside;

import java.util.List;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class KafkaCleanerLogTest
{
    /** As Apache Kafka 4.4.0 wrote it under CleanerLatency's log4j2 pattern (a real report, from a 64 MiB run). */
    private static final String ONE_CLEAN = """
        [2026-12-02 06:33:32,856] INFO [kafka-log-cleaner-thread-0]:\s
        \tLog cleaner thread 0 cleaned log cleaner-bench-compacted-0 (dirty section = [0, 64512])
        \t63.9 MB of log processed in 2.4 seconds (26.2 MB/sec).
        \tIndexed 63.9 MB in 1.0 seconds (63.2 Mb/sec, 41.5% of total time)
        \tBuffer utilization: 0.1%
        \tCleaned 63.9 MB in 1.4 seconds (44.7 Mb/sec, 58.5% of total time)
        \tStart size: 63.9 MB (64,512 messages)
        \tEnd size: 5.9 MB (6,000 messages)
        \t90.7% size reduction (90.7% fewer messages)
         (org.apache.kafka.storage.internals.log.LogCleaner$CleanerThread)
        """;

    @Test
    void readsEveryFigureOfAReport()
    {
        final List<KafkaCleanerLog.Clean> cleans = KafkaCleanerLog.parse(ONE_CLEAN);
        assertEquals(List.of(new KafkaCleanerLog.Clean(0, "cleaner-bench-compacted-0", 0, 64512, 63.9, 2.4, 26.2, 63.9, 64_512, 5.9, 6_000)),
            cleans);
        // One clean: Kafka's own rate, not one recomputed from the rounded MB and seconds (63.9 / 2.4 = 26.6).
        assertEquals(26.2, KafkaCleanerLog.mbPerSecond(cleans, "cleaner-bench-compacted-0"), 1e-9);
    }

    @Test
    void readsThousandsSeparatorsAndSumsTheCleansOfOneLogOnly()
    {
        final String text = """
            \tLog cleaner thread 1 cleaned log big-0 (dirty section = [1048576, 2097152])
            \t1,024.0 MB of log processed in 12.5 seconds (81.9 MB/sec).
            \tStart size: 1,024.0 MB (1,048,576 messages)
            \tEnd size: 100.2 MB (102,400 messages)
            \tLog cleaner thread 0 cleaned log other-3 (dirty section = [0, 10])
            \t1.0 MB of log processed in 1.0 seconds (1.0 MB/sec).
            \tStart size: 1.0 MB (10 messages)
            \tEnd size: 1.0 MB (10 messages)
            \tLog cleaner thread 1 cleaned log big-0 (dirty section = [2097152, 2100000])
            \t76.0 MB of log processed in 2.5 seconds (30.4 MB/sec).
            \tStart size: 176.2 MB (180,000 messages)
            \tEnd size: 100.3 MB (102,401 messages)
            """;
        final List<KafkaCleanerLog.Clean> cleans = KafkaCleanerLog.parse(text);
        assertEquals(3, cleans.size());
        assertEquals(1, cleans.get(0).thread());
        assertEquals(1_048_576, cleans.get(0).firstDirtyOffset());
        assertEquals(1024.0, cleans.get(0).mbProcessed(), 1e-9);
        assertEquals(1_048_576, cleans.get(0).startMessages());
        assertEquals(100.2, cleans.get(0).endSizeMb(), 1e-9);
        // Several: all the MB over all the time, each clean's time taken as its MB over its rate.
        assertEquals((1024.0 + 76.0) / (1024.0 / 81.9 + 76.0 / 30.4), KafkaCleanerLog.mbPerSecond(cleans, "big-0"), 1e-9);
        assertEquals(1.0, KafkaCleanerLog.mbPerSecond(cleans, "other-3"), 1e-9);
    }

    @Test
    void aReportCutShortIsSkippedAndNoReportIsNoFigure()
    {
        final String cut = ONE_CLEAN.substring(0, ONE_CLEAN.indexOf("\tStart size"));
        assertEquals(List.of(), KafkaCleanerLog.parse(cut));
        assertEquals(List.of(), KafkaCleanerLog.parse("[2026-12-02 06:33:31,113] INFO Starting the log cleaner\n"));
        assertTrue(Double.isNaN(KafkaCleanerLog.mbPerSecond(List.of(), "cleaner-bench-compacted-0")));
    }

    @Test
    void aCutReportDoesNotBorrowTheFiguresOfTheNextOne()
    {
        // The first report lost its last lines; the second is whole: only the second is read, with its own figures.
        final String cut = ONE_CLEAN.substring(0, ONE_CLEAN.indexOf("\tStart size"));
        final String next = ONE_CLEAN.replace("cleaner-bench-compacted-0", "second-0").replace("2.4 seconds", "3.0 seconds");
        final List<KafkaCleanerLog.Clean> cleans = KafkaCleanerLog.parse(cut + next);
        assertEquals(1, cleans.size());
        assertEquals("second-0", cleans.get(0).log());
        assertEquals(3.0, cleans.get(0).seconds(), 1e-9);
    }
}
