package io.runnel.kernel.metadata;

/**
 * Where clients reach a broker: its node id, the host and port it advertises, and its rack (null
 * when broker.rack is unset), as Metadata, DescribeCluster and FindCoordinator report it.
 */
public record BrokerEndpoint(int nodeId, String host, int port, String rack)
{
}
