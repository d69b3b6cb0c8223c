package io.runnel.kernel.log;

import static io.runnel.kernel.log.LogFixture.T0;
import static io.runnel.kernel.log.LogFixture.appendOk;
import static io.runnel.kernel.log.LogFixture.batch;
import static io.runnel.kernel.log.LogFixture.batchWithTimestamps;
import static io.runnel.kernel.log.LogFixture.consume;
import static io.runnel.kernel.log.LogFixture.offsets;
import static io.runnel.kernel.log.LogFixture.range;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Retention on one log, as Kafka's deleteOldSegments does it: whole segments only, by their newest
 * timestamp or by the log's size, never past the high watermark; the active segment goes too (after
 * a roll) once everything has expired; the log start offset follows, and DeleteRecords moves it
 * into a segment.
 */
class PartitionLogRetentionTest
{
    /** Each 10-record batch is ~200 bytes: a 1 KiB segment holds four of them. */
    private static final LogConfig SMALL_SEGMENTS = LogConfig.defaults().withSegmentBytes(1024).withIndexIntervalBytes(1);

    @RegisterExtension
    final OpenLogs logs = new OpenLogs("retained-0", SMALL_SEGMENTS);

    private static LogConfig with(final String key, final String value)
    {
        return SMALL_SEGMENTS.withTopicOverrides(Map.of(key, value));
    }

    @Test
    void segmentsWhoseNewestRecordIsPastRetentionMsAreRemovedOldestFirst()
    {
        final PartitionLog log = logs.open(with("retention.ms", "60000"), true);
        for (int i = 0; i < 30; i++)
        {
            appendOk(log, batchWithTimestamps(T0 + i * 1000L, T0 + i * 1000L + 1));
        }
        for (int i = 0; i < 30; i++)
        {
            appendOk(log, batchWithTimestamps(T0 + 120_000L + i, T0 + 120_000L + i));
        }
        final int before = log.segmentCount();
        assertTrue(before > 3, "the test needs several segments, had " + before);

        final List<Segment> expired = log.removeExpiredSegments(T0 + 100_000L);

        assertTrue(!expired.isEmpty(), "the old segments expire");
        for (final Segment segment : expired)
        {
            assertTrue(segment.maxTimestamp() < T0 + 40_000L, "only segments older than retention.ms go: " + segment.maxTimestamp());
        }
        assertEquals(before - expired.size(), log.segmentCount());
        assertEquals(expired.get(expired.size() - 1).nextOffset(), log.logStartOffset());
        assertEquals(log.logStartOffset(), log.state().logStartOffset());
        assertEquals(PartitionLog.ReadStatus.OFFSET_OUT_OF_RANGE, log.read(0, 1 << 20, new FileRegion()));
        assertEquals(range(log.logStartOffset(), log.logEndOffset()), offsets(consume(log, log.logStartOffset(), 1 << 20)));
    }

    @Test
    void whenEverySegmentHasExpiredTheActiveOneIsRolledAndGoesToo()
    {
        final PartitionLog log = logs.open(with("retention.ms", "1000"), true);
        for (int i = 0; i < 6; i++)
        {
            appendOk(log, batch(10));
        }
        final long end = log.logEndOffset();

        final List<Segment> expired = log.removeExpiredSegments(T0 + 10_000L);

        assertTrue(!expired.isEmpty());
        assertEquals(1, log.segmentCount(), "one empty active segment stays");
        assertEquals(end, log.logStartOffset());
        assertEquals(end, log.logEndOffset());
        assertEquals(end, log.highWatermark());
        assertEquals(List.of(), consume(log, end, 1 << 20));
        assertEquals(end, appendOk(log, batch(1)), "appends go on at the old end");
    }

    @Test
    void retentionBytesRemovesTheOldestSegmentsWhileTheLogIsLargerThanIt()
    {
        final PartitionLog log = logs.open(with("retention.bytes", "2048"), true);
        for (int i = 0; i < 20; i++)
        {
            appendOk(log, batch(10));
        }
        final long size = log.sizeInBytes();

        final List<Segment> expired = log.removeExpiredSegments(T0);

        long removed = 0;
        for (final Segment segment : expired)
        {
            removed += segment.size();
        }
        assertTrue(size - removed >= 2048 - 1024, "never more than needed is deleted");
        assertTrue(log.sizeInBytes() <= 2048 + 1024, "the log is back near retention.bytes: " + log.sizeInBytes());
        assertEquals(size - removed, log.sizeInBytes());
    }

    @Test
    void noLimitsMeansNothingIsRemoved()
    {
        final PartitionLog log = logs.open(with("retention.ms", "-1"), true);
        for (int i = 0; i < 20; i++)
        {
            appendOk(log, batch(10));
        }
        assertEquals(List.of(), log.removeExpiredSegments(Long.MAX_VALUE / 2));
        assertEquals(0, log.logStartOffset());
    }

    @Test
    void compactOnlyTopicsAreNotTrimmedByTimeOrSize()
    {
        final PartitionLog log = logs.open(SMALL_SEGMENTS.withTopicOverrides(Map.of("cleanup.policy", "compact", "retention.ms", "1",
            "retention.bytes", "1")), true);
        for (int i = 0; i < 20; i++)
        {
            appendOk(log, batch(10));
        }
        assertEquals(List.of(), log.removeExpiredSegments(T0 + 1_000_000L));
    }

    @Test
    void deleteRecordsMovesTheLogStartIntoASegmentAndRemovesTheSegmentsBelowIt()
    {
        final PartitionLog log = logs.open(true);
        for (int i = 0; i < 20; i++)
        {
            appendOk(log, batch(10));
        }

        final List<Segment> below = log.deleteRecordsBefore(105);

        assertTrue(!below.isEmpty());
        assertEquals(105, log.logStartOffset());
        assertTrue(log.read(104, 1 << 20, new FileRegion()) == PartitionLog.ReadStatus.OFFSET_OUT_OF_RANGE);
        assertTrue(offsets(consume(log, 105, 1 << 20)).contains(105L), "reads from the new log start");
        assertNull(log.deleteRecordsBefore(log.highWatermark() + 1), "past the high watermark is refused");
        assertEquals(List.of(), log.deleteRecordsBefore(50), "the log start never moves back");
        assertEquals(105, log.logStartOffset());
    }

    @Test
    void aCheckpointedLogStartSurvivesReopeningAndSegmentsBelowItAreDeleted()
    {
        PartitionLog log = logs.open(true);
        for (int i = 0; i < 20; i++)
        {
            appendOk(log, batch(10));
        }
        final int segments = log.segmentCount();
        logs.crash(log);

        log = PartitionLog.open("retained-0", logs.dir(), SMALL_SEGMENTS, logs.clock, new PartitionState(), false, 105);

        assertEquals(105, log.logStartOffset());
        assertTrue(log.segmentCount() < segments, "segments wholly below the checkpoint are gone");
        assertEquals(200, log.logEndOffset());
        log.close();
    }
}
