package io.runnel.cluster.replication;

import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ReplicationThrottleTest
{
    @Test
    void unlimitedAllowsEverything()
    {
        final ReplicationThrottle throttle = ReplicationThrottle.unlimited();
        throttle.record(Long.MAX_VALUE / 2, 0);
        assertTrue(throttle.allows(0));
    }

    @Test
    void aMessageBeyondTheRateHoldsTheNextOneBackUntilTheRateHasPaidForIt()
    {
        final ReplicationThrottle throttle = new ReplicationThrottle(() -> 1_000);
        assertTrue(throttle.allows(0), "a new throttle starts with a second's worth");
        throttle.record(3_000, 0);
        assertFalse(throttle.allows(0));
        assertFalse(throttle.allows(1_999), "2 of the 3 seconds' debt are paid");
        assertTrue(throttle.allows(2_001));
    }

    @Test
    void anIdleStretchSavesUpAtMostOneSecond()
    {
        final ReplicationThrottle throttle = new ReplicationThrottle(() -> 1_000);
        assertTrue(throttle.allows(0));
        assertTrue(throttle.allows(60_000));
        throttle.record(1_500, 60_000);
        assertFalse(throttle.allows(60_000), "a minute idle saved up no more than 1,000 bytes");
        assertTrue(throttle.allows(60_501));
    }

    @Test
    void theRateInForceIsReadAtEachUse()
    {
        final AtomicLong rate = new AtomicLong(0);
        final ReplicationThrottle throttle = new ReplicationThrottle(rate::get);
        assertFalse(throttle.allows(0), "a zero rate lets nothing through");
        assertFalse(throttle.allows(10_000));
        rate.set(Long.MAX_VALUE);
        assertTrue(throttle.allows(10_000), "lifting the throttle lets everything through at once");
        rate.set(100);
        throttle.record(10_000, 10_000);
        assertFalse(throttle.allows(10_000));
        rate.set(1_000_000);
        assertFalse(throttle.allows(10_009), "10 KB of debt at 1 MB/s takes 10 ms");
        assertTrue(throttle.allows(10_011), "a higher rate pays the debt faster");
    }
}
