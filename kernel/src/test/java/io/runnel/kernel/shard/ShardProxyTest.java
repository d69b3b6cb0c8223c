package io.runnel.kernel.shard;

import java.util.concurrent.atomic.AtomicInteger;

import org.agrona.concurrent.SystemEpochClock;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Shards driven by the test's own duty-cycle calls, without threads. */
class ShardProxyTest
{
    private final Shard origin = new Shard(0, SystemEpochClock.INSTANCE, ShardCounters.standalone("origin"));
    private final Shard target = new Shard(1, SystemEpochClock.INSTANCE, ShardCounters.standalone("target"));
    private final AtomicInteger executed = new AtomicInteger();
    private final AtomicInteger failed = new AtomicInteger();

    ShardProxyTest()
    {
        final Shard[] shards = {origin, target};
        origin.connect(shards);
        target.connect(shards);
    }

    private final ShardCommand counting = new ShardCommand()
    {
        @Override
        public void execute(final Shard shard)
        {
            executed.incrementAndGet();
        }

        @Override
        public void onFailure(final Shard shard, final Throwable cause)
        {
            failed.incrementAndGet();
        }
    };

    @Test
    void commandsBeyondAFullInboxWaitInTheSendersCountedBacklogAndAllArrive()
    {
        final int commands = Shard.INBOX_CAPACITY + ShardProxy.BACKLOG_HIGH_WATER + 10;
        for (int i = 0; i < commands; i++)
        {
            origin.proxyTo(1).send(counting);
        }
        assertEquals(commands - Shard.INBOX_CAPACITY, origin.proxyTo(1).backlogSize());
        origin.doWork();
        assertTrue(origin.counters().inboxFull() > 0, "refused offers are counted");
        assertEquals(ShardProxy.BACKLOG_HIGH_WATER + 10, origin.counters().backlogDepth());
        assertTrue(origin.isBackPressured(), "past the high-water mark the sender takes no new requests");
        for (int cycle = 0; cycle < 10_000 && executed.get() < commands; cycle++)
        {
            target.doWork();
            origin.doWork();
        }
        assertEquals(commands, executed.get());
        assertEquals(0, origin.counters().backlogDepth());
        assertFalse(origin.isBackPressured());
    }

    @Test
    void aCommandThatThrowsRunsItsFailurePathAndIsCounted()
    {
        target.faultHook(command ->
        {
            throw new IllegalStateException("injected");
        });
        origin.proxyTo(1).send(counting);
        target.doWork();
        assertEquals(0, executed.get());
        assertEquals(1, failed.get());
        assertEquals(1, target.counters().commandFailures());
    }
}
