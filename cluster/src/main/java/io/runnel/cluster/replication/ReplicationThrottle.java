package io.runnel.cluster.replication;

import java.util.function.LongSupplier;

/**
 * One of a broker's replication quotas (KIP-73's leader.replication.throttled.rate or
 * follower.replication.throttled.rate): the bytes per second that all of this broker's shards
 * together may send to, or take in for, throttled replicas. A token bucket holding at most one
 * second of the rate: a throttled replica gets its next message while the bucket is not in debt,
 * and the message's bytes are taken once it is out (they may take the bucket below zero), so over
 * any longer stretch the throttled bytes stay within the rate plus one message. The rate is read
 * at each use: a dynamic config changes it without a restart.
 *
 * <p>Only throttled replicas ever touch it (a lock shared by the shards, taken once a message of
 * theirs), so replication of in-sync replicas costs nothing more.
 */
public final class ReplicationThrottle
{
    private static final long UNLIMITED_RATE = Long.MAX_VALUE;
    private static final double MS_PER_SECOND = 1_000.0;

    private final LongSupplier bytesPerSecond;
    private double tokens = Double.NaN;
    private long refilledAtMs;

    /** @param bytesPerSecond the rate in force, read at each use; {@link Long#MAX_VALUE}: no limit */
    public ReplicationThrottle(final LongSupplier bytesPerSecond)
    {
        this.bytesPerSecond = bytesPerSecond;
    }

    /** A throttle that never holds anything back. */
    public static ReplicationThrottle unlimited()
    {
        return new ReplicationThrottle(() -> UNLIMITED_RATE);
    }

    /** Whether a throttled replica may have its next message now. */
    public synchronized boolean allows(final long nowMs)
    {
        final long rate = bytesPerSecond.getAsLong();
        if (rate == UNLIMITED_RATE)
        {
            return true;
        }
        refill(rate, nowMs);
        return tokens > 0;
    }

    /** Takes a throttled replica's message of {@code bytes} from the bucket. */
    public synchronized void record(final long bytes, final long nowMs)
    {
        final long rate = bytesPerSecond.getAsLong();
        if (rate == UNLIMITED_RATE)
        {
            return;
        }
        refill(rate, nowMs);
        tokens -= bytes;
    }

    private void refill(final long rate, final long nowMs)
    {
        if (Double.isNaN(tokens))
        {
            // A new throttle starts with a full second's worth.
            tokens = rate;
        }
        else if (nowMs > refilledAtMs)
        {
            tokens = Math.min(rate, tokens + rate * ((nowMs - refilledAtMs) / MS_PER_SECOND));
        }
        // A lowered rate caps what was saved up at the old one.
        tokens = Math.min(tokens, rate);
        refilledAtMs = Math.max(refilledAtMs, nowMs);
    }
}
