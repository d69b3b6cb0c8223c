package io.runnel.kernel.cleaner;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;

/** The cleaner's I/O throttle decides to sleep in proportion to how far over log.cleaner.io.max.bytes.per.second it is. */
class ThrottlerTest
{
    @Test
    void unlimitedNeverSleeps()
    {
        final Throttler throttler = new Throttler(Double.MAX_VALUE);
        throttler.maybeThrottle(1L << 40, () -> false);

        assertEquals(0, throttler.throttledNs());
    }

    @Test
    void ioFarAboveTheLimitIsToldToSleepUntilTheRateIsBackDownAndAStoppingCleanerDoesNotWaitItOut() throws InterruptedException
    {
        final Throttler throttler = new Throttler(1_000);
        final AtomicInteger stoppingChecks = new AtomicInteger();
        Thread.sleep(TimeUnit.NANOSECONDS.toMillis(Throttler.CHECK_INTERVAL_NS) + 10);

        // 1 MB at 1 kB/s is about 1000 s of sleep: the cleaner is stopping, so the call returns at once.
        throttler.maybeThrottle(1_000_000, () -> stoppingChecks.incrementAndGet() > 0);

        assertTrue(throttler.throttledNs() > TimeUnit.SECONDS.toNanos(900), "told to sleep " + throttler.throttledNs() + " ns");
        assertEquals(1, stoppingChecks.get());
    }

    @Test
    void ioWithinTheCheckIntervalIsOnlyCounted()
    {
        final Throttler throttler = new Throttler(1);
        throttler.maybeThrottle(1_000_000, () -> false);

        assertEquals(0, throttler.throttledNs(), "rates are measured over at least the check interval");
    }
}
