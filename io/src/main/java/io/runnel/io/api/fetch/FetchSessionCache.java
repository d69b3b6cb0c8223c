package io.runnel.io.api.fetch;

import java.util.Comparator;
import java.util.TreeSet;
import java.util.concurrent.ThreadLocalRandom;

import org.agrona.collections.Int2ObjectHashMap;

/**
 * One shard's fetch sessions, with Kafka's limits and eviction rules (its {@code FetchSessionCache},
 * which recent Kafka versions also split into shards with disjoint session-id ranges). Each shard
 * has its share of {@code max.incremental.fetch.session.cache.slots}; a connection lives on one
 * shard, so its sessions do too and no lock is needed. Ids are random within this shard's range
 * (hard to guess, never another shard's) and never repeat while live. A new session may take the
 * place of one that is stale (unused for {@link #EVICTION_MS}) or, failing that, of the smallest
 * session created more than {@link #EVICTION_MS} ago if the new one is larger.
 * Followers' privileged sessions do not exist here: replication is not done with Fetch.
 * Shard thread only.
 */
final class FetchSessionCache
{
    /** Kafka's MIN_INCREMENTAL_FETCH_SESSION_EVICTION_MS: a constant there too, not a setting. */
    static final long EVICTION_MS = 120_000;
    static final int INVALID_SESSION_ID = 0;

    private final int slots;
    private final int idFrom;
    private final int idTo;
    private final Int2ObjectHashMap<FetchSession> sessions = new Int2ObjectHashMap<>();
    private final TreeSet<FetchSession> byLastUsed = new TreeSet<>(
        Comparator.<FetchSession>comparingLong(s -> s.lastUsedMs).thenComparingInt(s -> s.id));
    /** Sessions old enough to be evicted for a larger one, smallest first. */
    private final TreeSet<FetchSession> evictable = new TreeSet<>(
        Comparator.<FetchSession>comparingInt(s -> s.cachedSize).thenComparingInt(s -> s.id));
    private long evictions;

    /**
     * @param totalSlots the broker-wide slot budget, split over the shards (the first shards take the remainder)
     */
    FetchSessionCache(final int totalSlots, final int shardId, final int shardCount)
    {
        this.slots = totalSlots / shardCount + (shardId < totalSlots % shardCount ? 1 : 0);
        final int range = Integer.MAX_VALUE / shardCount;
        this.idFrom = Math.max(1, shardId * range);
        this.idTo = (shardId + 1) * range; // exclusive
    }

    int slots()
    {
        return slots;
    }

    int size()
    {
        return sessions.size();
    }

    long evictions()
    {
        return evictions;
    }

    FetchSession get(final int id)
    {
        return sessions.get(id);
    }

    /** @return a new session with room made for it, or null if the cache is full of sessions worth keeping. */
    FetchSession maybeCreate(final long nowMs, final boolean usesTopicIds, final int size)
    {
        if (sessions.size() >= slots && !tryEvict(size, nowMs))
        {
            return null;
        }
        final FetchSession session = new FetchSession(newId(), usesTopicIds, nowMs, FetchSession.nextEpoch(0));
        sessions.put(session.id, session);
        return session;
    }

    /** Records a session's use and its current size (call after a change to its partitions). */
    void touch(final FetchSession session, final long nowMs)
    {
        byLastUsed.remove(session);
        evictable.remove(session);
        session.lastUsedMs = nowMs;
        session.cachedSize = session.size();
        byLastUsed.add(session);
        if (nowMs - session.creationMs > EVICTION_MS)
        {
            evictable.add(session);
        }
    }

    void remove(final FetchSession session)
    {
        if (sessions.get(session.id) == session)
        {
            byLastUsed.remove(session);
            evictable.remove(session);
            sessions.remove(session.id);
        }
    }

    private boolean tryEvict(final int size, final long nowMs)
    {
        if (byLastUsed.isEmpty())
        {
            return false;
        }
        final FetchSession oldest = byLastUsed.first();
        if (nowMs - oldest.lastUsedMs > EVICTION_MS)
        {
            evict(oldest);
            return true;
        }
        // Kafka orders (size, id) and the newcomer has id 0: it must be strictly larger.
        if (evictable.isEmpty() || size <= evictable.first().cachedSize)
        {
            return false;
        }
        evict(evictable.first());
        return true;
    }

    private void evict(final FetchSession session)
    {
        remove(session);
        evictions++;
    }

    private int newId()
    {
        final ThreadLocalRandom random = ThreadLocalRandom.current();
        int id;
        do
        {
            id = random.nextInt(idFrom, idTo);
        }
        while (sessions.containsKey(id));
        return id;
    }
}
