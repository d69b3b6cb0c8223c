package io.runnel.kernel.threading;

import java.util.concurrent.locks.LockSupport;

import org.agrona.concurrent.IdleStrategy;

/**
 * Agrona's backoff (spin, yield, then park for exponentially longer up to a maximum) with the spin
 * and yield phases of {@link AdaptiveSpin}: for threads that poll and cannot block on their input,
 * such as the Aeron media driver, archive and consensus module under the metadata quorum and
 * partition replication. With Agrona's fixed phases, three replicating brokers' media drivers at
 * 10 MB/s spun and yielded through about 15 empty duty cycles (each a round of recvfrom calls) for
 * every one with work, since work came about every millisecond; here the phases shrink to one spin
 * while they keep finding nothing.
 */
public final class AdaptiveBackoffIdleStrategy implements IdleStrategy
{
    private final AdaptiveSpin phases;
    private final long minParkNs;
    private final long maxParkNs;
    private long parkNs;

    /**
     * @param spins     the longest spin phase, in empty duty cycles
     * @param yields    the longest yield phase, in empty duty cycles
     * @param minParkNs the first park after the phases
     * @param maxParkNs the longest park: parks double up to it
     */
    public AdaptiveBackoffIdleStrategy(final int spins, final int yields, final long minParkNs, final long maxParkNs)
    {
        if (minParkNs < 1 || maxParkNs < minParkNs)
        {
            throw new IllegalArgumentException("need 1 <= minParkNs <= maxParkNs: " + minParkNs + ", " + maxParkNs);
        }
        this.phases = new AdaptiveSpin(spins, yields);
        this.minParkNs = minParkNs;
        this.maxParkNs = maxParkNs;
        this.parkNs = minParkNs;
    }

    /** The phases as they stand now (tests). */
    AdaptiveSpin phases()
    {
        return phases;
    }

    /** How long the next park lasts (tests). */
    long nextParkNs()
    {
        return parkNs;
    }

    @Override
    public void idle(final int workCount)
    {
        if (workCount > 0)
        {
            phases.onWork();
            parkNs = minParkNs;
            return;
        }
        idle();
    }

    @Override
    public void idle()
    {
        if (!phases.spinOrYield())
        {
            LockSupport.parkNanos(parkNs);
            parkNs = Math.min(parkNs << 1, maxParkNs);
        }
    }

    @Override
    public void reset()
    {
        phases.reset();
        parkNs = minParkNs;
    }

    @Override
    public String alias()
    {
        return "adaptive-backoff";
    }
}
