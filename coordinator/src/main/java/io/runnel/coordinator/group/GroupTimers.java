package io.runnel.coordinator.group;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

import org.agrona.DeadlineTimerWheel;
import org.agrona.collections.Long2ObjectHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The coordinator's deadlines (member sessions, rebalance and revocation timeouts, the offsets
 * retention check) on an Agrona {@link DeadlineTimerWheel}: scheduling, rescheduling on every
 * heartbeat and cancelling are O(1), and a poll touches only the timers of the ticks that passed
 * instead of sweeping every member. Like Kafka's coordinator timer, a timer has a key and
 * scheduling a key again replaces its previous deadline. A task produces a result (records to
 * append) that the coordinator applies like a request's. Single-threaded.
 */
final class GroupTimers
{
    /** What a timer is for: with the group and member it names, the key that identifies it. */
    enum Kind
    {
        CLASSIC_SESSION, CLASSIC_REBALANCE, CLASSIC_INITIAL_DELAY, CLASSIC_PENDING_MEMBER,
        CONSUMER_SESSION, CONSUMER_REVOCATION, OFFSETS_RETENTION
    }

    record Key(Kind kind, String groupId, String memberId)
    {
    }

    /** Runs when its deadline passes; returns what to append (or an empty result). */
    @FunctionalInterface
    interface Task
    {
        CoordinatorResult<?> run(long nowMs);
    }

    /**
     * A timer fires on the first poll at or after its deadline whatever the tick; the tick only
     * sets how many spokes a poll steps through after a pause. Deadlines are seconds (sessions,
     * rebalance timeouts), so 32 ms ticks cost nothing in precision.
     */
    private static final long TICK_MS = 32;
    /** 1024 ticks of 32 ms: one turn of the wheel covers about 33 s; later deadlines wait in their spoke for more turns. */
    private static final int TICKS_PER_WHEEL = 1024;
    /** A poll catches up at most this many ticks (about 4 minutes); a longer pause is caught up over the next cycles. */
    private static final int MAX_TICKS_PER_POLL = 8 * TICKS_PER_WHEEL;

    private static final Logger LOG = LoggerFactory.getLogger(GroupTimers.class);

    private record Timer(Key key, Task task, long timerId)
    {
    }

    private final DeadlineTimerWheel wheel;
    private final Long2ObjectHashMap<Timer> byId = new Long2ObjectHashMap<>();
    private final Map<Key, Timer> byKey = new HashMap<>();
    private final List<Timer> expired = new ArrayList<>();
    private long lastPollMs = Long.MIN_VALUE;
    private final DeadlineTimerWheel.TimerHandler onExpiry = this::onExpiry;

    GroupTimers(final long startMs)
    {
        wheel = new DeadlineTimerWheel(TimeUnit.MILLISECONDS, startMs, TICK_MS, TICKS_PER_WHEEL);
    }

    /** Schedules {@code task} at {@code deadlineMs}, replacing any timer with the same key. */
    void schedule(final Key key, final long deadlineMs, final Task task)
    {
        cancel(key);
        final long timerId = wheel.scheduleTimer(deadlineMs);
        final Timer timer = new Timer(key, task, timerId);
        byId.put(timerId, timer);
        byKey.put(key, timer);
    }

    void schedule(final Kind kind, final String groupId, final String memberId, final long deadlineMs, final Task task)
    {
        schedule(new Key(kind, groupId, memberId), deadlineMs, task);
    }

    void cancel(final Key key)
    {
        final Timer timer = byKey.remove(key);
        if (timer != null)
        {
            wheel.cancelTimer(timer.timerId());
            byId.remove(timer.timerId());
        }
    }

    void cancel(final Kind kind, final String groupId, final String memberId)
    {
        cancel(new Key(kind, groupId, memberId));
    }

    boolean isScheduled(final Kind kind, final String groupId, final String memberId)
    {
        return byKey.containsKey(new Key(kind, groupId, memberId));
    }

    int size()
    {
        return byKey.size();
    }

    /**
     * Expires every timer whose deadline is at or before {@code nowMs} and hands each task's
     * result to {@code apply}. Tasks run after the wheel has been polled, so they may schedule
     * and cancel timers freely.
     */
    int poll(final long nowMs, final Consumer<CoordinatorResult<?>> apply)
    {
        // Deadlines are milliseconds: a shard runs many duty cycles per millisecond, and only the first need look.
        if (nowMs == lastPollMs)
        {
            return 0;
        }
        lastPollMs = nowMs;
        if (wheel.timerCount() == 0)
        {
            // Nothing can be skipped over: jump straight to now instead of stepping through idle ticks.
            wheel.currentTickTime(nowMs);
            return 0;
        }
        // The wheel advances one tick per poll; step through the ticks that passed, then poll the one holding now.
        for (int i = 0; i < MAX_TICKS_PER_POLL; i++)
        {
            final boolean last = wheel.currentTickTime() > nowMs;
            wheel.poll(nowMs, onExpiry, Integer.MAX_VALUE);
            if (last)
            {
                break;
            }
        }
        final int count = expired.size();
        for (int i = 0; i < count; i++)
        {
            final Timer timer = expired.get(i);
            // An earlier task of this poll may have scheduled the key again (renewed it): then this expiry is stale.
            if (!byKey.containsKey(timer.key()))
            {
                try
                {
                    apply.accept(timer.task().run(nowMs));
                }
                catch (final RuntimeException ex)
                {
                    // One failing task must not stop the others, nor the shard.
                    LOG.error("group timer {} failed", timer.key(), ex);
                }
            }
        }
        expired.clear();
        return count;
    }

    private boolean onExpiry(final TimeUnit unit, final long now, final long timerId)
    {
        final Timer timer = byId.remove(timerId);
        if (timer != null)
        {
            byKey.remove(timer.key(), timer);
            expired.add(timer);
        }
        return true;
    }
}
