package io.runnel.io.api;

import io.runnel.coordinator.group.GroupCoordinator;
import io.runnel.io.IoConfig;
import io.runnel.io.net.Reactor;
import io.runnel.kernel.LogManager;
import io.runnel.kernel.producer.ProducerIdAllocator;
import io.runnel.kernel.topic.Topic;
import io.runnel.kernel.topic.TopicRegistry;

/** Broker-wide services every handler may use; thread-safe. */
public record BrokerServices(LogManager logManager, IoConfig config, ProducerIdAllocator producerIds, GroupCoordinator[] coordinators,
    Reactor[] reactors)
{
    public BrokerServices(final LogManager logManager, final IoConfig config, final ProducerIdAllocator producerIds,
        final GroupCoordinator[] coordinators)
    {
        this(logManager, config, producerIds, coordinators, new Reactor[logManager.shardCount()]);
    }

    /** The group coordinator living on a shard. */
    public GroupCoordinator coordinator(final int shardId)
    {
        return coordinators[shardId];
    }

    /** The reactor of a shard; reactors register themselves as they are created. */
    public Reactor reactor(final int shardId)
    {
        return reactors[shardId];
    }

    /**
     * The topic of that name; auto-created with {@code num.partitions} when it does not exist,
     * {@code allowAutoCreate} is true and auto.create.topics.enable is on.
     */
    public Topic topicOrAutoCreate(final String name, final boolean allowAutoCreate)
    {
        final Topic topic = logManager.registry().snapshot().topic(name);
        if (topic != null || !allowAutoCreate || !config.autoCreateTopics() || !TopicRegistry.isLegalName(name))
        {
            return topic;
        }
        final Topic created = logManager.createTopic(name, config.numPartitions(), java.util.Map.of());
        return created != null ? created : logManager.registry().snapshot().topic(name);
    }
}
