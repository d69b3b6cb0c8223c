package io.runnel.broker.config;

import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.security.auth.SecurityProtocol;

/** {@code listener.security.protocol.map}: which security protocol each listener name speaks. */
public final class SecurityProtocolMap
{
    /** Kafka's default: every security protocol is a listener name of its own. */
    public static final String KAFKA_DEFAULT = "SASL_SSL:SASL_SSL,PLAINTEXT:PLAINTEXT,SSL:SSL,SASL_PLAINTEXT:SASL_PLAINTEXT";

    private static final String VALID_PROTOCOLS = Arrays.stream(SecurityProtocol.values()).map(SecurityProtocol::name)
        .collect(Collectors.joining(", "));

    private SecurityProtocolMap()
    {
    }

    /**
     * Parses NAME:PROTOCOL,... into a map from upper-case listener name to protocol, in the given order.
     *
     * @throws ConfigException naming {@code key} for a malformed entry, an unknown protocol or a name given twice
     */
    public static Map<String, SecurityProtocol> parse(final String key, final String value)
    {
        final Map<String, SecurityProtocol> protocols = new LinkedHashMap<>();
        if (value.isBlank())
        {
            return Collections.unmodifiableMap(protocols);
        }
        for (final String entry : value.split(","))
        {
            final String[] nameAndProtocol = entry.trim().split(":", -1);
            if (nameAndProtocol.length != 2 || !ListenerList.isListenerName(nameAndProtocol[0].trim()))
            {
                throw new ConfigException(key, value, "each entry must be NAME:PROTOCOL, not '" + entry.trim() + "'");
            }
            final String name = nameAndProtocol[0].trim().toUpperCase(Locale.ROOT);
            final SecurityProtocol protocol = protocol(nameAndProtocol[1].trim());
            if (protocol == null)
            {
                throw new ConfigException(key, value, "'" + nameAndProtocol[1].trim() + "' is not a security protocol (" + VALID_PROTOCOLS + ")");
            }
            if (protocols.put(name, protocol) != null)
            {
                throw new ConfigException(key, value, "listener name " + name + " appears twice");
            }
        }
        return Collections.unmodifiableMap(protocols);
    }

    private static SecurityProtocol protocol(final String name)
    {
        try
        {
            return SecurityProtocol.forName(name);
        }
        catch (final IllegalArgumentException ex)
        {
            return null;
        }
    }
}
