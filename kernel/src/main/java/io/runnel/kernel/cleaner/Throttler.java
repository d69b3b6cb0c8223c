package io.runnel.kernel.cleaner;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

/**
 * Holds the cleaner's I/O to log.cleaner.io.max.bytes.per.second over all its threads, as Kafka's
 * {@code Throttler} does: threads report the bytes they read and wrote; once a check interval has
 * passed, a thread that finds the rate above the limit sleeps as long as it takes to bring it back
 * down. Hand-written: Agrona has no rate limiter. Shared by the cleaner threads.
 */
final class Throttler
{
    /** Kafka's check interval: rates are measured over at least this long, so short bursts pass. */
    static final long CHECK_INTERVAL_NS = TimeUnit.MILLISECONDS.toNanos(300);
    /** Sleep in slices of at most this, so a stopping cleaner does not wait out a long throttle. */
    private static final long MAX_SLEEP_SLICE_NS = TimeUnit.MILLISECONDS.toNanos(100);

    private final double bytesPerSecond;
    private long periodStartNs = System.nanoTime();
    private double observedSincePeriodStart;
    private long throttledNs;

    Throttler(final double bytesPerSecond)
    {
        this.bytesPerSecond = bytesPerSecond;
    }

    /** Reports {@code bytes} of I/O and sleeps if the rate since the period began is above the limit. */
    void maybeThrottle(final long bytes, final BooleanSupplier stopping)
    {
        if (bytesPerSecond >= Double.MAX_VALUE || bytes <= 0)
        {
            return;
        }
        final long sleepNs;
        synchronized (this)
        {
            observedSincePeriodStart += bytes;
            final long now = System.nanoTime();
            final long elapsedNs = now - periodStartNs;
            if (elapsedNs < CHECK_INTERVAL_NS)
            {
                return;
            }
            final double rate = observedSincePeriodStart * TimeUnit.SECONDS.toNanos(1) / elapsedNs;
            sleepNs = rate > bytesPerSecond ? (long)(observedSincePeriodStart * TimeUnit.SECONDS.toNanos(1) / bytesPerSecond) - elapsedNs : 0;
            periodStartNs = now + Math.max(0, sleepNs);
            observedSincePeriodStart = 0;
            throttledNs += Math.max(0, sleepNs);
        }
        final long deadline = System.nanoTime() + sleepNs;
        long left;
        while ((left = deadline - System.nanoTime()) > 0 && !stopping.getAsBoolean())
        {
            LockSupport.parkNanos(Math.min(left, MAX_SLEEP_SLICE_NS));
        }
    }

    /** Nanoseconds the threads were told to sleep so far. */
    synchronized long throttledNs()
    {
        return throttledNs;
    }
}
