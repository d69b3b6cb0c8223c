package io.runnel.broker.config;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.security.auth.SecurityProtocol;

/**
 * A {@code listeners} or {@code advertised.listeners} value (a list): NAME://host:port entries, as Kafka
 * writes them ({@code PLAINTEXT://127.0.0.1:9092,CONTROLLER://:9093}, an IPv6 host in brackets).
 * Names are unique; in {@code listeners} ports are too, except one IPv4 and one IPv6 listener may
 * share a port (Kafka's rule), and port 0 binds an ephemeral port.
 */
final class ListenerList
{
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_-]+");
    private static final Pattern ENTRY = Pattern.compile("(" + NAME.pattern() + ")://\\[?([0-9a-zA-Z\\-%._:]*)]?:(-?[0-9]{1,6})");
    private static final Pattern IPV4 = Pattern.compile("[0-9]{1,3}(\\.[0-9]{1,3}){3}");
    private static final int MAX_PORT = 65_535;

    /** One entry before its name is mapped to a protocol. */
    private record Entry(String name, String host, int port)
    {
    }

    private ListenerList()
    {
    }

    /** Whether {@code name} can name a listener (letters, digits, '_' and '-'). */
    static boolean isListenerName(final String name)
    {
        return NAME.matcher(name).matches();
    }

    /**
     * What a declared key can check alone: every entry is NAME://host:port, names are unique and,
     * in {@code listeners}, so are ports.
     *
     * @throws ConfigException naming {@code key} otherwise
     */
    static void checkSyntax(final String key, final List<String> value)
    {
        entries(key, value);
    }

    /**
     * Parses the value, giving each listener the security protocol its name maps to.
     *
     * @throws ConfigException naming {@code key} for a malformed entry, a name given twice, a port
     *                         given twice in {@code listeners}, or a name {@code protocols} lacks
     */
    static List<ListenerEndpoint> parse(final String key, final List<String> entries, final Map<String, SecurityProtocol> protocols)
    {
        final String value = String.join(",", entries);
        final List<ListenerEndpoint> listeners = new ArrayList<>();
        for (final Entry entry : entries(key, entries))
        {
            final SecurityProtocol protocol = protocols.get(entry.name);
            if (protocol == null)
            {
                throw new ConfigException(key, value, "listener.security.protocol.map gives no security protocol for the listener name "
                    + entry.name);
            }
            listeners.add(new ListenerEndpoint(entry.name, protocol, entry.host, entry.port));
        }
        return Collections.unmodifiableList(listeners);
    }

    private static List<Entry> entries(final String key, final List<String> texts)
    {
        final String value = String.join(",", texts);
        final List<Entry> entries = new ArrayList<>();
        final Set<String> names = new HashSet<>();
        if (texts.isEmpty())
        {
            throw new ConfigException(key, value, "name at least one listener");
        }
        for (final String text : texts)
        {
            final Matcher matcher = ENTRY.matcher(text.trim());
            if (!matcher.matches())
            {
                throw new ConfigException(key, value, "each listener must be NAME://host:port, not '" + text.trim() + "'");
            }
            final String name = matcher.group(1).toUpperCase(Locale.ROOT);
            final int port = Integer.parseInt(matcher.group(3));
            if (port < 0 || port > MAX_PORT)
            {
                throw new ConfigException(key, value, "port " + port + " of " + name + " is not in 0-" + MAX_PORT);
            }
            if (!names.add(name))
            {
                throw new ConfigException(key, value, "each listener must have its own name; " + name + " appears twice");
            }
            entries.add(new Entry(name, matcher.group(2), port));
        }
        if (BrokerConfigDef.LISTENERS.equals(key))
        {
            checkDistinctPorts(key, value, entries);
        }
        return entries;
    }

    /** Advertised listeners may share a port (a load balancer's); bound ones may not, but for one IPv4 and one IPv6 listener. */
    private static void checkDistinctPorts(final String key, final String value, final List<Entry> entries)
    {
        final Map<Integer, List<Entry>> byPort = new HashMap<>();
        for (final Entry entry : entries)
        {
            if (entry.port != 0)
            {
                byPort.computeIfAbsent(entry.port, port -> new ArrayList<>()).add(entry);
            }
        }
        for (final Map.Entry<Integer, List<Entry>> shared : byPort.entrySet())
        {
            final List<Entry> sharing = shared.getValue();
            final boolean ipv4AndIpv6 = sharing.size() == 2 && isIpv4(sharing.get(0).host) != isIpv4(sharing.get(1).host)
                && (isIpv6(sharing.get(0).host) || isIpv6(sharing.get(1).host));
            if (sharing.size() > 1 && !ipv4AndIpv6)
            {
                throw new ConfigException(key, value, "each listener must have its own port; " + sharing.get(0).name + " and "
                    + sharing.get(1).name + " share " + shared.getKey());
            }
        }
    }

    private static boolean isIpv4(final String host)
    {
        return IPV4.matcher(host).matches();
    }

    private static boolean isIpv6(final String host)
    {
        return host.indexOf(':') >= 0;
    }
}
