package io.runnel.cluster.quorum;

import org.agrona.nio.TransportPoller;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How a media driver looks for datagrams. Agrona's transport pollers, which Aeron's receiver and
 * sender use, try {@code recvfrom} on each of their sockets in turn while they have at most five
 * (Agrona's {@code org.agrona.transport.iteration.threshold}), and ask epoll which are ready when
 * they have more. A node's driver has about six sockets either way (replication, consensus, log,
 * ingress, archive control, and a sender's per destination), so a duty cycle without data made
 * four to five failed {@code recvfrom} calls: at 10 MB/s on three brokers 9 k/s of them per driver,
 * 96% returning EAGAIN. One {@code epoll_wait} per poller and cycle instead cut the drivers' CPU
 * by a quarter (results/2026-12-07-transport-polling).
 */
public final class TransportPolling
{
    /** Ask epoll at any number of sockets. */
    static final int ALWAYS_SELECT = 0;

    private static final Logger LOG = LoggerFactory.getLogger(TransportPolling.class);
    private static volatile boolean toldAlready;

    private TransportPolling()
    {
    }

    /**
     * Sets the threshold before Agrona's poller class loads, which reads it once: the broker's main
     * calls it first thing, and every driver launch of ours again (a no-op then). A value the
     * operator set stays.
     */
    public static void installProcessDefault()
    {
        if (System.getProperty(TransportPoller.ITERATION_THRESHOLD_PROP_NAME) == null)
        {
            System.setProperty(TransportPoller.ITERATION_THRESHOLD_PROP_NAME, Integer.toString(ALWAYS_SELECT));
        }
    }

    /**
     * As {@link #installProcessDefault()}; says once when the poller class had loaded before (some
     * other code launched a driver first), so its drivers keep another threshold.
     */
    static void beforeDriverLaunch()
    {
        installProcessDefault();
        final String wanted = System.getProperty(TransportPoller.ITERATION_THRESHOLD_PROP_NAME);
        if (!Integer.toString(TransportPoller.ITERATION_THRESHOLD).equals(wanted) && !toldAlready)
        {
            toldAlready = true;
            LOG.info("media drivers keep {}={}: the poller had loaded before it was set to {}", TransportPoller.ITERATION_THRESHOLD_PROP_NAME,
                TransportPoller.ITERATION_THRESHOLD, wanted);
        }
    }
}
