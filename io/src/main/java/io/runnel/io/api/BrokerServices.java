package io.runnel.io.api;

import io.runnel.coordinator.group.GroupCoordinator;
import io.runnel.io.IoConfig;
import io.runnel.kernel.LogManager;
import io.runnel.kernel.producer.ProducerIdAllocator;

/**
 * Broker-wide services every handler may use; thread-safe.
 *
 * @param faultHooks test hooks into request handling (unset in production)
 */
public record BrokerServices(LogManager logManager, IoConfig config, ProducerIdAllocator producerIds, GroupCoordinator[] coordinators,
    FaultHooks faultHooks)
{
    public BrokerServices(final LogManager logManager, final IoConfig config, final ProducerIdAllocator producerIds,
        final GroupCoordinator[] coordinators)
    {
        this(logManager, config, producerIds, coordinators, new FaultHooks());
    }

    /** The group coordinator living on a shard. */
    public GroupCoordinator coordinator(final int shardId)
    {
        return coordinators[shardId];
    }
}
