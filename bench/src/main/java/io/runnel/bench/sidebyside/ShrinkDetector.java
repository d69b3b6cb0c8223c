package io.runnel.bench.sidebyside;

import java.time.Duration;

/**
 * Tells from successive samples of a compacted log's size when its cleaning is over. Nothing else
 * writes to that log while it is watched, so any fall in size is the cleaner's work: cleaning has
 * begun at the first sample below the size at the start, and it is over once the size has not
 * fallen for {@code settle}. A cleaner that never makes the log smaller within {@code startTimeout}
 * (none configured, or not written yet) is reported as such rather than waited for.
 */
final class ShrinkDetector
{
    /** Where the watch stands after a sample. */
    enum State
    {
        /** No shrink yet, still within the start timeout. */
        WAITING,
        /** The log has shrunk, and the last shrink is more recent than the settle time. */
        SHRINKING,
        /** The log shrank and then stayed put for the settle time: cleaning is over. */
        SETTLED,
        /** The log did not shrink within the start timeout. */
        NEVER_SHRANK;

        boolean finished()
        {
            return this == SETTLED || this == NEVER_SHRANK;
        }
    }

    private final long startNanos;
    private final long sizeBefore;
    private final long startTimeoutNanos;
    private final long settleNanos;
    private long smallest;
    private long firstShrinkNanos = -1;
    private long lastShrinkNanos = -1;
    private State state = State.WAITING;

    ShrinkDetector(final long startNanos, final long sizeBefore, final Duration startTimeout, final Duration settle)
    {
        this.startNanos = startNanos;
        this.sizeBefore = sizeBefore;
        this.startTimeoutNanos = startTimeout.toNanos();
        this.settleNanos = settle.toNanos();
        this.smallest = sizeBefore;
    }

    /** Takes the log's size at {@code nanos} (System.nanoTime, not before the start) and says where the watch stands. */
    State sample(final long nanos, final long size)
    {
        if (state.finished())
        {
            return state;
        }
        if (size < smallest)
        {
            smallest = size;
            lastShrinkNanos = nanos;
            if (firstShrinkNanos < 0)
            {
                firstShrinkNanos = nanos;
            }
        }
        if (lastShrinkNanos < 0)
        {
            state = nanos - startNanos >= startTimeoutNanos ? State.NEVER_SHRANK : State.WAITING;
        }
        else
        {
            state = nanos - lastShrinkNanos >= settleNanos ? State.SETTLED : State.SHRINKING;
        }
        return state;
    }

    State state()
    {
        return state;
    }

    long sizeBefore()
    {
        return sizeBefore;
    }

    /** The smallest size seen: the size after cleaning once settled. */
    long smallestSize()
    {
        return smallest;
    }

    boolean shrank()
    {
        return lastShrinkNanos >= 0;
    }

    /** Seconds from the start to the first sample that showed a shrink; NaN if none did. */
    double secondsToFirstShrink()
    {
        return shrank() ? (firstShrinkNanos - startNanos) / 1e9 : Double.NaN;
    }

    /** Seconds from the start to the last sample that showed a shrink: the cleaning's wall time; NaN if it never shrank. */
    double secondsToLastShrink()
    {
        return shrank() ? (lastShrinkNanos - startNanos) / 1e9 : Double.NaN;
    }

    /** System.nanoTime of the last shrink seen, or -1. */
    long lastShrinkNanos()
    {
        return lastShrinkNanos;
    }
}
