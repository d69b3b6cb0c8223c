package io.runnel.broker.config;

import org.apache.kafka.common.security.auth.SecurityProtocol;

/**
 * One listener of {@code listeners} or {@code advertised.listeners}: its name (upper case, as
 * Kafka normalises it), the security protocol {@code listener.security.protocol.map} gives the
 * name, and the address. An empty host in {@code listeners} binds every interface.
 */
public record ListenerEndpoint(String name, SecurityProtocol securityProtocol, String host, int port)
{
    /** The address as host:port, an IPv6 host in brackets. */
    public String address()
    {
        return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
    }

    /** The same listener at another host. */
    public ListenerEndpoint withHost(final String otherHost)
    {
        return new ListenerEndpoint(name, securityProtocol, otherHost, port);
    }

    /** As configured: NAME://host:port. */
    @Override
    public String toString()
    {
        return name + "://" + address();
    }
}
