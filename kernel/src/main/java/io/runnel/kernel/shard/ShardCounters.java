package io.runnel.kernel.shard;

import org.agrona.concurrent.status.AtomicCounter;
import org.agrona.concurrent.status.CountersManager;

/**
 * One shard's back-pressure and failure counters, in an Agrona {@link CountersManager} so that
 * any thread (and a monitoring tool reading the counters buffer) sees them live. Written by the
 * shard's own thread only.
 */
public final class ShardCounters
{
    /** Type ids of Runnel's counters in the counters buffer. */
    public static final int INBOX_FULL_TYPE = 1001;
    public static final int BACKLOG_DEPTH_TYPE = 1002;
    public static final int READS_DEFERRED_TYPE = 1003;
    public static final int COMMAND_FAILURES_TYPE = 1004;

    private final AtomicCounter inboxFull;
    private final AtomicCounter backlogDepth;
    private final AtomicCounter readsDeferred;
    private final AtomicCounter commandFailures;
    /** The owner's own count of backlogged commands; the counter publishes it to other readers. */
    private long backlogged;

    public ShardCounters(final CountersManager counters, final String owner)
    {
        inboxFull = counters.newCounter(owner + ": commands refused by a full inbox (kept in the backlog)", INBOX_FULL_TYPE);
        backlogDepth = counters.newCounter(owner + ": commands waiting in the backlog", BACKLOG_DEPTH_TYPE);
        readsDeferred = counters.newCounter(owner + ": duty cycles that read no new request because of the backlog", READS_DEFERRED_TYPE);
        commandFailures = counters.newCounter(owner + ": commands that failed and were answered with an error", COMMAND_FAILURES_TYPE);
    }

    /** Counters in a buffer of their own, for a shard built outside a LogManager (benchmarks, tests). */
    public static ShardCounters standalone(final String owner)
    {
        final int counters = 4;
        return new ShardCounters(new CountersManager(
            new org.agrona.concurrent.UnsafeBuffer(java.nio.ByteBuffer.allocateDirect(counters * CountersManager.METADATA_LENGTH)),
            new org.agrona.concurrent.UnsafeBuffer(java.nio.ByteBuffer.allocateDirect(counters * CountersManager.COUNTER_LENGTH))), owner);
    }

    void onInboxFull()
    {
        inboxFull.incrementOrdered();
    }

    void onBacklogged()
    {
        backlogDepth.setOrdered(++backlogged);
    }

    void onDrained(final int commands)
    {
        backlogged -= commands;
        backlogDepth.setOrdered(backlogged);
    }

    /** Backlogged commands, for the owning thread (a plain read). */
    long backlogged()
    {
        return backlogged;
    }

    void onCommandFailed()
    {
        commandFailures.incrementOrdered();
    }

    public void onReadsDeferred()
    {
        readsDeferred.incrementOrdered();
    }

    public long inboxFull()
    {
        return inboxFull.get();
    }

    public long backlogDepth()
    {
        return backlogDepth.get();
    }

    public long readsDeferred()
    {
        return readsDeferred.get();
    }

    public long commandFailures()
    {
        return commandFailures.get();
    }
}
