package io.runnel.bench.omb;

import java.io.IOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NoRouteToHostException;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Checks, before any Kafka client is created, that at least one bootstrap server accepts a TCP
 * connection. Without it an unreachable broker surfaces only after the Admin client's timeouts,
 * buried under the clients' warnings; with it the run fails in a few seconds with one line.
 */
public final class BootstrapCheck
{
    static final int CONNECT_TIMEOUT_MS = 3_000;

    private BootstrapCheck()
    {
    }

    /** A bootstrap server as written in {@code bootstrap.servers}. */
    record Address(String host, int port)
    {
        @Override
        public String toString()
        {
            return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
        }
    }

    /**
     * Returns when one of the servers in {@code bootstrapServers} accepts a connection; otherwise throws
     * a {@link BenchConfigException} such as {@code broker not reachable at 127.0.0.1:1234 (connection refused)}.
     */
    public static void requireReachable(final String bootstrapServers)
    {
        final List<Address> addresses = parse(bootstrapServers);
        final List<String> failures = new ArrayList<>();
        for (final Address address : addresses)
        {
            final String failure = connect(address);
            if (failure == null)
            {
                return;
            }
            failures.add(address + " (" + failure + ")");
        }
        throw new BenchConfigException("broker not reachable at " + String.join(", ", failures));
    }

    /** The comma-separated {@code host:port} list, every entry checked so that a typo is named, not timed out on. */
    static List<Address> parse(final String bootstrapServers)
    {
        if (bootstrapServers == null || bootstrapServers.isBlank())
        {
            throw new BenchConfigException("no bootstrap servers given (bootstrap.servers is empty)");
        }
        final List<Address> addresses = new ArrayList<>();
        for (final String raw : bootstrapServers.split(","))
        {
            final String entry = raw.trim();
            if (entry.isEmpty())
            {
                continue;
            }
            addresses.add(parseOne(entry));
        }
        if (addresses.isEmpty())
        {
            throw new BenchConfigException("no bootstrap servers given (bootstrap.servers is '" + bootstrapServers + "')");
        }
        return addresses;
    }

    private static Address parseOne(final String entry)
    {
        // host:port, or [ipv6]:port as the clients accept it.
        final int colon = entry.lastIndexOf(':');
        String host = colon > 0 ? entry.substring(0, colon) : "";
        if (host.startsWith("[") && host.endsWith("]"))
        {
            host = host.substring(1, host.length() - 1);
        }
        final String port = colon > 0 ? entry.substring(colon + 1) : "";
        if (host.isEmpty() || !port.matches("[0-9]{1,5}") || Integer.parseInt(port) < 1 || Integer.parseInt(port) > 65535 ||
            host.chars().anyMatch(Character::isWhitespace))
        {
            throw new BenchConfigException("bootstrap server '" + entry + "' is not host:port");
        }
        return new Address(host, Integer.parseInt(port));
    }

    /** Null when the address accepts a connection, else why not, in a few words. */
    private static String connect(final Address address)
    {
        final InetAddress[] ips;
        try
        {
            // Every address of the name, as the clients' default client.dns.lookup=use_all_dns_ips tries them.
            ips = InetAddress.getAllByName(address.host());
        }
        catch (final UnknownHostException ex)
        {
            return "unknown host";
        }
        String failure = "no address";
        for (final InetAddress ip : ips)
        {
            try (Socket socket = new Socket())
            {
                socket.connect(new InetSocketAddress(ip, address.port()), CONNECT_TIMEOUT_MS);
                return null;
            }
            catch (final NoRouteToHostException ex)
            {
                failure = "no route to host";
            }
            catch (final ConnectException ex)
            {
                // "Connection refused", "Network is unreachable", ...: the JDK's own words, lower-cased to read as one sentence.
                failure = ex.getMessage() == null ? "connection refused" : ex.getMessage().replaceFirst(" \\(.*\\)$", "").toLowerCase(Locale.ROOT);
            }
            catch (final SocketTimeoutException ex)
            {
                failure = "no answer within " + CONNECT_TIMEOUT_MS / 1000 + " s";
            }
            catch (final IOException ex)
            {
                failure = ex.getMessage() == null ? ex.getClass().getSimpleName() : ex.getMessage();
            }
        }
        return failure;
    }
}
