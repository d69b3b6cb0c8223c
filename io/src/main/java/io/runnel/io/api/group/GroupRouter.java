package io.runnel.io.api.group;

import java.util.Map;
import java.util.function.BiConsumer;
import java.util.function.Consumer;

import io.runnel.coordinator.group.GroupConfig;
import io.runnel.coordinator.group.GroupCoordinator;
import io.runnel.io.api.BrokerServices;
import io.runnel.io.api.RequestContext;
import io.runnel.io.net.Reactor;
import io.runnel.kernel.topic.Topic;

/**
 * Sends group work to the shard that coordinates the group: the owner of the group's
 * {@code __consumer_offsets} partition. The answer comes back to the connection's shard.
 */
final class GroupRouter
{
    private final Reactor reactor;
    private final BrokerServices services;

    GroupRouter(final Reactor reactor, final BrokerServices services)
    {
        this.reactor = reactor;
        this.services = services;
    }

    /** The offsets topic, created on first use as Kafka does. */
    Topic offsetsTopic()
    {
        final Topic existing = services.logManager().registry().snapshot().topic(GroupConfig.OFFSETS_TOPIC);
        if (existing != null)
        {
            return existing;
        }
        final GroupConfig config = services.coordinator(0).config();
        final Topic created = services.logManager().createTopic(GroupConfig.OFFSETS_TOPIC, config.offsetsTopicPartitions(), Map.of());
        return created != null ? created : services.logManager().registry().snapshot().topic(GroupConfig.OFFSETS_TOPIC);
    }

    int coordinatorShard(final String groupId)
    {
        final GroupConfig config = services.coordinator(0).config();
        return offsetsTopic().partition(config.partitionFor(groupId)).shard();
    }

    /**
     * Runs {@code work} on the group's coordinator; whatever it passes to its callback (now or
     * later) is delivered to {@code onResult} on this reactor's shard.
     */
    <T> void onCoordinator(final RequestContext context, final String groupId, final BiConsumer<GroupCoordinator, Consumer<T>> work,
        final Consumer<T> onResult)
    {
        final int shardId = coordinatorShard(groupId);
        final Reactor origin = reactor;
        reactor.runOn(shardId, shard ->
        {
            final Reactor coordinatorReactor = services.reactor(shardId);
            work.accept(services.coordinator(shardId), result -> coordinatorReactor.reply(origin, () -> onResult.accept(result)));
        });
    }
}
