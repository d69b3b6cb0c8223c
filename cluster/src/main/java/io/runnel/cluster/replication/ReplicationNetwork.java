package io.runnel.cluster.replication;

import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.IntFunction;

import io.aeron.Aeron;
import io.aeron.Subscription;
import io.runnel.kernel.shard.Shard;
import io.runnel.kernel.topic.TopicRegistry;
import org.agrona.CloseHelper;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A broker's end of partition replication: an Aeron client on the node's media driver, and the
 * UDP endpoint where its replication stream listens (registered with the quorum, so leaders and
 * followers on other nodes reach it). Every shard subscribes to that endpoint on its own and
 * takes the messages for the partitions it owns: subscriptions of one client to one channel share
 * its image, so a message crosses the network once and is read where it belongs, with no hop
 * between threads. Each shard sends through its own exclusive publications, one per peer.
 */
public final class ReplicationNetwork implements AutoCloseable
{
    /** The stream id of every replication message, either way. */
    static final int STREAM_ID = 1_001;

    private static final Logger LOG = LoggerFactory.getLogger(ReplicationNetwork.class);
    private static final long BIND_TIMEOUT_MS = 10_000;

    private final Aeron aeron;
    /**
     * The first subscription, which bound the port: it goes to the first shard's duty. Every
     * subscription of the channel must be polled, since the slowest one holds back the senders
     * (Aeron's flow control), so none is kept aside.
     */
    private Subscription listener;
    private final String channel;
    private final String endpoint;
    private final IntFunction<String> endpointOf;
    private final IsrChanges isrChanges;

    private ReplicationNetwork(final Aeron aeron, final Subscription listener, final String endpoint, final IntFunction<String> endpointOf,
        final IsrChanges isrChanges)
    {
        this.aeron = aeron;
        this.listener = listener;
        this.channel = listener.channel();
        this.endpoint = endpoint;
        this.endpointOf = endpointOf;
        this.isrChanges = isrChanges;
    }

    /**
     * Connects to the media driver in {@code aeronDirectoryName} and binds {@code host:port} (port 0:
     * any free one).
     *
     * @param endpointOf host:port of another broker's replication stream, by node id (null while unknown)
     * @param isrChanges where leaders ask for ISR changes
     */
    public static ReplicationNetwork start(final String aeronDirectoryName, final String host, final int port,
        final IntFunction<String> endpointOf, final IsrChanges isrChanges)
    {
        // One line per problem (the driver stopping first at shutdown, say), not Aeron's default stack trace on stderr.
        final Aeron aeron = Aeron.connect(new Aeron.Context().aeronDirectoryName(aeronDirectoryName).driverTimeoutMs(io.runnel.cluster.quorum.PauseTolerance.driverTimeoutMs()).clientName("replication")
            .errorHandler(throwable -> LOG.warn("replication Aeron client: {}", throwable.toString())));
        try
        {
            // Every shard subscribes to the same channel, which the driver then binds once; a channel naming
            // port 0 would be a new endpoint each time, so a free port is picked here first.
            final int chosen = port != 0 ? port : freeUdpPort(host);
            final Subscription listener = aeron.addSubscription(subscriptionChannel(host + ":" + chosen), STREAM_ID);
            final String bound = boundEndpoint(listener);
            LOG.info("replication stream listening on {}", bound);
            return new ReplicationNetwork(aeron, listener, bound, endpointOf, isrChanges);
        }
        catch (final RuntimeException ex)
        {
            CloseHelper.quietClose(aeron);
            throw ex;
        }
    }

    private static int freeUdpPort(final String host)
    {
        try (java.net.DatagramSocket socket = new java.net.DatagramSocket(new java.net.InetSocketAddress(host, 0)))
        {
            return socket.getLocalPort();
        }
        catch (final java.io.IOException ex)
        {
            throw new java.io.UncheckedIOException("no free UDP port on " + host + " for the replication stream", ex);
        }
    }

    private static String boundEndpoint(final Subscription subscription)
    {
        final long deadlineNs = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(BIND_TIMEOUT_MS);
        while (System.nanoTime() - deadlineNs < 0)
        {
            final List<String> addresses = subscription.localSocketAddresses();
            if (!addresses.isEmpty())
            {
                return addresses.get(0);
            }
            try
            {
                Thread.sleep(5);
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while binding the replication stream", ex);
            }
        }
        throw new IllegalStateException("the replication stream did not bind " + subscription.channel() + " within " + BIND_TIMEOUT_MS + " ms");
    }

    /**
     * Where this broker listens. The receiver window and socket buffer are larger than Aeron's
     * defaults (128 KiB and the system's 208 KiB): one image carries every partition a peer's shard
     * leads or follows, and its window bounds what is in flight to this node from that shard.
     */
    static String subscriptionChannel(final String endpoint)
    {
        return "aeron:udp?endpoint=" + endpoint + "|rcv-wnd=" + RECEIVER_WINDOW + "|so-rcvbuf=" + SOCKET_BUFFER;
    }

    /**
     * To a peer's replication stream. A peer on a loopback address gets datagrams of up to 64 KiB
     * (loopback's MTU; TCP between brokers on one host gets segments that large too), a peer
     * elsewhere Aeron's 1408 bytes, which fit any Ethernet path.
     */
    static String publicationChannel(final String endpoint, final int termLength)
    {
        return "aeron:udp?endpoint=" + endpoint + "|term-length=" + termLength + "|so-sndbuf=" + SOCKET_BUFFER
            + "|mtu=" + mtuFor(endpoint);
    }

    /**
     * Decided from the address as written, never by resolving it: a publication is opened on a shard
     * thread, which a DNS lookup would block. Brokers register their advertised host, an address here.
     */
    static int mtuFor(final String endpoint)
    {
        final String host = endpoint.substring(0, endpoint.lastIndexOf(':'));
        final boolean loopback = host.startsWith("127.") || host.equals("localhost") || host.equals("[::1]") || host.equals("::1");
        return loopback ? LOOPBACK_MTU : NETWORK_MTU;
    }

    /** The largest UDP payload Aeron sends (a multiple of its 32-byte frame alignment). */
    static final int LOOPBACK_MTU = 65_504;
    /** Aeron's default: a datagram that fits a 1500-byte Ethernet frame. */
    static final int NETWORK_MTU = 1_408;
    private static final String RECEIVER_WINDOW = "2m";
    /** Within this machine's net.core.rmem_max and wmem_max (4 MiB); the kernel caps it there otherwise. */
    private static final String SOCKET_BUFFER = "2m";

    /** host:port where this broker's replication stream listens. */
    public String endpoint()
    {
        return endpoint;
    }

    /** The replication work of one shard: it leads and follows the replicated partitions the shard owns. */
    public ReplicaDuty dutyFor(final Shard shard, final TopicRegistry registry, final io.runnel.kernel.conductor.Conductor conductor,
        final ReplicationSettings settings)
    {
        final Subscription subscription = listener != null ? listener : aeron.addSubscription(channel, STREAM_ID);
        listener = null;
        return new ReplicaDuty(shard, registry, conductor, settings, aeron, subscription, endpointOf, isrChanges);
    }

    @Override
    public void close()
    {
        // Each duty closes its own subscription; one no duty took is closed here.
        CloseHelper.quietCloseAll(listener, aeron);
    }
}
