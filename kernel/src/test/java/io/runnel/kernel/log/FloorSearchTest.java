package io.runnel.kernel.log;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.util.function.IntToLongFunction;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The one floor search (last key at or below a target) and the three places that read their keys
 * through it: the offset index, the time index (strictly below a timestamp) and the segment list.
 */
class FloorSearchTest
{
    private static final long[] KEYS = {10, 20, 30, 40};

    @TempDir
    Path tmp;

    private static int floor(final long[] keys, final long target)
    {
        final IntToLongFunction keyAt = index -> keys[index];
        return FloorSearch.floor(keyAt, keys.length, target);
    }

    @Test
    void noKeysHaveNoFloor()
    {
        assertEquals(FloorSearch.NONE, floor(new long[0], 0));
        assertEquals(FloorSearch.NONE, floor(new long[0], Long.MAX_VALUE));
    }

    @Test
    void targetBeforeTheFirstKeyHasNoFloor()
    {
        assertEquals(FloorSearch.NONE, floor(KEYS, 9));
        assertEquals(FloorSearch.NONE, floor(KEYS, Long.MIN_VALUE));
    }

    @Test
    void targetEqualToAKeyFindsThatKey()
    {
        for (int i = 0; i < KEYS.length; i++)
        {
            assertEquals(i, floor(KEYS, KEYS[i]));
        }
    }

    @Test
    void targetBetweenKeysFindsTheLowerOne()
    {
        assertEquals(0, floor(KEYS, 11));
        assertEquals(1, floor(KEYS, 29));
        assertEquals(2, floor(KEYS, 39));
    }

    @Test
    void targetAfterTheLastKeyFindsTheLastKey()
    {
        assertEquals(3, floor(KEYS, 41));
        assertEquals(3, floor(KEYS, Long.MAX_VALUE));
    }

    @Test
    void singleKeyIsFoundAtOrAfterItAndNotBefore()
    {
        assertEquals(FloorSearch.NONE, floor(new long[] {5}, 4));
        assertEquals(0, floor(new long[] {5}, 5));
        assertEquals(0, floor(new long[] {5}, 6));
    }

    @Test
    void onlyTheFirstCountKeysAreSearched()
    {
        assertEquals(1, FloorSearch.floor(index -> KEYS[index], 2, 35));
        assertEquals(FloorSearch.NONE, FloorSearch.floor(index -> KEYS[index], 0, 35));
    }

    @Test
    void offsetIndexGivesThePositionOfTheLastEntryAtOrBeforeTheOffsetElseZero()
    {
        try (OffsetIndex index = new OffsetIndex(tmp.resolve("100.index"), 100, 4096, true))
        {
            assertEquals(0, index.floorPosition(150), "empty index: scan from the segment's start");
            index.append(110, 400);
            index.append(120, 800);
            index.append(130, 1200);

            assertEquals(0, index.floorPosition(109), "before the first entry");
            assertEquals(800, index.floorPosition(120), "exact");
            assertEquals(800, index.floorPosition(125), "between");
            assertEquals(1200, index.floorPosition(1_000_000), "after the last entry");
        }
    }

    @Test
    void timeIndexStartsTheScanAtTheLastEntryStrictlyBeforeTheTimestampElseAtTheBase()
    {
        try (TimeIndex index = new TimeIndex(tmp.resolve("100.timeindex"), 100, 4096, true))
        {
            assertEquals(100, index.scanStartFor(5_000), "empty index: scan from the base offset");
            index.maybeAppend(1_000, 110);
            index.maybeAppend(2_000, 120);
            index.maybeAppend(3_000, 130);

            assertEquals(100, index.scanStartFor(1_000), "at the first entry: nothing is strictly before it");
            assertEquals(100, index.scanStartFor(Long.MIN_VALUE), "nothing is below the smallest timestamp");
            assertEquals(110, index.scanStartFor(2_000), "exact: the entry before it");
            assertEquals(120, index.scanStartFor(2_500), "between");
            assertEquals(130, index.scanStartFor(Long.MAX_VALUE), "after the last entry");
        }
    }

    @Test
    void segmentListFindsTheSegmentHoldingAnOffsetAndTheFirstForOffsetsBeforeIt()
    {
        final LogConfig config = LogFixture.config(1 << 20, 4096, FlushPolicy.PAGE_CACHE);
        final SegmentList segments = new SegmentList();
        final long[] bases = {100, 200, 300};
        try
        {
            for (final long base : bases)
            {
                segments.append(Segment.create(tmp, base, config, LogFixture.T0));
            }

            assertEquals(0, segments.floorIndex(99), "before the first segment");
            assertEquals(1, segments.floorIndex(200), "exact");
            assertEquals(1, segments.floorIndex(250), "between");
            assertEquals(2, segments.floorIndex(Long.MAX_VALUE), "after the last segment's base");
        }
        finally
        {
            segments.forEach(Segment::close);
        }
    }

    @Test
    void segmentListFollowsItsArraysWhenTheyGrow()
    {
        final LogConfig config = LogFixture.config(1 << 20, 4096, FlushPolicy.PAGE_CACHE);
        final SegmentList segments = new SegmentList();
        final int many = 20;
        try
        {
            for (int i = 0; i < many; i++)
            {
                segments.append(Segment.create(tmp, i * 10L, config, LogFixture.T0));
            }

            for (int i = 0; i < many; i++)
            {
                assertEquals(i, segments.floorIndex(i * 10L + 5));
            }
        }
        finally
        {
            segments.forEach(Segment::close);
        }
    }
}
