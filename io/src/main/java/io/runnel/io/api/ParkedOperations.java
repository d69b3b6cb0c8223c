package io.runnel.io.api;

import java.util.ArrayList;
import java.util.concurrent.TimeUnit;

import io.runnel.kernel.shard.ShardDuty;
import org.agrona.collections.Long2ObjectHashMap;
import org.agrona.DeadlineTimerWheel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The long-poll requests parked on one shard. Deadlines live in an Agrona
 * {@link DeadlineTimerWheel}, so expiry costs the same however many requests are parked;
 * readiness (a partition's high watermark moving past the fetch) is a volatile read per parked
 * request per duty cycle. Shard thread only.
 */
public final class ParkedOperations implements ShardDuty
{
    /** Deadlines are in milliseconds: one tick per millisecond, 512 ticks per turn of the wheel. */
    private static final long TICK_MS = 1;
    private static final int TICKS_PER_WHEEL = 512;
    private static final int MAX_EXPIRIES_PER_CYCLE = 1024;
    private static final Logger LOG = LoggerFactory.getLogger(ParkedOperations.class);

    private final DeadlineTimerWheel deadlines;
    private final Long2ObjectHashMap<ParkedOperation> byTimer = new Long2ObjectHashMap<>();
    /** Operations to resume this cycle, collected first because resuming may park them again. */
    private final ArrayList<ParkedOperation> resuming = new ArrayList<>();
    private final DeadlineTimerWheel.TimerHandler onDeadline = this::onDeadline;
    private long lastDeadlinePollMs = Long.MIN_VALUE;

    public ParkedOperations(final long startMs)
    {
        this.deadlines = new DeadlineTimerWheel(TimeUnit.MILLISECONDS, startMs, TICK_MS, TICKS_PER_WHEEL);
    }

    /** Parks an operation until it is ready or {@code deadlineMs} comes. */
    public void park(final ParkedOperation operation, final long deadlineMs)
    {
        byTimer.put(deadlines.scheduleTimer(deadlineMs), operation);
    }

    /** True while something is parked: the idle strategy must keep polling. */
    public boolean needsPolling()
    {
        return !byTimer.isEmpty();
    }

    public int size()
    {
        return byTimer.size();
    }

    @Override
    public int doWork(final long nowMs)
    {
        if (byTimer.isEmpty())
        {
            return 0;
        }
        // Deadlines are milliseconds: only the first of a millisecond's many duty cycles polls the wheel.
        if (nowMs != lastDeadlinePollMs)
        {
            lastDeadlinePollMs = nowMs;
            deadlines.poll(nowMs, onDeadline, MAX_EXPIRIES_PER_CYCLE);
        }
        for (final Long2ObjectHashMap<ParkedOperation>.EntryIterator it = byTimer.entrySet().iterator(); it.hasNext(); )
        {
            it.next();
            final ParkedOperation operation = it.getValue();
            if (operation.isReady())
            {
                deadlines.cancelTimer(it.getLongKey());
                it.remove();
                resuming.add(operation);
            }
        }
        final int work = resuming.size();
        try
        {
            for (int i = 0; i < work; i++)
            {
                resumeOne(resuming.get(i), nowMs);
            }
        }
        finally
        {
            resuming.clear();
        }
        return work;
    }

    private static void resumeOne(final ParkedOperation operation, final long nowMs)
    {
        try
        {
            operation.resume(nowMs);
        }
        catch (final RuntimeException ex)
        {
            // An operation answers its own failures; this keeps one broken operation from stranding the others.
            LOG.error("a parked request failed to resume", ex);
        }
    }

    private boolean onDeadline(final TimeUnit unit, final long now, final long timerId)
    {
        final ParkedOperation operation = byTimer.remove(timerId);
        if (operation != null)
        {
            resuming.add(operation);
        }
        return true;
    }
}
