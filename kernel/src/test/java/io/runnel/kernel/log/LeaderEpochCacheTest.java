package io.runnel.kernel.log;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LeaderEpochCacheTest
{
    @TempDir
    Path dir;

    @Test
    void anEpochStartsAtItsFirstBatchAndEndsWhereTheNextStarts() throws Exception
    {
        final LeaderEpochCache cache = LeaderEpochCache.load(dir);
        cache.onAppend(0, 0);
        cache.onAppend(0, 5);
        cache.onAppend(2, 10);
        cache.onAppend(5, 30);

        assertEquals(5, cache.latestEpoch());
        assertArrayEquals(new long[] {5, 42}, endOf(cache, 5, 42), "the latest epoch ends at the log end");
        assertArrayEquals(new long[] {2, 30}, endOf(cache, 2, 42));
        assertArrayEquals(new long[] {2, 30}, endOf(cache, 3, 42), "an epoch this log never had: the newest below it, to where the next starts");
        assertArrayEquals(new long[] {0, 10}, endOf(cache, 1, 42));
        assertArrayEquals(new long[] {-1, -1}, endOf(cache, 6, 42), "newer than any here");
        assertArrayEquals(new long[] {-1, -1}, endOf(cache, -1, 42));
        assertEquals("0\n3\n0 0\n2 10\n5 30\n", Files.readString(dir.resolve(LeaderEpochCache.FILE_NAME), StandardCharsets.UTF_8),
            "Kafka's leader-epoch-checkpoint format");
    }

    @Test
    void anEpochBelowTheFirstEndsWhereTheFirstStarts()
    {
        final LeaderEpochCache cache = LeaderEpochCache.load(dir);
        cache.onAppend(3, 100);
        cache.onAppend(4, 150);

        assertArrayEquals(new long[] {1, 100}, endOf(cache, 1, 200));
    }

    @Test
    void truncationDropsEpochsPastTheNewEndAndBeforeTheNewStartAndIsPersisted()
    {
        final LeaderEpochCache cache = LeaderEpochCache.load(dir);
        cache.onAppend(1, 0);
        cache.onAppend(2, 10);
        cache.onAppend(3, 20);
        cache.onAppend(4, 30);

        cache.truncateFromEnd(20);
        cache.truncateFromStart(12);

        final LeaderEpochCache loaded = LeaderEpochCache.load(dir);
        assertEquals(1, loaded.size());
        assertEquals(2, loaded.latestEpoch());
        assertArrayEquals(new long[] {2, 20}, endOf(loaded, 2, 20));
        assertArrayEquals(new long[] {1, 12}, endOf(loaded, 1, 20), "epoch 2 now starts at the log start");
    }

    @Test
    void aCheckpointOfAnotherVersionIsRefused() throws Exception
    {
        Files.writeString(dir.resolve(LeaderEpochCache.FILE_NAME), "1\n0\n");

        assertThrows(IllegalStateException.class, () -> LeaderEpochCache.load(dir));
    }

    private static long[] endOf(final LeaderEpochCache cache, final int epoch, final long logEndOffset)
    {
        final long[] out = new long[2];
        cache.endOffsetFor(epoch, logEndOffset, out);
        return out;
    }
}
