package io.runnel.io.api.fetch;

import java.util.HashSet;
import java.util.Set;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Kafka's FetchSessionCache rules, on one shard's cache, with time passed in. */
class FetchSessionCacheTest
{
    private static final long EVICTION_MS = FetchSessionCache.EVICTION_MS;

    private static FetchSession create(final FetchSessionCache cache, final long nowMs, final int size)
    {
        final FetchSession session = cache.maybeCreate(nowMs, false, size);
        if (session != null)
        {
            for (int p = 0; p < size; p++)
            {
                session.partitions.put(new FetchSession.Key("t", p), new FetchSession.CachedPartition("t", null, p));
            }
            cache.touch(session, nowMs);
        }
        return session;
    }

    @Test
    void slotsAreSplitOverTheShardsWithTheRemainderToTheFirst()
    {
        assertEquals(334, new FetchSessionCache(1000, 0, 3).slots());
        assertEquals(333, new FetchSessionCache(1000, 1, 3).slots());
        assertEquals(333, new FetchSessionCache(1000, 2, 3).slots());
        assertEquals(0, new FetchSessionCache(0, 0, 2).slots());
        assertEquals(0, new FetchSessionCache(1, 1, 2).slots());
    }

    @Test
    void noSlotsDeclinesEverySession()
    {
        final FetchSessionCache cache = new FetchSessionCache(0, 0, 1);
        assertNull(create(cache, 0, 10));
        assertEquals(0, cache.size());
    }

    @Test
    void newSessionStartsAtEpochOneWithAnIdInItsShardsRange()
    {
        final int shards = 4;
        final int range = Integer.MAX_VALUE / shards;
        for (int shard = 0; shard < shards; shard++)
        {
            final FetchSessionCache cache = new FetchSessionCache(100, shard, shards);
            for (int i = 0; i < 20; i++)
            {
                final FetchSession session = create(cache, 0, 1);
                assertEquals(1, session.epoch);
                assertTrue(session.id > 0 && session.id / range == shard, session.id + " on shard " + shard);
                assertSame(session, cache.get(session.id));
            }
        }
    }

    @Test
    void liveSessionIdsNeverRepeat()
    {
        final FetchSessionCache cache = new FetchSessionCache(5000, 0, 1);
        final Set<Integer> ids = new HashSet<>();
        for (int i = 0; i < 5000; i++)
        {
            assertTrue(ids.add(create(cache, 0, 1).id));
        }
    }

    @Test
    void fullCacheRefusesWhileEverySessionIsRecentAndInUse()
    {
        final FetchSessionCache cache = new FetchSessionCache(2, 0, 1);
        create(cache, 0, 1);
        create(cache, 0, 1);
        assertNull(create(cache, 1, 100), "sessions younger than the eviction time are kept, even small ones");
        assertEquals(0, cache.evictions());
    }

    @Test
    void staleSessionIsEvictedFirst()
    {
        final FetchSessionCache cache = new FetchSessionCache(2, 0, 1);
        final FetchSession stale = create(cache, 0, 50);
        final FetchSession used = create(cache, 0, 1);
        cache.touch(used, EVICTION_MS);
        final FetchSession newcomer = create(cache, EVICTION_MS + 1, 1);

        assertNotNull(newcomer, "a session unused for longer than the eviction time makes room");
        assertNull(cache.get(stale.id));
        assertSame(used, cache.get(used.id));
        assertEquals(1, cache.evictions());
    }

    @Test
    void largerSessionEvictsTheSmallestOldEnoughSession()
    {
        final FetchSessionCache cache = new FetchSessionCache(3, 0, 1);
        final FetchSession small = create(cache, 0, 2);
        final FetchSession medium = create(cache, 0, 5);
        final FetchSession young = create(cache, EVICTION_MS, 1);
        // All in use: none is stale. small and medium are older than the eviction time once touched after it.
        final long now = EVICTION_MS + 10;
        cache.touch(small, now);
        cache.touch(medium, now);
        cache.touch(young, now);

        assertNull(create(cache, now, 2), "the same size does not evict (Kafka: strictly more partitions)");
        final FetchSession large = create(cache, now, 3);
        assertNotNull(large);
        assertNull(cache.get(small.id), "the smallest session old enough goes");
        assertSame(medium, cache.get(medium.id));
        assertSame(young, cache.get(young.id), "a session created within the eviction time is not evictable by size");
    }

    @Test
    void removedSessionIsGoneAndItsSlotFree()
    {
        final FetchSessionCache cache = new FetchSessionCache(1, 0, 1);
        final FetchSession session = create(cache, 0, 1);
        cache.remove(session);
        assertNull(cache.get(session.id));
        assertNotNull(create(cache, 1, 1));
    }
}
