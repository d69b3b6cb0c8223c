package io.runnel.kernel.threading;

/**
 * Knows which threads are shard threads, so that work a shard must never do (creating and
 * deleting partition files, persisting topic metadata) fails loudly instead of stalling every
 * connection on that shard. The conductor does that work. Depends on nothing, so every kernel
 * package can ask.
 */
public final class ShardThreads
{
    private static final int NOT_A_SHARD = -1;
    private static final ThreadLocal<int[]> CURRENT = ThreadLocal.withInitial(() -> new int[] {NOT_A_SHARD});

    private ShardThreads()
    {
    }

    /** Marks the calling thread as shard {@code shardId}'s thread (from the shard's onStart). */
    public static void enter(final int shardId)
    {
        CURRENT.get()[0] = shardId;
    }

    /** Unmarks the calling thread (from the shard's onClose). */
    public static void leave()
    {
        CURRENT.get()[0] = NOT_A_SHARD;
    }

    /** @return the id of the shard whose thread this is, or -1. */
    public static int currentShard()
    {
        return CURRENT.get()[0];
    }

    /** @throws IllegalStateException on a shard thread: {@code what} belongs to the conductor. */
    public static void refuseOnShardThread(final String what)
    {
        final int shard = currentShard();
        if (shard != NOT_A_SHARD)
        {
            throw new IllegalStateException(what + " on shard " + shard + "'s thread: that is the conductor's work");
        }
    }
}
