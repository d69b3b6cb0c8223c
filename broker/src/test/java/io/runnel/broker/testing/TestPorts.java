package io.runnel.broker.testing;

import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Ports for cluster nodes, taken from below the kernel's ephemeral range.
 *
 * <p>A cluster node binds fixed UDP ports next to its TCP ones: its quorum's five (the controller
 * port and the four above it) and its replication port (the client port's number). A port the kernel
 * handed out as ephemeral (a listener on port 0) is free on TCP only: any process's UDP socket may
 * already hold the same number on UDP, or be given it between the choice and the bind. The nodes' own
 * Aeron senders take ephemeral UDP ports all the time, so a node failed to start with "Address already
 * in use" now and then. The kernel never hands out ports below its range unasked. Each port returned
 * here was free on TCP and UDP when chosen, and this JVM returns none twice until its walk through the range
 * wraps round (some 2,000 reservations; a whole test run makes a few hundred).
 */
public final class TestPorts
{
    private static final int LOWEST = 10_000;
    private static final int STRIDE = 10;
    private static final int ATTEMPTS = 500;
    private static final int HIGHEST = belowEphemeralRange();
    /** A random start, so that two test runs on one machine (two checkouts) seldom try the same ports. */
    private static final AtomicInteger NEXT = new AtomicInteger(LOWEST + STRIDE * ThreadLocalRandom.current().nextInt((HIGHEST - LOWEST) / STRIDE));

    private TestPorts()
    {
    }

    /** The first of {@code count} consecutive ports (at most {@link #STRIDE}) free on TCP and UDP on 127.0.0.1. */
    public static int reserve(final int count)
    {
        if (count < 1 || count > STRIDE)
        {
            throw new IllegalArgumentException("between 1 and " + STRIDE + " ports at a time, not " + count);
        }
        for (int attempt = 0; attempt < ATTEMPTS; attempt++)
        {
            final int base = NEXT.getAndUpdate(port -> port + STRIDE + count > HIGHEST ? LOWEST : port + STRIDE);
            if (allFree(base, count))
            {
                return base;
            }
        }
        throw new IllegalStateException("no " + count + " free ports between " + LOWEST + " and " + HIGHEST);
    }

    private static boolean allFree(final int base, final int count)
    {
        for (int port = base; port < base + count; port++)
        {
            try (ServerSocket tcp = new ServerSocket(port, 1, InetAddress.getByName(BrokerUnderTest.HOST));
                DatagramSocket udp = new DatagramSocket(new InetSocketAddress(BrokerUnderTest.HOST, port)))
            {
                tcp.getLocalPort();
                udp.getLocalPort();
            }
            catch (final IOException ex)
            {
                return false;
            }
        }
        return true;
    }

    /** The port below the kernel's ephemeral range (net.ipv4.ip_local_port_range; Linux's default starts at 32768). */
    private static int belowEphemeralRange()
    {
        int first = 32_768;
        try
        {
            first = Integer.parseInt(Files.readAllLines(Path.of("/proc/sys/net/ipv4/ip_local_port_range")).get(0).trim().split("\\s+")[0]);
        }
        catch (final IOException | RuntimeException ex)
        {
            // not Linux, or not readable: the default range
        }
        if (first - LOWEST < 100 * STRIDE)
        {
            throw new IllegalStateException("the ephemeral port range starts at " + first + ": too low for cluster tests' ports");
        }
        return first - 1;
    }
}
