package io.runnel.kernel.shard;

import java.util.ArrayDeque;

/**
 * How one thread (a shard, or the conductor) sends commands to one shard. On the target's own
 * thread a command runs at once; otherwise it goes into the target's bounded inbox, and when that
 * is full into this sender's backlog, which {@link #retryBacklog} drains into the inbox as it
 * empties. The sender never waits. How much is backlogged is counted, and a sender whose
 * backlogs pass {@link #BACKLOG_HIGH_WATER} stops taking new requests (see
 * {@link Shard#isBackPressured}) until they drain, so memory is bounded by what requests already
 * read can produce.
 *
 * <p>Owned by the sending thread; not thread-safe.
 */
public final class ShardProxy
{
    /** Backlogged commands, over all targets, past which a shard reads no new requests. */
    public static final int BACKLOG_HIGH_WATER = 16 * 1024;

    private final Shard target;
    private final ShardCounters senderCounters;
    private final ArrayDeque<ShardCommand> backlog = new ArrayDeque<>();

    ShardProxy(final Shard target, final ShardCounters senderCounters)
    {
        this.target = target;
        this.senderCounters = senderCounters;
    }

    /** A proxy for a thread that is not a shard (the conductor), which drains it with {@link #retryBacklog} in its own duty cycle. */
    public static ShardProxy from(final Shard target, final ShardCounters senderCounters)
    {
        return new ShardProxy(target, senderCounters);
    }

    public int targetId()
    {
        return target.id();
    }

    /** Sends {@code command} to the target shard; on the target's own thread it runs before this returns. */
    public void send(final ShardCommand command)
    {
        if (target.isCurrentThread())
        {
            target.execute(command);
        }
        else if (!backlog.isEmpty() || !target.offer(command))
        {
            senderCounters.onInboxFull();
            backlog.add(command);
            senderCounters.onBacklogged();
        }
    }

    /** @return commands moved from the backlog into the target's inbox. */
    public int retryBacklog()
    {
        int moved = 0;
        ShardCommand command;
        while ((command = backlog.peek()) != null && target.offer(command))
        {
            backlog.poll();
            moved++;
        }
        if (moved > 0)
        {
            senderCounters.onDrained(moved);
        }
        return moved;
    }

    public int backlogSize()
    {
        return backlog.size();
    }
}
