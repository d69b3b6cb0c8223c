package io.runnel.io.api;

import io.runnel.io.net.Reactor;
import io.runnel.kernel.conductor.ConductorProxy;
import io.runnel.kernel.shard.Shard;
import io.runnel.kernel.shard.ShardCommand;

/**
 * What the API handlers of one shard work with: the shard itself (and through it, proxies to
 * every other shard), its reactor's buffers, its parked requests, and its way to the conductor.
 * Shard thread only.
 *
 * @param shard     the shard the handlers run on
 * @param reactor   that shard's reactor: frame and response pools
 * @param parked    long-poll requests parked on that shard
 * @param conductor how that shard asks for topic changes; answers come back on it
 */
public record ApiShard(Shard shard, Reactor reactor, ParkedOperations parked, ConductorProxy conductor)
{
    public int id()
    {
        return shard.id();
    }

    /** Sends a command to shard {@code shardId}; it runs at once if that is this shard. */
    public void send(final int shardId, final ShardCommand command)
    {
        shard.proxyTo(shardId).send(command);
    }

    public long nowMs()
    {
        return shard.clock().time();
    }
}
