package io.runnel.io.api.group;

import java.util.List;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import java.util.function.Function;

import io.runnel.io.api.ApiShard;
import io.runnel.io.api.BrokerServices;
import io.runnel.io.api.RequestContext;
import io.runnel.io.api.TopicCreation;
import io.runnel.coordinator.group.GroupConfig;
import io.runnel.coordinator.group.GroupCoordinator;
import io.runnel.kernel.shard.Shard;
import io.runnel.kernel.shard.ShardCommand;
import io.runnel.kernel.topic.Leadership;
import io.runnel.kernel.topic.Topic;

/**
 * Sends group work to the shard that coordinates the group: the owner of the group's
 * {@code __consumer_offsets} partition (created through the conductor on first use, as Kafka
 * does). The answer comes back to the connection's shard; work that fails on the coordinator's
 * shard answers the request with its error response.
 */
final class GroupRouter
{
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(GroupRouter.class);

    private final ApiShard local;
    private final BrokerServices services;

    GroupRouter(final ApiShard local, final BrokerServices services)
    {
        this.local = local;
        this.services = services;
    }

    private GroupConfig config()
    {
        return services.coordinator(0).config();
    }

    /** The offsets topic, or null before its first use. */
    Topic offsetsTopic()
    {
        return services.logManager().registry().snapshot().topic(GroupConfig.OFFSETS_TOPIC);
    }

    /** Runs {@code then} on this shard once the offsets topic exists, asking the conductor to create it first if need be. */
    void withOffsetsTopic(final RequestContext context, final Runnable then)
    {
        final List<String> missing = offsetsTopic() == null ? List.of(GroupConfig.OFFSETS_TOPIC) : List.of();
        // Replicated as configured where partitions replicate; one replica otherwise (a single node, or replication off).
        final short replicas = (short)Math.min(config().offsetsTopicReplicationFactor(), services.cluster().maxReplicationFactor());
        TopicCreation.createThen(local, context, missing, config().offsetsTopicPartitions(), replicas, GroupConfig.OFFSETS_TOPIC_CONFIGS, () ->
        {
            if (offsetsTopic() == null)
            {
                context.fail(new org.apache.kafka.common.errors.CoordinatorNotAvailableException(
                    "the offsets topic could not be created"));
                return;
            }
            then.run();
        });
    }

    /** The leadership of a group's offsets partition: its leader is the group's coordinator. The offsets topic must exist. */
    Leadership coordinatorLeadership(final String groupId)
    {
        return offsetsTopic().partition(config().partitionFor(groupId)).leadership();
    }

    /** The coordinating shard of a group; the offsets topic must exist. */
    int coordinatorShard(final String groupId)
    {
        return offsetsTopic().partition(config().partitionFor(groupId)).shard();
    }

    /**
     * Runs {@code work} on the group's coordinator; whatever it passes to its callback (now or
     * later, on the coordinator's shard) is delivered to {@code onResult} on this shard.
     */
    <T> void onCoordinator(final RequestContext context, final String groupId, final BiConsumer<GroupCoordinator, Consumer<T>> work,
        final Consumer<T> onResult)
    {
        withOffsetsTopic(context, () ->
        {
            if (!coordinatorLeadership(groupId).isLedBy(services.cluster().localNodeId()))
            {
                // In a cluster the group's coordinator is the broker leading its offsets partition: the client looks it up again.
                context.fail(new org.apache.kafka.common.errors.NotCoordinatorException("this broker does not lead the offsets partition of "
                    + groupId));
                return;
            }
            local.send(coordinatorShard(groupId), new CoordinatorWork<>(context, work, onResult));
        });
    }

    /** Runs {@code work} on every shard's coordinator, hands each answer to {@code onEach} here, then runs {@code afterAll}. */
    <T> void onEveryCoordinator(final RequestContext context, final Function<GroupCoordinator, T> work, final Consumer<T> onEach,
        final Runnable afterAll)
    {
        final int shards = services.logManager().shardCount();
        final int[] pending = {shards};
        final Consumer<T> gather = result ->
        {
            onEach.accept(result);
            if (--pending[0] == 0)
            {
                afterAll.run();
            }
        };
        for (int shard = 0; shard < shards; shard++)
        {
            local.send(shard, new CoordinatorWork<T>(context, (coordinator, done) -> done.accept(work.apply(coordinator)), gather));
        }
    }

    /** Group work on the coordinator's shard; its answer, or its failure, goes back to the request's shard. */
    private final class CoordinatorWork<T> implements ShardCommand
    {
        private final RequestContext context;
        private final BiConsumer<GroupCoordinator, Consumer<T>> work;
        private final Consumer<T> onResult;

        CoordinatorWork(final RequestContext context, final BiConsumer<GroupCoordinator, Consumer<T>> work, final Consumer<T> onResult)
        {
            this.context = context;
            this.work = work;
            this.onResult = onResult;
        }

        @Override
        public void execute(final Shard shard)
        {
            work.accept(services.coordinator(shard.id()), result -> shard.proxyTo(local.id()).send(new Deliver<>(context, onResult, result)));
        }

        @Override
        public void onFailure(final Shard shard, final Throwable cause)
        {
            shard.proxyTo(local.id()).send(new Fail(context, cause));
        }
    }

    /** A coordinator's answer, on the request's shard. */
    private record Deliver<T>(RequestContext context, Consumer<T> onResult, T result) implements ShardCommand
    {
        @Override
        public void execute(final Shard shard)
        {
            onResult.accept(result);
        }

        @Override
        public void onFailure(final Shard shard, final Throwable cause)
        {
            context.fail(cause);
        }
    }

    /** A coordinator's failure, on the request's shard: the request is answered with its error response. */
    private record Fail(RequestContext context, Throwable cause) implements ShardCommand
    {
        @Override
        public void execute(final Shard shard)
        {
            context.fail(cause);
        }

        @Override
        public void onFailure(final Shard shard, final Throwable failure)
        {
            // fail() closes the connection itself when no error response can be built; nothing is left to try.
            LOG.error("shard {}: could not answer a failed group request", shard.id(), failure);
        }
    }
}
