package io.runnel.kernel.conductor;

import io.runnel.kernel.config.ConfigRefusedException;
import io.runnel.kernel.log.LogConfig;
import io.runnel.kernel.topic.Topic;

/**
 * Changes the broker's dynamic keys at run time: the {@link BrokerConfigUpdate} validates and
 * persists them; when the topic defaults they supply changed, logs opened from now on use the new
 * defaults, and every partition's owning shard swaps in its topic's overrides over them (resolved
 * here). Once every shard has, the {@link io.runnel.kernel.config.BrokerConfigListener}s are told
 * and the change is answered.
 */
final class AlterBrokerConfigs extends TopicOperation
{
    private final BrokerConfigUpdate update;
    private BrokerConfigUpdate.Applied applied;

    AlterBrokerConfigs(final BrokerConfigUpdate update, final TopicResultHandler handler, final int replyShard)
    {
        super(handler, replyShard);
        this.update = update;
    }

    @Override
    TopicResult start(final Conductor conductor)
    {
        try
        {
            applied = update.apply();
        }
        catch (final ConfigRefusedException ex)
        {
            return TopicResult.failed(ex.reason() == ConfigRefusedException.Reason.INVALID_CONFIG ? TopicResult.Outcome.INVALID_CONFIG :
                TopicResult.Outcome.INVALID_REQUEST, ex.getMessage());
        }
        if (applied.changed().isEmpty())
        {
            return TopicResult.done(null);
        }
        final LogConfig defaults = applied.topicDefaults();
        if (defaults != null && !defaults.equals(conductor.defaults()))
        {
            conductor.replaceDefaults(defaults);
            for (final Topic topic : conductor.registry().snapshot().topics())
            {
                reconfigurePartitions(conductor, topic, conductor.logConfigFor(topic.configs()));
            }
        }
        return null;
    }

    @Override
    TopicResult finish(final Conductor conductor, final Throwable shardFailure)
    {
        // Persisted and in force for new logs either way: the listeners hear of it even if a shard failed.
        conductor.brokerConfigChanged(applied.changed());
        if (shardFailure != null)
        {
            return TopicResult.failed(TopicResult.Outcome.FAILED, "the broker configs are saved, but a shard could not apply them: "
                + shardFailure + "; they apply at the next start");
        }
        return TopicResult.done(null);
    }

    @Override
    void abandon(final Conductor conductor)
    {
        // A failure after the update persisted leaves it in force for new logs and at the next start.
    }
}
