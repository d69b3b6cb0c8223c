package io.runnel.kernel.cleaner;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;

import io.runnel.kernel.log.CleanableSegments;
import io.runnel.kernel.log.LogConfig;
import org.junit.jupiter.api.Test;

/** How a compacted log is measured for cleaning, as Kafka's LogCleanerManager measures it. */
class LogToCleanTest
{
    private static final long NOW = 1_000_000;

    private static CleanableSegments view(final LogConfig config, final long logStart)
    {
        // Four sealed segments of 1000 bytes, offsets 0-99, 100-199, ...; the active one starts at 400.
        final List<CleanableSegments.Sealed> sealed = List.of(
            new CleanableSegments.Sealed(null, 0, 100, 1000, null, NOW - 400_000),
            new CleanableSegments.Sealed(null, 100, 200, 1000, null, NOW - 300_000),
            new CleanableSegments.Sealed(null, 200, 300, 1000, null, NOW - 200_000),
            new CleanableSegments.Sealed(null, 300, 400, 1000, null, NOW - 100_000));
        return new CleanableSegments(logStart, 400, sealed, Map.of(), config);
    }

    private static LogConfig config(final String... keyValues)
    {
        final java.util.HashMap<String, String> overrides = new java.util.HashMap<>(Map.of("cleanup.policy", "compact"));
        for (int i = 0; i < keyValues.length; i += 2)
        {
            overrides.put(keyValues[i], keyValues[i + 1]);
        }
        return LogConfig.defaults().withTopicOverrides(overrides);
    }

    @Test
    void theDirtyRatioIsTheCleanableShareFromTheCheckpointToTheActiveSegment()
    {
        final LogToClean log = LogToClean.of(null, view(config(), 0), 100, NOW, Long.MAX_VALUE, s -> -1);

        assertEquals(100, log.firstDirtyOffset());
        assertEquals(400, log.firstUncleanableOffset());
        assertEquals(1000, log.cleanBytes());
        assertEquals(3000, log.cleanableBytes());
        assertEquals(0.75, log.dirtyRatio());
        assertTrue(log.isCleanable(), "0.75 is above the default 0.5");
        assertFalse(LogToClean.of(null, view(config("min.cleanable.dirty.ratio", "0.8"), 0), 100, NOW, Long.MAX_VALUE, s -> -1)
            .isCleanable());
        assertFalse(LogToClean.of(null, view(config("min.cleanable.dirty.ratio", "0.75"), 0), 100, NOW, Long.MAX_VALUE, s -> -1)
            .isCleanable(), "Kafka cleans only above the ratio: at exactly 0.75 the log waits");
    }

    @Test
    void aCheckpointOutOfRangeStartsFromTheLogStart()
    {
        assertEquals(200, LogToClean.of(null, view(config(), 200), 100, NOW, Long.MAX_VALUE, s -> -1).firstDirtyOffset(),
            "trimmed past the checkpoint");
        assertEquals(0, LogToClean.of(null, view(config(), 0), 5000, NOW, Long.MAX_VALUE, s -> -1).firstDirtyOffset(),
            "a checkpoint past the log's end belongs to an older topic of the same name");
        assertEquals(0, LogToClean.of(null, view(config(), 0), -1, NOW, Long.MAX_VALUE, s -> -1).firstDirtyOffset(), "never cleaned");
    }

    @Test
    void segmentsWithRecordsNewerThanMinCompactionLagAreUncleanable()
    {
        final LogToClean log = LogToClean.of(null, view(config("min.compaction.lag.ms", "250000"), 0), 0, NOW, Long.MAX_VALUE, s -> -1);

        assertEquals(200, log.firstUncleanableOffset(), "the segment whose newest record is 200 s old must wait");
        assertEquals(2000, log.cleanableBytes());
    }

    @Test
    void aDirtyRecordOlderThanMaxCompactionLagMakesTheLogCleanableWhateverItsRatio()
    {
        final LogConfig lagged = config("min.cleanable.dirty.ratio", "0.99", "max.compaction.lag.ms", "60000");

        final LogToClean old = LogToClean.of(null, view(lagged, 0), 300, NOW, Long.MAX_VALUE, s -> NOW - 120_000);
        final LogToClean young = LogToClean.of(null, view(lagged, 0), 300, NOW, Long.MAX_VALUE, s -> NOW - 1_000);

        assertTrue(old.needCompactionNow());
        assertTrue(old.isCleanable());
        assertFalse(young.isCleanable(), "ratio 0.25 is below 0.99 and nothing waited too long");
    }

    @Test
    void aPassedDeleteHorizonMakesTheLogCleanableEvenWithNothingDirty()
    {
        assertFalse(LogToClean.of(null, view(config(), 0), 400, NOW, NOW + 1, s -> -1).isCleanable());
        assertTrue(LogToClean.of(null, view(config(), 0), 400, NOW, NOW, s -> -1).isCleanable());
    }
}
