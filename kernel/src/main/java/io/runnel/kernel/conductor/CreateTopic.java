package io.runnel.kernel.conductor;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import io.runnel.kernel.log.PartitionLog;
import io.runnel.kernel.topic.Topic;

/**
 * Creates a topic: its partition logs are opened (files created) here, handed to their shards,
 * and only once every shard holds its logs is the topic persisted and made visible, so a request
 * that sees the topic always finds its logs. A crash before the topic is persisted leaves only
 * partition directories, which start-up deletes as orphans.
 */
final class CreateTopic extends TopicOperation
{
    private final String name;
    private final int partitions;
    private final Map<String, String> configs;
    private final List<PartitionLog> opened = new ArrayList<>();
    private Topic topic;

    CreateTopic(final String name, final int partitions, final Map<String, String> configs, final TopicResultHandler handler,
        final int replyShard)
    {
        super(handler, replyShard);
        this.name = name;
        this.partitions = partitions;
        this.configs = Map.copyOf(configs);
    }

    @Override
    TopicResult start(final Conductor conductor)
    {
        if (conductor.registry().snapshot().topic(name) != null)
        {
            return TopicResult.failed(TopicResult.Outcome.ALREADY_EXISTS, "topic " + name + " already exists");
        }
        topic = conductor.registry().prepare(name, partitions, configs);
        openAndHandOver(conductor, topic, 0, partitions, opened);
        return null;
    }

    @Override
    TopicResult finish(final Conductor conductor, final Throwable shardFailure)
    {
        if (shardFailure != null)
        {
            // Not published, so no request can reach these logs; their directories are orphans for the next start-up.
            return TopicResult.failed(TopicResult.Outcome.FAILED, "a shard could not take a partition of " + name + ": " + shardFailure);
        }
        conductor.registry().publish(topic);
        return TopicResult.done(topic);
    }

    @Override
    void abandon(final Conductor conductor)
    {
        conductor.deleteLogsNobodyOwns(opened);
    }
}
