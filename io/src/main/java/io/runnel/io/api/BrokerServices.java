package io.runnel.io.api;

import io.runnel.coordinator.group.GroupCoordinator;
import io.runnel.io.BrokerConfigs;
import io.runnel.io.IoConfig;
import io.runnel.kernel.LogManager;
import io.runnel.kernel.metadata.BrokerEndpoint;
import io.runnel.kernel.metadata.ClusterView;
import io.runnel.kernel.producer.ProducerIds;

/**
 * Broker-wide services every handler may use; thread-safe.
 *
 * @param faultHooks    test hooks into request handling (unset in production)
 * @param brokerConfigs the broker's settings as they are now (DescribeConfigs) and how its dynamic keys change
 * @param cluster       the brokers and controller clients are told of (Metadata, DescribeCluster, FindCoordinator)
 */
public record BrokerServices(LogManager logManager, IoConfig config, ProducerIds producerIds, GroupCoordinator[] coordinators,
    FaultHooks faultHooks, BrokerConfigs brokerConfigs, ClusterView cluster)
{
    /** A single node: it is the whole cluster. */
    public BrokerServices(final LogManager logManager, final IoConfig config, final ProducerIds producerIds,
        final GroupCoordinator[] coordinators, final FaultHooks faultHooks, final BrokerConfigs brokerConfigs)
    {
        this(logManager, config, producerIds, coordinators, faultHooks, brokerConfigs, singleNode(config));
    }

    /** Settings fixed at start-up ({@link IoConfig#describedConfigs()}): for tools and tests that run handlers without a broker. */
    public BrokerServices(final LogManager logManager, final IoConfig config, final ProducerIds producerIds,
        final GroupCoordinator[] coordinators)
    {
        this(logManager, config, producerIds, coordinators, new FaultHooks());
    }

    public BrokerServices(final LogManager logManager, final IoConfig config, final ProducerIds producerIds,
        final GroupCoordinator[] coordinators, final FaultHooks faultHooks)
    {
        this(logManager, config, producerIds, coordinators, faultHooks, BrokerConfigs.fixed(config.describedConfigs()));
    }

    private static ClusterView singleNode(final IoConfig config)
    {
        return ClusterView.singleNode(config.clusterId(), new BrokerEndpoint(config.nodeId(), config.advertisedHost(), config.advertisedPort(), null));
    }

    /** The group coordinator living on a shard. */
    public GroupCoordinator coordinator(final int shardId)
    {
        return coordinators[shardId];
    }
}
