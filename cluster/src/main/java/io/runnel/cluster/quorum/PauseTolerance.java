package io.runnel.cluster.quorum;

import java.util.concurrent.TimeUnit;

import io.aeron.driver.MediaDriver;

/**
 * How long a whole node may stand still (a long GC pause, SIGSTOP, a stalled VM) and carry on
 * afterwards. Aeron's defaults give 10 s: an Aeron client whose own duty cycle or driver heartbeat
 * is older than that when it runs again takes the driver for dead and closes, and with it the
 * node's quorum member or replication, which do not come back by themselves. Every client and driver
 * of a node lives in its one JVM, so a longer limit delays only the detection of a hung thread in it,
 * never of another node: peers are still judged by the quorum's and replication's own timeouts.
 */
public final class PauseTolerance
{
    /** A pause shorter than this is survived. */
    public static final long PAUSE_NS = TimeUnit.SECONDS.toNanos(60);
    /** Aeron requires a publication's unblock timeout to exceed the client liveness timeout. */
    private static final long PUBLICATION_UNBLOCK_NS = PAUSE_NS + TimeUnit.SECONDS.toNanos(15);
    /** The Aeron clients that Aeron's archive and cluster create themselves read their driver timeout from this property. */
    private static final String DRIVER_TIMEOUT_PROPERTY = "aeron.driver.timeout";

    private PauseTolerance()
    {
    }

    /**
     * Sets the driver timeout that Aeron's own clients (the archive's, the consensus module's, the
     * service container's) read once, when Aeron's classes load: call it first thing in a process
     * (the broker's main does), before any Aeron class is used. A property set by the operator stays.
     */
    public static void installProcessDefaults()
    {
        if (System.getProperty(DRIVER_TIMEOUT_PROPERTY) == null)
        {
            System.setProperty(DRIVER_TIMEOUT_PROPERTY, Long.toString(TimeUnit.NANOSECONDS.toMillis(PAUSE_NS)));
        }
    }

    /** A driver context whose clients are kept through a pause. */
    static MediaDriver.Context apply(final MediaDriver.Context driver)
    {
        return driver.clientLivenessTimeoutNs(PAUSE_NS).publicationUnblockTimeoutNs(PUBLICATION_UNBLOCK_NS);
    }

    /** The driver timeout an Aeron client context of ours gets. */
    public static long driverTimeoutMs()
    {
        return TimeUnit.NANOSECONDS.toMillis(PAUSE_NS);
    }
}
