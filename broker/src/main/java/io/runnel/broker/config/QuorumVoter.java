package io.runnel.broker.config;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.utils.Utils;

/**
 * One voter of {@code controller.quorum.voters}: {@code id@host:port}, the node id of a controller
 * and the address of its first controller listener. This is where the config side parses and
 * checks the voter list (and the host:port entries of {@code controller.quorum.bootstrap.servers});
 * the quorum derives its Aeron endpoints from the parsed voters.
 */
public record QuorumVoter(int id, String host, int port)
{
    /** What a voter entry looks like, for messages. */
    public static final String FORM = "{id}@{host}:{port}";
    /** Kafka's non-routable meta-address: binds every interface, reaches none. */
    private static final String NON_ROUTABLE_HOST = "0.0.0.0";
    private static final int MAX_PORT = 65_535;

    /**
     * Parses the entries of {@code controller.quorum.voters}.
     *
     * @throws ConfigException naming {@code key} for a malformed entry, an id below 0, an unroutable
     *                         host, a port out of 1-65535, or an id or address given twice
     */
    public static List<QuorumVoter> parseList(final String key, final List<String> entries)
    {
        final String value = String.join(",", entries);
        final List<QuorumVoter> voters = new ArrayList<>();
        final Map<Integer, QuorumVoter> byId = new HashMap<>();
        final Map<String, QuorumVoter> byAddress = new HashMap<>();
        for (final String entry : entries)
        {
            final String[] idAndAddress = entry.split("@", -1);
            if (idAndAddress.length != 2)
            {
                throw new ConfigException(key, value, "each voter must be " + FORM + ", not '" + entry + "'");
            }
            final int id = id(key, value, entry, idAndAddress[0]);
            final InetSocketAddress address = hostAndPort(key, value, entry, idAndAddress[1], FORM);
            final QuorumVoter voter = new QuorumVoter(id, address.getHostString(), address.getPort());
            final QuorumVoter sameId = byId.put(id, voter);
            if (sameId != null)
            {
                throw new ConfigException(key, value, "voter id " + id + " appears twice (" + sameId + ", " + voter + ")");
            }
            final QuorumVoter sameAddress = byAddress.put(voter.address(), voter);
            if (sameAddress != null)
            {
                throw new ConfigException(key, value, "voters " + sameAddress.id + " and " + id + " have the same address " + voter.address());
            }
            voters.add(voter);
        }
        return Collections.unmodifiableList(voters);
    }

    /**
     * Parses the host:port entries of {@code controller.quorum.bootstrap.servers}.
     *
     * @throws ConfigException naming {@code key} for a malformed entry or a port out of 1-65535
     */
    public static List<InetSocketAddress> parseBootstrapServers(final String key, final List<String> entries)
    {
        final String value = String.join(",", entries);
        final List<InetSocketAddress> servers = new ArrayList<>();
        for (final String entry : entries)
        {
            servers.add(hostAndPort(key, value, entry, entry, "{host}:{port}"));
        }
        return Collections.unmodifiableList(servers);
    }

    /** The canonical {@code controller.quorum.voters} value of {@code voters}. */
    public static String format(final List<QuorumVoter> voters)
    {
        return voters.stream().map(QuorumVoter::toString).collect(Collectors.joining(","));
    }

    /** host:port, an IPv6 host in brackets. */
    public String address()
    {
        return Utils.formatAddress(host, port);
    }

    /** As in controller.quorum.voters: id@host:port. */
    @Override
    public String toString()
    {
        return id + "@" + address();
    }

    private static int id(final String key, final String value, final String entry, final String text)
    {
        final int id;
        try
        {
            id = Integer.parseInt(text.trim());
        }
        catch (final NumberFormatException ex)
        {
            throw new ConfigException(key, value, "the voter id of '" + entry + "' is not a number");
        }
        if (id < 0)
        {
            throw new ConfigException(key, value, "the voter id of '" + entry + "' is negative");
        }
        return id;
    }

    /** An unresolved address: the config names hosts, it does not look them up. */
    private static InetSocketAddress hostAndPort(final String key, final String value, final String entry, final String text,
        final String form)
    {
        final String host = Utils.getHost(text.trim());
        if (host == null || !Utils.validHostPattern(host))
        {
            throw new ConfigException(key, value, "each entry must be " + form + ", not '" + entry + "'");
        }
        if (host.isEmpty())
        {
            throw new ConfigException(key, value, "no host in '" + entry + "'");
        }
        if (host.equals(NON_ROUTABLE_HOST))
        {
            throw new ConfigException(key, value, "'" + entry + "' names 0.0.0.0, which reaches no host");
        }
        final Integer port;
        try
        {
            port = Utils.getPort(text.trim());
        }
        catch (final NumberFormatException ex)
        {
            throw new ConfigException(key, value, "the port of '" + entry + "' is not in 1-" + MAX_PORT);
        }
        if (port == null || port < 1 || port > MAX_PORT)
        {
            throw new ConfigException(key, value, "the port of '" + entry + "' is not in 1-" + MAX_PORT);
        }
        return InetSocketAddress.createUnresolved(host, port);
    }
}
